"""Two potassium-sparing diuretics are duplicate therapy (the labels contraindicate the
pairs; the hazard a high potassium): one moderate problem. Not with a low potassium sent, nor
in Gitelman or Bartter syndrome or primary aldosteronism, where spironolactone with amiloride
corrects a renal potassium loss (review32 O1, review33 R5)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

RULE = "combination/duplicate_potassium_sparing_diuretics"
K = {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "unit": "mmol/L"}


@pytest.mark.parametrize(
    ("medications", "potassium"),
    [
        (["Spironolactone 25 mg", "Triamterene-HCTZ 37.5-25 mg"], 4.8),
        (["Dyazide 37.5-25 mg daily", "amiloride 5 mg daily"], None),
        (["spironolactone 25 mg", "amiloride 5 mg", "lisinopril 20 mg"], 6.1),
    ],
)
def test_two_potassium_sparing_diuretics_are_one_moderate_problem(
    checker: Checker, medications: list[str], potassium: float | None
) -> None:
    labs = [{**K, "value": potassium}] if potassium is not None else []
    report = checker(medications=[{"text": t} for t in medications], labs=labs)
    assert [f.id for f in report.findings if f.basis == "duplicate_therapy"] == [RULE]
    assert report.risk in ("moderate", "high")


@pytest.mark.parametrize(
    ("medications", "conditions", "potassium"),
    [
        (["spironolactone 25 mg daily", "amiloride 5 mg daily"], ["Gitelman syndrome"], None),
        (["spironolactone 25 mg daily", "amiloride 5 mg daily"], ["primary aldosteronism"], 3.0),
        (["spironolactone 25 mg daily", "amiloride 5 mg daily"], [], 3.2),
        (["spironolactone 25 mg daily", "furosemide 40 mg daily"], [], None),
        (["Aldactazide 25-25 mg daily", "lisinopril 10 mg daily"], [], None),
    ],
)
def test_no_duplicate_where_the_pair_treats_a_low_potassium(
    checker: Checker, medications: list[str], conditions: list[str], potassium: float | None
) -> None:
    labs = [{**K, "value": potassium}] if potassium is not None else []
    report = checker(
        medications=[{"text": t} for t in medications],
        conditions=[{"text": t} for t in conditions],
        labs=labs,
    )
    assert all(f.id != RULE for f in report.findings)


@pytest.mark.parametrize(
    ("conditions", "potassium"),
    [([], 3.1), (["primary aldosteronism"], 4.5), (["Gitelman syndrome"], 5.9)],
)
def test_spironolactone_with_eplerenone_has_no_exemption(
    checker: Checker, conditions: list[str], potassium: float
) -> None:
    """review35 R5: two mineralocorticoid antagonists have no role in Gitelman syndrome or
    aldosteronism; the spironolactone label contraindicates the pair outright."""
    meds = [{"text": "spironolactone 25 mg daily"}, {"text": "eplerenone 25 mg daily"}]
    report = checker(
        medications=meds,
        conditions=[{"text": t} for t in conditions],
        labs=[{**K, "value": potassium}],
    )
    duplicates = [f.id for f in report.findings if f.basis == "duplicate_therapy"]
    assert duplicates == ["combination/duplicate_mineralocorticoid_antagonists"]


def test_a_high_potassium_ends_the_condition_exemption(checker: Checker) -> None:
    """review35 R5: a high potassium in Gitelman syndrome is the duplicate's own hazard."""
    meds = [{"text": "spironolactone 25 mg daily"}, {"text": "amiloride 5 mg daily"}]
    report = checker(
        medications=meds,
        conditions=[{"text": "Gitelman syndrome"}],
        labs=[{**K, "value": 6.1}],
    )
    assert any(f.id == RULE for f in report.findings)
