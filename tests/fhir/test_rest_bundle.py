"""`POST /v1/check/fhir`: a FHIR R4 Bundle in, the REST report out (plus where items came from)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
PATH = "/v1/check/fhir"


@pytest.fixture(scope="module")
def rest() -> Iterator[TestClient[Litestar]]:
    app = create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))
    with TestClient(app) as client:
        yield client


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def test_synthea_transaction_bundle(rest: TestClient[Litestar]) -> None:
    response = rest.post(PATH, json=load("synthea_transaction.json"))
    assert response.status_code == 200, response.text
    report = response.json()
    # The latest potassium is a preliminary 2.9 mmol/L (eight days after a final 3.2): used,
    # saying it is not final yet (round 31; before, it was left out and the risk moderate).
    assert report["risk"] == "high"
    potassium = report["sources"]["labs"][
        [lab["concept"] for lab in report["labs"]].index("potassium")
    ]
    assert potassium["reference"] == "Observation/o-k-prelim"
    assert "Not final yet (a preliminary result, used): potassium 2.9 mmol/L" in report["note"]
    assert report["knowledge_version"]
    flagged = {m["concept"] for m in report["medications"] if m["status"] == "flagged"}
    assert {"hydrochlorothiazide", "simvastatin"} <= flagged
    assert report["sources"]["medications"][0] == {
        "reference": "MedicationRequest/mr-hctz-25",
        "resource_type": "MedicationRequest",
        "display": "Hydrochlorothiazide 25 MG",
    }
    assert len(report["sources"]["medications"]) == len(report["medications"])
    assert len(report["sources"]["labs"]) == len(report["labs"])
    reasons = {i["reference"]: i["reason"] for i in report["ignored"]}
    assert reasons["MedicationRequest/mr-albuterol"] == "status stopped"
    assert reasons["Condition/c-other-patient"] == "belongs to another patient"
    assert "hydrochlorothiazide" in report["note"]


def test_the_server_data_bundle_needs_a_patient_choice(rest: TestClient[Litestar]) -> None:
    bundle = load("ehr_server_resources.json")
    response = rest.post(PATH, json=bundle)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == "/entry"
    chosen = rest.post(PATH, params={"patient": "cdsp-1001"}, json=bundle)
    assert chosen.status_code == 200
    refs = [s["reference"] for s in chosen.json()["sources"]["medications"]]
    assert "MedicationRequest/mr-furosemide" in refs and "MedicationRequest/mr-other" not in refs


def test_not_a_bundle_is_400_with_a_pointer(rest: TestClient[Litestar]) -> None:
    response = rest.post(PATH, json={"resourceType": "Patient", "id": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/resourceType"
    response = rest.post(PATH, json={"resourceType": "Bundle", "entry": [{"resource": 5}]})
    assert response.json()["errors"][0]["pointer"] == "/entry/0/resource"


def test_empty_bundle_is_an_empty_report(rest: TestClient[Litestar]) -> None:
    response = rest.post(PATH, json={"resourceType": "Bundle", "type": "collection"})
    assert response.status_code == 200
    assert response.json()["risk"] == "none"
