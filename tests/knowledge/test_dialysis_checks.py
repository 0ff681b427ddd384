"""On dialysis, creatinine does not measure kidney function: the statin-with-colchicine
problem in kidney failure asks for CK, not "CK and creatinine" (pharmacist review 15 #10).
Below an eGFR of 30 without dialysis, the colchicine dose rule still asks for kidney
function."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import result

KIDNEY = "combination/statin_with_colchicine_in_kidney_disease"


def _check_line(note: str) -> str:
    return next(line for line in note.splitlines() if line.startswith("Check:"))


def test_dialysis_checks_ask_for_no_creatinine(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg daily"}, {"text": "simvastatin 20 mg"}],
        conditions=[{"text": "end stage renal disease on HD"}],
    )
    finding = next(f for f in report.findings if f.id == KIDNEY)
    assert finding.monitoring[0].startswith("Muscle symptoms; CK now and after dose changes")
    assert "0.3 mg twice a week on dialysis" in finding.monitoring[0]
    shown = [f for f in report.findings if not f.absorbed_by]
    assert not any("reatinine" in line for f in shown for line in f.monitoring)
    assert "creatinine" not in _check_line(report.note).lower()
    assert "CK now and after dose changes" in _check_line(report.note)


def test_below_30_without_dialysis_kidney_function_is_still_asked(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg bid"}, {"text": "simvastatin 20 mg"}],
        labs=[result("eGFR", 22, "mL/min/1.73m2")],
    )
    dose = next(
        f
        for f in report.findings
        if f.id == "combination/colchicine_above_0_6_mg_in_severe_kidney_impairment"
    )
    assert "Kidney function" in dose.monitoring
