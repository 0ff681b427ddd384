"""Fixtures for the CDS Hooks tests: the real app, the fixture requests, a loopback FHIR server."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings
from tests.cdshooks.fhir_server import FIXTURES, FhirServer, load_resources, serve

Client = TestClient[Litestar]
PATIENT_ID = "cdsp-1001"
PATIENT_VIEW = "/cds-services/cramp-risk-patient-view"
ORDER_SELECT = "/cds-services/cramp-risk-order-select"
ORDER_SIGN = "/cds-services/cramp-risk-order-sign"
MEDICATION_PRESCRIBE = "/cds-services/cramp-risk-medication-prescribe"
# Fixture labs are dated; tests must not depend on today's date.
TEST_SETTINGS = FhirSettings(lab_max_age_days=0, allowed_hosts="127.0.0.1:*")


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def request_body() -> Callable[[str], dict[str, Any]]:
    """A fresh copy of a fixture CDS Hooks request (tests may edit it)."""
    return lambda name: copy.deepcopy(fixture(name))


def make_client(settings: FhirSettings = TEST_SETTINGS, **options: Any) -> Client:
    """The real app; `options` are other `Settings` fields (`cds_order_min_indicator`)."""
    client = TestClient(create_app(Settings(fhir=settings, **options)))
    client.__enter__()
    return client


@pytest.fixture(scope="module")
def cds() -> Iterator[Client]:
    client = make_client()
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def client_with() -> Iterator[Callable[[FhirSettings], Client]]:
    clients: list[Client] = []

    def make(settings: FhirSettings) -> Client:
        client = make_client(settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def fhir_server() -> Iterator[FhirServer]:
    with serve(FhirServer(load_resources())) as server:
        yield server


def only_server(body: dict[str, Any], server: FhirServer, *, token: bool = True) -> dict[str, Any]:
    """The request without prefetch, pointing at the loopback FHIR server."""
    body = {k: v for k, v in body.items() if k != "prefetch"}
    body["fhirServer"] = server.base
    if token:
        body["fhirAuthorization"] = {
            "access_token": server.token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "cramp-risk",
        }
    return body
