"""Operations: structured logs with a request id, Prometheus metrics, safe error logging.

What is logged about a request: method, route template (``/v1/check``, never the raw path
or the query string), status, duration and the request id. Never bodies, headers, query
strings or exception messages, because any of them can carry patient data. Exceptions are
logged as their type and the code locations of the traceback only.

Metrics (``GET /metrics``, Prometheus text format):

- ``cramp_http_requests_total{method,route,status}``
- ``cramp_http_request_duration_seconds{method,route}`` (histogram)
- ``cramp_checks_total{risk}``, ``cramp_findings_total{kind,severity}``,
  ``cramp_inputs_total{list,status}`` (what the checks found; no patient data)
- the client library's process metrics (RSS, CPU, open fds, GC).

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` (``serve`` does it for
``--workers`` > 1) so that every worker's counts are merged into one scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import os
import re
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
from litestar import Response, get
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import values as prometheus_values

from service.engine import Report
from service.engine.errors import ImplausibleValueError
from service.web.problems import ServiceBusy

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept only when it is a random id: a UUID (with or without hyphens; 32
# hex digits is also a W3C trace id and nginx's $request_id) or a ULID, with at least one
# letter. Anything else (a name, an MRN, an account number, free text) is replaced by a new
# id, so no caller-chosen text reaches the logs.
_SAFE_REQUEST_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{32}|[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}"
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes are logged at DEBUG so that they do not drown the access log; they
# are never refused by the concurrency limit (a busy replica is still alive).
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
UNMATCHED_ROUTE = "<unmatched>"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cramp_request_id", default=None
)

access_logger = logging.getLogger("cramp.access")
error_logger = logging.getLogger("cramp.error")

# ---- metrics -----------------------------------------------------------------------------

REQUESTS = Counter(
    "cramp_http_requests",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "cramp_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CHECKS = Counter("cramp_checks", "Checks answered, by overall risk", ["risk"])
FINDINGS = Counter(
    "cramp_findings", "Findings reported, by kind and severity", ["kind", "severity"]
)
INPUTS = Counter(
    "cramp_inputs",
    "Inputs checked, by list and status (flagged, recognized, unrecognized)",
    ["list", "status"],
)
REJECTED = Counter(
    "cramp_http_rejected",
    "Connections and requests the server cut short before the app answered, by reason "
    "(invalid_http, header_too_large, header_timeout, body_timeout, body_deadline, "
    "send_timeout, too_many_connections)",
    ["reason"],
)


def count_rejected(reason: str) -> None:
    REJECTED.labels(reason).inc()


# Labelled children, looked up once per label set and then taken from these dicts: each
# ``.labels()`` call takes a lock and validates its arguments. The keys are bounded (methods,
# route templates, status codes, the fixed risks, kinds, severities and statuses). A child
# is the same object ``.labels()`` would return, so this works unchanged with
# ``PROMETHEUS_MULTIPROC_DIR`` (the child's value checks the process id itself).
_CHILDREN: dict[Counter, dict[Any, Counter]] = {}
_LATENCY_CHILDREN: dict[tuple[str, str], Histogram] = {}

# Counts not yet added to the counters, by counter and label values. A request adds to
# these plain dicts (no lock, no validation, one increment per label set and not per
# item); they are moved into the counters whenever the metrics are read (``metrics_text``),
# so a scrape sees every request answered before it. With ``PROMETHEUS_MULTIPROC_DIR``
# another worker's scrape reads the counters from their files, so there they are moved at
# once (prometheus-client picks its mode the same way, from the variable at import).
_PENDING_REQUESTS: dict[tuple[str, str, int], int] = {}
_PENDING_CHECKS: dict[str, int] = {}
_PENDING_FINDINGS: dict[tuple[str, str], int] = {}
_PENDING_INPUTS: dict[tuple[str, str], int] = {}
_PENDING: tuple[tuple[Counter, dict[Any, int]], ...] = (
    (REQUESTS, _PENDING_REQUESTS),
    (CHECKS, _PENDING_CHECKS),
    (FINDINGS, _PENDING_FINDINGS),
    (INPUTS, _PENDING_INPUTS),
)
_DEFERRED = prometheus_values.ValueClass is prometheus_values.MutexValue


def flush_metrics() -> None:
    """Add the pending counts to the Prometheus counters."""
    for counter, pending in _PENDING:
        if not pending:
            continue
        children = _CHILDREN.setdefault(counter, {})
        for labels, count in list(pending.items()):
            child = children.get(labels)
            if child is None:
                names = labels if isinstance(labels, tuple) else (labels,)
                child = children[labels] = counter.labels(*names)
            child.inc(count)
        pending.clear()


def _observe_latency(method: str, route: str, elapsed: float) -> None:
    child = _LATENCY_CHILDREN.get((method, route))
    if child is None:
        child = _LATENCY_CHILDREN[(method, route)] = LATENCY.labels(method, route)
    child.observe(elapsed)


def record_report(report: Report) -> Report:
    """Count what one check found (called by the REST and CDS Hooks handlers); returns it."""
    risk = report.risk
    _PENDING_CHECKS[risk] = _PENDING_CHECKS.get(risk, 0) + 1
    labels: tuple[str, str]
    findings = _PENDING_FINDINGS
    for finding in report.findings:
        labels = (finding.kind, finding.severity)
        findings[labels] = findings.get(labels, 0) + 1
    inputs = _PENDING_INPUTS
    for item in report.medications:
        labels = ("medications", item.status)
        inputs[labels] = inputs.get(labels, 0) + 1
    for item in report.conditions:
        labels = ("conditions", item.status)
        inputs[labels] = inputs.get(labels, 0) + 1
    for item in report.labs:
        labels = ("labs", item.status)
        inputs[labels] = inputs.get(labels, 0) + 1
    if not _DEFERRED:
        flush_metrics()
    return report


def metrics_text() -> bytes:
    flush_metrics()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@get(
    "/metrics",
    include_in_schema=False,
    sync_to_thread=False,
)
def metrics() -> Response[bytes]:
    """Prometheus metrics (text exposition format)."""
    return Response(metrics_text(), media_type=METRICS_MEDIA_TYPE)


# litestar appends `; charset=utf-8` to every text/ media type: given prometheus_client's
# (which has it already) the header named the parameter twice, which Go's
# mime.ParseMediaType (Prometheus 3's scraper) refuses as invalid.
METRICS_MEDIA_TYPE = ";".join(
    part for part in CONTENT_TYPE_LATEST.split(";") if part.strip().lower() != "charset=utf-8"
)


# ---- logs ---------------------------------------------------------------------------------

# Attributes a log record may carry into the output; everything else is dropped.
_EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "exception")


def safe_trace(exc: BaseException) -> str:
    """Where an exception happened (file:line in function), without its message or values."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    places = " <- ".join(
        f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(frames)
    )
    return f"{type(exc).__module__}.{type(exc).__qualname__} at {places or '?'}"


@functools.lru_cache(maxsize=4)
def _utc_second(seconds: int) -> str:
    """``2024-05-01T12:00:00`` for a Unix time; consecutive log lines mostly share it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def _timestamp(created: float) -> str:
    seconds = int(created)
    return f"{_utc_second(seconds)}.{int((created - seconds) * 1000):03d}Z"


# "000Z" to "999Z": the milliseconds of a timestamp.
_MILLISECONDS = tuple(f"{ms:03d}Z" for ms in range(1000))


class _Clock:
    """``_timestamp(time.time())``, with the second's text kept from one call to the next."""

    second = -1
    text = ""

    @classmethod
    def now(cls) -> str:
        milliseconds = int(time.time() * 1000)
        seconds, fraction = divmod(milliseconds, 1000)
        if seconds != cls.second:
            cls.second, cls.text = seconds, _utc_second(seconds) + "."
        return cls.text + _MILLISECONDS[fraction]


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": _timestamp(record.created),
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
    }
    request_id = getattr(record, "request_id", None) or request_id_var.get()
    if request_id:
        fields["request_id"] = request_id
    for name in _EXTRA_FIELDS:
        value = getattr(record, name, None)
        if value is not None:
            fields[name] = value
    if record.exc_info and record.exc_info[1] is not None:
        # The type and the code locations, never the message (it can quote input).
        fields["exception"] = safe_trace(record.exc_info[1])
    return fields


_encode = msgspec.json.Encoder(enc_hook=str).encode


class AccessLine(msgspec.Struct, frozen=True):
    """An access log record's fields, in the order ``JsonFormatter`` writes them."""

    ts: str
    level: str
    logger: str
    message: str
    request_id: str
    method: str
    route: str
    status: int
    duration_ms: float


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        return _encode(_fields(record)).decode()

    @staticmethod
    def format_access(line: AccessLine) -> str:
        """What ``format`` gives for the access log record with these fields."""
        return _encode(line).decode()


class TextFormatter(logging.Formatter):
    """The same fields as text, for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        head = f"{fields.pop('ts')} {fields.pop('level').upper():7} {fields.pop('logger')}: "
        head += str(fields.pop("message"))
        return " ".join([head, *(f"{key}={value}" for key, value in fields.items())])

    @staticmethod
    def format_access(line: AccessLine) -> str:
        """What ``format`` gives for the access log record with these fields."""
        return (
            f"{line.ts} {line.level.upper():7} {line.logger}: {line.message}"
            f" request_id={line.request_id} method={line.method} route={line.route}"
            f" status={line.status} duration_ms={line.duration_ms}"
        )


_ACCESS_FORMATTERS = (JsonFormatter, TextFormatter)
_LEVEL_NAMES = {logging.DEBUG: "debug", logging.INFO: "info"}


def plain_handlers(logger: logging.Logger, level: int) -> list[logging.StreamHandler[Any]] | None:
    """The handlers a ``level`` record of ``logger`` would reach, when each is a plain
    ``StreamHandler`` with one of our formatters and nothing filters on the way (what
    ``logging_config`` sets up); ``None`` for anything else, which gets the record."""
    handlers: list[logging.StreamHandler[Any]] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if level < handler.level:
                continue
            if (
                type(handler) is not logging.StreamHandler
                or handler.filters
                or type(handler.formatter) not in _ACCESS_FORMATTERS
            ):
                return None
            handlers.append(handler)
        if not current.propagate:
            break
        current = current.parent
    return handlers or None  # no handler at all: logging's last resort decides


class _Sink:
    """How access lines reach one handler's stream. A line-buffered text stream (standard
    error, where ``serve`` logs) would make one write system call per line: the encoded
    lines go to its byte buffer instead, flushed once per turn of the event loop, after
    the requests that turn answered. Any other stream gets ``write`` and ``flush``, as
    ``StreamHandler.emit`` does."""

    __slots__ = ("buffer", "ending", "json", "stream", "terminator")

    def __init__(self, handler: logging.StreamHandler[Any]) -> None:
        self.stream = handler.stream
        line_buffered = getattr(self.stream, "line_buffering", False)
        self.buffer: Any = getattr(self.stream, "buffer", None) if line_buffered else None
        self.json = type(handler.formatter) is JsonFormatter
        self.terminator = handler.terminator
        self.ending = handler.terminator.encode()


# By handler; emptied when logging has been configured again and again.
_SINKS: dict[logging.Handler, _Sink] = {}
_MAX_SINKS = 16
_UNFLUSHED: set[logging.StreamHandler[Any]] = set()


class _Flush:
    """The event loop a flush of the unflushed sinks is scheduled on (``None``: none is)."""

    loop: asyncio.AbstractEventLoop | None = None


def _flush_sinks() -> None:
    _Flush.loop = None
    for handler in list(_UNFLUSHED):
        with contextlib.suppress(Exception):  # a closed stream: nothing to do
            handler.flush()  # takes the handler's lock
    _UNFLUSHED.clear()


def _flush_soon(handler: logging.StreamHandler[Any]) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop: now
        handler.flush()
        return
    if _Flush.loop is not loop:  # also when the loop that had it scheduled is gone
        loop.call_soon(_flush_sinks)
        _Flush.loop = loop
    _UNFLUSHED.add(handler)


def log_request(
    level: int, request_id: str, method: str, route: str, status: int, duration_ms: float
) -> None:
    """The access log line of one request, on ``cramp.access``.

    What ``access_logger.log(level, "request", extra=...)`` writes, written straight to the
    handlers' streams when logging is configured as ``serve`` configures it: the line is
    one msgspec encoding (or one f-string) instead of a ``LogRecord``, a dict and
    ``logging``'s dispatch. The level (and ``isEnabledFor``) is the caller's to check."""
    handlers = plain_handlers(access_logger, level)
    if handlers is None:
        _log_record(level, request_id, method, route, status, duration_ms)
        return
    line = AccessLine(
        _Clock.now(),
        _LEVEL_NAMES[level],
        access_logger.name,
        "request",
        request_id,
        method,
        route,
        status,
        duration_ms,
    )
    try:
        _write(line, handlers)
    except Exception:  # e.g. a closed stream: logging reports it as it always would
        _log_record(level, request_id, method, route, status, duration_ms)


def _log_record(
    level: int, request_id: str, method: str, route: str, status: int, duration_ms: float
) -> None:
    fields = {
        "request_id": request_id,
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": duration_ms,
    }
    access_logger.log(level, "request", extra=fields)


def _write(line: AccessLine, handlers: list[logging.StreamHandler[Any]]) -> None:
    for handler in handlers:
        sink = _SINKS.get(handler)
        if sink is None or sink.stream is not handler.stream:
            if len(_SINKS) >= _MAX_SINKS:
                _SINKS.clear()
            sink = _SINKS[handler] = _Sink(handler)
        encoded = _encode(line) if sink.json else TextFormatter.format_access(line).encode()
        with handler.lock:  # type: ignore[union-attr]
            if sink.buffer is not None:
                sink.buffer.write(encoded + sink.ending)
            else:
                sink.stream.write(encoded.decode() + sink.terminator)
        if sink.buffer is not None:
            _flush_soon(handler)
        else:
            handler.flush()


def logging_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server process (uvicorn's ``log_config``)."""
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    handler = {"class": "logging.StreamHandler", "formatter": "cramp", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"cramp": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            # uvicorn's own handlers would print text; route everything through the root.
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level.upper(), "propagate": True},
            # Replaced by cramp.access (route template, no query string, request id).
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # Their INFO lines quote URLs (the CDS Hooks FHIR fetch has patient ids there).
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def log_exception(exc: Exception, scope: Scope) -> None:
    """Litestar ``after_exception`` hook: log unexpected errors without their message.

    Client errors (4xx, impossible values) are the caller's doing and have their access
    log line; a busy worker (503 ``Service busy``) is a warning. Neither gets a trace, and
    no log line quotes the exception's message (it could hold patient data)."""
    if isinstance(exc, ImplausibleValueError) or (
        isinstance(exc, HTTPException) and exc.status_code < 500
    ):
        return
    if isinstance(exc, ServiceBusy):
        error_logger.warning(
            "service busy",
            extra={"route": _route(scope), "request_id": request_id_var.get()},
        )
        return
    error_logger.error(
        "unhandled exception",
        extra={
            "exception": safe_trace(exc),
            "route": _route(scope),
            "request_id": request_id_var.get(),
        },
    )


# ---- the middleware ------------------------------------------------------------------------


def _route(scope: Scope) -> str:
    template = scope.get("path_template")
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE


_REQUEST_ID_NAME = b"x-request-id"
_CACHE_CONTROL = b"cache-control"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")
# Response headers replaced by the middleware: the server's own, any request id and
# content-type option the app set.
_DROPPED_HEADERS = frozenset({b"server", _REQUEST_ID_NAME, _NOSNIFF[0]})
# A version 4 UUID from 16 random bytes: clear the version and variant bits, then set them.
_UUID4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)
RETRY_AFTER_SECONDS = 1
_BUSY_BODY = msgspec.json.encode(
    {"type": "about:blank", "title": "The service is busy; retry shortly", "status": 503}
)
_BUSY_START: HTTPResponseStartEvent = {
    "type": "http.response.start",
    "status": 503,
    "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(_BUSY_BODY)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ],
}
_BUSY_END: HTTPResponseBodyEvent = {
    "type": "http.response.body",
    "body": _BUSY_BODY,
    "more_body": False,
}


def new_request_id() -> str:
    """``uuid.uuid4().hex`` (a random version 4 UUID as 32 hex digits), without the UUID."""
    return format(int.from_bytes(os.urandom(16), "big") & _UUID4_MASK | _UUID4_BITS, "032x")


def safe_request_id(value: str) -> bool:
    return bool(_SAFE_REQUEST_ID.fullmatch(value)) and not value.replace("-", "").isdigit()


def _incoming_request_id(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == _REQUEST_ID_NAME:
            text = value.decode("latin-1").strip()
            return text if safe_request_id(text) else None
    return None


class RequestObservability:
    """Outermost ASGI middleware, for every response (404s included): the request id, the
    access log and metrics, ``Cache-Control: no-store`` (unless the route set its own
    ``Cache-Control``) and ``X-Content-Type-Options: nosniff``, no ``Server`` header; and
    the concurrency limit: beyond ``limit`` requests in flight (probes and scrapes aside),
    ``503`` with ``Retry-After``."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True, limit: int = 0) -> None:
        self.app = app
        self.access_log = access_log
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope["headers"]) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        id_header = (_REQUEST_ID_NAME, request_id.encode())
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = []
                cached = False
                for header in message.get("headers", ()):
                    name = header[0].lower()
                    if name in _DROPPED_HEADERS:
                        continue
                    cached = cached or name == _CACHE_CONTROL
                    headers.append(header)
                headers.append(id_header)
                headers.append(_NOSNIFF)
                if not cached:
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        limited = self.limit and scope["path"] not in _QUIET_ROUTES
        try:
            if limited and self.in_flight >= self.limit:
                await send_with_id(_BUSY_START)
                await send_with_id(_BUSY_END)
            elif limited:
                self.in_flight += 1
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    self.in_flight -= 1
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            method: str = scope["method"]
            self._record(method, _route(scope), request_id, status, time.perf_counter() - started)
            request_id_var.reset(token)

    def _record(
        self, method: str, route: str, request_id: str, status: int, elapsed: float
    ) -> None:
        """The request's metrics and its access log line."""
        if method not in _METHODS:
            method = "OTHER"
        key = (method, route, status)
        _PENDING_REQUESTS[key] = _PENDING_REQUESTS.get(key, 0) + 1
        if not _DEFERRED:
            flush_metrics()
        _observe_latency(method, route, elapsed)
        if self.access_log:
            level = logging.DEBUG if route in _QUIET_ROUTES else logging.INFO
            if access_logger.isEnabledFor(level):
                log_request(level, request_id, method, route, status, round(elapsed * 1000, 2))
