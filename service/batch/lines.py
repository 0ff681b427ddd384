"""The per-line work of a batch: decode one line, check it, encode its result.

One module-level msgspec Decoder (of ``BatchItem``: the check request plus ``id``) and one
Encoder serve every line; no intermediate dicts. This is the whole batch hot path, shared
by the CLI, the multiprocess runner, the HTTP batch endpoint and the Dask/Spark functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from service.batch.models import BatchItem, BatchResult, IdProbe, LineId, LineProblem, Tally
from service.batch.problems import (
    decode_problem,
    implausible_problem,
    internal_problem,
    too_large_problem,
)
from service.decoding import BodyError, StrictDecoder
from service.engine import CheckRequest, Knowledge, Report, check
from service.engine.errors import ImplausibleValueError
from service.limits import MAX_BODY_BYTES
from service.settings import FhirSettings

_log = logging.getLogger(__name__)

_decode_item = StrictDecoder(BatchItem).decode
_decode_id = msgspec.json.Decoder(IdProbe).decode
_encoder = msgspec.json.Encoder()
# What decoding only a line's id may raise.
_ID_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)

NEWLINE = b"\n"


@dataclass(frozen=True, slots=True)
class LineTooLong:
    """Stands for a line longer than ``limit`` bytes, which a reader skipped without
    holding it (``service.batch.readers``); its result is a 413 problem."""

    limit: int
    size: int


Line = bytes | LineTooLong


def line_id(line: bytes, default: LineId) -> LineId:
    """The ``id`` of a line that failed to decode as a request, if it can be read at all."""
    try:
        found = _decode_id(line).id
    except _ID_ERRORS:
        return default
    return default if found is None else found


class LineChecker:
    """Checks batch lines against one (prepared) knowledge base and keeps a running ``Tally``.

    ``fhir`` says how Bundle files are read (lab age limit)."""

    __slots__ = ("fhir", "knowledge", "max_line_bytes", "tally")

    def __init__(
        self,
        knowledge: Knowledge,
        fhir: FhirSettings | None = None,
        max_line_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.knowledge = knowledge
        self.fhir = fhir or FhirSettings()
        self.max_line_bytes = max_line_bytes
        self.tally = Tally()

    def result(self, line: Line, default_id: LineId) -> BatchResult:
        """The result of one line (a JSON object, trailing whitespace allowed). A line over
        the body limit of ``POST /v1/check`` gets its 413 problem, with its default id (it
        is not read)."""
        if isinstance(line, LineTooLong):
            return self.problem(default_id, too_large_problem(line.limit))
        if len(line) > self.max_line_bytes:
            return self.problem(default_id, too_large_problem(self.max_line_bytes))
        try:
            item = _decode_item(line)
        except BodyError as exc:
            return self.problem(line_id(line, default_id), decode_problem(exc))
        return self.checked(default_id if item.id is None else item.id, item)

    def checked(self, ident: LineId, request: CheckRequest) -> BatchResult:
        """Check one decoded request."""
        return self.run(ident, lambda: check(request, self.knowledge))

    def run(self, ident: LineId, produce: Callable[[], Report]) -> BatchResult:
        """The result of ``produce()``, the report of one line; a failure is that line's
        problem alone."""
        try:
            report = produce()
        except ImplausibleValueError as exc:
            return self.problem(ident, implausible_problem(exc.problems))
        except Exception as exc:  # an engine defect must not fail the other lines
            # Never log the message, the traceback or the line id (it may be a record
            # number): only the exception type.
            _log.error("check failed for a batch line: %s", type(exc).__name__)
            return self.problem(ident, internal_problem())
        self.tally.count_report(report)
        return BatchResult(ident, report)

    def problem(self, ident: LineId, problem: LineProblem) -> BatchResult:
        self.tally.count_problem(problem)
        return BatchResult(ident, problem=problem)

    def check_line(self, line: Line, default_id: LineId) -> bytes:
        """One NDJSON line in, one NDJSON line (ending in a newline) out."""
        return _encoder.encode(self.result(line, default_id)) + NEWLINE


def write_results(
    results: Iterable[BatchResult],
    into: bytearray,
    each: Callable[[BatchResult], Any] | None = None,
) -> None:
    """Append each result to ``into`` as one NDJSON line (and hand it to ``each``)."""
    encode_into = _encoder.encode_into
    for result in results:
        encode_into(result, into, -1)
        into += NEWLINE
        if each is not None:
            each(result)


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj)
