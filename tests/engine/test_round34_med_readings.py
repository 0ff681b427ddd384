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
