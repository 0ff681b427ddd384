"""Round 41 readings: a denial after a separator, a heading's list on a later line, a
question on resolution answered no, a relative who has it too, and "+ family history".

Each row is how every concept named in one condition text is read: "current", or the
qualifier kind that makes it not current.
"""

from __future__ import annotations

import pytest

from service.engine import Knowledge
from service.engine.matching import match_condition
from service.engine.models import ConditionInput
from tests.conftest import Checker


def _readings(knowledge: Knowledge, text: str) -> dict[str, str]:
    match = match_condition(ConditionInput(text=text), knowledge)
    found = dict.fromkeys(match.condition_ids, "current")
    found.update(match.excluded)
    return found


DM_NO_NEUROPATHY = {"diabetes": "current", "peripheral_neuropathy": "negated"}
CKD_NO_DIALYSIS = {"ckd_stage_4_5": "current", "eskd_dialysis": "negated"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A denial after a separator negates what follows it, not the concept before.
        ("Diabetes: no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes - no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes -- no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes:no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes: No neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes = no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes: denies neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes: neuropathy absent", DM_NO_NEUROPATHY),
        ("CKD stage 4: no dialysis", CKD_NO_DIALYSIS),
        ("CKD 4 - no dialysis yet", CKD_NO_DIALYSIS),
        ("hypertension: no hypokalemia", {"hypertension": "current", "hypokalemia": "negated"}),
        # Already read so.
        ("Diabetes. No neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes no neuropathy", DM_NO_NEUROPATHY),
        ("Diabetes: without neuropathy", DM_NO_NEUROPATHY),
        ("CKD stage 4, no dialysis", CKD_NO_DIALYSIS),
        ("CKD? no dialysis", {"ckd_stage_1_3": "hypothetical", "eskd_dialysis": "negated"}),
        # The answer of a field, ending the entry: the concept before it is absent.
        ("Diabetes? y/n: n", {"diabetes": "negated"}),
        ("Diabetes: no", {"diabetes": "negated"}),
        ("Diabetes - no", {"diabetes": "negated"}),
        ("Diabetes: none", {"diabetes": "negated"}),
        ("Diabetes: N", {"diabetes": "negated"}),
        ("Hypothyroidism? N - TSH normal", {"hypothyroidism": "negated"}),
        ("Diabetes: yes", {"diabetes": "current"}),
        # Headings.
        (
            "Pertinent negatives: no chest pain\nHypokalemia",
            {"hypokalemia": "current", "chest_pain": "negated"},
        ),
        (
            "Negative for: hypokalemia, hypomagnesemia",
            {"hypokalemia": "negated", "hypomagnesemia": "negated"},
        ),
        # A denial of something that is no concept, a result word, a duration: unchanged.
        ("T2DM - no retinopathy", {"diabetes": "current"}),
        ("Hyponatremia - denies symptoms", {"hyponatremia": "current"}),
        ("Diabetes - negative hypokalemia", {"diabetes": "current", "hypokalemia": "current"}),
        (
            "Muscle cramps - past 2 weeks, hypokalemia",
            {"muscle_cramps_complaint": "current", "hypokalemia": "current"},
        ),
        # "absent" right after the concept, ending its clause.
        ("neuropathy absent", {"peripheral_neuropathy": "negated"}),
        ("Neuropathy - absent", {"peripheral_neuropathy": "negated"}),
        ("Neuropathy (absent)", {"peripheral_neuropathy": "negated"}),
        ("Neuropathy: absent ankle reflexes", {"peripheral_neuropathy": "current"}),
        ("Neuropathy, reflexes absent", {"peripheral_neuropathy": "current"}),
    ],
)
def test_a_denial_after_a_separator(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


RESOLVED_BOTH = {"hypertension": "current", "hypokalemia": "resolved", "hypomagnesemia": "resolved"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hypertension\nresolved: hypokalemia, hypomagnesemia", RESOLVED_BOTH),
        ("Hypertension\nResolved problems: hypokalemia, hypomagnesemia", RESOLVED_BOTH),
        (
            "Hypertension\nhistory of: hypokalemia, hypomagnesemia",
            {
                "hypertension": "current",
                "hypokalemia": "historical",
                "hypomagnesemia": "historical",
            },
        ),
        (
            "resolved: hypokalemia, hypomagnesemia",
            {"hypokalemia": "resolved", "hypomagnesemia": "resolved"},
        ),
        (
            "Hypertension\nresolved: hypokalemia",
            {"hypertension": "current", "hypokalemia": "resolved"},
        ),
        # A course word opening the next line, parted by a comma or dash from what follows:
        # the course of the line before (review35 R10).
        ("Hypokalemia\nresolved 2019", {"hypokalemia": "resolved"}),
        (
            "Hypokalemia\nresolved, CKD stage 4 ongoing",
            {"ckd_stage_4_5": "current", "hypokalemia": "resolved"},
        ),
        (
            "Hypokalemia\nresolved - hypomagnesemia persists",
            {"hypomagnesemia": "current", "hypokalemia": "resolved"},
        ),
        (
            "Hypokalemia\nresolved per labs: K 4.1",
            {"hypokalemia": "resolved"},
        ),
    ],
)
def test_a_heading_on_a_later_line_covers_its_list(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


def test_a_stop_on_the_next_line_still_applies_back(checker: Checker) -> None:
    report = checker.med("Lasix 40 mg daily\nstopped by cardiology 3/2024")
    assert report.medications[0].status != "flagged"
    assert report.medications[0].reason == "stated as stopped or not taken"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hypokalemia\nresolved? no, still low", {"hypokalemia": "current"}),
        ("Hypokalemia resolved? no", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved? yes", {"hypokalemia": "resolved"}),
        ("Hypokalemia\nresolved", {"hypokalemia": "resolved"}),
        ("Hypokalemia\nmother has it too", {"hypokalemia": "current"}),
        ("Hypokalemia, mother has it too", {"hypokalemia": "current"}),
        ("Diabetes\nmother also has it", {"diabetes": "current"}),
        # A relative named alone, or with it only: the relative's.
        ("Hypokalemia\nmother", {"hypokalemia": "family_history"}),
        ("Hypokalemia\nmother has it", {"hypokalemia": "family_history"}),
        (
            "Hypokalemia\nmother - diabetes",
            {"hypokalemia": "current", "diabetes": "family_history"},
        ),
        ("Mother has diabetes, sister has it too", {"diabetes": "family_history"}),
        ("Mother, has diabetes", {"diabetes": "family_history"}),
    ],
)
def test_a_question_on_resolution_and_a_relative_who_has_it_too(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hypothyroidism, + family history", {"hypothyroidism": "current"}),
        ("Hypothyroidism, +FHx", {"hypothyroidism": "current"}),
        # A plus sign reads as "plus" or "positive": either way the patient's own.
        ("Hypothyroidism + FHx", {"hypothyroidism": "current"}),
        ("Type 2 diabetes, strong family history", {"diabetes": "current"}),
        ("Hypothyroidism, family history", {"hypothyroidism": "family_history"}),
        ("+ family history of diabetes", {"diabetes": "family_history"}),
        ("FHx: + diabetes", {"diabetes": "family_history"}),
        ("Hypothyroidism (FHx +)", {"hypothyroidism": "family_history"}),
        ("HTN + DM", {"hypertension": "current", "diabetes": "current"}),
    ],
)
def test_a_plus_sign_before_family_history(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Lasix: none", "stated as absent or ruled out"),
        ("Lasix - not taking", "stated as stopped or not taken"),
        ("Metformin: no", "stated as absent or ruled out"),
        ("No HCTZ", "stated as absent or ruled out"),
    ],
)
def test_medication_denials_after_a_separator_unchanged(
    checker: Checker, text: str, reason: str
) -> None:
    item = checker.med(text).medications[0]
    assert item.status == "recognized"
    assert item.reason == reason
