"""All configuration in one place, read from ``CRAMP_*`` environment variables.

``Settings.from_env()`` is called once, by the process entry points (``create_app``, the
CLI commands); every part of the service receives the ``Settings`` (or the part of it it
needs) from there and never reads the environment itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec

from service.allowlist import Entry as HostEntry
from service.allowlist import parse_entries
from service.errors import CrampError
from service.knowledge.loader import default_datasets_dir
from service.knowledge.severity import Indicator
from service.limits import (
    BATCH_LIMIT_CONCURRENCY,
    BATCH_MAX_BODY_BYTES,
    BATCH_MAX_LINES,
    BODY_BUFFER_BYTES,
    BODY_DEADLINE,
    BODY_MIN_RATE,
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    LIMIT_CONCURRENCY,
    MAX_BODY_BYTES,
    MAX_CONNECTIONS,
    MAX_FHIR_BODY_BYTES,
    MAX_HEADER_BYTES,
    SEND_TIMEOUT,
)

ENV_PREFIX = "CRAMP_"
FHIR_ENV_PREFIX = "CRAMP_FHIR_"

Seconds = Annotated[float, msgspec.Meta(gt=0, le=60)]
ServerSeconds = Annotated[float, msgspec.Meta(gt=0, le=3600)]
Count = Annotated[int, msgspec.Meta(ge=0)]
Positive = Annotated[int, msgspec.Meta(ge=1)]


class ConfigurationError(CrampError):
    """A setting cannot be used; ``variable`` names it (``CRAMP_PORT``), ``reason`` says
    why without repeating its value (it may be a secret)."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"{variable}: {reason}")
        self.variable = variable
        self.reason = reason


class FhirSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Reading FHIR data: request bodies, the CDS Hooks fetch from ``fhirServer``, and
    Bundle files.

    Each field is set by ``CRAMP_FHIR_<NAME>`` (e.g. ``CRAMP_FHIR_ALLOWED_HOSTS``).
    """

    # The FHIR servers (a CDS Hooks call's `fhirServer`) this service may fetch from,
    # comma-separated. Empty (the default): none; prefetch still works. `*`: any host whose
    # addresses are all public. `*.example.org`: its sub-domains, public addresses only.
    # A host named exactly (`fhir.example.org`, `10.1.2.3`, `127.0.0.1`) may also have
    # private, loopback or link-local addresses (docs/operations.md). Each entry allows the
    # scheme's default port, or the one it names (`host:8443`), or any (`host:*`); an entry
    # that could never match (a URL, a bad port) is refused at start.
    allowed_hosts: str = ""
    # A PEM file of the certificate authorities trusted for https fhirServers (a clinic's
    # own CA); empty: the public CAs of the certifi bundle.
    ca_bundle: str = ""
    # Seconds per request.
    connect_timeout: Seconds = 2.0
    read_timeout: Seconds = 2.0
    # Seconds for all fetches of one hook call together.
    budget: Seconds = 4.0
    # FHIR requests per hook call, pages included.
    max_requests: Annotated[int, msgspec.Meta(ge=1, le=100)] = 12
    # Pages read per search (the first included), for fetched searches and prefetch alike.
    max_pages: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5
    # Largest FHIR request body (POST /v1/check/fhir, CDS Hooks calls); larger gets 413.
    max_body_bytes: Annotated[int, msgspec.Meta(ge=65536, le=64 * 1024 * 1024)] = (
        MAX_FHIR_BODY_BYTES
    )
    # Largest FHIR response read, bytes after decompression (larger: the search fails).
    max_response_bytes: Annotated[int, msgspec.Meta(ge=1024, le=64 * 1024 * 1024)] = 4 * 1024 * 1024
    # All responses fetched for one hook call together, bytes after decompression. With
    # the body, this bounds a call's memory (docs/operations.md, "Memory").
    max_fetch_bytes: Annotated[int, msgspec.Meta(ge=1024, le=256 * 1024 * 1024)] = 8 * 1024 * 1024
    # FHIR requests read at once per worker (POST /v1/check/fhir, CDS Hooks calls); more
    # wait for a slot, and get 503 after `budget` + 1 s. Bounds the worker's memory
    # (docs/operations.md, "Memory").
    max_concurrent: Annotated[int, msgspec.Meta(ge=1, le=64)] = 4
    # Labs older than this are not used (0 = no limit).
    lab_max_age_days: Annotated[int, msgspec.Meta(ge=0)] = 400

    def __post_init__(self) -> None:
        if self.ca_bundle and not Path(self.ca_bundle).is_file():
            raise ValueError(f"CRAMP_FHIR_CA_BUNDLE is not a file: {self.ca_bundle}")
        try:
            parse_entries(self.allowed_hosts)
        except ValueError as exc:
            # An entry that could never match would leave every fetch refused, silently.
            raise ValueError(f"CRAMP_FHIR_ALLOWED_HOSTS {exc}") from None

    @property
    def hosts(self) -> tuple[HostEntry, ...]:
        """The parsed allow-list (``service.cdshooks.guard``)."""
        return parse_entries(self.allowed_hosts)

    @property
    def lab_age_limit(self) -> int | None:
        return self.lab_max_age_days or None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FhirSettings:
        env = os.environ if environ is None else environ
        raw = {
            name: env[f"{FHIR_ENV_PREFIX}{name.upper()}"]
            for name in cls.__struct_fields__
            if f"{FHIR_ENV_PREFIX}{name.upper()}" in env
        }
        return msgspec.convert(raw, cls, strict=False)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every ``CRAMP_*`` setting; ``from_env`` raises ``ConfigurationError`` naming the
    variable at fault."""

    # The container default; tests bind 127.0.0.1.
    host: str = "0.0.0.0"
    port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 8000
    log_level: str = "info"
    # Largest accepted request body; larger bodies get 413. FHIR bodies (POST
    # /v1/check/fhir, CDS Hooks calls) have their own: fhir.max_body_bytes.
    max_body_bytes: Positive = MAX_BODY_BYTES
    # POST /v1/check/batch: most lines (array elements) and largest body; above: 413.
    batch_max_lines: Positive = BATCH_MAX_LINES
    batch_max_body_bytes: Positive = BATCH_MAX_BODY_BYTES
    datasets_dir: Path = msgspec.field(default_factory=default_datasets_dir)
    # Serve the interactive OpenAPI pages (Swagger UI, ReDoc, ...). Off: they load their
    # scripts from a third-party CDN. The JSON document (/schema/openapi.json) is always
    # served.
    docs: bool = False
    # Serve the pharmacist's page at / and /check (it calls the API like any client).
    page: bool = True

    # --- server (python -m service serve; docs/operations.md "HTTP limits") ---
    # Worker processes; one per container/pod is the recommended scale-out unit.
    workers: Positive = 1
    # Seconds to let in-flight requests finish after SIGTERM before closing connections.
    graceful_timeout: Count = 20
    # Seconds an idle keep-alive connection stays open.
    keepalive_timeout: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 5
    # Request line and headers, bytes (431 above), and seconds for them to arrive (408).
    max_header_bytes: Annotated[int, msgspec.Meta(ge=1024, le=1_048_576)] = MAX_HEADER_BYTES
    header_timeout: ServerSeconds = HEADER_TIMEOUT
    # A body still arriving after body_timeout seconds must have come at body_min_rate
    # bytes per second on average; otherwise 408 and the connection closes.
    body_timeout: ServerSeconds = BODY_TIMEOUT
    body_min_rate: Count = BODY_MIN_RATE
    # Seconds for a whole body to arrive, whatever its rate; otherwise 408 and close.
    body_deadline: ServerSeconds = BODY_DEADLINE
    # Bytes of bodies beyond the first max_body_bytes of each, held per worker before a
    # slot takes them over (bodies arrive before they take a slot); beyond: 503.
    body_buffer_bytes: Positive = BODY_BUFFER_BYTES
    # Seconds a response may wait on a client that does not read it (then: close).
    send_timeout: ServerSeconds = SEND_TIMEOUT
    # Requests in flight per worker before answering 503 with Retry-After (0 = no limit;
    # /healthz, /readyz and /metrics are never refused).
    limit_concurrency: Count = LIMIT_CONCURRENCY
    # Batch requests in flight per worker (503 with Retry-After beyond; 0 = no limit).
    batch_limit_concurrency: Count = BATCH_LIMIT_CONCURRENCY
    # Open connections per worker; more are answered 503 and closed.
    max_connections: Positive = MAX_CONNECTIONS
    # Listen backlog.
    backlog: Positive = 2048

    # --- logs and metrics ---
    # "json" (one object per line, for log shippers) or "text" (for a terminal).
    log_format: str = "json"
    # One log line per request: method, route, status, duration, request id; never bodies.
    access_log: bool = True
    # Serve Prometheus metrics at /metrics.
    metrics: bool = True

    # --- security ---
    # API keys accepted on the REST API (X-API-Key or Authorization: Bearer); comma-
    # separated. Empty = no API-key authentication.
    api_keys: tuple[str, ...] = ()
    # Origins allowed by CORS (comma-separated; "*" for any). Empty = no CORS headers.
    cors_origins: tuple[str, ...] = ()
    # The service's external base URL (scheme://host[:port]), as the EHR calls it: the
    # audience a CDS Hooks JWT must carry is this URL plus the request path.
    public_url: str = ""
    # CDS Hooks JWT verification is on when this is set: the trusted issuers (iss), comma-
    # separated. Requires cds_jwks and public_url.
    cds_jwt_issuers: tuple[str, ...] = ()
    # The trusted issuers' public keys: a JWKS as inline JSON or the path of a JWKS file.
    cds_jwks: str = ""
    # Longest accepted token lifetime (exp - now), seconds; CDS Hooks asks for <= 5 min.
    cds_jwt_max_lifetime: int = 300
    # Clock skew tolerated on exp/iat, seconds.
    cds_jwt_leeway: int = 30
    # Token ids (jti) remembered against replay; the oldest are dropped beyond this.
    cds_jti_cache_size: int = 100_000
    # The least CDS Hooks card indicator a service answers with (info, warning or
    # critical); cards below it are left out. Patient-view shows every contributor; the
    # order hooks (order-select, order-sign, medication-prescribe) interrupt prescribing,
    # so by default they leave out info cards (one low contributor: a new statin, PPI or
    # thiazide with nothing abnormal). docs/cds-hooks.md, "Which cards".
    cds_patient_view_min_indicator: str = "info"
    cds_order_min_indicator: str = "warning"

    # --- FHIR (CRAMP_FHIR_*) ---
    fhir: FhirSettings = msgspec.field(default_factory=FhirSettings)

    def __post_init__(self) -> None:
        if self.log_level.lower() not in ("critical", "error", "warning", "info", "debug", "trace"):
            raise ValueError(
                "CRAMP_LOG_LEVEL must be critical, error, warning, info, debug or trace"
            )
        if self.log_format not in ("json", "text"):
            raise ValueError("CRAMP_LOG_FORMAT must be 'json' or 'text'")
        if self.cds_jwt_issuers and not (self.cds_jwks and self.public_url):
            raise ValueError("CRAMP_CDS_JWT_ISSUERS needs CRAMP_CDS_JWKS and CRAMP_PUBLIC_URL")
        for name in ("cds_patient_view_min_indicator", "cds_order_min_indicator"):
            if getattr(self, name) not in INDICATORS:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be info, warning or critical")
        largest = max(self.batch_max_body_bytes, self.fhir.max_body_bytes) - self.max_body_bytes
        if self.body_buffer_bytes < largest:
            raise ValueError(
                "CRAMP_BODY_BUFFER_BYTES must hold the largest body (CRAMP_BATCH_MAX_BODY_BYTES, "
                "CRAMP_FHIR_MAX_BODY_BYTES) beyond CRAMP_MAX_BODY_BYTES"
            )
        if self.cds_jti_cache_size < 1 or self.cds_jwt_max_lifetime < 1:
            raise ValueError(
                "CRAMP_CDS_JTI_CACHE_SIZE and CRAMP_CDS_JWT_MAX_LIFETIME must be positive"
            )

    def cds_min_indicator(self, *, orders: bool) -> Indicator:
        """The least card indicator of a CDS service: of the order hooks or patient-view."""
        return INDICATORS[
            self.cds_order_min_indicator if orders else self.cds_patient_view_min_indicator
        ]

    def __repr__(self) -> str:
        # Never show secrets (API keys) where settings get printed or logged.
        shown = {
            name: ("<redacted>" if name == "api_keys" and value else value)
            for name in self.__struct_fields__
            for value in [getattr(self, name)]
        }
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {
            name: env[f"{ENV_PREFIX}{name.upper()}"]
            for name in cls.__struct_fields__
            if name != "fhir" and f"{ENV_PREFIX}{name.upper()}" in env
        }
        try:
            raw["fhir"] = msgspec.to_builtins(FhirSettings.from_env(env))
        except msgspec.ValidationError as exc:
            raise _configuration_error(exc, "fhir.") from None
        for name in _LIST_FIELDS:
            if isinstance(value := raw.get(name), str):
                raw[name] = [item.strip() for item in value.split(",") if item.strip()]
        for name in _BOOL_FIELDS:
            if isinstance(value := raw.get(name), str) and value.strip().lower() in _BOOLEANS:
                raw[name] = _BOOLEANS[value.strip().lower()]
        try:
            return msgspec.convert(raw, cls, strict=False, dec_hook=_decode)
        except msgspec.ValidationError as exc:
            raise _configuration_error(exc) from None


_ERROR_PATH = re.compile(r"^(?P<reason>.*) - at `\$\.(?P<path>[a-z_.]+)`$")


def _configuration_error(exc: msgspec.ValidationError, prefix: str = "") -> ConfigurationError:
    """``Expected `int`, got `str` - at `$.fhir.read_timeout``` -> the variable
    ``CRAMP_FHIR_READ_TIMEOUT`` and the reason; a rule across settings names its own."""
    message = str(exc)
    match = _ERROR_PATH.match(message)
    if match is None:
        variable, _, reason = message.partition(" ")
        return ConfigurationError(variable, reason)
    variable = ENV_PREFIX + (prefix + match.group("path")).replace(".", "_").upper()
    return ConfigurationError(variable, match.group("reason"))


INDICATORS: dict[str, Indicator] = {"info": "info", "warning": "warning", "critical": "critical"}
# Settings given as comma-separated lists, and accepted spellings of booleans.
_LIST_FIELDS = ("api_keys", "cors_origins", "cds_jwt_issuers")
_BOOL_FIELDS = ("docs", "page", "access_log", "metrics")
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


def _decode(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)
