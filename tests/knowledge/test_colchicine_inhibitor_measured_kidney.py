"""Colchicine with a strong CYP3A4 or P-gp inhibitor is contraindicated in kidney
impairment (COLCRYS): a measured eGFR below 60 is that impairment, as a coded CKD stage 3
is (pharmacist review 13); high at any eGFR below 60, as the label sets no threshold
(pharmacist review 24 #2). An eGFR of 30-59 is never a finding of
its own and fills no rule that asks for an eGFR below 30."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

IN_IMPAIRMENT = (
    "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
)
WITHOUT = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
BOTH = [{"text": "colchicine 0.6 mg daily"}, {"text": "clarithromycin 500 mg bid"}]


def egfr(value: float) -> dict[str, object]:
    return result("eGFR", value, "mL/min/1.73m2")


# A label contraindication at any impairment: high (pharmacist review 24 #2).
@pytest.mark.parametrize(("value", "severity"), [(59, "high"), (45, "high"), (25, "high")])
def test_a_measured_egfr_below_60_is_kidney_impairment(
    checker: Checker, value: float, severity: str
) -> None:
    report = checker(medications=BOTH, labs=[egfr(value)])
    assert shown_combinations(report) == [IN_IMPAIRMENT]
    finding = next(f for f in report.findings if f.id == IN_IMPAIRMENT)
    assert finding.severity == severity
    assert report.labs[0].status == "flagged"


@pytest.mark.parametrize("value", [60, 75])
def test_an_egfr_of_60_or_more_leaves_the_interaction_alone(checker: Checker, value: float) -> None:
    report = checker(medications=BOTH, labs=[egfr(value)])
    assert shown_combinations(report) == [WITHOUT]
    assert report.labs[0].status == "recognized"


@pytest.mark.parametrize(
    "medications",
    [
        [],
        [{"text": "colchicine 0.6 mg daily"}],  # above 0.3 mg only matters below 30
        [{"text": "denosumab 60 mg every 6 months"}],  # advanced kidney disease is below 30
    ],
)
def test_an_egfr_of_30_to_59_is_no_finding_and_fills_no_below_30_rule(
    checker: Checker, medications: list[dict[str, str]]
) -> None:
    report = checker(medications=medications, labs=[egfr(45)])
    assert shown_combinations(report) == []
    assert not any(f.id.startswith("lab/egfr") for f in report.findings)
    assert report.labs[0].status == "recognized"
