"""Intravenous insulin with a low potassium (a DKA infusion): a high problem that asks for
potassium now and during the infusion (2024 hyperglycemic crises consensus report), not
"within days"; subcutaneous insulin does not join the rule."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

RULE = "combination/intravenous_insulin_with_low_potassium"


def _potassium(value: float) -> dict[str, object]:
    return {"text": "potassium", "value": value, "unit": "mmol/L"}


def test_an_insulin_infusion_with_low_potassium_is_high_and_checked_now(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "insulin regular infusion 0.1 units/kg/hr IV"}],
        conditions=[{"text": "DKA"}],
        labs=[_potassium(3.1)],
    )
    assert shown_combinations(report) == [RULE]
    assert report.risk == "high"
    check_line = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "every 2-4 hours" in check_line and "within days" not in check_line
    assert report.conditions[0].concept == "diabetes mellitus"


def test_a_coded_hypokalemia_without_a_result_is_moderate(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "insulin regular 10 units IV once"}],
        conditions=[{"text": "hypokalemia"}],
    )
    assert RULE in shown_combinations(report)
    assert report.risk == "moderate"


def test_subcutaneous_insulin_does_not_join_it(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "insulin glargine 20 units subcut at bedtime"}],
        labs=[_potassium(3.2)],
    )
    assert RULE not in {f.id for f in report.findings}
