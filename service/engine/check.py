"""``check(request, kb) -> report``: a pure function, no I/O and no HTTP types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from service.engine.matching import (
    ConditionMatch,
    DrugHit,
    LabMatch,
    MedicationMatch,
    match_condition,
    match_lab,
    match_medication,
)
from service.engine.models import (
    CheckRequest,
    EffectSummary,
    Evidence,
    Finding,
    InputRef,
    InputStatus,
    LabInput,
    ListName,
    Patient,
    Report,
    Risk,
    Severity,
)
from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import CombinationRule, DrugClass, LabBand, Route

SEVERITY_RANK: dict[str, int] = {"low": 1, "moderate": 2, "high": 3}
GRADE_RANK: dict[str, int] = {"A": 3, "B": 2, "C": 1}
KIND_RANK: dict[str, int] = {"combination": 0, "lab": 1, "medication": 2, "condition": 3}
PREGNANCY_CONDITION = "pregnancy"

# Inputs are referred to as (list, index) with the list as its rank in report order.
_Ref = tuple[int, int]
_MEDICATIONS, _CONDITIONS, _LABS, _PATIENT = 0, 1, 2, 3
_LIST_NAMES: tuple[ListName, ...] = ("medications", "conditions", "labs", "patient")
_LIST_ORDER: dict[str, int] = {name: rank for rank, name in enumerate(_LIST_NAMES)}
_SHARED_REFS = 256
# The InputRefs of the first inputs of every list, made once (they are immutable).
_INPUT_REFS = [[InputRef(name, i) for i in range(_SHARED_REFS)] for name in _LIST_NAMES]


def _input_ref(rank: int, index: int) -> InputRef:
    if index < _SHARED_REFS:
        return _INPUT_REFS[rank][index]
    return InputRef(_LIST_NAMES[rank], index)


# Total calcium corrected for albumin: Ca + 0.8 x (4.0 - albumin), both in mg/dL and g/dL.
ALBUMIN_NORMAL_G_DL = 4.0
ALBUMIN_CALCIUM_FACTOR = 0.8


class _Facts:
    """Per input: the (rule, slot) pairs of combination rules it can fill."""

    __slots__ = ("rules", "slots")

    def __init__(self, rules: _PreparedRules) -> None:
        self.rules = rules
        self.slots: dict[_Ref, set[tuple[int, int]]] = {}

    def add_tags(self, ref: _Ref, tags: Iterable[str]) -> None:
        """Record what ``kind:id`` tags (``condition:x``, ``lab:x:low``) let ``ref`` fill."""
        for tag in tags:
            targets = self.rules.slots_of_tag.get(tag)
            if targets:
                self.add_targets(ref, targets)

    def add_targets(self, ref: _Ref, targets: Iterable[tuple[int, int]]) -> None:
        known = self.slots.get(ref)
        if known is None:
            self.slots[ref] = set(targets)
        else:
            known.update(targets)


def check(request: CheckRequest, kb: KnowledgeBase) -> Report:
    meds = [match_medication(m, kb) for m in request.medications]
    conds = [match_condition(c, kb) for c in request.conditions]
    labs = [match_lab(lab, kb) for lab in request.labs]
    facts = _Facts(_prepared_rules(kb))
    findings: list[Finding] = []
    route_reasons: dict[int, str] = {}
    findings += _medication_findings(meds, kb, facts, route_reasons)
    findings += _condition_findings(conds, request.patient, kb, facts)
    findings += _lab_findings(request.labs, labs, request.patient, kb, facts)
    findings += _combination_findings(kb, facts, meds, conds, labs, request.labs)
    findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], KIND_RANK[f.kind], _first_ref(f)))
    referenced: set[tuple[str, int]] = {(ref.list, ref.index) for f in findings for ref in f.inputs}
    med_status = [
        _medication_status(i, m, kb, referenced, route_reasons) for i, m in enumerate(meds)
    ]
    cond_status = [_condition_status(i, c, kb, referenced) for i, c in enumerate(conds)]
    lab_status = [_lab_status(i, lab, kb, referenced) for i, lab in enumerate(labs)]
    risk: Risk = max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__, default="none")
    note = _note(risk, findings, request, med_status, cond_status, lab_status, kb)
    return Report(
        knowledge_version=kb.version,
        risk=risk,
        findings=findings,
        medications=med_status,
        conditions=cond_status,
        labs=lab_status,
        note=note,
    )


def _first_ref(finding: Finding) -> tuple[int, int]:
    if not finding.inputs:
        return _PATIENT, 0
    first = finding.inputs[0]
    return _LIST_ORDER[first.list], first.index


def _evidence(kb: KnowledgeBase, source_ids: Iterable[str]) -> list[Evidence]:
    return [
        Evidence(kb.sources[s].citation, kb.sources[s].url, kb.sources[s].kind)
        for s in dict.fromkeys(source_ids)
    ]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# Medications ---------------------------------------------------------------------------


def _class_applies(drug_class: DrugClass, route: Route | None) -> bool:
    return not drug_class.routes or route is None or route in drug_class.routes


class _DrugAtRoute(msgspec.Struct, frozen=True, gc=False):
    """What a drug contributes when taken by a route: derived from knowledge only."""

    applicable: tuple[str, ...]
    # The (rule, slot) pairs the drug fills at this route.
    targets: tuple[tuple[int, int], ...]
    excluded_reason: str | None
    # Its finding (without inputs) when it contributes at this route.
    finding: Finding | None


def _drug_at_route(kb: KnowledgeBase, hit: DrugHit) -> _DrugAtRoute:
    by_hit = kb.derived.get(("drug_at_route",))
    if not isinstance(by_hit, dict):
        by_hit = kb.derived[("drug_at_route",)] = {}
    found: _DrugAtRoute | None = by_hit.get(hit)
    if found is not None:
        return found
    drug_id, route = hit.drug_id, hit.route
    drug = kb.drugs[drug_id]
    applicable = tuple(c for c in drug.classes if _class_applies(kb.classes[c], route))
    tags = {f"drug:{drug.id}"}
    tags.update(f"class:{c}" for c in applicable)
    tags.update(f"effect:{e.kind}" for c in applicable for e in kb.classes[c].effects)
    reason = None
    if drug.classes and not applicable and route is not None:
        reason = kb.texts.templates["route_excluded"].format(
            drug=drug.name,
            route=route,
            drug_class=" / ".join(kb.classes[c].name for c in drug.classes),
        )
    slots_of_tag = _prepared_rules(kb).slots_of_tag
    targets = tuple(dict.fromkeys(t for tag in tags for t in slots_of_tag.get(tag, ())))
    finding = _medication_template(kb, drug_id, applicable) if applicable else None
    result = by_hit[hit] = _DrugAtRoute(applicable, targets, reason, finding)
    return result


def _medication_template(kb: KnowledgeBase, drug_id: str, class_ids: Sequence[str]) -> Finding:
    key = ("finding", drug_id, *class_ids)
    template = kb.derived.get(key)
    if not isinstance(template, Finding):
        template = kb.derived[key] = _medication_finding(drug_id, class_ids, kb)
    return template


def _medication_findings(
    meds: Sequence[MedicationMatch],
    kb: KnowledgeBase,
    facts: _Facts,
    route_reasons: dict[int, str],
) -> list[Finding]:
    # Per contributing drug: what it contributes (merged when routes differ) and where.
    per_drug: dict[str, tuple[_DrugAtRoute | tuple[str, ...], list[int]]] = {}
    for index, match in enumerate(meds):
        for hit in match.hits:
            prepared = _drug_at_route(kb, hit)
            if prepared.targets:
                facts.add_targets((_MEDICATIONS, index), prepared.targets)
            if not prepared.applicable:
                if prepared.excluded_reason:
                    route_reasons[index] = prepared.excluded_reason
                continue
            entry = per_drug.get(hit.drug_id)
            if entry is None:
                per_drug[hit.drug_id] = (prepared, [index])
                continue
            known, indexes = entry
            classes = known if isinstance(known, tuple) else known.applicable
            if prepared.applicable != classes:  # the same drug by another route
                merged = classes + tuple(c for c in prepared.applicable if c not in classes)
                per_drug[hit.drug_id] = (merged, indexes)
            indexes.append(index)
    findings = []
    for drug_id, (known, indexes) in per_drug.items():
        if isinstance(known, tuple):
            template = _medication_template(kb, drug_id, known)
        else:
            template = known.finding or _medication_template(kb, drug_id, known.applicable)
        refs = [_input_ref(_MEDICATIONS, i) for i in indexes]
        findings.append(msgspec.structs.replace(template, inputs=refs))
    return findings


def _medication_finding(drug_id: str, class_ids: Sequence[str], kb: KnowledgeBase) -> Finding:
    drug = kb.drugs[drug_id]
    classes = [kb.classes[c] for c in class_ids]
    effects = [e for dc in classes for e in dc.effects]
    templates = kb.texts.templates
    class_names = " and ".join(dc.name for dc in classes)
    labels = _unique(kb.texts.effect_labels[e.kind] for e in effects)
    best = max(effects, key=lambda e: GRADE_RANK[e.grade], default=None)
    evidence_line = "; ".join(
        templates["effect_evidence"].format(
            label=_cap(kb.texts.effect_labels[e.kind]),
            grade=e.grade,
            level=kb.texts.evidence_labels[e.evidence_level],
        )
        for e in effects
    )
    detail = templates["medication_detail"].format(
        drug=_cap(drug.name),
        drug_class=class_names,
        effects="; ".join(labels) if labels else "may contribute to cramps",
        mechanisms=" ".join(_unique(e.mechanism for e in effects)),
    )
    if evidence_line:
        detail = f"{detail} Evidence: {evidence_line}."
    return Finding(
        id=f"medication/{drug.id}",
        kind="medication",
        severity=max((e.severity for e in effects), key=SEVERITY_RANK.__getitem__, default="low"),
        title=templates["medication_title"].format(drug=_cap(drug.name), drug_class=class_names),
        detail=detail,
        monitoring=_unique(m for dc in classes for m in dc.monitoring),
        management=_unique(m for dc in classes for m in dc.management),
        evidence=_evidence(
            kb, [s for e in effects for s in e.sources] + [s for dc in classes for s in dc.sources]
        ),
        inputs=[],
        evidence_level=best.evidence_level if best else "expert_consensus",
        evidence_grade=best.grade if best else "C",
        effects=[
            EffectSummary(e.kind, kb.texts.effect_labels[e.kind], e.evidence_level, e.grade)
            for e in effects
        ],
    )


# Conditions ----------------------------------------------------------------------------


def _condition_findings(
    conds: Sequence[ConditionMatch],
    patient: Patient | None,
    kb: KnowledgeBase,
    facts: _Facts,
) -> list[Finding]:
    inputs: dict[str, list[InputRef]] = {}
    for index, match in enumerate(conds):
        facts.add_tags((_CONDITIONS, index), (f"condition:{c}" for c in match.condition_ids))
        for cid in match.condition_ids:
            if kb.conditions[cid].contributes:
                inputs.setdefault(cid, []).append(_input_ref(_CONDITIONS, index))
    if patient is not None and patient.pregnant and PREGNANCY_CONDITION in kb.conditions:
        facts.add_tags((_PATIENT, 0), (f"condition:{PREGNANCY_CONDITION}",))
        inputs.setdefault(PREGNANCY_CONDITION, []).append(_input_ref(_PATIENT, 0))
    cache = kb.derived
    findings = []
    for cid, refs in inputs.items():
        template = cache.get(("condition", cid))
        if not isinstance(template, Finding):
            template = _condition_finding(kb, cid)
            cache[("condition", cid)] = template
        findings.append(msgspec.structs.replace(template, inputs=refs))
    return findings


def _condition_finding(kb: KnowledgeBase, cid: str) -> Finding:
    """The finding of a contributing condition, without its inputs (knowledge only)."""
    templates = kb.texts.templates
    cond = kb.conditions[cid]
    level = cond.evidence_level or "expert_consensus"
    grade = cond.grade or "C"
    detail = templates["condition_detail"].format(mechanism=cond.mechanism or "")
    evidence_line = templates["effect_evidence"].format(
        label=templates["condition_evidence_label"],
        grade=grade,
        level=kb.texts.evidence_labels[level],
    )
    return Finding(
        id=f"condition/{cid}",
        kind="condition",
        severity=cond.severity or "low",
        title=templates["condition_title"].format(condition=_cap(cond.name)),
        detail=f"{detail} Evidence: {evidence_line}.",
        monitoring=list(cond.monitoring),
        management=list(cond.management),
        evidence=_evidence(kb, cond.sources),
        inputs=[],
        evidence_level=level,
        evidence_grade=grade,
    )


# Labs ----------------------------------------------------------------------------------


def _worst_band(bands: Sequence[LabBand], value: float, sex: str | None) -> LabBand | None:
    worst: LabBand | None = None
    for band in bands:
        if band.sex is not None and band.sex != sex:
            continue
        hit = (band.state == "low" and band.below is not None and value < band.below) or (
            band.state == "high" and band.above is not None and value > band.above
        )
        if hit and (worst is None or SEVERITY_RANK[band.severity] > SEVERITY_RANK[worst.severity]):
            worst = band
    return worst


def _corrected_values(labs: Sequence[LabMatch]) -> list[float | None]:
    albumin = next((m.value for m in labs if m.analyte_id == "albumin" and m.value), None)
    values = [m.value for m in labs]
    if albumin is None:
        return values
    return [
        v + ALBUMIN_CALCIUM_FACTOR * (ALBUMIN_NORMAL_G_DL - albumin)
        if m.analyte_id == "calcium" and v is not None
        else v
        for m, v in zip(labs, values, strict=True)
    ]


def _lab_findings(
    items: Sequence[LabInput],
    labs: Sequence[LabMatch],
    patient: Patient | None,
    kb: KnowledgeBase,
    facts: _Facts,
) -> list[Finding]:
    sex = patient.sex if patient else None
    worst_by_analyte: dict[str, tuple[LabBand, int]] = {}
    refs_by_analyte: dict[str, list[InputRef]] = {}
    for index, (match, value) in enumerate(zip(labs, _corrected_values(labs), strict=True)):
        if match.analyte_id is None or value is None:
            continue
        band = _worst_band(kb.analytes[match.analyte_id].bands, value, sex)
        if band is None:
            continue
        facts.add_tags((_LABS, index), (f"lab:{match.analyte_id}:{band.state}",))
        refs_by_analyte.setdefault(match.analyte_id, []).append(_input_ref(_LABS, index))
        current = worst_by_analyte.get(match.analyte_id)
        if current is None or SEVERITY_RANK[band.severity] > SEVERITY_RANK[current[0].severity]:
            worst_by_analyte[match.analyte_id] = (band, index)
    findings = []
    templates = kb.texts.templates
    for analyte_id, (band, index) in worst_by_analyte.items():
        analyte = kb.analytes[analyte_id]
        shared = _analyte_lists(kb, analyte_id)
        item = items[index]
        shown = f"{item.value:g}"
        findings.append(
            Finding(
                id=f"lab/{analyte_id}/{band.state}",
                kind="lab",
                severity=band.severity,
                title=templates["lab_title"].format(title=band.title, value=shown, unit=item.unit),
                detail=templates["lab_detail"].format(
                    analyte=_cap(analyte.name),
                    value=shown,
                    unit=item.unit,
                    reference=analyte.reference_range,
                    mechanism=analyte.mechanism,
                ),
                monitoring=shared.monitoring,
                management=shared.management,
                evidence=shared.evidence,
                inputs=refs_by_analyte[analyte_id],
                evidence_level=analyte.evidence_level,
                evidence_grade=analyte.grade,
            )
        )
    return findings


class _SharedLists(msgspec.Struct, frozen=True, gc=False):
    """The lists every finding of one concept or rule shares (findings never change them)."""

    monitoring: list[str]
    management: list[str]
    evidence: list[Evidence]


def _shared_lists(
    kb: KnowledgeBase, monitoring: Iterable[str], management: Iterable[str], sources: Iterable[str]
) -> _SharedLists:
    return _SharedLists(list(monitoring), list(management), _evidence(kb, sources))


def _analyte_lists(kb: KnowledgeBase, analyte_id: str) -> _SharedLists:
    """An analyte's monitoring, management and evidence, built once per knowledge base."""
    key = ("analyte", analyte_id)
    found = kb.derived.get(key)
    if isinstance(found, _SharedLists):
        return found
    analyte = kb.analytes[analyte_id]
    shared = kb.derived[key] = _shared_lists(
        kb, analyte.monitoring, analyte.management, analyte.sources
    )
    return shared


# Combinations --------------------------------------------------------------------------


class _PreparedRule(msgspec.Struct, frozen=True, gc=False):
    """A rule with what every finding of it shares, rendered once per knowledge base."""

    rule: CombinationRule
    lists: _SharedLists


class _PreparedRules(msgspec.Struct, frozen=True, gc=False):
    rules: list[_PreparedRule]
    # ``kind:id`` tag -> the (rule, slot) pairs it can fill.
    slots_of_tag: dict[str, list[tuple[int, int]]]


def _prepared_rules(kb: KnowledgeBase) -> _PreparedRules:
    """The rules indexed by the tags that fill their slots, built once per knowledge base."""
    cache = kb.derived
    found = cache.get(("rules",))
    if isinstance(found, _PreparedRules):
        return found
    rules: list[_PreparedRule] = []
    slots_of_tag: dict[str, list[tuple[int, int]]] = {}
    for r, rule in enumerate(kb.rules):
        for s, slot in enumerate(rule.slots):
            tags = {f"class:{c}" for c in slot.drug_class}
            tags |= {f"drug:{d}" for d in slot.drug}
            tags |= {f"condition:{c}" for c in slot.condition}
            if slot.effect:
                tags.add(f"effect:{slot.effect}")
            tags |= {f"lab:{lab}" for lab in slot.lab}
            for tag in tags:
                slots_of_tag.setdefault(tag, []).append((r, s))
        lists = _shared_lists(kb, rule.monitoring, rule.management, rule.sources)
        rules.append(_PreparedRule(rule, lists))
    prepared = _PreparedRules(rules, slots_of_tag)
    cache[("rules",)] = prepared
    return prepared


def _distinct_fill(candidates: Sequence[Sequence[_Ref]]) -> bool:
    """Whether every slot can be filled by a different input (small backtracking)."""
    if len(candidates) == 2:  # the usual pair: fails only when one input is all there is
        return len({*candidates[0], *candidates[1]}) >= 2

    def fill(slot: int, used: frozenset[_Ref]) -> bool:
        if slot == len(candidates):
            return True
        return any(fill(slot + 1, used | {ref}) for ref in candidates[slot] if ref not in used)

    return fill(0, frozenset())


_Fired = dict[str, tuple[_PreparedRule, list[_Ref]]]


def _combination_findings(
    kb: KnowledgeBase,
    facts: _Facts,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    if len(facts.slots) < 2:
        return []
    prepared = facts.rules
    # Per rule that any input touches: per slot, the inputs that can fill it.
    candidates: dict[int, list[dict[_Ref, None]]] = {}
    for ref, targets in facts.slots.items():
        for r, s in targets:
            slots = candidates.get(r)
            if slots is None:
                slots = candidates[r] = [{} for _ in prepared.rules[r].rule.slots]
            slots[s][ref] = None
    fired: _Fired = {}
    for r in sorted(candidates):
        slots = candidates[r]
        if all(slots):
            _evaluate(prepared.rules[r], [list(slot) for slot in slots], meds, fired)
    return _render_combinations(kb, fired, meds, conds, labs, lab_items)


def _evaluate(
    prepared: _PreparedRule,
    candidates: list[list[_Ref]],
    meds: Sequence[MedicationMatch],
    fired: _Fired,
) -> None:
    """Record the rule in ``fired`` when different inputs fill all of its slots."""
    rule = prepared.rule
    if len(candidates) == 1:
        drugs = {
            hit.drug_id
            for rank, index in candidates[0]
            if rank == _MEDICATIONS
            for hit in meds[index].hits
        }
        if len(drugs) < rule.min_distinct_drugs or len(candidates[0]) < 2:
            return
    elif not _distinct_fill(candidates):
        return
    refs = {ref for group in candidates for ref in group}
    fired[rule.id] = (prepared, sorted(refs))


def _render_combinations(
    kb: KnowledgeBase,
    fired: _Fired,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    findings = []
    names_of: dict[_Ref, str] = {}
    for prepared, refs in fired.values():
        rule = prepared.rule
        if any(s in fired for s in rule.suppressed_by):
            continue
        for ref in refs:
            if ref not in names_of:
                names_of[ref] = _ref_name(ref, kb, meds, conds, labs, lab_items)
        names = ", ".join(_unique(names_of[ref] for ref in refs))
        findings.append(
            Finding(
                id=f"combination/{rule.id}",
                kind="combination",
                severity=rule.severity,
                title=rule.title,
                detail=f"{rule.detail} Involves: {names}.",
                monitoring=prepared.lists.monitoring,
                management=prepared.lists.management,
                evidence=prepared.lists.evidence,
                inputs=[_input_ref(*ref) for ref in refs],
                evidence_level=rule.evidence_level,
                evidence_grade=rule.grade,
            )
        )
    return findings


def _ref_name(
    ref: _Ref,
    kb: KnowledgeBase,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> str:
    rank, index = ref
    if rank == _MEDICATIONS:
        return " + ".join(kb.drugs[h.drug_id].name for h in meds[index].hits)
    if rank == _CONDITIONS:
        return " + ".join(kb.conditions[c].name for c in conds[index].condition_ids)
    if rank == _LABS:
        analyte = labs[index].analyte_id
        item = lab_items[index]
        name = kb.analytes[analyte].name if analyte else "lab"
        return f"{name} {item.value:g} {item.unit}"
    return kb.conditions[PREGNANCY_CONDITION].name


# Statuses and note ---------------------------------------------------------------------


def _medication_status(
    index: int,
    match: MedicationMatch,
    kb: KnowledgeBase,
    referenced: set[tuple[str, int]],
    route_reasons: dict[int, str],
) -> InputStatus:
    names = [kb.drugs[h.drug_id].name for h in match.hits]
    if ("medications", index) in referenced:
        return InputStatus(index, "flagged", " + ".join(names), names)
    if names:
        return InputStatus(index, "recognized", " + ".join(names), names, route_reasons.get(index))
    return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))


def _condition_status(
    index: int, match: ConditionMatch, kb: KnowledgeBase, referenced: set[tuple[str, int]]
) -> InputStatus:
    names = [kb.conditions[c].name for c in match.condition_ids]
    if ("conditions", index) in referenced:
        return InputStatus(index, "flagged", " + ".join(names), names)
    if names:
        return InputStatus(index, "recognized", " + ".join(names), names)
    if match.excluded:
        excluded = [kb.conditions[c].name for c, _ in match.excluded]
        reason = kb.texts.templates[match.excluded[0][1]]
        return InputStatus(index, "recognized", " + ".join(excluded), excluded, reason)
    return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))


def _lab_status(
    index: int, match: LabMatch, kb: KnowledgeBase, referenced: set[tuple[str, int]]
) -> InputStatus:
    name = kb.analytes[match.analyte_id].name if match.analyte_id else None
    if ("labs", index) in referenced:
        return InputStatus(index, "flagged", name, [name] if name else [])
    if match.analyte_id and match.value is not None:
        return InputStatus(index, "recognized", name, [name] if name else [])
    return InputStatus(index, "unrecognized", name, [name] if name else [], match.reason)


def _input_label(request: CheckRequest, lst: str, index: int) -> str:
    items: Sequence[object] = getattr(request, lst)
    item = items[index]
    text = getattr(item, "text", None)
    if not text:
        coding = getattr(item, "coding", None) or []
        text = next((f"{c.display or ''} {c.code or ''}".strip() for c in coding), "")
    text = " ".join(text.split())
    return f'{lst}[{index}] "{text[:60]}"'


def _note(
    risk: Risk,
    findings: Sequence[Finding],
    request: CheckRequest,
    meds: Sequence[InputStatus],
    conds: Sequence[InputStatus],
    labs: Sequence[InputStatus],
    kb: KnowledgeBase,
) -> str:
    t = kb.texts.templates
    lines = [t["note_header"].format(risk=risk)]
    if not findings:
        lines.append(t["note_none"])
    cache = kb.derived
    for f in findings:
        if f.kind == "lab":  # its title quotes the measured value: rendered, never kept
            lines.append(t["note_finding"].format(severity=f.severity, title=f.title))
            continue
        key = ("note_line", f.severity, f.title)
        line = cache.get(key)
        if not isinstance(line, str):
            line = cache[key] = t["note_finding"].format(severity=f.severity, title=f.title)
        lines.append(line)
    monitoring = _unique(m for f in findings for m in f.monitoring)
    if monitoring:
        lines.append(t["note_monitoring"].format(items="; ".join(monitoring[:6])))
    unrecognized = []
    for lst, statuses in (("medications", meds), ("conditions", conds), ("labs", labs)):
        for s in statuses:
            if s.status != "unrecognized":
                continue
            label = _input_label(request, lst, s.index)
            if s.suggestions:
                label = t["note_suggestion"].format(
                    input=label, suggestion=" or ".join(s.suggestions)
                )
            unrecognized.append(label)
    if unrecognized:
        lines.append(t["note_unrecognized"].format(items="; ".join(unrecognized)))
    lines.append(t["note_disclaimer"])
    return "\n".join(lines)


__all__ = ["Severity", "check"]
