"""Round 35 readings (review35 R1, R10, R11, O3, O4)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    "text",
    [
        "Tetanus status: Td 2018",
        "Tetanus status - needs booster",
        "Tetanus status: Tdap given today",
        "Tetanus status (last booster 2010)",
        "Tetanus status reviewed",
        "tetanus-like syndrome",
    ],
)
def test_a_tetanus_status_and_a_tetanus_like_syndrome_are_not_tetanus(
    checker: Checker, text: str
) -> None:
    """review35 R1, O4: "tetanus status ..." is the immunization record."""
    report = checker.cond(text)
    assert report.risk == "none"
    assert all(item.status != "flagged" for item in report.conditions)


@pytest.mark.parametrize(
    "text", ["Tetanus, status post tracheostomy", "Tetanus - status: improving"]
)
def test_tetanus_parted_from_status_by_a_mark_is_tetanus(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert [f.id for f in report.findings] == ["condition/tetanus"]


@pytest.mark.parametrize(
    ("text", "current"),
    [
        ("Hypokalemia\nresolved, CKD stage 4 ongoing", "condition/ckd_stage_4_5"),
        ("Hypokalemia\nresolved - hypomagnesemia persists", "condition/hypomagnesemia"),
        ("Hypokalemia\nresolved, hypomagnesemia persists", "condition/hypomagnesemia"),
    ],
)
def test_a_resolved_opening_the_next_line_before_a_comma_or_dash_applies_back_only(
    checker: Checker, text: str, current: str
) -> None:
    """review35 R10: the comma or dash ends the clause as ";" does."""
    report = checker.cond(text)
    assert [f.id for f in report.findings] == [current]


@pytest.mark.parametrize("text", ["CKD? no dialysis", "Hypokalemia? no hypomagnesemia"])
def test_no_before_another_concept_after_a_question_negates_that_concept(
    checker: Checker, text: str
) -> None:
    """review35 R11: the first stays possible, the second is negated."""
    report = checker.cond(text)
    assert report.risk == "none"
    assert report.conditions[0].reason is not None
    assert "possible" in report.conditions[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "Diabetes type 2? no idea",
        "Hypokalemia? No recent labs",
        "Hypokalemia? N/V x3 days",
        "Dehydration? N/V/D",
    ],
)
def test_words_after_no_that_are_no_answer_leave_the_question_open(
    checker: Checker, text: str
) -> None:
    """review35 O3: not "stated as absent"."""
    report = checker.cond(text)
    assert report.risk == "none"
    assert report.conditions[0].reason is not None
    assert "possible" in report.conditions[0].reason


def test_gastroenteritis_question_with_nausea_and_vomiting_is_not_diarrhea(
    checker: Checker,
) -> None:
    assert checker.cond("Gastroenteritis with dehydration? N/V").risk == "none"


@pytest.mark.parametrize(
    "text", ["Diabetes? no", "Diabetes? N- A1c 5.4", "Hypokalemia? no, confirmed"]
)
def test_the_no_answer_still_reads_absent(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.conditions[0].reason is not None
    assert "absent" in report.conditions[0].reason
