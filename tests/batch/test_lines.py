"""One line in, one line out: ids, reports, per-line problems with pointers, tallies."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from service.batch import LineChecker
from service.batch.writers import csv_rows, markdown_summary
from service.engine import CheckRequest, Knowledge, check

LASIX = b'{"id": "a-1", "medications": [{"text": "Lasix 40 mg PO daily"}]}'


def result(knowledge: Knowledge, line: bytes, number: int = 7) -> dict[str, Any]:
    out = LineChecker(knowledge).check_line(line, number)
    assert out.endswith(b"\n")
    assert out.count(b"\n") == 1
    decoded: dict[str, Any] = msgspec.json.decode(out)
    return decoded


def test_report_line_is_the_engine_report_with_the_id(knowledge: Knowledge) -> None:
    out = result(knowledge, LASIX)
    assert set(out) == {"id", "report"}
    assert out["id"] == "a-1"
    expected = check(msgspec.json.decode(LASIX, type=CheckRequest), knowledge)
    assert out["report"] == msgspec.to_builtins(expected)
    assert out["report"]["medications"][0]["status"] == "flagged"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"medications": [{"text": "lasix"}]}', 7),
        (b'{"id": 12, "medications": []}', 12),
        (b'{"id": "", "medications": []}', ""),
        (b'{"id": null}', 7),
    ],
)
def test_ids_are_echoed_or_the_line_number(
    knowledge: Knowledge, line: bytes, expected: object
) -> None:
    assert result(knowledge, line)["id"] == expected


@pytest.mark.parametrize(
    ("line", "title", "pointer", "ident"),
    [
        (b"not json", "The request body is not valid JSON", "", 7),
        (b'{"id": "x", "medications": [', "The request body is not valid JSON", "", 7),
        (b"[1, 2]", "The request body does not match the schema", "", 7),
        (
            b'{"id": "x", "medications": [{"text": "ok"}, {}]}',
            "The request body does not match the schema",
            "/medications/1",
            "x",
        ),
        (
            b'{"id": "y", "labs": [{"text": "potassium", "value": "low", "unit": "mmol/L"}]}',
            "The request body does not match the schema",
            "/labs/0/value",
            "y",
        ),
        (b'{"id": 1.5}', "The request body does not match the schema", "/id", 7),
        (b'{"id": "' + b"x" * 201 + b'"}', "The request body does not match the schema", "/id", 7),
        (
            b'{"id": "u", "medications": [{"text": "\xff"}]}',
            "The request body is not valid JSON",
            "",
            "u",
        ),
        (b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "The request body is not valid JSON", "", 7),
    ],
)
def test_a_bad_line_gets_a_problem_of_its_own(
    knowledge: Knowledge, line: bytes, title: str, pointer: str, ident: object
) -> None:
    out = result(knowledge, line)
    assert set(out) == {"id", "problem"}
    assert out["id"] == ident
    problem = out["problem"]
    assert problem["title"] == title
    assert problem["status"] == 400
    assert problem["type"] == "about:blank#invalid-request"
    assert [e["pointer"] for e in problem["errors"]] == [pointer]
    assert all(e["detail"] for e in problem["errors"])


def test_line_ends_and_surrounding_blanks_are_accepted(knowledge: Knowledge) -> None:
    assert result(knowledge, b"  " + LASIX + b" \r\n")["id"] == "a-1"


def test_tally_counts_patients_flags_unrecognized_and_errors(knowledge: Knowledge) -> None:
    checker = LineChecker(knowledge)
    checker.check_line(LASIX, 1)
    checker.check_line(b'{"medications": [{"text": "zzqx unknown thing"}]}', 2)
    checker.check_line(b"nope", 3)
    tally = checker.tally
    assert (tally.patients, tally.flagged, tally.unrecognized_inputs, tally.errors) == (2, 1, 1, 1)
    assert tally.lines == 3
    assert tally.findings["medication/furosemide"] == 1
    assert tally.risks["none"] == 1


def test_csv_has_one_row_per_finding_and_one_for_others(knowledge: Knowledge) -> None:
    checker = LineChecker(knowledge)
    two = checker.result(
        b'{"id": "k", "medications": [{"text": "furosemide"}, {"text": "hydrochlorothiazide"}]}',
        1,
    )
    assert two.report is not None
    rows = csv_rows(two)
    assert [r[2] for r in rows] == [f.id for f in two.report.findings]
    assert len(rows) >= 2
    assert all(r[0] == "k" for r in rows)
    none = csv_rows(checker.result(b'{"medications": [{"text": "lisinopril"}]}', 2))
    assert none == [("2", "none", "", "", "", "", "", "", "")]
    bad = csv_rows(checker.result(b'{"medications": [{}]}', 3))
    assert bad[0][0] == "3"
    assert "/medications/0" in bad[0][-1]


@pytest.mark.parametrize(
    ("ident", "cell"),
    [
        ('"=HYPERLINK(\\"http://x\\",\\"y\\")"', '\'=HYPERLINK("http://x","y")'),
        ('"@SUM(A1)"', "'@SUM(A1)"),
        ('"+cmd"', "'+cmd"),
        ('"-2+3"', "'-2+3"),
        ('"\\tx"', "'\tx"),
        ('"-12"', "-12"),
        ("7", "7"),
        ('"rx-1"', "rx-1"),
    ],
)
def test_csv_never_writes_an_id_a_spreadsheet_runs_as_a_formula(
    knowledge: Knowledge, ident: str, cell: str
) -> None:
    checker = LineChecker(knowledge)
    line = b'{"id": %s, "medications": [{"text": "furosemide"}]}' % ident.encode()
    rows = csv_rows(checker.result(line, 1))
    assert rows and all(row[0] == cell for row in rows)


def test_markdown_summary_reports_totals(knowledge: Knowledge) -> None:
    checker = LineChecker(knowledge)
    checker.check_line(LASIX, 1)
    checker.check_line(b"nope", 2)
    text = markdown_summary(checker.tally, source="x.ndjson", seconds=0.5, knowledge_version="v")
    assert "# Batch check summary" in text
    assert "Lines: 2 (1 patients checked, 1 errors)" in text
    assert "medication/furosemide" in text
    assert "The request body is not valid JSON" in text
