"""fam55: a relative's condition said with a past ("mother - history of dialysis", "brother
- hx of ALS", "history of dialysis in mother") is the relative's, as "mother - diabetes
ongoing" already was; a relative who is the patient's help or has it too leaves the
patient's own condition current ("dialysis - mother drives her", "ESRD on HD, mother also
on dialysis").

Each row names a text and how it is read; the near texts keep their earlier reading.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker

FAMILY = "family history, not the patient's own condition"
ENDED = (
    "stated as no longer on dialysis (dialysis ended, or kidney failure treated by a kidney "
    "transplant since; the graft's function shows in the eGFR)"
)
ESKD = "end-stage kidney disease or dialysis"
ALS = "motor neuron disease (ALS)"


@pytest.mark.parametrize(
    ("text", "current", "reason"),
    [
        # The relative's, not the patient's: recognized, not flagged.
        ("mother - history of dialysis", [], FAMILY),
        ("Mother: history of dialysis", [], FAMILY),
        ("father - h/o hemodialysis", [], FAMILY),
        ("mother with hx of hypothyroidism", [], FAMILY),
        ("FHx: dialysis (mother)", [], FAMILY),
        ("mom on dialysis", [], FAMILY),
        ("brother - hx of ALS", [], FAMILY),
        ("sister - history of hypothyroidism", [], FAMILY),
        ("Family history of dialysis", [], FAMILY),
        ("history of dialysis in mother", [], FAMILY),
        ("mother - diabetes ongoing", [], FAMILY),
        ("Diabetes (mother)", [], FAMILY),
        ("Diabetes, mother", [], FAMILY),
        # The patient's condition on the line before stays the patient's.
        ("Hypokalemia\nmother - h/o ALS", ["hypokalemia"], None),
        ("Hypokalemia\nmother - diabetes", ["hypokalemia"], None),
        # Near: the patient's own.
        ("history of dialysis", [], ENDED),
        ("hx of ALS", [ALS], None),
        ("history of hypothyroidism", ["hypothyroidism"], None),
        ("history of dialysis in 2019", [ESKD], None),
        ("Hypokalemia\nhistory of ALS", ["hypokalemia", ALS], None),
        ("dialysis - mother drives her", [ESKD], None),
        ("ESRD on HD, mother also on dialysis", [ESKD], None),
        ("Diabetes, mother also has hypothyroidism", ["diabetes mellitus"], None),
        ("Diabetes, mother has it too", ["diabetes mellitus"], None),
    ],
)
def test_condition_reading(
    checker: Checker, text: str, current: list[str], reason: str | None
) -> None:
    status = checker.cond(text).conditions[0]
    assert status.status == ("flagged" if current else "recognized"), text
    if current:
        assert status.concepts == current, text
    assert status.reason == reason, text
