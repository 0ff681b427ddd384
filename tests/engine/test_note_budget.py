"""The chart note fits its budget (``NOTE_BUDGET``) however long the lists are.

A note over budget is cut step by step (the low contributors, the checks, the inputs a
problem names, the moderate problems) and says how many of each it left out; every high
problem keeps its line, and the report keeps every finding and input status whole.
"""

from __future__ import annotations

from service.engine.note import NOTE_BUDGET
from tests.conftest import Checker

LONG_LIST = {
    "patient": {"age": 78, "sex": "female"},
    "medications": [
        {"text": t}
        for t in (
            "furosemide 40 mg bid",
            "hydrochlorothiazide 25 mg",
            "atorvastatin 80 mg",
            "omeprazole 40 mg",
            "prednisone 20 mg daily",
            "albuterol inhaler prn",
            "levothyroxine 50 mcg",
            "gabapentin 300 mg tid",
            "metformin 1000 mg bid",
            "lisinopril 20 mg",
            "digoxin 0.125 mg",
            "clarithromycin 500 mg bid",
            "colchicine 0.6 mg bid",
            "raloxifene 60 mg",
            "donepezil 10 mg",
        )
    ],
    "conditions": [
        {"text": t}
        for t in (
            "type 2 diabetes",
            "hypothyroidism",
            "CKD stage 4",
            "peripheral artery disease",
            "lumbar spinal stenosis",
            "iron deficiency anemia",
            "cirrhosis",
            "sciatica",
        )
    ],
    "labs": [
        {"text": "potassium", "value": 3.2, "unit": "mmol/L"},
        {"text": "magnesium", "value": 1.5, "unit": "mg/dL"},
        {"text": "calcium", "value": 8.0, "unit": "mg/dL"},
        {"text": "sodium", "value": 131, "unit": "mmol/L"},
        {"text": "CK", "value": 900, "unit": "U/L"},
    ],
}


def test_a_long_list_note_fits_and_keeps_every_high_problem(checker: Checker) -> None:
    report = checker(**LONG_LIST)
    note = report.note
    assert len(note) <= NOTE_BUDGET, note
    problems = [f for f in report.findings if f.absorbed_by is None]
    high = [f for f in problems if f.severity == "high"]
    moderate = [f for f in problems if f.severity == "moderate"]
    assert len(high) == 2 and len(moderate) > 3
    lines = note.splitlines()
    for finding in high:
        # Its title up to the inputs it names, which the note may count instead.
        title = finding.title.rsplit(" (", 1)[0]
        assert any(line.startswith(f"- high: {title}") for line in lines), title
    shown = sum(line.startswith("- moderate: ") for line in lines)
    assert "more in the report's findings" in note or shown == len(moderate)
    # Nothing is lost from the report itself.
    assert len(report.medications) == 15
    assert all(s.status != "unrecognized" for s in report.medications)


def test_a_note_over_budget_counts_what_it_leaves_out(checker: Checker) -> None:
    note = checker(**LONG_LIST).note
    assert " more" in note
    assert note.endswith("Decision support only: confirm against the clinical picture.")


def test_a_note_within_budget_is_not_cut(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "omeprazole 20 mg"}],
        labs=[{"text": "magnesium", "value": 1.5, "unit": "mg/dL"}],
    )
    assert " more" not in report.note
    problem = next(f for f in report.findings if f.absorbed_by is None)
    assert f"- {problem.severity}: {problem.title}" in report.note


def test_many_unrecognized_inputs_are_counted_not_listed(checker: Checker) -> None:
    report = checker(
        medications=[{"text": f"zzqx unknown remedy number {i} taken daily"} for i in range(20)]
    )
    assert len(report.note) <= NOTE_BUDGET
    assert "Could not check: medications[0]" in report.note
    assert "more." in report.note
    assert sum(s.status == "unrecognized" for s in report.medications) == 20


def test_a_short_list_of_low_contributors_is_never_emptied(checker: Checker) -> None:
    """The low contributors are cut only down to two named: "Also may contribute (low):
    and 1 more" named nothing (sig27, sample patient p009266)."""
    report = checker(**{**LONG_LIST, "conditions": [{"text": "sciatica"}]})
    assert "(low):  and" not in report.note
    assert "(low): and" not in report.note
    for line in report.note.splitlines():
        if line.startswith("- Also may contribute (low): "):
            assert line.removeprefix("- Also may contribute (low): ").split()[0] != "and"
