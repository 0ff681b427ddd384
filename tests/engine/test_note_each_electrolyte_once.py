"""The note asks for each low electrolyte once when one deficit has several causes
(review41 items 2 and 10: "Magnesium and calcium (corrected or ionized) now; Potassium,
magnesium and calcium now" asked for magnesium and calcium twice)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result


def _asked(note: str) -> dict[str, int]:
    line = next(line for line in note.splitlines() if line.startswith("Check:"))
    clauses = [c.strip().lower() for c in line.removeprefix("Check:").split(";")]
    return {
        name: sum(1 for c in clauses if re.search(rf"\b{name}\b", c))
        for name in ("potassium", "magnesium", "calcium")
    }


@pytest.mark.parametrize(
    ("meds", "conditions", "labs"),
    [
        (
            [],
            ["Chronic diarrhea", "Alcohol use disorder"],
            [("magnesium", 1.1, "mg/dL"), ("potassium", 3.1, "mmol/L"), ("calcium", 7.9, "mg/dL")],
        ),
        (
            [],
            ["Alcohol use disorder", "Chronic diarrhea"],
            [("magnesium", 1.3, "mg/dL"), ("potassium", 3.3, "mmol/L"), ("calcium", 8.0, "mg/dL")],
        ),
        (
            ["omeprazole 40 mg daily", "HCTZ 25 mg"],
            ["hypoparathyroidism"],
            [("magnesium", 1.3, "mg/dL"), ("potassium", 3.3, "mmol/L"), ("calcium", 7.9, "mg/dL")],
        ),
        (
            [],
            ["chronic diarrhea", "hypoparathyroidism"],
            [("magnesium", 1.3, "mg/dL"), ("potassium", 3.3, "mmol/L"), ("calcium", 8.0, "mg/dL")],
        ),
    ],
)
def test_each_result_is_asked_for_once(
    checker: Checker,
    meds: list[str],
    conditions: list[str],
    labs: list[tuple[str, float, str]],
) -> None:
    report = checker(
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conditions],
        labs=[result(*lab) for lab in labs],
    )
    assert report.note.count("\n- ") == 1, report.note
    assert _asked(report.note) == {"potassium": 1, "magnesium": 1, "calcium": 1}, report.note
