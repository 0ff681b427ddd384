"""Single findings: one per contributing drug, condition and abnormal lab analyte.

Each records, in ``Facts``, the combination-rule slots its inputs can fill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from service.engine.matches import ConditionMatch, LabMatch, MedicationMatch
from service.engine.models import Finding, InputRef, LabInput, Patient
from service.engine.prepared import DrugAtRoute, Knowledge, SlotRef
from service.engine.refs import CONDITIONS, LABS, MEDICATIONS, PATIENT, Ref, input_ref
from service.engine.render import cap
from service.knowledge.schema import LabBand
from service.knowledge.severity import SEVERITY_RANK

PREGNANCY_CONDITION = "pregnancy"


class Facts:
    """Per input: the (rule, slot) pairs of combination rules it can fill."""

    __slots__ = ("knowledge", "slots")

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.slots: dict[Ref, set[SlotRef]] = {}

    def add_tags(self, ref: Ref, tags: Iterable[str]) -> None:
        """Record what ``kind:id`` tags (``condition:x``, ``lab:x:low``) let ``ref`` fill."""
        for tag in tags:
            targets = self.knowledge.slots_of_tag.get(tag)
            if targets:
                self.add_targets(ref, targets)

    def add_targets(self, ref: Ref, targets: Iterable[SlotRef]) -> None:
        known = self.slots.get(ref)
        if known is None:
            self.slots[ref] = set(targets)
        else:
            known.update(targets)


def medication_findings(
    meds: Sequence[MedicationMatch],
    knowledge: Knowledge,
    facts: Facts,
    route_reasons: dict[int, str],
) -> list[Finding]:
    # Per contributing drug: what it contributes (merged when routes differ) and where.
    per_drug: dict[str, tuple[DrugAtRoute | tuple[str, ...], list[int]]] = {}
    for index, match in enumerate(meds):
        for hit in match.hits:
            prepared = knowledge.drug_at_route(hit)
            if prepared.targets:
                facts.add_targets((MEDICATIONS, index), prepared.targets)
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
            template = knowledge.medication_finding(drug_id, known)
        else:
            assert known.finding is not None  # applicable classes always render one
            template = known.finding
        refs = [input_ref(MEDICATIONS, i) for i in indexes]
        findings.append(msgspec.structs.replace(template, inputs=refs))
    return findings


def condition_findings(
    conds: Sequence[ConditionMatch], patient: Patient | None, knowledge: Knowledge, facts: Facts
) -> list[Finding]:
    kb = knowledge.kb
    inputs: dict[str, list[InputRef]] = {}
    for index, match in enumerate(conds):
        facts.add_tags((CONDITIONS, index), (f"condition:{c}" for c in match.condition_ids))
        for cid in match.condition_ids:
            if kb.conditions[cid].contributes:
                inputs.setdefault(cid, []).append(input_ref(CONDITIONS, index))
    if patient is not None and patient.pregnant and PREGNANCY_CONDITION in kb.conditions:
        facts.add_tags((PATIENT, 0), (f"condition:{PREGNANCY_CONDITION}",))
        inputs.setdefault(PREGNANCY_CONDITION, []).append(input_ref(PATIENT, 0))
    return [
        msgspec.structs.replace(knowledge.condition_findings[cid], inputs=refs)
        for cid, refs in inputs.items()
    ]


def worst_band(bands: Sequence[LabBand], value: float, sex: str | None) -> LabBand | None:
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


def corrected_values(labs: Sequence[LabMatch], knowledge: Knowledge) -> list[float | None]:
    """Values in canonical units, corrected where the dataset says (calcium for albumin)."""
    kb = knowledge.kb
    values = [m.value for m in labs]
    for i, match in enumerate(labs):
        value = values[i]
        if match.analyte_id is None or value is None:
            continue
        correction = kb.analytes[match.analyte_id].corrected
        if correction is None:
            continue
        other = next((m.value for m in labs if m.analyte_id == correction.by and m.value), None)
        if other is not None:
            values[i] = value + correction.factor * (correction.reference - other)
    return values


def lab_findings(
    items: Sequence[LabInput],
    labs: Sequence[LabMatch],
    patient: Patient | None,
    knowledge: Knowledge,
    facts: Facts,
) -> list[Finding]:
    kb = knowledge.kb
    sex = patient.sex if patient else None
    worst_by_analyte: dict[str, tuple[LabBand, int]] = {}
    refs_by_analyte: dict[str, list[InputRef]] = {}
    for index, (match, value) in enumerate(
        zip(labs, corrected_values(labs, knowledge), strict=True)
    ):
        if match.analyte_id is None or value is None:
            continue
        band = worst_band(kb.analytes[match.analyte_id].bands, value, sex)
        if band is None:
            continue
        facts.add_tags((LABS, index), (f"lab:{match.analyte_id}:{band.state}",))
        refs_by_analyte.setdefault(match.analyte_id, []).append(input_ref(LABS, index))
        current = worst_by_analyte.get(match.analyte_id)
        if current is None or SEVERITY_RANK[band.severity] > SEVERITY_RANK[current[0].severity]:
            worst_by_analyte[match.analyte_id] = (band, index)
    findings = []
    templates = kb.texts.templates
    for analyte_id, (band, index) in worst_by_analyte.items():
        analyte = kb.analytes[analyte_id]
        shared = knowledge.analyte_lists[analyte_id]
        item = items[index]
        shown = f"{item.value:g}"
        findings.append(
            Finding(
                id=f"lab/{analyte_id}/{band.state}",
                kind="lab",
                severity=band.severity,
                title=templates["lab_title"].format(title=band.title, value=shown, unit=item.unit),
                detail=templates["lab_detail"].format(
                    analyte=cap(analyte.name),
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
                labs_to_check=shared.labs_to_check,
            )
        )
    return findings
