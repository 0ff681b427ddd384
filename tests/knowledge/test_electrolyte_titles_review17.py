"""Electrolyte rule titles name what filled the rule (review 17 #12)."""

from __future__ import annotations

from service.engine.models import Report
from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

MG = result("magnesium", 1.4, "mg/dL")
CA = result("calcium", 7.9, "mg/dL")


def _shown_titles(report: Report) -> list[str]:
    return [f.title for f in report.findings if f.kind == "combination" and not f.absorbed_by]


def test_a_condition_with_low_calcium_and_magnesium_names_no_vitamin_d(checker: Checker) -> None:
    report = checker(conditions=[{"text": "hypoparathyroidism"}], labs=[MG, CA])
    titles = _shown_titles(report)
    assert titles == [
        "Low calcium with low magnesium and a condition that can lower calcium"
        " (hypoparathyroidism, magnesium 1.4 mg/dL, calcium (total) 7.9 mg/dL)"
    ]
    assert "vitamin D" not in report.note.split("Check:")[0]


def test_a_low_vitamin_d_with_low_calcium_and_magnesium_names_it(checker: Checker) -> None:
    report = checker(labs=[result("vitamin D", 12, "ng/mL"), MG, CA])
    assert shown_combinations(report) == [
        "combination/low_vitamin_d_with_low_calcium_and_low_magnesium"
    ]
    assert _shown_titles(report)[0].startswith(
        "Low calcium with low magnesium and a low vitamin D (vitamin D (25-hydroxy) 12.0 ng/mL,"
    )


def test_a_condition_and_a_low_vitamin_d_are_one_problem_naming_both(checker: Checker) -> None:
    """Neither cause is left out: before, the condition's rule spoke for the low calcium and
    the measured low vitamin D was in no finding."""
    labs = [result("vitamin D", 12, "ng/mL"), MG, CA]
    report = checker(conditions=[{"text": "hypoparathyroidism"}], labs=labs)
    assert shown_combinations(report) == [
        "combination/condition_and_low_vitamin_d_with_low_calcium_and_low_magnesium"
    ]
    assert report.labs[0].status == "flagged"
    report = checker(conditions=[{"text": "hypoparathyroidism"}], labs=[labs[0], CA])
    assert shown_combinations(report) == [
        "combination/condition_and_low_vitamin_d_with_low_calcium"
    ]
    assert report.labs[0].status == "flagged"
