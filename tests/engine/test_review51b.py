"""review51 D4-D8: repeated advice, the TSH 10 boundary, pregnancy against sex and age, and
the reason a drug that takes part only in rules is not flagged alone."""

from __future__ import annotations

from typing import Any

import pytest

from service.engine import CheckRequest, Knowledge, check
from service.engine.matches import DrugHit
from service.engine.models import MedicationInput
from service.engine.note import NOTE_BUDGET
from service.knowledge.catalogue import render_catalogue
from service.knowledge.schema import LabBand
from tests.conftest import Checker

TSH = {"coding": [{"system": "http://loinc.org", "code": "3016-3"}], "unit": "mIU/L"}


def _ids(report: Any) -> dict[str, str]:
    return {f.id: f.severity for f in report.findings}


# D4: one line per check -------------------------------------------------------------------


def test_colchicine_dose_in_kidney_impairment_is_asked_once(checker: Checker) -> None:
    """Atorvastatin + colchicine 0.6 mg BID + eGFR 25: both findings stand, and the note
    gave the 0.3 mg starting dose twice in other words."""
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}, {"text": "colchicine 0.6 mg BID"}],
        labs=[
            {
                "coding": [{"system": "http://loinc.org", "code": "98979-8"}],
                "value": 25,
                "unit": "mL/min/1.73m2",
            }
        ],
    )
    ids = _ids(report)
    assert ids["combination/statin_with_colchicine_in_kidney_disease"] == "moderate"
    assert ids["combination/colchicine_above_0_6_mg_in_severe_kidney_impairment"] == "moderate"
    assert report.note.lower().count("0.3 mg a day to start") == 1
    assert len(report.note) <= NOTE_BUDGET


def test_daptomycin_ck_check_is_asked_once(checker: Checker) -> None:
    """Daptomycin + simvastatin + CK 2,500 (male): the two daptomycin rules each asked for
    a weekly CK in their own words; the label's one sentence is now their shared text."""
    report = checker(
        patient={"sex": "male"},
        medications=[{"text": "daptomycin 6 mg/kg IV"}, {"text": "simvastatin 40 mg"}],
        labs=[{"text": "CK", "value": 2500, "unit": "U/L"}],
    )
    ids = _ids(report)
    assert ids["combination/daptomycin_with_raised_ck"] == "high"
    assert ids["combination/statin_with_daptomycin"] == "moderate"
    assert report.note.count("CK at least weekly during daptomycin") == 1
    assert "more often while it is raised or with a statin" in report.note


def test_the_two_daptomycin_rules_share_their_ck_text(knowledge: Knowledge) -> None:
    rules = {r.id: r for r in knowledge.kb.rules}
    assert (
        rules["statin_with_daptomycin"].monitoring[0]
        == rules["daptomycin_with_raised_ck"].monitoring[0]
    )


# D5: a TSH of 10 or more -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tsh", "severity"), [(9.9, "low"), (10.0, "moderate"), (10.5, "moderate")]
)
def test_a_tsh_of_10_or_more_beside_a_statin_is_moderate(
    checker: Checker, tsh: float, severity: str
) -> None:
    report = checker(medications=[{"text": "atorvastatin 20 mg"}], labs=[{**TSH, "value": tsh}])
    assert _ids(report)["combination/statin_with_hypothyroidism"] == severity
    assert report.risk == severity


def test_the_markedly_high_tsh_band_is_inclusive_and_no_other_band_moved(
    knowledge: Knowledge,
) -> None:
    kb = knowledge.kb
    inclusive = [(a.id, b.name) for a in kb.analytes.values() for b in a.bands if b.inclusive]
    assert inclusive == [("tsh", "markedly_high")]
    band: LabBand = next(b for b in kb.analytes["tsh"].bands if b.name == "markedly_high")
    assert band.above == 10.0 and band.max_age_years is None
    assert "(likely or undertreated hypothyroidism): >= 10.0 mIU/L" in render_catalogue(kb)


# D7: a pregnancy that contradicts sex or age ----------------------------------------------


@pytest.mark.parametrize(
    ("patient", "why"),
    [
        ({"sex": "male", "pregnant": True, "age": 40}, "the patient's sex is male"),
        ({"sex": "female", "pregnant": True, "age": 5}, "the patient's age is 5 years"),
        ({"sex": "female", "pregnant": True, "age": 75}, "the patient's age is 75 years"),
    ],
)
def test_an_impossible_pregnancy_is_not_read_and_the_note_says_why(
    checker: Checker, patient: dict[str, Any], why: str
) -> None:
    report = checker(patient=patient, labs=[{**TSH, "value": 4.2}])
    assert "condition/pregnancy" not in _ids(report)
    # The pregnancy TSH limit (4.0) is not applied either: 4.2 is within the adult range.
    assert report.risk == "none"
    assert "Could not check: patient.pregnant (not read: " + why in report.note


@pytest.mark.parametrize("age", [10, 30, 60])
def test_a_pregnancy_within_10_to_60_years_is_read(checker: Checker, age: int) -> None:
    report = checker(
        patient={"sex": "female", "pregnant": True, "age": age}, labs=[{**TSH, "value": 4.2}]
    )
    assert {"condition/pregnancy", "lab/tsh/high"} <= set(_ids(report))
    assert "patient.pregnant" not in report.note


def test_only_the_field_is_left_out_not_a_pregnancy_condition(checker: Checker) -> None:
    """The field alone is the entry error read here; a pregnancy on the problem list is
    read as before (the FHIR path's own age limits apply to FHIR Conditions)."""
    report = checker(
        patient={"sex": "female", "pregnant": True, "age": 64},
        conditions=[{"text": "pregnancy"}],
    )
    assert "condition/pregnancy" in _ids(report)
    assert report.conditions[0].status == "flagged"
    assert "patient.pregnant (not read" in report.note


# D8: why a drug that takes part only in rules is not flagged alone ------------------------


def test_daptomycin_alone_says_why_it_is_not_flagged(checker: Checker) -> None:
    status = checker.med("daptomycin 500 mg IV q24h").medications[0]
    assert status.status == "recognized"
    assert status.reason is not None
    assert status.reason.startswith("Not flagged alone; flagged only in a combination: ")
    assert "Statin with daptomycin" in status.reason
    assert "Daptomycin with a raised CK" in status.reason


def test_an_entry_reason_is_kept_over_the_rules(checker: Checker) -> None:
    status = checker.med("zidovudine").medications[0]
    assert status.reason is not None and "boxed warning" in status.reason


def test_every_drug_that_takes_part_in_a_rule_says_why_alone(knowledge: Knowledge) -> None:
    """Each recognized, unflagged drug alone that fills a rule's slot has a reason."""
    missing = []
    for drug_id, drug in knowledge.kb.drugs.items():
        if not knowledge.drugs_at_route[DrugHit(drug_id, None)].targets:
            continue
        request = CheckRequest(medications=[MedicationInput(text=drug.name)])
        status = check(request, knowledge).medications[0]
        recognized = status.status == "recognized" and status.concepts == [drug.name]
        if recognized and not status.reason:
            missing.append(drug_id)
    assert not missing
