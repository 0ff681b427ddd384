"""HTTP limits of the real server (`python -m service serve`), with real sockets: slow and
idle clients, oversized heads, clients that hang up or stop reading, too many requests.

Each server runs with short limits (seconds) so that the tests stay quick; the defaults
are in tests/ops/test_settings.py and docs/operations.md."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.batch.sample import sample_ndjson
from service.knowledge import KnowledgeBase
from tests.ops.conftest import Server, peak_rss_kib

pytestmark = pytest.mark.slow

SHORT = {
    "CRAMP_HEADER_TIMEOUT": "2",
    "CRAMP_BODY_TIMEOUT": "2",
    "CRAMP_KEEPALIVE_TIMEOUT": "1",
    "CRAMP_SEND_TIMEOUT": "2",
    "CRAMP_LIMIT_CONCURRENCY": "3",
    "CRAMP_MAX_CONNECTIONS": "40",
}
BODY = b'{"medications":[{"text":"Lasix 40 mg"}]}'
# Deadlines are checked once a second: allow the timeout plus that and some slack.
SLACK = 3.0


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("limits"), **SHORT)
    yield running
    running.stop()


def head(length: int, path: str = "/v1/check") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def read_answer(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or ``timeout``)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def header_of(answer: bytes, name: str) -> str | None:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.encode():
            return value.strip().decode()
    return None


def one_response(sock: socket.socket, timeout: float = 10) -> bytes:
    """One whole response (head and a Content-Length body), however the bytes arrive."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
        header_of(data, "content-length") or 0
    ):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    started = time.monotonic()
    answer = read_answer(sock, seconds)
    return answer, time.monotonic() - started


def test_a_slowloris_head_is_answered_408_and_closed(limited: Server) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
        answer = b""
        for byte in b"X-Slow: " + b"a" * 60:  # one byte every half second, never finished
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            sock.settimeout(0.5)
            try:
                if chunk := sock.recv(65536):
                    answer += chunk
                else:
                    break
            except TimeoutError:
                continue
        answer += read_answer(sock, 1)
    elapsed = time.monotonic() - started
    assert status_of(answer) == 408, answer
    assert elapsed < 2 + SLACK
    assert header_of(answer, "connection") == "close"
    assert header_of(answer, "cache-control") == "no-store"


def test_an_idle_connection_is_closed(limited: Server) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        answer, elapsed = closed_within(sock, 2 + SLACK + 2)
    assert answer == b""
    assert elapsed < 2 + SLACK


def test_an_idle_keep_alive_connection_is_closed(limited: Server) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = one_response(sock)
        assert status_of(first) == 200
        answer, elapsed = closed_within(sock, 1 + SLACK + 2)
    assert answer == b""
    assert elapsed < 1 + SLACK


def test_a_body_that_stops_arriving_is_answered_408(limited: Server) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(head(1000) + b'{"medications": [')
        answer, elapsed = closed_within(sock, 2 + SLACK + 2)
    assert status_of(answer) == 408, answer
    assert elapsed < 2 + SLACK
    assert b"application/problem+json" in answer
    time.sleep(0.2)
    statuses = [r.get("status") for r in limited.records() if r["logger"] == "cramp.access"]
    assert 408 in statuses


def test_a_64_mb_head_is_refused_early_without_memory(limited: Server) -> None:
    before = peak_rss_kib(limited.process.pid)
    line = b"X-Big: " + b"a" * 8185 + b"\r\n"
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.settimeout(10)
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            while sent < 64 * 1024 * 1024:
                sock.sendall(line * 8)
                sent += len(line) * 8
        except OSError:  # the server closed the connection: the rest is refused
            pass
        answer = read_answer(sock, 5)
    assert sent < 8 * 1024 * 1024, "the server kept reading the head"
    assert status_of(answer) in (431, 0), answer  # 0: the reset overtook the answer
    if answer:
        assert b"Request Header Fields Too Large" in answer
    assert peak_rss_kib(limited.process.pid) - before < 8 * 1024
    assert httpx.get(f"{limited.base}/healthz").status_code == 200


def test_a_header_of_a_normal_size_is_fine(limited: Server) -> None:
    jwt_sized = "x" * 4000
    response = httpx.get(f"{limited.base}/healthz", headers={"Authorization": jwt_sized})
    assert response.status_code == 200


def test_requests_beyond_the_limit_get_503_with_retry_after(tmp_path: Path) -> None:
    server = Server(tmp_path, CRAMP_LIMIT_CONCURRENCY="3", CRAMP_BODY_TIMEOUT="30")
    held = []
    try:
        for _ in range(3):  # three requests in flight, waiting for their bodies
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(head(len(BODY)) + BODY[:5])
            held.append(sock)
        time.sleep(0.5)
        busy = httpx.post(f"{server.base}/v1/check", content=BODY, headers=JSON, timeout=10)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["cache-control"] == "no-store"
        assert httpx.get(f"{server.base}/healthz").status_code == 200  # probes pass
        assert httpx.get(f"{server.base}/readyz").status_code == 200
        for sock in held:  # the held requests finish normally
            sock.sendall(BODY[5:])
            assert status_of(read_answer_once(sock)) == 200
        ok = httpx.post(f"{server.base}/v1/check", content=BODY, headers=JSON, timeout=10)
        assert ok.status_code == 200
        metrics = httpx.get(f"{server.base}/metrics").text
        assert 'cramp_http_requests_total{method="POST",route="<unmatched>",status="503"}' in (
            metrics
        )
    finally:
        for sock in held:
            sock.close()
        server.stop()


def read_answer_once(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    return sock.recv(65536)


def test_connections_beyond_the_limit_are_refused(limited: Server) -> None:
    opened = []
    try:
        for _ in range(40):
            opened.append(socket.create_connection(("127.0.0.1", limited.port)))
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", limited.port)) as extra:
            answer = read_answer(extra, 5)
        assert status_of(answer) == 503
        assert header_of(answer, "retry-after") == "1"
    finally:
        for sock in opened:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(f"{limited.base}/healthz").status_code == 200


def test_a_client_that_hangs_up_mid_body_is_not_a_server_error(limited: Server) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(head(1000) + b'{"medications": [{"text": "Las')
        time.sleep(0.3)
    time.sleep(0.5)
    records = limited.records()
    access = [r for r in records if r["logger"] == "cramp.access" and r.get("status") == 499]
    assert access, "the request is logged as the client's doing (499)"
    assert not [r for r in records if r["level"] == "error"], records
    metrics = httpx.get(f"{limited.base}/metrics").text
    assert 'route="/v1/check",status="499"' in metrics
    assert 'route="/v1/check",status="500"' not in metrics


def test_a_client_that_stops_reading_is_dropped(limited: Server, kb: KnowledgeBase) -> None:
    body = sample_ndjson(kb, 3000, seed=3)
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(
            b"POST /v1/check/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        time.sleep(2 + SLACK + 1)  # read nothing meanwhile
        received = read_answer(sock, 10)
    assert status_of(received) == 200
    assert not received.endswith(b"0\r\n\r\n"), "the whole stream was sent to a stalled client"
    metrics = httpx.get(f"{limited.base}/metrics").text
    assert 'cramp_http_rejected_total{reason="send_timeout"}' in metrics


JSON = {"content-type": "application/json"}


# ---- slow uploads, the body deadline, heads in one read, busy slots (review 20) ----------

PATIENT_VIEW = "/cds-services/cramp-risk-patient-view"
FHIR = "/v1/check/fhir"
BATCH = "/v1/check/batch"
FHIR_JSON = {"content-type": "application/fhir+json"}
PREFETCH_CALL = {
    "hook": "patient-view",
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "context": {"userId": "Practitioner/1", "patientId": "p1"},
    "prefetch": {
        "patient": {"resourceType": "Patient", "id": "p1"},
        "medicationRequests": {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {
                    "resource": {
                        "resourceType": "MedicationRequest",
                        "id": "a",
                        "status": "active",
                        "intent": "order",
                        "subject": {"reference": "Patient/p1"},
                        "medicationCodeableConcept": {"text": "Lasix 40 mg"},
                    }
                }
            ],
        },
        "medicationStatements": {"resourceType": "Bundle", "type": "searchset"},
        "conditions": {"resourceType": "Bundle", "type": "searchset"},
        "observations": {"resourceType": "Bundle", "type": "searchset"},
    },
}


def slow_upload(port: int, path: str, content_type: str, length: int) -> socket.socket:
    """A request whose head is sent and whose body has only begun to arrive."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\n\r\n".encode()
        + b" " * 2048
    )
    return sock


def test_slow_uploads_hold_no_fhir_or_batch_slot(tmp_path: Path) -> None:
    # One FHIR slot and one batch slot; uploads in progress on both routes must not make
    # other calls wait for them (they used to: 503 for every CDS call, A5).
    server = Server(
        tmp_path,
        CRAMP_FHIR_MAX_CONCURRENT="1",
        CRAMP_FHIR_BUDGET="1",
        CRAMP_BATCH_LIMIT_CONCURRENCY="1",
        CRAMP_BODY_TIMEOUT="60",
    )
    try:
        held = [
            slow_upload(server.port, PATIENT_VIEW, "application/json", 1_000_000),
            slow_upload(server.port, FHIR, "application/fhir+json", 1_000_000),
            slow_upload(server.port, BATCH, "application/x-ndjson", 1_000_000),
        ]
        time.sleep(0.5)
        started = time.monotonic()
        call = httpx.post(f"{server.base}{PATIENT_VIEW}", json=PREFETCH_CALL, timeout=10)
        assert call.status_code == 200, call.text
        assert call.json()["cards"]
        batch = httpx.post(
            f"{server.base}{BATCH}",
            content=BODY + b"\n",
            headers={"content-type": "application/x-ndjson"},
            timeout=10,
        )
        assert batch.status_code == 200, batch.text
        assert time.monotonic() - started < 1.0  # nothing waited for a slot
        for sock in held:
            sock.close()
    finally:
        server.stop()


def test_a_body_must_arrive_within_the_deadline_whatever_its_rate(tmp_path: Path) -> None:
    server = Server(tmp_path, CRAMP_BODY_DEADLINE="2", CRAMP_BODY_TIMEOUT="60")
    try:
        started = time.monotonic()
        status = 0
        with slow_upload(server.port, FHIR, "application/fhir+json", 8_000_000) as sock:
            sock.settimeout(0.1)
            answer = b""
            while time.monotonic() - started < 2 + SLACK + 2:
                try:  # 320 KiB/s: twenty times the minimum rate
                    sock.sendall(b" " * 32_768)
                except OSError:
                    break
                try:
                    if chunk := sock.recv(65536):
                        answer += chunk
                        if b"\r\n\r\n" in answer:
                            break
                except TimeoutError:
                    pass
            answer += read_answer(sock, 1)
            status = status_of(answer)
        assert status == 408, answer[:300]
        assert time.monotonic() - started < 2 + SLACK
        assert b"application/problem+json" in answer
        metrics = httpx.get(f"{server.base}/metrics").text
        assert 'cramp_http_rejected_total{reason="body_deadline"}' in metrics
    finally:
        server.stop()


@pytest.mark.parametrize(
    "request_head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-H%d: %s\r\n" % (n, b"c" * 90) for n in range(400))
        + b"\r\n",
        b"GET /healthz?" + b"q" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["one-100kb-header", "400-headers", "20kb-request-line"],
)
def test_a_head_over_the_limit_sent_in_one_write_gets_431(
    limited: Server, request_head: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(request_head)
        answer = read_answer(sock, 5)
    assert status_of(answer) == 431, answer[:200]
    assert b"application/problem+json" in answer


@pytest.mark.parametrize(
    "request_head",
    [
        # Request smuggling's classic: both lengths.
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
        b"FOO /v1/check HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_a_request_the_parser_refuses_gets_a_400_problem(
    limited: Server, request_head: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(request_head)
        answer = read_answer(sock, 5)
    assert status_of(answer) == 400, answer[:200]
    assert header_of(answer, "content-type") == "application/problem+json"
    assert answer.endswith(b'"status":400}')


def test_a_head_just_under_the_limit_in_one_write_is_served(limited: Server) -> None:
    head_start = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
    filler = b"a" * (16_384 - len(head_start) - 4)
    body = b'{"medications":[{"text":"Lasix"}]}'
    with socket.create_connection(("127.0.0.1", limited.port)) as sock:
        sock.sendall(head_start + filler + b"\r\n\r\n")
        assert status_of(one_response(sock)) == 200
        # and a body sent with its head in one write is not counted as head
        sock.sendall(head(len(body) + 20_000) + body + b" " * 20_000)
        assert status_of(one_response(sock)) == 200


def test_a_busy_batch_slot_is_a_503_service_busy_warning(tmp_path: Path, kb: KnowledgeBase) -> None:
    server = Server(tmp_path, CRAMP_BATCH_LIMIT_CONCURRENCY="1", CRAMP_SEND_TIMEOUT="60")
    try:
        body = sample_ndjson(kb, 10_000, seed=5)
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(
                f"POST {BATCH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            time.sleep(2)  # its answer stalls: it holds the only batch slot
            busy = httpx.post(
                f"{server.base}{BATCH}",
                content=BODY + b"\n",
                headers={"content-type": "application/x-ndjson"},
                timeout=10,
            )
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "1"
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["title"] == "Service busy"
        assert "batch" in busy.json()["detail"]
        time.sleep(0.3)
        records = [r for r in server.records() if r["logger"] == "cramp.error"]
        assert [r["level"] for r in records] == ["warning"], records
        assert records[0]["message"] == "service busy"
        assert "exception" not in records[0]
    finally:
        server.stop()


def _padded_bundle(size: int) -> bytes:
    bundle = b'{"resourceType": "Bundle", "type": "collection", "entry": []}'
    return bundle + b" " * (size - len(bundle))


def test_large_bodies_arriving_at_once_are_bounded_by_the_body_buffer(tmp_path: Path) -> None:
    # Bodies are read before they take a slot: the bytes they hold meanwhile are bounded per
    # worker (CRAMP_BODY_BUFFER_BYTES beyond the first CRAMP_MAX_BODY_BYTES of each).
    server = Server(
        tmp_path,
        CRAMP_MAX_BODY_BYTES="100000",
        CRAMP_FHIR_MAX_BODY_BYTES="1000000",
        CRAMP_BATCH_MAX_BODY_BYTES="1000000",
        CRAMP_BODY_BUFFER_BYTES="1000000",
        CRAMP_BODY_TIMEOUT="60",
    )
    try:
        holder = slow_upload(server.port, FHIR, "application/fhir+json", 1_000_000)
        holder.sendall(b" " * 850_000)  # 750 kB counted, and it stays
        time.sleep(0.5)
        second = _padded_bundle(500_000)  # would need 400 kB more
        busy = httpx.post(f"{server.base}{FHIR}", content=second, headers=FHIR_JSON, timeout=10)
        assert busy.status_code == 503, busy.text
        assert busy.json()["title"] == "Service busy"
        assert busy.headers["retry-after"] == "1"
        # a small call is never counted
        call = httpx.post(f"{server.base}{PATIENT_VIEW}", json=PREFETCH_CALL, timeout=10)
        assert call.status_code == 200, call.text
        holder.close()  # its bytes are released when it goes away
        time.sleep(0.5)
        again = httpx.post(f"{server.base}{FHIR}", content=second, headers=FHIR_JSON, timeout=10)
        assert again.status_code == 200, again.text
    finally:
        server.stop()
