"""The batch line function over a partition, for distributed engines (Dask, Spark).

Framework-free: a partition is a sequence of NDJSON lines (``str`` or ``bytes``, line end
optional); the result is one NDJSON text line (no line end) per non-blank input line, in
order, exactly as the CLI writes it. The knowledge base is loaded once per worker
process, on first use, and kept for every later partition.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from service.batch.lines import LineChecker
from service.engine import Knowledge, load

_BLANK = " \t\r\n"


@cache
def knowledge(datasets_dir: str | None = None) -> Knowledge:
    """This process's knowledge base (loaded on the first call only)."""
    return load(Path(datasets_dir) if datasets_dir else None)


def knowledge_loads() -> int:
    """How many times this process has loaded a knowledge base (for tests and ops)."""
    return knowledge.cache_info().misses


def check_numbered(
    numbers: Iterable[int], lines: Iterable[str | bytes], datasets_dir: str | None = None
) -> list[tuple[int, str]]:
    """``(number, result line)`` for each non-blank line; a line without an ``id`` gets
    its number (e.g. Spark's ``zipWithIndex() + 1``) as its id."""
    checker = LineChecker(knowledge(datasets_dir))
    out = []
    for raw_number, line in zip(numbers, lines, strict=True):
        if isinstance(line, str):
            if not line.strip(_BLANK):
                continue
            # Text read with errors="surrogateescape" gives back the exact input bytes.
            data = line.encode("utf-8", "surrogateescape")
        else:
            if not line.strip(_BLANK.encode()):
                continue
            data = line
        number = int(raw_number)  # numpy / pandas integers too
        out.append((number, checker.check_line(data, number)[:-1].decode()))
    return out


def check_partition(
    lines: Iterable[str | bytes], start: int = 1, datasets_dir: str | None = None
) -> list[str]:
    """Result lines of a partition whose first line is line number ``start`` of the input."""
    materialized = list(lines)
    numbers = range(start, start + len(materialized))
    return [result for _, result in check_numbered(numbers, materialized, datasets_dir)]
