"""Refeeding syndrome with a low phosphate, potassium or magnesium is its own problem, with
its own daily checks (pharmacist review 15 #6: the general condition rules asked for
"potassium and magnesium within days", and the phosphate sent was never read)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

RULE = "combination/refeeding_syndrome_with_low_electrolytes"
DAILY = "Check: Phosphate, potassium and magnesium daily in the first days of feeding."


def test_refeeding_with_low_potassium_magnesium_and_phosphate_is_one_problem(
    checker: Checker,
) -> None:
    report = checker(
        conditions=[{"text": "anorexia nervosa"}, {"text": "refeeding syndrome"}],
        labs=[
            result("potassium", 3.1, "mmol/L"),
            result("magnesium", 1.5, "mg/dL"),
            result("phosphorus", 2.1, "mg/dL"),
        ],
    )
    assert shown_combinations(report) == [RULE]
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "moderate"
    assert [ref.index for ref in finding.inputs if ref.list == "labs"] == [0, 1, 2]
    assert report.labs[2].status == "flagged"
    assert DAILY in report.note


@pytest.mark.parametrize(("value", "unit"), [(1.9, "mg/dL"), (0.6, "mmol/L")])
def test_a_low_phosphate_alone_joins_refeeding(checker: Checker, value: float, unit: str) -> None:
    report = checker(
        conditions=[{"text": "refeeding syndrome"}], labs=[result("phosphate", value, unit)]
    )
    assert shown_combinations(report) == [RULE]


@pytest.mark.parametrize(("value", "unit"), [(1.9, "mg/dL"), (2.6, "mg/dL"), (1.0, "mmol/L")])
def test_a_phosphate_is_never_a_finding_of_its_own(
    checker: Checker, value: float, unit: str
) -> None:
    report = checker(labs=[result("phosphate", value, unit)])
    assert report.findings == []
    assert report.labs[0].status == "recognized"


def test_a_severe_low_potassium_makes_it_high(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "refeeding syndrome"}], labs=[result("potassium", 2.7, "mmol/L")]
    )
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "high"
    assert finding.monitoring[-1] == "An ECG"


def test_a_severely_low_phosphate_makes_it_high(checker: Checker) -> None:
    """Review 18 B4: below 1 mg/dL (0.32 mmol/L) is severe hypophosphatemia."""
    for value, unit, severity in [
        (0.8, "mg/dL", "high"),
        (0.3, "mmol/L", "high"),
        (1.8, "mg/dL", "moderate"),
    ]:
        report = checker(
            conditions=[{"text": "refeeding syndrome"}], labs=[result("phosphate", value, unit)]
        )
        assert next(f for f in report.findings if f.id == RULE).severity == severity, value
