"""FHIR resources for tests, written as EHRs send them."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

PATH = "/v1/check/fhir"


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


def check(client: TestClient[Litestar], *resources: dict[str, Any]) -> dict[str, Any]:
    """The report of ``POST /v1/check/fhir`` on a Bundle of ``resources``."""
    entries = [{"resource": r} for r in resources]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    response = client.post(PATH, json=bundle)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def finding_ids(report: dict[str, Any]) -> set[str]:
    return {f["id"] for f in report["findings"]}


def reasons(report: dict[str, Any]) -> dict[str, str]:
    """Each resource left out, with the reason."""
    return {i["reference"]: i["reason"] for i in report["ignored"]}
