"""Two potassium-sparing diuretics are duplicate therapy (spironolactone's label lists use
with eplerenone as a contraindication; the risk is a high potassium): one moderate problem.
One of them with a loop or thiazide diuretic, or one in a combination product, is not."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

RULE = "combination/duplicate_potassium_sparing_diuretics"


@pytest.mark.parametrize(
    "medications",
    [
        ["spironolactone 25 mg daily", "eplerenone 25 mg daily"],
        ["Dyazide 37.5-25 mg daily", "amiloride 5 mg daily"],
    ],
)
def test_two_potassium_sparing_diuretics_are_one_moderate_problem(
    checker: Checker, medications: list[str]
) -> None:
    report = checker(medications=[{"text": t} for t in medications])
    assert [f.id for f in report.findings if f.severity == "moderate"] == [RULE]


@pytest.mark.parametrize(
    "medications",
    [
        ["spironolactone 25 mg daily", "furosemide 40 mg daily"],
        ["Dyazide 37.5-25 mg daily"],
        ["Aldactazide 25-25 mg daily", "lisinopril 10 mg daily"],
    ],
)
def test_one_potassium_sparing_diuretic_is_no_duplicate(
    checker: Checker, medications: list[str]
) -> None:
    report = checker(medications=[{"text": t} for t in medications])
    assert all(f.id != RULE for f in report.findings)
