"""read52: medication and condition readings left after med51/cond51 (a later stop after
the drug's own start, "both stopped" across a ";", a list of drugs started, a per-drug
"N -" answer after a comma; a resolution after the problem's cause, a negative test of
something else, "history of" dialysis).

Each row names a text and how it is read, near misses that keep their reading included.
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
        # 1: the drug's own start, then its stop: the later stop wins.
        ("Lasix started 2019, stopped 2021", [], STOPPED),
        ("Lasix 40 mg daily, started 2019 - stopped", [], STOPPED),
        ("Lasix started 2019; stopped 2021", [], STOPPED),
        ("Lasix 80 mg changed to 40 mg, stopped 2021", [], STOPPED),
        # Near misses: another drug's stop, the start after the stop, a restart.
        ("HCTZ stopped - Lasix 40 mg started", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        ("Lasix 40 mg started", ["furosemide"], None),
        ("Lasix stopped 2019, restarted 2021", ["furosemide"], None),
        ("Lasix started, HCTZ stopped", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        (
            "Lasix started 2019, HCTZ stopped 2021",
            ["furosemide"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        ("Stop HCTZ, start Lasix", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        # 2: "both"/"all" after orders parted by ";" speaks for every drug before it.
        ("Lasix 40 mg daily; HCTZ 25 mg daily - both stopped", [], STOPPED),
        ("Lasix 40 mg, KCl 20 mEq; HCTZ 25 mg - all stopped", [], STOPPED),
        ("Lasix 40 mg daily and HCTZ 25 mg daily - both stopped", [], STOPPED),
        # Near misses: without "both", the stop is the last drug's.
        ("Lasix 40 mg daily; HCTZ stopped", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        (
            "Lasix 40 mg daily; HCTZ 25 mg daily - stopped",
            ["furosemide"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        # 3: a bare list of drugs before "started", opening its clause: all taken.
        (
            "HCTZ stopped - Lasix, KCl started",
            ["furosemide", "potassium chloride"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        (
            "HCTZ stopped - Lasix and KCl started",
            ["furosemide", "potassium chloride"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        (
            "HCTZ stopped, Lasix, KCl started",
            ["furosemide", "potassium chloride"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        # Near misses: the drug right after a stop is the stop's object.
        ("Stopped Lasix, torsemide started", ["torsemide"], "furosemide: " + STOPPED),
        ("Stopped: Lasix, torsemide started", ["torsemide"], "furosemide: " + STOPPED),
        (
            "Stopped HCTZ, Lasix, torsemide started",
            ["torsemide"],
            "hydrochlorothiazide: " + STOPPED + "; furosemide: " + STOPPED,
        ),
        # 4: each drug its own "Taking?" answer, "N -" after a comma too.
        (
            "Taking? Y - Lasix, N - hydrochlorothiazide",
            ["furosemide"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        (
            "Taking? Y - Lasix, N - HCTZ, Y - KCl",
            ["furosemide", "potassium chloride"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        # Near misses.
        (
            "Taking? N - Lasix, Y - hydrochlorothiazide",
            ["hydrochlorothiazide"],
            "furosemide: " + STOPPED,
        ),
        ("Taking? Y - Lasix, Y - hydrochlorothiazide", ["furosemide", "hydrochlorothiazide"], None),
        ("Taking? Y - Lasix, hydrochlorothiazide", ["furosemide", "hydrochlorothiazide"], None),
        ("Taking? N - Lasix, N - hydrochlorothiazide", [], STOPPED),
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


def _readings(knowledge: Knowledge, text: str) -> dict[str, str]:
    match = match_condition(ConditionInput(text=text), knowledge)
    found = dict(match.excluded)
    found.update(dict.fromkeys(match.condition_ids, "current"))
    return found


ENDED = "treatment_ended"
DIALYSIS = "eskd_dialysis"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 5: resolved after the problem's cause: the problem resolved. The cause named in
        # a resolved problem is not read as current either (it was already read resolved).
        (
            "Hypokalemia due to diarrhea, resolved",
            {"hypokalemia": "resolved", "diarrhea": "resolved"},
        ),
        (
            "Hypokalemia secondary to diarrhea, now resolved",
            {"hypokalemia": "resolved", "diarrhea": "resolved"},
        ),
        # Near misses: no resolution, or the resolution of the cause named again.
        ("Hypokalemia due to diarrhea", {"hypokalemia": "current", "diarrhea": "current"}),
        (
            "Hypokalemia due to diarrhea, diarrhea resolved",
            {"hypokalemia": "current", "diarrhea": "resolved"},
        ),
        (
            "ESRD secondary to DM, s/p kidney transplant",
            {DIALYSIS: ENDED, "diabetes": "current", "organ_transplant_status": "current"},
        ),
        # 6: a negative test of something else keeps the condition before it.
        ("Diabetes, retinopathy exam was negative", {"diabetes": "current"}),
        ("Diabetes, eye exam was negative", {"diabetes": "current"}),
        ("Diabetes, foot exam was negative", {"diabetes": "current"}),
        ("Diabetic retinopathy exam was negative", {"diabetes": "current"}),
        (
            "Diabetes - neuropathy screen was negative",
            {"diabetes": "current", "peripheral_neuropathy": "negated"},
        ),
        ("Diabetes; eye exam negative", {"diabetes": "current"}),
        ("Diabetes, eye exam negative", {"diabetes": "current"}),
        # Near misses: the test of the condition itself, or its own answer.
        ("Diabetes screening was negative", {"diabetes": "negated"}),
        ("Diabetes screening: negative", {"diabetes": "negated"}),
        ("diabetes: negative", {"diabetes": "negated"}),
        ("hypokalemia was negative", {"hypokalemia": "negated"}),
        # 7: "history of" dialysis is past dialysis, as "dialysis history" (a treatment).
        ("history of dialysis", {DIALYSIS: ENDED}),
        ("h/o hemodialysis", {DIALYSIS: ENDED}),
        ("hx of dialysis", {DIALYSIS: ENDED}),
        ("history of peritoneal dialysis", {DIALYSIS: ENDED}),
        ("dialysis history", {DIALYSIS: ENDED}),
        # Near misses: the kidney failure's own term, dialysis now, another problem.
        ("h/o ESRD on HD", {DIALYSIS: "current"}),
        ("history of ESRD", {DIALYSIS: "current"}),
        ("history of dialysis dependent ESRD", {DIALYSIS: "current"}),
        ("history of hemodialysis, now on PD", {DIALYSIS: "current"}),
        ("h/o hemodialysis, restarted 2022", {DIALYSIS: "current"}),
        ("history of diabetes, on dialysis", {"diabetes": "current", DIALYSIS: "current"}),
        ("history of dialysis access thrombosis", {DIALYSIS: "current"}),
        ("no history of dialysis", {DIALYSIS: "negated"}),
        ("family history of dialysis", {DIALYSIS: "family_history"}),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, expected: dict[str, str]) -> None:
    assert _readings(knowledge, text) == expected, text
