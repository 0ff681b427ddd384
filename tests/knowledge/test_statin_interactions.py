"""Statin interactions the labels limit, read from the shorthand clinicians write: each
rule fires above its label limit and says nothing at or below it."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import combinations


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("simva 40", "simvastatin"),
        ("atorva 80", "atorvastatin"),
        ("rosuva 20", "rosuvastatin"),
        ("prava 40", "pravastatin"),
        ("clarithro 500 bid", "clarithromycin"),
        ("gemfib 600 bid", "gemfibrozil"),
    ],
)
def test_clinician_shorthand_names_the_drug(checker: Checker, text: str, concept: str) -> None:
    report = checker.med(text)
    assert report.medications[0].concept == concept


def test_shorthand_reaches_the_dose_limit(checker: Checker) -> None:
    above = checker(medications=[{"text": "atorva 80"}, {"text": "clarithro 500 bid"}])
    assert combinations(above) == ["combination/atorvastatin_above_20_mg_with_interacting_drug"]
    assert above.risk == "moderate"
    at_limit = checker(medications=[{"text": "atorva 20"}, {"text": "clarithro 500 bid"}])
    assert combinations(at_limit) == []


def test_shorthand_does_not_take_a_look_alike_brand(checker: Checker) -> None:
    """Arava (leflunomide) is one letter from "prava" but starts with another letter."""
    assert checker.med("Arava 20 mg").medications[0].concept == "leflunomide"


@pytest.mark.parametrize("text", ["DMII", "DM II", "dm2"])
def test_type_2_diabetes_shorthand(checker: Checker, text: str) -> None:
    assert [f.id for f in checker.cond(text).findings] == ["condition/diabetes"]


FLUVASTATIN_LIMIT = "combination/fluvastatin_above_40_mg_with_cyclosporine_or_fluconazole"


@pytest.mark.parametrize(
    ("statin", "partner", "fired"),
    [
        ("Lescol XL 80 mg", "cyclosporine 100 mg bid", FLUVASTATIN_LIMIT),
        ("fluvastatin 20 mg bid", "cyclosporine 100 mg bid", None),
        ("Lescol XL 80", "fluconazole 200 mg daily", FLUVASTATIN_LIMIT),
        ("fluvastatin 40 mg bid", "Diflucan 150 mg", FLUVASTATIN_LIMIT),
        ("fluvastatin 40 mg daily", "fluconazole 200 mg daily", None),
        ("fluvastatin 80 mg", "gemfibrozil 600 mg bid", "combination/statin_with_gemfibrozil"),
        ("fluvastatin 20 mg", "gemfibrozil 600 mg bid", "combination/statin_with_gemfibrozil"),
    ],
)
def test_fluvastatin_label_limits(
    checker: Checker, statin: str, partner: str, fired: str | None
) -> None:
    """LESCOL: at most 20 mg twice daily with cyclosporine or fluconazole; avoid gemfibrozil."""
    report = checker(medications=[{"text": statin}, {"text": partner}])
    assert combinations(report) == ([fired] if fired else [])
    assert report.risk == ("moderate" if fired else "low")


@pytest.mark.parametrize(
    ("statin", "fired"),
    [
        ("simvastatin 40 mg", ["combination/simvastatin_above_20_mg_with_lomitapide"]),
        ("Zocor 20 mg", []),
        ("simvastatin 10 mg", []),
    ],
)
def test_lomitapide_limits_simvastatin_to_20_mg(
    checker: Checker, statin: str, fired: list[str]
) -> None:
    """ZOCOR: with lomitapide (HoFH) do not exceed 20 mg simvastatin daily."""
    report = checker(medications=[{"text": "Juxtapid 20 mg daily"}, {"text": statin}])
    assert report.medications[0].concept == "lomitapide"
    assert combinations(report) == fired


def test_lomitapide_alone_is_recognized_and_not_a_contributor(checker: Checker) -> None:
    report = checker.med("lomitapide 5 mg daily")
    assert report.medications[0].status == "recognized" and report.findings == []


RENAL_LIMIT = "combination/rosuvastatin_above_10_mg_in_severe_kidney_impairment"


def egfr(value: float) -> dict[str, object]:
    return {
        "coding": [{"system": "http://loinc.org", "code": "98979-8"}],
        "value": value,
        "unit": "mL/min/1.73m2",
    }


@pytest.mark.parametrize(
    ("statin", "conditions", "labs", "fired"),
    [
        ("rosuvastatin 40 mg", [], [egfr(22)], [RENAL_LIMIT]),
        ("Crestor 10 mg", [], [egfr(22)], []),
        ("rosuvastatin 20 mg", [], [egfr(45)], []),
        ("rosuva 20", [{"text": "CKD stage 4"}], [], [RENAL_LIMIT]),
        ("rosuvastatin 5 mg", [{"text": "CKD stage 4"}], [], []),
        ("rosuvastatin 20 mg", [{"text": "ESRD on hemodialysis"}], [], []),
    ],
)
def test_rosuvastatin_limit_in_severe_kidney_impairment(
    checker: Checker,
    statin: str,
    conditions: list[dict[str, object]],
    labs: list[dict[str, object]],
    fired: list[str],
) -> None:
    """CRESTOR: CLcr below 30 not on hemodialysis, at most 10 mg a day."""
    report = checker(medications=[{"text": statin}], conditions=conditions, labs=labs)
    assert combinations(report) == fired
    if fired:
        assert report.risk == "moderate"
