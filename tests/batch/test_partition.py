"""The framework-free partition functions that Dask and Spark run."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from service.batch.partition import check_numbered, check_partition, knowledge_loads

pytestmark = pytest.mark.slow


def test_a_partition_gives_the_cli_lines_for_its_slice(batch_2k: Path, cli_2k: bytes) -> None:
    lines = batch_2k.read_bytes().splitlines(keepends=True)
    expected = cli_2k.decode().splitlines()
    # Lines 1001.. of the input, as text with line ends (as dask.bag.read_text gives them).
    tail = [line.decode() for line in lines[1000:]]
    assert check_partition(tail, start=1001) == expected[1000:]
    assert knowledge_loads() == 1


def test_numbered_lines_skip_blanks_and_keep_their_numbers() -> None:
    lines: list[str | bytes] = [
        '{"medications": [{"text": "lasix"}]}',
        "",
        b"not json",
        '{"id": "x"}\n',
    ]
    pairs = check_numbered([10, 11, 12, 13], lines)
    assert [n for n, _ in pairs] == [10, 12, 13]
    assert [msgspec.json.decode(r)["id"] for _, r in pairs] == [10, 12, "x"]
    assert "problem" in msgspec.json.decode(pairs[1][1])
