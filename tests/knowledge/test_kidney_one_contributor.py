"""One kidney contributor: an eGFR below 30 and a coded CKD stage 4-5 (KDIGO G4-G5) are one
finding listing both; an eGFR of 30 or more does not undo a coded stage (diagnosed over
months); a patient on dialysis is described as on dialysis, not as CKD stage 4-5."""

from __future__ import annotations

from typing import Any

from service.engine.models import Report
from tests.conftest import Checker

FUROSEMIDE = {"text": "furosemide 80 mg bid"}


def _egfr(value: float) -> dict[str, Any]:
    return {"text": "eGFR", "value": value, "unit": "mL/min/1.73m2"}


def _kidney(report: Report) -> dict[str, set[tuple[str, int]]]:
    """The kidney findings shown, each with its inputs."""
    return {
        f.id: {(ref.list, ref.index) for ref in f.inputs}
        for f in report.findings
        if not f.absorbed_by
        and f.id in {"lab/egfr/low", "condition/ckd_stage_4_5", "condition/eskd_dialysis"}
    }


def test_an_egfr_below_30_and_a_coded_ckd_4_are_one_finding(checker: Checker) -> None:
    report = checker(
        medications=[FUROSEMIDE], conditions=[{"text": "CKD stage 4"}], labs=[_egfr(20)]
    )
    assert _kidney(report) == {"condition/ckd_stage_4_5": {("conditions", 0), ("labs", 0)}}
    assert report.note.count("chronic kidney disease stage 4-5") == 1


def test_an_egfr_of_32_does_not_outrank_a_coded_ckd_4(checker: Checker) -> None:
    report = checker(conditions=[{"text": "CKD stage 4"}], labs=[_egfr(32)])
    assert _kidney(report) == {"condition/ckd_stage_4_5": {("conditions", 0)}}
    assert report.conditions[0].status == "flagged"


def test_an_egfr_below_30_alone_is_still_its_own_finding(checker: Checker) -> None:
    report = checker(medications=[FUROSEMIDE], labs=[_egfr(20)])
    assert _kidney(report) == {"lab/egfr/low": {("labs", 0)}}


def test_dialysis_with_an_egfr_is_described_as_dialysis(checker: Checker) -> None:
    report = checker(
        medications=[FUROSEMIDE],
        conditions=[{"text": "ESRD on hemodialysis"}],
        labs=[_egfr(8)],
    )
    assert _kidney(report) == {"condition/eskd_dialysis": {("conditions", 0), ("labs", 0)}}
    assert "stage 4-5" not in report.note


def test_ckd_5_on_hemodialysis_is_one_dialysis_finding(checker: Checker) -> None:
    report = checker(conditions=[{"text": "CKD stage 5 on hemodialysis"}])
    assert _kidney(report) == {"condition/eskd_dialysis": {("conditions", 0)}}
    assert "stage 4-5" not in report.note


def test_a_coded_ckd_4_and_dialysis_are_one_dialysis_finding(checker: Checker) -> None:
    report = checker(conditions=[{"text": "CKD stage 4"}, {"text": "ESRD on hemodialysis"}])
    assert _kidney(report) == {"condition/eskd_dialysis": {("conditions", 0), ("conditions", 1)}}
