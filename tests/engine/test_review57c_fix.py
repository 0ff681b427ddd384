"""review57c R1, R2, R3.

R1: a glucose's sent range replaces 70 mg/dL only when no drug may lower glucose: insulin
products, sulfonylureas (first-generation too), meglitinides and pramlintide keep 70, and so
does any unrecognized medication (it may be one of them). R2: a count before the strength
multiplies it only right after the drug's name and when nothing after the strength gives
another count, a quantity dispensed or a later step. R3: two SABA entries with a potassium
sent do not ask for potassium a second time.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.engine.combinations import daily_mg
from tests.conftest import Checker


def _glucose(value: float, low: float) -> dict[str, Any]:
    return {
        "text": "glucose",
        "value": value,
        "unit": "mg/dL",
        "reference_range": {"low": low, "high": 99.0},
    }


@pytest.mark.parametrize(
    "drug",
    [
        "Ryzodeg 70/30 20 units daily",
        "tolbutamide 500 mg bid",
        "Orinase 500 mg",
        "chlorpropamide 250 mg daily",
        "tolazamide 250 mg daily",
        "pramlintide 60 mcg before meals",
        "SymlinPen 120 mcg",
        "insulin aspart 10 units tid",
    ],
)
def test_a_glucose_lowering_drug_keeps_70(checker: Checker, drug: str) -> None:
    report = checker(medications=[{"text": drug}], labs=[_glucose(65, 60)])
    ids = {f.id for f in report.findings}
    assert "lab/glucose/low" in ids
    assert "combination/glucose_lowering_drug_with_low_glucose" in ids
    assert report.risk == "moderate"
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize("drug", ["Kirsty 10 units", "zqxdrug 5 mg daily"])
def test_an_unrecognized_medication_keeps_70(checker: Checker, drug: str) -> None:
    report = checker(
        medications=[{"text": "metformin 1000 mg bid"}, {"text": drug}],
        labs=[_glucose(66, 65)],
    )
    assert report.medications[1].status == "unrecognized"
    assert report.risk == "low"
    assert any(f.id == "lab/glucose/low" for f in report.findings)


def test_recognized_drugs_that_lower_no_glucose_let_the_range_replace_70(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "metformin 1000 mg bid"}, {"text": "lisinopril 10 mg"}],
        labs=[_glucose(66, 65)],
    )
    assert report.risk == "none"


@pytest.mark.parametrize(
    ("text", "dose"),
    [
        # Not a dose's count: a refill, a pack, a quantity, a frequency code, a step, a day,
        # a range, another count after the strength or a later step.
        ("simvastatin refills: 3 x 20 mg tab", 20),
        ("lovastatin refills: 2 x 20 mg", 20),
        ("simvastatin (box of 2 x 20 mg)", 20),
        ("simvastatin 2 x 20 mg tablets dispensed, take 1 daily", 20),
        ("simvastatin 2 x 20 mg (1 tab qhs)", 20),
        ("simvastatin 2 x 20 mg #60", 20),
        ("simvastatin Q2 x 20mg", 20),
        ("simvastatin step 2 x 20mg", 20),
        ("simvastatin day 2 x 20 mg", 20),
        ("simvastatin 1-2 x 20 mg", 20),
        ("simvastatin take 2 20 mg tabs then 1 tab daily", 20),
        # Still a dose's count: right after the name (review56 D5).
        ("simvastatin 2x20mg", 40),
        ("simvastatin 2 x 10 mg", 20),
        ("simvastatin two 20 mg tablets daily", 40),
        ("simvastatin take 2 20 mg tabs qhs", 40),
        ("simvastatin: 2 x 20 mg qhs", 40),
        ("Zocor 2x20mg", 40),
    ],
)
def test_a_count_before_the_strength_only_right_after_the_name(text: str, dose: float) -> None:
    drug = "lovastatin" if "lovastatin" in text else "simvastatin"
    assert daily_mg(text, drug) == pytest.approx(dose)


def test_simvastatin_refills_with_amlodipine_is_not_above_the_cap(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "simvastatin refills: 3 x 20 mg tab"},
            {"text": "amlodipine 10 mg daily"},
        ]
    )
    assert report.risk == "low"


@pytest.mark.parametrize(
    "meds",
    [
        ["albuterol inhaler", "Ventolin HFA"],
        ["Ventolin HFA", "ProAir HFA", "furosemide 40 mg"],
    ],
)
def test_saba_duplicate_does_not_ask_for_a_potassium_sent(
    checker: Checker, meds: list[str]
) -> None:
    report = checker(
        medications=[{"text": m} for m in meds],
        labs=[{"text": "potassium", "value": 3.3, "unit": "mmol/L"}],
    )
    assert report.note is not None
    line = report.note.split("Check: ")[1].split("\n", maxsplit=1)[0].lower()
    assert line.count("potassium") == 1
    assert "heart rate, tremor" in line


def test_saba_duplicate_without_potassium_still_asks_for_it(checker: Checker) -> None:
    report = checker(medications=[{"text": "albuterol inhaler"}, {"text": "Ventolin HFA"}])
    assert report.note is not None
    assert "potassium with frequent or nebulized doses" in report.note.lower()
