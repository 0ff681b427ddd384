"""A result is asked for once in the note's check line when a check lists results with
asides in brackets (clin54 #1).

"Calcium (corrected or ionized), magnesium, vitamin D" after "Potassium and magnesium"
asks for magnesium again; narrowed as a plain list is, it asks only for what was not asked
yet, and a result it names with an aside keeps the aside (a plain "calcium" asked earlier
does not say "corrected or ionized": the earlier plain list leaves it to the aside).
"""

from __future__ import annotations

import re

import pytest

from service.engine.note import narrowed
from tests.conftest import Checker
from tests.knowledge.rendered import result

_ANALYTES = ("potassium", "magnesium", "calcium", "sodium", "albumin", "vitamin d", "creatinine")


@pytest.mark.parametrize(
    ("clause", "measured", "expected"),
    [
        (
            "Calcium (corrected or ionized), magnesium, vitamin D",
            {"magnesium"},
            "Calcium (corrected or ionized) and vitamin D",
        ),
        (
            "Calcium (corrected for albumin, or ionized), magnesium and albumin",
            {"magnesium"},
            "Calcium (corrected for albumin, or ionized) and albumin",
        ),
        (
            "Calcium (corrected for albumin, or ionized), magnesium and albumin",
            {"magnesium", "albumin"},
            "Calcium (corrected for albumin, or ionized)",
        ),
        (
            "Magnesium, calcium (corrected or ionized) and potassium within days",
            {"potassium"},
            "Magnesium and calcium (corrected or ionized) within days",
        ),
        # A result with its aside stays: nothing changes.
        ("Calcium (corrected or ionized), magnesium, vitamin D", {"calcium"}, None),
        ("Calcium (corrected or ionized), magnesium, vitamin D", set(), None),
        # Not only results: left as it is.
        (
            "Repeat calcium with albumin (or ionized calcium), magnesium and vitamin D",
            {"magnesium"},
            None,
        ),
        (
            "Calcium (corrected or ionized), vitamin D (25-OH), magnesium and alkaline phosphatase",
            {"magnesium"},
            "Calcium (corrected or ionized), vitamin D (25-OH) and alkaline phosphatase",
        ),
        ("Calcium (corrected or ionized) and weight status", {"calcium"}, None),
    ],
)
def test_a_bracketed_list_keeps_only_results_not_asked(
    clause: str, measured: set[str], expected: str | None
) -> None:
    assert narrowed(clause, frozenset(measured)) == expected


def _checks(note: str) -> list[set[str]]:
    line = note.split("Check: ")[1].split("\n", maxsplit=1)[0].rstrip(".").lower()
    return [{a for a in _ANALYTES if re.search(rf"\b{a}\b", clause)} for clause in line.split("; ")]


@pytest.mark.parametrize(
    "medications",
    [
        # Two potassium-lowering drugs beside the calcium problem.
        ["furosemide 40 mg daily", "pantoprazole 40 mg daily", "foscarnet"],
        ["abiraterone 1000 mg daily", "capreomycin"],
        # Several magnesium-lowering drugs ("Magnesium, potassium and calcium") beside it.
        ["amikacin", "pentamidine"],
        ["amikacin", "capreomycin"],
        # A loop diuretic's calcium check ("... magnesium and albumin").
        ["bumetanide 1 mg daily", "cortisone 25 mg daily"],
        ["dexlansoprazole 30 mg daily", "furosemide 40 mg daily"],
    ],
)
def test_each_result_is_asked_once_beside_a_low_calcium(
    checker: Checker, medications: list[str]
) -> None:
    report = checker(
        medications=[{"text": m} for m in medications],
        labs=[result("calcium", 7.9, "mg/dL")],
    )
    per_check = _checks(report.note)
    for analyte in _ANALYTES:
        assert sum(analyte in c for c in per_check) <= 1, (analyte, report.note)
    # Nothing asked before is lost: calcium (with its aside) and magnesium are still asked.
    line = report.note.split("Check: ")[1].split("\n")[0]
    assert "magnesium" in line.lower() and "Calcium (corrected" in line, line


def test_the_calcium_aside_replaces_a_plain_calcium(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "amikacin"}, {"text": "pentamidine"}],
        labs=[result("calcium", 7.9, "mg/dL")],
    )
    assert "Check: Magnesium and potassium; Calcium (corrected or ionized) and vitamin D." in (
        report.note
    ), report.note


def test_an_antiepileptic_calcium_check_beside_a_magnesium_one(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "phenytoin 300 mg daily"}],
        labs=[result("calcium", 7.9, "mg/dL"), result("magnesium", 1.5, "mg/dL")],
    )
    per_check = _checks(report.note)
    assert sum("magnesium" in c for c in per_check) == 1, report.note
    assert "alkaline phosphatase" in report.note, report.note
