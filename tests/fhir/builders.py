"""FHIR resources for tests, written as EHRs send them."""

from __future__ import annotations

from typing import Any


def order(rid: str, patient_id: str, **medication: Any) -> dict[str, Any]:
    """An active MedicationRequest; ``medication``: `medicationCodeableConcept=...` or
    `medicationReference=...`."""
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        **medication,
    }
