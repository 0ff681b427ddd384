"""med51: medication-list readings (a drug started after another's stop, "both stopped"
after two orders, a per-drug "Taking?" answer, non-use with its reason)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


@pytest.mark.parametrize(
    ("text", "taken", "reason"),
    [
        # 1: the drug started after another's stop is taken.
        ("HCTZ stopped - Lasix 40 mg started", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        ("HCTZ stopped, Lasix started", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        ("HCTZ stopped when Lasix started", ["furosemide"], "hydrochlorothiazide: " + STOPPED),
        ("Stopped Lasix, torsemide started", ["torsemide"], "furosemide: " + STOPPED),
        # 2: "both stopped" after two orders stops both.
        ("Lasix 40 mg daily and HCTZ 25 mg daily - both stopped", [], STOPPED),
        ("Lasix 40 mg and HCTZ 25 mg - both stopped", [], STOPPED),
        # 3: each drug its own "Taking?" answer.
        (
            "Taking? N - Lasix, Y - hydrochlorothiazide",
            ["hydrochlorothiazide"],
            "furosemide: " + STOPPED,
        ),
        # 4, 5: not taken (already read so).
        ("Lasix 40 mg - not taking it", [], STOPPED),
        ("Lasix 20 mg PRN - not using for swelling", [], STOPPED),
        # Near misses that keep their reading.
        ("Lasix, HCTZ stopped", [], STOPPED),
        ("Lasix and HCTZ - both stopped", [], STOPPED),
        (
            "Furosemide 40 mg daily - HCTZ stopped",
            ["furosemide"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        (
            "Lasix 40 mg daily - HCTZ 25 mg stopped",
            ["furosemide"],
            "hydrochlorothiazide: " + STOPPED,
        ),
        ("HCTZ stopped - Lasix 40 mg", [], STOPPED),
        ("Taking? N - Lasix, hydrochlorothiazide", [], STOPPED),
        ("Taking? N - Lasix, N - hydrochlorothiazide", [], STOPPED),
        ("Lasix 40 mg - not started", [], "stated as planned or recommended, not yet taken"),
        ("Lasix 40 mg - never started", [], STOPPED),
        ("Lasix 40 mg - to be started", [], "stated as planned or recommended, not yet taken"),
        ("Lasix 40 mg - stopped", [], STOPPED),
        ("Lasix 40 mg started", ["furosemide"], None),
        ("Taking? Y - hydrochlorothiazide 12.5 mg", ["hydrochlorothiazide"], None),
    ],
)
def test_reading(checker: Checker, text: str, taken: list[str], reason: str | None) -> None:
    status = checker.med(text).medications[0]
    assert status.status == ("flagged" if taken else "recognized"), text
    if taken:
        assert status.concepts == taken, text
    assert status.reason == reason, text
