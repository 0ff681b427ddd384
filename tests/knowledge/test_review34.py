"""review34 D6: ``patient.pregnant: false`` outranks a pregnancy on the problem list, which
may be a past one. (D3, a normal phosphate outranking a coded hypophosphatemia, is in
tests/engine/test_outranking_per_concept.py: the outranking now marks the concept, not the
whole entry.)"""

from __future__ import annotations

from tests.conftest import Checker


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
