"""Batch side outputs: CSV with one row per finding, and a markdown summary."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from service.batch.models import BatchResult, Tally

CSV_HEADER = (
    "id",
    "risk",
    "finding",
    "kind",
    "severity",
    "evidence_grade",
    "title",
    "inputs",
    "problem",
)


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`,
# a tab or a carriage return first. Numbers (an integer id, `-1`) stay as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(text: str) -> str:
    """``text``, with a `'` in front when a spreadsheet would run it as a formula."""
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_rows(result: BatchResult) -> list[tuple[str, ...]]:
    """One row per finding; a patient without findings, or a line with a problem, gets
    one row with the finding columns empty, so that every id appears. The id (the input's
    own text) and a problem's text are never read as a formula (``safe_cell``)."""
    ident = safe_cell(str(result.id))
    if result.report is None:
        problem = result.problem
        text = "" if problem is None else problem.title
        if problem is not None and problem.errors:
            text += "".join(f"; {e.pointer or '/'}: {e.detail}" for e in problem.errors)
        return [(ident, "", "", "", "", "", "", "", safe_cell(text))]
    report = result.report
    if not report.findings:
        return [(ident, report.risk, "", "", "", "", "", "", "")]
    return [
        (
            ident,
            report.risk,
            f.id,
            f.kind,
            f.severity,
            f.evidence_grade,
            f.title,
            " ".join(f"{ref.list}[{ref.index}]" for ref in f.inputs),
            "",
        )
        for f in report.findings
    ]


class CsvRows:
    """Collects CSV rows as text (worker-side, so that rows travel with their chunk)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def __call__(self, result: BatchResult) -> None:
        self.writer.writerows(csv_rows(result))

    def text(self) -> str:
        return self.buffer.getvalue()


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(CSV_HEADER)
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: Iterable[tuple[str, object]], head: tuple[str, str]) -> list[str]:
    lines = [f"| {head[0]} | {head[1]} |", "|---|---:|"]
    lines += [f"| {_cell(name)} | {value} |" for name, value in rows]
    return lines


def markdown_summary(
    tally: Tally, *, source: str, seconds: float, knowledge_version: str, top: int = 15
) -> str:
    rate = tally.lines / seconds if seconds > 0 else 0.0
    lines = [
        "# Batch check summary",
        "",
        f"- Input: `{source}`",
        f"- Knowledge version: `{knowledge_version}`",
        f"- Lines: {tally.lines} ({tally.patients} patients checked, {tally.errors} errors)",
        f"- Patients flagged (at least one finding): {tally.flagged}",
        f"- Unrecognized inputs (medications, conditions, labs): {tally.unrecognized_inputs}",
        f"- Time: {seconds:.2f} s ({rate:,.0f} patients per second)",
        "",
        "## Risk",
        "",
        *_table(
            ((risk, tally.risks.get(risk, 0)) for risk in ("high", "moderate", "low", "none")),
            ("Risk", "Patients"),
        ),
    ]
    if tally.findings:
        lines += [
            "",
            f"## Most frequent findings (top {top})",
            "",
            *_table(tally.findings.most_common(top), ("Finding", "Patients")),
        ]
    if tally.problems:
        lines += [
            "",
            "## Problems",
            "",
            *_table(tally.problems.most_common(), ("Problem", "Lines")),
        ]
    return "\n".join(lines) + "\n"
