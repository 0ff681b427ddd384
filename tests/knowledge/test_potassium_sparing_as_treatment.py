"""A potassium-sparing diuretic given to treat renal potassium loss (Gitelman or Bartter
syndrome, primary aldosteronism) is not advised to be reduced (review 21 A3); its check for
a high potassium stays (review 22 A1: with an ACE inhibitor, CKD or a supplement it is
still the risk)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

REDUCE = (
    "If cramps are troublesome, review whether the diuretic is still needed or the dose can be"
    " reduced"
)
HIGH_K = (
    "Potassium (risk is HIGH potassium, not low) and creatinine after starting and periodically"
)


@pytest.mark.parametrize(
    ("drug", "condition"),
    [
        ("amiloride 10 mg daily", "Gitelman syndrome"),
        ("spironolactone 100 mg daily", "Bartter syndrome"),
        ("spironolactone 100 mg daily", "primary aldosteronism"),
    ],
)
def test_the_treatment_is_not_advised_down(checker: Checker, drug: str, condition: str) -> None:
    report = checker(
        medications=[{"text": drug}],
        conditions=[{"text": condition}],
        labs=[result("potassium", 3.3, "mmol/L")],
    )
    lines = [line for f in report.findings for line in (*f.monitoring, *f.management)]
    assert REDUCE not in lines
    assert HIGH_K in lines


def test_without_such_a_condition_the_advice_stands(checker: Checker) -> None:
    report = checker(medications=[{"text": "amiloride 10 mg daily"}])
    finding = next(f for f in report.findings if f.id == "medication/amiloride")
    assert HIGH_K in finding.monitoring
    assert REDUCE in finding.management
