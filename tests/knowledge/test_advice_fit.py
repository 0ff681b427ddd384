"""Advice that fits the patient: a diuretic's "encourage adequate fluid intake" is left out
when heart failure or dialysis is on the problem list (fluid intake is set for them; the
dialysis finding itself says not to advise extra fluid)."""

from __future__ import annotations

import pytest

from service.engine.models import Report
from tests.conftest import Checker

FLUID = "Encourage adequate fluid intake unless fluid-restricted"


def _advice(report: Report) -> list[str]:
    return [line for f in report.findings for line in f.management]


@pytest.mark.parametrize(
    "condition",
    ["heart failure, fluid restriction 1.5 L", "CHF", "ESRD on HD"],
)
def test_no_extra_fluid_advice_with_heart_failure_or_dialysis(
    checker: Checker, condition: str
) -> None:
    report = checker(
        medications=[{"text": "furosemide 20 mg daily"}], conditions=[{"text": condition}]
    )
    assert "medication/furosemide" in [f.id for f in report.findings]
    assert FLUID not in _advice(report)


def test_the_fluid_advice_stays_otherwise(checker: Checker) -> None:
    alone = checker(medications=[{"text": "furosemide 20 mg daily"}])
    assert FLUID in _advice(alone)
    denied = checker(
        medications=[{"text": "furosemide 20 mg daily"}],
        conditions=[{"text": "no heart failure"}],
    )
    assert FLUID in _advice(denied)


def test_a_thiazide_is_left_without_it_too(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "hydrochlorothiazide 25 mg daily"}],
        conditions=[{"text": "heart failure"}],
    )
    assert "Encourage adequate fluid intake" not in _advice(report)
