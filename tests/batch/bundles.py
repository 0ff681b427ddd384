"""Small FHIR R4 Bundles for the folder-input tests."""

from __future__ import annotations

from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"


def bundle(patient_id: str, *resources: dict[str, Any]) -> dict[str, Any]:
    patient = {
        "resourceType": "Patient",
        "id": patient_id,
        "gender": "female",
        "birthDate": "1950-03-01",
    }
    subject = {"reference": f"Patient/{patient_id}"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{patient_id}", "resource": patient},
            *({"resource": {**r, "subject": subject}} for r in resources),
        ],
    }


def medication(text: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {"text": text},
    }


def condition(code: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": ICD10, "code": code}]},
    }


def potassium(value: float, when: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "2823-3"}]},
        "valueQuantity": {"value": value, "unit": "mmol/L"},
        "effectiveDateTime": when,
    }
