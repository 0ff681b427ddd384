"""SIMCOR (niacin ER/simvastatin) and ADVICOR (niacin ER/lovastatin), withdrawn from the US
market in 2016 (Federal Register 81 FR 22608) and still found in old medication
histories: read as their ingredients, so the statin's contraindicated pairs are found."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

PAIR = "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor"


@pytest.mark.parametrize(
    ("brand", "statin"),
    [("Simcor 500/20 mg qhs", "simvastatin"), ("Advicor 1000/20", "lovastatin")],
)
def test_the_brand_is_read_as_niacin_and_its_statin(
    checker: Checker, brand: str, statin: str
) -> None:
    status = checker.med(brand).medications[0]
    assert status.status == "flagged"
    assert set(status.concepts) == {"niacin", statin}


@pytest.mark.parametrize(
    ("brand", "inhibitor"),
    [
        ("Simcor 500/20 mg qhs", "clarithromycin 500 mg bid"),
        ("Advicor 1000/20", "itraconazole 200 mg daily"),
    ],
)
def test_the_statin_of_the_brand_is_contraindicated_with_a_strong_cyp3a4_inhibitor(
    checker: Checker, brand: str, inhibitor: str
) -> None:
    report = checker(medications=[{"text": brand}, {"text": inhibitor}])
    finding = next(f for f in report.findings if f.id == PAIR)
    assert finding.severity == "high"
    assert {(i.list, i.index) for i in finding.inputs} == {("medications", 0), ("medications", 1)}
