"""Bounded memory for the FHIR the service reads, measured on a real server process.

`python -m service serve` runs on 127.0.0.1 and fetches from a FHIR server stub on
127.0.0.1 that answers with bombs (tests/cdshooks/bombs.py). Each test resets the peak
resident memory of the server process (`/proc/<pid>/clear_refs`), sends the hostile
requests and reads the new peak (VmHWM in `/proc/<pid>/status`). The same scenarios,
with the figures before and after this design, are in `bench/fhir_memory.py` and
docs/operations.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.limits import MAX_FHIR_OBJECTS
from tests.cdshooks import bombs
from tests.cdshooks.conftest import PATIENT_ID, PATIENT_VIEW, fixture
from tests.cdshooks.fhir_server import FhirServer, load_resources, serve
from tests.ops.conftest import Server

pytestmark = pytest.mark.slow

JSON = {"Content-Type": "application/json"}


def quick_gzip() -> bombs.Answer:
    return bombs.answer_gzip(200 * bombs.MIB, level=1)


def peak_mib(server: Server) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def reset_peak(server: Server) -> float:
    """Start a new peak at the present resident size (Linux: "5" > clear_refs)."""
    Path(f"/proc/{server.process.pid}/clear_refs").write_text("5")
    return peak_mib(server)


@pytest.fixture(scope="module")
def stub() -> Iterator[FhirServer]:
    with serve(FhirServer(load_resources())) as server:
        yield server


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, stub: FhirServer) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("memory"),
        CRAMP_LOG_LEVEL="warning",
        CRAMP_FHIR_ALLOWED_HOSTS="127.0.0.1:*",
        CRAMP_FHIR_LAB_MAX_AGE_DAYS="0",
    )
    with httpx.Client(base_url=running.base, timeout=30) as client:
        for _ in range(3):  # warm up: the usual calls, prefetched and fetched
            assert client.post(PATIENT_VIEW, json=fixture("cds_patient_view.json")).is_success
            assert client.post(PATIENT_VIEW, json=fetched(stub)).is_success
    yield running
    running.stop()


@pytest.fixture
def server(running: Server, stub: FhirServer) -> Iterator[Server]:
    yield running
    stub.answer = None
    stub.delay = 0.0


def fetched(stub: FhirServer) -> dict[str, Any]:
    """The patient-view call with no prefetch: every key is fetched from the stub."""
    body = fixture("cds_patient_view.json")
    del body["prefetch"]
    body["fhirServer"] = stub.base
    body["fhirAuthorization"] = {"access_token": stub.token, "token_type": "Bearer"}
    return body


def at_once(count: int, call: Callable[[], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in responses]


def test_object_count_bombs_are_refused_as_they_arrive(server: Server, stub: FhirServer) -> None:
    """5 MB of `{}` (1.6 million objects) per page, with same-origin `next` links, for
    every key of three calls at once (before: up to about 1 GiB)."""
    before = reset_peak(server)
    stub.answer = bombs.answer_objects(stub.base)
    with httpx.Client(base_url=server.base, timeout=60) as client:
        answered = at_once(3, lambda: client.post(PATIENT_VIEW, json=fetched(stub)))
    assert statuses(answered) == [412, 412, 412]
    assert peak_mib(server) - before < 40  # bench/fhir_memory.py: +6 MiB


def test_decompression_bombs_are_cut_at_the_limit(server: Server, stub: FhirServer) -> None:
    """A 1 MB gzip that inflates to 200 MiB, for every key of three calls at once (before,
    400 MiB bombs grew the peak by 700 MiB). Brotli, not asked for, is not decoded."""
    before = reset_peak(server)
    stub.answer = quick_gzip()
    with httpx.Client(base_url=server.base, timeout=60) as client:
        answered = at_once(3, lambda: client.post(PATIENT_VIEW, json=fetched(stub)))
        assert statuses(answered) == [412] * 3
        stub.answer = bombs.answer_brotli()
        assert client.post(PATIENT_VIEW, json=fetched(stub)).status_code == 412
    assert stub.headers[-1]["accept-encoding"] == "gzip, deflate"
    assert peak_mib(server) - before < 100  # bench (400 MiB bombs): +39 MiB


def test_hostile_bodies_are_refused_before_decoding(server: Server) -> None:
    before = reset_peak(server)
    with httpx.Client(base_url=server.base, timeout=60) as client:
        # 8 MiB of objects in a prefetched Observation: counted, refused, never decoded.
        body = bombs.components_body(PATIENT_ID, 2_700_000)
        response = client.post(PATIENT_VIEW, content=body, headers=JSON)
        assert response.status_code == 413
        assert f"more than {MAX_FHIR_OBJECTS} JSON objects" in response.json()["title"]
        entries = client.post("/v1/check/fhir", content=bombs.entries_body(240_000), headers=JSON)
        assert entries.status_code == 413
    assert peak_mib(server) - before < 40  # bench: +7.7 and +13.5 MiB


def test_the_worst_case_per_worker(server: Server, stub: FhirServer) -> None:
    """Eight calls at once, each of 8 MiB holding as many decodable objects as the budget
    allows, whose other keys a slow server answers with decompression bombs. Four are
    read at once (CRAMP_FHIR_MAX_CONCURRENT); the others wait for a slot."""
    before = reset_peak(server)
    stub.delay = 0.5
    stub.answer = quick_gzip()
    body = bombs.components_body(PATIENT_ID, 240_000, stub.base, size=8 * bombs.MIB - 64)
    with httpx.Client(base_url=server.base, timeout=60) as client:
        answered = at_once(8, lambda: client.post(PATIENT_VIEW, content=body, headers=JSON))
    assert set(statuses(answered)) <= {200, 503} and 200 in statuses(answered)
    # docs/operations.md: at most about 30 MiB per request, four at a time.
    assert peak_mib(server) - before < 180  # bench: +118 MiB
    # The fetched keys were cut off: the answer says so.
    done = next(r for r in answered if r.status_code == 200)
    assert "Not all of the patient's data could be read" in json.dumps(done.json())
