"""Round 33 medication readings (review32 R7, R8, O6, R9): "DC home dose" is the order to
discontinue the home dose; "was on" after the drug with no dose now is a past drug;
an expired prescription not refilled is not taken; (R9) "DM2" beside myotonic
dystrophy with a diabetes treatment is diabetes."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg - DC home dose",
        "Lasix 40 mg - DC home dose, start IV",
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
        # The discharge medication list, not "discontinue" (review33 R3), but with nothing
        # after it the order to discontinue the home medication (review35 R4).
        ("HCTZ - dc home med list", "flagged"),
        ("HCTZ - dc home med", "recognized"),
        ("Lasix 40 mg - DC", "recognized"),
        ("DC home lasix", "recognized"),
    ],
)
def test_dc_home_is_still_the_discharge(checker: Checker, text: str, status: str) -> None:
    assert checker.med(text).medications[0].status == status


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg - was on, currently none",
        "Hydrochlorothiazide 25 mg, was on 2 years",
        "HCTZ 25 mg - was on, stopped 2022",
        "Lasix, was on 40 mg bid",
    ],
)
def test_was_on_after_the_drug_with_no_dose_now_is_a_past_drug(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized", text
    assert status.reason == STOPPED


def test_previously_on_then_now_another_drug_stops_the_first(checker: Checker) -> None:
    status = checker.med("Hydrochlorothiazide - previously on, now chlorthalidone").medications[0]
    assert status.status == "flagged"
    assert status.concept == "chlorthalidone"
    assert status.reason == f"hydrochlorothiazide: {STOPPED}"


@pytest.mark.parametrize(
    "text",
    [
        "atorvastatin 40 mg, previously on 20 mg",
        "atorvastatin 40mg, previously on 20mg",
        "atorvastatin previously on 20 mg, now 40 mg",
        "atorvastatin previously on 20mg now 40mg",
        "Simvastatin 40 mg - was on, increased to 80",
        "HCTZ 12.5 mg - was on 25 mg until 2022",
        "was on 20 mg, now furosemide 40 mg daily",
    ],
)
def test_a_past_dose_beside_the_dose_now_is_still_current(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "flagged", text
    assert status.reason is None


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg - Rx expired 2022, not refilled",
        "HCTZ 25 mg - Rx expired 3/2022, never refilled",
        "Lasix 40 mg, hasn't refilled since June",
    ],
)
def test_an_expired_prescription_not_refilled_is_not_taken(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized", text
    assert status.reason == STOPPED


@pytest.mark.parametrize(
    "text",
    [
        "furosemide 40 mg - Expired",
        "Hydrochlorothiazide 25 mg - Rx expired 2022",
        "HCTZ 25 mg - not refilled yet",
        "HCTZ 25 mg daily, do not refill",
    ],
)
def test_expired_alone_or_not_refilled_yet_stays_current(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].status == "flagged", text


@pytest.mark.parametrize(
    "text",
    [
        "Myotonic dystrophy; DM2 on metformin",
        "Myotonic dystrophy; DM2 on insulin",
        "Myotonic dystrophy DM2, A1c 7.2 on glipizide",
        "Myotonic dystrophy type 1; DM2 on insulin",
    ],
)
def test_dm2_with_a_diabetes_treatment_beside_myotonic_dystrophy_is_diabetes(
    checker: Checker, text: str
) -> None:
    """review32 R9."""
    status = checker.cond(text).conditions[0]
    assert status.status == "flagged", text
    assert status.concepts == ["myotonic dystrophy", "diabetes mellitus"]


@pytest.mark.parametrize(
    "text",
    [
        "Myotonic dystrophy; DM2",
        "Myotonic dystrophy type 2 (DM2)",
        "Myotonic dystrophy (DM2), insulin resistance",
        "myotonic dystrophy (DM1) on metformin",
    ],
)
def test_dm2_naming_the_type_of_myotonic_dystrophy_is_not_diabetes(
    checker: Checker, text: str
) -> None:
    status = checker.cond(text).conditions[0]
    assert status.status == "recognized", text
    assert status.concepts == ["myotonic dystrophy"]
