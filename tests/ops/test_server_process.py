"""The real server process (`python -m service serve`): JSON logs on stderr with no patient
data, no Server header, and a graceful exit on SIGTERM that finishes in-flight requests.

uvicorn re-raises SIGTERM after its graceful shutdown, so a clean stop ends with the
signal's status (-15 here, 143 in a container), after "Finished server process"."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import CLEAN_EXIT, IDENTIFIERS, PATIENT_TEXT, Server

pytestmark = pytest.mark.slow

SCAN_ID = "9d1c7e5a0b3f4e2d8c6b5a4f3e2d1c0b"
JSON = {"content-type": "application/json"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.stop()


def test_stderr_log_scan_and_headers(server: Server) -> None:
    body = {"medications": [{"text": PATIENT_TEXT}], "conditions": [{"text": "John Q Public"}]}
    with httpx.Client(base_url=server.base, timeout=10) as client:
        ok = client.post(
            "/v1/check?patient=John+Q+Public&ssn=123-45-6789",
            json=body,
            headers={"X-Request-ID": SCAN_ID, "X-Patient-Name": PATIENT_TEXT},
        )
        assert ok.status_code == 200
        assert ok.json()["medications"][0]["concept"] == "furosemide"
        assert ok.headers["x-request-id"] == SCAN_ID
        assert "server" not in ok.headers
        bad = client.post("/v1/check", content=f'{{"John": "{PATIENT_TEXT}"'.encode(), headers=JSON)
        assert bad.status_code == 400
        named = client.post("/v1/check", json=body, headers={"X-Request-ID": "John-Q-Public"})
        assert named.headers["x-request-id"] != "John-Q-Public"
        wrong = client.post("/v1/check", json={"medications": [{"coding": PATIENT_TEXT}]})
        assert wrong.status_code == 400
        assert client.get("/v1/patients/John-Q-Public/123-45-6789").status_code == 404
        huge = client.post(
            "/v1/check", content=b'{"x": "' + b"John " * 300_000 + b'"}', headers=JSON
        )
        assert huge.status_code == 413
    assert server.stop() in CLEAN_EXIT

    lines = server.log_lines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    text = "\n".join(lines)
    assert not [word for word in IDENTIFIERS if word.lower() in text.lower()], text
    access = [r for r in records if r["logger"] == "cramp.access"]
    assert {(r["route"], r["status"]) for r in access} >= {
        ("/v1/check", 200),
        ("/v1/check", 400),
        ("/v1/check", 413),
        ("<unmatched>", 404),
    }
    assert any(r.get("request_id") == SCAN_ID for r in access)
    assert not any("API-key authentication is off" in r["message"] for r in records)
    assert not any(r["logger"] == "uvicorn.access" for r in records)
    assert any("Finished server process" in r["message"] for r in records)


def test_sigterm_finishes_the_request_in_flight(server: Server) -> None:
    body = json.dumps({"medications": [{"text": "Lasix 40 mg"}]}).encode()
    head = (
        f"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body[:10])  # the request is now in flight
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None, "the server must wait for the request"
        sock.sendall(body[10:])
        response = b""
        while b"furosemide" not in response:
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    assert response.startswith(b"HTTP/1.1 200 ")
    assert b'"concept":"furosemide"' in response
    assert server.stop() in CLEAN_EXIT
    messages = [json.loads(line)["message"] for line in server.log_lines()]
    assert "Waiting for application shutdown." in messages
    assert any("Finished server process" in message for message in messages)


def test_several_workers_share_one_metrics_view(tmp_path: Path) -> None:
    server = Server(tmp_path, CRAMP_WORKERS="2", CRAMP_LOG_LEVEL="warning")
    try:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            for _ in range(12):
                client.post("/v1/check", json={"medications": [{"text": "Lasix"}]})
            # Whichever worker answers the scrape, it reports all twelve checks.
            for _ in range(4):
                text = client.get("/metrics").text
                line = 'cramp_http_requests_total{method="POST",route="/v1/check",status="200"}'
                assert f"{line} 12.0" in text
    finally:
        assert server.stop() in CLEAN_EXIT
