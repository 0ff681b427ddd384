"""The pharmacist's page over HTTP: headers, hashed assets, the API-key rule, the setting.

What the page shows is tested in a real browser (``test_page_browser.py``)."""

from __future__ import annotations

import contextlib
import gzip
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from service.web.page import CONTENT_SECURITY_POLICY, STATIC_DIR

ASSET_URL = re.compile(r'(?:src|href)="(/static/[^"]+)"')
# Every piece of the page, gzipped as it is sent: a budget that keeps the page fast.
GZIP_BUDGET = 24_000


def assets_of(html: str) -> list[str]:
    return ASSET_URL.findall(html)


@contextlib.contextmanager
def client_with(**env: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(Settings.from_env(env))) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/check"])
def test_page_is_served_with_a_strict_policy_and_never_stored(
    client: TestClient[Litestar], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_page_has_no_inline_code_and_nothing_from_other_origins(
    client: TestClient[Litestar],
) -> None:
    html = client.get("/").text
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "inline script"
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None, "inline style"
    assert re.search(r"\son[a-z]+=", html) is None, "inline event handler"
    assert "{{" not in html, "an asset placeholder was not filled in"
    urls = re.findall(r'(?:src|href|action)="([^"#]+)"', html)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert sorted(name.split(".")[0] for name in (u.rsplit("/", 1)[1] for u in urls)) == [
        "icon",
        "page",
        "page",
    ]


def test_assets_have_content_hashed_urls_and_are_cached_for_a_year(
    client: TestClient[Litestar],
) -> None:
    total = len(gzip.compress(client.get("/").content))
    for url in assets_of(client.get("/").text):
        name = url.rsplit("/", 1)[1]
        stem, digest, extension = name.split(".")
        assert re.fullmatch(r"[0-9a-f]{12}", digest)
        source = (STATIC_DIR / f"{stem}.{extension}").read_bytes()
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200
        assert plain.content == source
        assert plain.headers["cache-control"] == "max-age=31536000, public, immutable"
        assert plain.headers["x-content-type-options"] == "nosniff"
        expected_type = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml"}
        assert plain.headers["content-type"].startswith(expected_type[extension])
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == source  # httpx decodes it
        total += int(packed.headers["content-length"])
    assert total < GZIP_BUDGET, f"the page weighs {total} bytes gzipped"


@pytest.mark.parametrize(
    "path", ["/static/page.js", "/static/page.000000000000.js", "/static/page.html"]
)
def test_only_hashed_assets_are_served(client: TestClient[Litestar], path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_page_is_not_part_of_the_api_document(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert not any(path in ("/", "/check") or path.startswith("/static") for path in paths)


def test_reports_are_never_stored(client: TestClient[Litestar]) -> None:
    check = client.post("/v1/check", json={"medications": [{"text": "Lasix 40 mg"}]})
    assert check.status_code == 200
    assert check.headers["cache-control"] == "no-store"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "medicationCodeableConcept": {"text": "furosemide 40 mg"},
                }
            }
        ],
    }
    fhir = client.post("/v1/check/fhir", json=bundle)
    assert fhir.status_code == 200
    assert fhir.headers["cache-control"] == "no-store"


def test_with_api_keys_the_page_loads_but_the_api_asks_for_a_key() -> None:
    with client_with(CRAMP_API_KEYS="counter-key") as secured:
        page = secured.get("/check")
        assert page.status_code == 200
        for url in assets_of(page.text):
            assert secured.get(url).status_code == 200
        assert secured.get("/v1/knowledge?kind=analyte").status_code == 401
        body = {"medications": [{"text": "x"}]}
        assert secured.post("/v1/check", json=body).status_code == 401
        key = {"X-API-Key": "counter-key"}
        assert secured.get("/v1/knowledge?kind=analyte", headers=key).status_code == 200


def test_the_page_can_be_turned_off() -> None:
    with client_with(CRAMP_PAGE="off") as quiet:
        assert quiet.get("/").status_code == 404
        assert quiet.get("/check").status_code == 404
        assert quiet.get("/healthz").status_code == 200
