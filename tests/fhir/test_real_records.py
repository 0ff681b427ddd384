"""Real patient records: a published Synthea R4 patient (3.9 MB, the largest of its public
sample set) is accepted by `POST /v1/check/fhir` and by CDS Hooks prefetch, and gives the
same contributors as the same record trimmed to the resources the service reads; limits
answer 413, which a client sending a large body over a real socket receives."""

from __future__ import annotations

import copy
import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.limits import MAX_BUNDLE_ENTRIES, MAX_FHIR_BODY_BYTES, MAX_FHIR_OBJECTS
from service.settings import FhirSettings, Settings
from tests.ops.conftest import Server

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
RECORD = FIXTURES / "synthea" / "Fletcher_Hyatt_fe0562b5-f517-4951-8366-32fdab088930.json.gz"
PATH = "/v1/check/fhir"
PATIENT_VIEW = "/cds-services/cramp-risk-patient-view"
READ = {"Patient", "Medication", "MedicationRequest", "MedicationStatement", "Condition"}
READ |= {"Observation"}
Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def rest() -> Iterator[Client]:
    with TestClient(create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))) as client:
        yield client


@pytest.fixture(scope="module")
def record_bytes() -> bytes:
    return gzip.decompress(RECORD.read_bytes())


@pytest.fixture
def record(record_bytes: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record_bytes)
    return data


def post(client: Client, body: bytes) -> Any:
    return client.post(PATH, content=body, headers={"Content-Type": "application/fhir+json"})


def contributors(report: dict[str, Any]) -> list[str]:
    return sorted(f["id"] for f in report["findings"])


def trimmed(record: dict[str, Any]) -> dict[str, Any]:
    kept = [e for e in record["entry"] if e["resource"]["resourceType"] in READ]
    return {**record, "entry": kept}


def test_the_published_record_is_accepted_as_published(
    rest: Client, record_bytes: bytes, record: dict[str, Any]
) -> None:
    assert len(record_bytes) == 3_885_380 and len(record["entry"]) == 1_111
    response = post(rest, record_bytes)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["deceased"] is True
    assert report["incomplete"] == []
    found = contributors(report)
    assert {"medication/furosemide", "medication/hydrochlorothiazide"} <= set(found)
    assert "combination/loop_plus_thiazide" in found
    # Only the resources the service reads: 1,111 entries, most of them Claims and the like.
    same = post(rest, json.dumps(trimmed(record)).encode())
    assert contributors(same.json()) == found
    assert same.json()["medications"] == report["medications"]


def test_a_record_near_the_body_limit_is_accepted(rest: Client, record: dict[str, Any]) -> None:
    """The record grown to just under 8 MiB with copies of the resources it does not read
    (Claims, ExplanationOfBenefits, ...), as a longer history would be."""
    grown = copy.deepcopy(record)
    others = [e for e in record["entry"] if e["resource"]["resourceType"] not in READ]
    copies = 0
    size = len(json.dumps(grown).encode())
    while size < MAX_FHIR_BODY_BYTES - 150_000:
        entry = copy.deepcopy(others[copies % len(others)])
        entry["fullUrl"] = f"urn:uuid:copy-{copies}"
        entry["resource"]["id"] = f"copy-{copies}"
        grown["entry"].append(entry)
        size += len(json.dumps(entry).encode()) + 1
        copies += 1
    body = json.dumps(grown).encode()
    assert MAX_FHIR_BODY_BYTES - 200_000 < len(body) <= MAX_FHIR_BODY_BYTES
    response = post(rest, body)
    assert response.status_code == 200, response.text
    assert contributors(response.json()) == contributors(
        post(rest, json.dumps(record).encode()).json()
    )


def test_the_record_as_cds_hooks_prefetch(rest: Client, record: dict[str, Any]) -> None:
    resources = [e["resource"] for e in record["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    # Alive, so that the record is checked (a deceased patient gets one card saying so).
    living = {k: v for k, v in patient.items() if not k.startswith("deceased")}

    def searchset(*types: str) -> dict[str, Any]:
        found = [{"resource": r} for r in resources if r["resourceType"] in types]
        return {"resourceType": "Bundle", "type": "searchset", "entry": found}

    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "8d2f6c1e-synthea-4b7a-9e3d-2c5a1f8e7b60",
        "context": {"patientId": patient["id"]},
        "prefetch": {
            "patient": living,
            "medicationRequests": searchset("MedicationRequest", "Medication"),
            "medicationStatements": None,
            "conditions": searchset("Condition"),
            "observations": searchset("Observation"),
        },
    }
    response = rest.post(PATIENT_VIEW, json=body)
    assert response.status_code == 200, response.text
    text = json.dumps(response.json()["cards"])
    assert "furosemide" in text and "hydrochlorothiazide" in text
    body["prefetch"]["patient"] = patient
    cards = rest.post(PATIENT_VIEW, json=body).json()["cards"]
    assert [c["summary"] for c in cards] == [
        "Patient recorded as deceased: leg cramp risk not checked"
    ]


def test_limits_answer_413_naming_the_limit(rest: Client) -> None:
    too_big = post(rest, b'{"resourceType": "Bundle", "entry": []}'.ljust(MAX_FHIR_BODY_BYTES + 1))
    assert too_big.status_code == 413
    assert f"{MAX_FHIR_BODY_BYTES:,}" in too_big.json()["title"]
    # Millions of tiny objects are counted before anything is decoded.
    bomb = b'{"resourceType": "Bundle", "entry": [' + b"{}," * 2_000_000 + b"{}]}"
    refused = post(rest, bomb)
    assert refused.status_code == 413
    assert f"more than {MAX_FHIR_OBJECTS} JSON objects and arrays" in refused.json()["title"]
    entry = b'{"resource": {"resourceType": "Basic"}},'
    many = (
        b'{"resourceType": "Bundle", "entry": [' + entry * MAX_BUNDLE_ENTRIES + entry[:-1] + b"]}"
    )
    response = post(rest, many)
    assert response.status_code == 413
    assert f"more than {MAX_BUNDLE_ENTRIES} resources" in response.json()["title"]


def test_bad_bundles_are_400_with_a_pointer(rest: Client) -> None:
    cases = [
        (b'{"resourceType": "Patient"}', "/resourceType"),
        (b'{"resourceType": "Bundle", "entry": [{"resource": 5}]}', "/entry/0/resource"),
        (b'{"resourceType": "Bundle", "entry": [{"fullUrl": 5}]}', "/entry/0/fullUrl"),
        (b'{"resourceType": "Bundle", "entry": {}}', "/entry"),
        (b"[1, 2]", "/0"),
        (b'{"resourceType": "Bundle", "entry": [', ""),
    ]
    for body, pointer in cases:
        response = post(rest, body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["pointer"] == pointer, body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("server"), CRAMP_LOG_LEVEL="warning")
    yield running
    running.stop()


@pytest.mark.parametrize("path", [PATH, PATIENT_VIEW])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_client_sending_too_much_receives_the_413(
    server: Server, path: str, framing: str
) -> None:
    """The client sends its whole (too large) body before reading, and asks the server to
    close the connection afterwards: the server reads and drops the rest of the body, so
    the 413 arrives instead of a reset connection or a broken pipe."""
    size = MAX_FHIR_BODY_BYTES * 2
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "Connection: close\r\n"
    head += (
        "Transfer-Encoding: chunked\r\n" if framing == "chunked" else f"Content-Length: {size}\r\n"
    )
    piece = b" " * 65536
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n")
        for _ in range(size // len(piece)):
            if framing == "chunked":
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            else:
                sock.sendall(piece)
        if framing == "chunked":
            sock.sendall(b"0\r\n\r\n")
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert response.startswith(b"HTTP/1.1 413 "), response[:200]
    assert b"application/problem+json" in response
