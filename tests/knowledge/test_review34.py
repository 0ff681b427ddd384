"""review34: a coded hypophosphatemia is outranked by a current normal phosphate, as the
other deficits are (D3); ``patient.pregnant: false`` outranks a pregnancy on the problem
list, which may be a past one (D6)."""

from __future__ import annotations

from tests.conftest import Checker

E83_39 = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E83.39"}]}
PHOSPHATE = {"coding": [{"system": "http://loinc.org", "code": "2777-1"}], "unit": "mg/dL"}


def test_a_normal_phosphate_outranks_a_coded_hypophosphatemia(checker: Checker) -> None:
    report = checker(conditions=[E83_39], labs=[{**PHOSPHATE, "value": 3.5}])
    assert report.risk == "none"
    assert report.conditions[0].status == "recognized"
    assert "phosphate" in (report.conditions[0].reason or "")


def test_a_low_phosphate_keeps_a_coded_hypophosphatemia(checker: Checker) -> None:
    report = checker(conditions=[E83_39], labs=[{**PHOSPHATE, "value": 1.8}])
    assert report.conditions[0].status == "flagged"


def test_patient_not_pregnant_outranks_a_pregnancy_on_the_list(checker: Checker) -> None:
    not_pregnant = {"age": 30, "sex": "female", "pregnant": False}
    report = checker(patient=not_pregnant, conditions=[{"text": "pregnancy"}])
    assert report.risk == "none"
    assert report.conditions[0].status == "recognized"
    assert report.conditions[0].reason == (
        "patient.pregnant is false: a pregnancy on record is not current"
    )
    pregnant = checker(
        patient={**not_pregnant, "pregnant": True}, conditions=[{"text": "pregnancy"}]
    )
    assert pregnant.risk == "low"
