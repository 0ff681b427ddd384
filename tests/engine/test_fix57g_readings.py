"""fix57g (review57r R4, R8, R9): gravida/para notation with weeks read as a pregnancy
only when gravida exceeds the pregnancies ended and nothing in the entry says the
pregnancy is past; a start after a stop that is another drug's (its dose first), dated
before the stop, or asked; a "+" after the last diabetes complication denied together.
"""

from __future__ import annotations

import pytest

from service.engine import Knowledge
from service.engine.matching import match_condition
from service.engine.models import ConditionInput
from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


def _current(knowledge: Knowledge, text: str) -> list[str]:
    return list(match_condition(ConditionInput(text=text), knowledge).condition_ids)


@pytest.mark.parametrize(
    ("text", "current"),
    [
        # R4: gravida not above the pregnancies ended; a year; a history; a symptom's
        # weeks; a delivery or loss word anywhere in the entry.
        ("G2P2 at 6 weeks, breastfeeding", ["postpartum"]),
        ("G1P1 at 6 week visit", []),
        ("G3P3 at 36 weeks, induced", []),
        ("G2P2 at 30 weeks", []),
        ("Postpartum: G2P2 at 6 weeks", ["postpartum"]),
        ("Postpartum: G2P1 at 6 weeks", ["postpartum"]),
        ("G2P1 at 32 weeks (2018)", []),
        ("History: G2P1 at 30 weeks (2015)", []),
        ("G4P3003 at 30 weeks in 2019", []),
        ("G4P3003 at 30 weeks", ["pregnancy"]),
        ("G4P3103 at 30 weeks", []),
        ("G2P1, 6 weeks of leg cramps", ["muscle_cramps_complaint"]),
        ("G2P1 at 6 weeks, medical abortion", []),
        ("G2P1 at 30 weeks, currently postpartum", ["postpartum"]),
        # Near: still pregnant now.
        ("G2P1 at 30 weeks of gestation", ["pregnancy"]),
        ("G4P2013 at 30 weeks", ["pregnancy"]),
        ("G2P0A1 at 8 weeks", ["pregnancy"]),
        ("G2P1 at 30 weeks, h/o preterm delivery", ["pregnancy"]),
        # R9: a "+" after the last complication says it is present.
        ("Diabetes: no retinopathy, neuropathy +", ["diabetes", "peripheral_neuropathy"]),
        ("Diabetes: no retinopathy, neuropathy", ["diabetes"]),
        # A "+" after a screening is its result: the condition (review of fix57s).
        ("Diabetes screen +", ["diabetes"]),
        ("Hypokalemia screen +", ["hypokalemia"]),
        ("Diabetes screen", []),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, current: list[str]) -> None:
    assert _current(knowledge, text) == current, text


@pytest.mark.parametrize(
    ("text", "taken", "reason"),
    [
        # R8: another drug's start with its dose first; a start dated before the stop; a
        # question.
        ("Lasix stopped; started 20 mg torsemide", ["torsemide"], "furosemide: " + STOPPED),
        (
            "HCTZ stopped; started 12.5 mg chlorthalidone",
            ["chlorthalidone"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        (
            "Lasix stopped 2019; started 20 mg bumetanide 2021",
            ["bumetanide"],
            "furosemide: " + STOPPED,
        ),
        ("Lasix discontinued 2022; started 2010", [], STOPPED),
        ("Furosemide 40 mg - discontinued 6/2023; started 1/2020", [], STOPPED),
        ("HCTZ 25 mg stopped 3/2021, started 1/2019", [], STOPPED),
        ("Lasix stopped 2019; started 2015 for edema", [], STOPPED),
        ("Lasix stopped; started again?", [], STOPPED),
        # Near: the drug's own later start.
        ("Lasix stopped 3/2019; started 6/2019", ["furosemide"], None),
        ("Lasix stopped; started 20 mg", ["furosemide"], None),
        ("Lasix stopped 2019; started again 2021", ["furosemide"], None),
    ],
)
def test_medication_reading(
    checker: Checker, text: str, taken: list[str], reason: str | None
) -> None:
    status = checker.med(text).medications[0]
    assert status.status == ("flagged" if taken else "recognized"), text
    if taken:
        assert status.concepts == taken, text
    assert status.reason == reason, text
