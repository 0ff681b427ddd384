"""A problem that speaks for another combination keeps that combination's check when the
note has room: digoxin with furosemide and metolazone is one problem, and loop plus
thiazide's sodium and creatinine check is not lost (pharmacist review 11, item 15)."""

from __future__ import annotations

from tests.conftest import Checker

MEDS = [
    {"text": "furosemide 40 mg bid"},
    {"text": "metolazone 2.5 mg daily"},
    {"text": "digoxin 0.125 mg daily"},
]


def test_the_absorbed_combinations_check_widens_the_problems_own(checker: Checker) -> None:
    report = checker(medications=MEDS)
    problems = [line for line in report.note.splitlines() if line.startswith("- ")]
    assert len(problems) == 1
    assert "Check: Potassium, magnesium, sodium, creatinine in 3-7 days." in report.note


def test_an_urgent_check_keeps_its_place(checker: Checker) -> None:
    report = checker(medications=MEDS, labs=[{"text": "potassium", "value": 3.2, "unit": "mmol/L"}])
    assert "Check: Potassium and magnesium now; A digoxin level and an ECG." in report.note
