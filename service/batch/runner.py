"""Run a batch in chunks, in this process or in worker processes, in input order.

Each worker process loads the knowledge base once (pool initializer) and checks whole
chunks, returning the encoded NDJSON (and CSV rows) with the chunk's tally, so the parent
only reads, writes and adds up.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from service.batch.fhir import bundle_result
from service.batch.lines import LineChecker, write_results
from service.batch.models import Tally
from service.batch.readers import Input, Item, Kind
from service.batch.writers import CsvRows
from service.engine import Knowledge, load
from service.settings import FhirSettings

DEFAULT_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ChunkResult:
    ndjson: bytes | bytearray
    csv: str
    tally: Tally


def process_chunk(
    checker: LineChecker, kind: Kind, items: list[Item], with_csv: bool
) -> ChunkResult:
    checker.tally = Tally()
    out = bytearray()
    rows = CsvRows() if with_csv else None
    if kind == "fhir":
        results = (bundle_result(checker, data, name) for name, data in items)
    else:
        results = (checker.result(line, number) for number, line in items)
    write_results(results, out, rows)
    return ChunkResult(out, rows.text() if rows is not None else "", checker.tally)


def chunked(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


# Worker-process state: one checker (one knowledge base) per process.
_worker: LineChecker | None = None


def _init_worker(datasets_dir: Path | None, fhir: FhirSettings) -> None:
    global _worker  # noqa: PLW0603 - per-process state set once by the pool initializer
    _worker = LineChecker(load(datasets_dir), fhir)


def _process_in_worker(kind: Kind, items: list[Item], with_csv: bool) -> ChunkResult:
    assert _worker is not None, "the pool initializer did not run"
    return process_chunk(_worker, kind, items, with_csv)


def run(
    source: Input,
    knowledge: Knowledge,
    *,
    workers: int = 1,
    datasets_dir: Path | None = None,
    fhir: FhirSettings | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    with_csv: bool = False,
) -> Iterator[ChunkResult]:
    """Results of ``source`` chunk by chunk, in input order.

    With one worker everything runs here on ``knowledge``; with more, ``workers`` spawned
    processes each load the knowledge base from ``datasets_dir`` once.
    """
    chunks = chunked(source.items, chunk_size)
    if workers <= 1:
        checker = LineChecker(knowledge, fhir)
        for chunk in chunks:
            yield process_chunk(checker, source.kind, chunk, with_csv)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(datasets_dir, fhir or FhirSettings()),
    )
    pending: deque[Future[ChunkResult]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(_process_in_worker, source.kind, chunk, with_csv))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
