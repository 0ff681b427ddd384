"""Batch inputs: NDJSON (a file or standard input), a JSON array, or a folder of FHIR
R4 Bundles (``*.json``, one patient per file). Each yields ``(default id, payload)``.

The default id is the 1-based line number (NDJSON, blank lines skipped but counted), the
1-based position (JSON array), or the file name (FHIR folder).

A line (array element) longer than the body limit of ``POST /v1/check`` is never held
whole: NDJSON is read a bounded piece at a time, and such a line is skipped up to its
newline and stands as a ``LineTooLong`` (its result is a 413 problem).
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

from service.batch.lines import Line, LineTooLong
from service.batch.models import LineId
from service.decoding import syntax_error
from service.errors import CrampError
from service.limits import MAX_BODY_BYTES

Kind = Literal["ndjson", "array", "fhir"]
Item = tuple[LineId, Line]
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
# Bytes read at a time while skipping the rest of an over-long line.
_SKIP_PIECE = 1 << 20


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


def _read_line(stream: BinaryIO, limit: int) -> Line:
    """The next line (``b""`` at the end); one longer than ``limit`` bytes (its newline
    and a carriage return before it not counted) is skipped a piece at a time."""
    line = stream.readline(limit + 2)
    if len(line) <= limit or (line.endswith(b"\n") and len(line.rstrip(b"\r\n")) <= limit):
        return line
    return _skip_rest(stream, limit, len(line), line.endswith(b"\n"))


def _skip_rest(stream: BinaryIO, limit: int, size: int, ended: bool) -> LineTooLong:
    while not ended:
        piece = stream.readline(_SKIP_PIECE)
        size += len(piece)
        ended = not piece or piece.endswith(b"\n")
    return LineTooLong(limit, size)


def _lines(stream: BinaryIO, limit: int) -> Iterator[Line]:
    while line := _read_line(stream, limit):
        yield line


def _size(line: Line) -> int:
    return line.size if isinstance(line, LineTooLong) else len(line)


def _ndjson(stream: BinaryIO, first: list[Line], source: Input, limit: int) -> Iterator[Item]:
    for number, line in enumerate(itertools.chain(first, _lines(stream, limit)), 1):
        source.done += _size(line)
        if isinstance(line, LineTooLong) or line.strip(_WHITESPACE):
            yield number, line


def _array(data: bytes | mmap.mmap, source: Input, limit: int) -> Iterator[Item]:
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
        size = len(memoryview(element))
        yield position, bytes(element) if size <= limit else LineTooLong(limit, size)


def _folder(folder: Path, source: Input, outputs: tuple[Path, ...]) -> Iterator[Item]:
    # Listed once the outputs exist: an output file inside the folder is not an input.
    files = sorted(p for p in folder.glob("*.json") if p.is_file() and not _is_any(p, outputs))
    source.total = len(files)
    for count, path in enumerate(files, 1):
        source.done = count
        yield path.name, path.read_bytes()


def _is_any(path: Path, others: tuple[Path, ...]) -> bool:
    for other in others:
        with contextlib.suppress(OSError):
            if path.samefile(other):
                return True
    return False


def _first_lines(stream: BinaryIO, limit: int) -> tuple[list[Line], bytes]:
    """Lines up to the first non-blank one, and that line's first significant byte. A
    first line over ``limit`` bytes is kept as read so far when it opens a JSON array
    (read whole next), and skipped otherwise."""
    lines: list[Line] = []
    while line := stream.readline(limit + 2):
        if not lines:
            line = line.removeprefix(_BOM)
        significant = line.lstrip(_WHITESPACE)
        if len(line.rstrip(b"\r\n")) > limit and significant[:1] != b"[":
            lines.append(_skip_rest(stream, limit, len(line), line.endswith(b"\n")))
            return lines, significant[:1] or b"{"
        lines.append(line)
        if significant:
            return lines, significant[:1]
    return lines, b""


def open_stream(
    stream: BinaryIO, name: str, size: int | None = None, limit: int = MAX_BODY_BYTES
) -> Input:
    """An NDJSON or JSON-array input read from a binary stream; ``limit`` is the longest
    line (array element) checked."""
    first, opener = _first_lines(stream, limit)
    if opener == b"[":
        source = Input("array", name, iter(()))
        read = [line for line in first if isinstance(line, bytes)]
        source.items = _array(_whole(stream, read), source, limit)
        return source
    if opener not in (b"{", b""):
        raise InputError(
            f"{name}: not NDJSON, a JSON array or a folder of FHIR Bundles "
            "(the first non-blank line must start with `{` or `[`)"
        )
    source = Input("ndjson", name, iter(()), total=size)
    source.items = _ndjson(stream, first, source, limit)
    return source


def _whole(stream: BinaryIO, first: list[bytes]) -> bytes | mmap.mmap:
    """All of a stream: a regular file is mapped (its pages stay the page cache's, not the
    process's own memory), anything else is read."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    return b"".join(first) + stream.read()


def open_input(
    path: str, limit: int = MAX_BODY_BYTES, outputs: tuple[Path, ...] = ()
) -> tuple[Input, BinaryIO | None]:
    """Open ``path`` (``-`` = standard input); also returns the stream to close. ``limit``
    is the longest line checked; ``outputs`` are files a FHIR folder's listing skips."""
    if path == "-":
        return open_stream(sys.stdin.buffer, "<stdin>", limit=limit), None
    location = Path(path)
    if location.is_dir():
        source = Input("fhir", path, iter(()))
        source.items = _folder(location, source, outputs)
        return source, None
    try:
        stream = location.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    try:
        size = os.fstat(stream.fileno()).st_size or None
        return open_stream(stream, path, size, limit), stream
    except BaseException:
        stream.close()
        raise
