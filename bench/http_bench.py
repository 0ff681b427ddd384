"""HTTP benchmark: ``POST /v1/check`` of the service vs the floor and a bare endpoint.

Usage (from the repository root)::

    scripts/run python bench/http_bench.py [--targets serve,floor[,serve-fixed][,service][,bare]]
                                      [--duration S] [--warmup S] [--rounds N]
                                      [--connections N] [--client auto|wrk|python]
                                      [--server-cpu N|none] [--client-cpu N|none] [--json]

Each target runs as ONE uvicorn process on 127.0.0.1 (a free port, identical uvicorn
options), started here and waited on via ``GET /healthz``:

- ``service``: ``service.app:app`` exactly as shipped;
- ``serve`` (optional): the production entry point, ``python -m service serve``, with
  its defaults (access log at ``info`` and metrics on, JSON log lines to a file), the
  server configuration included;
- ``serve-fixed`` (optional): the same command with the engine's answer fixed
  (``bench/serve_fixed_answer.py``: ``check()`` runs on the first request only): what
  ``serve`` costs without its engine;
- ``bare``: ``bench/bare_app.py``, which only decodes the same body into the service's
  ``CheckRequest`` and returns a small fixed Struct;
- ``floor`` (optional): ``bench/floor_app.py``, which decodes like ``bare``, tokenizes and
  looks up every input once with the service's own tokenizers and indexes, and returns
  the service's real report for the body, encoded once: the least work any CPython
  implementation of the check must do.

All get the same body (``bench/bodies.py``: 10 medications, 5 conditions, 1 lab) from
the same load generator, in interleaved rounds (serve, floor, then floor, serve, ...),
each run a warm-up followed by a fixed-duration measurement. The table shows the median
over the rounds and the ratio of every other target's throughput to the baseline's: the
floor when it runs (issue 16's target: ``serve/floor >= 0.6``), else the bare endpoint.
The servers are pinned to one CPU and the load generator to another when the machine has
two (``--server-cpu``, ``--client-cpu``).

The load generator is ``wrk`` when installed (one thread; percentiles from its latency
histogram), otherwise a Python keep-alive client (raw asyncio sockets, pre-encoded
HTTP/1.1 request, one request in flight per connection).

This is a measuring script, not a test: it exits 0 whatever the figures are, and non-zero
only when something broke (a server did not start, a request failed, the client failed).
Only loopback traffic; every run is bounded in time; servers are killed on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Literal, cast

from bodies import CHECK_BODY

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
HOST = "127.0.0.1"
PATH = "/v1/check"
# Issue 16: the production command at least 0.6 of the floor's requests per second.
TARGET_RATIO = 0.6
TARGET_BASELINE = "floor"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
# Identical for both servers; only the application differs.
UVICORN_OPTIONS = ("--no-access-log", "--log-level", "warning", "--http", "auto")

Client = Literal["wrk", "python"]


class BenchError(RuntimeError):
    """Something broke: a server, a request or the load generator."""


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    app: str
    app_dir: Path


TARGETS = (
    Target("service", "service.app:app", ROOT),
    Target("bare", "bare_app:app", BENCH_DIR),
    Target("floor", "floor_app:app", BENCH_DIR),
    # The production command with its own server options; ``app`` is informative only.
    Target("serve", "python -m service serve", ROOT),
    # The same with the engine's answer fixed (computed once): serve without its engine.
    Target("serve-fixed", "python bench/serve_fixed_answer.py", ROOT),
)
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
DEFAULT_TARGETS = ("serve", "floor")
RATIO_NOTES = {
    "service": "the app alone, plain uvicorn, no access log",
    "serve": "the production command (server options, access log, metrics)",
    "serve-fixed": "the production command with the engine's answer fixed (no engine)",
    "floor": "the least work any CPython implementation of this check does",
    "bare": "the framework alone: decode, fixed answer",
}


def baseline_of(names: Sequence[str]) -> str:
    """Ratios are to the floor when it runs, else to the bare endpoint."""
    return TARGET_BASELINE if TARGET_BASELINE in names else "bare"


def default_cpus() -> tuple[int | None, int | None]:
    """Server and load generator on two different CPUs when there are two to use."""
    if not hasattr(os, "sched_getaffinity") or shutil.which("taskset") is None:
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)


def pinned(command: list[str], cpu: int | None) -> list[str]:
    return command if cpu is None else ["taskset", "-c", str(cpu), *command]


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run of one target."""

    target: str
    round: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    # Server CPU time (user + system) per answered request, and the share of one CPU the
    # server got during the run: robust to other load on the machine, unlike rps.
    cpu_us_per_request: float | None = None
    server_cpu_share: float | None = None


@dataclass(slots=True)
class Summary:
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float | None
    response_bytes: int
    samples: list[Sample] = field(default_factory=list)


# Servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc); None where unavailable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        fields = stat.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass(slots=True)
class Server:
    target: Target
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(target: Target, log_dir: Path, cpu: int | None = None) -> Server:
    port = free_port()
    log_path = log_dir / f"{target.name}.log"
    env = dict(os.environ)
    # A "serve" target runs the source tree it names (e.g. a checkout of another commit).
    tree = target.app_dir if target.name.startswith("serve") else ROOT
    if target.name.startswith("serve"):
        entry = ["-m", "service", "serve"]
        if target.name == "serve-fixed":
            entry = [str(BENCH_DIR / "serve_fixed_answer.py")]
        command = [sys.executable, *entry, "--host", HOST, "--port", str(port)]
        env.update(CRAMP_LOG_LEVEL="info", CRAMP_ACCESS_LOG="true", CRAMP_METRICS="true")
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            target.app,
            "--app-dir",
            str(target.app_dir),
            "--host",
            HOST,
            "--port",
            str(port),
            *UVICORN_OPTIONS,
        ]
    # The bench apps import ``service``; the service needs nothing extra.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            pinned(command, cpu),  # taskset execs the server: the pid is the server's
            cwd=tree,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own process group: a terminal Ctrl-C reaches only this script, which then
            # stops the servers itself (see stop_server).
            start_new_session=True,
        )
    return Server(target, port, process, log_path)


def wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    url = f"{server.base_url}/healthz"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"{server.target.name}: server exited with {server.process.returncode}\n"
                f"{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise BenchError(f"{server.target.name}: /healthz not ready after {STARTUP_TIMEOUT_S:.0f} s")


def stop_server(server: Server) -> None:
    process = server.process
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


def check_once(server: Server) -> bytes:
    """One request through urllib: the endpoint answers 200 to the body. Returns it."""
    request = urllib.request.Request(
        f"{server.base_url}{PATH}",
        data=CHECK_BODY,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10.0) as response:
            payload: bytes = response.read()
            status: int = response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode(errors="replace")
        raise BenchError(f"{server.target.name}: POST {PATH} -> {exc.code}: {detail}") from None
    if status != 200:
        raise BenchError(f"{server.target.name}: POST {PATH} -> {status}")
    document = json.loads(payload)
    if server.target.name != "bare" and "risk" not in document:
        raise BenchError(f"{server.target.name}: response is not a report: {payload[:200]!r}")
    return payload


@contextlib.contextmanager
def running_servers(
    targets: Sequence[Target], cpu: int | None = None
) -> Iterator[dict[str, Server]]:
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="http-bench-") as log_dir:
        try:
            for target in targets:
                servers[target.name] = start_server(target, Path(log_dir), cpu)
            for server in servers.values():
                wait_healthy(server)
            yield servers
        finally:
            for server in servers.values():
                stop_server(server)


# Load generators -----------------------------------------------------------------------


def percentile(sorted_values: Sequence[int], pct: float) -> int:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open([==[{body_path}]==], "rb"))
wrk.body = f:read("*a")
f:close()

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def run_wrk(
    url: str,
    script: Path,
    duration: int,
    connections: int,
    target: str,
    round_: int,
    cpu: int | None = None,
) -> Sample:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "--script",
        str(script),
        url,
    ]
    result = subprocess.run(
        pinned(command, cpu), capture_output=True, text=True, timeout=duration + 30, check=False
    )
    line = next(
        (ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")),
        None,
    )
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return Sample(
        target=target,
        round=round_,
        requests=data["requests"],
        seconds=seconds,
        rps=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=data["errors"],
    )


class _KeepAlive(asyncio.Protocol):
    """One keep-alive connection sending the same request back to back until a deadline."""

    def __init__(
        self, request: bytes, deadline_ns: int, latencies: list[int], done: asyncio.Future[int]
    ) -> None:
        self._request = request
        self._deadline_ns = deadline_ns
        self._latencies = latencies
        self._done = done
        self._buffer = bytearray()
        self._sent_ns = 0
        self._errors = 0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        now = time.perf_counter_ns()
        if now >= self._deadline_ns:
            self._transport.close()
            return
        self._sent_ns = now
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        try:
            self._consume(data)
        except Exception as exc:  # a malformed response must end the run, not hang it
            self._fail(f"bad response: {exc!r}")

    def _consume(self, data: bytes) -> None:
        self._buffer += data
        while True:
            head_end = self._buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(self._buffer[:head_end]).split(b"\r\n")
            status = int(head[0].split(b" ", 2)[1])
            length = -1
            for header in head[1:]:
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                elif name.strip().lower() == b"transfer-encoding":
                    self._fail(f"unsupported transfer-encoding {value.strip()!r}")
                    return
            if length < 0:
                self._fail("response without Content-Length")
                return
            end = head_end + 4 + length
            if len(self._buffer) < end:
                return
            del self._buffer[:end]
            self._latencies.append(time.perf_counter_ns() - self._sent_ns)
            if status != 200:
                self._errors += 1
            self._send()

    def _fail(self, message: str) -> None:
        if not self._done.done():
            self._done.set_exception(BenchError(message))
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._done.done():
            return
        if exc is not None:
            self._done.set_exception(BenchError(f"connection lost: {exc}"))
        elif time.perf_counter_ns() < self._deadline_ns:
            self._done.set_exception(BenchError("server closed the connection"))
        else:
            self._done.set_result(self._errors)


async def _python_load(
    port: int, request: bytes, duration: float, connections: int
) -> tuple[list[int], int, float]:
    loop = asyncio.get_running_loop()
    latencies: list[int] = []
    start_ns = time.perf_counter_ns()
    deadline_ns = start_ns + int(duration * 1e9)
    futures: list[asyncio.Future[int]] = []
    transports: list[asyncio.BaseTransport] = []
    try:
        async with asyncio.timeout(duration + 30):
            for _ in range(connections):
                done: asyncio.Future[int] = loop.create_future()
                opened, _protocol = await loop.create_connection(
                    functools.partial(_KeepAlive, request, deadline_ns, latencies, done),
                    HOST,
                    port,
                )
                transports.append(opened)
                futures.append(done)
            errors = sum(await asyncio.gather(*futures))
    finally:
        for transport in transports:
            transport.close()
    seconds = (time.perf_counter_ns() - start_ns) / 1e9
    return latencies, errors, seconds


def _raw_request(port: int) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: {HOST}:{port}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(CHECK_BODY)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + CHECK_BODY


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # noqa: PLC0415  (optional: the fastest loop when installed)
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def run_python(port: int, duration: int, connections: int, target: str, round_: int) -> Sample:
    loop = new_event_loop()
    try:
        latencies, errors, seconds = loop.run_until_complete(
            _python_load(port, _raw_request(port), duration, connections)
        )
    except TimeoutError:
        raise BenchError(f"{target}: the Python client timed out") from None
    except OSError as exc:
        raise BenchError(f"{target}: the Python client failed: {exc}") from None
    finally:
        loop.close()
    latencies.sort()
    return Sample(
        target=target,
        round=round_,
        requests=len(latencies),
        seconds=seconds,
        rps=len(latencies) / seconds if seconds else 0.0,
        p50_ms=percentile(latencies, 50) / 1e6,
        p99_ms=percentile(latencies, 99) / 1e6,
        max_ms=(latencies[-1] if latencies else 0) / 1e6,
        errors=errors,
    )


@dataclass(frozen=True, slots=True)
class LoadGenerator:
    client: Client
    connections: int
    wrk_script: Path | None
    # wrk only: the Python client runs in this process (pin it with taskset).
    cpu: int | None = None

    def run(self, server: Server, duration: int, round_: int) -> Sample:
        name = server.target.name
        if self.client == "wrk":
            assert self.wrk_script is not None
            url = f"{server.base_url}{PATH}"
            return run_wrk(url, self.wrk_script, duration, self.connections, name, round_, self.cpu)
        return run_python(server.port, duration, self.connections, name, round_)


# Driver --------------------------------------------------------------------------------


def interleaved(targets: Sequence[Target], rounds: int) -> Iterator[tuple[int, Target]]:
    """service, bare | bare, service | ...: the order reverses every other round."""
    for round_ in range(1, rounds + 1):
        order = targets if round_ % 2 else tuple(reversed(targets))
        for target in order:
            yield round_, target


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def summarize(name: str, samples: list[Sample], response_bytes: int) -> Summary:
    cpu = [s.cpu_us_per_request for s in samples if s.cpu_us_per_request is not None]
    return Summary(
        target=name,
        rps=statistics.median(s.rps for s in samples),
        p50_ms=statistics.median(s.p50_ms for s in samples),
        p99_ms=statistics.median(s.p99_ms for s in samples),
        cpu_us_per_request=statistics.median(cpu) if cpu else None,
        response_bytes=response_bytes,
        samples=samples,
    )


def versus_baseline(target: Summary, base: Summary) -> dict[str, object]:
    """Throughput ratio of a target to the baseline: median rps, per round, CPU.

    ``meets_target`` is None when the baseline is not the floor (no target then)."""
    per_round = [
        t.rps / b.rps if b.rps else 0.0 for t, b in zip(target.samples, base.samples, strict=True)
    ]
    return {
        "ratio": target.rps / base.rps if base.rps else 0.0,
        "ratio_per_round": per_round,
        "ratio_median_of_rounds": statistics.median(per_round),
        # baseline CPU per request / target CPU per request: the throughput ratio the two
        # would reach with a full CPU each, whatever else the machine was doing.
        "cpu_ratio": (
            base.cpu_us_per_request / target.cpu_us_per_request
            if base.cpu_us_per_request and target.cpu_us_per_request
            else None
        ),
        "meets_target": (
            (target.rps / base.rps >= TARGET_RATIO if base.rps else False)
            if base.target == TARGET_BASELINE
            else None
        ),
    }


def choose_client(requested: str) -> Client:
    if requested == "wrk":
        if shutil.which("wrk") is None:
            raise BenchError("--client wrk: wrk is not installed (apt-get install -y wrk)")
        return "wrk"
    if requested == "python":
        return "python"
    return "wrk" if shutil.which("wrk") else "python"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench(args: argparse.Namespace) -> dict[str, object]:
    client = choose_client(args.client)
    load_before = os.getloadavg()[0]
    targets: tuple[Target, ...] = args.targets
    baseline = baseline_of([t.name for t in targets])
    server_cpu: int | None = args.server_cpu
    client_cpu: int | None = args.client_cpu
    samples: dict[str, list[Sample]] = {t.name: [] for t in targets}
    responses: dict[str, bytes] = {}
    log(
        f"targets={','.join(t.name for t in targets)} "
        f"client={client} connections={args.connections} duration={args.duration}s "
        f"warmup={args.warmup}s rounds={args.rounds} body={len(CHECK_BODY)} bytes "
        f"server CPU {_fmt(server_cpu, 'd')} client CPU {_fmt(client_cpu, 'd')}"
    )
    with tempfile.TemporaryDirectory(prefix="http-bench-wrk-") as tmp:
        wrk_script: Path | None = None
        if client == "wrk":
            body_path = Path(tmp) / "body.json"
            body_path.write_bytes(CHECK_BODY)
            wrk_script = Path(tmp) / "post.lua"
            wrk_script.write_text(_WRK_SCRIPT.format(body_path=body_path), encoding="utf-8")
        load = LoadGenerator(client, args.connections, wrk_script, client_cpu)
        if client == "python" and client_cpu is not None:
            os.sched_setaffinity(0, {client_cpu})  # the servers are pinned by taskset
        with running_servers(targets, server_cpu) as servers:
            for name, server in servers.items():
                responses[name] = check_once(server)
                log(f"{name}: {server.target.app} on port {server.port}, pid {server.process.pid}")
            for name in ("service", "serve", "serve-fixed"):
                if name in responses and "floor" in responses:
                    log(
                        f"floor answers the same bytes as {name}"
                        if responses[name] == responses["floor"]
                        else f"WARNING: floor and {name} answer different bytes "
                        "(the engine changed since the floor started?)"
                    )
            for round_, target in interleaved(targets, args.rounds):
                server = servers[target.name]
                if args.warmup > 0:
                    load.run(server, args.warmup, round_)
                cpu_before = process_cpu_seconds(server.process.pid)
                sample = load.run(server, args.duration, round_)
                cpu_after = process_cpu_seconds(server.process.pid)
                if cpu_before is not None and cpu_after is not None and sample.requests:
                    cpu = cpu_after - cpu_before
                    sample = dataclasses.replace(
                        sample,
                        cpu_us_per_request=cpu / sample.requests * 1e6,
                        server_cpu_share=cpu / sample.seconds if sample.seconds else None,
                    )
                if sample.errors:
                    raise BenchError(f"{target.name}: {sample.errors} failed requests")
                if server.process.poll() is not None:
                    raise BenchError(f"{target.name}: server died\n{server.log_tail()}")
                samples[target.name].append(sample)
                log(
                    f"round {round_} {target.name:>7}: {sample.rps:8.0f} rps  "
                    f"p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:6.2f} ms  "
                    f"server CPU {_fmt(sample.cpu_us_per_request, '.0f')} us/request, "
                    f"{_fmt(sample.server_cpu_share, '.0%')} of a CPU  "
                    f"({sample.requests} requests)"
                )
    summaries = {name: summarize(name, s, len(responses[name])) for name, s in samples.items()}
    base = summaries[baseline]
    vs_base = {
        name: versus_baseline(summary, base)
        for name, summary in summaries.items()
        if name != baseline
    }
    report: dict[str, object] = {
        "targets": [t.name for t in targets],
        "client": client,
        "loadavg_1min_before": round(load_before, 2),
        "loadavg_1min_after": round(os.getloadavg()[0], 2),
        "connections": args.connections,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "body_bytes": len(CHECK_BODY),
        "uvicorn_options": list(UVICORN_OPTIONS),
        "cpus": os.cpu_count(),
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "python": platform.python_version(),
        "results": {name: asdict(summary) for name, summary in summaries.items()},
        "baseline": baseline,
        "target_ratio": TARGET_RATIO,
        "target_baseline": TARGET_BASELINE,
        # Per target other than the baseline: its rps and CPU ratios to the baseline.
        "vs_baseline": vs_base,
    }
    return report


def render_table(report: dict[str, object]) -> str:
    results = report["results"]
    assert isinstance(results, dict)
    lines = [
        f"POST {PATH}  body {report['body_bytes']} B  client {report['client']}  "
        f"{report['connections']} connections  {report['duration_s']} s x "
        f"{report['rounds']} rounds (median)",
        f"{'target':<11} {'rps':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>11} {'resp B':>8}",
    ]
    for name, row in results.items():
        lines.append(
            f"{name:<11} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{_fmt(row['cpu_us_per_request'], '.0f'):>11} {row['response_bytes']:>8}"
        )
    base = report["baseline"]
    vs_base = report["vs_baseline"]
    assert isinstance(vs_base, dict)
    for name, versus in vs_base.items():
        per_round = versus["ratio_per_round"]
        met = versus["meets_target"]
        verdict = (
            "" if met is None else f"; target >= {TARGET_RATIO}: {'met' if met else 'NOT met'}"
        )
        lines.append(
            f"ratio {name}/{base} rps: {versus['ratio']:.3f}  (per round: "
            f"{', '.join(f'{r:.3f}' for r in per_round)}{verdict})"
            f"  {RATIO_NOTES.get(name, '')}".rstrip()
        )
    for name, versus in vs_base.items():
        lines.append(
            f"ratio of server CPU per request {base}/{name}: "
            f"{_fmt(versus['cpu_ratio'], '.3f')}  (the rps ratio on an otherwise idle machine)"
        )
    lines.append(
        f"machine: {report['cpus']} CPUs, 1-min load average {report['loadavg_1min_before']} "
        f"before, {report['loadavg_1min_after']} after (other load skews the figures); "
        f"servers on CPU {report['server_cpu']}, client on CPU {report['client_cpu']}"
    )
    return "\n".join(lines)


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _targets(text: str) -> tuple[Target, ...]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS_BY_NAME]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS_BY_NAME)}"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a target is named twice: {text!r}")
    if "floor" not in names and "bare" not in names:
        raise argparse.ArgumentTypeError("name floor or bare: ratios are to it")
    if len(names) < 2:
        raise argparse.ArgumentTypeError("name at least two targets")
    return tuple(TARGETS_BY_NAME[n] for n in names)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests per second, p99 latency and server CPU per request of "
        "POST /v1/check: the production command vs the floor (and optionally more)."
    )
    parser.add_argument(
        "--targets",
        type=_targets,
        default=_targets(",".join(DEFAULT_TARGETS)),
        help=f"comma-separated, from {', '.join(TARGETS_BY_NAME)}; must include floor or "
        f"bare, the baseline (default {','.join(DEFAULT_TARGETS)})",
    )
    parser.add_argument(
        "--duration",
        type=_bounded(1, 120),
        default=10,
        help="measured seconds per target per round, 1-120 (default 10)",
    )
    parser.add_argument(
        "--warmup",
        type=_bounded(0, 30),
        default=2,
        help="warm-up seconds before each measurement, 0-30 (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=_bounded(1, 20),
        default=3,
        help="interleaved rounds, 1-20; the median is reported (default 3)",
    )
    parser.add_argument(
        "--connections",
        type=_bounded(1, 256),
        default=16,
        help="keep-alive connections of the load generator, 1-256 (default 16)",
    )
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed, else Python (default auto)",
    )
    server_cpu, client_cpu = default_cpus()
    parser.add_argument(
        "--server-cpu",
        type=_cpu,
        default=server_cpu,
        help=f"pin the servers to this CPU, or 'none' (default {_fmt(server_cpu, 'd')})",
    )
    parser.add_argument(
        "--client-cpu",
        type=_cpu,
        default=client_cpu,
        help=f"pin wrk to this CPU, or 'none' (default {_fmt(client_cpu, 'd')})",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args(argv)


def _cpu(text: str) -> int | None:
    if text == "none":
        return None
    return _bounded(0, (os.cpu_count() or 1) - 1)(text)


def terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM/SIGHUP: unwind like Ctrl-C so the servers are stopped in ``finally``.
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Interruptible even when started with SIGINT ignored (e.g. in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    with contextlib.suppress(AttributeError):
        signal.signal(signal.SIGHUP, terminate)
    try:
        report = bench(args)
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
