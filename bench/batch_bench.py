"""Batch throughput on one core: patients per second through the CLI's batch path.

    scripts/run python bench/batch_bench.py [--patients 20000] [--seed 20261124] [--cli]

Generates a deterministic, realistic mix from the knowledge base's own names
(``service.batch.sample``: 1-8 medications as generic/brand/synonym text with doses, some
RxNorm codes, a few misspelled or unknown; 0-4 conditions as names, ICD-10-CM and SNOMED
codes; labs with LOINC codes and mixed units for about half), pins the process to one CPU,
and times:

- ``decode+encode``: the batch overhead alone (one Decoder, one Encoder; no engine);
- ``engine``: ``check()`` alone on pre-decoded requests;
- ``batch path``: the CLI's in-process runner end to end (read, decode, check, encode,
  tally), which is what ``python -m service batch IN -o OUT`` runs on one core;
- with ``--cli``: the real CLI in a subprocess on the same input (its own summary line).

CPU time is reported next to wall time: on a shared machine CPU time is the steadier
figure per core. Each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from service.batch.lines import encode
from service.batch.models import BatchItem, BatchResult
from service.batch.readers import open_stream
from service.batch.runner import run
from service.batch.sample import sample_ndjson
from service.engine import Knowledge, check, load


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def _best(repeat: int, work: Callable[[], None]) -> tuple[float, float]:
    """Best (wall, cpu) seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def _row(name: str, count: int, wall: float, cpu: float) -> str:
    return (
        f"{name:<16} {count / wall:>10,.0f}/s wall  {count / cpu:>10,.0f}/s cpu  "
        f"{wall / count * 1e6:>7.1f} us/patient wall  {cpu / count * 1e6:>7.1f} us cpu"
    )


def bench(knowledge: Knowledge, data: bytes, repeat: int) -> list[str]:
    lines = data.splitlines(keepends=True)
    count = len(lines)
    decoder = msgspec.json.Decoder(BatchItem)
    requests = [decoder.decode(line) for line in lines]
    reports = [check(r, knowledge) for r in requests]

    def overhead() -> None:
        for line, report in zip(lines, reports, strict=True):
            item = decoder.decode(line)
            encode(BatchResult(item.id or 0, report))

    def engine() -> None:
        for request in requests:
            check(request, knowledge)

    def batch_path() -> None:
        source = open_stream(io.BytesIO(data), "<bench>")
        sink = io.BytesIO()
        for chunk in run(source, knowledge):
            sink.write(chunk.ndjson)
        assert sink.getvalue().count(b"\n") == count

    return [
        _row("decode+encode", count, *_best(repeat, overhead)),
        _row("engine", count, *_best(repeat, engine)),
        _row("batch path", count, *_best(repeat, batch_path)),
    ]


def bench_cli(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "patients.ndjson"
        source.write_bytes(data)
        command = [sys.executable, "-m", "service", "batch", str(source), "-o", os.devnull]
        if hasattr(os, "sched_getaffinity"):
            command = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    return f"CLI (exit {done.returncode}): {done.stderr.strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time the real CLI")
    args = parser.parse_args()
    pinned = _pin_one_core()
    knowledge = load()
    kb = knowledge.kb
    data = sample_ndjson(kb, args.patients, args.seed)
    print(
        f"{args.patients:,} patients ({len(data) / args.patients:.0f} B/line), seed {args.seed}, "
        f"knowledge {kb.version} ({len(kb.drugs)} drugs, {len(kb.conditions)} conditions), "
        f"Python {sys.version.split()[0]}, {pinned}"
    )
    for row in bench(knowledge, data, args.repeat):
        print(row)
    if args.cli:
        print(bench_cli(data))


if __name__ == "__main__":
    main()
