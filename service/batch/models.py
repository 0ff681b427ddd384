"""What one batch line is and what it becomes: plain msgspec Structs, no HTTP types.

A batch line is a check request (``service.engine.models.CheckRequest``) with an optional
``id``; its result is the ``id`` with either the ``report`` or an RFC 9457 ``problem`` for
that line alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated

import msgspec

from service.engine.models import CheckRequest, Report
from service.limits import MAX_ID_LENGTH

LineId = int | Annotated[str, msgspec.Meta(max_length=MAX_ID_LENGTH)]


class BatchItem(CheckRequest, frozen=True, omit_defaults=True):
    """A check request with an optional ``id`` echoed in its result.

    Without an ``id`` the result carries the 1-based line number (NDJSON) or position
    (JSON array) instead.
    """

    id: LineId | None = None


class IdProbe(msgspec.Struct, frozen=True):
    """Only the ``id`` of a line, to label the problem of a line that does not decode."""

    id: LineId | None = None


class LineFieldError(msgspec.Struct, frozen=True):
    pointer: str
    detail: str


class LineProblem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem for one line; ``errors[].pointer`` is relative to that line."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[LineFieldError] = []


class BatchResult(msgspec.Struct, frozen=True, omit_defaults=True):
    """One output line: the ``id`` and the ``report``, or the ``id`` and a ``problem``."""

    id: LineId
    report: Report | None = None
    problem: LineProblem | None = None


class Summary(msgspec.Struct, frozen=True):
    patients: int
    flagged: int
    unrecognized_inputs: int
    errors: int


class BatchResults(msgspec.Struct, frozen=True):
    """The JSON (non-streamed) form of a batch: results in input order, and totals."""

    results: list[BatchResult]
    summary: Summary


@dataclass(slots=True)
class Tally:
    """Running totals of a batch; tallies of several workers add up with ``merge``."""

    patients: int = 0
    flagged: int = 0
    unrecognized_inputs: int = 0
    errors: int = 0
    risks: Counter[str] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)

    @property
    def lines(self) -> int:
        return self.patients + self.errors

    def count_report(self, report: Report) -> None:
        self.patients += 1
        self.risks[report.risk] += 1
        if report.findings:
            self.flagged += 1
            self.findings.update(f.id for f in report.findings)
        for statuses in (report.medications, report.conditions, report.labs):
            for status in statuses:
                if status.status == "unrecognized":
                    self.unrecognized_inputs += 1

    def count_problem(self, problem: LineProblem) -> None:
        self.errors += 1
        self.problems[problem.title] += 1

    def merge(self, other: Tally) -> None:
        self.patients += other.patients
        self.flagged += other.flagged
        self.unrecognized_inputs += other.unrecognized_inputs
        self.errors += other.errors
        self.risks.update(other.risks)
        self.findings.update(other.findings)
        self.problems.update(other.problems)

    def summary(self) -> Summary:
        return Summary(self.patients, self.flagged, self.unrecognized_inputs, self.errors)
