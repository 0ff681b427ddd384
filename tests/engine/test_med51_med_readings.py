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


# 6: a salt substitute is potassium chloride; LoSalt and "lite" salt are both salts.
@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("salt substitute", ["potassium chloride"]),
        ("Salt substitutes", ["potassium chloride"]),
        ("potassium salt substitute", ["potassium chloride"]),
        ("Morton Salt Substitute", ["potassium chloride"]),
        ("LoSalt", ["potassium chloride", "sodium chloride"]),
        ("Lite Salt", ["potassium chloride", "sodium chloride"]),
        ("Morton Lite Salt", ["potassium chloride", "sodium chloride"]),
        ("KCl 20 mEq daily", ["potassium chloride"]),
    ],
)
def test_salt_substitutes(checker: Checker, text: str, concepts: list[str]) -> None:
    status = checker.med(text).medications[0]
    assert status.concepts == concepts, text


@pytest.mark.parametrize(
    "text", ["salt", "salt tablets", "sea salt", "low-salt diet", "salt restriction"]
)
def test_salt_itself_is_not_potassium(checker: Checker, text: str) -> None:
    assert "potassium chloride" not in (checker.med(text).medications[0].concepts or []), text


def test_a_salt_substitute_reads_as_potassium_chloride_beside_amiloride(checker: Checker) -> None:
    labs = [{"text": "potassium", "value": 5.9, "unit": "mmol/L"}]
    substitute, kcl = (
        checker(medications=[{"text": "amiloride 5 mg daily"}, {"text": text}], labs=labs)
        for text in ("salt substitute", "KCl 20 mEq daily")
    )
    assert [f.id for f in substitute.findings] == [f.id for f in kcl.findings]
    assert substitute.medications[1].concepts == kcl.medications[1].concepts
