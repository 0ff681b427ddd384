"""Pharmacist review 12: replacement doses per m2, one problem for a condition that loses
both potassium and magnesium, heat stroke (never a stroke), a dose changed after the old
strength, the rhabdomyolysis-range CK's own advice, and inputs the checks ask for."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

SEVERAL_K = "combination/several_potassium_lowering_drugs"


@pytest.mark.parametrize(
    ("hydrocortisone", "adds_up"),
    [
        ("hydrocortisone 10 mg/m2/day divided tid", False),  # replacement
        ("hydrocortisone 12 mg/m\u00b2/day", False),
        ("hydrocortisone 100 mg/m2/day", True),  # a stress dose
    ],
)
def test_a_dose_per_m2_is_read_against_the_replacement_limit(
    checker: Checker, hydrocortisone: str, adds_up: bool
) -> None:
    report = checker(
        patient={"age": 6},
        medications=[{"text": hydrocortisone}, {"text": "fludrocortisone 0.1 mg daily"}],
        conditions=[{"text": "congenital adrenal hyperplasia"}],
    )
    assert (SEVERAL_K in shown_combinations(report)) is adds_up
    assert report.conditions[0].concept == "congenital adrenal hyperplasia"


def test_a_condition_losing_both_is_one_problem(checker: Checker) -> None:
    labs = [result("potassium", 3.2, "mmol/L"), result("magnesium", 1.4, "mg/dL")]
    alone = checker(conditions=[{"text": "diarrhea"}], labs=labs)
    assert shown_combinations(alone) == [
        "combination/condition_with_low_potassium_and_low_magnesium"
    ]
    with_ppi = checker(
        medications=[{"text": "omeprazole 20 mg daily"}],
        conditions=[{"text": "diarrhea"}],
        labs=labs,
    )
    # Review 21 A2: the drug and the condition are named together (before: the drug alone).
    assert shown_combinations(with_ppi) == [
        "combination/drug_and_condition_with_low_potassium_and_low_magnesium"
    ]


@pytest.mark.parametrize("text", ["exertional heat stroke", "heatstroke", "sunstroke"])
def test_heat_stroke_is_never_a_stroke(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.conditions[0].concept == "heat stroke"


def test_a_dose_changed_after_the_old_strength_is_the_new_dose(checker: Checker) -> None:
    report = checker.med("simvastatin 80 mg, dose reduced to 40 mg")
    assert shown_combinations(report) == []


def test_the_rhabdomyolysis_range_ck_gives_its_own_advice_only(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "exertional rhabdomyolysis"}], labs=[result("CPK", 25000, "U/L")]
    )
    ck = next(f for f in report.findings if f.id == "lab/ck/high")
    assert ck.monitoring[0].startswith("Creatinine, potassium, calcium and phosphate")
    assert not any("strenuous exercise" in line for line in ck.management)
    assert sum("creatinine" in line.lower() for line in ck.monitoring) == 1


def test_digoxin_with_a_diuretic_asks_for_no_magnesium_already_sent(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "digoxin 0.125 mg daily"}],
        labs=[result("magnesium", 2.0, "mg/dL")],
    )
    assert "Check: Potassium, and magnesium again after diuretic dose changes" in report.note


def test_inputs_the_checks_ask_for_are_read(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "theophylline 300 mg bid"}],
        conditions=[{"text": "laxative abuse"}],
        labs=[result("theophylline level", 24, "mcg/mL")],
    )
    assert report.labs[0].status == "recognized"
    assert "Could not check" not in report.note
    assert "anorexia" not in (report.conditions[0].concept or "")


@pytest.mark.parametrize(
    ("drug", "joins"),
    [
        ("phenytoin 300 mg daily", True),
        ("phenobarbital 60 mg bid", True),
        ("carbamazepine 400 mg bid", True),
        ("levetiracetam 500 mg bid", False),
    ],
)
def test_an_enzyme_inducing_antiepileptic_joins_a_low_calcium(
    checker: Checker, drug: str, joins: bool
) -> None:
    report = checker(medications=[{"text": drug}], labs=[result("calcium", 7.9, "mg/dL")])
    rule = "combination/enzyme_inducing_antiepileptic_with_low_calcium"
    assert (rule in shown_combinations(report)) is joins
    alone = checker.med(drug)
    assert alone.risk == "none"  # not a contributor on its own
