"""A low calcium's check does not ask for a magnesium or vitamin D the request carries
(pharmacist review 15 #7): the analyte's own check and the calcium rules' checks."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

LOW_CA = result("calcium", 7.9, "mg/dL")
MG = result("magnesium", 2.0, "mg/dL")
VIT_D = result("vitamin D", 35, "ng/mL")


@pytest.mark.parametrize(
    ("sent", "check"),
    [
        ([], "Repeat calcium with albumin (or ionized calcium), magnesium and vitamin D."),
        ([MG], "Repeat calcium with albumin (or ionized calcium) and vitamin D."),
        ([VIT_D], "Repeat calcium with albumin (or ionized calcium) and magnesium."),
        ([MG, VIT_D], "Repeat calcium with albumin (or ionized calcium)."),
    ],
)
def test_a_lone_low_calcium_asks_only_for_what_was_not_sent(
    checker: Checker, sent: list[dict[str, object]], check: str
) -> None:
    report = checker(labs=[LOW_CA, *sent])
    assert f"Check: {check}" in report.note


def test_a_drug_with_a_low_calcium_asks_only_for_what_was_not_sent(checker: Checker) -> None:
    report = checker(medications=[{"text": "cinacalcet 60 mg daily"}], labs=[LOW_CA, MG])
    assert "Check: Calcium (corrected or ionized) and vitamin D." in report.note
