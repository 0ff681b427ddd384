"""The fetch path: `fhirServer` + bearer token, against a FHIR server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from service.cdshooks.respond import DATA_UNAVAILABLE
from service.settings import FhirSettings
from tests.cdshooks.conftest import (
    ORDER_SIGN,
    PATIENT_ID,
    PATIENT_VIEW,
    Client,
    only_server,
)
from tests.cdshooks.fhir_server import FhirServer

Body = Callable[[str], dict[str, Any]]
MakeClient = Callable[[FhirSettings], Client]


def summaries(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["summary"] for card in response.json()["cards"]]


def test_fhir_server_only_gives_the_same_cards_as_prefetch(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    prefetched = cds.post(PATIENT_VIEW, json=request_body("cds_patient_view.json"))
    fetched = cds.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert summaries(fetched) == summaries(prefetched)
    assert [c["source"]["topic"] for c in fetched.json()["cards"]] == [
        c["source"]["topic"] for c in prefetched.json()["cards"]
    ]
    # One request per prefetch key, each with the bearer token, for this patient only.
    assert len(fhir_server.requests) == 5
    assert all(auth == f"Bearer {fhir_server.token}" for _, auth in fhir_server.requests)
    assert all("cdsp-1001" in path for path in fhir_server.paths())
    medication_search = next(p for p in fhir_server.paths() if "/MedicationRequest?" in p)
    assert "_include=MedicationRequest:medication" in medication_search


def test_status_filtering_applies_to_fetched_data(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    # The server ignores status filters: stopped insulin and resolved pharyngitis come back.
    text = " ".join(
        c["detail"]
        for c in cds.post(
            PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
        ).json()["cards"]
    )
    for left_out in ("mr-insulin-stopped", "cond-pharyngitis", "ms-amoxicillin-done", "Humulin"):
        assert left_out not in text
    for other_patient in ("mr-other", "cond-other", "obs-other"):
        assert other_patient not in text


def test_only_missing_prefetch_keys_are_fetched(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    body = request_body("cds_patient_view.json")
    body["fhirServer"] = fhir_server.base
    body["fhirAuthorization"] = {"access_token": fhir_server.token, "token_type": "Bearer"}
    del body["prefetch"]["observations"]
    response = cds.post(PATIENT_VIEW, json=body)
    assert any("low potassium" in s.lower() for s in summaries(response))
    (path,) = fhir_server.paths()
    assert path.startswith("/fhir/Observation?patient=cdsp-1001&code=")
    # Percent-encoded as the server received it: no raw `|` (Tomcat refuses it) or `:`.
    assert "code=http%3A%2F%2Floinc.org%7C2823-3,http%3A%2F%2Floinc.org%7C6298-4" in path
    assert "|" not in path and ":" not in path


def test_order_sign_with_fhir_server_only(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    found = summaries(
        cds.post(ORDER_SIGN, json=only_server(request_body("cds_order_sign.json"), fhir_server))
    )
    assert any(s.startswith("Adding hydrochlorothiazide:") for s in found)


def test_no_token_means_401_from_the_server_and_412_from_the_service(
    cds: Client, request_body: Body, fhir_server: FhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = only_server(request_body("cds_patient_view.json"), fhir_server, token=False)
    with caplog.at_level(logging.INFO, logger="service.cdshooks"):
        response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    assert all(auth is None for _, auth in fhir_server.requests)
    # The reason is in the log, without the patient id or the query string.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "answered HTTP 401" in logged
    assert PATIENT_ID not in logged and "?" not in logged


def test_server_errors_are_412(cds: Client, request_body: Body, fhir_server: FhirServer) -> None:
    fhir_server.status_override = 503
    response = cds.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 412


def test_unreachable_server_is_412_quickly(cds: Client, request_body: Body) -> None:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    body = request_body("cds_patient_view.json")
    del body["prefetch"]
    body["fhirServer"] = f"http://127.0.0.1:{port}/fhir"
    started = time.monotonic()
    response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    assert time.monotonic() - started < 2


def test_slow_server_is_cut_off_by_the_time_budget(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    client = client_with(
        FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*", read_timeout=5, budget=0.5)
    )
    fhir_server.delay = 2.0
    started = time.monotonic()
    response = client.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    assert time.monotonic() - started < 1.9


def test_read_timeout_per_request(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    client = client_with(
        FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*", read_timeout=0.3, budget=5)
    )
    fhir_server.delay = 1.0
    started = time.monotonic()
    response = client.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 412
    assert time.monotonic() - started < 0.95


def test_hosts_outside_the_allow_list_are_never_contacted(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    client = client_with(FhirSettings(lab_max_age_days=0, allowed_hosts="fhir.example.org"))
    response = client.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    assert fhir_server.requests == []


def test_pages_are_followed_up_to_the_limit(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    fhir_server.page_size = 1
    client = client_with(FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*", max_pages=2))
    response = client.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 200
    pages = [p for p in fhir_server.paths() if "/MedicationRequest?" in p]
    assert len(pages) == 2
    assert "_offset=1" in pages[1]
    # The cards say that the data was cut short.
    details = [card["detail"] for card in response.json()["cards"]]
    assert details and all("medication orders: more than 2 pages" in d for d in details)


def test_next_links_to_another_host_are_not_followed(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    fhir_server.page_size = 1
    fhir_server.foreign_next = True
    response = cds.post(
        PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server)
    )
    assert response.status_code == 200
    assert len(fhir_server.requests) == 5  # first pages only


def test_the_number_of_requests_is_bounded(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    fhir_server.page_size = 1
    client = client_with(
        FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*", max_requests=6, max_pages=10)
    )
    client.post(PATIENT_VIEW, json=only_server(request_body("cds_patient_view.json"), fhir_server))
    assert len(fhir_server.requests) <= 6


def test_fhir_requests_beyond_the_worker_slots_wait_then_get_503(
    client_with: MakeClient, request_body: Body, fhir_server: FhirServer
) -> None:
    """One slot, calls held 0.5 s each by a slow server, a wait of 1.5 s: the first calls
    are answered in turn, the last ones are told to come back."""
    client = client_with(
        FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*", max_concurrent=1, budget=0.5)
    )
    fhir_server.delay = 1.0
    body = only_server(request_body("cds_patient_view.json"), fhir_server)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: client.post(PATIENT_VIEW, json=body), range(6)))
    codes = sorted(a.status_code for a in answers)
    assert 412 in codes and 503 in codes and set(codes) == {412, 503}
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "1"
    assert busy.headers["content-type"].startswith("application/problem+json")


CAPABILITY = json.dumps(
    {"resourceType": "CapabilityStatement", "status": "active", "kind": "instance"}
).encode()


def test_a_search_answered_by_another_resource_is_not_data(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    """Review 20 A2: a gateway answering every search with a CapabilityStatement gave
    `200 {"cards": []}` (each search read as "found, no entries"). It is a failed fetch:
    412 when nothing else was read, the incomplete-data line otherwise."""
    fhir_server.answer = lambda path: (200, {"Content-Type": "application/fhir+json"}, CAPABILITY)
    body = only_server(request_body("cds_patient_view.json"), fhir_server)
    response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    assert response.json()["title"] == DATA_UNAVAILABLE
    # One search answered so, the others as usual.
    fhir_server.answer = lambda path: (
        (200, {"Content-Type": "application/fhir+json"}, CAPABILITY)
        if "/Condition?" in path
        else None
    )
    details = [c["detail"] for c in cds.post(PATIENT_VIEW, json=body).json()["cards"]]
    assert details and all(
        "problem list: the FHIR server did not answer a Bundle" in d for d in details
    )
    # A Bundle that is not a search result set is not one either.
    other = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}).encode()
    fhir_server.answer = lambda path: (
        (200, {"Content-Type": "application/fhir+json"}, other) if "/Condition?" in path else None
    )
    details = [c["detail"] for c in cds.post(PATIENT_VIEW, json=body).json()["cards"]]
    assert details and all(
        "problem list: the FHIR server answered a Bundle that is not" in d for d in details
    )


def test_a_next_link_with_encoded_dot_segments_is_not_followed(
    cds: Client, request_body: Body, fhir_server: FhirServer
) -> None:
    """Review 20 C13: `/fhir/%2e%2e/steal/…` passed the "under the base path" check, and got
    the token; a server or proxy that decodes it sees a path outside the FHIR base."""
    escapes = ["%2e%2e", "%2E%2e", ".%2e", "x%2f..", "%2e"]

    def answer(path: str) -> tuple[int, dict[str, str], bytes] | None:
        if "/MedicationRequest?" not in path or "page=" in path:
            return None
        step = escapes[len([p for p in fhir_server.paths() if "/MedicationRequest?" in p]) - 1]
        page = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [],
            "link": [{"relation": "next", "url": f"{fhir_server.base}/{step}/steal?page=2"}],
        }
        return 200, {"Content-Type": "application/fhir+json"}, json.dumps(page).encode()

    fhir_server.answer = answer
    body = only_server(request_body("cds_patient_view.json"), fhir_server)
    for _ in escapes:
        response = cds.post(PATIENT_VIEW, json=body)
        assert response.status_code == 200
        details = [c["detail"] for c in response.json()["cards"]]
        assert details and all("a next page not on the fhirServer origin" in d for d in details)
    assert not [p for p in fhir_server.paths() if "steal" in p]
