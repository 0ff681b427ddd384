"""How an HTTP server treats slow, idle, oversized and excess clients: real sockets.

    uv run python bench/limits_probe.py [--server serve|uvicorn-httptools|uvicorn-h11|granian]
                                        [--limit 4] [--cap 30] [--json]

Starts the chosen server on a free loopback port (``serve`` is ``python -m service serve``
with its defaults; the others run ``service.app:app`` with the closest options they have,
listed in ``SERVERS``; granian needs ``uv run --with granian``), waits for ``/readyz`` and
probes it:

- ``idle``: connect and send nothing; seconds until the server closes the connection;
- ``slow_headers``: a request head sent one byte per second (slowloris); seconds until
  the server closes the connection, and what it answered;
- ``slow_body``: a complete head announcing 1,000 bytes, then one body byte per second;
- ``big_header``: 64 MB of request head (8 KiB header lines) sent as fast as the server
  reads it; bytes the server took before answering or closing, its answer, and the growth
  of its peak RSS (VmHWM);
- ``concurrency``: ``--limit`` + 2 requests held in flight (slow bodies), then one more
  complete request: its status and ``Retry-After``.

Every probe gives up after ``--cap`` seconds ("still open" means the server never acted).
A measuring script, not a test: it exits 0 whatever the server does, and non-zero only
when the server cannot be started. Loopback only; the server is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BODY = b'{"medications":[{"text":"Lasix 40 mg PO daily"}]}'

# {port} and {limit} are filled in; every server gets the closest settings it has.
SERVERS: dict[str, list[str]] = {
    "serve": ["{python}", "-m", "service", "serve", "--host", HOST, "--port", "{port}"],
    "uvicorn-httptools": [
        "{python}", "-m", "uvicorn", "service.app:app", "--host", HOST, "--port", "{port}",
        "--http", "httptools", "--timeout-keep-alive", "5", "--limit-concurrency", "{limit}",
        "--no-access-log", "--log-level", "warning",
    ],
    "uvicorn-h11": [
        "{python}", "-m", "uvicorn", "service.app:app", "--host", HOST, "--port", "{port}",
        "--http", "h11", "--h11-max-incomplete-event-size", "16384",
        "--timeout-keep-alive", "5", "--limit-concurrency", "{limit}",
        "--no-access-log", "--log-level", "warning",
    ],
    "granian": [
        "{python}", "-m", "granian", "--interface", "asgi", "--host", HOST, "--port", "{port}",
        "--http", "1", "--workers", "1", "--backpressure", "{limit}",
        "--http1-header-read-timeout", "5000", "--http1-buffer-size", "16384",
        "--http1-keep-alive", "--log-level", "warning", "service.app:app",
    ],
}  # fmt: skip


@dataclass
class Outcome:
    probe: str
    seconds: float | None  # until the server acted (closed or answered); None: never
    answer: str  # the status line the server sent, "closed" or "still open"
    detail: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def peak_rss_kib(pid: int) -> int:
    """VmHWM (peak resident set) of the process and its children, KiB."""
    total = 0
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found += [int(child) for child in text]
    return found + [grand for child in found for grand in _children(child)]


@contextlib.contextmanager
def running(name: str, limit: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [part.format(python=sys.executable, port=port, limit=limit) for part in SERVERS[name]]
    env = {**os.environ, "CRAMP_LOG_LEVEL": "warning", "CRAMP_LIMIT_CONCURRENCY": str(limit)}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"{name} exited:\n{log.read().decode(errors='replace')}")
                with contextlib.suppress(OSError):
                    url = f"http://{HOST}:{port}/readyz"
                    with urllib.request.urlopen(url, timeout=1) as answer:
                        if answer.status == 200:
                            break
                time.sleep(0.2)
            else:
                raise SystemExit(f"{name}: not ready after 60 s")
            yield port, process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _read_answer(sock: socket.socket) -> str | None:
    """The status line if the server answered, "closed" if it closed, None if neither."""
    try:
        data = sock.recv(65536, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None
    except OSError:
        return "closed (reset)"
    if not data:
        return "closed"
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _trickle(port: int, opening: bytes, drip: bytes, cap: float, probe: str) -> Outcome:
    """Send ``opening``, then ``drip`` one byte per second until the server acts."""
    started = time.monotonic()
    with socket.create_connection((HOST, port)) as sock:
        sock.sendall(opening)
        for index in range(10**6):
            answer = _read_answer(sock)
            if answer is not None:
                return Outcome(probe, round(time.monotonic() - started, 1), answer)
            if time.monotonic() - started > cap:
                return Outcome(probe, None, "still open")
            time.sleep(1.0)
            try:
                sock.sendall(drip[index % len(drip) : index % len(drip) + 1])
            except OSError:
                answer = _read_answer(sock) or "closed"
                return Outcome(probe, round(time.monotonic() - started, 1), answer)
    return Outcome(probe, None, "still open")


def probe_idle(port: int, cap: float) -> Outcome:
    started = time.monotonic()
    with socket.create_connection((HOST, port)) as sock:
        while time.monotonic() - started < cap:
            answer = _read_answer(sock)
            if answer is not None:
                return Outcome("idle", round(time.monotonic() - started, 1), answer)
            time.sleep(0.2)
    return Outcome("idle", None, "still open")


def probe_slow_headers(port: int, cap: float) -> Outcome:
    opening = b"POST /v1/check HTTP/1.1\r\nHost: x\r\n"
    return _trickle(port, opening, b"X-Slow: abcdefghij\r\n", cap, "slow_headers")


def probe_slow_body(port: int, cap: float) -> Outcome:
    head = (
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    return _trickle(port, head + b'{"medications":', b" ", cap, "slow_body")


def probe_big_header(port: int, pid: int, cap: float) -> Outcome:
    before = peak_rss_kib(pid)
    started = time.monotonic()
    sent = 0
    answer = "still open"
    chunk = b"".join(b"X-Big-%d: %s\r\n" % (n, b"a" * 8180) for n in range(8))
    with socket.create_connection((HOST, port)) as sock:
        sock.settimeout(cap)
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            while sent < 64 * 1024 * 1024 and time.monotonic() - started < cap:
                sock.sendall(chunk)
                sent += len(chunk)
                if (seen := _read_answer(sock)) is not None:
                    answer = seen
                    break
            else:
                sock.sendall(b"\r\n")
                sock.settimeout(max(1.0, cap - (time.monotonic() - started)))
                data = sock.recv(65536)
                answer = data.split(b"\r\n", 1)[0].decode("latin-1") if data else "closed"
        except OSError as exc:
            answer = _read_answer(sock) or f"closed ({type(exc).__name__})"
    growth = peak_rss_kib(pid) - before
    detail = f"{sent / 1048576:.1f} MiB sent; peak RSS +{growth / 1024:.1f} MiB"
    return Outcome("big_header", round(time.monotonic() - started, 1), answer, detail)


def probe_concurrency(port: int, limit: int, cap: float) -> Outcome:
    head = (
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    held = []
    try:
        for _ in range(limit + 2):
            sock = socket.create_connection((HOST, port))
            sock.sendall(head)
            held.append(sock)
        time.sleep(0.5)
        request = (
            b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode()
            + BODY
        )
        started = time.monotonic()
        with socket.create_connection((HOST, port)) as sock:
            sock.settimeout(min(cap, 10.0))
            sock.sendall(request)
            try:
                data = sock.recv(65536)
            except TimeoutError:
                return Outcome("concurrency", None, "no answer (queued)")
        head_lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        retry = [h for h in head_lines[1:] if h.lower().startswith("retry-after:")]
        return Outcome(
            "concurrency",
            round(time.monotonic() - started, 2),
            head_lines[0] if data else "closed",
            retry[0] if retry else "no Retry-After",
        )
    finally:
        for sock in held:
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--server", choices=sorted(SERVERS), default="serve")
    parser.add_argument("--limit", type=int, default=4, help="concurrency limit to set")
    parser.add_argument("--cap", type=float, default=30.0, help="seconds per probe, at most")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.limit <= 64 and 1 <= args.cap <= 120):
        parser.error("--limit 1-64, --cap 1-120")
    with running(args.server, args.limit) as (port, process):
        outcomes = [
            probe_idle(port, args.cap),
            probe_slow_headers(port, args.cap),
            probe_slow_body(port, args.cap),
            probe_big_header(port, process.pid, args.cap),
            probe_concurrency(port, args.limit, args.cap),
        ]
    if args.json:
        print(json.dumps({"server": args.server, "outcomes": [asdict(o) for o in outcomes]}))
    else:
        for outcome in outcomes:
            seconds = "never" if outcome.seconds is None else f"{outcome.seconds} s"
            print(f"{args.server:18} {outcome.probe:13} {seconds:>8}  {outcome.answer}  "
                  f"{outcome.detail}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
