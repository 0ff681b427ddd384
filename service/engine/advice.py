"""Advice that fits the patient: a current condition's ``unfitting_advice`` lines are left
out of every finding's monitoring and management (no extra fluid for a diuretic with heart
failure; no "reduce the potassium-sparing diuretic" in Gitelman syndrome), and a
finding on a low result the patient already takes a supplement for says so after its own
first line (``low_on_replacement``)."""

from __future__ import annotations

from collections.abc import Sequence

from msgspec.structs import replace

from service.engine.findings import LabResult, MeasuredConditions
from service.engine.matches import ConditionMatch, MedicationMatch
from service.engine.models import Finding
from service.engine.prepared import Knowledge


def fit_advice(
    findings: list[Finding],
    conds: Sequence[ConditionMatch],
    measured: MeasuredConditions,
    knowledge: Knowledge,
) -> list[Finding]:
    by_condition = knowledge.unfitting_advice
    outranked = measured.outranked
    cleared = measured.cleared
    unfitting = {
        line
        for index, match in enumerate(conds)
        if index not in outranked
        for cid in match.condition_ids
        if index not in cleared or cid not in cleared[index]
        for line in by_condition.get(cid, ())
    }
    if not unfitting:
        return findings
    return [
        finding
        if unfitting.isdisjoint(finding.management) and unfitting.isdisjoint(finding.monitoring)
        else replace(
            finding,
            monitoring=[m for m in finding.monitoring if m not in unfitting],
            management=[m for m in finding.management if m not in unfitting],
        )
        for finding in findings
    ]


def note_replacement(
    findings: list[Finding],
    meds: Sequence[MedicationMatch],
    results: Sequence[LabResult | None],
    knowledge: Knowledge,
) -> list[Finding]:
    """Findings on a low result of an analyte that a drug taken by mouth replaces (potassium
    chloride for a low potassium) get its ``low_on_replacement`` line after their first
    management line, naming the drugs, and that line's evidence."""
    replaced_by_drug = knowledge.replaced_by_drug
    taking: dict[str, list[str]] = {}
    for match in meds:
        if match.prn:
            continue
        for hit in match.hits:
            if hit.route not in (None, "oral"):
                continue  # an IV or IM dose repletes once: no adherence to check
            for aid in replaced_by_drug.get(hit.drug_id, ()):
                names = taking.setdefault(aid, [])
                name = knowledge.kb.drugs[hit.drug_id].name
                if name not in names:
                    names.append(name)
    if not taking:
        return findings
    noted: list[Finding] = []
    for finding in findings:
        low = [
            result.analyte.id
            for ref in finding.inputs
            if ref.list == "labs"
            and (result := results[ref.index]) is not None
            and "low" in result.states
            and result.analyte.id in taking
        ]
        if not low:
            noted.append(finding)
            continue
        lines: list[str] = []
        sources = list(finding.evidence)
        for aid in dict.fromkeys(low):
            template, evidence = knowledge.low_on_replacement[aid]
            lines.append(template.format(drugs=" and ".join(taking[aid])))
            sources += [e for e in evidence if e not in sources]
        # After the finding's own first line (a severe result's "correct it now" first).
        management = [*finding.management[:1], *lines, *finding.management[1:]]
        noted.append(replace(finding, management=management, evidence=sources))
    return noted
