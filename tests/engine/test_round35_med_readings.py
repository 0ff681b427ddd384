"""Round 35 medication readings (review35 R3, R4, R8)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

K_33 = {"text": "potassium", "value": 3.3, "unit": "mmol/L"}


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ 25 mg not refilled since last month",
        "HCTZ 25 mg not refilled until renal function rechecked",
        "HCTZ 25 mg not refilled until further notice",
        "HCTZ 25 mg not refilled, still off",
        "HCTZ 25 mg not refilled; still not taking",
        "HCTZ 25 mg not refilled but still off",
    ],
)
def test_not_refilled_with_still_off_or_until_later_is_not_taken(
    checker: Checker, text: str
) -> None:
    """review35 R3: a bare "still", "until" or "last month" does not take "not refilled"
    back."""
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.risk == "low", text
    assert report.medications[0].status == "recognized", text


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ 25 mg - has not refilled but still has pills",
        "HCTZ 25 mg not refilled, still has supply",
        "HCTZ 25 mg - not refilled, taking from old supply",
        "HCTZ 25 mg - not renewed by PCP; still taking",
        "HCTZ 25 mg - refilled today, was not refilled last month",
        "HCTZ 25 mg - did not refill until today",
        "HCTZ 25 mg - did not refill in time, missed 2 days",
    ],
)
def test_not_refilled_but_taken_stays_current(checker: Checker, text: str) -> None:
    """review33 O1, kept with the narrower phrases of review35 R3."""
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.risk == "moderate", text
    assert report.medications[0].status == "flagged", text


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ 25 mg daily - DC home med",
        "HCTZ 25 mg - DC home medication",
        "HCTZ 25 mg - DC home meds",
    ],
)
def test_dc_home_med_with_nothing_after_is_the_stop_order(checker: Checker, text: str) -> None:
    """review35 R4: the inpatient order to discontinue the home medication."""
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.risk == "low", text
    assert report.medications[0].status == "recognized", text


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ 25 mg on DC home med list",
        "HCTZ 25 mg per DC home medication list",
        "HCTZ 25 mg - DC home meds reviewed",
        "HCTZ 25 mg - DC home med rec",
    ],
)
def test_dc_home_med_list_stays_current(checker: Checker, text: str) -> None:
    """review33 R3: the discharge medication list."""
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.risk == "moderate", text
    assert report.medications[0].status == "flagged", text


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg\nstopped by patient, restarted 1/2025",
        "Lasix 40 mg daily\nstopped; restarted",
        "HCTZ 25 mg daily\nnot taking since 2023, restarted last week",
        "Lasix 40 mg\nheld, resumed",
        "Lasix 40 mg\nstopped then restarted",
        "Lasix 40 mg\nstopped by patient in 2023 due to dizziness, restarted 1/2025",
        "HCTZ 25 mg daily\nnot taking since 2023\nrestarted last week",
    ],
)
def test_restarted_after_a_stop_is_current(checker: Checker, text: str) -> None:
    """review35 R8: the later event wins, beyond four words, past ";" or a line break."""
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.risk == "moderate", text
    assert report.medications[0].status == "flagged", text


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg\nstopped by patient, not restarted",
        "Lasix 40 mg\nstopped by patient, wasn't restarted",
        "Lasix 40 mg\nheld for AKI, never resumed",
        "Lasix 40 mg\nheld for AKI, will be resumed",
        "Lasix 40 mg\nstopped by patient, to be resumed after discharge",
        "Lasix 40 mg\nrestarted, then stopped",
        "Lasix 40 mg stopped; KCl restarted",
        "Lasix 40 mg stopped\nKCl 20 mEq restarted",
    ],
)
def test_a_stop_not_taken_back_stays_stopped(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}], labs=[K_33])
    assert report.medications[0].status == "recognized", text


def test_a_cause_drug_restarted_on_its_own_entry_keeps_the_alert(checker: Checker) -> None:
    """review35 R8 (r35-R8-cd9)."""
    report = checker(
        medications=[
            {"text": "KCl for Lasix-induced hypokalemia"},
            {"text": "Lasix 40 mg\nstopped by patient, restarted 1/2025"},
        ],
        labs=[K_33],
    )
    assert report.risk == "moderate"
    assert report.medications[1].status == "flagged"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("No HCTZ", "recognized"),
        ("no lasix", "recognized"),
        ("Lasix 40 mg, no KCl", "flagged"),
        ("HCTZ 25 mg daily, no more than 1 a day", "flagged"),
    ],
)
def test_a_medication_entry_opening_with_no_is_not_taken(
    checker: Checker, text: str, status: str
) -> None:
    """review35 (pre-existing): "No HCTZ" as a medication entry was read as HCTZ taken."""
    report = checker(medications=[{"text": text}])
    assert report.medications[0].status == status
