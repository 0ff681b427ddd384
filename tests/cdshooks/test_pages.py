"""Paginated prefetch and searches: `next` links on the fhirServer origin are followed
within the page, request and byte budgets; cards say when data was cut short."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from service.settings import FhirSettings
from tests.cdshooks.conftest import PATIENT_ID, PATIENT_VIEW, Client, only_server
from tests.cdshooks.fhir_server import TOKEN, FhirServer, serve
from tests.fhir import builders

pytestmark = pytest.mark.slow

Body = Callable[[str], dict[str, Any]]
MakeClient = Callable[[FhirSettings], Client]


def order(rid: str, text: str) -> dict[str, Any]:
    return builders.order(rid, PATIENT_ID, medicationCodeableConcept={"text": text})


METFORMIN = order("page1-metformin", "metformin 500 mg twice daily")
FUROSEMIDE = order("page2-furosemide", "furosemide 40 mg daily")
PATIENT = {
    "resourceType": "Patient",
    "id": PATIENT_ID,
    "gender": "female",
    "birthDate": "1950-01-01",
}


@pytest.fixture
def two_pages() -> Iterator[FhirServer]:
    """A FHIR server that pages medication orders one per page: furosemide on page 2."""
    with serve(FhirServer([PATIENT, METFORMIN, FUROSEMIDE], page_size=1)) as server:
        yield server


def first_page(server: FhirServer) -> dict[str, Any]:
    """Page 1 of the medication orders, as the EHR would prefetch it."""
    response = httpx.get(
        f"{server.base}/MedicationRequest",
        params={"patient": PATIENT_ID, "status": "active,on-hold", "_count": "100"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    page: dict[str, Any] = response.json()
    assert [e["resource"]["id"] for e in page["entry"]] == ["page1-metformin"]
    assert page["link"][0]["relation"] == "next"
    server.requests.clear()
    return page


def paged_call(server: FhirServer, *, fhir_server: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "5b8e3c1a-page-4d2f-9e7b-a1c2d3e4f5a6",
        "context": {"patientId": PATIENT_ID},
        "prefetch": {
            "patient": PATIENT,
            "medicationRequests": first_page(server),
            "medicationStatements": None,
            "conditions": None,
            "observations": None,
        },
    }
    if fhir_server:
        body["fhirServer"] = server.base
        body["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer"}
    return body


def summaries(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["summary"] for card in response.json()["cards"]]


def test_prefetch_next_pages_are_read_from_the_fhir_server(
    cds: Client, two_pages: FhirServer
) -> None:
    response = cds.post(PATIENT_VIEW, json=paged_call(two_pages))
    assert any("furosemide" in s.lower() for s in summaries(response))
    # Only page 2 was fetched (page 1 was prefetched), with the token, on the same origin.
    assert len(two_pages.requests) == 1
    path, token = two_pages.requests[0]
    assert "_offset=1" in path and token == f"Bearer {TOKEN}"
    assert all("Not all of the patient's data" not in c["detail"] for c in response.json()["cards"])


def test_prefetch_pages_without_a_fhir_server_are_said_to_be_missing(
    cds: Client, two_pages: FhirServer
) -> None:
    response = cds.post(PATIENT_VIEW, json=paged_call(two_pages, fhir_server=False))
    cards = response.json()["cards"]
    # Page 1 (metformin) gives no contributor: the one card says what was not read.
    assert [c["summary"] for c in cards] == [
        "Leg cramp risk checked on incomplete data: no contributor found"
    ]
    assert "medication orders: more pages, and no fhirServer" in cards[0]["detail"]
    assert cards[0]["indicator"] == "info"


def test_next_links_off_the_fhir_server_origin_are_not_followed(
    cds: Client, two_pages: FhirServer
) -> None:
    body = paged_call(two_pages)
    page = body["prefetch"]["medicationRequests"]
    page["link"][0]["url"] = page["link"][0]["url"].replace("127.0.0.1", "localhost")
    response = cds.post(PATIENT_VIEW, json=body)
    assert two_pages.requests == []
    detail = response.json()["cards"][0]["detail"]
    assert "medication orders: a next page not on the fhirServer origin" in detail


def test_searched_pages_are_followed(cds: Client, two_pages: FhirServer) -> None:
    body = only_server(
        {"hook": "patient-view", "hookInstance": "x-1", "context": {"patientId": PATIENT_ID}},
        two_pages,
    )
    response = cds.post(PATIENT_VIEW, json=body)
    assert any("furosemide" in s.lower() for s in summaries(response))
    pages = [p for p in two_pages.paths() if "/MedicationRequest?" in p]
    assert len(pages) == 2 and "_offset=1" in pages[1]


def test_the_byte_budget_cuts_pages_short(client_with: MakeClient) -> None:
    statin = order("page3-statin", "simvastatin 40 mg")
    with serve(FhirServer([PATIENT, METFORMIN, FUROSEMIDE, statin], page_size=1)) as server:
        body = paged_call(server)
        page_size = len(
            httpx.get(
                body["prefetch"]["medicationRequests"]["link"][0]["url"],
                headers={"Authorization": f"Bearer {TOKEN}"},
            ).content
        )
        server.requests.clear()
        client = client_with(
            FhirSettings(
                lab_max_age_days=0, allowed_hosts="127.0.0.1:*", max_fetch_bytes=page_size + 100
            )
        )
        response = client.post(PATIENT_VIEW, json=body)
    # Page 2 fits the budget, page 3 does not: furosemide is read, simvastatin is not,
    # and the card says so.
    found = summaries(response)
    assert any("furosemide" in s.lower() for s in found)
    assert not any("simvastatin" in s.lower() for s in found)
    detail = response.json()["cards"][0]["detail"]
    assert f"medication orders: more than {page_size + 100} bytes of FHIR JSON" in detail
