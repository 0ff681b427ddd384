"""Interaction partners pharmacist review 10 found missing: grapefruit juice and
aprepitant with colchicine (COLCRYS lists both as moderate CYP3A4 inhibitors),
elbasvir/grazoprevir (Zepatier) with atorvastatin or rosuvastatin, and red yeast rice,
whose monacolin K is lovastatin (BfR 2020)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

COLCHICINE_MODERATE = "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor"


@pytest.mark.parametrize("partner", ["grapefruit juice daily", "aprepitant 80 mg daily"])
def test_colchicine_above_its_limit_with_grapefruit_or_aprepitant(
    checker: Checker, partner: str
) -> None:
    report = checker(medications=[{"text": "colchicine 0.6 mg bid"}, {"text": partner}])
    assert shown_combinations(report) == [COLCHICINE_MODERATE]
    # 0.6 mg a day: a low dose check (review31 D2); 0.3 mg a day: nothing.
    at_limit = checker(medications=[{"text": "colchicine 0.6 mg daily"}, {"text": partner}])
    assert shown_combinations(at_limit) == [
        "combination/colchicine_0_6_mg_with_moderate_cyp3a4_inhibitor"
    ]
    within = checker(medications=[{"text": "colchicine 0.3 mg daily"}, {"text": partner}])
    assert shown_combinations(within) == []


@pytest.mark.parametrize(
    ("statin", "partner", "rule"),
    [
        (
            "rosuvastatin 20 mg",
            "Zepatier 1 tab daily",
            "combination/rosuvastatin_above_10_mg_with_hepatitis_c_antiviral",
        ),
        (
            "atorvastatin 40 mg",
            "elbasvir-grazoprevir 50/100 mg daily",
            "combination/atorvastatin_above_20_mg_with_elbasvir_grazoprevir",
        ),
    ],
)
def test_zepatier_limits_atorvastatin_and_rosuvastatin(
    checker: Checker, statin: str, partner: str, rule: str
) -> None:
    report = checker(medications=[{"text": statin}, {"text": partner}])
    assert shown_combinations(report) == [rule]
    assert report.medications[1].concept == "elbasvir + grazoprevir"


def test_zepatier_with_atorvastatin_at_its_limit_is_no_problem(checker: Checker) -> None:
    report = checker(medications=[{"text": "atorvastatin 20 mg"}, {"text": "Zepatier"}])
    assert shown_combinations(report) == []


def test_red_yeast_rice_is_a_statin_with_lovastatins_partners(checker: Checker) -> None:
    alone = checker(medications=[{"text": "red yeast rice 1200 mg bid"}])
    assert alone.medications[0].status == "flagged"
    assert alone.medications[0].concept == "red yeast rice"
    with_statin = checker(
        medications=[{"text": "red yeast rice 1200 mg bid"}, {"text": "atorvastatin 20 mg"}]
    )
    assert shown_combinations(with_statin) == ["combination/duplicate_statins"]
    with_inhibitor = checker(
        medications=[{"text": "red yeast rice 600 mg"}, {"text": "clarithromycin 500 mg bid"}]
    )
    found = [f for f in with_inhibitor.findings if f.kind == "combination"]
    assert [(f.id, f.severity) for f in found] == [
        ("combination/red_yeast_rice_with_strong_cyp3a4_inhibitor_or_cyclosporine", "moderate")
    ]


def test_red_yeast_rice_milligrams_are_not_a_lovastatin_dose(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "red yeast rice 1200 mg bid"}, {"text": "amiodarone 200 mg"}]
    )
    assert shown_combinations(report) == []


@pytest.mark.parametrize("statin", ["simvastatin 40 mg", "lovastatin 20 mg", "fluvastatin 40 mg"])
def test_other_statins_with_zepatier_are_a_low_lowest_dose_caution(
    checker: Checker, statin: str
) -> None:
    report = checker(medications=[{"text": statin}, {"text": "Zepatier 1 tab daily"}])
    found = [(f.id, f.severity) for f in report.findings if f.kind == "combination"]
    assert found == [("combination/statin_with_elbasvir_grazoprevir", "low")]
