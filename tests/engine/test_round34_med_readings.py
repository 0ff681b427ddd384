"""Round 34 medication readings (review33 R1, R2, R3, O1)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

K_33 = {"text": "potassium", "value": 3.3, "unit": "mmol/L"}


@pytest.mark.parametrize(
    ("cause_entry", "own_entry"),
    [
        ("KCl 20 mEq for hypokalemia from HCTZ", "HCTZ 25 mg - stopped"),
        ("KCl 20 mEq for hypokalemia from HCTZ", "HCTZ 25 mg - held"),
        ("KCl 20 mEq for hypokalemia from HCTZ", "HCTZ 25 mg (not taking)"),
        ("Potassium chloride for lasix-induced hypokalemia", "Lasix - was on, stopped 2023"),
    ],
)
def test_a_cause_drug_whose_own_entry_says_stopped_is_not_current(
    checker: Checker, cause_entry: str, own_entry: str
) -> None:
    """review33 R1: the drug's own entry speaks for it, whatever its status."""
    report = checker(medications=[{"text": cause_entry}, {"text": own_entry}], labs=[K_33])
    assert report.risk == "low", (cause_entry, own_entry)
    assert report.medications[0].status != "flagged"
    assert report.medications[1].status != "flagged"


def test_a_cause_drug_with_its_own_current_entry_counts_once(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "KCl 20 mEq for hypokalemia from HCTZ"}, {"text": "HCTZ 25 mg"}],
        labs=[K_33],
    )
    assert report.risk == "moderate"
    assert report.medications[0].status != "flagged"
    assert report.medications[1].status == "flagged"


def test_a_lone_cause_drug_is_still_read_as_taken(checker: Checker) -> None:
    report = checker(medications=[{"text": "KCl 20 mEq for hypokalemia from HCTZ"}], labs=[K_33])
    assert report.risk == "moderate"


CK_900 = {"text": "CK", "value": 900, "unit": "U/L"}


@pytest.mark.parametrize(
    "text",
    [
        "Atorvastatin - was on 20 mg, now on 40 mg daily",
        "Atorvastatin - was on 20 mg, now taking 40 mg",
        "Atorvastatin - previously on 10 mg, currently on 40 mg",
        "Atorvastatin - was on 20 mg, now at 40 mg",
        "Atorvastatin - was on, now taking again",
        "Atorvastatin - was on, now back on 20 mg",
    ],
)
def test_a_past_dose_then_on_or_taking_the_dose_now_is_current(checker: Checker, text: str) -> None:
    """review33 R2: "now on / now taking / currently on 40 mg" is the dose taken now."""
    report = checker(medications=[{"text": text}], labs=[CK_900])
    assert report.risk == "moderate", text
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ - previously on, now on chlorthalidone",
        "HCTZ - was on, now taking chlorthalidone 25 mg",
        "Atorvastatin - was on, now on nothing",
        "Atorvastatin - was on, currently none",
    ],
)
def test_was_on_then_another_drug_or_none_is_still_a_past_drug(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}], labs=[CK_900])
    assert report.risk == "low", text


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg - on DC home med list",
        "Lasix 40 mg - per DC home medication list",
        "Lasix 40 mg - DC home meds reviewed",
        "Lasix 40 mg - DC home meds list: continue",
        "Lasix 40 mg - dc home meds: continue",
        "Lasix 40 mg - will dc home meds tomorrow",
    ],
)
def test_the_dc_home_med_list_is_the_discharge_list(checker: Checker, text: str) -> None:
    """review33 R3: "DC home meds" names the discharge medication list: current."""
    report = checker(
        medications=[{"text": text}], labs=[{"text": "potassium", "value": 3.2, "unit": "mmol/L"}]
    )
    assert report.risk == "moderate", text
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg - has not refilled but still has pills",
        "Hydrochlorothiazide 25 mg - not refilled, taking from old supply",
        "Hydrochlorothiazide 25 mg - not renewed by PCP; still taking",
        "Hydrochlorothiazide 25 mg - refilled today, was not refilled last month",
        "HCTZ 25 mg - did not refill until today",
        "HCTZ 25 mg - not refilled in March; refilled today",
    ],
)
def test_not_refilled_but_still_taken_is_current(checker: Checker, text: str) -> None:
    """review33 O1."""
    assert checker.med(text).medications[0].status == "flagged", text


@pytest.mark.parametrize(
    "text",
    [
        "HCTZ 25 mg - Rx expired 2022, not refilled",
        "HCTZ 25 mg - not refilled since 2022",
        "HCTZ 25 mg - never refilled after discharge",
    ],
)
def test_not_refilled_alone_is_still_not_taken(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].status == "recognized", text
