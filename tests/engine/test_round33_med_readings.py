"""Round 33 medication readings (review32 R7, R8, O6): "DC home dose" is the order to
discontinue the home dose; "was on" after the drug with no dose now is a past drug;
an expired prescription not refilled is not taken."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg - DC home dose",
        "Lasix 40 mg - DC home dose, start IV",
        "HCTZ - dc home med",
        "HCTZ - DC at home",
    ],
)
def test_dc_home_dose_is_discontinue_the_home_dose(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized", text
    assert status.reason == STOPPED


def test_dc_home_dose_of_a_statin_with_a_raised_ck_is_no_statin_finding(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "Simvastatin 40 mg - DC home dose"}],
        labs=[{"text": "CK", "value": 900, "unit": "U/L"}],
    )
    assert report.risk == "low"
    assert report.medications[0].status == "recognized"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Lasix 40 mg - dc home", "flagged"),
        ("HCTZ 25 mg; DC to home", "flagged"),
        ("Lasix 40 mg - DC", "recognized"),
        ("DC home lasix", "recognized"),
    ],
)
def test_dc_home_is_still_the_discharge(checker: Checker, text: str, status: str) -> None:
    assert checker.med(text).medications[0].status == status
