"""The access log as `serve` configures it: lines written straight to the stream are the
lines the formatters would write for the same record, and the log level still decides."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from service.web.observability import (
    JsonFormatter,
    TextFormatter,
    access_logger,
    logging_config,
    plain_handlers,
)
from tests.ops.conftest import Client

BODY = {"medications": [{"text": "Lasix 40 mg PO daily"}]}
RANDOM_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
# The loggers logging_config touches.
_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "cramp")

Configure = Callable[[str, str], io.TextIOWrapper]


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[Configure]:
    """``configured(level, fmt)``: logging set up as ``serve`` sets it, on a line-buffered
    text stream standing in for standard error; the previous set-up is restored after."""
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.handlers[:], logger.propagate, logger.disabled))

    def configure(level: str, fmt: str) -> io.TextIOWrapper:
        # Bytes reach the BytesIO only when flushed, as they reach a file descriptor.
        written = io.BufferedWriter(io.BytesIO())
        stream = io.TextIOWrapper(written, encoding="utf-8", line_buffering=True)
        monkeypatch.setattr(sys, "stderr", stream)
        logging.config.dictConfig(logging_config(level, fmt))
        # The lines are written without logging's dispatch (what these tests are about).
        assert plain_handlers(access_logger, logging.DEBUG) is not None
        return stream

    yield configure
    for logger, level, handlers, propagate, disabled in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = disabled


def _written(stream: io.TextIOWrapper) -> bytes:
    raw = stream.buffer.raw  # type: ignore[attr-defined]
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue()


def _lines(stream: io.TextIOWrapper) -> list[str]:
    stream.flush()
    return _written(stream).decode().splitlines()


def _record(ts: str, **fields: object) -> logging.LogRecord:
    """The access log record the stdlib path would have made for a line stamped ``ts``."""
    created = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
    record = logging.makeLogRecord(
        {"name": "cramp.access", "levelno": logging.INFO, "levelname": "INFO", "msg": "request"}
    )
    record.created = created + 0.0005  # within the line's millisecond
    record.__dict__.update(fields)
    return record


def test_json_lines_are_what_the_formatter_writes(client: Client, configured: Configure) -> None:
    stream = configured("info", "json")
    assert client.post("/v1/check", json=BODY, headers={"X-Request-ID": RANDOM_ID}).is_success
    assert client.get("/no/such/path").status_code == 404
    assert client.get("/healthz").is_success  # a probe: debug, not written at info
    lines = _lines(stream)
    assert len(lines) == 2, lines
    check, missing = (json.loads(line) for line in lines)
    assert check["request_id"] == RANDOM_ID
    assert (check["method"], check["route"], check["status"]) == ("POST", "/v1/check", 200)
    assert (missing["route"], missing["status"]) == ("<unmatched>", 404)
    for line, fields in zip(lines, (check, missing), strict=True):
        expected = {k: fields[k] for k in ("request_id", "method", "route", "status")}
        record = _record(fields["ts"], duration_ms=fields["duration_ms"], **expected)
        assert line == JsonFormatter().format(record)


def test_text_lines_are_what_the_formatter_writes(client: Client, configured: Configure) -> None:
    stream = configured("info", "text")
    assert client.post("/v1/check", json=BODY, headers={"X-Request-ID": RANDOM_ID}).is_success
    [line] = _lines(stream)
    ts, level, logger, message, *pairs = line.split()
    fields = dict(pair.split("=", 1) for pair in pairs)
    assert (level, logger, message) == ("INFO", "cramp.access:", "request")
    assert fields["request_id"] == RANDOM_ID
    record = _record(
        ts,
        request_id=RANDOM_ID,
        method="POST",
        route="/v1/check",
        status=200,
        duration_ms=float(fields["duration_ms"]),
    )
    assert line == TextFormatter().format(record)


def test_the_log_level_still_decides(client: Client, configured: Configure) -> None:
    quiet = configured("warning", "json")
    assert client.post("/v1/check", json=BODY).is_success
    assert _lines(quiet) == []
    verbose = configured("debug", "json")
    assert client.get("/healthz").is_success
    assert '"route":"/healthz"' in "\n".join(_lines(verbose))


def test_lines_are_flushed_without_being_asked(
    client: Client, app_with: Callable[..., Client], configured: Configure
) -> None:
    """Buffered lines are written once the event loop turns, also from a second app
    running on another event loop."""
    stream = configured("info", "json")
    for each in (client, app_with()):
        assert each.post("/v1/check", json=BODY).is_success
    deadline = time.monotonic() + 5
    while _written(stream).count(b"\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _written(stream).count(b'"logger":"cramp.access"') == 2
