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
