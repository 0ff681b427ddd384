"""Review 56f D4: an order hook whose new orders are in its context is answered from them
when none of the record can be had (CDS Hooks reserves 412 for data the service requires);
patient-view, and an order hook with no medication to check, still answer 412."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from service.cdshooks.respond import DATA_UNAVAILABLE
from tests.cdshooks.conftest import (
    MEDICATION_PRESCRIBE,
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    Client,
)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NOT_READ = (
    "medication orders, medication statements, problem list, lab results: not obtained from"
    " prefetch or from fhirServer; only the new orders were checked"
)


def draft(rid: str, code: str, display: str) -> dict[str, Any]:
    return {
        "fullUrl": f"http://ehr/fhir/MedicationRequest/{rid}",
        "resource": {
            "resourceType": "MedicationRequest",
            "id": rid,
            "status": "draft",
            "intent": "order",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {
                "coding": [{"system": RXNORM, "code": code, "display": display}]
            },
        },
    }


SIMVASTATIN = draft("d1", "198211", "Simvastatin 40 MG Oral Tablet")
CLARITHROMYCIN = draft("d2", "197517", "Clarithromycin 500 MG Oral Tablet")
ACETAMINOPHEN = draft("d3", "313782", "Acetaminophen 325 MG Oral Tablet")


def call(hook: str, entries: list[dict[str, Any]], prefetch: Any = None) -> dict[str, Any]:
    key = "medications" if hook == "medication-prescribe" else "draftOrders"
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/1",
            "patientId": "p1",
            key: {"resourceType": "Bundle", "type": "collection", "entry": entries},
        },
        "prefetch": {} if prefetch is None else prefetch,
    }
    if hook == "order-select":
        body["context"]["selections"] = [
            f"MedicationRequest/{e['resource']['id']}" for e in entries
        ]
    return body


def texts(response: Any) -> str:
    return " ".join(f"{c['summary']} {c.get('detail', '')}" for c in response.json()["cards"])


@pytest.mark.parametrize(
    ("path", "hook"), [(ORDER_SIGN, "order-sign"), (ORDER_SELECT, "order-select")]
)
def test_drafts_are_checked_when_the_record_cannot_be_read(
    cds: Client, path: str, hook: str
) -> None:
    response = cds.post(path, json=call(hook, [SIMVASTATIN, CLARITHROMYCIN]))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert any("contraindicated" in c["summary"] for c in cards)
    assert all(NOT_READ in c["detail"] for c in cards)
    # Each prefetch key null ("nothing found") gives the same cards, without the line.
    nulls = dict.fromkeys(
        ["patient", "medicationRequests", "medicationStatements", "conditions", "observations"]
    )
    found = cds.post(path, json=call(hook, [SIMVASTATIN, CLARITHROMYCIN], nulls)).json()
    assert [c["summary"] for c in found["cards"]] == [c["summary"] for c in cards]
    assert all(NOT_READ not in c["detail"] for c in found["cards"])


def test_medication_prescribe_too(cds: Client) -> None:
    response = cds.post(
        MEDICATION_PRESCRIBE, json=call("medication-prescribe", [SIMVASTATIN, CLARITHROMYCIN])
    )
    assert response.status_code == 200, response.text
    assert "clarithromycin" in texts(response).lower()


def test_no_finding_says_the_check_was_partial(cds: Client) -> None:
    response = cds.post(ORDER_SIGN, json=call("order-sign", [ACETAMINOPHEN]))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert len(cards) == 1 and cards[0]["indicator"] == "info"
    assert cards[0]["summary"] == "Leg cramp risk checked on incomplete data: no contributor found"
    assert NOT_READ in cards[0]["detail"]


def test_412_where_the_record_is_the_data(cds: Client) -> None:
    # patient-view: the record is what it checks.
    body = call("order-sign", [SIMVASTATIN])
    body["hook"] = "patient-view"
    del body["context"]["draftOrders"]
    response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    # An order hook with no medication among its new orders: nothing to check.
    empty = cds.post(ORDER_SIGN, json=call("order-sign", []))
    assert empty.status_code == 412
    service_request = {
        "resource": {"resourceType": "ServiceRequest", "id": "s1", "status": "draft"}
    }
    assert cds.post(ORDER_SIGN, json=call("order-sign", [service_request])).status_code == 412
