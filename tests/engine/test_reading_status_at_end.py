"""A status written at the very end of an entry (review 26, signal25): a medication whose
last clause is a stop status ("; Status: Stopped", "(old med)", "dc 2/2023") is not taken;
a condition's name followed at once by a negation mark ("hypokalemia (-)", "hypokalemia:
denied") is absent. The guard rows (``data/status_at_end_guards.json``: the brief's strings
and every review-26 regression string main reads as current) must stay current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Checker

GUARDS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "status_at_end_guards.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("furosemide 40 mg tablet; Status: Stopped", "furosemide"),
        ("furosemide 40 mg; status=inactive", "furosemide"),
        ("Lasix 40 mg; Status: Discontinued", "furosemide"),
        ("HCTZ (old med)", "hydrochlorothiazide"),
        ("HCTZ [old med]", "hydrochlorothiazide"),
        ("HCTZ - entered in error", "hydrochlorothiazide"),
        ("simvastatin 40 mg dc 2/2023", "simvastatin"),
        ("HCTZ 25 mg: previously", "hydrochlorothiazide"),
        ("furosemide 40mg taken previously", "furosemide"),
    ],
)
def test_a_stop_status_as_the_last_clause_is_not_current(
    checker: Checker, text: str, concept: str
) -> None:
    item = checker.status("medications", text)
    assert item.status == "recognized", (text, item.status, item.reason)
    assert item.concept == concept
    assert item.reason == checker.kb.texts.templates["stopped"]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("hypokalemia (-)", "hypokalemia"),
        ("hypokalemia [-]", "hypokalemia"),
        ("hypokalemia: denied", "hypokalemia"),
        ("hypokalemia: negative", "hypokalemia"),
        ("Hypokalemia : Denied.", "hypokalemia"),
        ("hypothyroidism (-)", "hypothyroidism"),
    ],
)
def test_a_negation_mark_right_after_the_name_is_absent(
    checker: Checker, text: str, concept: str
) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized", (text, item.status, item.reason)
    assert item.concept == concept
    assert item.reason == checker.kb.texts.templates["negated"]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, marks=pytest.mark.xfail(reason=row["xfail"], strict=True))
        if row.get("xfail")
        else row
        for row in GUARDS
    ],
    ids=[
        f"{row['list'][:4]}{'-coded' if row.get('coding') else ''}:{row['text']}" for row in GUARDS
    ],
)
def test_guard_rows_stay_current(checker: Checker, row: dict[str, Any]) -> None:
    item = checker.status(row["list"], row["text"], row.get("coding"))
    assert item.status == "flagged", (row["text"], item.status, item.reason)


def test_the_guard_list_holds_the_briefs_strings() -> None:
    texts = {row["text"] for row in GUARDS}
    assert len(GUARDS) >= 80
    assert {
        "Lasix 40 mg; Status: Active",
        "Cirrhosis - varices (-)",
        "diabetes mellitus (+)",
    } <= texts


@pytest.mark.parametrize(
    "text",
    ["diabetes: no", "Diabetes - No", "DM: no, HTN: yes", "hypokalemia - none", "sciatica: denies"],
)
def test_a_field_answer_at_the_end_of_its_clause_still_negates(checker: Checker, text: str) -> None:
    assert checker.cond(text).conditions[0].status == "recognized"
