"""read53: the narrowest safe version of read52's readings (reverted after review53).

A bare "stopped"/"discontinued" after a drug's own start, with nothing but a date after
it, is the drug's stop ("Lasix started 2019, stopped 2021"). A bare final "resolved" after
a problem's cause resolves the problem ("Hypokalemia due to diarrhea, resolved"). Each row
names a text and how it is read; review53's near misses keep their reading.
"""

from __future__ import annotations

import pytest

from service.engine import Knowledge
from service.engine.matching import match_condition
from service.engine.models import ConditionInput
from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


@pytest.mark.parametrize(
    ("text", "taken", "reason"),
    [
        # A: the drug's own start, then a bare stop: the later stop wins.
        ("Lasix started 2019, stopped 2021", [], STOPPED),
        ("Lasix 40 mg daily, started 2019 - stopped", [], STOPPED),
        ("Lasix 40 mg started 2019 - discontinued", [], STOPPED),
        ("Lasix started 2019, discontinued 6/2021", [], STOPPED),
        # Near misses (review53 R6): a stop date, a negated stop, another drug's or
        # thing's stop, a habit stopped, words after the stop, brackets.
        ("Lasix started 2019 - stop date 12/31", ["furosemide"], None),
        ("Lasix started 2019, never stopped", ["furosemide"], None),
        ("Lasix started 2019, has not stopped", ["furosemide"], None),
        ("Lasix started 2019, continued, not stopped at discharge", ["furosemide"], None),
        ("Lasix started 2019 after HCTZ stopped", ["furosemide"], None),
        ("Lasix 40 mg started 2/2021, statin stopped 6/2021", ["furosemide"], None),
        ("Lasix 40 mg started 2/2021, NSAIDs stopped 6/2021", ["furosemide"], None),
        ("Lasix started 2/2021, other BP meds stopped", ["furosemide"], None),
        ("Lasix started 2020 when the thiazide was stopped", ["furosemide"], None),
        ("Lasix started 2022, pt stopped smoking same year", ["furosemide"], None),
        ("Furosemide started 2021 - cramps stopped after KCl added", ["furosemide"], None),
        ("Lasix started 2019, swelling stopped within a week", ["furosemide"], None),
        ("Atorvastatin 40 mg started 2020, myalgias stopped with CoQ10", ["atorvastatin"], None),
        ("Furosemide started at discharge, IV stopped", ["furosemide"], None),
        ("Lasix started in ED, drip stopped", ["furosemide"], None),
        ("Lasix started 2019, titration stopped at 80 mg", ["furosemide"], None),
        ("Lasix started 2019, stopped 2021 (per pt still taking)", ["furosemide"], None),
        ("Lasix started 2019, stopped taking it regularly but uses PRN", ["furosemide"], None),
        ("Lasix 40 mg daily - stop date 12/31", ["furosemide"], None),
        ("Lasix started, HCTZ stopped", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        ("Lasix stopped 2019, restarted 2021", ["furosemide"], None),
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


def _current(knowledge: Knowledge, text: str) -> list[str]:
    return list(match_condition(ConditionInput(text=text), knowledge).condition_ids)


@pytest.mark.parametrize(
    ("text", "current"),
    [
        # C: a bare final "resolved" after the cause is said of the problem (the cause, the
        # nearest concept, was already read as resolved).
        ("Hypokalemia due to diarrhea, resolved", []),
        # A lasting cause keeps its own status (read54): only the hyponatremia resolved.
        ("Hyponatremia secondary to hypothyroidism, resolved", ["hypothyroidism"]),
        ("Hypocalcemia due to hypomagnesemia, resolved", []),
        # Near misses (review53 R7): a negated or recurred resolution, another concept's.
        ("Hypokalemia due to diarrhea, not resolved", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, has not resolved", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, never resolved", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, resolved with KCl, recurred 2023", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, resolved but recurrent", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, resolved then recurred", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, resolved, recurrent 2024", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea, diarrhea resolved", ["hypokalemia"]),
        ("Hypokalemia due to diarrhea", ["hypokalemia", "diarrhea"]),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, current: list[str]) -> None:
    assert _current(knowledge, text) == current, text
