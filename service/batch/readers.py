"""Batch inputs: NDJSON (a file or standard input), a JSON array, or a folder of FHIR
R4 Bundles (``*.json``, one patient per file). Each yields ``(default id, payload)``.

The default id is the 1-based line number (NDJSON, blank lines skipped but counted), the
1-based position (JSON array), or the file name (FHIR folder).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import mmap
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import msgspec

from service.batch.models import LineId
from service.decoding import syntax_error
from service.errors import CrampError

Kind = Literal["ndjson", "array", "fhir"]
Item = tuple[LineId, bytes]
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"


class InputError(CrampError):
    """The input cannot be read as a batch at all (a usage error, not a bad line)."""


@dataclass
class Input:
    """An opened batch input; ``done`` of ``total`` tracks progress (bytes or items)."""

    kind: Kind
    name: str
    items: Iterator[Item] = field(repr=False)
    total: int | None = None
    done: int = 0


def _ndjson(stream: BinaryIO, first: list[bytes], source: Input) -> Iterator[Item]:
    for number, line in enumerate(itertools.chain(first, stream), 1):
        source.done += len(line)
        if line.strip(_WHITESPACE):
            yield number, line


def _array(data: bytes | mmap.mmap, source: Input) -> Iterator[Item]:
    """The elements one by one; the array is decoded once into views of ``data``."""
    view = memoryview(data)
    try:
        elements = msgspec.json.decode(
            view[len(_BOM) :] if view[: len(_BOM)] == _BOM else view, type=list[msgspec.Raw]
        )
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        pointer, detail = syntax_error(exc)
        where = f" at {pointer}" if pointer else ""
        raise InputError(f"{source.name}: not a valid JSON array{where}: {detail}") from None
    source.total = len(elements)
    for position, element in enumerate(elements, 1):
        source.done = position
        yield position, bytes(element)


def _folder(folder: Path, source: Input) -> Iterator[Item]:
    files = sorted(p for p in folder.glob("*.json") if p.is_file())
    source.total = len(files)
    for count, path in enumerate(files, 1):
        source.done = count
        yield path.name, path.read_bytes()


def _first_lines(stream: BinaryIO) -> tuple[list[bytes], bytes]:
    """Lines up to the first non-blank one, and that line's first significant byte."""
    lines: list[bytes] = []
    for line in stream:
        lines.append(line.removeprefix(_BOM) if not lines else line)
        significant = lines[-1].lstrip(_WHITESPACE)
        if significant:
            return lines, significant[:1]
    return lines, b""


def open_stream(stream: BinaryIO, name: str, size: int | None = None) -> Input:
    """An NDJSON or JSON-array input read from a binary stream."""
    first, opener = _first_lines(stream)
    if opener == b"[":
        source = Input("array", name, iter(()))
        source.items = _array(_whole(stream, first), source)
        return source
    if opener not in (b"{", b""):
        raise InputError(
            f"{name}: not NDJSON, a JSON array or a folder of FHIR Bundles "
            "(the first non-blank line must start with `{` or `[`)"
        )
    source = Input("ndjson", name, iter(()), total=size)
    source.items = _ndjson(stream, first, source)
    return source


def _whole(stream: BinaryIO, first: list[bytes]) -> bytes | mmap.mmap:
    """All of a stream: a regular file is mapped (its pages stay the page cache's, not the
    process's own memory), anything else is read."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    return b"".join(first) + stream.read()


def open_input(path: str) -> tuple[Input, BinaryIO | None]:
    """Open ``path`` (``-`` = standard input); also returns the stream to close."""
    if path == "-":
        return open_stream(sys.stdin.buffer, "<stdin>"), None
    location = Path(path)
    if location.is_dir():
        source = Input("fhir", path, iter(()))
        source.items = _folder(location, source)
        return source, None
    try:
        stream = location.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    try:
        size = os.fstat(stream.fileno()).st_size or None
        return open_stream(stream, path, size), stream
    except BaseException:
        stream.close()
        raise
