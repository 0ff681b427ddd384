"""A PPI with a diuretic keeps the diuretic's potassium check in the note (review54 D2).

The rule "proton-pump inhibitor with a diuretic" absorbs the diuretic's own finding, and the
note shows a problem's own check: it asked only for magnesium, so a thiazide or loop
diuretic beside a PPI lost the potassium check each of them asks for alone. The rule asks
for both now, for magnesium alone when a potassium was sent, and a check listing results
"now" is narrowed like one "within days" (no result asked twice).
"""

from __future__ import annotations

import re

import pytest

from service.engine.note import narrowed
from tests.conftest import Checker

_ANALYTES = ("potassium", "magnesium", "calcium", "sodium", "albumin")


def _check_line(note: str) -> str:
    return note.split("Check: ")[1].split("\n", maxsplit=1)[0].rstrip(".").lower()


def _asked(note: str) -> list[set[str]]:
    return [
        {a for a in _ANALYTES if re.search(rf"\b{a}\b", clause)}
        for clause in _check_line(note).split("; ")
    ]


@pytest.mark.parametrize(
    ("ppi", "diuretic"),
    [
        ("omeprazole 20 mg daily", "hydrochlorothiazide 25 mg daily"),
        ("Prilosec OTC 20 mg daily", "furosemide 40 mg daily"),
        ("Nexium 40 mg daily", "bumetanide 1 mg daily"),
        ("pantoprazole 40 mg daily", "chlorthalidone 25 mg daily"),
    ],
)
def test_the_diuretics_potassium_check_stays(checker: Checker, ppi: str, diuretic: str) -> None:
    report = checker(medications=[{"text": ppi}, {"text": diuretic}])
    problems = [f.id for f in report.findings if f.absorbed_by is None]
    assert problems == ["combination/ppi_plus_diuretic"]
    assert report.note is not None
    asked = set().union(*_asked(report.note))
    assert {"potassium", "magnesium"} <= asked


def test_a_sent_potassium_is_not_asked_again(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}, {"text": "furosemide 40 mg daily"}],
        labs=[{"text": "potassium", "value": 4.2, "unit": "mmol/L"}],
    )
    assert report.note is not None
    assert _check_line(report.note) == "magnesium now and every 6-12 months"


def test_beside_a_low_calcium_no_result_is_asked_twice(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}, {"text": "furosemide 40 mg daily"}],
        labs=[{"text": "calcium", "value": 7.9, "unit": "mg/dL"}],
    )
    assert report.note is not None
    clauses = _asked(report.note)
    for analyte in _ANALYTES:
        assert sum(analyte in asked for asked in clauses) <= 1, (analyte, report.note)
    assert "potassium" in set().union(*clauses)


@pytest.mark.parametrize(
    ("clause", "measured", "expected"),
    [
        (
            "Magnesium and potassium now and every 6-12 months",
            {"magnesium"},
            "Potassium now and every 6-12 months",
        ),
        ("Potassium and magnesium now", {"magnesium"}, "Potassium now"),
        (
            "Phosphate, potassium and magnesium now, then daily in the first days of feeding",
            {"potassium", "magnesium"},
            "Phosphate now, then daily in the first days of feeding",
        ),
        # "now" is a word of its own, not the start of one.
        ("Potassium and magnesium nowhere", {"magnesium"}, None),
        ("Potassium and magnesium now", {"potassium", "magnesium"}, None),
    ],
)
def test_a_list_checked_now_keeps_only_results_not_asked(
    clause: str, measured: set[str], expected: str | None
) -> None:
    assert narrowed(clause, frozenset(measured)) == expected
