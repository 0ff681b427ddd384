"""Rosuvastatin's further label limits (CRESTOR: darolutamide 5 mg; regorafenib,
teriflunomide, capmatinib and the hepatitis C antivirals 10 mg; fostamatinib and febuxostat
20 mg), and one finding per statin problem when several of its partners are taken."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import combinations

DAROLUTAMIDE = "combination/rosuvastatin_above_5_mg_with_darolutamide"
TEN_MG = "combination/rosuvastatin_above_10_mg_with_regorafenib_teriflunomide_or_capmatinib"
HCV = "combination/rosuvastatin_above_10_mg_with_hepatitis_c_antiviral"
TWENTY_MG = "combination/rosuvastatin_above_20_mg_with_fostamatinib_or_febuxostat"
CYCLOSPORINE = "combination/rosuvastatin_above_5_mg_with_cyclosporine"
BOOSTED_PI = "combination/rosuvastatin_above_10_mg_with_boosted_protease_inhibitor"


@pytest.mark.parametrize(
    ("above", "at_limit", "partner", "fired"),
    [
        ("rosuvastatin 10 mg daily", "rosuvastatin 5 mg daily", "Nubeqa 600 mg bid", DAROLUTAMIDE),
        ("Crestor 20 mg", "rosuvastatin 10 mg", "Stivarga 160 mg daily", TEN_MG),
        ("rosuvastatin 20 mg", "rosuvastatin 10 mg", "Aubagio 14 mg daily", TEN_MG),
        ("rosuvastatin 40 mg", "Crestor 10 mg", "capmatinib 400 mg bid", TEN_MG),
        ("rosuvastatin 20 mg daily", "rosuvastatin 10 mg", "Epclusa 1 tab daily", HCV),
        ("rosuvastatin 20 mg", "rosuvastatin 5 mg", "Mavyret 3 tablets daily", HCV),
        ("rosuvastatin 40 mg", "rosuvastatin 20 mg", "Uloric 40 mg daily", TWENTY_MG),
        ("rosuvastatin 40 mg", "rosuvastatin 20 mg", "Tavalisse 100 mg bid", TWENTY_MG),
    ],
)
def test_rosuvastatin_label_limits(
    checker: Checker, above: str, at_limit: str, partner: str, fired: str
) -> None:
    """Above the CRESTOR limit the pair is a moderate finding; at the limit, none."""
    report = checker(medications=[{"text": above}, {"text": partner}])
    assert combinations(report) == [fired]
    assert report.risk == "moderate"
    report = checker(medications=[{"text": at_limit}, {"text": partner}])
    assert combinations(report) == []
    assert report.risk == "low"


def test_fostamatinib_is_recognized_by_its_brand(checker: Checker) -> None:
    report = checker.med("Tavalisse 150 mg twice daily")
    assert report.medications[0].concept == "fostamatinib"
    assert report.findings == []


def test_an_unread_rosuvastatin_dose_is_a_low_finding(checker: Checker) -> None:
    report = checker(medications=[{"text": "rosuvastatin"}, {"text": "Epclusa"}])
    assert combinations(report) == [HCV]
    assert report.risk == "low"


@pytest.mark.parametrize(
    ("medications", "fired"),
    [
        # the strictest limit speaks for the rosuvastatin dose, once
        (["rosuvastatin 20 mg", "Nubeqa 600 mg bid", "Epclusa", "Uloric 40 mg"], DAROLUTAMIDE),
        (["rosuvastatin 20 mg", "cyclosporine 100 mg bid", "Kaletra 2 tabs bid"], CYCLOSPORINE),
        (["rosuvastatin 40 mg", "Stivarga 160 mg", "Uloric 40 mg"], TEN_MG),
        # atorvastatin: the pair to avoid leaves out the dose limit, a contraindication both
        (
            ["atorvastatin 40 mg", "Mavyret 3 tabs daily", "clarithromycin 500 mg bid"],
            "combination/atorvastatin_with_tipranavir_or_glecaprevir",
        ),
        (
            ["atorvastatin 40 mg", "posaconazole 300 mg daily", "Mavyret 3 tabs daily"],
            "combination/atorvastatin_with_posaconazole",
        ),
        (
            ["atorvastatin 80 mg", "clarithromycin 500 mg bid", "nelfinavir 1250 mg bid"],
            "combination/atorvastatin_above_20_mg_with_interacting_drug",
        ),
        (
            ["atorvastatin 40 mg", "Kaletra 2 tabs bid", "clarithromycin 500 mg bid"],
            "combination/atorvastatin_above_20_mg_with_interacting_drug",
        ),
    ],
)
def test_one_finding_per_statin_problem(
    checker: Checker, medications: list[str], fired: str
) -> None:
    report = checker(medications=[{"text": text} for text in medications])
    assert combinations(report) == [fired]


def test_a_boosted_protease_inhibitor_and_mavyret_are_one_rosuvastatin_finding(
    checker: Checker,
) -> None:
    alone = checker(medications=[{"text": "rosuvastatin 20 mg"}, {"text": "Mavyret 3 tabs"}])
    assert combinations(alone) == [HCV]
    both = checker(
        medications=[
            {"text": "rosuvastatin 20 mg"},
            {"text": "Kaletra 2 tabs bid"},
            {"text": "Mavyret 3 tabs"},
        ]
    )
    assert combinations(both) == [BOOSTED_PI]
