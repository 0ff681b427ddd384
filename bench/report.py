"""Issue 16's figures in one command: measure, then write bench/results.json and RESULTS.md.

    scripts/run python bench/report.py [--quick] [--parts calibration,http,openloop,batch]
                                       [--rate 1500] [--out-dir bench]

Four parts, about 3-4 minutes with the defaults (``--quick``: about 2, a smoke test):

- ``calibration`` (first and last): a fixed pure-Python workload and the engine's
  ``check()`` + encode of the bench body, in-process, pinned like the servers: how fast
  the machine and the engine were at that moment, to compare runs on different days.
- ``http``: closed loop (wrk, 16 connections, interleaved rounds): the production command
  ``python -m service serve`` (access log and metrics on) side by side with the floor
  (``bench/floor_app.py``): requests/s, their ratio (target >= 0.6), server CPU µs per
  request and per input item (the bench body has 16 inputs); and the same command with
  the engine's answer fixed (``bench/serve_fixed_answer.py``), which splits serve's cost
  into the engine and the rest. Runs ``bench/http_bench.py``.
- ``openloop``: requests sent on a fixed schedule (1,500/s by default, ``bench/openloop.py``)
  to the production command, to the floor, and to a canned server that does no work
  (what the generator and the machine add to every latency): p50/p99 from the scheduled
  send time (target p99 < 5 ms), server CPU µs per request and the CPU share it used;
  and the production command again at half the rate it sustained in ``http``.
- ``batch``: the batch CLI as a user runs it, ``python -m service batch IN -o OUT``,
  pinned to one CPU with ``taskset``, on the generated set
  (``python -m service.batch.sample 20000``), several runs: the rate the CLI prints,
  patients per CPU-second with the start-up (a one-patient run) taken out (target >=
  30,000/s/core), and a check that the output is byte-identical across runs.

Servers and the batch CLI run on one CPU, the load generators on another (when there are
two). Recorded with the figures: date, commit, machine (CPUs, load average before and
after each part), Python, package versions, and whether ``service`` runs as compiled
extension modules (mypyc). Every figure names the command that measures it alone.

A measuring script, not a test: exit 0 whatever the figures are, 1 when something broke.
Only 127.0.0.1; every server it starts is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import http_bench
import msgspec
import openloop
from bodies import CHECK_BODY, CHECK_REQUEST

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Issue 16's targets.
TARGET_SERVE_FLOOR_RATIO = http_bench.TARGET_RATIO
TARGET_BATCH_PER_CORE = 30_000.0
TARGET_P99_MS = 5.0
TARGET_RATE = 1500.0

INPUT_ITEMS = sum(len(CHECK_REQUEST.get(k, ())) for k in ("medications", "conditions", "labs"))
PARTS = ("calibration", "http", "openloop", "batch")
_RATE_LINE = re.compile(r"([\d,]+) patients, .* in ([\d.]+) s \(([\d,]+) patients/s\)")


class Durations(msgspec.Struct, frozen=True):
    http_duration: int
    http_warmup: int
    http_rounds: int
    openloop_duration: float
    openloop_warmup: float
    batch_patients: int
    batch_runs: int


DEFAULT = Durations(5, 2, 3, 20.0, 3.0, 20_000, 3)
QUICK = Durations(3, 1, 1, 8.0, 2.0, 10_000, 2)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def command_output(command: Sequence[str]) -> str:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def rel_python() -> str:
    return "scripts/run python"


# Machine and code ----------------------------------------------------------------------

_COMPILED_PROBE = """
import importlib.machinery, json, sys
import service.app, service.engine, service.batch.runner, service.knowledge
suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
files = {n: getattr(m, "__file__", None) or "" for n, m in list(sys.modules.items())
         if n == "service" or n.startswith("service.")}
print(json.dumps({"modules": len(files),
                  "compiled": sorted(n for n, f in files.items() if f.endswith(suffixes))}))
"""


def compiled_modules() -> dict[str, Any]:
    """Which ``service`` modules a server started from this tree imports as extensions."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _COMPILED_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:]}
    probe: dict[str, Any] = json.loads(done.stdout)
    compiled = probe["compiled"]
    probe["engine_compiled"] = any(n.startswith("service.engine") for n in compiled)
    return probe


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    versions = {}
    for package in ("litestar", "msgspec", "uvicorn", "uvloop", "httptools"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[package] = importlib.metadata.version(package)
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": affinity,
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": versions,
        "wrk": shutil.which("wrk") is not None,
    }


def code() -> dict[str, Any]:
    # Only what the figures depend on; not the docs, not the results files themselves.
    status = command_output(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", "service", "datasets",
         "bench", "pyproject.toml", "uv.lock", ":(exclude)bench/results.json",
         ":(exclude)bench/RESULTS.md", ":(exclude)bench/README.md"]
    )  # fmt: skip
    return {
        "commit": command_output(["git", "rev-parse", "HEAD"]),
        "branch": command_output(["git", "rev-parse", "--abbrev-ref", "HEAD"]),
        # Code or data changed since the commit: the figures are of the working tree.
        "modified": bool(status),
        "compiled": compiled_modules(),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@contextlib.contextmanager
def part(name: str, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Times a part and records the load average around it."""
    result: dict[str, Any] = {"loadavg_before": loadavg()}
    started = time.monotonic()
    log(f"== {name} (1-min load average {result['loadavg_before'][0]})")
    yield result
    result["loadavg_after"] = loadavg()
    result["seconds"] = round(time.monotonic() - started, 1)
    record[name] = result


# Closed loop: http_bench ---------------------------------------------------------------


def closed_loop(durations: Durations, server_cpu: int | None, client_cpu: int | None) -> Any:
    argv = [
        "--targets",
        "serve,serve-fixed,floor",
        "--duration",
        str(durations.http_duration),
        "--warmup",
        str(durations.http_warmup),
        "--rounds",
        str(durations.http_rounds),
        "--connections",
        "16",
        "--server-cpu",
        "none" if server_cpu is None else str(server_cpu),
        "--client-cpu",
        "none" if client_cpu is None else str(client_cpu),
    ]
    report = http_bench.bench(http_bench.parse_args(argv))
    report["command"] = " ".join([rel_python(), "bench/http_bench.py", *argv])
    return report


# Open loop -----------------------------------------------------------------------------


def _pin_self(cpu: int | None) -> Callable[[], None]:
    """Pin this process (the generator) to ``cpu``; returns the undo."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return lambda: None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    return lambda: os.sched_setaffinity(0, before)


def open_loop_one(
    port: int, pid: int | None, durations: Durations, rate: float, share: float = 1.0
) -> dict[str, Any]:
    """Warm-up, then one measured window of ``share`` x the open-loop duration."""
    request = openloop.post_request(port, http_bench.PATH, CHECK_BODY)
    with openloop.OpenLoopGenerator(port, request, connections=48) as generator:
        generator.run(rate, durations.openloop_warmup)
        generator.reconnects = 0
        cpu_before = http_bench.process_cpu_seconds(pid) if pid else None
        result = generator.run(rate, durations.openloop_duration * share)
        cpu_after = http_bench.process_cpu_seconds(pid) if pid else None
    out: dict[str, Any] = msgspec.to_builtins(result)
    if cpu_before is not None and cpu_after is not None and result.completed:
        cpu = cpu_after - cpu_before
        out["server_cpu_us_per_request"] = round(cpu / result.completed * 1e6, 1)
        out["server_cpu_share"] = round(cpu / result.duration_s, 3)
    log(f"  {openloop.describe(result)}")
    return out


def open_loop(
    durations: Durations,
    rate: float,
    server_cpu: int | None,
    client_cpu: int | None,
    light_rate: float | None,
) -> dict[str, Any]:
    """``rate`` against serve, the floor and the canned server; ``light_rate`` (half of
    what serve sustained in the closed loop) against serve too, for half as long: the
    latency it gives at a load it can carry on this machine, whatever ``rate`` gives."""
    results: dict[str, Any] = {}
    undo = _pin_self(client_cpu)
    try:
        targets = [http_bench.TARGETS_BY_NAME[n] for n in ("serve", "floor")]
        with http_bench.running_servers(targets, server_cpu) as servers:
            for name, server in servers.items():
                answer = http_bench.check_once(server)
                log(f"open loop {name}: {rate:g}/s for {durations.openloop_duration:g} s")
                results[name] = open_loop_one(server.port, server.process.pid, durations, rate)
                results[name] |= {"server": server.target.app, "response_bytes": len(answer)}
                if name == "serve" and light_rate:
                    log(f"open loop serve: {light_rate:g}/s (half its closed-loop rate)")
                    results["serve_light"] = open_loop_one(
                        server.port, server.process.pid, durations, light_rate, share=0.5
                    )
        log(f"open loop canned (no work): {rate:g}/s for {durations.openloop_duration:g} s")
        with openloop.canned_server(results["serve"]["response_bytes"], 600.0, server_cpu) as port:
            results["canned"] = open_loop_one(port, None, durations, rate) | {
                "server": "bench/openloop.py canned: a fixed ~28 kB answer, no work"
            }
    finally:
        undo()
    pin = "" if client_cpu is None else f"taskset -c {client_cpu} "
    results["selftest_command"] = (
        f"{pin}{rel_python()} bench/openloop.py selftest --rate {rate:g} "
        f"--duration {durations.openloop_duration:g}"
        + ("" if server_cpu is None else f" --server-cpu {server_cpu}")
    )
    results["command"] = (
        f"server: {'' if server_cpu is None else f'taskset -c {server_cpu} '}"
        f"{rel_python()} -m service serve --host 127.0.0.1 --port PORT; generator: "
        f"{pin}{rel_python()} bench/openloop.py run --port PORT --rate {rate:g} "
        f"--duration {durations.openloop_duration:g} --warmup {durations.openloop_warmup:g}"
    )
    return results


# Calibration ---------------------------------------------------------------------------

CALIBRATION_ROUNDS = 7


def _reference_work() -> None:
    """A fixed pure-Python workload (dict look-ups, string work, a sort): machine speed."""
    table = {f"drug{i}": i for i in range(300)}
    words = [f"drug{i * 7 % 300}" for i in range(300)]
    sorted((table[w], w.upper()) for w in words)


def _best_and_median_us(work: Callable[[], object], per_round: int) -> dict[str, float]:
    rounds = []
    for _ in range(CALIBRATION_ROUNDS):
        started = time.process_time()
        for _ in range(per_round):
            work()
        rounds.append((time.process_time() - started) / per_round * 1e6)
    return {"best_us": round(min(rounds), 1), "median_us": round(statistics.median(rounds), 1)}


def calibrate_here() -> dict[str, Any]:
    """In this process: the reference workload and the engine on the bench body."""
    from service.engine import CheckRequest, check, load  # noqa: PLC0415

    knowledge = load()
    decoder, encoder = msgspec.json.Decoder(CheckRequest), msgspec.json.Encoder()

    def engine() -> bytes:
        return encoder.encode(check(decoder.decode(CHECK_BODY), knowledge))

    engine()
    return {
        "reference_us": _best_and_median_us(_reference_work, 200),
        "engine_check_encode_us": _best_and_median_us(engine, 100),
    }


def calibrate(cpu: int | None) -> dict[str, Any]:
    """Pinned like the servers: how fast the machine and the engine were at this moment."""
    command = [sys.executable, str(Path(__file__).resolve()), "--calibrate-only"]
    done = subprocess.run(
        http_bench.pinned(command, cpu),
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise http_bench.BenchError(f"calibration failed: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    log(
        f"  calibration: reference {result['reference_us']['best_us']} us, engine check()+encode "
        f"{result['engine_check_encode_us']['best_us']} us (best of {CALIBRATION_ROUNDS} rounds)"
    )
    return result


# Batch ---------------------------------------------------------------------------------


def _child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_cli_once(source: Path, out: Path, cpu: int | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "service", "batch", str(source), "-o", str(out)]
    cpu_before = _child_cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(
        http_bench.pinned(command, cpu),
        cwd=ROOT,
        # rich wraps the summary at the console width (80 when not a terminal).
        env=dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="500"),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    wall = time.perf_counter() - started
    cpu_s = _child_cpu_seconds() - cpu_before
    summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode not in (0, 1):
        raise http_bench.BenchError(f"batch CLI exit {done.returncode}: {done.stderr[-500:]}")
    match = _RATE_LINE.search(summary)
    if match is None:
        raise http_bench.BenchError(f"batch CLI: no rate in its summary: {summary!r}")
    return {
        "exit": done.returncode,
        "summary": summary,
        "patients": int(match.group(1).replace(",", "")),
        "cli_seconds": float(match.group(2)),
        "cli_patients_per_s": int(match.group(3).replace(",", "")),
        "process_wall_s": round(wall, 3),
        "process_cpu_s": round(cpu_s, 3),
        "output_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }


def batch(durations: Durations, cpu: int | None) -> dict[str, Any]:
    sample = [sys.executable, "-m", "service.batch.sample", str(durations.batch_patients)]
    data = subprocess.run(
        sample,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    lines = data.splitlines()
    decoded = [msgspec.json.decode(line) for line in lines]
    items = sum(len(p.get(k, ())) for p in decoded for k in ("medications", "conditions", "labs"))
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        source, one = Path(tmp) / "patients.ndjson", Path(tmp) / "one.ndjson"
        source.write_bytes(data)
        one.write_bytes(lines[0] + b"\n")
        # Start-up (interpreter, imports, knowledge) measured on one patient, then removed.
        startup = batch_cli_once(one, Path(tmp) / "one.out", cpu)
        runs = []
        for number in range(durations.batch_runs):
            run = batch_cli_once(source, Path(tmp) / f"out{number}.ndjson", cpu)
            run["patients_per_cpu_s_without_startup"] = round(
                run["patients"] / max(1e-9, run["process_cpu_s"] - startup["process_cpu_s"])
            )
            log(
                f"  run {number + 1}: {run['summary']}; process {run['process_cpu_s']:.2f} s "
                f"CPU, {run['patients_per_cpu_s_without_startup']:,}/CPU-s without start-up"
            )
            runs.append(run)
    pin = "" if cpu is None else f"taskset -c {cpu} "
    hashes = {r["output_sha256"] for r in runs}
    return {
        "patients": len(lines),
        "input_items": items,
        "input_sha256": hashlib.sha256(data).hexdigest(),
        "startup": startup,
        "runs": runs,
        "identical_output": len(hashes) == 1,
        "cli_patients_per_s_median": statistics.median(r["cli_patients_per_s"] for r in runs),
        "patients_per_cpu_s_median": statistics.median(
            r["patients_per_cpu_s_without_startup"] for r in runs
        ),
        "command": (
            f"{rel_python()} -m service.batch.sample {durations.batch_patients} > patients.ndjson"
            f" && {pin}{rel_python()} -m service batch patients.ndjson -o out.ndjson"
        ),
    }


# Figures -------------------------------------------------------------------------------


def _met(value: float | None, ok: bool) -> bool | None:
    return None if value is None else ok


def _row(
    figure: str, value: object, command: str, target: str = "", met: bool | None = None
) -> dict[str, Any]:
    return {"figure": figure, "value": value, "target": target, "met": met, "command": command}


def _calibration_rows(cal: dict[str, Any]) -> list[dict[str, Any]]:
    command = f"{rel_python()} bench/report.py --parts calibration"
    rows = []
    for when, result in cal.items():
        rows += [
            _row(
                f"engine `check()` + encode of the bench body, in-process, µs ({when})",
                result["engine_check_encode_us"]["best_us"],
                command,
            ),
            _row(
                f"reference pure-Python workload, µs ({when}; the machine's speed)",
                result["reference_us"]["best_us"],
                command,
            ),
        ]
    return rows


def _http_rows(http: dict[str, Any]) -> list[dict[str, Any]]:
    serve, floor = http["results"]["serve"], http["results"]["floor"]
    versus = http["vs_baseline"]["serve"]
    command = http["command"]
    ratio, cpu_ratio = versus["ratio"], versus["cpu_ratio"]
    target = f">= {TARGET_SERVE_FLOOR_RATIO}"
    shares = [s["server_cpu_share"] for s in serve["samples"] if s["server_cpu_share"]]
    return [
        _row(
            "serve/floor requests/s (closed loop, median of rounds)",
            round(ratio, 3),
            command,
            target,
            ratio >= TARGET_SERVE_FLOOR_RATIO,
        ),
        _row(
            "serve/floor by server CPU per request (floor µs / serve µs)",
            _round(cpu_ratio, 3),
            command,
            target,
            _met(cpu_ratio, (cpu_ratio or 0) >= TARGET_SERVE_FLOOR_RATIO),
        ),
        _row("serve requests/s (one pinned process, saturated)", round(serve["rps"]), command),
        _row("floor requests/s", round(floor["rps"]), command),
        _row(
            "share of its CPU serve got while saturated (1 = the CPU to itself)",
            _round(statistics.median(shares) if shares else None, 2),
            command,
        ),
        _row(
            "serve server CPU µs per request",
            _round(serve["cpu_us_per_request"], 0),
            command,
        ),
        _row(
            f"serve server CPU µs per input item ({INPUT_ITEMS} per request)",
            _round(_per_item(serve["cpu_us_per_request"]), 1),
            command,
        ),
        _row("floor server CPU µs per request", _round(floor["cpu_us_per_request"], 0), command),
        *_fixed_answer_rows(http, command),
    ]


def _fixed_answer_rows(http: dict[str, Any], command: str) -> list[dict[str, Any]]:
    """serve without its engine (``bench/serve_fixed_answer.py``), and so the engine's part."""
    fixed = http["results"].get("serve-fixed")
    if fixed is None:
        return []
    serve_us, fixed_us = http["results"]["serve"]["cpu_us_per_request"], fixed["cpu_us_per_request"]
    return [
        _row(
            "serve with the engine's answer fixed / floor, requests/s (serve without its engine)",
            round(http["vs_baseline"]["serve-fixed"]["ratio"], 3),
            command,
        ),
        _row(
            "serve with the engine's answer fixed, server CPU µs per request",
            _round(fixed_us, 0),
            command,
        ),
        _row(
            "the engine's part of serve, server CPU µs per request (serve minus fixed answer)",
            _round(serve_us - fixed_us if serve_us and fixed_us else None, 0),
            command,
        ),
    ]


def _open_loop_rows(ol: dict[str, Any], http: dict[str, Any] | None) -> list[dict[str, Any]]:
    serve = ol["serve"]
    rate = serve["target_rps"]
    p99 = serve["latency"]["p99_ms"]
    command = ol["command"]
    rows = []
    if http and http["results"]["serve"]["cpu_us_per_request"]:
        rows.append(
            _row(
                f"CPUs serve needs for {rate:g} requests/s (rate x its CPU µs per request)",
                round(rate * http["results"]["serve"]["cpu_us_per_request"] / 1e6, 2),
                http["command"],
                "well under 1",
            )
        )
    rows += [
        _row(
            f"serve p99 ms at {rate:g} requests/s, open loop",
            round(p99, 2),
            command,
            f"< {TARGET_P99_MS:g}",
            p99 < TARGET_P99_MS and serve["failed"] == 0,
        ),
        _row("serve p50 ms", round(serve["latency"]["p50_ms"], 2), command),
        _row("serve requests failed or not answered in time", serve["failed"], command),
        _row("serve server CPU µs per request", serve.get("server_cpu_us_per_request"), command),
    ]
    light = ol.get("serve_light")
    if light:
        light_command = command.replace(f"--rate {rate:g}", f"--rate {light['target_rps']:g}")
        rows.append(
            _row(
                f"serve p99 ms at {light['target_rps']:g} requests/s (half what it sustained)",
                round(light["latency"]["p99_ms"], 2),
                light_command.replace(
                    f"--duration {serve['duration_s']:g}", f"--duration {light['duration_s']:g}"
                ),
            )
        )
    floor_command = command.replace("-m service serve", "-m uvicorn --app-dir bench floor_app:app")
    rows += [
        _row(
            f"floor p99 ms at {rate:g} requests/s",
            round(ol["floor"]["latency"]["p99_ms"], 2),
            floor_command,
        ),
        _row(
            f"no-work canned server p99 ms at {rate:g} requests/s (generator + machine noise)",
            round(ol["canned"]["latency"]["p99_ms"], 2),
            ol["selftest_command"],
        ),
    ]
    return rows


def _batch_rows(b: dict[str, Any]) -> list[dict[str, Any]]:
    per_cpu = b["patients_per_cpu_s_median"]
    printed = b["cli_patients_per_s_median"]
    target = f">= {TARGET_BATCH_PER_CORE:,.0f}"
    command = b["command"]
    return [
        _row(
            "batch CLI patients per CPU-second, one core, start-up excluded",
            per_cpu,
            command,
            target,
            per_cpu >= TARGET_BATCH_PER_CORE and b["identical_output"],
        ),
        _row(
            "batch CLI patients/s as it prints them (wall clock, pinned)",
            printed,
            command,
            target,
            printed >= TARGET_BATCH_PER_CORE,
        ),
        _row(
            "batch CPU µs per input item",
            round(1e6 / per_cpu * b["patients"] / b["input_items"], 2),
            command,
        ),
        _row(
            "batch output byte-identical across runs",
            b["identical_output"],
            command,
            "identical",
            b["identical_output"],
        ),
    ]


def figures(parts: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The headline figures by part, each with its target (if any) and its command."""
    out: dict[str, list[dict[str, Any]]] = {}
    if "calibration" in parts:
        out["calibration"] = _calibration_rows(parts["calibration"])
    if "http" in parts:
        out["http"] = _http_rows(parts["http"])
    if "openloop" in parts:
        out["openloop"] = _open_loop_rows(parts["openloop"], parts.get("http"))
    if "batch" in parts:
        out["batch"] = _batch_rows(parts["batch"])
    return out


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _per_item(value: float | None) -> float | None:
    return None if value is None else value / INPUT_ITEMS


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and abs(value) >= 100:
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "n/a" if value is None else str(value)


def markdown(record: dict[str, Any]) -> str:
    m, c = record["machine"], record["code"]
    compiled = c["compiled"]
    compiled_text = (
        f"error: {compiled['error']}"
        if "error" in compiled
        else f"{len(compiled['compiled'])} of {compiled['modules']} `service` modules compiled"
        f" (engine {'compiled' if compiled['engine_compiled'] else 'pure Python'})"
    )
    loads = ", ".join(
        f"{name} {p['loadavg_before'][0]} → {p['loadavg_after'][0]}"
        for name, p in record["parts"].items()
    )
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{record['command']}` on {record['date']} "
        f"({record['seconds']:.0f} s). Do not edit: re-run the command.",
        "",
        f"- commit `{c['commit'][:12]}` ({c['branch']}"
        f"{', with uncommitted changes' if c['modified'] else ''}); {compiled_text}",
        f"- {m['cpus']} CPUs ({m['cpu_model']}), {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        f"- servers and the batch CLI pinned to CPU {record['server_cpu']}, load generators "
        f"to CPU {record['client_cpu']}; 1-minute load average before → after each part: "
        f"{loads} (a shared machine: CPU-µs figures and ratios are steadier than rates)",
        f"- the HTTP body: `bench/bodies.py`, {INPUT_ITEMS} input items, {len(CHECK_BODY):,} bytes",
    ]
    by_part: dict[str, list[dict[str, Any]]] = record["figures"]
    targeted = [row for rows in by_part.values() for row in rows if row["target"]]
    if targeted:
        lines += ["", "## Issue 16's targets", "", "| figure | value | target | met |",
                  "|---|---:|---|---|"]  # fmt: skip
        lines += [_table_row(row) for row in targeted]
    for name, rows in by_part.items():
        lines += ["", f"## {PART_TITLES[name]}", "", "| figure | value | target | met |",
                  "|---|---:|---|---|"]  # fmt: skip
        lines += [_table_row(row) for row in rows]
        lines += ["", "Measured alone by:", ""]
        lines += [f"- `{command}`" for command in dict.fromkeys(row["command"] for row in rows)]
    lines.append("")
    return "\n".join(lines)


PART_TITLES = {
    "calibration": "Calibration: the machine and the engine alone, before and after the run",
    "http": "Closed loop (wrk): the production command vs the floor",
    "openloop": "Open loop: latency at a fixed request rate",
    "batch": "Batch CLI on one core",
}


def _table_row(row: dict[str, Any]) -> str:
    met = row["met"]
    verdict = "" if met is None else ("**yes**" if met else "**no**")
    return f"| {row['figure']} | {_show(row['value'])} | {row['target']} | {verdict} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"from {','.join(PARTS)}")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="open-loop requests/s")
    parser.add_argument(
        "--out-dir", type=Path, default=ROOT / "bench", help="where results.json and RESULTS.md go"
    )
    parser.add_argument("--calibrate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.calibrate_only:
        print(json.dumps(calibrate_here()))
        return 0
    # Interruptible even when started in the background; servers stop in ``finally``.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, http_bench.terminate)
    parts_wanted = [p.strip() for p in args.parts.split(",") if p.strip()]
    if not parts_wanted or any(p not in PARTS for p in parts_wanted):
        parser.error(f"--parts: choose from {','.join(PARTS)}")
    if not 0 < args.rate <= 20_000:
        parser.error("--rate: 0-20000")
    durations = QUICK if args.quick else DEFAULT
    server_cpu, client_cpu = http_bench.default_cpus()
    started = time.monotonic()
    command = " ".join([rel_python(), "bench/report.py", *(argv or sys.argv[1:])])
    record: dict[str, Any] = {
        "command": command,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code(),
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "durations": msgspec.to_builtins(durations),
        "targets": {
            "serve_floor_ratio_at_least": TARGET_SERVE_FLOOR_RATIO,
            "batch_patients_per_s_per_core_at_least": TARGET_BATCH_PER_CORE,
            "p99_ms_below": TARGET_P99_MS,
            "open_loop_rate": args.rate,
        },
        "parts": {},
    }
    try:
        parts = measure(parts_wanted, durations, args.rate, record)
    except (http_bench.BenchError, openloop.OpenLoopError, subprocess.SubprocessError) as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    record["figures"] = figures(parts)
    record["seconds"] = round(time.monotonic() - started, 1)
    print(write(record, args.out_dir))
    return 0


def measure(
    wanted: Sequence[str], durations: Durations, rate: float, record: dict[str, Any]
) -> dict[str, Any]:
    """Runs the parts in order; each part's result also goes into ``record["parts"]``."""
    server_cpu, client_cpu = record["server_cpu"], record["client_cpu"]
    parts: dict[str, Any] = {}
    if "calibration" in wanted:
        with part("calibration", record["parts"]) as p:
            parts["calibration"] = p["result"] = {"before": calibrate(server_cpu)}
    if "http" in wanted:
        with part("http", record["parts"]) as p:
            parts["http"] = p["result"] = closed_loop(durations, server_cpu, client_cpu)
    if "openloop" in wanted:
        with part("openloop", record["parts"]) as p:
            light = None
            if "http" in parts:
                light = max(10.0, round(parts["http"]["results"]["serve"]["rps"] / 2, -1))
            parts["openloop"] = p["result"] = open_loop(
                durations, rate, server_cpu, client_cpu, light
            )
    if "batch" in wanted:
        with part("batch", record["parts"]) as p:
            parts["batch"] = p["result"] = batch(durations, server_cpu)
    if "calibration" in wanted:
        parts["calibration"]["after"] = calibrate(server_cpu)
    return parts


def write(record: dict[str, Any], out_dir: Path) -> str:
    """Writes results.json and RESULTS.md into ``out_dir``; returns the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    text = markdown(record)
    (out_dir / "RESULTS.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    sys.exit(main())
