"""Review56: mifepristone at a Cushing syndrome dose with simvastatin or lovastatin (D1),
topical and eye brands of CYP3A4 inhibitors (D2), pitavastatin in kidney impairment (D4),
niacin-statin fixed combinations (D6) and the Viekira/Technivie products (D7)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker

MIFE = "combination/simvastatin_or_lovastatin_with_mifepristone_cushing_dose"
STRONG = "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor"
PITA = "combination/pitavastatin_above_2_mg_in_kidney_impairment"
NIACIN = "combination/statin_with_lipid_modifying_niacin"


def _ids(checker: Checker, meds: list[str], **body: Any) -> dict[str, str]:
    report = checker(medications=[{"text": m} for m in meds], **body)
    return {f.id: f.severity for f in report.findings}


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        (["simvastatin 20 mg", "Korlym 300 mg daily"], "high"),
        (["lovastatin 20 mg", "Korlym 300 mg daily"], "high"),
        (["Zocor 20 mg", "Korlym 600 mg"], "high"),
        (["Korlym", "simvastatin 20 mg"], "high"),  # the brand alone is the daily regimen
        (["simvastatin 10 mg", "mifepristone 900 mg daily"], "high"),
        (["simvastatin 20 mg", "Mifeprex 200 mg"], None),  # one dose ends a pregnancy
        (["simvastatin 20 mg", "mifepristone"], None),  # may be that single dose
        (["simvastatin 20 mg", "mifepristone 600 mg once"], None),
        (["atorvastatin 20 mg", "Korlym"], None),  # the label names simvastatin, lovastatin
    ],
)
def test_mifepristone_with_simvastatin_or_lovastatin(
    checker: Checker, meds: list[str], expected: str | None
) -> None:
    assert _ids(checker, meds).get(MIFE) == expected


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        (["simvastatin 40 mg", "Xolegel"], None),
        (["lovastatin 20 mg", "Extina"], None),
        (["simvastatin 20 mg", "Ketodan"], None),
        (["simvastatin 20 mg", "Ilotycin"], None),
        (["simvastatin 20 mg", "Nizoral 200 mg daily"], "high"),  # the oral tablets
        (["simvastatin 20 mg", "Viekira Pak"], "high"),
        (["simvastatin 20 mg", "Viekira XR"], "high"),
        (["lovastatin 20 mg", "Technivie"], "high"),
    ],
)
def test_strong_inhibitor_brands(checker: Checker, meds: list[str], expected: str | None) -> None:
    assert _ids(checker, meds).get(STRONG) == expected


@pytest.mark.parametrize(
    ("med", "body", "expected"),
    [
        (
            "pitavastatin 4 mg",
            {"labs": [{"text": "egfr", "value": 40, "unit": "mL/min/1.73m2"}]},
            "moderate",
        ),
        (
            "Zypitamag 4 mg",
            {"labs": [{"text": "egfr", "value": 25, "unit": "mL/min/1.73m2"}]},
            "moderate",
        ),
        ("Livalo 4 mg", {"conditions": [{"text": "ESRD on hemodialysis"}]}, "moderate"),
        ("pitavastatin 4 mg", {"conditions": [{"text": "CKD stage 4"}]}, "moderate"),
        (
            "pitavastatin 2 mg",
            {"labs": [{"text": "egfr", "value": 40, "unit": "mL/min/1.73m2"}]},
            None,
        ),
        (
            "pitavastatin 4 mg",
            {"labs": [{"text": "egfr", "value": 70, "unit": "mL/min/1.73m2"}]},
            None,
        ),
        ("pitavastatin 4 mg", {"conditions": [{"text": "CKD stage 2"}]}, None),
    ],
)
def test_pitavastatin_kidney_limit(
    checker: Checker, med: str, body: dict[str, Any], expected: str | None
) -> None:
    assert _ids(checker, [med], **body).get(PITA) == expected


@pytest.mark.parametrize(
    ("meds", "fires"),
    [
        (["Simcor 1000/40"], True),
        (["Advicor 1000/20"], True),
        (["Simcor 500/20"], False),  # 500 mg of niacin a day
        (["Vytorin 10/40"], False),
        (["simvastatin 20 mg"], False),
        (["Niaspan 1000 mg", "simvastatin 20 mg"], True),
    ],
)
def test_niacin_statin_products(checker: Checker, meds: list[str], fires: bool) -> None:
    assert (NIACIN in _ids(checker, meds)) is fires
