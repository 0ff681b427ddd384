"""Combination findings: rules whose slots are each filled by a different input."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine.findings import PREGNANCY_CONDITION, Facts
from service.engine.matches import ConditionMatch, LabMatch, MedicationMatch
from service.engine.models import Finding, LabInput
from service.engine.prepared import Knowledge, PreparedRule
from service.engine.refs import CONDITIONS, LABS, MEDICATIONS, Ref, input_ref
from service.engine.render import unique

_Fired = dict[str, tuple[PreparedRule, list[Ref]]]


def combination_findings(
    knowledge: Knowledge,
    facts: Facts,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    if len(facts.slots) < 2:
        return []
    rules = knowledge.rules
    # Per rule that any input touches: per slot, the inputs that can fill it.
    candidates: dict[int, list[dict[Ref, None]]] = {}
    for ref, targets in facts.slots.items():
        for r, s in targets:
            slots = candidates.get(r)
            if slots is None:
                slots = candidates[r] = [{} for _ in rules[r].rule.slots]
            slots[s][ref] = None
    fired: _Fired = {}
    for r in sorted(candidates):
        slots = candidates[r]
        if all(slots):
            _evaluate(rules[r], [list(slot) for slot in slots], meds, fired)
    return _render(knowledge, fired, meds, conds, labs, lab_items)


def distinct_fill(candidates: Sequence[Sequence[Ref]]) -> bool:
    """Whether every slot can be filled by a different input (small backtracking)."""
    if len(candidates) == 2:  # the usual pair: fails only when one input is all there is
        return len({*candidates[0], *candidates[1]}) >= 2

    def fill(slot: int, used: frozenset[Ref]) -> bool:
        if slot == len(candidates):
            return True
        return any(fill(slot + 1, used | {ref}) for ref in candidates[slot] if ref not in used)

    return fill(0, frozenset())


def _evaluate(
    prepared: PreparedRule,
    candidates: list[list[Ref]],
    meds: Sequence[MedicationMatch],
    fired: _Fired,
) -> None:
    """Record the rule in ``fired`` when different inputs fill all of its slots."""
    rule = prepared.rule
    if len(candidates) == 1:
        drugs = {
            hit.drug_id
            for rank, index in candidates[0]
            if rank == MEDICATIONS
            for hit in meds[index].hits
        }
        if len(drugs) < rule.min_distinct_drugs or len(candidates[0]) < 2:
            return
    elif not distinct_fill(candidates):
        return
    refs = {ref for group in candidates for ref in group}
    fired[rule.id] = (prepared, sorted(refs))


def _render(
    knowledge: Knowledge,
    fired: _Fired,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> list[Finding]:
    findings = []
    names_of: dict[Ref, str] = {}
    for prepared, refs in fired.values():
        rule = prepared.rule
        if any(s in fired for s in rule.suppressed_by):
            continue
        for ref in refs:
            if ref not in names_of:
                names_of[ref] = _ref_name(ref, knowledge, meds, conds, labs, lab_items)
        names = ", ".join(unique(names_of[ref] for ref in refs))
        lists = prepared.lists
        findings.append(
            Finding(
                id=f"combination/{rule.id}",
                kind="combination",
                severity=rule.severity,
                title=rule.title,
                detail=f"{rule.detail} Involves: {names}.",
                monitoring=lists.monitoring,
                management=lists.management,
                evidence=lists.evidence,
                inputs=[input_ref(*ref) for ref in refs],
                evidence_level=rule.evidence_level,
                evidence_grade=rule.grade,
                labs_to_check=lists.labs_to_check,
            )
        )
    return findings


def _ref_name(
    ref: Ref,
    knowledge: Knowledge,
    meds: Sequence[MedicationMatch],
    conds: Sequence[ConditionMatch],
    labs: Sequence[LabMatch],
    lab_items: Sequence[LabInput],
) -> str:
    kb = knowledge.kb
    rank, index = ref
    if rank == MEDICATIONS:
        return " + ".join(kb.drugs[h.drug_id].name for h in meds[index].hits)
    if rank == CONDITIONS:
        return " + ".join(kb.conditions[c].name for c in conds[index].condition_ids)
    if rank == LABS:
        analyte = labs[index].analyte_id
        item = lab_items[index]
        name = kb.analytes[analyte].name if analyte else "lab"
        return f"{name} {item.value:g} {item.unit}"
    return kb.conditions[PREGNANCY_CONDITION].name
