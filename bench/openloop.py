"""Open-loop HTTP/1.1 load at a fixed request rate, without coordinated omission.

    scripts/run python bench/openloop.py run --port PORT [--rate 1500] [--duration 20]
                                             [--warmup 5] [--connections 48]
    scripts/run python bench/openloop.py selftest [--rate 6000] [--duration 5]

Request ``i`` is scheduled at ``start + i / rate`` whatever the server does, and its
latency is measured from that scheduled time to the last byte of its answer: a server
that stalls for 100 ms is charged for every request that should have been sent during the
stall, as a user would see it (a closed-loop client, like wrk, would send fewer requests
and hide them). Each request is sent on the next free keep-alive connection of a fixed
pool (FIFO, so every connection stays warm); when none is free it waits in the generator
and that wait counts in its latency. The send lag (actual send - scheduled) is reported
too, and a request sent more than ``late_ms`` after its time counts as late.

One thread, raw non-blocking sockets and ``epoll``, pre-encoded request bytes,
Content-Length framing. Python's ``epoll.poll`` waits in whole milliseconds, too coarse
for a request every 0.67 ms, so the generator waits with ``epoll_pwait2`` (Linux 5.11,
glibc 2.35; nanosecond timeout, called through ctypes, timer slack lowered to 1 ns) and
sleeps between sends; where that is missing it falls back to ``epoll.poll`` and spends
the last millisecond before each send polling without waiting (a busy spin, which on a
shared machine pushes other processes onto the server's CPU). The time the generator spends
on actual work (sending, receiving, parsing) is accounted separately: its capacity
estimate is one second divided by that busy time per request. ``selftest`` measures the
capacity for real, against a canned server (asyncio, uvloop when present) that answers a
response of the service's report size.

This is a measuring script, not a test: it prints figures and exits 0 whatever they are.
Only 127.0.0.1; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import gc
import math
import platform
import select
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import msgspec
from http_bench import free_port, new_event_loop

HOST = "127.0.0.1"
SPIN_NS = 1_000_000  # fallback waiter: poll without waiting when the next send is this close
MAX_EVENTS = 256
PR_SET_TIMERSLACK = 29
DRAIN_TIMEOUT_S = 5.0  # answers still missing this long after the last send are failures
MAX_HEAD_BYTES = 65_536
RECV_BYTES = 262_144
NS = 1_000_000_000


class OpenLoopError(RuntimeError):
    """The generator could not run (connection refused, malformed answer, ...)."""


class Percentiles(msgspec.Struct, frozen=True):
    """Milliseconds; nearest-rank percentiles."""

    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float


class OpenLoopResult(msgspec.Struct, frozen=True):
    """One measured window of an open-loop run (the warm-up is not in it)."""

    target_rps: float
    duration_s: float
    connections: int
    scheduled: int
    completed: int
    # Answered with another status than 200, connection lost, or no answer in time.
    failed: int
    # Sent more than ``late_threshold_ms`` after the scheduled time.
    late: int
    late_threshold_ms: float
    # Answers per second over the window (scheduled start to the last answer).
    achieved_rps: float
    # From the scheduled send time: what a user sees.
    latency: Percentiles
    # From the actual send time: the server alone (plus the loopback).
    service_time: Percentiles
    # Actual send time - scheduled time: the generator's own delay plus any wait for a
    # free connection.
    send_lag: Percentiles
    statuses: dict[str, int]
    reconnects: int
    # Generator time spent sending, receiving and parsing, per request, and the rate one
    # core could therefore sustain.
    generator_busy_us_per_request: float
    generator_capacity_rps: float
    # How the generator waits between sends: "epoll_pwait2" (sleeps, ns timeout) or
    # "spin" (epoll.poll in ms, then a busy spin for the last millisecond).
    waiter: str


def percentiles(values_ns: Sequence[int]) -> Percentiles:
    ordered = sorted(values_ns)

    def at(pct: float) -> float:
        if not ordered:
            return 0.0
        rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
        return ordered[min(rank, len(ordered)) - 1] / 1e6

    return Percentiles(at(50), at(90), at(99), at(99.9), at(100))


def post_request(port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {HOST}:{port}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


# Waiting for answers until the next send --------------------------------------------

Waiter = Callable[[int], list[tuple[int, int]]]  # timeout in ns -> [(fd, event mask)]


class _EpollEvent(ctypes.Structure):
    # ``struct epoll_event`` is packed on x86-64 only (12 bytes there, 16 elsewhere).
    if platform.machine() in ("x86_64", "AMD64"):
        _pack_ = 1
    _fields_ = (("events", ctypes.c_uint32), ("data", ctypes.c_uint64))


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


def pwait2_waiter(epoll: select.epoll) -> Waiter | None:
    """``epoll_pwait2`` on ``epoll`` with a nanosecond timeout; None where unavailable.

    ``select.epoll`` registers each fd with ``data.fd = fd``, the low 32 bits of
    ``data``. Timer slack (50 µs by default) is lowered to 1 ns for this thread."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pwait2 = libc.epoll_pwait2
    except (OSError, AttributeError):
        return None
    pwait2.argtypes = (
        ctypes.c_int,
        ctypes.POINTER(_EpollEvent),
        ctypes.c_int,
        ctypes.POINTER(_Timespec),
        ctypes.c_void_p,
    )
    pwait2.restype = ctypes.c_int
    events = (_EpollEvent * MAX_EVENTS)()
    timeout = _Timespec(0, 0)
    timeout_ref = ctypes.byref(timeout)
    fd = epoll.fileno()
    if pwait2(fd, events, MAX_EVENTS, timeout_ref, None) < 0:  # ENOSYS: kernel < 5.11
        return None
    libc.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)

    def wait(timeout_ns: int) -> list[tuple[int, int]]:
        timeout.tv_sec, timeout.tv_nsec = divmod(max(0, timeout_ns), NS)
        count = pwait2(fd, events, MAX_EVENTS, timeout_ref, None)
        return [(events[i].data & 0xFFFFFFFF, events[i].events) for i in range(count)]

    return wait


def spin_waiter(epoll: select.epoll) -> Waiter:
    """``epoll.poll`` (whole milliseconds), then polling without waiting near the time."""
    poll = epoll.poll

    def wait(timeout_ns: int) -> list[tuple[int, int]]:
        wait_ns = timeout_ns - SPIN_NS
        return poll(wait_ns / NS if wait_ns > 0 else 0)

    return wait


@dataclass(slots=True)
class _Connection:
    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)
    request: int = -1  # index of the request in flight; -1 when idle
    need: int = 0  # bytes of the whole answer, once its head is parsed
    status: int = 0
    closes: bool = False  # the answer says Connection: close


@dataclass(slots=True)
class _Run:
    """Per-request times of one run, in ns of ``time.perf_counter_ns``."""

    scheduled_at: Sequence[int]
    sent_at: array[int]
    done_at: array[int]
    status: array[int]

    @classmethod
    def new(cls, start_ns: int, rate: float, count: int) -> _Run:
        interval = NS / rate
        scheduled = array("q", (start_ns + round(i * interval) for i in range(count)))
        return cls(scheduled, array("q", bytes(8 * count)), array("q", bytes(8 * count)),
                   array("h", bytes(2 * count)))  # fmt: skip


class OpenLoopGenerator:
    """A pool of keep-alive connections to one server, sending one pre-encoded request."""

    def __init__(self, port: int, request: bytes, connections: int, spin: bool = False) -> None:
        self._port = port
        self._request = request
        self._epoll = select.epoll()
        precise = None if spin else pwait2_waiter(self._epoll)
        self._wait = precise or spin_waiter(self._epoll)
        self.waiter = "spin" if precise is None else "epoll_pwait2"
        self._by_fd: dict[int, _Connection] = {}
        self._idle: collections.deque[_Connection] = collections.deque()
        self.reconnects = 0
        self.connections = connections
        for _ in range(connections):
            self._idle.append(self._connect())

    def _connect(self) -> _Connection:
        try:
            sock = socket.create_connection((HOST, self._port), timeout=5.0)
        except OSError as exc:
            raise OpenLoopError(f"cannot connect to {HOST}:{self._port}: {exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        connection = _Connection(sock)
        self._by_fd[sock.fileno()] = connection
        self._epoll.register(sock.fileno(), select.EPOLLIN)
        return connection

    def _drop(self, connection: _Connection) -> None:
        fd = connection.sock.fileno()
        self._by_fd.pop(fd, None)
        with contextlib.suppress(ValueError):  # closed by the server while idle
            self._idle.remove(connection)
        with contextlib.suppress(OSError, ValueError):
            self._epoll.unregister(fd)
        connection.sock.close()

    def _replace(self, connection: _Connection) -> None:
        self._drop(connection)
        self.reconnects += 1
        self._idle.append(self._connect())

    def close(self) -> None:
        for connection in list(self._by_fd.values()):
            self._drop(connection)
        self._idle.clear()
        self._epoll.close()

    def __enter__(self) -> OpenLoopGenerator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- one run -------------------------------------------------------------------------

    def run(self, rate: float, duration_s: float, late_ms: float = 1.0) -> OpenLoopResult:
        """Send ``rate * duration_s`` requests on schedule; the measured window's figures."""
        if rate <= 0 or duration_s <= 0:
            raise ValueError("rate and duration must be positive")
        count = max(1, round(rate * duration_s))
        gc_was_enabled = gc.isenabled()
        gc.collect()
        gc.disable()  # a collection in the generator would show as server latency
        try:
            start_ns = time.perf_counter_ns() + 10_000_000
            run = _Run.new(start_ns, rate, count)
            busy_ns = self._drive(run)
        finally:
            if gc_was_enabled:
                gc.enable()
        return self._result(run, rate, duration_s, late_ms, busy_ns)

    def _drive(self, run: _Run) -> int:
        scheduled_at = run.scheduled_at
        count = len(scheduled_at)
        waiting: collections.deque[int] = collections.deque()
        idle = self._idle
        in_flight = 0
        next_request = 0
        busy_ns = 0
        drain_until = scheduled_at[-1] + int(DRAIN_TIMEOUT_S * NS)
        wait = self._wait
        clock = time.perf_counter_ns
        # CPU time, not wall time: being preempted by other processes is not work.
        cpu_clock = time.thread_time_ns
        while True:
            now = clock()
            cpu_now = cpu_clock()
            worked = False
            while next_request < count and scheduled_at[next_request] <= now:
                waiting.append(next_request)
                next_request += 1
            while waiting and idle:
                self._send(idle.popleft(), waiting.popleft(), run)
                in_flight += 1
                worked = True
            if next_request >= count and not waiting and in_flight == 0:
                break
            if now > drain_until:
                in_flight -= self._abandon(run)
                break
            if worked:
                busy_ns += cpu_clock() - cpu_now
            deadline = scheduled_at[next_request] if next_request < count else drain_until
            events = wait(deadline - clock())
            if not events:
                continue
            started = cpu_clock()
            for fd, _mask in events:
                connection = self._by_fd.get(fd)
                if connection is not None:
                    in_flight -= self._receive(connection, run)
            busy_ns += cpu_clock() - started
        return busy_ns

    def _send(self, connection: _Connection, index: int, run: _Run) -> None:
        connection.request = index
        connection.need = 0
        run.sent_at[index] = time.perf_counter_ns()
        request = self._request
        try:
            sent = connection.sock.send(request)
        except BlockingIOError:
            sent = 0
        except OSError:
            # The server closed this connection while it was idle: a fresh one, once.
            self._replace(connection)
            connection = self._idle.pop()
            connection.request = index
            sent = connection.sock.send(request)
        if sent < len(request):  # never seen on loopback with a ~1 kB request
            connection.sock.setblocking(True)
            try:
                connection.sock.sendall(request[sent:])
            finally:
                connection.sock.setblocking(False)

    def _receive(self, connection: _Connection, run: _Run) -> int:
        """Read what arrived; returns how many requests it completed (0 or 1)."""
        try:
            data = connection.sock.recv(RECV_BYTES)
        except BlockingIOError:
            return 0
        except OSError:
            data = b""
        if not data:  # closed by the server
            lost = connection.request >= 0
            if lost:
                run.done_at[connection.request] = time.perf_counter_ns()
                run.status[connection.request] = 0
            self._replace(connection)
            return 1 if lost else 0
        if connection.request < 0:
            raise OpenLoopError(f"unexpected bytes from the server: {data[:100]!r}")
        buffer = connection.buffer
        buffer += data
        if not connection.need:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    raise OpenLoopError("answer head too long")
                return 0
            self._parse_head(connection, bytes(buffer[:head_end]), head_end + 4)
        if len(buffer) < connection.need:
            return 0
        if len(buffer) > connection.need:
            raise OpenLoopError("more bytes than Content-Length (pipelining is not used)")
        index = connection.request
        run.done_at[index] = time.perf_counter_ns()
        run.status[index] = connection.status
        buffer.clear()
        connection.request = -1
        connection.need = 0
        if connection.closes:
            self._replace(connection)
        else:
            self._idle.append(connection)
        return 1

    @staticmethod
    def _parse_head(connection: _Connection, head: bytes, body_start: int) -> None:
        lines = head.lower().split(b"\r\n")
        try:
            connection.status = int(lines[0].split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise OpenLoopError(f"not an HTTP status line: {lines[0][:100]!r}") from None
        length = -1
        connection.closes = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise OpenLoopError("chunked answers are not supported")
            elif name == b"connection" and b"close" in value:
                connection.closes = True
        if length < 0:
            raise OpenLoopError("answer without Content-Length")
        connection.need = body_start + length

    def _abandon(self, run: _Run) -> int:
        """Requests still unanswered after the drain time: failures; their connections go."""
        abandoned = 0
        for connection in list(self._by_fd.values()):
            if connection.request >= 0:
                run.status[connection.request] = 0
                run.done_at[connection.request] = 0
                connection.request = -1
                self._replace(connection)
                abandoned += 1
        return abandoned

    def _result(
        self, run: _Run, rate: float, duration_s: float, late_ms: float, busy_ns: int
    ) -> OpenLoopResult:
        count = len(run.scheduled_at)
        latency, service, lag = [], [], []
        statuses: collections.Counter[str] = collections.Counter()
        failed = late = 0
        last_done = run.scheduled_at[0]
        late_ns = late_ms * 1e6
        for i in range(count):
            scheduled, sent, done, status = (
                run.scheduled_at[i], run.sent_at[i], run.done_at[i], run.status[i]
            )  # fmt: skip
            statuses[str(status) if status else "no answer"] += 1
            if sent:
                lag.append(sent - scheduled)
                if sent - scheduled > late_ns:
                    late += 1
            if status != 200 or not done:
                failed += 1
                continue
            latency.append(done - scheduled)
            service.append(done - sent)
            last_done = max(last_done, done)
        completed = count - failed
        window_s = max(duration_s, (last_done - run.scheduled_at[0]) / NS)
        busy_us = busy_ns / 1e3 / count
        return OpenLoopResult(
            target_rps=rate,
            duration_s=duration_s,
            connections=self.connections,
            scheduled=count,
            completed=completed,
            failed=failed,
            late=late,
            late_threshold_ms=late_ms,
            achieved_rps=completed / window_s,
            latency=percentiles(latency),
            service_time=percentiles(service),
            send_lag=percentiles(lag),
            statuses=dict(sorted(statuses.items())),
            reconnects=self.reconnects,
            generator_busy_us_per_request=busy_us,
            generator_capacity_rps=1e6 / busy_us if busy_us else 0.0,
            waiter=self.waiter,
        )


def measure(
    port: int,
    request: bytes,
    *,
    rate: float,
    duration_s: float,
    warmup_s: float,
    connections: int,
    late_ms: float = 1.0,
    spin: bool = False,
) -> OpenLoopResult:
    """Warm up at the same rate (not measured), then one measured window."""
    with OpenLoopGenerator(port, request, connections, spin) as generator:
        if warmup_s > 0:
            generator.run(rate, warmup_s, late_ms)
        generator.reconnects = 0
        return generator.run(rate, duration_s, late_ms)


# The canned server of the self-test ----------------------------------------------------


class _Canned(asyncio.Protocol):
    """Answers every Content-Length-framed request with the same pre-encoded response."""

    def __init__(self, response: bytes) -> None:
        self._response = response
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            length = 0
            for line in bytes(buffer[:head_end]).lower().split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip() == b"content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(buffer) < end:
                return
            del buffer[:end]
            if self._transport is not None:
                self._transport.write(self._response)


def canned_response(body_bytes: int) -> bytes:
    body = b'{"pad":"' + b"x" * max(0, body_bytes - 10) + b'"}'
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def serve_canned(port: int, body_bytes: int, lifetime_s: float) -> None:
    response = canned_response(body_bytes)
    loop = new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: _Canned(response), HOST, port, backlog=1024)
    )
    loop.call_later(lifetime_s, loop.stop)  # bounded even if nobody stops it
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


@contextlib.contextmanager
def canned_server(body_bytes: int, lifetime_s: float, cpu: int | None) -> Iterator[int]:
    """A canned server in a subprocess (pinned to ``cpu`` when given); yields its port."""
    port = free_port()
    command = [sys.executable, __file__, "canned", "--port", str(port),
               "--body-bytes", str(body_bytes), "--lifetime", str(lifetime_s)]  # fmt: skip
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise OpenLoopError("the canned server did not start")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def selftest(
    *,
    rate: float,
    duration_s: float,
    connections: int,
    body_bytes: int,
    server_cpu: int | None,
    spin: bool = False,
) -> OpenLoopResult:
    """The generator against a canned server: the rate it can sustain itself."""
    with canned_server(body_bytes, duration_s * 2 + 30, server_cpu) as port:
        request = post_request(port, "/v1/check", b'{"medications": []}')
        return measure(port, request, rate=rate, duration_s=duration_s, warmup_s=1.0,
                       connections=connections, spin=spin)  # fmt: skip


# Command line --------------------------------------------------------------------------


def describe(result: OpenLoopResult) -> str:
    lat, lag = result.latency, result.send_lag
    return (
        f"target {result.target_rps:,.0f} rps, achieved {result.achieved_rps:,.0f} rps over "
        f"{result.duration_s:g} s; {result.completed:,} answered, {result.failed} failed, "
        f"{result.late} late (> {result.late_threshold_ms:g} ms)\n"
        f"latency from the scheduled time: p50 {lat.p50_ms:.2f}  p90 {lat.p90_ms:.2f}  "
        f"p99 {lat.p99_ms:.2f}  p99.9 {lat.p999_ms:.2f}  max {lat.max_ms:.2f} ms\n"
        f"send lag: p50 {lag.p50_ms * 1e3:.0f}  p99 {lag.p99_ms * 1e3:.0f}  "
        f"max {lag.max_ms * 1e3:.0f} us; generator busy "
        f"{result.generator_busy_us_per_request:.1f} us/request (capacity about "
        f"{result.generator_capacity_rps:,.0f} rps on one core), waits with {result.waiter}"
    )


def _check_up(port: int) -> None:
    try:
        urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5).close()
    except (urllib.error.URLError, OSError) as exc:
        raise OpenLoopError(f"nothing answers GET /healthz on {HOST}:{port}: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="open-loop POST /v1/check (bench body) to a server")
    run_p.add_argument("--port", type=int, required=True)
    selftest_p = sub.add_parser("selftest", help="the generator against a canned server")
    for p, rate, duration in ((run_p, 1500.0, 20.0), (selftest_p, 6000.0, 5.0)):
        p.add_argument("--rate", type=float, default=rate, help=f"requests/s (default {rate:g})")
        p.add_argument("--duration", type=float, default=duration, help="measured seconds")
        p.add_argument("--connections", type=int, default=48)
        p.add_argument("--spin", action="store_true", help="poll + busy spin, not epoll_pwait2")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
    run_p.add_argument("--warmup", type=float, default=5.0)
    selftest_p.add_argument("--body-bytes", type=int, default=28_000)
    selftest_p.add_argument("--server-cpu", type=int, default=None)
    canned_p = sub.add_parser("canned", help=argparse.SUPPRESS)
    canned_p.add_argument("--port", type=int, required=True)
    canned_p.add_argument("--body-bytes", type=int, required=True)
    canned_p.add_argument("--lifetime", type=float, required=True)
    args = parser.parse_args(argv)
    if args.command == "canned":
        serve_canned(args.port, args.body_bytes, args.lifetime)
        return 0
    if not (0 < args.rate <= 50_000 and 0 < args.duration <= 300 and 1 <= args.connections <= 256):
        parser.error("bounds: rate 0-50000, duration 0-300 s, connections 1-256")
    try:
        if args.command == "selftest":
            result = selftest(rate=args.rate, duration_s=args.duration,
                              connections=args.connections, body_bytes=args.body_bytes,
                              server_cpu=args.server_cpu, spin=args.spin)  # fmt: skip
        else:
            from bodies import CHECK_BODY  # noqa: PLC0415  (bench/ is on the path)

            _check_up(args.port)
            result = measure(args.port, post_request(args.port, "/v1/check", CHECK_BODY),
                             rate=args.rate, duration_s=args.duration, warmup_s=args.warmup,
                             connections=args.connections, spin=args.spin)  # fmt: skip
    except OpenLoopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(msgspec.json.format(msgspec.json.encode(result)).decode() if args.json
          else describe(result))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
