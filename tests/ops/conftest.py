"""Fixtures for the operations and security tests: apps built from settings, signing keys."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings

Client = TestClient[Litestar]
PUBLIC_URL = "https://cramp.example.org"
ISSUER = "https://ehr.example.org"

# Identifiable text that must never reach a log line.
PATIENT_TEXT = "John Q Public SSN 123-45-6789 furosemide"
IDENTIFIERS = ("John", "Public", "123-45-6789", "SSN")


@pytest.fixture
def app_with() -> Iterator[Callable[..., Client]]:
    """``app_with(CRAMP_API_KEYS="k")``: a started test client of an app built from env."""
    clients: list[Client] = []

    def make(**env: str) -> Client:
        client = TestClient(create_app(Settings.from_env(env)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


class Signer:
    """An EHR's signing key and the JWKS that publishes its public half."""

    def __init__(self, algorithm: str, kid: str) -> None:
        self.algorithm = algorithm
        self.kid = kid
        public: dict[str, Any]
        if algorithm.startswith("RS"):
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            curve = ec.SECP256R1() if algorithm == "ES256" else ec.SECP384R1()
            self.private = ec.generate_private_key(curve)
            public = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "use": "sig", "alg": algorithm}

    def token(self, path: str = "/cds-services/cramp-check", **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "client-id",
            "aud": PUBLIC_URL + path,
            "iat": now,
            "exp": now + 120,
            "jti": uuid.uuid4().hex,
        }
        headers = {"kid": self.kid, "typ": "JWT"}
        for name, value in overrides.items():
            if name.startswith("header_"):
                headers[name.removeprefix("header_")] = value
            elif value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers=headers)


@pytest.fixture(scope="session")
def rsa_signer() -> Signer:
    return Signer("RS384", "ehr-rsa-1")


@pytest.fixture(scope="session")
def ec_signer() -> Signer:
    return Signer("ES384", "ehr-ec-1")


@pytest.fixture(scope="session")
def jwks(rsa_signer: Signer, ec_signer: Signer) -> dict[str, Any]:
    return {"keys": [rsa_signer.jwk, ec_signer.jwk]}


@pytest.fixture(scope="session")
def jwks_json(jwks: dict[str, Any]) -> str:
    return json.dumps(jwks)


# ---- the real server process ------------------------------------------------------------

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
        self.log_path = tmp_path / f"server-{self.port}.stderr"
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
        # Generous: each worker loads the knowledge base, slowly on a busy CI machine.
        deadline = time.monotonic() + 120
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

    def records(self) -> list[dict[str, Any]]:
        """The JSON log records written so far."""
        return [json.loads(line) for line in self.log_lines() if line.startswith("{")]


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the most memory the process ever held resident, KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")
