"""Round 34 readings (review33 R6, R8, R9, R10, R11, O3)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    "text",
    [
        "Diabetes\nresolved with weight loss",
        "Diabetes type 2\nresolved after bariatric surgery",
        "Diabetes type 2\nin remission since gastric bypass",
    ],
)
def test_a_qualifier_opening_the_next_line_applies_back_despite_its_reason(
    checker: Checker, text: str
) -> None:
    """review33 R6: a concept later on the qualifier's line is its reason, not its object."""
    report = checker.cond(text)
    assert report.risk == "none"
    assert all(item.status != "flagged" for item in report.conditions)


def test_a_resolved_line_leaves_the_concept_of_its_next_clause_current(checker: Checker) -> None:
    report = checker.cond("Hypokalemia\nresolved; hypomagnesemia persists")
    assert [f.id for f in report.findings] == ["condition/hypomagnesemia"]


@pytest.mark.parametrize(
    "text",
    ["Lasix 40 mg\nstopped; KCl continued", "Lasix 40 mg\nstopped, switched to torsemide"],
)
def test_a_stop_opening_the_next_line_stops_the_drug_above(checker: Checker, text: str) -> None:
    report = checker(
        medications=[{"text": text}],
        labs=[{"text": "potassium", "value": 3.2, "unit": "mmol/L"}],
    )
    assert all("furosemide" not in str(f) for f in report.findings)
    if "KCl" in text:
        assert report.risk == "low"


@pytest.mark.parametrize(
    "text",
    [
        "Diabetes, no family history",
        "Diabetes - negative family history",
        "Diabetes, denies family history",
        "Diabetes, no FH",
        "Diabetes (no family hx)",
    ],
)
def test_a_negated_family_history_after_a_diagnosis_leaves_it_the_patients(
    checker: Checker, text: str
) -> None:
    """review33 R8: the relatives do not have it, so the diagnosis is the patient's."""
    report = checker.cond(text)
    assert report.conditions[0].status == "flagged"
    assert report.risk == "low"


def test_a_family_history_after_a_diagnosis_is_still_the_relatives(checker: Checker) -> None:
    assert checker.cond("Hypokalemia - family hx").risk == "none"
    assert checker.cond("Diabetes, family history").risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Diabetes? no- prediabetes",
        "Diabetes? N- A1c 5.4",
        "Hypothyroidism? No-TSH normal",
        "Diabetes? N/A",
        "Hypothyroidism? n/a",
    ],
)
def test_a_form_answer_no_with_a_glued_dash_or_not_applicable_is_not_flagged(
    checker: Checker, text: str
) -> None:
    """review33 R9: "N-"/"No-" answer no; "N/A" is no answer, so not established."""
    report = checker.cond(text)
    assert report.conditions[0].status != "flagged"
    assert report.risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Myotonic dystrophy DM2, A1c 5.4",
        "Myotonic dystrophy type 2 (DM2); no diabetes, A1c 5.2",
        "Myotonic dystrophy (DM2), not on metformin",
        "Myotonic dystrophy type 2 (DM2), on metformin for insulin resistance",
        "DM2 (myotonic dystrophy type 2) - screen A1c annually",
    ],
)
def test_dm2_beside_myotonic_dystrophy_stays_its_type_without_a_diabetes_treatment(
    checker: Checker, text: str
) -> None:
    """review33 R10: an A1c, a treatment not taken or metformin for insulin resistance."""
    report = checker.cond(text)
    assert all(f.id != "condition/diabetes" for f in report.findings)


def test_dm2_beside_myotonic_dystrophy_with_metformin_is_still_diabetes(
    checker: Checker,
) -> None:
    report = checker.cond("Myotonic dystrophy; DM2 on metformin")
    assert any(f.id == "condition/diabetes" for f in report.findings)


@pytest.mark.parametrize(
    "text", ["Tetanus, status post tracheostomy", "Tetanus - status: improving"]
)
def test_tetanus_followed_by_a_status_word_is_still_tetanus(checker: Checker, text: str) -> None:
    """review33 R11: only "tetanus status unknown / up to date / ..." is immunization."""
    report = checker.cond(text)
    assert any(f.id == "condition/tetanus" for f in report.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Tetanus status unknown, wound",
        "Tetanus status up to date",
        "Tetanus-like spasms",
        "Hyperventilation on ventilator for ICP",
        "Hyperventilation - therapeutic for raised ICP",
    ],
)
def test_tetanus_status_likeness_and_ventilator_hyperventilation_are_not_contributors(
    checker: Checker, text: str
) -> None:
    """review33 R11/O3."""
    assert checker.cond(text).risk == "none"


def test_hyperventilation_alone_is_still_a_contributor(checker: Checker) -> None:
    assert checker.cond("Hyperventilation episodes").risk == "low"
