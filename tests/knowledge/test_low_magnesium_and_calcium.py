"""A low calcium with a low magnesium is one problem: the low magnesium impairs parathyroid
hormone, so calcium may not correct until magnesium is replaced (Janett 2015; pharmacist
reviews 11 and 14). With a drug that lowers magnesium, and with a low potassium too, the
wider rule names the drug and absorbs the narrower ones."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

MG = result("magnesium", 1.4, "mg/dL")
CA = result("calcium", 8.1, "mg/dL")


def test_the_two_results_alone_are_one_problem(checker: Checker) -> None:
    report = checker(labs=[MG, CA])
    assert shown_combinations(report) == ["combination/low_calcium_with_low_magnesium"]
    assert report.risk == "moderate"
    assert not [f for f in report.findings if f.kind == "lab" and not f.absorbed_by]


@pytest.mark.parametrize(
    "drug", ["omeprazole 20 mg daily", "cetuximab 250 mg/m2 weekly", "furosemide 40 mg daily"]
)
def test_a_magnesium_lowering_drug_is_named(checker: Checker, drug: str) -> None:
    report = checker(medications=[{"text": drug}], labs=[MG, CA])
    assert shown_combinations(report) == [
        "combination/magnesium_lowering_drug_with_low_magnesium_and_low_calcium"
    ]
    assert "may not correct while magnesium is low" in " ".join(
        next(f for f in report.findings if not f.absorbed_by).management
    )


def test_with_a_low_potassium_too_it_is_still_one_problem(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "esomeprazole 40 mg twice daily"}],
        labs=[result("magnesium", 0.9, "mg/dL"), result("potassium", 3.2, "mmol/L"), CA],
    )
    assert shown_combinations(report) == [
        "combination/drug_with_low_potassium_magnesium_and_calcium"
    ]
    assert report.risk == "high"  # magnesium below 1.2 mg/dL
    assert "Check: Potassium, magnesium and calcium now; An ECG." in report.note


def test_a_rule_naming_the_calcium_cause_speaks_for_it(checker: Checker) -> None:
    report = checker(medications=[{"text": "denosumab 60 mg every 6 months"}], labs=[MG, CA])
    assert shown_combinations(report) == ["combination/calcium_lowering_drug_with_low_calcium"]


def test_a_normal_calcium_leaves_the_magnesium_rules_as_they_were(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}],
        labs=[MG, result("calcium", 9.2, "mg/dL")],
    )
    assert shown_combinations(report) == ["combination/magnesium_lowering_drug_with_low_magnesium"]


@pytest.mark.parametrize("condition", ["alcohol use disorder", "chronic diarrhea"])
def test_a_condition_that_lowers_magnesium_is_named_in_one_problem(
    checker: Checker, condition: str
) -> None:
    """Review 15 #4: before, a condition's low magnesium and the low calcium with it were two
    moderate problems with two checks."""
    report = checker(conditions=[{"text": condition}], labs=[MG, CA])
    assert shown_combinations(report) == [
        "combination/condition_with_low_magnesium_and_low_calcium"
    ]
    assert report.note.count("Check:") == 1 and report.note.count("within days") == 1


def test_a_condition_with_all_three_low_is_one_problem(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "chronic diarrhea"}],
        labs=[result("potassium", 3.2, "mmol/L"), MG, CA],
    )
    assert shown_combinations(report) == [
        "combination/condition_with_low_potassium_magnesium_and_calcium"
    ]


@pytest.mark.parametrize(
    ("cause", "labs", "rule"),
    [
        (
            [{"text": "hypoparathyroidism"}],
            [],
            "combination/condition_with_low_calcium_and_low_magnesium",
        ),
        (
            [],
            [result("vitamin D", 12, "ng/mL")],
            "combination/low_vitamin_d_with_low_calcium_and_low_magnesium",
        ),
    ],
)
def test_a_calcium_cause_and_a_low_magnesium_are_one_problem_naming_both(
    checker: Checker, cause: list[dict[str, str]], labs: list[dict[str, object]], rule: str
) -> None:
    """Review 16 #3: a low vitamin D used to push the magnesium out of the problem (and
    review 17 #12: each cause has its own title)."""
    report = checker(conditions=cause, labs=[*labs, MG, CA])
    assert shown_combinations(report) == [rule]
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "magnesium" in check.lower()
