"""Request examples for the OpenAPI document (each one answers 200 as it stands)."""

from __future__ import annotations

from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
PATIENT_ID = "example-patient"
_SUBJECT = {"reference": f"Patient/{PATIENT_ID}"}


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": f"https://ehr.example.org/fhir/{r['resourceType']}/{r['id']}",
                "resource": r,
            }
            for r in resources
        ],
    }


PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": PATIENT_ID,
    "gender": "female",
    "birthDate": "1950-04-02",
}
HCTZ_REQUEST: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "mr-hctz",
    "status": "active",
    "intent": "order",
    "subject": _SUBJECT,
    "medicationCodeableConcept": {
        "coding": [{"system": RXNORM, "code": "316049", "display": "Hydrochlorothiazide 25 MG"}],
        "text": "Hydrochlorothiazide 25 MG",
    },
}
FUROSEMIDE_DRAFT: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "mr-furosemide-draft",
    "status": "draft",
    "intent": "order",
    "subject": _SUBJECT,
    "medicationCodeableConcept": {
        "coding": [{"system": RXNORM, "code": "315971", "display": "Lasix 40mg"}],
        "text": "Lasix 40mg",
    },
}
DIABETES: dict[str, Any] = {
    "resourceType": "Condition",
    "id": "cond-diabetes",
    "clinicalStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active",
            }
        ]
    },
    "verificationStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": "confirmed",
            }
        ]
    },
    "code": {"coding": [{"system": SNOMED, "code": "44054006", "display": "Diabetes"}]},
    "subject": _SUBJECT,
}
POTASSIUM: dict[str, Any] = {
    "resourceType": "Observation",
    "id": "obs-potassium",
    "status": "final",
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory",
                }
            ]
        }
    ],
    "code": {
        "coding": [
            {"system": LOINC, "code": "6298-4", "display": "Potassium [Moles/volume] in Blood"}
        ]
    },
    "subject": _SUBJECT,
    "effectiveDateTime": "2025-11-20T09:30:00Z",
    "valueQuantity": {"value": 3.1, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"},
}
PREFETCH: dict[str, Any] = {
    "patient": PATIENT,
    "medicationRequests": _bundle(HCTZ_REQUEST),
    "medicationStatements": None,
    "conditions": _bundle(DIABETES),
    "observations": _bundle(POTASSIUM),
}
_COMMON: dict[str, Any] = {
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "fhirServer": "https://ehr.example.org/fhir",
    "prefetch": PREFETCH,
}
PATIENT_VIEW: dict[str, Any] = {
    **_COMMON,
    "hook": "patient-view",
    "context": {"userId": "Practitioner/example", "patientId": PATIENT_ID},
}
_DRAFTS = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": FUROSEMIDE_DRAFT}],
}
ORDER_SELECT: dict[str, Any] = {
    **_COMMON,
    "hook": "order-select",
    "context": {
        "userId": "Practitioner/example",
        "patientId": PATIENT_ID,
        "selections": ["MedicationRequest/mr-furosemide-draft"],
        "draftOrders": _DRAFTS,
    },
}
ORDER_SIGN: dict[str, Any] = {
    **_COMMON,
    "hook": "order-sign",
    "context": {"userId": "Practitioner/example", "patientId": PATIENT_ID, "draftOrders": _DRAFTS},
}
MEDICATION_PRESCRIBE: dict[str, Any] = {
    **_COMMON,
    "hook": "medication-prescribe",
    "context": {"userId": "Practitioner/example", "patientId": PATIENT_ID, "medications": _DRAFTS},
}
FEEDBACK: dict[str, Any] = {
    "feedback": [
        {
            "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
            "outcome": "overridden",
            "overrideReason": {
                "reason": {
                    "code": "will-monitor",
                    "system": "urn:cramp-checker:cds-hooks:override-reason",
                    "display": "Will monitor electrolytes and symptoms",
                }
            },
            "outcomeTimestamp": "2026-01-20T10:12:00Z",
        }
    ]
}
FHIR_BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"fullUrl": f"urn:uuid:{PATIENT_ID}", "resource": PATIENT},
        {"resource": HCTZ_REQUEST},
        {"resource": DIABETES},
        {"resource": POTASSIUM},
    ],
}
BY_HOOK: dict[str, dict[str, Any]] = {
    "patient-view": PATIENT_VIEW,
    "order-select": ORDER_SELECT,
    "order-sign": ORDER_SIGN,
    "medication-prescribe": MEDICATION_PRESCRIBE,
}
