"""Statins with hepatitis C antivirals (glecaprevir/pibrentasvir with simvastatin or
lovastatin) and with strong CYP3A inhibitors named by their own labels (idelalisib,
tucatinib); one finding per statin problem where the rules overlap."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import combinations

GLECAPREVIR = "combination/simvastatin_or_lovastatin_with_glecaprevir"
STRONG = "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor"
GEMFIBROZIL = "combination/simvastatin_with_gemfibrozil_cyclosporine_or_danazol"


@pytest.mark.parametrize(
    ("statin", "antiviral"),
    [
        ("simvastatin 40 mg daily", "Mavyret 3 tablets daily"),
        ("Zocor 20 mg", "glecaprevir/pibrentasvir 300/120 mg daily"),
        ("lovastatin 40 mg daily", "Mavyret 3 tabs"),
    ],
)
def test_simvastatin_or_lovastatin_with_mavyret(
    checker: Checker, statin: str, antiviral: str
) -> None:
    """Any dose: the Maviret label advises against the pair (a moderate interaction)."""
    report = checker(medications=[{"text": statin}, {"text": antiviral}])
    assert combinations(report) == [GLECAPREVIR]
    assert report.risk == "moderate"


def test_pravastatin_with_mavyret_is_not_this_finding(checker: Checker) -> None:
    report = checker(medications=[{"text": "pravastatin 40 mg"}, {"text": "Mavyret 3 tabs"}])
    assert GLECAPREVIR not in combinations(report)


@pytest.mark.parametrize(
    ("medications", "fired"),
    [
        # a contraindicated partner already says to stop simvastatin: one finding
        (["simvastatin 40 mg", "Mavyret 3 tabs", "clarithromycin 500 mg bid"], STRONG),
        (["simvastatin 40 mg", "Mavyret 3 tabs", "gemfibrozil 600 mg bid"], GEMFIBROZIL),
        # the pair to avoid leaves out the dose limits of the other partner
        (["simvastatin 40 mg", "Mavyret 3 tabs", "verapamil 240 mg daily"], GLECAPREVIR),
        (["simvastatin 40 mg", "Mavyret 3 tabs", "amlodipine 10 mg daily"], GLECAPREVIR),
        (["lovastatin 80 mg", "Mavyret 3 tabs", "amiodarone 200 mg daily"], GLECAPREVIR),
        (["lovastatin 40 mg", "Mavyret 3 tabs", "diltiazem 240 mg daily"], GLECAPREVIR),
    ],
)
def test_one_finding_per_simvastatin_or_lovastatin_problem(
    checker: Checker, medications: list[str], fired: str
) -> None:
    report = checker(medications=[{"text": text} for text in medications])
    assert combinations(report) == [fired]


# Kidney function not sent: the high rule (review31 D1).
COLCHICINE = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_kidney_function_unknown"


@pytest.mark.parametrize("inhibitor", ["Zydelig 150 mg bid", "idelalisib", "Tukysa 300 mg bid"])
@pytest.mark.parametrize("statin", ["simvastatin 20 mg daily", "lovastatin 20 mg daily"])
def test_idelalisib_and_tucatinib_are_strong_cyp3a_inhibitors(
    checker: Checker, statin: str, inhibitor: str
) -> None:
    """Their own labels name them strong CYP3A inhibitors: the statin labels' contraindication."""
    report = checker(medications=[{"text": statin}, {"text": inhibitor}])
    assert combinations(report) == [STRONG]
    assert report.risk == "high"


@pytest.mark.parametrize("inhibitor", ["Zydelig 150 mg bid", "tucatinib 300 mg twice daily"])
def test_idelalisib_and_tucatinib_raise_colchicine(checker: Checker, inhibitor: str) -> None:
    report = checker(medications=[{"text": "colchicine 0.6 mg daily"}, {"text": inhibitor}])
    assert combinations(report) == [COLCHICINE]
    assert report.risk == "high"


def test_mavyret_and_a_strong_inhibitor_are_one_simvastatin_finding(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "simvastatin 20 mg"},
            {"text": "Mavyret"},
            {"text": "Zydelig 150 mg bid"},
        ]
    )
    assert combinations(report) == [STRONG]


LEDIPASVIR_OR_VOXILAPREVIR = "combination/rosuvastatin_with_ledipasvir_or_voxilaprevir"


def test_vosevi_is_recognized_with_its_three_ingredients(checker: Checker) -> None:
    report = checker.med("Vosevi 1 tablet daily")
    assert report.medications[0].status == "recognized"
    assert report.medications[0].concepts == ["sofosbuvir", "velpatasvir", "voxilaprevir"]
    assert report.findings == []


@pytest.mark.parametrize(
    "rosuvastatin", ["rosuvastatin 5 mg daily", "Crestor 20 mg", "rosuvastatin"]
)
@pytest.mark.parametrize("antiviral", ["Harvoni 1 tab daily", "Vosevi 1 tablet daily"])
def test_rosuvastatin_with_harvoni_or_vosevi_at_any_dose(
    checker: Checker, rosuvastatin: str, antiviral: str
) -> None:
    report = checker(medications=[{"text": rosuvastatin}, {"text": antiviral}])
    assert combinations(report) == [LEDIPASVIR_OR_VOXILAPREVIR]
    assert report.risk == "moderate"


@pytest.mark.parametrize(
    "partners",
    [
        ["Vosevi"],  # velpatasvir's 10 mg limit (Epclusa) is left out
        ["Harvoni", "cyclosporine 100 mg bid"],
        ["Harvoni", "Kaletra 2 tabs bid", "Uloric 40 mg"],
        ["Vosevi", "Nubeqa 600 mg bid"],
    ],
)
def test_the_pair_to_avoid_speaks_for_the_rosuvastatin_dose_limits(
    checker: Checker, partners: list[str]
) -> None:
    report = checker(medications=[{"text": "rosuvastatin 40 mg"}] + [{"text": p} for p in partners])
    assert combinations(report) == [LEDIPASVIR_OR_VOXILAPREVIR]


def test_other_statins_with_harvoni_are_not_this_finding(checker: Checker) -> None:
    for statin in ("pravastatin 40 mg", "atorvastatin 40 mg"):
        report = checker(medications=[{"text": statin}, {"text": "Harvoni"}])
        assert combinations(report) == []
