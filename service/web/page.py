"""The pharmacist's page: ``GET /`` and ``GET /check``, and its assets under ``/static/``.

Plain HTML, one stylesheet and one script from ``service/web/static/``, read once. Each
asset's URL carries a hash of its content, so browsers keep it for a year without asking
again and a new release is fetched at once; the HTML itself is never stored. The page calls
the same ``POST /v1/check`` (and ``/v1/check/fhir``) as any integrator: it holds no
clinical logic. It loads without an API key; the API behind it keeps its own rule.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

STATIC_DIR = Path(__file__).with_name("static")
PAGE_PATHS = ("/", "/check")
ASSET_PREFIX = "/static/"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page's files and their media types; the HTML names each as {{file name}}.
ASSETS = {
    "page.css": "text/css",
    "page.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}
_IMMUTABLE = CacheControlHeader(public=True, max_age=31_536_000, immutable=True).to_header()
_NO_STORE = CacheControlHeader(no_store=True)


class Asset(msgspec.Struct, frozen=True):
    body: bytes
    gzipped: bytes
    media_type: str


class Page(msgspec.Struct, frozen=True):
    html: bytes
    # By hashed file name (``page.3f2a9c1b7d4e.js``).
    assets: dict[str, Asset]


@functools.cache
def load_page(directory: Path = STATIC_DIR) -> Page:
    """The HTML with hashed asset URLs filled in, and the assets by hashed name."""
    html = (directory / "page.html").read_text(encoding="utf-8")
    assets: dict[str, Asset] = {}
    for name, media_type in ASSETS.items():
        body = (directory / name).read_bytes()
        stem, _, extension = name.rpartition(".")
        hashed = f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}.{extension}"
        assets[hashed] = Asset(body, gzip.compress(body, mtime=0), media_type)
        html = html.replace("{{" + name + "}}", ASSET_PREFIX + hashed)
    return Page(html.encode(), assets)


@get(
    list(PAGE_PATHS),
    include_in_schema=False,
    sync_to_thread=False,
    cache_control=_NO_STORE,
    media_type=MediaType.HTML,
)
def page() -> Response[bytes]:
    return Response(load_page().html, headers=PAGE_HEADERS)


@get(ASSET_PREFIX + "{name:str}", include_in_schema=False, sync_to_thread=False)
def asset(name: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
    found = load_page().assets.get(name)
    if found is None:
        raise NotFoundException("no such asset")
    headers = {
        "Cache-Control": _IMMUTABLE,
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def page_handlers() -> list[HTTPRouteHandler]:
    """The page's routes, its files read now so that a missing one stops the start."""
    load_page()
    return [page, asset]
