"""Small CDS Hooks requests built from a few words: drug texts, LOINC results, conditions.

Used by tests that need a particular chart (and by `bench/card_detail.py`); the request goes
through the real app like any EHR's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PATIENT_ID = "rec-1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# (LOINC code, display) of the results these tests use.
ANALYTES: dict[str, tuple[str, str]] = {
    "potassium": ("2823-3", "Potassium [Moles/volume] in Serum or Plasma"),
    "magnesium": ("19123-9", "Magnesium [Mass/volume] in Serum or Plasma"),
    "tsh": ("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"),
    "calcium": ("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
    "egfr": ("98979-8", "Glomerular filtration rate/1.73 sq M.predicted by CKD-EPI 2021"),
    "sodium": ("2951-2", "Sodium [Moles/volume] in Serum or Plasma"),
    "glucose": ("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
    "ck": ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma"),
    "phosphate": ("2777-1", "Phosphate [Mass/volume] in Serum or Plasma"),
    "vitamin_d": ("62292-8", "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma"),
}
Lab = tuple[str, float, str]  # analyte, value, UCUM unit


def _bundle(resources: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not resources:
        return None
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }


def _medication(index: int, text: str, *, draft: bool = False) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest" if draft else "MedicationStatement",
        "id": f"draft-{index}" if draft else f"ms-{index}",
        "status": "draft" if draft else "active",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {"text": text},
    }
    if draft:
        resource["intent"] = "order"
    return resource


def _condition(index: int, text: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"cond-{index}",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {"text": text},
    }


def _observation(index: int, lab: Lab) -> dict[str, Any]:
    analyte, value, unit = lab
    code, display = ANALYTES[analyte]
    return {
        "resourceType": "Observation",
        "id": f"obs-{index}",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "effectiveDateTime": "2026-11-02T09:30:00Z",
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def chart(
    medications: Sequence[str] = (),
    labs: Sequence[Lab] = (),
    conditions: Sequence[str] = (),
    *,
    drafts: Sequence[str] = (),
    birth_date: str = "1955-03-14",
    gender: str = "female",
    hook: str = "patient-view",
) -> dict[str, Any]:
    """A CDS Hooks request with everything in prefetch; `drafts` are new orders (order hooks)."""
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": "0f5c1e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b",
        "context": {"userId": "Practitioner/example", "patientId": PATIENT_ID},
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "id": PATIENT_ID,
                "gender": gender,
                "birthDate": birth_date,
            },
            "medicationRequests": None,
            "medicationStatements": _bundle([_medication(i, t) for i, t in enumerate(medications)]),
            "conditions": _bundle([_condition(i, t) for i, t in enumerate(conditions)]),
            "observations": _bundle([_observation(i, lab) for i, lab in enumerate(labs)]),
        },
    }
    if hook != "patient-view":
        body["context"]["draftOrders"] = _bundle(
            [_medication(i, t, draft=True) for i, t in enumerate(drafts)]
        )
    return body


def elderly_chart() -> dict[str, Any]:
    """An 83-year-old's 14 drugs, three conditions, low potassium and magnesium."""
    return chart(
        [
            "furosemide 40 mg daily",
            "hydrochlorothiazide 25 mg daily",
            "lisinopril 20 mg daily",
            "atorvastatin 40 mg daily",
            "omeprazole 20 mg daily",
            "metformin 1000 mg twice daily",
            "prednisone 10 mg daily",
            "albuterol inhaler as needed",
            "gabapentin 300 mg three times daily",
            "donepezil 10 mg nightly",
            "amlodipine 10 mg daily",
            "levothyroxine 75 mcg daily",
            "sertraline 50 mg daily",
            "digoxin 0.125 mg daily",
        ],
        [("potassium", 3.2, "mmol/L"), ("magnesium", 1.5, "mg/dL")],
        ["type 2 diabetes mellitus", "chronic kidney disease stage 3", "hypothyroidism"],
        birth_date="1943-02-10",
    )
