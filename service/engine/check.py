"""``check(request, kb) -> report``: a pure function, no I/O and no HTTP types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import msgspec

from service.engine.matching import (
    ConditionMatch,
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
# Total calcium corrected for albumin: Ca + 0.8 x (4.0 - albumin), both in mg/dL and g/dL.
ALBUMIN_NORMAL_G_DL = 4.0
ALBUMIN_CALCIUM_FACTOR = 0.8


# Values derived from knowledge alone (never from patient data), kept per knowledge base:
# rendered findings, a drug's effect tags at a route, a rule's slot tags.
_DERIVED: WeakKeyDictionary[KnowledgeBase, dict[tuple[str, ...], object]] = WeakKeyDictionary()


def _derived(kb: KnowledgeBase) -> dict[tuple[str, ...], object]:
    cache = _DERIVED.get(kb)
    if cache is None:
        cache = _DERIVED[kb] = {}
    return cache


@dataclass(slots=True)
class _Facts:
    """What each input contributes to combination rules, as ``kind:id`` tags."""

    tags: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def add(self, ref: tuple[str, int], tags: Iterable[str]) -> None:
        known = self.tags.get(ref)
        if known is None:
            self.tags[ref] = set(tags)
        else:
            known.update(tags)


def check(request: CheckRequest, kb: KnowledgeBase) -> Report:
    meds = [match_medication(m, kb) for m in request.medications]
    conds = [match_condition(c, kb) for c in request.conditions]
    labs = [match_lab(lab, kb) for lab in request.labs]
    facts = _Facts()
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
    first = finding.inputs[0] if finding.inputs else InputRef("patient", 0)
    return _ref_order((first.list, first.index))


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


@dataclass(frozen=True, slots=True)
class _DrugAtRoute:
    """What a drug contributes when taken by a route: derived from knowledge only."""

    applicable: tuple[str, ...]
    tags: frozenset[str]
    excluded_reason: str | None


def _drug_at_route(
    kb: KnowledgeBase, cache: dict[tuple[str, ...], object], drug_id: str, route: Route | None
) -> _DrugAtRoute:
    key = ("route", drug_id, route or "")
    found = cache.get(key)
    if isinstance(found, _DrugAtRoute):
        return found
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
    result = _DrugAtRoute(applicable, frozenset(tags), reason)
    cache[key] = result
    return result


def _medication_findings(
    meds: Sequence[MedicationMatch],
    kb: KnowledgeBase,
    facts: _Facts,
    route_reasons: dict[int, str],
) -> list[Finding]:
    cache = _derived(kb)
    classes_by_drug: dict[str, list[str]] = {}
    inputs_by_drug: dict[str, list[int]] = {}
    for index, match in enumerate(meds):
        for hit in match.hits:
            prepared = _drug_at_route(kb, cache, hit.drug_id, hit.route)
            facts.add(("medications", index), prepared.tags)
            if not prepared.applicable:
                if prepared.excluded_reason:
                    route_reasons[index] = prepared.excluded_reason
                continue
            known = classes_by_drug.setdefault(hit.drug_id, [])
            known.extend(c for c in prepared.applicable if c not in known)
            inputs_by_drug.setdefault(hit.drug_id, []).append(index)
    findings = []
    for drug_id, indexes in inputs_by_drug.items():
        key = ("finding", drug_id, *classes_by_drug[drug_id])
        template = cache.get(key)
        if not isinstance(template, Finding):
            template = _medication_finding(drug_id, key[2:], kb)
            cache[key] = template
        refs = [InputRef("medications", i) for i in indexes]
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
        facts.add(("conditions", index), (f"condition:{c}" for c in match.condition_ids))
        for cid in match.condition_ids:
            if kb.conditions[cid].contributes:
                inputs.setdefault(cid, []).append(InputRef("conditions", index))
    if patient is not None and patient.pregnant and PREGNANCY_CONDITION in kb.conditions:
        facts.add(("patient", 0), (f"condition:{PREGNANCY_CONDITION}",))
        inputs.setdefault(PREGNANCY_CONDITION, []).append(InputRef("patient", 0))
    cache = _derived(kb)
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
        facts.add(("labs", index), (f"lab:{match.analyte_id}:{band.state}",))
        refs_by_analyte.setdefault(match.analyte_id, []).append(InputRef("labs", index))
        current = worst_by_analyte.get(match.analyte_id)
        if current is None or SEVERITY_RANK[band.severity] > SEVERITY_RANK[current[0].severity]:
            worst_by_analyte[match.analyte_id] = (band, index)
    findings = []
    templates = kb.texts.templates
    for analyte_id, (band, index) in worst_by_analyte.items():
        analyte = kb.analytes[analyte_id]
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
                monitoring=list(analyte.monitoring),
                management=list(analyte.management),
                evidence=_evidence(kb, analyte.sources),
                inputs=refs_by_analyte[analyte_id],
                evidence_level=analyte.evidence_level,
                evidence_grade=analyte.grade,
            )
        )
    return findings


# Combinations --------------------------------------------------------------------------


def _prepared_rules(kb: KnowledgeBase) -> list[tuple[CombinationRule, list[frozenset[str]]]]:
    """Each rule with its slots as ``kind:id`` tag sets, built once per knowledge base."""
    cache = _derived(kb)
    found = cache.get(("rules",))
    if isinstance(found, list):
        return found
    prepared: list[tuple[CombinationRule, list[frozenset[str]]]] = []
    for rule in kb.rules:
        slots: list[frozenset[str]] = []
        for slot in rule.slots:
            tags = {f"class:{c}" for c in slot.drug_class}
            tags |= {f"drug:{d}" for d in slot.drug}
            tags |= {f"condition:{c}" for c in slot.condition}
            if slot.effect:
                tags.add(f"effect:{slot.effect}")
            tags |= {f"lab:{lab}" for lab in slot.lab}
            slots.append(frozenset(tags))
        prepared.append((rule, slots))
    cache[("rules",)] = prepared
    return prepared


def _distinct_fill(candidates: Sequence[Sequence[tuple[str, int]]]) -> bool:
    """Whether every slot can be filled by a different input (small backtracking)."""

    def fill(slot: int, used: frozenset[tuple[str, int]]) -> bool:
        if slot == len(candidates):
            return True
        return any(fill(slot + 1, used | {ref}) for ref in candidates[slot] if ref not in used)

    return fill(0, frozenset())


def _combination_findings(
    kb: KnowledgeBase,
    facts: _Facts,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    if len(facts.tags) < 2:
        return []
    refs_by_tag: dict[str, list[tuple[str, int]]] = {}
    for ref, tags in facts.tags.items():
        for tag in tags:
            refs_by_tag.setdefault(tag, []).append(ref)
    fired: dict[str, tuple[CombinationRule, list[tuple[str, int]]]] = {}
    present = refs_by_tag.keys()
    for rule, slots in _prepared_rules(kb):
        for slot in slots:
            if present.isdisjoint(slot):
                break
        else:
            _evaluate(rule, slots, refs_by_tag, facts, fired)
    return _render_combinations(kb, fired, meds, conds, labs, lab_items)


def _evaluate(
    rule: CombinationRule,
    slots: list[frozenset[str]],
    refs_by_tag: dict[str, list[tuple[str, int]]],
    facts: _Facts,
    fired: dict[str, tuple[CombinationRule, list[tuple[str, int]]]],
) -> None:
    """Record ``rule`` in ``fired`` when different inputs fill all of its slots."""
    candidates: list[list[tuple[str, int]]] = []
    for slot in slots:
        candidates.append(list({ref for tag in slot for ref in refs_by_tag.get(tag, ())}))
    if len(candidates) == 1:
        drugs = {t for ref in candidates[0] for t in facts.tags[ref] if t[:5] == "drug:"}
        if len(drugs) < rule.min_distinct_drugs or len(candidates[0]) < 2:
            return
    elif not _distinct_fill(candidates):
        return
    fired[rule.id] = (rule, sorted({ref for group in candidates for ref in group}, key=_ref_order))


def _render_combinations(
    kb: KnowledgeBase,
    fired: dict[str, tuple[CombinationRule, list[tuple[str, int]]]],
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    findings = []
    names_of: dict[tuple[str, int], str] = {}
    for rule, refs in fired.values():
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
                monitoring=list(rule.monitoring),
                management=list(rule.management),
                evidence=_rule_evidence(kb, rule),
                inputs=[InputRef(lst, i) for lst, i in refs],  # type: ignore[arg-type]
                evidence_level=rule.evidence_level,
                evidence_grade=rule.grade,
            )
        )
    return findings


def _rule_evidence(kb: KnowledgeBase, rule: CombinationRule) -> list[Evidence]:
    cache = _derived(kb)
    found = cache.get(("rule_evidence", rule.id))
    if not isinstance(found, list):
        found = cache[("rule_evidence", rule.id)] = _evidence(kb, rule.sources)
    return found


_LIST_ORDER = {"medications": 0, "conditions": 1, "labs": 2, "patient": 3}


def _ref_order(ref: tuple[str, int]) -> tuple[int, int]:
    return _LIST_ORDER[ref[0]], ref[1]


def _ref_name(
    ref: tuple[str, int],
    kb: KnowledgeBase,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> str:
    lst, index = ref
    if lst == "medications":
        return " + ".join(kb.drugs[h.drug_id].name for h in meds[index].hits)
    if lst == "conditions":
        return " + ".join(kb.conditions[c].name for c in conds[index].condition_ids)
    if lst == "labs":
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
    lines.extend(t["note_finding"].format(severity=f.severity, title=f.title) for f in findings)
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
