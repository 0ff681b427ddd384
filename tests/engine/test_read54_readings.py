"""read54: a dated restart after a stop, a lasting cause of a resolved problem, an exam of
another organ after diabetes, and a bare "history of dialysis".

Each row names a text and how it is read; a near text after it keeps its earlier reading
(review53's regressions of read52 among them).
"""

from __future__ import annotations

import pytest

from service.engine import Knowledge
from service.engine.matching import match_condition
from service.engine.models import ConditionInput
from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"
ENDED = (
    "stated as no longer on dialysis (dialysis ended, or kidney failure treated by a kidney "
    "transplant since; the graft's function shows in the eGFR)"
)


@pytest.mark.parametrize(
    ("text", "taken", "reason"),
    [
        # a. A start dated after the stop: the later event wins, the drug is taken.
        ("Lasix stopped 2019, started 2021", ["furosemide"], None),
        ("Lasix stopped 2019, started in 2021", ["furosemide"], None),
        ("Lasix stopped 2019, started 6/2021", ["furosemide"], None),
        # The dated start reads as the undated one ("Lasix, HCTZ stopped 2020, KCl started").
        ("Off - Lasix, HCTZ started 2022", ["hydrochlorothiazide"], "furosemide: " + STOPPED),
        # Near: the stop is the later event; another drug started; a start not made.
        ("Lasix started 2019, stopped 2021", [], STOPPED),
        ("Lasix stopped 2019, started 2021, stopped 2022", [], STOPPED),
        ("Stopped Lasix 2019, torsemide started 2021", ["torsemide"], "furosemide: " + STOPPED),
        ("Lasix stopped 2019, started 2021 torsemide", ["torsemide"], "furosemide: " + STOPPED),
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
        # b. The problem resolved; a lasting cause named after "due to" stays.
        ("Hypoglycemia due to diabetes, resolved", ["diabetes"]),
        ("Hyponatremia due to cirrhosis, resolved", ["cirrhosis"]),
        ("Hypocalcemia secondary to hypoparathyroidism, resolved", ["hypoparathyroidism"]),
        # Near: an episode as the cause resolves with it; a cause's resolution not bare.
        ("Hypokalemia due to diarrhea, resolved", []),
        ("Hypocalcemia due to hypomagnesemia, resolved", []),
        # A steroid myopathy improves once the steroid is lowered: an episode (review55 R2).
        ("Weakness due to steroid myopathy, resolved", []),
        ("history of steroid myopathy", []),
        ("steroid myopathy", ["steroid_myopathy"]),
        ("Hypokalemia due to diarrhea, not resolved", ["hypokalemia"]),
        ("Hypoglycemia due to diabetes - resolved", ["hypoglycemia"]),
        ("Hypoglycemia due to diabetes", ["hypoglycemia", "diabetes"]),
        ("Diabetes, resolved", []),
        # c. An exam of another organ after diabetes does not deny the diabetes.
        ("Diabetes, retinopathy exam was negative", ["diabetes"]),
        ("Diabetes, eye exam was negative", ["diabetes"]),
        ("Diabetes, dilated eye exam is negative", ["diabetes"]),
        # Near: the diabetes' own screening or test; another condition's exam.
        ("Diabetes screening negative", []),
        ("Diabetes screening was negative", []),
        ("Diabetes, A1c test was negative", []),
        # A diabetes screening test named before "screening" is the diabetes' own (review55 R1).
        ("Diabetes, A1c screening was negative", []),
        ("Diabetes, HbA1c screen is negative", []),
        ("Diabetes, glucose screen was negative", []),
        ("Diabetes, OGTT screening was negative", []),
        ("Peripheral neuropathy, monofilament exam was negative", []),
        ("Peripheral artery disease - vascular exam was negative", []),
        # e. "history of dialysis" alone reads as "dialysis history": a past treatment.
        ("history of dialysis", []),
        ("dialysis history", []),
        ("h/o hemodialysis", []),
        # Near: dialysis said to go on, or the entry names more (review53 R2).
        ("history of dialysis - current", ["eskd_dialysis"]),
        ("history of dialysis, active", ["eskd_dialysis"]),
        ("history of hemodialysis since 2018", ["eskd_dialysis"]),
        ("Hx of hemodialysis via L AVF", ["eskd_dialysis"]),
        ("history of dialysis non-compliance", ["eskd_dialysis"]),
        ("ESRD, history of dialysis", ["eskd_dialysis"]),
        # d: a denial after a problem's separator ends at the comma (review42 G4), unless it
        # lists only the problem's complications (read56).
        ("Diabetes: no retinopathy, neuropathy", ["diabetes"]),
        ("CKD 4 - no dialysis, hypocalcemia", ["ckd_stage_4_5", "hypocalcemia"]),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, current: list[str]) -> None:
    assert _current(knowledge, text) == current, text


def test_dialysis_history_reason(checker: Checker) -> None:
    """Both wordings give the same reason."""
    for text in ("history of dialysis", "dialysis history"):
        status = checker.cond(text).conditions[0]
        assert (status.status, status.reason) == ("recognized", ENDED), text
