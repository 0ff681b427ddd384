"""``check(request, knowledge) -> report``: a pure function, no I/O and no HTTP types."""

from __future__ import annotations

from service.engine.combinations import combination_findings
from service.engine.findings import (
    Facts,
    condition_findings,
    lab_findings,
    medication_findings,
)
from service.engine.matching import match_condition, match_lab, match_medication
from service.engine.models import CheckRequest, Finding, Report
from service.engine.note import render_note
from service.engine.prepared import Knowledge
from service.engine.refs import first_ref
from service.engine.statuses import condition_status, lab_status, medication_status
from service.knowledge.severity import SEVERITY_RANK, overall_risk

# Report order of findings of equal severity.
KIND_RANK: dict[str, int] = {"combination": 0, "lab": 1, "medication": 2, "condition": 3}


def _order(finding: Finding) -> tuple[int, int, tuple[int, int]]:
    return -SEVERITY_RANK[finding.severity], KIND_RANK[finding.kind], first_ref(finding)


def check(request: CheckRequest, knowledge: Knowledge) -> Report:
    kb = knowledge.kb
    meds = [match_medication(m, knowledge) for m in request.medications]
    conds = [match_condition(c, knowledge) for c in request.conditions]
    labs = [match_lab(lab, knowledge) for lab in request.labs]
    facts = Facts(knowledge)
    route_reasons: dict[int, str] = {}
    findings = medication_findings(meds, knowledge, facts, route_reasons)
    findings += condition_findings(conds, request.patient, knowledge, facts)
    findings += lab_findings(request.labs, labs, request.patient, knowledge, facts)
    findings += combination_findings(knowledge, facts, meds, conds, labs, request.labs)
    findings.sort(key=_order)
    referenced = {(ref.list, ref.index) for f in findings for ref in f.inputs}
    med_status = [
        medication_status(i, m, kb, referenced, route_reasons) for i, m in enumerate(meds)
    ]
    cond_status = [condition_status(i, c, kb, referenced) for i, c in enumerate(conds)]
    lab_status_ = [lab_status(i, lab, kb, referenced) for i, lab in enumerate(labs)]
    risk = overall_risk(f.severity for f in findings)
    note = render_note(
        risk,
        findings,
        request,
        (("medications", med_status), ("conditions", cond_status), ("labs", lab_status_)),
        kb,
    )
    return Report(
        knowledge_version=kb.version,
        risk=risk,
        findings=findings,
        medications=med_status,
        conditions=cond_status,
        labs=lab_status_,
        note=note,
    )
