"""Simvastatin 80 mg a day on its own is a low problem of its own: the FDA (2011) keeps
the dose for patients who have taken it 12 months or more without muscle toxicity
(pharmacist review 10). Only a dose the text gives fires it."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

RULE = "combination/simvastatin_80_mg"


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("simvastatin 80 mg daily", True),
        ("Vytorin 10/80 mg daily", True),
        ("simvastatin 40 mg bid", True),
        ("simvastatin 40 mg daily", False),
        ("simvastatin", False),
    ],
)
def test_eighty_mg_alone_is_one_low_problem(checker: Checker, text: str, fires: bool) -> None:
    report = checker(medications=[{"text": text}])
    assert shown_combinations(report) == ([RULE] if fires else [])
    assert report.risk == "low"
    if fires:
        finding = next(f for f in report.findings if f.id == RULE)
        assert (finding.severity, finding.basis) == ("low", "single_contributor")
        assert "Also may contribute" not in report.note  # the drug's own line is joined


@pytest.mark.parametrize(
    ("other", "shown"),
    [
        (
            {"medications": [{"text": "amlodipine 10 mg"}]},
            "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine",
        ),
        (
            {"labs": [{"text": "CK", "value": 700, "unit": "U/L"}]},  # no sex: under 768
            "combination/statin_with_mildly_raised_ck",
        ),
    ],
)
def test_a_problem_that_speaks_for_the_simvastatin_leaves_it_out(
    checker: Checker, other: dict[str, list[dict[str, object]]], shown: str
) -> None:
    medications = [{"text": "simvastatin 80 mg daily"}, *other.get("medications", [])]
    report = checker(medications=medications, labs=other.get("labs", []))
    assert shown_combinations(report) == [shown]
