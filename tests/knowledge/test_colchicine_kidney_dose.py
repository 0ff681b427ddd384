"""Colchicine above the label's dose for severe kidney impairment (gout prophylaxis: 0.3 mg
a day to start below a creatinine clearance of 30, 0.3 mg twice a week on dialysis) is a
muscle-safety problem of its own (pharmacist review 10, item 4); within that dose, or with
milder kidney disease, it is not. Below 30 the label allows increases with close
monitoring, so it is a caution (low); a flare course has its own dosing (review 15)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import combinations

RULE = "combination/colchicine_above_0_3_mg_in_severe_kidney_impairment"
ABOVE_0_6 = "combination/colchicine_above_0_6_mg_in_severe_kidney_impairment"
EGFR_22 = {"text": "eGFR", "value": 22, "unit": "mL/min/1.73m2"}


@pytest.mark.parametrize(
    ("medication", "conditions", "labs", "rule", "severity"),
    [
        # Above 0.6 mg a day: about twice the exposure of 0.6 mg bid with normal kidneys.
        ("colchicine 0.6 mg bid", ["gout", "CKD stage 4"], [EGFR_22], ABOVE_0_6, "moderate"),
        ("colchicine 5 mg daily", ["gout", "CKD stage 4"], [], ABOVE_0_6, "moderate"),
        # Above the starting dose: the label allows increases with close monitoring.
        ("colchicine 0.6 mg daily", ["gout"], [EGFR_22], RULE, "low"),
        # A dose the text does not give: the finding asks to check it.
        ("colchicine", ["CKD stage 5"], [], RULE, "low"),
    ],
)
def test_colchicine_above_its_kidney_dose_is_flagged(
    checker: Checker,
    medication: str,
    conditions: list[str],
    labs: list[dict[str, Any]],
    rule: str,
    severity: str,
) -> None:
    report = checker(
        medications=[{"text": medication}],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    finding = next(f for f in report.findings if f.id == rule)
    assert finding.severity == severity
    assert {RULE, ABOVE_0_6} & set(combinations(report)) == {rule}


@pytest.mark.parametrize(
    ("medication", "conditions"),
    [
        ("colchicine 0.3 mg daily", ["gout", "CKD stage 4"]),
        ("colchicine 0.6 mg daily", ["gout", "CKD stage 3"]),
    ],
)
def test_within_the_dose_or_with_milder_disease_it_is_not(
    checker: Checker, medication: str, conditions: list[str]
) -> None:
    report = checker(
        medications=[{"text": medication}], conditions=[{"text": c} for c in conditions]
    )
    assert RULE not in combinations(report)


def test_a_wider_colchicine_problem_in_kidney_disease_is_not_restated(checker: Checker) -> None:
    """The contraindicated inhibitor in kidney impairment says not to give the two at all."""
    wider = "colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
    report = checker(
        medications=[{"text": "colchicine 0.6 mg daily"}, {"text": "clarithromycin 500 mg bid"}],
        conditions=[{"text": "CKD stage 4"}],
    )
    assert f"combination/{wider}" in combinations(report)
    assert RULE not in combinations(report)


@pytest.mark.parametrize(
    ("conditions", "labs", "dose_rule", "dose_line"),
    [
        (["CKD stage 4"], [], ABOVE_0_6, "0.3 mg a day to start"),
        ([], [{"text": "eGFR", "value": 20, "unit": "mL/min/1.73m2"}], ABOVE_0_6, "0.3 mg a day"),
        (
            ["ESRD on hemodialysis"],
            [],
            "combination/colchicine_above_label_dose_on_dialysis",
            "0.3 mg twice a week on dialysis",
        ),
    ],
)
@pytest.mark.parametrize("statin", ["atorvastatin 40 mg daily", "pravastatin 40 mg daily"])
def test_a_statin_beside_it_leaves_the_colchicine_dose_limit_in_view(
    checker: Checker,
    statin: str,
    conditions: list[str],
    labs: list[dict[str, object]],
    dose_rule: str,
    dose_line: str,
) -> None:
    """Pharmacist review 14: the statin-with-colchicine problem in kidney disease used to
    suppress the dose limit, so the card and note lost the label dose."""
    report = checker(
        medications=[{"text": "colchicine 0.6 mg twice daily"}, {"text": statin}],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    shown = [f.id for f in report.findings if f.kind == "combination" and not f.absorbed_by]
    assert shown == ["combination/statin_with_colchicine_in_kidney_disease", dose_rule]
    assert dose_line in report.note


def test_solu_medrol_written_as_one_word_is_methylprednisolone(checker: Checker) -> None:
    report = checker(medications=[{"text": "solumedrol 125 mg IV q6h"}])
    assert report.medications[0].concept == "methylprednisolone"


@pytest.mark.parametrize("conditions", [[], ["CKD stage 3"]])
def test_with_a_strong_and_a_moderate_inhibitor_the_stricter_limit_speaks(
    checker: Checker, conditions: list[str]
) -> None:
    """Review 10, item 5: "at most 0.3 mg once a day" and "0.3 mg twice a day or 0.6 mg
    once a day" were two findings for one colchicine."""
    report = checker(
        medications=[
            {"text": "colchicine 0.6 mg bid"},
            {"text": "clarithromycin 500 mg bid"},
            {"text": "diltiazem ER 240 mg daily"},
        ],
        conditions=[{"text": c} for c in conditions],
    )
    found = combinations(report)
    assert "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor" not in found
    assert any(f.startswith("combination/colchicine_with_strong_cyp3a4") for f in found)


DIALYSIS_RULE = "combination/colchicine_above_label_dose_on_dialysis"


@pytest.mark.parametrize(
    ("medication", "fires"),
    [
        ("colchicine 0.6 mg daily", True),
        ("colchicine 0.3 mg daily", True),  # about 3.5 times the dialysis dose
        ("colchicine 0.3 mg twice a week", False),  # the label's dialysis dose
    ],
)
def test_on_dialysis_the_limit_is_0_3_mg_twice_a_week(
    checker: Checker, medication: str, fires: bool
) -> None:
    """Review 13: 0.3 mg daily on hemodialysis was silent, though the label gives 0.3 mg
    twice a week; the severe-kidney rule speaks for CKD 4-5 only then."""
    report = checker(
        medications=[{"text": medication}], conditions=[{"text": "ESRD on hemodialysis"}]
    )
    found = combinations(report)
    assert (DIALYSIS_RULE in found) is fires
    assert RULE not in found


def test_a_statin_with_colchicine_on_dialysis_is_the_kidney_disease_problem(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}, {"text": "colchicine 0.3 mg daily"}],
        conditions=[{"text": "ESRD on hemodialysis"}],
    )
    assert "combination/statin_with_colchicine_in_kidney_disease" in combinations(report)


DIALYSIS_RULE = "combination/colchicine_above_label_dose_on_dialysis"
HEMODIALYSIS = [{"text": "ESRD on hemodialysis"}]


@pytest.mark.parametrize(
    "medication",
    [
        "colchicine 0.6 mg single dose for gout flare",
        "colchicine 0.6 mg x1 dose for flare, not to repeat within 14 days",
        "colchicine 0.3 mg Mon and Thu",
        "colchicine 0.3 mg after dialysis on Tuesdays and Saturdays",
        "Colchicine 0.3 MG Oral Tablet; take 1 tablet with 500 mg of calcium twice weekly",
        "colchicine 0.3 mg twice a week",
    ],
)
def test_the_label_doses_on_dialysis_are_not_flagged(checker: Checker, medication: str) -> None:
    """Review 15: the label's dialysis doses (0.3 mg twice a week; a single 0.6 mg dose for
    a flare), however the days are written, are within its limits."""
    report = checker(medications=[{"text": medication}], conditions=HEMODIALYSIS)
    assert DIALYSIS_RULE not in combinations(report)


@pytest.mark.parametrize(
    ("medication", "said"),
    [
        ("colchicine 0.3 mg three times weekly", "0.9 mg a week is above the 0.6 mg a week limit"),
        (
            "colchicine 1.2 mg at the first sign of a flare, then 0.6 mg in 1 hour",
            "a flare course of 1.8 mg in all is above the 0.6 mg the label allows",
        ),
    ],
)
def test_above_the_dialysis_doses_is_flagged_and_said_per_week_or_course(
    checker: Checker, medication: str, said: str
) -> None:
    report = checker(medications=[{"text": medication}], conditions=HEMODIALYSIS)
    finding = next(f for f in report.findings if f.id == DIALYSIS_RULE)
    assert finding.severity == "moderate"
    assert said in finding.detail


@pytest.mark.parametrize(
    "medication",
    [
        "Colchicine 0.6 MG Oral Tablet; 1.2 mg then 0.6 mg in 1 hour",
        "colchicine 1.2 mg at first sign of flare then 0.6 mg in 1 hour",
    ],
)
def test_a_flare_course_needs_no_kidney_adjustment_below_30(
    checker: Checker, medication: str
) -> None:
    report = checker(medications=[{"text": medication}], labs=[EGFR_22])
    assert RULE not in combinations(report)


@pytest.mark.parametrize(
    ("medication", "fires"),
    [
        ("colchicine 1.2 mg x1 for gout flare", False),  # the label's flare dose with it
        ("colchicine 1.2 mg now, then 0.6 mg in 1 hour", True),  # 1.8 mg: above it
        ("colchicine 0.6 mg twice daily", True),
    ],
)
def test_a_flare_course_with_a_moderate_inhibitor_is_read_against_its_own_limit(
    checker: Checker, medication: str, fires: bool
) -> None:
    report = checker(medications=[{"text": medication}, {"text": "verapamil ER 240 mg daily"}])
    rule = "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor"
    assert (rule in combinations(report)) is fires
