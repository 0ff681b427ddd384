"""Pharmacist review 25: what fills the statin muscle-symptom rule, when colchicine with a
strong inhibitor is contraindicated by kidney impairment, the loop-plus-thiazide repeat
after a normal baseline, and the statin CK bands against the lab's own upper limit.

- #3: only muscle complaints (pain, weakness, cramps, a myopathy) are statin muscle
  symptoms (EAS 2015 Table 1); fatigue, malaise, general weakness and cramps during
  dialysis leave a CK under 4 times the upper limit as the watch point.
- #4: a sent eGFR of 60 or more outranks a coded kidney diagnosis for the colchicine
  contraindication; CKD stage 1 and a past AKI never fill it; liver impairment still does.
- #2: loop plus thiazide with K, Mg and Na normal still asks for them in 3-7 days
  (metolazone label: severe losses after the first doses).
- #1: the CK 4 and 10 times bands follow a sent reference range; with no sex sent the 4
  times band uses the women's upper limit.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

MUSCLE = "combination/statin_with_raised_ck_and_muscle_symptoms"
MILD = "combination/statin_with_mildly_raised_ck"
RAISED = "combination/statin_with_raised_ck"
MAN = {"age": 60, "sex": "male"}
STATIN = [{"text": "atorvastatin 40 mg daily"}]


def _ck(value: float, **extra: object) -> dict[str, object]:
    return {**result("CK", value, "U/L"), **extra}


# ---------------------------------------------------------------- #3 muscle symptoms


@pytest.mark.parametrize(
    "condition",
    [
        "fatigue",
        "malaise",
        "chronic fatigue syndrome",
        "generalized weakness",
        "tiredness",
        "muscle cramps during dialysis",
        "intradialytic cramps",
    ],
)
def test_fatigue_malaise_and_dialysis_cramps_are_not_statin_muscle_symptoms(
    checker: Checker, condition: str
) -> None:
    report = checker(
        patient=MAN, medications=STATIN, conditions=[{"text": condition}], labs=[_ck(400)]
    )
    assert shown_combinations(report) == [MILD]
    assert report.risk == "low"
    assert report.conditions[0].status == "recognized"


@pytest.mark.parametrize(
    ("condition", "concept"),
    [
        ("muscle weakness", "muscle weakness (symptom)"),
        ("myalgia", "myalgia"),
        ("muscle pain", "myalgia"),
        ("leg cramps", "existing complaint of muscle cramps"),
        ("muscle cramps", "existing complaint of muscle cramps"),
        ("statin myopathy", None),
    ],
)
def test_muscle_complaints_fill_the_muscle_symptom_rule(
    checker: Checker, condition: str, concept: str | None
) -> None:
    report = checker(
        patient=MAN, medications=STATIN, conditions=[{"text": condition}], labs=[_ck(400)]
    )
    assert shown_combinations(report) == [MUSCLE]
    finding = next(f for f in report.findings if f.id == MUSCLE)
    assert finding.severity == "moderate"
    assert "fatigue" not in finding.detail.lower()
    if concept is not None:
        assert report.conditions[0].concept == concept


def test_the_muscle_symptom_detail_claims_only_a_muscle_complaint(checker: Checker) -> None:
    report = checker(
        patient=MAN, medications=STATIN, conditions=[{"text": "myalgia"}], labs=[_ck(400)]
    )
    finding = next(f for f in report.findings if f.id == MUSCLE)
    assert not finding.detail.startswith("Muscle pain, weakness or cramps are recorded")
    assert finding.detail.startswith("A muscle complaint (pain, weakness or cramps)")


@pytest.mark.parametrize(
    "text", ["fatigue", "malaise", "generalized weakness", "muscle weakness", "weakness"]
)
def test_every_fatigue_and_weakness_term_stays_recognized(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.conditions[0].status == "recognized"


# ---------------------------------------------------------------- #4 colchicine

IN_IMPAIRMENT = (
    "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
)
IN_LIVER = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_liver_impairment"
WITHOUT = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
BOTH = [{"text": "colchicine 0.6 mg daily"}, {"text": "clarithromycin 500 mg bid"}]


def _egfr(value: float) -> dict[str, object]:
    return result("eGFR", value, "mL/min/1.73m2")


@pytest.mark.parametrize(
    ("conditions", "labs"),
    [
        # Without a sent eGFR a past AKI or CKD stage 1 is not impairment, but kidney
        # function is not known either: the high rule for that (review31 D1) is tested below.
        (["history of AKI"], [_egfr(75)]),
        (["AKI"], [_egfr(95), result("creatinine", 0.8, "mg/dL")]),
        (["acute kidney injury"], [_egfr(60)]),
        (["CKD G1A2 diabetic nephropathy"], [_egfr(92)]),
        (["CKD stage 1"], [_egfr(95)]),
        (["chronic kidney disease"], [_egfr(85)]),
        (["CKD stage 2"], [_egfr(75)]),
    ],
)
def test_no_current_impaired_clearance_leaves_the_moderate_interaction(
    checker: Checker, conditions: list[str], labs: list[dict[str, object]]
) -> None:
    report = checker(medications=BOTH, conditions=[{"text": c} for c in conditions], labs=labs)
    assert shown_combinations(report) == [WITHOUT]
    assert report.risk == "moderate"
    assert all(c.status in ("recognized", "flagged") for c in report.conditions)


@pytest.mark.parametrize(
    ("conditions", "labs", "rule"),
    [
        (["AKI"], [], IN_IMPAIRMENT),
        (["CKD stage 2"], [], IN_IMPAIRMENT),
        (["chronic kidney disease"], [], IN_IMPAIRMENT),
        (["ESRD on hemodialysis"], [], IN_IMPAIRMENT),
        (["chronic kidney disease"], [_egfr(45)], IN_IMPAIRMENT),
        (["CKD stage 1"], [_egfr(50)], IN_IMPAIRMENT),
        ([], [_egfr(59)], IN_IMPAIRMENT),
        (["cirrhosis"], [], IN_IMPAIRMENT),
        (["cirrhosis"], [_egfr(90)], IN_LIVER),
        (["cirrhosis", "AKI"], [_egfr(95)], IN_LIVER),
        (["cirrhosis", "CKD stage 3"], [_egfr(40)], IN_IMPAIRMENT),
    ],
)
def test_kidney_or_liver_impairment_is_still_contraindicated(
    checker: Checker, conditions: list[str], labs: list[dict[str, object]], rule: str
) -> None:
    report = checker(medications=BOTH, conditions=[{"text": c} for c in conditions], labs=labs)
    assert shown_combinations(report) == [rule]
    finding = next(f for f in report.findings if f.id == rule)
    assert finding.severity == "high"
    assert finding.basis == "contraindicated"


# ---------------------------------------------------------------- #2 loop plus thiazide

LOOP_THIAZIDE = "combination/loop_plus_thiazide"


def test_loop_plus_thiazide_with_normal_electrolytes_still_asks_for_the_repeat(
    checker: Checker,
) -> None:
    report = checker(
        medications=[
            {"text": "furosemide 80 mg bid"},
            {"text": "metolazone 5 mg daily (started today)"},
        ],
        conditions=[{"text": "heart failure"}],
        labs=[
            result("potassium", 4.1, "mmol/L"),
            result("magnesium", 2.0, "mg/dL"),
            result("sodium", 138, "mmol/L"),
        ],
    )
    finding = next(f for f in report.findings if f.id == LOOP_THIAZIDE)
    assert finding.severity == "low"
    assert finding.monitoring[0] == "Potassium, magnesium, sodium, creatinine in 3-7 days"
    assert "Normal results today do not rule out losses once the combination acts" in finding.detail
    assert "Potassium, magnesium, sodium, creatinine in 3-7 days" in report.note


# ---------------------------------------------------------------- #1 CK bands


def test_the_four_times_band_follows_the_labs_own_upper_limit(checker: Checker) -> None:
    own = {"low": 30, "high": 170}
    report = checker(
        patient=MAN,
        medications=[{"text": "simvastatin 40 mg daily"}],
        labs=[_ck(700, reference_range=own)],
    )
    assert shown_combinations(report) == [RAISED]
    assert report.risk == "moderate"
    # Under 4 times the lab's own limit (680) it is the watch point.
    report = checker(
        patient=MAN,
        medications=[{"text": "simvastatin 40 mg daily"}],
        labs=[_ck(650, reference_range=own)],
    )
    assert shown_combinations(report) == [MILD]


def test_the_ten_times_band_follows_the_labs_own_upper_limit(checker: Checker) -> None:
    report = checker(
        patient=MAN,
        medications=[{"text": "simvastatin 40 mg daily"}],
        labs=[_ck(1800, reference_range={"low": 30, "high": 170})],
    )
    finding = next(f for f in report.findings if f.id == RAISED)
    assert finding.severity == "high"


@pytest.mark.parametrize(("value", "rule"), [(1000, RAISED), (800, RAISED), (700, MILD)])
def test_with_no_sex_sent_the_four_times_band_is_the_womens(
    checker: Checker, value: float, rule: str
) -> None:
    report = checker(
        patient={"age": 60}, medications=[{"text": "simvastatin 40 mg daily"}], labs=[_ck(value)]
    )
    assert shown_combinations(report) == [rule]


def test_a_man_keeps_the_mens_four_times_band(checker: Checker) -> None:
    report = checker(
        patient=MAN, medications=[{"text": "simvastatin 40 mg daily"}], labs=[_ck(1000)]
    )
    assert shown_combinations(report) == [MILD]
