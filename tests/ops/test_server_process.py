"""The real server process (`python -m service serve`): JSON logs on stderr with no patient
data, no Server header, and a graceful exit on SIGTERM that finishes in-flight requests.

uvicorn re-raises SIGTERM after its graceful shutdown, so a clean stop ends with the
signal's status (-15 here, 143 in a container), after "Finished server process"."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import IDENTIFIERS, PATIENT_TEXT

ROOT = Path(__file__).resolve().parents[2]
CLEAN_EXIT = (0, -signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, tmp_path: Path, **extra_env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "server.stderr"
        self._log = self.log_path.open("wb")
        env = {
            **os.environ,
            "CRAMP_HOST": "127.0.0.1",
            "CRAMP_PORT": str(self.port),
            "CRAMP_LOG_LEVEL": "debug",
            "CRAMP_LOG_FORMAT": "json",
            "CRAMP_GRACEFUL_TIMEOUT": "10",
            **extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("the server did not become ready")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines()


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
            headers={"X-Request-ID": "scan-1", "X-Patient-Name": PATIENT_TEXT},
        )
        assert ok.status_code == 200
        assert ok.json()["medications"][0]["concept"] == "furosemide"
        assert ok.headers["x-request-id"] == "scan-1"
        assert "server" not in ok.headers
        bad = client.post("/v1/check", content=f'{{"John": "{PATIENT_TEXT}"'.encode())
        assert bad.status_code == 400
        wrong = client.post("/v1/check", json={"medications": [{"coding": PATIENT_TEXT}]})
        assert wrong.status_code == 400
        assert client.get("/v1/patients/John-Q-Public/123-45-6789").status_code == 404
        huge = client.post("/v1/check", content=b'{"x": "' + b"John " * 300_000 + b'"}')
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
    assert any(r.get("request_id") == "scan-1" for r in access)
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
