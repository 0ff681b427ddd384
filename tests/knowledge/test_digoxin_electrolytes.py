"""Digoxin with both a low potassium and a low magnesium is one digoxin-toxicity problem:
the LANOXIN label names hypokalemia and hypomagnesemia together as predisposing to
toxicity. One finding names both results (and the drug that may lower them), at the higher
severity of its parts; one electrolyte alone keeps its own rule."""

from __future__ import annotations

from typing import Any

from service.engine.models import Report
from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

FUROSEMIDE = {"text": "furosemide 20 mg po daily"}
DIGOXIN = {"text": "digoxin 0.125 mg daily"}


def _k(value: float) -> dict[str, Any]:
    return {"text": "potassium", "value": value, "unit": "mEq/L"}


def _mg(value: float) -> dict[str, Any]:
    return {"text": "magnesium", "value": value, "unit": "mg/dL"}


def test_low_potassium_and_magnesium_with_a_diuretic_is_one_problem(checker: Checker) -> None:
    report = checker(
        medications=[FUROSEMIDE, DIGOXIN],
        conditions=[{"text": "AFib"}],
        labs=[_k(3.4), _mg(1.6)],
    )
    joint = "combination/digoxin_with_low_potassium_and_magnesium_and_a_lowering_drug"
    assert shown_combinations(report) == [joint]
    finding = next(f for f in report.findings if f.id == joint)
    assert finding.severity == "high"
    assert {(ref.list, ref.index) for ref in finding.inputs} == {
        ("medications", 0),
        ("medications", 1),
        ("labs", 0),
        ("labs", 1),
    }
    lines = [line for line in report.note.splitlines() if "digoxin toxicity" in line]
    assert len(lines) == 1
    assert "potassium 3.4" in lines[0] and "magnesium 1.6" in lines[0]
    assert "furosemide" in lines[0]
    assert report.note.count("A digoxin level and an ECG") == 1


def test_without_a_lowering_drug_the_two_results_are_still_one_problem(checker: Checker) -> None:
    report = checker(medications=[DIGOXIN], labs=[_k(3.4), _mg(1.7)])
    assert shown_combinations(report) == ["combination/digoxin_with_low_potassium_and_magnesium"]


def test_each_electrolyte_from_another_drug_is_still_one_problem(checker: Checker) -> None:
    report = checker(
        medications=[
            DIGOXIN,
            {"text": "omeprazole 20 mg daily"},
            {"text": "prednisone 40 mg daily"},
        ],
        labs=[_k(3.3), _mg(1.4)],
    )
    assert shown_combinations(report) == [
        "combination/digoxin_with_low_potassium_and_magnesium_and_a_lowering_drug"
    ]


def test_a_clearly_low_magnesium_keeps_the_joint_problem_high(checker: Checker) -> None:
    """A coded hypokalemia alone is moderate, a magnesium below 1.6 high: the one problem
    is high, never the lower of its parts."""
    report = checker(
        medications=[FUROSEMIDE, DIGOXIN],
        conditions=[{"text": "hypokalemia"}],
        labs=[_mg(1.4)],
    )
    shown = [f for f in report.findings if f.kind == "combination" and not f.absorbed_by]
    assert [f.id for f in shown] == [
        "combination/digoxin_with_low_potassium_and_magnesium_and_a_lowering_drug"
    ]
    assert shown[0].severity == "high"
    assert _digoxin_findings(report) == [shown[0].id]


def _digoxin_findings(report: Report) -> list[str]:
    return [f.id for f in report.findings if f.id.startswith("combination/digoxin_")]


def test_the_joint_problem_is_not_restated_by_its_narrower_rules(checker: Checker) -> None:
    """The single-electrolyte digoxin rules (and the diuretic interaction) do not fire
    beside the joint one: on a card they would list the same problem four more times."""
    report = checker(
        medications=[FUROSEMIDE, {"text": "hydrochlorothiazide 25 mg"}, DIGOXIN],
        labs=[_k(3.3), _mg(1.4)],
    )
    assert _digoxin_findings(report) == [
        "combination/digoxin_with_low_potassium_and_magnesium_and_a_lowering_drug"
    ]
    only_k = checker(medications=[FUROSEMIDE, DIGOXIN], labs=[_k(3.3)])
    assert _digoxin_findings(only_k) == [
        "combination/digoxin_with_low_potassium_and_a_potassium_lowering_drug"
    ]
    no_drug = checker(medications=[DIGOXIN], labs=[_k(3.3), _mg(1.4)])
    assert _digoxin_findings(no_drug) == ["combination/digoxin_with_low_potassium_and_magnesium"]


def test_one_electrolyte_alone_keeps_its_own_rule(checker: Checker) -> None:
    only_k = checker(medications=[FUROSEMIDE, DIGOXIN], labs=[_k(3.4)])
    assert shown_combinations(only_k) == [
        "combination/digoxin_with_low_potassium_and_a_potassium_lowering_drug"
    ]
    only_mg = checker(medications=[FUROSEMIDE, DIGOXIN], labs=[_mg(1.6)])
    assert shown_combinations(only_mg) == [
        "combination/digoxin_with_low_magnesium_and_a_magnesium_lowering_drug"
    ]
    normal = checker(medications=[FUROSEMIDE, DIGOXIN], labs=[_k(4.2), _mg(2.0)])
    assert not any("low_potassium_and_magnesium" in f for f in shown_combinations(normal))
