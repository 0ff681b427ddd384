"""Round 41 condition readings (review41 items 6, 7, 8, 9, 14 and C3): dialysis that has
ended or a kidney transplant since, a problem of a prior pregnancy, a level normal now, a
trailing "r/o", "no longer symptomatic", a negative screening for a complication of
diabetes, "transient"; and readings left from round 41 ("past 2 weeks", "absent" before
another concept, "resolved? no idea").

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
    found = dict(match.excluded)
    found.update(dict.fromkeys(match.condition_ids, "current"))
    return found


ENDED = "treatment_ended"
TX = "organ_transplant_status"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Dialysis said to be past: not on dialysis now (rv41-13, rv41-14).
        (
            "s/p kidney transplant, previously on hemodialysis",
            {TX: "current", "eskd_dialysis": ENDED},
        ),
        ("former dialysis patient", {"eskd_dialysis": ENDED}),
        ("prior hemodialysis", {"eskd_dialysis": ENDED}),
        ("was on dialysis", {"eskd_dialysis": ENDED}),
        ("off dialysis since transplant", {"eskd_dialysis": ENDED}),
        ("Hemodialysis - stopped", {"eskd_dialysis": ENDED}),
        # Kidney failure with a kidney transplant since: a functioning graft (rv41-15).
        ("ESRD - now s/p renal transplant", {TX: "current", "eskd_dialysis": ENDED}),
        ("ESRD s/p kidney transplant", {TX: "current", "eskd_dialysis": ENDED}),
        ("s/p renal transplant for ESRD", {TX: "current", "eskd_dialysis": ENDED}),
        # Neighbours that must not change: on dialysis now, or the kidney failure stays.
        ("ESRD on HD", {"eskd_dialysis": "current"}),
        ("CKD stage 4, no dialysis", {"ckd_stage_4_5": "current", "eskd_dialysis": "negated"}),
        ("ESRD on HD, s/p kidney transplant", {"eskd_dialysis": "current", TX: "current"}),
        ("kidney transplant, back on dialysis", {TX: "current", "eskd_dialysis": "current"}),
        ("s/p renal transplant, on HD", {TX: "current", "eskd_dialysis": "current"}),
        ("ESRD, awaiting kidney transplant", {"eskd_dialysis": "current", TX: "current"}),
        ("ESRD - renal transplant candidate", {"eskd_dialysis": "current", TX: "current"}),
        ("ESRD s/p failed renal transplant", {"eskd_dialysis": "current", TX: "current"}),
        (
            "ESRD s/p renal transplant 2010, graft failed 2020",
            {"eskd_dialysis": "current", TX: "current"},
        ),
        ("Renal transplant rejection, ESRD", {TX: "current", "eskd_dialysis": "current"}),
        ("ESRD, s/p heart transplant", {"eskd_dialysis": "current", TX: "current"}),
        ("CKD stage 4 s/p renal transplant", {"ckd_stage_4_5": "current", TX: "current"}),
        ("h/o ESRD on HD", {"eskd_dialysis": "current"}),
        ("history of ESRD", {"eskd_dialysis": "current"}),
        ("was started on dialysis", {"eskd_dialysis": "current"}),
        ("on dialysis, stopped metformin", {"eskd_dialysis": "current"}),
        ("previously on PD, now on HD", {"eskd_dialysis": "current"}),
        # A problem of a prior pregnancy (rv41-11, rv41-12).
        ("Gestational diabetes (prior pregnancy, 2019)", {"pregnancy": "historical"}),
        (
            "Hyperemesis gravidarum (prior pregnancy)",
            {"vomiting": "historical", "pregnancy": "historical"},
        ),
        ("GDM - prior pregnancy", {"pregnancy": "historical"}),
        ("pregnancy", {"pregnancy": "current"}),
        ("G2P1, currently 20 weeks pregnant", {"pregnancy": "current"}),
        ("Hyperemesis gravidarum", {"vomiting": "current", "pregnancy": "current"}),
        # The level normal now (rv41-16), for that analyte's deficit only.
        ("Hypomagnesemia on PPI -- PPI stopped, Mg normal now", {"hypomagnesemia": "resolved"}),
        ("Hypomagnesemia, Mg normal now", {"hypomagnesemia": "resolved"}),
        ("Hypokalemia - K normal now", {"hypokalemia": "resolved"}),
        ("Hypomagnesemia on PPI", {"hypomagnesemia": "current"}),
        (
            "Hypokalemia, CKD 3, Mg normal now",
            {"hypokalemia": "current", "ckd_stage_1_3": "current"},
        ),
        # A trailing "r/o" (rv41-17), as the leading one.
        ("Spinal stenosis r/o", {"spinal_stenosis": "hypothetical"}),
        ("DVT - rule out", {"deep_vein_thrombosis": "hypothetical"}),
        ("r/o spinal stenosis", {"spinal_stenosis": "hypothetical"}),
        ("r/o DVT", {"deep_vein_thrombosis": "hypothetical"}),
        (
            "Diabetes, r/o neuropathy",
            {"diabetes": "current", "peripheral_neuropathy": "hypothetical"},
        ),
        (
            "Hypokalemia r/o hypomagnesemia",
            {"hypokalemia": "current", "hypomagnesemia": "hypothetical"},
        ),
        # No longer symptomatic (rv41-18): a symptom-defined problem only.
        ("Sciatica - improved, no longer symptomatic", {"sciatica": "resolved"}),
        ("Sciatica - improved", {"sciatica": "current"}),
        ("Hypokalemia, no longer symptomatic", {"hypokalemia": "current"}),
        ("Spinal stenosis, now asymptomatic", {"spinal_stenosis": "current"}),
        # A negative screening for a complication of diabetes (rv41-25).
        ("Diabetic retinopathy screening: negative", {"diabetes": "current"}),
        ("Diabetic foot exam: negative", {"diabetes": "current"}),
        ("Diabetes screening: negative", {"diabetes": "negated"}),
        ("Diabetes screening negative", {"diabetes": "negated"}),
        ("Diabetes exam: negative", {"diabetes": "negated"}),
        ("Diabetes: no neuropathy", {"diabetes": "current", "peripheral_neuropathy": "negated"}),
        # "Transient" (C3): past for an episode that ends, a chronic condition stays.
        ("Hypocalcemia, transient, post-op", {"hypocalcemia": "historical"}),
        ("transient post-op hypocalcemia", {"hypocalcemia": "current"}),
        ("Hypothyroidism, transient", {"hypothyroidism": "current"}),
        (
            "Hypokalemia, transient weakness",
            {"hypokalemia": "current", "fatigue_weakness": "current"},
        ),
        ("transient ischemic attack", {"stroke": "current"}),
        # Left from round 41.
        (
            "Muscle cramps past 2 weeks, hypokalemia",
            {"muscle_cramps_complaint": "current", "hypokalemia": "current"},
        ),
        (
            "Muscle cramps past week, hypokalemia",
            {"muscle_cramps_complaint": "current", "hypokalemia": "current"},
        ),
        ("past hypokalemia", {"hypokalemia": "historical"}),
        (
            "Diabetes: neuropathy absent, hypokalemia",
            {"diabetes": "current", "peripheral_neuropathy": "negated", "hypokalemia": "current"},
        ),
        (
            "Diabetes: neuropathy absent",
            {"diabetes": "current", "peripheral_neuropathy": "negated"},
        ),
        ("absent neuropathy", {"peripheral_neuropathy": "negated"}),
        ("Hypokalemia\nresolved? no idea", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved? unknown", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved? no", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved 2019", {"hypokalemia": "resolved"}),
        (
            "Hypokalemia\nresolved with weight loss",
            {"hypokalemia": "resolved", "weight_loss": "resolved"},
        ),
    ],
)
def test_condition_reading(knowledge: Knowledge, text: str, expected: dict[str, str]) -> None:
    assert _readings(knowledge, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ESRD - now s/p renal transplant",
        "former dialysis patient",
        "s/p kidney transplant, previously on hemodialysis",
    ],
)
def test_dialysis_ended_is_recognized_not_flagged_and_says_why(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none"
    status = report.conditions[0]
    assert status.status == "recognized"
    assert "no longer on dialysis" in (status.reason or "")


def test_dialysis_ended_leaves_a_low_egfr_to_the_lab(checker: Checker) -> None:
    """The graft's function is read from the eGFR, not from the kidney failure named."""
    report = checker(
        conditions=[{"text": "ESRD - now s/p renal transplant"}],
        labs=[{"text": "eGFR", "value": 25, "unit": "mL/min/1.73m2"}],
    )
    ids = [f.id for f in report.findings]
    assert "condition/eskd_dialysis" not in ids
    assert any(f.inputs and f.inputs[0].list == "labs" for f in report.findings), ids


# --- review42: readings round 41 made wrong (rv42-13 .. rv42-17) and their neighbours ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # rv42-13: "persists" right after a concept wins over a course heading's reach.
        (
            "Hypertension\nresolved: hypokalemia, hypomagnesemia persists",
            {"hypertension": "current", "hypokalemia": "resolved", "hypomagnesemia": "current"},
        ),
        (
            "resolved: hypokalemia, hypomagnesemia persists",
            {"hypokalemia": "resolved", "hypomagnesemia": "current"},
        ),
        (
            "Hypokalemia\nresolved - hypomagnesemia persists",
            {"hypokalemia": "resolved", "hypomagnesemia": "current"},
        ),
        (
            "Hypertension\nresolved: hypokalemia, hypomagnesemia",
            {"hypertension": "current", "hypokalemia": "resolved", "hypomagnesemia": "resolved"},
        ),
        ("hypomagnesemia still present", {"hypomagnesemia": "current"}),
        # rv42-14: a relative as the subject of "has it too" leaves the relative's reading.
        ("Sister has hypothyroidism and brother has it too", {"hypothyroidism": "family_history"}),
        ("Mother has diabetes, father has it too", {"diabetes": "family_history"}),
        ("Hypokalemia\nmother has it too", {"hypokalemia": "current"}),
        ("Diabetes, mother also has it", {"diabetes": "current"}),
        # rv42-15: a switch to another dialysis keeps the dialysis current.
        ("Previously on PD, now HD", {"eskd_dialysis": "current"}),
        ("Previously on PD, now on hemodialysis", {"eskd_dialysis": "current"}),
        ("Was on PD, switched to HD", {"eskd_dialysis": "current"}),
        ("previously on hemodialysis", {"eskd_dialysis": ENDED}),
        ("former dialysis patient", {"eskd_dialysis": ENDED}),
        ("Previously on HD, switched to conservative care", {"eskd_dialysis": ENDED}),
        (
            "Previously on HD, now s/p kidney transplant",
            {"eskd_dialysis": ENDED, TX: "current"},
        ),
        # rv42-16: "recurrent" after ", transient" says it came back.
        ("Hypokalemia, transient, recurrent", {"hypokalemia": "current"}),
        ("Hypocalcemia, transient, post-op", {"hypocalcemia": "historical"}),
        ("Hypokalemia, transient", {"hypokalemia": "historical"}),
        # rv42-17: a trailing "r/o" right after the concept only.
        ("Hypokalemia, etiology r/o", {"hypokalemia": "current"}),
        ("Spinal stenosis r/o", {"spinal_stenosis": "hypothetical"}),
        ("Hypokalemia (r/o)", {"hypokalemia": "hypothetical"}),
        ("Hypokalemia - r/o cause", {"hypokalemia": "current"}),
    ],
)
def test_review42_condition_reading(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


# --- cond51: condition-list readings (items 1-6) and the neighbours that must not change ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1. A negative screening is of the concept right before it: a word between names
        # what was screened, and the diabetes it is screened for is the patient's.
        ("Diabetes, retinopathy screening: negative", {"diabetes": "current"}),
        ("Diabetes, retinopathy screening negative", {"diabetes": "current"}),
        ("Diabetic retinopathy screening: negative", {"diabetes": "current"}),
        ("Diabetes screening: negative", {"diabetes": "negated"}),
        ("Diabetes screening negative", {"diabetes": "negated"}),
        (
            "negative: diabetes, hypothyroidism",
            {"diabetes": "negated", "hypothyroidism": "negated"},
        ),
        # 2. Dialysis said to be past, with a date or as its history.
        ("dialysis history", {"eskd_dialysis": ENDED}),
        ("Dialysis stopped 2020", {"eskd_dialysis": ENDED}),
        ("Dialysis stopped in 2020", {"eskd_dialysis": ENDED}),
        ("hemodialysis discontinued 3/2019", {"eskd_dialysis": ENDED}),
        ("Hemodialysis - stopped", {"eskd_dialysis": ENDED}),
        ("Hemodialysis stopped 2020, restarted 2022", {"eskd_dialysis": "current"}),
        ("on dialysis", {"eskd_dialysis": "current"}),
        ("ESRD on HD", {"eskd_dialysis": "current"}),
        ("ESRD on HD, stopped lasix", {"eskd_dialysis": "current"}),
        ("Dialysis, family history", {"eskd_dialysis": "family_history"}),
        # 3. Kidney failure with its cause, then a kidney transplant since: as without it.
        (
            "ESRD secondary to DM, s/p kidney transplant",
            {"eskd_dialysis": ENDED, "diabetes": "current", TX: "current"},
        ),
        (
            "ESRD due to diabetes, s/p renal transplant 2015",
            {"eskd_dialysis": ENDED, "diabetes": "current", TX: "current"},
        ),
        ("ESRD, s/p kidney transplant", {"eskd_dialysis": ENDED, TX: "current"}),
        (
            "ESRD secondary to DM, s/p kidney transplant, back on HD",
            {"eskd_dialysis": "current", "diabetes": "current", TX: "current"},
        ),
        (
            "ESRD secondary to DM, awaiting kidney transplant",
            {"eskd_dialysis": "current", "diabetes": "current", TX: "current"},
        ),
        (
            "ESRD secondary to DM, s/p failed kidney transplant",
            {"eskd_dialysis": "current", "diabetes": "current", TX: "current"},
        ),
        ("ESRD secondary to DM", {"eskd_dialysis": "current", "diabetes": "current"}),
        # 4. A family history in brackets is the concept's before it, and "(+ FHx)" reads as
        # "+ FHx": the patient's diabetes, with a family history besides.
        (
            "Diabetes (+ FHx), hypothyroidism",
            {"diabetes": "current", "hypothyroidism": "current"},
        ),
        ("Diabetes (+FHx)", {"diabetes": "current"}),
        (
            "Diabetes (FHx), hypothyroidism",
            {"diabetes": "family_history", "hypothyroidism": "current"},
        ),
        ("Hypothyroidism (FHx +)", {"hypothyroidism": "family_history"}),
        ("Hypothyroidism + FHx", {"hypothyroidism": "current"}),
        ("(FHx) diabetes", {"diabetes": "family_history"}),
        (
            "(FHx: diabetes) hypothyroidism",
            {"diabetes": "family_history", "hypothyroidism": "current"},
        ),
        ("+ family history of diabetes", {"diabetes": "family_history"}),
        # 5. A question on resolution left unanswered does not resolve it.
        ("Hypokalemia\nresolved?", {"hypokalemia": "current"}),
        ("Hypokalemia, resolved?", {"hypokalemia": "current"}),
        ("Hypokalemia - in remission?", {"hypokalemia": "current"}),
        ("Hypokalemia resolved? y/n", {"hypokalemia": "current"}),
        ("Hypokalemia resolved? (Y/N)", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved? yes", {"hypokalemia": "resolved"}),
        ("Hypokalemia\nresolved? Y", {"hypokalemia": "resolved"}),
        ("Hypokalemia\nresolved? no", {"hypokalemia": "current"}),
        ("Hypokalemia\nresolved? no idea", {"hypokalemia": "current"}),
        ("Hypokalemia resolved", {"hypokalemia": "resolved"}),
        ("Hypokalemia?", {"hypokalemia": "hypothetical"}),
        # 6. "ongoing" / "persists" say the condition is there, not whose it is.
        ("mother - diabetes ongoing", {"diabetes": "family_history"}),
        (
            "Mother: diabetes, hypertension ongoing",
            {"diabetes": "family_history", "hypertension": "family_history"},
        ),
        ("mother - hypokalemia, recurrent", {"hypokalemia": "family_history"}),
        (
            "Mother has diabetes; hypokalemia persists",
            {"diabetes": "family_history", "hypokalemia": "current"},
        ),
        ("Diabetes ongoing", {"diabetes": "current"}),
        ("Hypokalemia\nmother has it too", {"hypokalemia": "current"}),
        ("h/o hypokalemia - recurrent", {"hypokalemia": "current"}),
        # 7 (left as is): items after a denial after a separator are the next problems.
        (
            "CKD 4 - no dialysis, hypocalcemia",
            {"ckd_stage_4_5": "current", "eskd_dialysis": "negated", "hypocalcemia": "current"},
        ),
    ],
)
def test_cond51_condition_reading(
    knowledge: Knowledge, text: str, expected: dict[str, str]
) -> None:
    assert _readings(knowledge, text) == expected


def test_coded_esrd_with_a_separate_kidney_transplant_entry_keeps_dialysis(
    checker: Checker,
) -> None:
    """Two coded entries say nothing of which came first nor whether the graft works (a
    failed graft back on dialysis is coded so too): the coded N18.6 stays current; only an
    entry that says the transplant came since ("ESRD - now s/p renal transplant") reads a
    functioning graft (cond51, item 3)."""
    report = checker(
        conditions=[
            {"coding": [{"system": "icd10cm", "code": "N18.6"}]},
            {"coding": [{"system": "icd10cm", "code": "Z94.0"}]},
        ]
    )
    assert "condition/eskd_dialysis" in [f.id for f in report.findings]
