"""A preliminary lab result (review28 R2, O2): used only when no result of the same analyte
read as final is sent, and never to clear a coded diagnosis (docs/clinical-policy.md)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker

HCTZ = {"text": "hydrochlorothiazide 25 mg daily"}
K = {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "unit": "mmol/L"}
K_COMBINATION = "combination/potassium_lowering_drug_with_low_potassium"


def _k(value: float, status: str | None = None) -> dict[str, Any]:
    return {**K, "value": value, **({"status": status} if status else {})}


def test_a_corrected_result_supersedes_a_preliminary_critical_one(checker: Checker) -> None:
    report = checker(medications=[HCTZ], labs=[_k(2.6, "preliminary"), _k(3.9, "corrected")])
    assert report.risk == "low"
    assert report.labs[0].status == "recognized"
    assert "a final result of the same test was sent" in (report.labs[0].reason or "")


def test_a_final_result_of_another_analyte_does_not_supersede(checker: Checker) -> None:
    magnesium = {"text": "magnesium", "value": 2.0, "unit": "mg/dL", "status": "final"}
    report = checker(medications=[HCTZ], labs=[_k(2.6, "P"), magnesium])
    assert report.risk == "high"
    assert report.labs[0].status == "flagged"


def test_a_preliminary_low_result_still_shows_a_coded_diagnosis(checker: Checker) -> None:
    coded = {"coding": [{"system": "icd10cm", "code": "E87.6"}]}
    report = checker(medications=[HCTZ], conditions=[coded], labs=[_k(2.9, "preliminary")])
    assert report.risk in ("moderate", "high")
    assert any(f.id == K_COMBINATION for f in report.findings)


def test_a_preliminary_normal_result_does_not_clear_a_coded_diagnosis(checker: Checker) -> None:
    coded = {"coding": [{"system": "icd10cm", "code": "E87.6"}]}
    report = checker(medications=[HCTZ], conditions=[coded], labs=[_k(4.0, "preliminary")])
    assert report.risk == "moderate"
    assert report.conditions[0].status == "flagged"
    final = checker(medications=[HCTZ], conditions=[coded], labs=[_k(4.0, "final")])
    assert final.conditions[0].status == "recognized"


def test_a_final_result_of_another_loinc_code_does_not_supersede(checker: Checker) -> None:
    """review29 R5: a final whole-blood potassium (6298-4) says nothing of the serum
    potassium (2823-3) still pending."""
    blood = {"coding": [{"system": "http://loinc.org", "code": "6298-4"}], "unit": "mmol/L"}
    report = checker(medications=[HCTZ], labs=[_k(2.9, "preliminary"), {**blood, "value": 4.0}])
    assert report.risk == "high"
    assert report.labs[0].status == "flagged"
    assert "Not final yet" in report.note


def test_an_uncoded_final_result_of_the_analyte_supersedes(checker: Checker) -> None:
    named = {"text": "Potassium", "value": 4.0, "unit": "mmol/L"}
    report = checker(medications=[HCTZ], labs=[_k(2.9, "preliminary"), named])
    assert report.risk == "low"
    assert "a final result of the same test was sent" in (report.labs[0].reason or "")
