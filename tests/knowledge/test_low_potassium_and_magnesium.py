"""A drug with a measured low potassium and a measured low magnesium is one problem, not a
line for each electrolyte (pharmacist review 10, item 1): low magnesium keeps low
potassium from being corrected, so the two are treated together."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

JOINT = "combination/drug_with_low_potassium_and_low_magnesium"


def _k(value: float) -> dict[str, Any]:
    return {"text": "potassium", "value": value, "unit": "mmol/L"}


def _mg(value: float) -> dict[str, Any]:
    return {"text": "magnesium", "value": value, "unit": "mg/dL"}


def test_a_diuretic_with_both_low_is_one_problem_with_one_check(checker: Checker) -> None:
    report = checker(medications=[{"text": "furosemide 40 mg daily"}], labs=[_k(3.3), _mg(1.5)])
    assert shown_combinations(report) == [JOINT]
    assert report.risk == "moderate"
    assert [line for line in report.note.splitlines() if line.startswith("- ")] == [
        "- moderate: Low potassium and magnesium with a drug lowering either (furosemide,"
        " potassium 3.3 mmol/L, magnesium 1.5 mg/dL)"
    ]
    assert "Check: Potassium and magnesium within days." in report.note


def test_a_severe_result_makes_it_high_with_an_ecg(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}, {"text": "hydrochlorothiazide 25 mg"}],
        labs=[_k(2.8), _mg(1.5)],
    )
    assert shown_combinations(report) == [JOINT]
    assert report.risk == "high"
    assert "An ECG" in report.note


def test_weak_potassium_lowering_drugs_are_not_named(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "torsemide 20 mg daily"},
            {"text": "Advair 250/50 1 puff bid"},
            {"text": "insulin glargine 20 units"},
        ],
        labs=[_k(3.1), _mg(1.5)],
    )
    joint = next(f for f in report.findings if f.id == JOINT)
    assert {(ref.list, ref.index) for ref in joint.inputs} == {
        ("medications", 0),
        ("labs", 0),
        ("labs", 1),
    }


def test_one_low_electrolyte_keeps_its_own_rule(checker: Checker) -> None:
    only_k = checker(medications=[{"text": "furosemide 40 mg daily"}], labs=[_k(3.3), _mg(2.0)])
    assert shown_combinations(only_k) == ["combination/potassium_lowering_drug_with_low_potassium"]
