"""Single findings: one per contributing drug, condition and abnormal lab analyte.

Each records, in ``Facts``, the combination-rule slots its inputs can fill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Final

from msgspec.structs import replace

from service.engine.matches import CURED_BY_OPERATION, ConditionMatch, LabMatch, MedicationMatch
from service.engine.models import Finding, InputRef, LabInput, Patient
from service.engine.prepared import SLOT_BITS, DrugAtRoute, Knowledge, SlotRef
from service.engine.refs import CONDITIONS, LABS, MEDICATIONS, PATIENT, Ref, input_ref
from service.engine.render import SharedLists, band_key
from service.engine.status_codes import is_preliminary
from service.engine.strings import cap, shown_at, unique
from service.knowledge.schema import Analyte, LabBand
from service.knowledge.severity import SEVERITY_RANK
from service.knowledge.text import unit_key

PREGNANCY_CONDITION = "pregnancy"


class Facts:
    """The combination-rule slots the inputs can fill: per slot that some input can fill,
    the inputs that can (each once, in the order they were added), and per rule that some
    input touches, how many of its slots are filled."""

    __slots__ = ("filled", "inputs", "knowledge", "touched")

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.filled: dict[SlotRef, list[Ref]] = {}
        # Rule position -> how many of its slots some input fills.
        self.touched: dict[int, int] = {}
        # The inputs that fill at least one slot.
        self.inputs: set[Ref] = set()

    def add_tags(
        self, ref: Ref, tags: Iterable[str], slots_of: Mapping[str, tuple[SlotRef, ...]]
    ) -> None:
        """Record what tags let ``ref`` fill: ``slots_of`` a ``Knowledge.slots_of_*``."""
        for tag in tags:
            targets = slots_of.get(tag)
            if targets:
                self.add_targets(ref, targets)

    def add_targets(self, ref: Ref, targets: tuple[SlotRef, ...]) -> None:
        if not targets:
            return
        filled = self.filled
        touched = self.touched
        for target in targets:
            filling = filled.get(target)
            if filling is None:
                filled[target] = [ref]
                rule = target >> SLOT_BITS  # rule_of, inline in this loop
                touched[rule] = touched.get(rule, 0) + 1
            elif ref not in filling:
                filling.append(ref)
        self.inputs.add(ref)

    def complete(self) -> dict[int, list[list[Ref]]]:
        """Per rule whose every slot some input fills, the inputs of each slot (lists of
        this check's own, which a rule's evaluation may narrow)."""
        counts = self.knowledge.slot_counts
        refs = self.knowledge.slot_refs
        filled = self.filled
        return {r: [filled[t] for t in refs[r]] for r, n in self.touched.items() if n == counts[r]}


# Medications ---------------------------------------------------------------------------


def medication_findings(
    meds: Sequence[MedicationMatch],
    knowledge: Knowledge,
    facts: Facts,
    route_reasons: dict[int, str],
    lab_items: Sequence[LabInput] = (),
    results: Sequence[LabResult | None] = (),
    latest: Mapping[str, int] | None = None,
    sent: AbstractSet[str] = frozenset(),
    shown_values: Sequence[str] = (),
) -> list[Finding]:
    """The findings of the drugs that contribute, and in ``route_reasons`` why an input's
    drug does not (a route, or its only effects measured absent). ``sent``: the analytes
    with a result and the lab tests known but not checked that the request has (a class's
    ``monitoring_when_measured``)."""
    # Per contributing drug: what it contributes (merged when routes differ) and where.
    per_drug: dict[str, tuple[DrugAtRoute | tuple[str, ...], list[int]]] = {}
    # Per such drug, the results that show all its effects (empty when one has none).
    shown_only_by: dict[str, tuple[tuple[str, str], ...]] = {}
    for index, match in enumerate(meds):
        for hit in match.hits:
            prepared = knowledge.drugs_at_route[hit]
            targets = prepared.targets_prn if match.prn else prepared.targets
            if targets:
                facts.add_targets((MEDICATIONS, index), targets)
            if not prepared.applicable:
                if prepared.excluded_reason:
                    route_reasons[index] = prepared.excluded_reason
                continue
            entry = per_drug.get(hit.drug_id)
            if entry is None:
                per_drug[hit.drug_id] = (prepared, [index])
                shown_only_by[hit.drug_id] = prepared.shown_only_by
                continue
            earlier = shown_only_by[hit.drug_id]
            shown_only_by[hit.drug_id] = (
                tuple(dict.fromkeys((*earlier, *prepared.shown_only_by)))
                if earlier and prepared.shown_only_by
                else ()
            )
            known, indexes = entry
            classes = known if isinstance(known, tuple) else known.applicable
            if prepared.applicable != classes:  # the same drug by another route
                merged = classes + tuple(c for c in prepared.applicable if c not in classes)
                per_drug[hit.drug_id] = (merged, indexes)
            indexes.append(index)
    if latest is None:
        latest = latest_by_analyte(results)
    findings = []
    for drug_id, (known, indexes) in per_drug.items():
        shown = shown_only_by[drug_id]
        if shown and latest:
            absent = _effects_measured_absent(
                shown, latest, lab_items, results, knowledge, shown_values
            )
            if absent is not None:
                for index in indexes:
                    route_reasons.setdefault(index, absent)
                continue
        if isinstance(known, tuple):
            template = knowledge.medication_finding(drug_id, known)
        else:
            assert known.finding is not None  # applicable classes always render one
            template = known.finding
        refs = [input_ref(MEDICATIONS, i) for i in indexes]
        monitoring = (
            _monitoring_when_measured(
                known if isinstance(known, tuple) else known.applicable, sent, knowledge
            )
            if sent and knowledge.class_monitoring_when_measured
            else None
        )
        if monitoring is None:
            findings.append(replace(template, inputs=refs))
        else:
            findings.append(replace(template, inputs=refs, monitoring=monitoring))
    return findings


def _monitoring_when_measured(
    class_ids: Sequence[str], sent: AbstractSet[str], knowledge: Knowledge
) -> list[str] | None:
    """A drug's monitoring lines with, for each class that has a ``monitoring_when_measured``
    key whose analytes and tests were all sent, that key's lines in place of its own (no
    "platelet count" asked for when one was sent); None when no class has one."""
    by_class = knowledge.class_monitoring_when_measured
    lines: list[str] = []
    changed = False
    for cid in class_ids:
        chosen = next(
            (monitoring for needed, monitoring in by_class.get(cid, ()) if needed.issubset(sent)),
            None,
        )
        if chosen is None:
            lines.extend(knowledge.kb.classes[cid].monitoring)
        else:
            lines.extend(chosen)
            changed = True
    return unique(lines) if changed else None


def _effects_measured_absent(
    shown_by: Sequence[tuple[str, str]],
    latest: Mapping[str, int],
    lab_items: Sequence[LabInput],
    results: Sequence[LabResult | None],
    knowledge: Knowledge,
    shown_values: Sequence[str] = (),
) -> str | None:
    """Why a drug is not listed when the latest result of each analyte its effects would
    show is measured and not in that state ("magnesium 2.1 mg/dL"); None otherwise."""
    kb = knowledge.kb
    names: list[str] = []
    said: list[str] = []
    for analyte_id, state in shown_by:
        aid = deciding_analyte(kb.analytes[analyte_id], latest)
        at = latest.get(aid)
        result = results[at] if at is not None else None
        if at is None or result is None or state in result.states:
            return None
        analyte = kb.analytes[aid]
        names.append(kb.analytes[analyte_id].name)
        item = lab_items[at]
        value = shown_at(shown_values, at, item.value)
        said.append(f"{analyte.name} {value} {shown_unit(item.unit, analyte)}")
    return kb.texts.templates["effects_measured_absent"].format(
        analytes=" or ".join(names), results=", ".join(said)
    )


# Labs ----------------------------------------------------------------------------------


class LabResult:
    """A recognized lab input with a value: its value as the rules use it (canonical unit,
    corrected where the dataset says), the bands it falls in (the worst first), their
    states, and its ``analyte:state`` and ``analyte:band`` tags, sorted."""

    __slots__ = ("analyte", "bands", "measured", "states", "tags", "value", "worst")

    def __init__(
        self, analyte: Analyte, value: float, measured: float, bands: tuple[LabBand, ...]
    ) -> None:
        # Final attributes, not a frozen dataclass: built natively by the compiled engine.
        self.analyte: Final = analyte
        self.value: Final = value
        self.measured: Final = measured
        self.bands: Final = bands
        # The worst band that is a finding (bands that only join rules add no state).
        self.worst: Final = next((band for band in bands if not band.joins_only), None)
        self.states: Final = {band.state for band in bands if not band.joins_only}
        names = self.states | {band.name for band in bands}
        self.tags: Final = [f"{analyte.id}:{name}" for name in sorted(names)]


def bands_for(analyte: Analyte, patient: Patient | None) -> list[LabBand]:
    """The analyte's bands for this patient: a pregnancy-, age- or sex-specific band
    replaces the general band of the same name (an age band only when the age is sent)."""
    sex = patient.sex if patient else None
    pregnant = bool(patient and patient.pregnant)
    age = patient.age if patient else None
    # Pregnancy limits first (anemia in pregnancy whatever the age), then the narrowest
    # age band that fits, then sex, then the general band.
    chosen: dict[str, tuple[tuple[int, float], LabBand]] = {}
    for band in analyte.bands:
        if band.pregnant:
            fit = (4, 0.0) if pregnant else (-1, 0.0)
        elif band.max_age_years is not None:
            fits = age is not None and age <= band.max_age_years and _age_fits(age, band)
            fit = (3, -band.max_age_years) if fits else (-1, 0.0)
        elif band.sex is not None:
            fit = (1, 0.0) if band.sex == sex else (-1, 0.0)
        else:
            fit = (0, 0.0)
        if fit[0] >= 0 and (band.name not in chosen or fit > chosen[band.name][0]):
            chosen[band.name] = (fit, band)
    return [band for _, band in chosen.values()]


def _age_fits(age: float, band: LabBand) -> bool:
    """A band for the first days or weeks of life (``max_age_years`` below 1) fits only an
    age sent as a fraction of a year: a whole number of years is completed years, and
    ``0`` is any infant from birth to 11 months (an age floored from the birth date), who
    is read against the youngest whole-year band (a TSH above 7.0, the general CK and
    calcium limits), not as a few hours old (review28 R3)."""
    return band.max_age_years is None or band.max_age_years >= 1 or not float(age).is_integer()


def _limit(
    band: LabBand, item: LabInput, factor: float, drug_rules: frozenset[str]
) -> float | None:
    """The band's limit, or its multiple of the lab's own reference limit when one is sent
    (canonical unit), unless a listed drug fills a slot of the band's
    ``reference_unless_rule`` (``drug_rules``)."""
    own = item.reference_range
    if band.reference and own is not None and band.reference_unless_rule not in drug_rules:
        limit = own.low if band.state == "low" else own.high
        if limit is not None:
            limit *= band.reference_times * factor
            if band.reference_widens_only and band.below is not None and band.state == "low":
                return min(limit, band.below)
            if band.reference_widens_only and band.above is not None:
                return max(limit, band.above)
            return limit
    return band.below if band.state == "low" else band.above


def lab_results(
    items: Sequence[LabInput],
    labs: Sequence[LabMatch],
    patient: Patient | None,
    knowledge: Knowledge,
    drug_rules: frozenset[str] = frozenset(),
) -> list[LabResult | None]:
    kb = knowledge.kb
    results: list[LabResult | None] = []
    measured = {m.analyte_id for m in labs if m.value is not None}
    for item, match in zip(items, labs, strict=True):
        if match.analyte_id is None or match.value is None:
            results.append(None)
            continue
        analyte = kb.analytes[match.analyte_id]
        if analyte.outranked_by in measured:  # not read: the other result decides
            results.append(None)
            continue
        value = match.value
        correction = analyte.corrected
        if correction is not None and not match.corrected:
            other = next((m.value for m in labs if m.analyte_id == correction.by and m.value), None)
            if other is not None:
                value += correction.factor * (correction.reference - other)
        hit = []
        for band in bands_for(analyte, patient):
            limit = _limit(band, item, match.factor, drug_rules)
            if limit is not None and _beyond(value, limit, band):
                hit.append(band)
        hit.sort(key=lambda b: -SEVERITY_RANK[b.severity] * 1000 - _depth(b))
        results.append(LabResult(analyte, value, match.value, tuple(hit)))
    return results


def _beyond(value: float, limit: float, band: LabBand) -> bool:
    """Whether ``value`` lies in the band whose limit is ``limit`` (the limit itself too
    for an ``inclusive`` band)."""
    if band.state == "low":
        return value <= limit if band.inclusive else value < limit
    return value >= limit if band.inclusive else value > limit


def _depth(band: LabBand) -> float:
    """How far from normal a band lies (a deeper band of equal severity is worse)."""
    if band.state == "low":
        return -(band.below or 0.0)
    return band.above or 0.0


def corrected_value(result: LabResult | None, match: LabMatch, analyte: Analyte) -> str | None:
    """A corrected result's value ("8.4" of calcium corrected for albumin) in the unit it
    was sent in, when the rules read it corrected; else None."""
    if result is None or result.value == result.measured or analyte.corrected is None:
        return None
    return _number(result.value / match.factor)


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def lab_findings(
    items: Sequence[LabInput],
    labs: Sequence[LabMatch],
    results: Sequence[LabResult | None],
    knowledge: Knowledge,
    facts: Facts,
    measured: MeasuredConditions,
    shown_values: Sequence[str] = (),
) -> list[Finding]:
    """One finding per analyte with an abnormal result, at its worst band; it lists the
    coded conditions its latest result shows (``MeasuredConditions.shown_by``) too."""
    kb = knowledge.kb
    shows: dict[str, list[InputRef]] = {}
    for index, by_condition in measured.shown_by.items():
        for aid in dict.fromkeys(by_condition.values()):
            shows.setdefault(aid, []).append(input_ref(CONDITIONS, index))
    worst_by_analyte: dict[str, tuple[LabBand, int]] = {}
    refs_by_analyte: dict[str, list[InputRef]] = {}
    for index, result in enumerate(results):
        if result is None or not result.bands:
            continue
        aid = result.analyte.id
        facts.add_tags((LABS, index), result.tags, knowledge.slots_of_result)
        if result.worst is None:  # in bands that only join rules
            continue
        refs_by_analyte.setdefault(aid, []).append(input_ref(LABS, index))
        current = worst_by_analyte.get(aid)
        band = result.worst
        if current is None or SEVERITY_RANK[band.severity] > SEVERITY_RANK[current[0].severity]:
            worst_by_analyte[aid] = (band, index)
    # The analytes a coded condition's finding speaks for, with that finding's severity.
    stood_for = {
        aid: SEVERITY_RANK[knowledge.condition_findings[cid].severity]
        for by_condition in measured.stood_for.values()
        for cid, (aid, _) in by_condition.items()
    }
    findings = []
    templates = kb.texts.templates
    measured_analytes = {r.analyte.id for r in results if r is not None}
    for aid, (band, index) in worst_by_analyte.items():
        if SEVERITY_RANK[band.severity] <= stood_for.get(aid, -1):  # listed by that finding
            continue
        analyte = kb.analytes[aid]
        result = results[index]
        assert result is not None
        shared = knowledge.band_lists.get(band_key(aid, band)) or _analyte_lists(
            knowledge, aid, measured_analytes
        )
        item = items[index]
        shown = shown_at(shown_values, index, item.value)
        unit = shown_unit(item.unit, analyte)
        corrected = corrected_value(result, labs[index], analyte)
        if corrected is not None and analyte.corrected is not None:
            title = templates["lab_title_corrected"].format(
                title=band.title,
                value=corrected,
                unit=unit,
                by=kb.analytes[analyte.corrected.by].name,
                measured=shown,
            )
        else:
            title = templates["lab_title"].format(title=band.title, value=shown, unit=unit)
        findings.append(
            Finding(
                id=f"lab/{aid}/{band.state}",
                kind="lab",
                severity=band.severity,
                title=title,
                detail=templates["lab_detail"].format(
                    analyte=cap(analyte.name),
                    value=shown,
                    unit=unit,
                    reference=_reference(analyte, band, item, labs[index].factor),
                    mechanism=analyte.mechanism,
                ),
                monitoring=shared.monitoring,
                management=shared.management,
                evidence=shared.evidence,
                inputs=refs_by_analyte[aid] + shows.get(aid, []),
                evidence_level=analyte.evidence_level,
                evidence_grade=analyte.grade,
                labs_to_check=shared.labs_to_check,
                basis="measured_abnormality" if band.severity == "high" else "single_contributor",
            )
        )
    return findings


def _analyte_lists(knowledge: Knowledge, aid: str, measured: set[str]) -> SharedLists:
    """An analyte's lists, with the monitoring of its first ``monitoring_when_measured`` key
    whose analytes the request has results of (no "repeat ... magnesium" when one was sent)."""
    for analytes, lists in knowledge.analyte_lists_when_measured.get(aid, ()):
        if measured.issuperset(analytes):
            return lists
    return knowledge.analyte_lists[aid]


def shown_unit(unit: str, analyte: Analyte) -> str:
    """A result's unit as clinicians write it: the analyte's own unit however it was
    written (the UCUM code ``m[IU]/L``, ``mmol/l``), any other unit as it came."""
    return analyte.canonical_unit if unit_key(unit) == unit_key(analyte.canonical_unit) else unit


def _reference(analyte: Analyte, band: LabBand, item: LabInput, factor: float) -> str:
    """The reference range in the unit of the result."""
    own = item.reference_range
    if own is not None and (own.low is not None or own.high is not None):
        low = f"{own.low:g}" if own.low is not None else ""
        high = f"{own.high:g}" if own.high is not None else ""
        return f"{low}-{high} {shown_unit(item.unit, analyte)}"
    if band.reference_range is not None:
        return band.reference_range
    if analyte.reference_interval:
        low, high = (_number(limit / factor) for limit in analyte.reference_interval)
        return f"{low}-{high} {shown_unit(item.unit, analyte)}"
    return analyte.reference_range


# Conditions ----------------------------------------------------------------------------


def deciding_analyte(analyte: Analyte, latest: Mapping[str, int]) -> str:
    """The analyte whose result decides for ``analyte``: the one that outranks it (an
    ionized calcium over a total calcium) when the request has a result of it, else itself."""
    deciding = analyte.outranked_by
    return deciding if deciding is not None and deciding in latest else analyte.id


def shows_state(result: LabResult, state: str) -> bool:
    """Whether a result shows a coded condition's state (``Condition.measured_by``): a band
    of that state that is a finding, or one that only joins rules and is named for it (a
    platelet count below the lower limit, band "low"; not an eGFR "below_60")."""
    return state in result.states or any(band.name == state for band in result.bands)


def latest_by_analyte(results: Sequence[LabResult | None]) -> dict[str, int]:
    """Per analyte, the position of its latest result (the last one sent)."""
    latest: dict[str, int] = {}
    for index, result in enumerate(results):
        if result is not None:
            latest[result.analyte.id] = index
    return latest


class MeasuredConditions:
    """What the current lab results say of the coded conditions they measure: per
    condition input, why a result that does not show it outranks it (a coded hypokalemia
    with a normal potassium), and the conditions a current result shows that are the same
    problem as it (a coded hypokalemia with a potassium of 3.2: ``same_problem_as_result``),
    each by the analyte whose lab finding then stands for it."""

    __slots__ = ("cleared", "outranked", "shown_by", "stood_for")

    def __init__(self) -> None:
        # Condition input -> why the whole entry is not current (every concept of it that
        # matters is outranked).
        self.outranked: dict[int, str] = {}
        # Condition input -> condition id -> why that concept alone is not current, when
        # the entry names others that are ("Hypokalemia, hypomagnesemia" with a normal
        # potassium: the hypomagnesemia stands).
        self.cleared: dict[int, dict[str, str]] = {}
        # Condition input -> condition id -> the analyte whose result shows it.
        self.shown_by: dict[int, dict[str, str]] = {}
        # Condition input -> condition id -> the analyte and the lab inputs that show it,
        # which its finding lists in place of theirs (``stands_for_result``).
        self.stood_for: dict[int, dict[str, tuple[str, list[int]]]] = {}


def not_cured(
    conds: Sequence[ConditionMatch],
    results: Sequence[LabResult | None],
    latest: Mapping[str, int],
    knowledge: Knowledge,
) -> list[ConditionMatch]:
    """The condition matches with a condition read as cured by its operation current again
    when the latest result of its ``not_cured_when`` analyte is in that state ("primary
    aldosteronism s/p adrenalectomy" with a low potassium: the operation did not cure it)."""
    shown: list[ConditionMatch] = []
    for match in conds:
        back = []
        for cid, kind in match.excluded:
            found = knowledge.not_cured_when.get(cid) if kind == CURED_BY_OPERATION else None
            at = latest.get(found[0]) if found is not None else None
            result = results[at] if at is not None else None
            if found is not None and result is not None and shows_state(result, found[1]):
                back.append(cid)
        if not back:
            shown.append(match)
            continue
        shown.append(
            ConditionMatch(
                (*match.condition_ids, *back),
                tuple((c, k) for c, k in match.excluded if c not in back),
                match.suggestions,
                match.reason,
                match.how,
                match.read_as,
            )
        )
    return shown


def measured_conditions(
    conds: Sequence[ConditionMatch],
    items: Sequence[LabInput],
    results: Sequence[LabResult | None],
    knowledge: Knowledge,
    latest: Mapping[str, int] | None = None,
    shown_values: Sequence[str] = (),
) -> MeasuredConditions:
    kb = knowledge.kb
    if latest is None:
        latest = latest_by_analyte(results)
    measured = MeasuredConditions()
    if not latest:
        return measured
    for index, match in enumerate(conds):
        cleared: dict[str, str] = {}
        for cid in match.condition_ids:
            measured_by = kb.conditions[cid].measured_by
            if measured_by is None:
                continue
            analyte_id, state = measured_by.split(":")
            analyte_id = deciding_analyte(kb.analytes[analyte_id], latest)
            at = latest.get(analyte_id)
            result = results[at] if at is not None else None
            if at is None or result is None:
                continue
            if kb.conditions[cid].stands_for_result:
                if shows_state(result, state):
                    measured.stood_for.setdefault(index, {})[cid] = (
                        analyte_id,
                        [
                            i
                            for i, other in enumerate(results)
                            if other is not None
                            and other.analyte.id == analyte_id
                            and shows_state(other, state)
                        ],
                    )
                continue
            if shows_state(result, state):
                if kb.conditions[cid].same_problem_as_result:
                    measured.shown_by.setdefault(index, {})[cid] = analyte_id
            elif not is_preliminary(items[at].status):
                # A preliminary result may raise a problem (an actionable critical value)
                # but never clears a recorded one (review28 O2): the diagnosis stands.
                # A treated or resolved condition, not a doubted diagnosis (review31 D10):
                # "within range" when the result is inside its reference interval, "not
                # raised" when the analyte has none and the result is in no band.
                interval = result.analyte.reference_interval
                if len(interval) == 2:
                    in_range = interval[0] <= result.value <= interval[1]
                    key = "outranked_by_lab_in_range" if in_range else "outranked_by_lab"
                else:
                    key = "outranked_by_lab" if result.states else "outranked_by_lab_not_in_state"
                cleared[cid] = kb.texts.templates[key].format(
                    state=kb.texts.templates[f"outranked_state_{state}"],
                    analyte=kb.analytes[analyte_id].name,
                    value=shown_at(shown_values, at, items[at].value),
                    unit=shown_unit(items[at].unit, kb.analytes[analyte_id]),
                )
        if not cleared:
            continue
        if all(
            cid in cleared
            or not (kb.conditions[cid].contributes or cid in knowledge.slots_of_condition)
            for cid in match.condition_ids
        ):
            measured.outranked[index] = list(cleared.values())[-1]
        else:
            measured.cleared[index] = cleared
    return measured


def condition_findings(
    conds: Sequence[ConditionMatch],
    patient: Patient | None,
    knowledge: Knowledge,
    facts: Facts,
    measured: MeasuredConditions,
) -> list[Finding]:
    """The contributing conditions' findings; a condition a current result shows is the
    result's problem (its lab finding lists the condition), not a finding of its own."""
    kb = knowledge.kb
    inputs: dict[str, list[InputRef]] = {}
    for index, match in enumerate(conds):
        if index in measured.outranked:
            continue
        ids = match.condition_ids
        cleared = measured.cleared.get(index)
        if cleared is not None:
            ids = tuple(cid for cid in ids if cid not in cleared)
        facts.add_tags((CONDITIONS, index), ids, knowledge.slots_of_condition)
        shown = measured.shown_by.get(index, {})
        stood_for = measured.stood_for.get(index, {})
        for cid in ids:
            if kb.conditions[cid].contributes and cid not in shown:
                refs = inputs.setdefault(cid, [])
                refs.append(input_ref(CONDITIONS, index))
                if cid in stood_for:
                    labs = [input_ref(LABS, at) for at in stood_for[cid][1]]
                    refs += [ref for ref in labs if ref not in refs]
    for cid, others in knowledge.outranking:
        for other in others:
            if other in inputs and cid in inputs:
                inputs[cid] += [ref for ref in inputs.pop(other) if ref not in inputs[cid]]
    if patient is not None and patient.pregnant and PREGNANCY_CONDITION in kb.conditions:
        facts.add_tags((PATIENT, 0), (PREGNANCY_CONDITION,), knowledge.slots_of_condition)
        inputs.setdefault(PREGNANCY_CONDITION, []).append(input_ref(PATIENT, 0))
    return [replace(knowledge.condition_findings[cid], inputs=refs) for cid, refs in inputs.items()]
