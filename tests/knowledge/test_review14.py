"""Pharmacist review 14: advice that fits a long-term interacting drug."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("statin", "inhibitor", "rule"),
    [
        (
            "atorvastatin 80 mg daily",
            "darunavir/cobicistat 800/150 mg daily",
            "combination/atorvastatin_above_20_mg_with_interacting_drug",
        ),
        (
            "simvastatin 40 mg daily",
            "ritonavir 100 mg daily",
            "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor",
        ),
    ],
)
def test_a_boosted_hiv_regimen_is_not_a_course_to_wait_out(
    checker: Checker, statin: str, inhibitor: str, rule: str
) -> None:
    report = checker(medications=[{"text": statin}, {"text": inhibitor}])
    finding = next(f for f in report.findings if f.id == rule)
    advice = " ".join(finding.management)
    assert "during the course" not in advice
    assert "long-term" in advice


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("tacrolimus level 8.1", "tacrolimus"),
        ("tacrolimus trough goal 8-10", "tacrolimus"),
        ("creatine kinase", "creatine"),
    ],
)
def test_a_level_or_lab_on_the_medication_list_is_not_an_order(
    checker: Checker, text: str, concept: str
) -> None:
    """Review 15 #3: a drug level beside the drug is no duplicate therapy."""
    report = checker(medications=[{"text": "tacrolimus 2 mg bid"}, {"text": text}])
    status = report.medications[1]
    assert (status.status, status.concept) == ("recognized", concept)
    assert (
        status.reason == "a drug level or lab test written on the medication list, not a drug taken"
    )
    assert not [f for f in report.findings if "duplicate" in f.id]


@pytest.mark.parametrize("regimen", ["Genvoya", "Stribild", "Evotaz", "cobicistat 150 mg daily"])
def test_atorvastatin_above_20_mg_with_any_cobicistat_regimen(
    checker: Checker, regimen: str
) -> None:
    """Review 15 #5: before, only darunavir/cobicistat products were read as boosting."""
    report = checker(medications=[{"text": "atorvastatin 80 mg daily"}, {"text": regimen}])
    rule = "combination/atorvastatin_above_20_mg_with_interacting_drug"
    assert rule in [f.id for f in report.findings]
    low = checker(medications=[{"text": "atorvastatin 20 mg daily"}, {"text": regimen}])
    assert rule not in [f.id for f in low.findings]
