"""A corticosteroid strength without a schedule beside a diuretic (review24 item 8).

"prednisone 5 mg" on a reconciled list may be a daily replacement dose, which does not add
to a diuretic's potassium loss (``adds_up_above_mg``), or one tablet of a taper, which
does. Read neither way, the diuretic + corticosteroid problem is a `low` dose to check
that says so, not a `moderate` additive loss.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

RULE = "combination/diuretic_plus_corticosteroid"
FUROSEMIDE = {"text": "furosemide 40 mg daily"}


@pytest.mark.parametrize(
    "text", ["prednisone 5 mg", "prednisone 5 mg tablet", "prednisolone 5 mg PO"]
)
def test_a_replacement_strength_without_a_schedule_is_a_dose_to_check(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}, FUROSEMIDE])
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "low"
    assert finding.title.startswith(
        "Diuretic plus systemic corticosteroid: corticosteroid dose to check"
    )
    assert "(no schedule given); it adds to this risk above 5 mg a day." in finding.detail
    assert report.risk == "low"


@pytest.mark.parametrize(
    "text",
    [
        "prednisone 20 mg",
        "prednisone 10 mg daily",
        "prednisone 40 mg taper",
        # A taper of 5 mg tablets starts above replacement (review25 item 8).
        "prednisone 5 mg taper",
        "prednisone 5 mg tablets, taper as directed",
    ],
)
def test_a_strength_above_replacement_is_the_additive_loss(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}, FUROSEMIDE])
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "moderate"
    assert "no schedule given" not in finding.detail


def test_a_replacement_dose_with_its_schedule_adds_nothing(checker: Checker) -> None:
    report = checker(medications=[{"text": "prednisone 5 mg daily"}, FUROSEMIDE])
    assert RULE not in {f.id for f in report.findings}


def test_a_low_potassium_is_still_its_own_problem_whatever_the_dose(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "prednisone 5 mg"}, FUROSEMIDE],
        labs=[result("potassium", 3.1, "mmol/L")],
    )
    measured = next(
        f
        for f in report.findings
        if f.id == "combination/potassium_lowering_drug_with_low_potassium"
    )
    assert measured.severity == "moderate"
    assert report.risk == "moderate"
