"""Batch inputs: NDJSON (blank lines, BOM, CRLF), JSON arrays, FHIR folders, non-batches."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from service.batch.readers import InputError, open_input, open_stream


def items(data: bytes) -> tuple[str, list[tuple[object, Any]]]:
    source = open_stream(io.BytesIO(data), "<test>", size=len(data))
    return source.kind, list(source.items)


def test_ndjson_lines_keep_their_physical_line_numbers() -> None:
    kind, got = items(b'\xef\xbb\xbf{"a": 1}\r\n\n   \n{"b": 2}\n{"c": 3}')
    assert kind == "ndjson"
    assert [(n, line.strip()) for n, line in got] == [
        (1, b'{"a": 1}'),
        (4, b'{"b": 2}'),
        (5, b'{"c": 3}'),
    ]


def test_ndjson_may_start_with_blank_lines_and_bad_lines_later_are_kept() -> None:
    kind, got = items(b'\n\n{"a": 1}\nnot json\n')
    assert kind == "ndjson"
    assert [n for n, _ in got] == [3, 4]


def test_a_json_array_yields_its_elements_by_position() -> None:
    kind, got = items(b'\n  [{"a": 1},\n 7, {"b": [1, 2]}]\n')
    assert kind == "array"
    assert got == [(1, b'{"a": 1}'), (2, b"7"), (3, b'{"b": [1, 2]}')]


def test_an_empty_input_is_an_empty_batch() -> None:
    assert items(b"") == ("ndjson", [])
    assert items(b"\n \n") == ("ndjson", [])


@pytest.mark.parametrize("data", [b"id,medication\n1,lasix\n", b"\x00\x01binary", b"[1, 2"])
def test_input_that_is_not_a_batch_at_all_is_refused(data: bytes) -> None:
    with pytest.raises(InputError):
        items(data)


def test_missing_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such file"):
        open_input(str(tmp_path / "missing.ndjson"))


def test_a_folder_yields_its_json_files_by_name(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"{}")
    (tmp_path / "a.json").write_bytes(b"[]")
    (tmp_path / "notes.txt").write_bytes(b"skip me")
    source, stream = open_input(str(tmp_path))
    assert stream is None
    assert source.kind == "fhir"
    assert list(source.items) == [("a.json", b"[]"), ("b.json", b"{}")]
    assert (source.total, source.done) == (2, 2)
