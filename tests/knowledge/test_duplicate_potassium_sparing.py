"""Spironolactone with eplerenone is duplicate therapy (two mineralocorticoid receptor
antagonists; spironolactone's label lists the pair as a contraindication, the hazard a high
potassium): one moderate problem. Other potassium-sparing pairs are not: spironolactone with
amiloride corrects the low potassium of Gitelman syndrome or primary aldosteronism
(review32 O1)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

RULE = "combination/duplicate_mineralocorticoid_antagonists"


def test_spironolactone_with_eplerenone_is_one_moderate_problem(checker: Checker) -> None:
    meds = [{"text": "spironolactone 25 mg daily"}, {"text": "eplerenone 25 mg daily"}]
    report = checker(medications=meds)
    assert [f.id for f in report.findings if f.severity == "moderate"] == [RULE]


@pytest.mark.parametrize(
    ("medications", "conditions"),
    [
        (["spironolactone 25 mg daily", "amiloride 5 mg daily"], ["Gitelman syndrome"]),
        (["spironolactone 25 mg daily", "amiloride 5 mg daily"], ["primary aldosteronism"]),
        (["Dyazide 37.5-25 mg daily", "amiloride 5 mg daily"], []),
        (["spironolactone 25 mg daily", "furosemide 40 mg daily"], []),
        (["Aldactazide 25-25 mg daily", "lisinopril 10 mg daily"], []),
    ],
)
def test_other_potassium_sparing_pairs_are_no_duplicate(
    checker: Checker, medications: list[str], conditions: list[str]
) -> None:
    report = checker(
        medications=[{"text": t} for t in medications],
        conditions=[{"text": t} for t in conditions],
    )
    assert all(f.id != RULE for f in report.findings)
    assert all(f.basis != "duplicate_therapy" for f in report.findings)
