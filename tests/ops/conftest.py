"""Fixtures for the operations and security tests: apps built from settings, signing keys."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

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
