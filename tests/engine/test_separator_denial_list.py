"""A denial written after a problem and a separator negates what it is written before, not
the next problem of the list after a comma ("CKD 4 - no dialysis, hypocalcemia": the
hypocalcemia is current; review42 G4), while a bare "no X, Y" still negates the list."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "findings"),
    [
        (
            "CKD 4 - no dialysis, hypocalcemia",
            ["condition/ckd_stage_4_5", "condition/hypocalcemia"],
        ),
        ("Cirrhosis: no varices, hypokalemia", ["condition/cirrhosis", "condition/hypokalemia"]),
        ("Hypertension - no meds, hypokalemia on HCTZ", ["condition/hypokalemia"]),
        ("Neuropathy: denies pain, diabetes", ["condition/diabetes"]),
        # What the denial is written before is still denied.
        ("Diabetes: no neuropathy", ["condition/diabetes"]),
        ("CKD 4 - no dialysis", ["condition/ckd_stage_4_5"]),
    ],
)
def test_the_next_problem_after_a_comma_is_current(
    checker: Checker, text: str, findings: list[str]
) -> None:
    got = sorted(f.id for f in checker.cond(text).findings if f.absorbed_by is None)
    assert got == findings, text


@pytest.mark.parametrize(
    "text", ["no proteinuria, hypokalemia", "Negative for: hypokalemia, hypomagnesemia"]
)
def test_a_bare_denial_still_negates_its_list(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none", text
    assert report.conditions[0].status == "recognized"
