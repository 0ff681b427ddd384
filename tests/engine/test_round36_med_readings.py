"""Round 36 medication readings (review36 R1-R5)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

K_32 = {"text": "potassium", "value": 3.2, "unit": "mmol/L"}


def _status(checker: Checker, text: str) -> tuple[str, str]:
    report = checker(medications=[{"text": text}], labs=[K_32])
    return report.risk, report.medications[0].status


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg stopped; resumed exercise",
        "Lasix 40 mg stopped after AKI; back on dialysis",
        "Lasix 40 mg stopped; resumed PT",
        "Lasix 40 mg held for AKI; restarted CPAP",
        "Lasix 40 mg stopped; diet resumed",
        "Lasix 40 mg stopped, not yet restarted",
        "Lasix 40 mg stopped, hasn't been restarted",
        "Lasix 40 mg stopped, has not been resumed",
        "Lasix 40 mg stopped, not been restarted",
        "Lasix 40 mg stopped, not yet back on",
        "Lasix 40 mg stopped; restarted, then stopped again for AKI",
        "Lasix 40 mg stopped; restarted in hospital, then discontinued at discharge",
    ],
)
def test_a_restart_of_something_else_negated_or_stopped_again_leaves_the_drug_stopped(
    checker: Checker, text: str
) -> None:
    """review36 R2-R4: another noun after/before the restart phrase, a negation within
    three words before it, or a stop after it: the drug stays stopped."""
    assert _status(checker, text) == ("low", "recognized"), text


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg stopped; restarted",
        "Lasix 40 mg stopped; restarted 1/2025",
        "Lasix 40 mg stopped; restarted 20 mg daily",
        "Lasix 40 mg stopped; restarted at 20 mg",
        "Lasix 40 mg stopped; restarted lasix",
        "Lasix 40 mg held for AKI, resumed.",
    ],
)
def test_a_restart_of_the_drug_still_wins(checker: Checker, text: str) -> None:
    assert _status(checker, text) == ("moderate", "flagged"), text


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg daily - continue as DC home med",
        "Hydrochlorothiazide 25 mg daily - DC home meds - continue",
        "Hydrochlorothiazide 25 mg daily - DC home meds, continue",
        "Hydrochlorothiazide 25 mg daily - per DC home meds",
        "Hydrochlorothiazide 25 mg daily - DC home med summary",
        "Hydrochlorothiazide 25 mg daily - DC home med: yes",
        "Hydrochlorothiazide 25 mg daily - listed on DC home meds",
    ],
)
def test_dc_home_med_with_words_around_it_is_the_discharge_list(
    checker: Checker, text: str
) -> None:
    """review36 R1: only "DC home med(s)" ending the entry is the order to stop."""
    assert _status(checker, text) == ("moderate", "flagged"), text


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg daily - DC home med",
        "Hydrochlorothiazide 25 mg daily - DC home meds.",
        "Hydrochlorothiazide 25 mg daily - DC home medications",
    ],
)
def test_dc_home_med_ending_the_entry_is_a_stop(checker: Checker, text: str) -> None:
    assert _status(checker, text) == ("low", "recognized"), text


@pytest.mark.parametrize(
    "text",
    [
        "Hydrochlorothiazide 25 mg daily - not refilled but still has some pills",
        "Hydrochlorothiazide 25 mg daily - not refilled; still takes it",
        "Hydrochlorothiazide 25 mg daily - not refilled, taking leftover pills",
        "Hydrochlorothiazide 25 mg daily - not refilled last month; refilled this week",
        "Hydrochlorothiazide 25 mg daily - not refilled, refilled yesterday",
        "Hydrochlorothiazide 25 mg daily - did not refill until last week",
        "Hydrochlorothiazide 25 mg daily - did not refill until 11/20",
        "Hydrochlorothiazide 25 mg daily - not refilled, still using",
        "Hydrochlorothiazide 25 mg daily - not refilled, still uses it",
        "Hydrochlorothiazide 25 mg daily - not refilled, still has 2 weeks supply",
    ],
)
def test_not_refilled_taken_back_by_still_taking_wording(checker: Checker, text: str) -> None:
    """review36 R5."""
    assert _status(checker, text) == ("moderate", "flagged"), text
