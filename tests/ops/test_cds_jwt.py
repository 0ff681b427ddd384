"""CDS Hooks: the EHR's JWT, verified against configured keys, issuers and audience."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from litestar import Litestar, get, post
from litestar.exceptions import HTTPException
from litestar.testing import TestClient

from service.settings import ConfigurationError, Settings
from service.web.cds_auth import CdsAuthError, CdsJwtVerifier, ReplayCache, load_jwks
from service.web.problems import http_handler
from service.web.security import authentication
from tests.ops.conftest import ISSUER, PUBLIC_URL, Client, Signer

SERVICE = "/cds-services/cramp-check"


def verifier(jwks: dict[str, Any], **options: Any) -> CdsJwtVerifier:
    return CdsJwtVerifier(issuers=[ISSUER], jwks=jwks, public_url=PUBLIC_URL, **options)


# ---- the verifier -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "ES256", "ES384"])
def test_each_allowed_algorithm_verifies(algorithm: str) -> None:
    signer = Signer(algorithm, f"k-{algorithm}")
    claims = verifier({"keys": [signer.jwk]}).verify(signer.token(), SERVICE)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == PUBLIC_URL + SERVICE


def reason(check: CdsJwtVerifier, token: str, path: str = SERVICE) -> str:
    with pytest.raises(CdsAuthError) as caught:
        check.verify(token, path)
    return caught.value.reason


def test_signature_must_match_a_configured_key(jwks: dict[str, Any], rsa_signer: Signer) -> None:
    check = verifier(jwks)
    stranger = Signer("RS384", rsa_signer.kid)  # same kid, different key
    assert "signature" in reason(check, stranger.token())
    unknown = Signer("RS384", "someone-else")
    assert "unknown kid" in reason(check, unknown.token())


def test_a_token_without_kid_is_refused_even_with_one_key(rsa_signer: Signer) -> None:
    """CDS Hooks 2.0.1: the JWT header's `kid` is REQUIRED."""
    only_key = verifier({"keys": [rsa_signer.jwk]})
    assert "no kid" in reason(only_key, rsa_signer.token(header_kid=""))
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": PUBLIC_URL + SERVICE, "iat": now, "exp": now + 60, "jti": "k"}
    without = jwt.encode(claims, rsa_signer.private, algorithm=rsa_signer.algorithm)
    assert "kid" not in jwt.get_unverified_header(without)
    assert "no kid" in reason(only_key, without)
    assert only_key.verify(rsa_signer.token(), SERVICE)["iss"] == ISSUER


def test_none_and_hmac_are_never_accepted(jwks: dict[str, Any], rsa_signer: Signer) -> None:
    check = verifier(jwks)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": PUBLIC_URL + SERVICE, "iat": now, "exp": now + 60, "jti": "x"}
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": rsa_signer.kid})
    assert "algorithm" in reason(check, unsigned)
    # HS256 under a trusted kid: the algorithm-confusion attack.
    forged = jwt.encode(
        claims,
        b"n-and-e-of-the-public-key-32byte",
        algorithm="HS256",
        headers={"kid": rsa_signer.kid},
    )
    assert "algorithm" in reason(check, forged)


def test_algorithm_must_fit_the_key(jwks: dict[str, Any]) -> None:
    # An RS256 token presented under the ES384 key's kid is refused before verifying.
    rs256 = Signer("RS256", "ehr-ec-1")
    assert "does not match" in reason(verifier(jwks), rs256.token())


def test_audience_is_the_service_url_of_the_endpoint(
    jwks: dict[str, Any], rsa_signer: Signer
) -> None:
    check = verifier(jwks)
    assert "audience" in reason(check, rsa_signer.token(aud="https://other.example/cds"))
    # A token for one service cannot be used on another.
    assert "audience" in reason(check, rsa_signer.token(), "/cds-services/other")
    assert check.verify(rsa_signer.token("/cds-services"), "/cds-services")["jti"]


def test_issuer_must_be_trusted(jwks: dict[str, Any], rsa_signer: Signer) -> None:
    assert "issuer" in reason(verifier(jwks), rsa_signer.token(iss="https://rogue.example"))


def test_expiry_and_lifetime(jwks: dict[str, Any], rsa_signer: Signer) -> None:
    check = verifier(jwks, leeway=5)
    now = int(time.time())
    assert "expired" in reason(check, rsa_signer.token(iat=now - 600, exp=now - 60))
    assert "too long" in reason(check, rsa_signer.token(exp=now + 3600))
    assert "not valid yet" in reason(check, rsa_signer.token(iat=now + 600))


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "iss", "aud"])
def test_required_claims(jwks: dict[str, Any], rsa_signer: Signer, claim: str) -> None:
    missing: dict[str, Any] = {claim: None}
    assert reason(verifier(jwks), rsa_signer.token(**missing))


def test_jti_replay_is_refused(jwks: dict[str, Any], ec_signer: Signer) -> None:
    check = verifier(jwks)
    token = ec_signer.token()
    check.verify(token, SERVICE)
    assert "replay" in reason(check, token)


def test_replay_cache_is_bounded_and_forgets_expired_ids() -> None:
    now = [1000.0]
    cache = ReplayCache(3, lambda: now[0])
    for jti in "abc":
        assert cache.add("iss", jti, 1100.0)
    assert not cache.add("iss", "a", 1100.0)
    assert cache.add("iss", "d", 1100.0)  # "a" (the oldest) is dropped
    assert len(cache) == 3
    now[0] = 1200.0  # all expired
    assert cache.add("iss", "b", 1300.0)
    assert len(cache) == 1


def test_jwks_from_inline_json_or_file(tmp_path: Path, jwks: dict[str, Any]) -> None:
    text = json.dumps(jwks)
    assert load_jwks(text) == jwks
    path = tmp_path / "jwks.json"
    path.write_text(text, encoding="utf-8")
    assert load_jwks(str(path)) == jwks
    with pytest.raises(ValueError, match="keys"):
        load_jwks('{"not": "a jwks"}')


def test_private_and_symmetric_keys_are_refused(rsa_signer: Signer) -> None:
    with pytest.raises(ValueError, match="public keys only"):
        verifier({"keys": [{**rsa_signer.jwk, "d": "secret"}]})
    with pytest.raises(ValueError, match="no usable"):
        verifier({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]})


def test_settings_need_keys_and_url_with_issuers(jwks_json: str) -> None:
    with pytest.raises(ConfigurationError, match="CRAMP_CDS_JWKS and CRAMP_PUBLIC_URL"):
        Settings.from_env({"CRAMP_CDS_JWT_ISSUERS": ISSUER})
    settings = Settings.from_env(
        {
            "CRAMP_CDS_JWT_ISSUERS": f"{ISSUER}, https://second.example",
            "CRAMP_CDS_JWKS": json.dumps(
                {ISSUER: json.loads(jwks_json), "https://second.example": json.loads(jwks_json)}
            ),
            "CRAMP_PUBLIC_URL": PUBLIC_URL + "/",
        }
    )
    assert settings.cds_jwt_issuers == (ISSUER, "https://second.example")
    assert CdsJwtVerifier.from_settings(settings).public_url == PUBLIC_URL


EHR_B = "https://ehr-b.example"


def two_ehrs(value: str) -> CdsJwtVerifier:
    return CdsJwtVerifier.from_settings(
        Settings.from_env(
            {
                "CRAMP_CDS_JWT_ISSUERS": f"{ISSUER},{EHR_B}",
                "CRAMP_CDS_JWKS": value,
                "CRAMP_PUBLIC_URL": PUBLIC_URL,
            }
        )
    )


def test_a_key_verifies_only_tokens_of_its_own_issuer(
    rsa_signer: Signer, ec_signer: Signer, tmp_path: Path
) -> None:
    """Review 20 B10: with one JWKS for two EHRs, EHR A's key signed a token saying it came
    from EHR B, and it was accepted. Each issuer now has its own key set."""
    b_file = tmp_path / "ehr-b.json"
    b_file.write_text(json.dumps({"keys": [rsa_signer.jwk]}), encoding="utf-8")
    check = two_ehrs(json.dumps({ISSUER: {"keys": [ec_signer.jwk]}, EHR_B: str(b_file)}))
    assert check.verify(ec_signer.token(), SERVICE)["iss"] == ISSUER
    assert check.verify(rsa_signer.token(iss=EHR_B), SERVICE)["iss"] == EHR_B
    # EHR A's key, EHR B's name (and the other way round): not trusted.
    assert "unknown kid" in reason(check, ec_signer.token(iss=EHR_B))
    assert "unknown kid" in reason(check, rsa_signer.token())
    assert "not trusted" in reason(check, ec_signer.token(iss="https://evil.example"))
    assert "no 'iss'" in reason(check, ec_signer.token(iss=None))


def test_one_jwks_for_several_issuers_is_refused_at_start(jwks_json: str) -> None:
    with pytest.raises(ConfigurationError, match="give each its own JWKS") as refused:
        two_ehrs(jwks_json)
    assert refused.value.variable == "CRAMP_CDS_JWKS"
    # The issuers of the object must be the trusted ones, no more and no fewer.
    with pytest.raises(ConfigurationError, match="exactly those"):
        two_ehrs(json.dumps({ISSUER: json.loads(jwks_json)}))
    # One issuer with one JWKS: as before.
    single = Settings.from_env(
        {
            "CRAMP_CDS_JWT_ISSUERS": ISSUER,
            "CRAMP_CDS_JWKS": jwks_json,
            "CRAMP_PUBLIC_URL": PUBLIC_URL,
        }
    )
    assert set(CdsJwtVerifier.from_settings(single).keys) == {ISSUER}


# ---- over HTTP: the middleware in front of CDS Hooks routes ----------------------------------


@get("/cds-services", sync_to_thread=False)
def discovery() -> dict[str, list[str]]:
    return {"services": []}


@post(SERVICE, sync_to_thread=False)
def service() -> dict[str, list[str]]:
    return {"cards": []}


@get("/v1/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


def client_for(env: dict[str, str]) -> Client:
    settings = Settings.from_env(env)
    app = Litestar(
        route_handlers=[discovery, service, ping],
        middleware=authentication(settings),
        exception_handlers={HTTPException: http_handler},
        logging_config=None,
    )
    return TestClient(app)


@pytest.fixture
def cds_env(jwks_json: str) -> dict[str, str]:
    return {
        "CRAMP_CDS_JWT_ISSUERS": ISSUER,
        "CRAMP_CDS_JWKS": jwks_json,
        "CRAMP_PUBLIC_URL": PUBLIC_URL,
    }


def test_cds_requests_need_a_valid_token(cds_env: dict[str, str], rsa_signer: Signer) -> None:
    with client_for(cds_env) as client:
        missing = client.post(SERVICE, json={})
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.headers["www-authenticate"] == 'Bearer realm="/cds-services"'

        expired = rsa_signer.token(iat=int(time.time()) - 900, exp=int(time.time()) - 600)
        bad = client.post(SERVICE, json={}, headers={"Authorization": f"Bearer {expired}"})
        assert bad.status_code == 401
        assert 'error="invalid_token"' in bad.headers["www-authenticate"]
        assert "expired" in bad.json()["title"]

        token = rsa_signer.token()
        good = client.post(SERVICE, json={}, headers={"Authorization": f"Bearer {token}"})
        assert good.status_code == 201
        assert good.json() == {"cards": []}
        replayed = client.post(SERVICE, json={}, headers={"Authorization": f"Bearer {token}"})
        assert replayed.status_code == 401

        discovery_token = rsa_signer.token("/cds-services")
        listing = client.get(
            "/cds-services", headers={"Authorization": f"Bearer {discovery_token}"}
        )
        assert listing.status_code == 200
        # The REST API is not behind the JWT (API keys are its guard, here unset).
        assert client.get("/v1/ping").status_code == 200


def test_api_keys_guard_cds_when_no_issuers_are_set() -> None:
    with client_for({"CRAMP_API_KEYS": "k-1"}) as client:
        assert client.get("/cds-services").status_code == 401
        assert client.get("/cds-services", headers={"X-API-Key": "k-1"}).status_code == 200


def test_with_jwt_and_keys_cds_takes_the_jwt_and_rest_the_key(
    cds_env: dict[str, str], ec_signer: Signer
) -> None:
    with client_for({**cds_env, "CRAMP_API_KEYS": "k-1"}) as client:
        # An API key is not a CDS credential...
        assert client.get("/cds-services", headers={"X-API-Key": "k-1"}).status_code == 401
        token = ec_signer.token("/cds-services")
        ok = client.get("/cds-services", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        # ...and a JWT is not a REST credential.
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/v1/ping", headers=bearer).status_code == 401
        assert client.get("/v1/ping", headers={"X-API-Key": "k-1"}).status_code == 200


def test_the_app_s_cds_hooks_routes_need_the_jwt(
    app_with: Callable[..., Client], cds_env: dict[str, str], rsa_signer: Signer
) -> None:
    client = app_with(**cds_env)
    assert client.get("/cds-services").status_code == 401
    token = rsa_signer.token("/cds-services")
    listing = client.get("/cds-services", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    services = listing.json()["services"]
    assert services
    path = f"/cds-services/{services[0]['id']}"
    assert client.post(path, json={}).status_code == 401
    wrong_audience = rsa_signer.token("/cds-services")  # discovery's audience, not this one
    refused = client.post(path, json={}, headers={"Authorization": f"Bearer {wrong_audience}"})
    assert refused.status_code == 401
    accepted = client.post(
        path, json={}, headers={"Authorization": f"Bearer {rsa_signer.token(path)}"}
    )
    assert accepted.status_code != 401  # past authentication (the empty body is the hook's 400)
    # The REST API is unaffected by the JWT setting.
    assert client.post("/v1/check", json={"medications": []}).status_code == 200
