"""Load and soak: drive a running server with a fixed number of requests on loopback.

Reports throughput, latency percentiles, errors and the server's resident memory (RSS,
from /proc, summed over the process and its children) before, during and after the run.

    # against a server that is already running (give its pid for the memory figures)
    scripts/run python bench/soak.py --url http://127.0.0.1:8000 --pid 1234 --requests 100000

    # or let the script start `python -m service serve` on a free loopback port
    scripts/run python bench/soak.py --spawn --requests 100000

It is bounded on purpose: a fixed number of requests (at most 1,000,000), at most 64
connections, and only loopback addresses (127.0.0.0/8, ::1, localhost). The client is a
minimal HTTP/1.1 keep-alive client on asyncio streams, so that it costs far less CPU than
the server it measures. Every response is checked: status 200, and for /v1/check a report
that flags furosemide; anything else counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from service.web.openapi import REQUEST_EXAMPLE

MAX_REQUESTS = 1_000_000
MAX_CONCURRENCY = 64
ROOT = Path(__file__).resolve().parents[1]

# A realistic request: the documented example (brand name with dose text, a coded drug, a
# coded and a free-text condition, a lab) plus two more common drugs.
CHECK_BODY = {
    **REQUEST_EXAMPLE,
    "medications": [
        *REQUEST_EXAMPLE["medications"],
        {"text": "atorvastatin 40 mg at bedtime"},
        {"text": "metformin 500 mg BID"},
    ],
}
EXPECT_IN_CHECK = b'"concept":"furosemide"'


def loopback_only(host: str) -> None:
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        sys.exit(f"refusing {host!r}: only loopback addresses are allowed")
    if not address.is_loopback:
        sys.exit(f"refusing {host}: only loopback addresses are allowed")


def _children(pid: int) -> Iterator[int]:
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    yield int(child)
                    yield from _children(int(child))


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of pid and its live descendants, seconds."""
    if pid is None:
        return None
    ticks = 0
    for each in {pid, *_children(pid)}:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int | None) -> int | None:
    """Resident memory of pid and all its descendants (KiB), or None."""
    if pid is None:
        return None
    total = 0
    for each in {pid, *_children(pid)}:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total or None


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Target:
    def __init__(self, url: str, path: str, body: bytes | None, host_header: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        method = "POST" if body is not None else "GET"
        head = [f"{method} {path} HTTP/1.1", f"Host: {host_header}", "Accept: application/json"]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.request = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
        self.expect = EXPECT_IN_CHECK if path == "/v1/check" else None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, bytes(body)
        body += chunk[:-2]


async def _worker(target: Target, counter: Iterator[int], run: Run, timeout: float) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    for _ in counter:
        started = time.perf_counter()
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(target.host, target.port)
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            writer.write(target.request)
            status, body = await asyncio.wait_for(_read_response(reader), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            run.error(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        run.latencies.append(time.perf_counter() - started)
        if status != 200:
            run.error(f"status {status}")
        elif target.expect is not None and target.expect not in body:
            run.error("wrong answer")
    if writer is not None:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def drive(target: Target, requests: int, concurrency: int, timeout: float) -> Run:
    run = Run()
    counter = iter(range(requests))  # shared: each worker takes the next request number
    await asyncio.gather(*(_worker(target, counter, run, timeout) for _ in range(concurrency)))
    return run


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def wait_ready(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/readyz", timeout=1) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    sys.exit(f"{url} did not become ready in {seconds:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spawn(server: str, workers: int, cpus: str | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {"CRAMP_LOG_LEVEL": "warning", **os.environ}
    if server == "uvicorn":
        command = [
            sys.executable, "-m", "service", "serve",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        ]  # fmt: skip
    else:  # granian, for the server comparison in docs/operations.md
        command = [
            sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--no-ws", "--log-level",
            "warning", "service.app:app",
        ]  # fmt: skip
    if cpus:  # pin the server (all its threads) to these CPUs, e.g. one core like a pod
        command = ["taskset", "-c", cpus, *command]
    # The server's logs are written (and cost what they cost) but not shown.
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, f"http://127.0.0.1:{port}"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
    parser.add_argument("--path", default="/v1/check", help="/v1/check (POST) or a GET path")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=500, help="requests before measuring")
    parser.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    parser.add_argument("--pid", type=int, default=None, help="server pid, for RSS figures")
    parser.add_argument("--spawn", action="store_true", help="start the server on loopback")
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--workers", type=int, default=1, help="with --spawn")
    parser.add_argument("--server-cpus", default=None, help="with --spawn: taskset CPU list")
    parser.add_argument("--client-cpus", default=None, help="pin this client, e.g. 0")
    parser.add_argument("--samples", type=int, default=10, help="RSS samples during the run")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        parser.error(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    if not args.spawn:
        parts = urlsplit(args.url)
        if parts.scheme != "http" or not parts.hostname:
            parser.error("--url must be http://<loopback>:<port>")
        loopback_only(parts.hostname)
    return args


def measure(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Warm up, then run the requests in ``--samples`` slices, sampling RSS after each."""
    wait_ready(url, 60)
    body = json.dumps(CHECK_BODY).encode() if args.path == "/v1/check" else None
    target = Target(url, args.path, body, urlsplit(url).netloc)
    rss_start = rss_kib(args.pid)
    if args.warmup:
        asyncio.run(drive(target, args.warmup, args.concurrency, args.timeout))
    rss_warm = rss_kib(args.pid)
    cpu_before = cpu_seconds(args.pid)
    samples: list[int | None] = []
    run = Run()
    slices = max(1, min(args.samples, args.requests))
    sizes = [args.requests // slices + (i < args.requests % slices) for i in range(slices)]
    started = time.perf_counter()
    for size in sizes:
        part = asyncio.run(drive(target, size, args.concurrency, args.timeout))
        run.latencies += part.latencies
        for kind, count in part.error_kinds.items():
            run.errors += count
            run.error_kinds[kind] = run.error_kinds.get(kind, 0) + count
        samples.append(rss_kib(args.pid))
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(args.pid)
    ordered = sorted(run.latencies)
    result: dict[str, Any] = {
        "url": url + args.path,
        "server": args.server if args.spawn else "external",
        "requests": args.requests,
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(args.requests / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(ordered, 0.50) * 1000, 2),
            "p90": round(percentile(ordered, 0.90) * 1000, 2),
            "p99": round(percentile(ordered, 0.99) * 1000, 2),
            "max": round(ordered[-1] * 1000, 2) if ordered else None,
            "mean": round(statistics.fmean(ordered) * 1000, 2) if ordered else None,
        },
        "errors": run.errors,
        "error_kinds": run.error_kinds,
        "rss_kib": {"start": rss_start, "after_warmup": rss_warm, "samples": samples},
    }
    if cpu_before is not None and cpu_after is not None:
        # Server CPU per request: the cost that matters when a pod has a CPU limit.
        result["server_cpu_ms_per_request"] = round(
            (cpu_after - cpu_before) * 1000 / args.requests, 3
        )
    if rss_warm and samples and samples[-1]:
        result["rss_growth_kib_after_warmup"] = samples[-1] - rss_warm
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.client_cpus:
        os.sched_setaffinity(0, {int(cpu) for cpu in args.client_cpus.split(",")})
    process = None
    if args.spawn:
        process, args.url = spawn(args.server, args.workers, args.server_cpus)
        args.pid = process.pid
    try:
        result = measure(args, args.url.rstrip("/"))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    print(json.dumps(result, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
