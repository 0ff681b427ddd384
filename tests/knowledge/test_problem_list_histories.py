"""Problem-list entries that name a history, not a current contributor: the state after
parathyroidectomy and statin intolerance are recognized, never flagged; a gestational age
in weeks is a current pregnancy unless it is the patient's own birth or a delivery."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("s/p parathyroidectomy", "parathyroidectomy (status after)"),
        ("status post parathyroidectomy 2019", "parathyroidectomy (status after)"),
        ("statin intolerance", "statin intolerance (history)"),
        ("intolerant of statins", "statin intolerance (history)"),
        ("h/o statin intolerance", "statin intolerance (history)"),
    ],
)
def test_a_history_is_recognized_not_flagged(checker: Checker, text: str, concept: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert (report.conditions[0].status, report.conditions[0].concept) == ("recognized", concept)
    assert report.findings == []


def test_hypocalcemia_after_parathyroidectomy_is_flagged(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "s/p parathyroidectomy with postsurgical hypoparathyroidism"}]
    )
    assert report.conditions[0].status == "flagged"
    assert [f.id for f in report.findings] == ["condition/hypoparathyroidism"]


@pytest.mark.parametrize("text", ["32 wks gestation", "IUP 28 weeks gestation"])
def test_weeks_of_gestation_are_a_current_pregnancy(checker: Checker, text: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert [f.id for f in report.findings] == ["condition/pregnancy"]


@pytest.mark.parametrize(
    "text",
    [
        "born at 32 weeks gestation",
        "born at 30 weeks of gestation",
        "delivered at 34 wks gestation",
    ],
)
def test_a_birth_or_delivery_at_some_weeks_is_not_a_current_pregnancy(
    checker: Checker, text: str
) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].status == "recognized"
    assert report.findings == []


def test_a_new_clause_after_a_birth_is_current(checker: Checker) -> None:
    report = checker(conditions=[{"text": "born at term, now 28 weeks pregnant"}])
    assert [f.id for f in report.findings] == ["condition/pregnancy"]
