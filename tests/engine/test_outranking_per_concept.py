"""A current result outranks the concept of a condition entry it measures, not the entry's
other concepts: "Hypokalemia, hypomagnesemia" with a normal potassium still flags the
hypomagnesemia (review35 R6; the same held for every measured deficit), and a normal
phosphate outranks a coded hypophosphatemia again (review34 D3)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker

POTASSIUM_NORMAL = {"text": "potassium", "value": 4.2, "unit": "mmol/L"}
PHOSPHATE_NORMAL = {"text": "phosphate", "value": 3.5, "unit": "mg/dL"}


def _ids(checker: Checker, **body: Any) -> set[str]:
    return {f.id for f in checker(**body).findings}


def test_normal_potassium_leaves_the_entrys_low_magnesium(checker: Checker) -> None:
    report = checker(conditions=[{"text": "Hypokalemia, hypomagnesemia"}], labs=[POTASSIUM_NORMAL])
    assert {f.id for f in report.findings} == {"condition/hypomagnesemia"}
    status = report.conditions[0]
    assert status.status == "flagged"
    assert status.concepts == ["hypokalemia", "hypomagnesemia"]
    assert status.reason == (
        "hypokalemia: the current potassium result (4.2 mmol/L) is within range: "
        "controlled or resolved"
    )


def test_the_outranked_concept_fills_no_rule(checker: Checker) -> None:
    ids = _ids(
        checker,
        medications=[{"text": "hydrochlorothiazide 25 mg daily"}],
        conditions=[{"text": "Hypokalemia, hypomagnesemia"}],
        labs=[POTASSIUM_NORMAL],
    )
    assert "combination/magnesium_lowering_drug_with_low_magnesium" in ids
    assert not any("potassium" in i for i in ids)


def test_an_entry_of_one_measured_concept_is_outranked_whole(checker: Checker) -> None:
    for text in ("hypokalemia", "Hypertension, hypokalemia"):
        report = checker(conditions=[{"text": text}], labs=[POTASSIUM_NORMAL])
        assert report.risk == "none", text
        assert report.conditions[0].status == "recognized"
        assert report.conditions[0].reason == (
            "the current potassium result (4.2 mmol/L) is within range: controlled or resolved"
        )


def test_a_low_result_keeps_the_condition(checker: Checker) -> None:
    low = {"text": "potassium", "value": 3.1, "unit": "mmol/L"}
    report = checker(conditions=[{"text": "Hypokalemia, hypomagnesemia"}], labs=[low])
    assert "condition/hypomagnesemia" in {f.id for f in report.findings}
    assert report.conditions[0].reason is None


def test_normal_phosphate_outranks_hypophosphatemia_only(checker: Checker) -> None:
    alone = checker(conditions=[{"text": "Hypophosphatemia"}], labs=[PHOSPHATE_NORMAL])
    assert alone.risk == "none"
    assert alone.conditions[0].status == "recognized"
    both = _ids(
        checker, conditions=[{"text": "Hypophosphatemia, hypomagnesemia"}], labs=[PHOSPHATE_NORMAL]
    )
    assert both == {"condition/hypomagnesemia"}
    low = {"text": "phosphate", "value": 2.0, "unit": "mg/dL"}
    assert "condition/hypophosphatemia" in _ids(
        checker, conditions=[{"text": "Hypophosphatemia"}], labs=[low]
    )
