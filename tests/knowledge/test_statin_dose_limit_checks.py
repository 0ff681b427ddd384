"""A statin above its label limit with an interacting drug: the note's check says the
limit (the rule's first monitoring line), and a dose split over the day is added up
(pharmacist review 10: dose-limit rules had no check line; split doses were read alone)."""

from __future__ import annotations

import pytest

from service.engine import Knowledge
from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

AMLODIPINE_LIMIT = "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine"


def test_every_dose_limited_rule_has_a_check(knowledge: Knowledge) -> None:
    for rule in knowledge.kb.rules:
        if any(slot.above_mg is not None for slot in rule.slots):
            assert rule.monitoring, rule.id


def test_the_note_says_the_limit(checker: Checker) -> None:
    report = checker(medications=[{"text": "simvastatin 40 mg"}, {"text": "diltiazem 120 mg bid"}])
    assert (
        "Check: Simvastatin dose: 10 mg a day at most with verapamil, diltiazem or dronedarone."
        in report.note
    )


@pytest.mark.parametrize(
    ("morning", "bedtime", "fires"),
    [("20 mg", "20 mg", True), ("10 mg", "10 mg", False)],
)
def test_a_split_dose_is_added_up_for_the_limit(
    checker: Checker, morning: str, bedtime: str, fires: bool
) -> None:
    report = checker(
        medications=[
            {"text": f"simvastatin {morning} every morning"},
            {"text": f"simvastatin {bedtime} at bedtime"},
            {"text": "amlodipine 10 mg daily"},
        ]
    )
    assert shown_combinations(report) == ([AMLODIPINE_LIMIT] if fires else [])
    if fires:
        finding = next(f for f in report.findings if f.id == AMLODIPINE_LIMIT)
        assert finding.detail.count("mg a day is above") == 1
        assert "Simvastatin 40 mg a day is above the 20 mg limit with amlodipine." in (
            finding.detail
        )
