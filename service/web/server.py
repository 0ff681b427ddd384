"""The HTTP server: uvicorn (httptools), with the connection limits uvicorn lacks.

uvicorn limits idle keep-alive connections (``timeout_keep_alive``) but not the request
head: no size limit with httptools, no time limit at all (a request head sent a byte a
second stays open for ever: slowloris), and nothing bounds a body that stops arriving or a
response the client stops reading. ``GuardedHttpToolsProtocol`` is uvicorn's httptools
protocol with those limits (``ServerLimits``, from the ``CRAMP_*`` settings):

- a request head larger than ``max_header_bytes`` gets ``431`` and the connection closes;
- a request head must be complete ``header_timeout`` seconds after the connection opened
  or the previous request was read; otherwise ``408`` (or a silent close when nothing was
  sent) and the connection closes;
- a body must keep arriving: after ``body_timeout`` seconds it must have come at
  ``body_min_rate`` bytes per second on average, or the request is answered ``408``
  (``service.web.bodies``) and the connection closes; and whatever its rate, the whole
  body must have arrived ``body_deadline`` seconds after the head (a slow upload cannot
  hold a request for minutes);
- a response the client stops reading for ``send_timeout`` seconds closes the connection;
- more than ``max_connections`` open connections per worker: new ones get ``503`` with
  ``Retry-After`` and are closed.

Deadlines are checked once a second by one timer per worker over the open connections,
so a request pays only for reading the clock three times. The concurrency limit
(requests in flight, ``503`` + ``Retry-After``) is in the app
(``service.web.observability``) so that those answers are logged and counted like any
other.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import weakref
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from service.web.bodies import BODY_TIMED_OUT
from service.web.observability import count_rejected

# Seconds between two checks of the deadlines of every connection.
SWEEP_INTERVAL = 1.0
# Seconds a request flagged as timed out gets to answer before its connection is closed.
_ANSWER_GRACE = 5.0
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class ServerLimits:
    max_header_bytes: int = 16_384
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    body_min_rate: int = 16_384
    body_deadline: float = 120.0
    send_timeout: float = 30.0
    max_connections: int = 1000


def _canned(status: str, title: str, *extra: bytes) -> bytes:
    """A complete problem+json response that closes the connection."""
    code = int(status.split(maxsplit=1)[0])
    body = b'{"type":"about:blank","title":"%s","status":%d}' % (title.encode(), code)
    head = [
        f"HTTP/1.1 {status}".encode(),
        b"content-type: application/problem+json",
        b"content-length: %d" % len(body),
        b"cache-control: no-store",
        b"x-content-type-options: nosniff",
        b"connection: close",
        *extra,
    ]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


# A request the HTTP parser cannot read (Content-Length with Transfer-Encoding, a bad
# method or length): uvicorn's own answer is text/plain.
NOT_HTTP = _canned("400 Bad Request", "The request is not valid HTTP/1.1")
HEAD_TOO_LARGE = _canned("431 Request Header Fields Too Large", "The request head is too large")
HEAD_TOO_SLOW = _canned("408 Request Timeout", "The request head did not arrive in time")
TOO_MANY_CONNECTIONS = _canned(
    "503 Service Unavailable",
    "Too many connections",
    b"retry-after: %d" % RETRY_AFTER_SECONDS,
)


class GuardedConfig(uvicorn.Config):
    """uvicorn's configuration plus ``ServerLimits`` (pickled to worker processes)."""

    def __init__(self, app: Any, *, limits: ServerLimits, **options: Any) -> None:
        super().__init__(app, http=GuardedHttpToolsProtocol, **options)
        self.limits = limits


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on request heads, bodies and sends."""

    def __init__(self, config: uvicorn.Config, server_state: ServerState, **options: Any) -> None:
        super().__init__(config, server_state, **options)
        self.limits: ServerLimits = getattr(config, "limits", None) or ServerLimits()
        # Loop time since which a request head is awaited (0: not awaiting one), and its
        # bytes so far; since when a body is awaited, and its bytes so far.
        self.head_since = 0.0
        self.head_bytes = 0
        # The last bytes of the head so far (its end may straddle two reads).
        self.head_tail = b""
        self.body_since = 0.0
        self.body_bytes = 0
        self.answer_by = 0.0
        self.send_stalled_since = 0.0
        self.send_buffered = 0
        # Refused: the answer is written and our side shut; what the client still sends
        # (up to LINGER_MAX_BYTES) is read and dropped until the connection closes, so that
        # a slow client reads the answer instead of a reset.
        self.lingering = False
        self.lingered_bytes = 0

    # ---- connection events -------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head_since = self.loop.time()
        _ensure_sweeper(self.loop, self.server_state)
        if len(self.connections) > self.limits.max_connections:
            count_rejected("too_many_connections")
            transport.write(TOO_MANY_CONNECTIONS)
            transport.close()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            # A client that floods after its refusal is not waited for.
            self.lingered_bytes += len(data)
            if self.lingered_bytes > LINGER_MAX_BYTES:
                self.transport.close()
            return
        if not self.head_since:
            if self.body_since:
                self.body_bytes += len(data)
            super().data_received(data)
            return
        limit = self.limits.max_header_bytes
        if self.head_bytes + len(data) > limit and self._head_size(data) > limit:
            # Measured before parsing: a head that arrives whole in one read is parsed at
            # once (on_headers_complete), so the check after parsing never sees it.
            self._refuse(HEAD_TOO_LARGE, "header_too_large")
            return
        self.head_bytes += len(data)
        self.head_tail = (self.head_tail + data)[-3:]
        super().data_received(data)
        # Still in the head (on_headers_complete resets head_since) and over the limit.
        if self.head_since and self.head_bytes > self.limits.max_header_bytes:
            self._refuse(HEAD_TOO_LARGE, "header_too_large")

    def send_400_response(self, msg: str) -> None:
        # uvicorn logs the parser's refusal (a warning, without the request's bytes) and
        # closes; the answer is a problem document like every other.
        count_rejected("invalid_http")
        self.transport.write(NOT_HTTP)
        self.transport.close()

    def _head_size(self, data: bytes) -> int:
        """Bytes of the current request head once ``data`` is added: up to its blank line
        when the head ends in ``data``, else all of it so far."""
        window = self.head_tail + data
        ends = [
            found + len(mark)
            for mark in (b"\r\n\r\n", b"\n\n")
            if (found := window.find(mark)) >= 0
        ]
        seen = min(ends) if ends else len(window)
        return self.head_bytes - len(self.head_tail) + seen

    def on_headers_complete(self) -> None:
        now = self.loop.time()
        self.head_since = 0.0
        self.head_bytes = 0
        self.head_tail = b""
        self.body_since = now
        self.body_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # What follows belongs to the next request's head (pipelining): count it.
        self.body_since = 0.0
        self.head_since = self.loop.time()
        self.head_bytes = 0
        self.head_tail = b""
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.answer_by = 0.0
        if not self.transport.is_closing():
            self.head_since = self.loop.time()
            self.head_bytes = 0
            self.head_tail = b""

    # ---- deadlines (called once a second) ----------------------------------------------

    def expire(self, now: float) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        limits = self.limits
        cycle = self.cycle
        in_flight = cycle is not None and not cycle.response_complete
        if self.head_since and not in_flight and now - self.head_since > limits.header_timeout:
            if self.head_bytes:
                self._refuse(HEAD_TOO_SLOW, "header_timeout")
            else:  # an idle connection: close it as a keep-alive timeout would
                self.transport.close()
        elif self.body_since and cycle is not None and not cycle.response_started:
            elapsed = now - self.body_since
            too_slow = (
                elapsed > limits.body_timeout and self.body_bytes < limits.body_min_rate * elapsed
            )
            if too_slow or elapsed > limits.body_deadline:
                count_rejected("body_timeout" if too_slow else "body_deadline")
                self.body_since = 0.0
                # Wake the handler, which answers 408 (service.web.bodies); close the
                # connection ourselves if it has not answered after a grace period.
                cycle.scope[BODY_TIMED_OUT] = True  # type: ignore[literal-required]
                cycle.message_event.set()
                self.answer_by = now + _ANSWER_GRACE
        elif self.answer_by and now > self.answer_by:
            self._abandon(cycle)
        self._check_send(now, cycle)

    def _check_send(self, now: float, cycle: Any) -> None:
        buffered = self.transport.get_write_buffer_size()
        if not buffered or buffered < self.send_buffered:
            self.send_stalled_since = 0.0  # nothing waiting, or the client reads
        elif not self.send_stalled_since:
            self.send_stalled_since = now
        elif now - self.send_stalled_since > self.limits.send_timeout:
            count_rejected("send_timeout")
            self._abandon(cycle)
        self.send_buffered = buffered

    def _abandon(self, cycle: Any) -> None:
        if cycle is not None:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()

    def _refuse(self, answer: bytes, reason: str) -> None:
        self.head_since = 0.0
        if self.transport.is_closing():  # uvicorn refused it already (a malformed request)
            return
        count_rejected(reason)
        self.transport.write(answer)
        self.lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


# How long a refused connection is kept half-closed, its input dropped, before it closes.
LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 65_536
# One timer per server (worker) checks the deadlines of all its connections.
_SWEEPERS: weakref.WeakKeyDictionary[ServerState, asyncio.TimerHandle] = weakref.WeakKeyDictionary()


def _ensure_sweeper(loop: asyncio.AbstractEventLoop, state: ServerState) -> None:
    if state not in _SWEEPERS:
        _SWEEPERS[state] = loop.call_later(SWEEP_INTERVAL, _sweep, loop, state)


def _sweep(loop: asyncio.AbstractEventLoop, state: ServerState) -> None:
    now = loop.time()
    for connection in list(state.connections):
        if isinstance(connection, GuardedHttpToolsProtocol):
            connection.expire(now)
    _SWEEPERS[state] = loop.call_later(SWEEP_INTERVAL, _sweep, loop, state)


def run(config: GuardedConfig) -> None:
    """Serve ``config`` as ``uvicorn.run`` would: in this process, or in worker processes."""
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        if config.workers > 1:
            sock: socket.socket = config.bind_socket()
            Multiprocess(config, sockets=[sock]).run()
            return
        server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE: the app failed to start
