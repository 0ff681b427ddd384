"""Oncology drugs, pyridostigmine, myositis ossificans, prostate cancer and drugs that can
lower sodium, as the engine renders them: a contributor is flagged only for what its label
says, a recognized drug is never flagged, and one low sodium is one problem."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations, sodium

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
OSSIFICANS = "myositis ossificans (heterotopic ossification of muscle)"
MYOSITIS = "inflammatory myopathy (polymyositis or dermatomyositis)"
PROSTATE = "prostate cancer (neoplasm of prostate)"


def test_lenvatinib_with_low_calcium_is_one_problem(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Lenvima 24 mg daily"}],
        labs=[{"coding": [{"system": LOINC, "code": "17861-6"}], "value": 7.6, "unit": "mg/dL"}],
    )
    assert shown_combinations(report) == ["combination/calcium_lowering_drug_with_low_calcium"]
    assert report.medications[0].concept == "lenvatinib"


@pytest.mark.parametrize("text", ["neratinib 240 mg daily", "Nerlynx 6 tablets daily"])
def test_neratinib_is_a_cramp_contributor(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}])
    assert [f.id for f in report.findings] == ["medication/neratinib"]


@pytest.mark.parametrize(
    "text",
    [
        "pomalidomide 4 mg days 1-21",
        "Iclusig 45 mg daily",
        "sunitinib 50 mg daily",
        "Verzenio 150 mg BID",
        "apalutamide 240 mg daily",
        "Onureg 300 mg daily",
    ],
)
def test_oncology_drugs_without_a_label_figure_are_recognized_only(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}])
    assert report.medications[0].status == "recognized"
    assert report.findings == []


def test_pyridostigmine_by_mouth_is_flagged_and_an_injection_is_not(checker: Checker) -> None:
    report = checker(medications=[{"text": "Mestinon 60 mg QID"}, {"text": "Regonol 10 mg IV"}])
    assert [s.status for s in report.medications] == ["flagged", "recognized"]


@pytest.mark.parametrize(
    ("item", "concept"),
    [
        ({"text": "myositis ossificans"}, OSSIFICANS),
        ({"text": "fibrodysplasia ossificans progressiva"}, OSSIFICANS),
        ({"coding": [{"system": ICD, "code": "M61.00"}]}, OSSIFICANS),
        ({"text": "polymyositis"}, MYOSITIS),
        ({"text": "Neoplasm of prostate"}, PROSTATE),
        ({"coding": [{"system": ICD, "code": "C61"}]}, PROSTATE),
    ],
)
def test_conditions_read_as_their_own_concept(
    checker: Checker, item: dict[str, object], concept: str
) -> None:
    report = checker(conditions=[item])
    assert report.conditions[0].status == "recognized"
    assert report.conditions[0].concepts == [concept]  # the concept's name


def test_a_drug_that_can_lower_sodium_is_not_flagged_with_a_normalsodium(
    checker: Checker,
) -> None:
    report = checker(medications=[{"text": "sertraline 50 mg daily"}], labs=[sodium(139)])
    assert report.findings == []


@pytest.mark.parametrize(
    ("meds", "shown"),
    [
        (["sertraline 50 mg daily"], ["combination/sodium_lowering_drug_with_low_sodium"]),
        (
            ["oxcarbazepine 600 mg BID", "escitalopram 10 mg daily"],
            ["combination/sodium_lowering_drug_with_low_sodium"],
        ),
        (["chlorthalidone 25 mg daily"], ["combination/thiazide_with_low_sodium"]),
        (
            ["sertraline 50 mg daily", "hydrochlorothiazide 25 mg daily"],
            ["combination/thiazide_and_sodium_lowering_drug_with_low_sodium"],
        ),
    ],
)
def test_a_low_sodium_joins_the_drugs_that_can_lower_it_once(
    checker: Checker, meds: list[str], shown: list[str]
) -> None:
    report = checker(medications=[{"text": t} for t in meds], labs=[sodium(129)])
    assert shown_combinations(report) == shown
    assert all(s.status == "flagged" for s in report.medications)
