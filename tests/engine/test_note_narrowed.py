"""Each result is asked for once in the note's check line (signal24 concise cases).

A later check that lists results and when asks only for those not asked already
("Creatinine in 3-7 days" after "Potassium and magnesium now; Sodium within days"), a
companion result asked already is not asked again ("Sodium within days, with potassium"
after "Potassium and magnesium now"), and a
check of a result already asked for, said only with when or whether ("Magnesium if
long-term"), is left out.
"""

from __future__ import annotations

import pytest

from service.engine.note import narrowed
from tests.conftest import Checker
from tests.knowledge.rendered import result


@pytest.mark.parametrize(
    ("clause", "measured", "expected"),
    [
        (
            "Potassium, magnesium, sodium, creatinine in 3-7 days",
            {"potassium", "magnesium", "sodium"},
            "Creatinine in 3-7 days",
        ),
        (
            "Potassium, magnesium, sodium, creatinine in 3-7 days",
            {"potassium"},
            "Magnesium, sodium and creatinine in 3-7 days",
        ),
        ("Potassium and magnesium within days", {"magnesium"}, "Potassium within days"),
        ("Sodium within days, with potassium", {"potassium"}, "Sodium within days"),
        ("Sodium now, with potassium", {"magnesium"}, None),
        # Nothing, or everything, asked already: the clause is left as it is.
        ("Potassium, magnesium, sodium, creatinine in 3-7 days", set(), None),
        ("Potassium and magnesium within days", {"potassium", "magnesium"}, None),
        # Results checked "now" are a list of results and when too (review54 D2).
        ("Potassium and magnesium now", {"potassium"}, "Magnesium now"),
        # Not a list of results and when.
        ("Repeat calcium with albumin (or ionized calcium)", {"albumin"}, None),
        ("Weight and volume status within days", {"potassium"}, None),
    ],
)
def test_a_listed_check_keeps_only_results_not_asked(
    clause: str, measured: set[str], expected: str | None
) -> None:
    assert narrowed(clause, frozenset(measured)) == expected


def test_the_note_asks_for_each_result_once(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "hydrochlorothiazide 25 mg daily"},
            {"text": "chlorthalidone 25 mg daily"},
            {"text": "bumetanide 1 mg daily"},
            {"text": "sertraline 100 mg daily"},
        ],
        labs=[result("potassium", 2.9, "mmol/L"), result("sodium", 128, "mmol/L")],
    )
    checks = report.note.split("Check: ")[1].split("\n")[0]
    assert checks.lower().count("potassium") == 1, checks
    assert "Creatinine in 3-7 days" in checks


def test_a_long_term_check_of_a_result_asked_now_is_left_out(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "digoxin 0.125 mg daily"}, {"text": "omeprazole 20 mg daily"}],
        labs=[result("magnesium", 1.4, "mg/dL")],
    )
    checks = report.note.split("Check: ")[1].split("\n")[0]
    assert "Magnesium if long-term" not in checks
    assert checks.lower().count("magnesium") == 1, checks
