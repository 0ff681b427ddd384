"""A stop written after a second drug's name speaks for that drug, not for the earlier
order of the entry ("Furosemide 40 mg daily - HCTZ stopped": furosemide is taken), while
a bare list shares it ("Lasix, HCTZ stopped")."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

STOPPED = "stated as stopped or not taken"


def _flagged(checker: Checker, text: str) -> tuple[str, list[str], str | None]:
    entry = checker.med(text).medications[0]
    return entry.status, list(entry.concepts), entry.reason


@pytest.mark.parametrize(
    "text",
    [
        "Furosemide 40 mg daily - HCTZ stopped",
        "Furosemide 40 mg daily, HCTZ discontinued",
        "Furosemide 40 mg (HCTZ stopped)",
        "Furosemide 40 mg daily: HCTZ stopped",
    ],
)
def test_the_earlier_order_stays_taken(checker: Checker, text: str) -> None:
    assert _flagged(checker, text) == (
        "flagged",
        ["furosemide"],
        f"hydrochlorothiazide: {STOPPED}",
    ), text


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Lasix and HCTZ stopped", ["furosemide", "hydrochlorothiazide"]),
        ("Lasix, HCTZ stopped", ["furosemide", "hydrochlorothiazide"]),
        ("Furosemide 40 mg - HCTZ 25 mg - both stopped", ["furosemide", "hydrochlorothiazide"]),
        ("Lasix 40 mg - stopped", ["furosemide"]),
        ("Zestoretic stopped", ["lisinopril", "hydrochlorothiazide"]),
    ],
)
def test_a_stop_of_the_whole_entry_still_stops_every_drug(
    checker: Checker, text: str, concepts: list[str]
) -> None:
    assert _flagged(checker, text) == ("recognized", concepts, STOPPED), text


def test_the_earlier_order_still_fills_its_rules(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Atorvastatin 80 mg daily, gemfibrozil stopped"}],
    )
    assert report.medications[0].concepts == ["atorvastatin"]
    assert not any("gemfibrozil" in f.id for f in report.findings)
    low_k = {"text": "potassium", "value": 3.1, "unit": "mmol/L"}
    joined = checker(medications=[{"text": "Furosemide 40 mg daily - HCTZ stopped"}], labs=[low_k])
    assert "combination/potassium_lowering_drug_with_low_potassium" in {
        f.id for f in joined.findings
    }
