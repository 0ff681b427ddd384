"""Pharmacist review 15: a risk is not the condition."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concept"),
    [("refeeding syndrome risk", "refeeding syndrome"), ("diabetes risk", "diabetes mellitus")],
)
def test_a_condition_named_as_a_risk_is_not_established(
    checker: Checker, text: str, concept: str
) -> None:
    status = checker.cond(text).conditions[0]
    assert (status.status, status.concept) == ("recognized", concept)
    assert status.reason == "stated as possible or to be ruled out, not established"


def test_fall_risk_is_still_read_as_falls(checker: Checker) -> None:
    status = checker.cond("fall risk").conditions[0]
    assert status.concept == "falls (repeated or history of falling)"
    assert status.reason is None


def test_the_note_asks_for_a_result_once_whatever_the_timing(checker: Checker) -> None:
    """Review 15 #9: "Potassium and magnesium within days; Magnesium now and every 6-12
    months" asked for magnesium twice at two timings."""
    report = checker(
        medications=[
            {"text": "prednisone 40 mg daily, taper by 5 mg weekly"},
            {"text": "hydrochlorothiazide 25 mg"},
            {"text": "pantoprazole 40 mg daily"},
        ],
        labs=[{"text": "potassium", "value": 3.2, "unit": "mmol/L"}],
    )
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check.lower().count("magnesium") == 1, check


def test_a_naming_source_is_not_evidence_for_diarrhea(checker: Checker) -> None:
    """Review 17 #13: every diarrhea finding cited a consumer norovirus page."""
    report = checker.cond("chronic diarrhea")
    urls = [e.url for f in report.findings for e in f.evidence]
    assert urls and not any("emedicinehealth.com/norovirus" in url for url in urls)


def test_a_wider_check_takes_a_narrower_one_s_place(checker: Checker) -> None:
    """Review 17 #9: "An ECG" (another problem's) crowded out "A digoxin level and an ECG"."""
    report = checker(
        medications=[{"text": "amphotericin B 50 mg IV daily"}, {"text": "Lanoxin 0.125 mg daily"}],
        labs=[
            {"text": "calcium", "value": 7.1, "unit": "mg/dL"},
            {"text": "magnesium", "value": 1.1, "unit": "mg/dL"},
        ],
    )
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "A digoxin level and an ECG" in check
    assert check.count("ECG") == 1
