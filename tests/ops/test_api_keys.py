"""Optional API-key authentication, CORS, and the service unchanged when neither is set."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx import Response

from service.settings import Settings
from service.web.security import ApiKeys
from tests.ops.conftest import Client

BODY = {"medications": [{"text": "Lasix 40 mg PO daily"}]}
KEYS = "first-key-0123456789,second-key-abcdef"


@pytest.fixture
def secured(app_with: Callable[..., Client]) -> Client:
    return app_with(CRAMP_API_KEYS=KEYS)


def assert_401(response: Response, *, invalid: bool) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 401
    assert problem["instance"] == response.request.url.path
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="cramp-checker"')
    assert ('error="invalid_token"' in challenge) is invalid


def test_without_keys_the_service_works_as_before(app_with: Callable[..., Client]) -> None:
    client = app_with()
    response = client.post("/v1/check", json=BODY)
    assert response.status_code == 200
    assert response.json()["medications"][0]["concept"] == "furosemide"


def test_missing_key_is_401_problem(secured: Client) -> None:
    assert_401(secured.post("/v1/check", json=BODY), invalid=False)
    assert_401(secured.get("/v1/knowledge"), invalid=False)
    assert_401(secured.get("/schema/openapi.json"), invalid=False)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "wrong"},
        {"X-API-Key": "first-key-012345678"},  # a prefix of a real key
        {"X-API-Key": "first-key-0123456789x"},  # a real key and more
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic Zmlyc3Qta2V5LTAxMjM0NTY3ODk="},  # other schemes are ignored
    ],
)
def test_wrong_key_is_401(secured: Client, headers: dict[str, str]) -> None:
    response = secured.post("/v1/check", json=BODY, headers=headers)
    assert_401(response, invalid="Basic" not in headers.get("Authorization", ""))


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "first-key-0123456789"},
        {"X-API-Key": "second-key-abcdef"},
        {"Authorization": "Bearer second-key-abcdef"},
        {"authorization": "bearer first-key-0123456789"},
    ],
)
def test_valid_key_is_accepted(secured: Client, headers: dict[str, str]) -> None:
    response = secured.post("/v1/check", json=BODY, headers=headers)
    assert response.status_code == 200
    assert response.json()["medications"][0]["status"] == "flagged"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_and_metrics_need_no_key(secured: Client, path: str) -> None:
    assert secured.get(path).status_code == 200


def test_api_keys_compare_digests_of_every_key() -> None:
    keys = ApiKeys(["alpha", "beta"])
    assert keys.valid("alpha")
    assert keys.valid("beta")
    assert not keys.valid("")
    assert not keys.valid("alph")
    assert not keys.valid("alpha ")
    with pytest.raises(ValueError, match="at least one"):
        ApiKeys([""])


def test_keys_come_from_the_environment_and_never_show() -> None:
    settings = Settings.from_env({"CRAMP_API_KEYS": " one , two ,, "})
    assert settings.api_keys == ("one", "two")
    assert "one" not in repr(settings)
    assert "<redacted>" in repr(settings)


def test_cors_off_by_default(app_with: Callable[..., Client]) -> None:
    client = app_with()
    response = client.post("/v1/check", json=BODY, headers={"Origin": "https://app.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_configured_origins_only(app_with: Callable[..., Client]) -> None:
    client = app_with(
        CRAMP_CORS_ORIGINS="https://pharmacy.example, https://ehr.example",
        CRAMP_API_KEYS=KEYS,
    )
    preflight = client.options(
        "/v1/check",
        headers={
            "Origin": "https://pharmacy.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
    )
    assert preflight.status_code in (200, 204)  # preflight needs no key
    assert preflight.headers["access-control-allow-origin"] == "https://pharmacy.example"
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()

    allowed = client.post(
        "/v1/check",
        json=BODY,
        headers={"Origin": "https://ehr.example", "X-API-Key": "second-key-abcdef"},
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://ehr.example"
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()

    # A browser can read the 401 too (CORS headers on errors).
    refused = client.post("/v1/check", json=BODY, headers={"Origin": "https://ehr.example"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "https://ehr.example"

    other = client.post(
        "/v1/check",
        json=BODY,
        headers={"Origin": "https://evil.example", "X-API-Key": "second-key-abcdef"},
    )
    assert "access-control-allow-origin" not in other.headers
