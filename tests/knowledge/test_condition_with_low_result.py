"""A measured low potassium, magnesium or calcium with a current condition that causes that
deficit (diarrhea, Gitelman syndrome, alcohol use disorder, hypoparathyroidism) is one
problem and a second factor, as a drug that lowers it is: moderate, and high only when the
result is severe on its own. A drug that lowers the same result is named instead; two
diagnoses without a measured result are not joined."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import combinations, shown_combinations


def _lab(name: str, value: float, unit: str) -> dict[str, Any]:
    return {"text": name, "value": value, "unit": unit}


def _k(value: float) -> dict[str, Any]:
    return _lab("potassium", value, "mmol/L")


def _mg(value: float) -> dict[str, Any]:
    return _lab("magnesium", value, "mg/dL")


def _ca(value: float) -> dict[str, Any]:
    return _lab("calcium", value, "mg/dL")


@pytest.mark.parametrize(
    ("condition", "lab", "rule"),
    [
        ("chronic diarrhea", _k(3.2), "condition_with_low_potassium"),
        ("Gitelman syndrome", _k(3.1), "condition_with_low_potassium"),
        ("primary hyperaldosteronism", _k(3.3), "condition_with_low_potassium"),
        ("alcohol use disorder", _mg(1.3), "condition_with_low_magnesium"),
        ("short bowel syndrome", _mg(1.5), "condition_with_low_magnesium"),
        ("postsurgical hypoparathyroidism", _ca(7.9), "condition_with_low_calcium"),
    ],
)
def test_a_measured_low_result_with_its_cause_is_one_moderate_problem(
    checker: Checker, condition: str, lab: dict[str, Any], rule: str
) -> None:
    report = checker(conditions=[{"text": condition}], labs=[lab])
    assert report.risk == "moderate"
    assert shown_combinations(report) == [f"combination/{rule}"]
    finding = next(f for f in report.findings if f.id == f"combination/{rule}")
    assert {(ref.list, ref.index) for ref in finding.inputs} == {("conditions", 0), ("labs", 0)}
    # The condition's and the result's own findings are that problem, not lines of their own.
    assert all(f.absorbed_by == finding.id for f in report.findings if f is not finding)
    assert sum(line.startswith("- ") for line in report.note.splitlines()) == 1


def test_a_severe_result_makes_it_high(checker: Checker) -> None:
    report = checker(conditions=[{"text": "diarrhea"}], labs=[_k(2.6)])
    assert report.risk == "high"
    assert shown_combinations(report) == ["combination/condition_with_low_potassium"]
    assert "An ECG" in report.note


def test_a_drug_that_lowers_the_same_result_is_named_with_it(checker: Checker) -> None:
    """Review 21 A2: one problem naming both causes (before: the drug alone)."""
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}],
        conditions=[{"text": "diarrhea"}],
        labs=[_k(3.2)],
    )
    assert combinations(report) == ["combination/drug_and_condition_with_low_potassium"]
    digoxin = checker(
        medications=[{"text": "digoxin 0.125 mg daily"}],
        conditions=[{"text": "diarrhea"}],
        labs=[_k(3.2)],
    )
    assert combinations(digoxin) == ["combination/digoxin_with_low_potassium"]


@pytest.mark.parametrize(
    ("conditions", "labs"),
    [
        # Two diagnoses: nothing measured now.
        (["diarrhea", "hypokalemia"], []),
        # A normal result, or a low result of what the condition does not lower.
        (["diarrhea"], [_k(4.1)]),
        (["primary hyperaldosteronism"], [_mg(1.5)]),
        (["hypoparathyroidism"], [_ca(9.1)]),
        # A condition that is not current.
        (["history of diarrhea, resolved"], [_k(3.2)]),
    ],
)
def test_no_joint_problem_without_a_current_cause_and_a_measured_deficit(
    checker: Checker, conditions: list[str], labs: list[dict[str, Any]]
) -> None:
    report = checker(conditions=[{"text": c} for c in conditions], labs=labs)
    assert not any(f.startswith("combination/condition_with_") for f in combinations(report))


def test_hyperemesis_gravidarum_is_vomiting_in_a_pregnancy(checker: Checker) -> None:
    report = checker(conditions=[{"text": "hyperemesis gravidarum"}], labs=[_k(3.1)])
    assert report.conditions[0].concepts == ["vomiting", "pregnancy"]
    assert shown_combinations(report) == ["combination/condition_with_low_potassium"]
