"""read56: a diabetes complication found negative, a start said again after a stop past a
";", gravida/para notation with a current gestational age, and diabetes complications
denied together after a separator.

Each row names a text and how it is read; the near texts after it keep their earlier
reading.
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
        # 1. A complication named between diabetes and "was negative" is what was negative.
        ("Diabetes, retinopathy was negative", ["diabetes"]),
        ("Diabetes - retinopathy is negative", ["diabetes"]),
        ("DM2, nephropathy not present", ["diabetes"]),
        ("Diabetes, microalbumin test was negative", ["diabetes"]),
        ("Diabetes, neuropathy not present", ["diabetes"]),
        # As read54 reads an exam named between.
        ("Diabetes, retinopathy exam was negative", ["diabetes"]),
        # Near: the diabetes' own tests, or nothing between; another condition's reach.
        ("Diabetes was negative", []),
        ("Diabetes, tested negative", []),
        ("Diabetes - glucose tolerance test was negative", []),
        ("Diabetes, A1c test was negative", []),
        ("Diabetic retinopathy was negative", []),
        ("Hypothyroidism, retinopathy was negative", []),
        ("Peripheral neuropathy, monofilament exam was negative", []),
        # 4. A denial after diabetes and its separator listing only its complications
        # reaches past the comma.
        ("Diabetes: no retinopathy, neuropathy", ["diabetes"]),
        ("Diabetes - no retinopathy or neuropathy", ["diabetes"]),
        ("DM2 - no nephropathy, peripheral neuropathy", ["diabetes"]),
        ("Diabetes: no retinopathy, neuropathy.", ["diabetes"]),
        # Near: the next problem of a list; a complication said of after; another
        # condition's entry; a ";" between.
        ("CKD 4 - no dialysis, hypocalcemia", ["ckd_stage_4_5", "hypocalcemia"]),
        ("Diabetes: no retinopathy, hypokalemia", ["diabetes", "hypokalemia"]),
        ("Diabetes: no retinopathy, neuropathy, hypokalemia", ["diabetes", "hypokalemia"]),
        ("Diabetes: no retinopathy, neuropathy present", ["diabetes", "peripheral_neuropathy"]),
        ("Diabetes: no retinopathy, neuropathy (mild)", ["diabetes", "peripheral_neuropathy"]),
        ("Diabetes: no retinopathy, has neuropathy", ["diabetes", "peripheral_neuropathy"]),
        ("Diabetes: no retinopathy; neuropathy", ["diabetes", "peripheral_neuropathy"]),
        ("Hypothyroidism: no retinopathy, neuropathy", ["hypothyroidism", "peripheral_neuropathy"]),
        # 3. Gravida/para notation with a current gestational age: pregnant now.
        ("G2P1 at 30 weeks", ["pregnancy"]),
        ("G3P2 currently 28 wks", ["pregnancy"]),
        ("G1P0 at 12 weeks gestation", ["pregnancy"]),
        ("G2 P1 at 30 wks", ["pregnancy"]),
        ("G4P3003 at 34 weeks", ["pregnancy"]),
        ("G2P1 30wks", ["pregnancy"]),
        ("G2P1 at 30+2 weeks", ["pregnancy"]),
        ("G2P1 at 30 weeks, hx of preterm delivery", ["pregnancy"]),
        ("G2P1 at 30 weeks; hypokalemia", ["pregnancy", "hypokalemia"]),
        # Near: the notation alone is a history; weeks after a delivery; no age; a stated
        # absence; an age out of range; weeks of another problem.
        ("G2P2", []),
        ("G2P1", []),
        ("G2P1, 30 weeks postpartum", ["postpartum"]),
        ("G2P1 at 6 weeks postpartum", ["postpartum"]),
        ("G2P1 30 weeks ago", []),
        ("G2P1 at 30 weeks s/p SVD", []),
        ("G3P2 delivered at 30 weeks", []),
        ("G2P1 at 50 weeks", []),
        ("no G2P1 at 30 weeks", []),
        ("Hypokalemia at 30 weeks", ["hypokalemia"]),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, current: list[str]) -> None:
    assert _current(knowledge, text) == current, text


@pytest.mark.parametrize(
    ("text", "taken", "reason"),
    [
        # 2. Started again after the stop, past a ";" or a date: the later event wins.
        ("Lasix discontinued 2019; started again 2021", ["furosemide"], None),
        ("Lasix stopped 2019; started 2021", ["furosemide"], None),
        ("Lasix stopped 2019; restarted 2021", ["furosemide"], None),
        ("Lasix stopped 2019; resumed 2021", ["furosemide"], None),
        ("Lasix stopped, started again", ["furosemide"], None),
        ("Lasix stopped 2019; started back on 2021", ["furosemide"], None),
        ("Lasix stopped 2019, started 2021", ["furosemide"], None),
        # Near: another drug or something else started; a start not made; stopped last.
        ("Lasix stopped; started torsemide", ["torsemide"], "furosemide: " + STOPPED),
        (
            "Lasix stopped 2019; HCTZ started 2021",
            ["hydrochlorothiazide"],
            "furosemide: " + STOPPED,
        ),
        ("Lasix stopped 2019; started 2021 torsemide", ["torsemide"], "furosemide: " + STOPPED),
        ("Lasix stopped; restarted 2021 torsemide", ["torsemide"], "furosemide: " + STOPPED),
        ("Lasix stopped; cramps started 2021", [], STOPPED),
        ("Lasix stopped; started on dialysis", [], STOPPED),
        ("Lasix stopped after started on dialysis", [], STOPPED),
        ("Lasix stopped; never started again", [], STOPPED),
        ("Lasix stopped; not started again", [], STOPPED),
        ("Lasix stopped 2019; started again 2021; stopped 2022", [], STOPPED),
        ("Lasix started 2019, stopped 2021", [], STOPPED),
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


def test_gestational_age_reads_as_pregnant(checker: Checker) -> None:
    """The notation with its age gives the pregnancy finding; alone it gives none."""
    ids = {f.id for f in checker.cond("G2P1 at 30 weeks").findings}
    assert "condition/pregnancy" in ids
    assert "condition/pregnancy" not in {f.id for f in checker.cond("G2P2").findings}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # A stop after a ";" or "." reaches over the drug's own start, as after "," (the
        # later event wins).
        ("Lasix started 2019; stopped 2021", "recognized"),
        ("Lasix started 2019. Stopped 2021", "recognized"),
        ("Lasix started 2019; discontinued", "recognized"),
        ("Lasix 40 mg daily; stopped", "recognized"),
        # Not over a start followed by another drug, nor over a later restart.
        ("Lasix started 2019; stopped metformin 2021", "flagged"),
        ("Lasix stopped 2019; started again 2021", "flagged"),
    ],
)
def test_a_stop_after_a_semicolon_reaches_over_the_start(
    checker: Checker, text: str, status: str
) -> None:
    report = checker(medications=[{"text": text}])
    assert report.medications[0].status == status
