"""Authentication (API keys for the REST API, JWT for CDS Hooks) and CORS, from settings.

- API keys (``CRAMP_API_KEYS``, comma-separated): when set, every request needs one, in
  ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``. Keys are compared as SHA-256
  digests with ``hmac.compare_digest`` against every configured key (constant time, no
  early exit, no length leak).
- CDS Hooks (``/cds-services`` and everything under it): when ``CRAMP_CDS_JWT_ISSUERS`` is
  set, the EHR's signed JWT is required instead (see ``service.web.cds_auth``); otherwise
  the API keys apply there too when they are set.
- Always open: ``/healthz``, ``/readyz`` and ``/metrics`` (probes and scrapes; no patient
  data), the pharmacist's page and its assets (``/``, ``/check``, ``/static/...``: no
  patient data; the page asks for a key when the API it calls answers 401), and
  ``OPTIONS`` (CORS preflight).

A request that fails gets ``401`` ``application/problem+json`` with ``WWW-Authenticate``.
With neither keys nor issuers configured, nothing changes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.types import ASGIApp, Middleware, Receive, Scope, Send

from service.settings import Settings
from service.web.cds_auth import CdsAuthError, CdsJwtVerifier
from service.web.page import ASSET_PREFIX, PAGE_PATHS

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", *PAGE_PATHS})
CDS_PREFIX = "/cds-services"
REALM = "cramp-checker"


class ApiKeys:
    """The configured keys, kept only as SHA-256 digests."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = [hashlib.sha256(key.encode()).digest() for key in keys if key]
        if not self._digests:
            raise ValueError("at least one API key is needed")

    def valid(self, candidate: str) -> bool:
        digest = hashlib.sha256(candidate.encode()).digest()
        matched = False
        for known in self._digests:  # every key, every time: no early exit
            matched |= hmac.compare_digest(digest, known)
        return matched


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == wanted:
            return value.decode("latin-1").strip()
    return None


def bearer_token(scope: Scope) -> str | None:
    authorization = _header(scope, b"authorization")
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthorized(detail: str, *, realm: str = REALM, error: str | None = None) -> Exception:
    challenge = f'Bearer realm="{realm}"'
    if error:
        challenge += f', error="{error}"'
    return NotAuthorizedException(detail=detail, headers={"WWW-Authenticate": challenge})


class Authentication:
    """Route middleware: checks credentials before the handler runs."""

    def __init__(
        self, app: ASGIApp, *, api_keys: ApiKeys | None, cds: CdsJwtVerifier | None
    ) -> None:
        self.app = app
        self.api_keys = api_keys
        self.cds = cds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] != "OPTIONS":
            path: str = scope["path"]
            if path not in EXEMPT_PATHS and not path.startswith(ASSET_PREFIX):
                is_cds = path == CDS_PREFIX or path.startswith(CDS_PREFIX + "/")
                if is_cds and self.cds is not None:
                    self._check_jwt(scope, path)
                elif self.api_keys is not None:
                    self._check_key(scope)
        await self.app(scope, receive, send)

    def _check_key(self, scope: Scope) -> None:
        assert self.api_keys is not None
        candidate = _header(scope, b"x-api-key") or bearer_token(scope)
        if candidate is None:
            raise _unauthorized("API key required (X-API-Key or Authorization: Bearer)")
        if not self.api_keys.valid(candidate):
            raise _unauthorized("Invalid API key", error="invalid_token")

    def _check_jwt(self, scope: Scope, path: str) -> None:
        assert self.cds is not None
        token = bearer_token(scope)
        if token is None:
            raise _unauthorized("CDS Hooks JWT required (Authorization: Bearer)", realm=CDS_PREFIX)
        try:
            self.cds.verify(token, path)
        except CdsAuthError as exc:
            raise _unauthorized(
                f"Invalid CDS Hooks JWT: {exc.reason}", realm=CDS_PREFIX, error="invalid_token"
            ) from None


def authentication(settings: Settings) -> list[Middleware]:
    """The authentication middleware for ``Litestar(middleware=...)``, if any is enabled."""
    api_keys = ApiKeys(settings.api_keys) if settings.api_keys else None
    cds = CdsJwtVerifier.from_settings(settings) if settings.cds_jwt_issuers else None
    if api_keys is None and cds is None:
        return []

    def middleware(app: ASGIApp) -> ASGIApp:
        return Authentication(app, api_keys=api_keys, cds=cds)

    return [middleware]


def cors(settings: Settings) -> CORSConfig | None:
    """CORS for browser clients from ``CRAMP_CORS_ORIGINS``; none when unset."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-API-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
        allow_credentials=False,
        max_age=600,
    )
