"""review56s D3, D4, D5, D7.

D3: a glucose's sent reference range replaces the level 1 limit (70 mg/dL) when it is
lower, as for every mild band, except on insulin or an insulin secretagogue (ADA section 6:
the treatment threshold); level 2 (below 54) stays. D4: a note over budget says how many
checks it left out. D5: a statin with a raised TSH no longer asks for the TSH sent. D7:
spinal stenosis with sciatica says the red flags once.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker


def _glucose(value: float, low: float, unit: str = "mg/dL") -> dict[str, Any]:
    high = 99.0 if unit == "mg/dL" else 5.5
    return {
        "text": "glucose",
        "value": value,
        "unit": unit,
        "reference_range": {"low": low, "high": high},
    }


def _check_line(note: str | None) -> str:
    assert note is not None
    return note.split("Check: ")[1].split("\n", maxsplit=1)[0].lower()


@pytest.mark.parametrize(
    ("lab", "meds"),
    [
        (_glucose(65, 60), []),
        (_glucose(3.8, 3.5, "mmol/L"), []),
        (_glucose(66, 65), [{"text": "metformin 1000 mg bid"}]),
    ],
)
def test_glucose_inside_the_labs_range_is_not_flagged(
    checker: Checker, lab: dict[str, Any], meds: list[dict[str, str]]
) -> None:
    report = checker(medications=meds, labs=[lab])
    assert report.risk == "none"
    assert report.labs[0].status != "flagged"


@pytest.mark.parametrize("drug", ["glipizide 5 mg daily", "insulin glargine 20 units"])
def test_on_insulin_or_a_secretagogue_70_stays(checker: Checker, drug: str) -> None:
    report = checker(medications=[{"text": drug}], labs=[_glucose(66, 65)])
    assert report.risk == "moderate"
    assert any(
        f.id == "combination/glucose_lowering_drug_with_low_glucose" for f in report.findings
    )


def test_a_lab_limit_above_70_does_not_make_hypoglycemia(checker: Checker) -> None:
    report = checker(labs=[{**_glucose(72, 74), "reference_range": {"low": 74, "high": 106}}])
    assert report.risk == "none"


def test_below_the_labs_range_and_level_2_stay(checker: Checker) -> None:
    assert checker(labs=[_glucose(58, 60)]).risk == "low"
    assert checker(labs=[_glucose(52, 50)]).risk == "high"


def test_statin_with_a_raised_tsh_does_not_ask_for_the_tsh_sent(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "atorvastatin 20 mg"}],
        labs=[{"text": "TSH", "value": 6.2, "unit": "mIU/L"}],
    )
    line = _check_line(report.note)
    assert "tsh" not in line
    assert "free t4" in line
    # Without a TSH the rule still asks for one.
    report = checker(
        medications=[{"text": "atorvastatin 20 mg"}], conditions=[{"text": "hypothyroidism"}]
    )
    assert "tsh to confirm" in _check_line(report.note)


def test_stenosis_and_sciatica_say_the_red_flags_once(checker: Checker) -> None:
    report = checker(conditions=[{"text": "lumbar spinal stenosis"}, {"text": "sciatica"}])
    line = _check_line(report.note)
    assert line.count("bladder") == 1
    assert "walking tolerance" in line and "leg weakness" in line


def test_a_note_over_budget_counts_the_checks_it_left_out(checker: Checker) -> None:
    labs = [
        {"text": "potassium", "value": 3.4, "unit": "mmol/L",
         "reference_range": {"low": 3.5, "high": 5.1}},
        {"text": "magnesium", "value": 1.7, "unit": "mg/dL"},
        {"text": "sodium", "value": 134, "unit": "mmol/L"},
        {"text": "TSH", "value": 5.8, "unit": "mIU/L"},
        {"text": "hemoglobin", "value": 12.6, "unit": "g/dL"},
        {"text": "CK", "value": 420, "unit": "U/L"},
    ]  # fmt: skip
    meds = [
        "lisinopril-hydrochlorothiazide 20-25 mg daily", "simvastatin 40 mg qhs",
        "pantoprazole 40 mg daily", "metformin 500 mg bid", "levothyroxine 50 mcg daily",
        "Advair Diskus 250/50 1 puff bid", "albuterol HFA 2 puffs q4h prn",
        "prednisone 5 mg daily",
    ]  # fmt: skip
    conds = ["type 2 diabetes mellitus", "hypothyroidism", "diabetic peripheral neuropathy"]
    report = checker(
        patient={"age": 81, "sex": "male"},
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conds],
        labs=labs,
    )
    assert report.note is not None and len(report.note) <= 700
    assert "1 more in the report" in _check_line(report.note)
