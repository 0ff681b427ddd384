"""Pharmacist review 24, items 2-5 and 9: the colchicine contraindication in kidney or liver
impairment is high; a statin's raised CK is banded as the EAS 2015 panel reads it; one
colchicine problem in severe kidney impairment; loop plus thiazide is a watch point with
potassium, magnesium and sodium measured normal; no check asks for a CK that was sent."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

CONTRA = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
STATIN_CK = "combination/statin_with_raised_ck"
STATIN_CK_MILD = "combination/statin_with_mildly_raised_ck"
STATIN_CK_SYMPTOMS = "combination/statin_with_raised_ck_and_muscle_symptoms"
COLCH_MODERATE_KIDNEY = (
    "combination/colchicine_with_moderate_cyp3a4_inhibitor_in_severe_kidney_impairment"
)
LOOP_THIAZIDE = "combination/loop_plus_thiazide"


def _egfr(value: float) -> dict[str, object]:
    return result("eGFR", value, "mL/min/1.73m2")


# --- Item 2: COLCRYS Contraindications: "Patients with renal or hepatic impairment should
# not be given COLCRYS in conjunction with P-gp or strong CYP3A4 inhibitors".


@pytest.mark.parametrize(
    ("inhibitor", "impairment"),
    [
        ("clarithromycin 500 mg bid", {"labs": [_egfr(40)]}),
        ("clarithromycin 500 mg bid", {"conditions": [{"text": "cirrhosis"}]}),
        ("clarithromycin 500 mg bid", {"conditions": [{"text": "CKD stage 3b"}]}),
        ("Paxlovid 300 mg/100 mg bid", {"labs": [_egfr(48)]}),
        ("cyclosporine 100 mg bid", {"labs": [_egfr(45)]}),
        ("cyclosporine 100 mg bid", {"labs": [_egfr(25)]}),
    ],
)
def test_colchicine_with_a_strong_inhibitor_in_impairment_is_a_high_contraindication(
    checker: Checker, inhibitor: str, impairment: dict[str, list[dict[str, object]]]
) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg daily"}, {"text": inhibitor}], **impairment
    )
    found = next(f for f in report.findings if f.id == CONTRA)
    assert (found.severity, found.basis) == ("high", "contraindicated")
    assert found.title.startswith(
        "Colchicine with a strong CYP3A4 or P-glycoprotein inhibitor in kidney or liver"
        " impairment: contraindicated"
    )
    assert "contraindicates" in found.detail
    assert "Severe when eGFR" not in found.detail  # no threshold: the label sets none
    assert report.risk == "high"


def test_colchicine_with_a_strong_inhibitor_and_normal_kidneys_stays_moderate(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg daily"}, {"text": "clarithromycin 500 mg bid"}],
        labs=[_egfr(75)],
    )
    assert shown_combinations(report) == [
        "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
    ]
    assert report.risk == "moderate"


# --- Item 3: EAS 2015 Table 1 ("None | CK >ULN <4x ULN | Raised CK found incidentally,
# may be related to statin therapy. Consider checking thyroid function").


@pytest.mark.parametrize(
    ("ck", "sex", "shown", "severity"),
    [
        (380, "male", STATIN_CK_MILD, "low"),  # 1.2 times 308
        (1000, "male", STATIN_CK_MILD, "low"),  # 3.2 times
        (400, "female", STATIN_CK_MILD, "low"),  # 2.1 times 192
        (1300, "male", STATIN_CK, "moderate"),  # over 4 times 308 (1,232)
        (800, "female", STATIN_CK, "moderate"),  # over 4 times 192 (768)
        (2800, "male", STATIN_CK, "moderate"),  # 9 times
        (3500, "male", STATIN_CK, "high"),  # over 10 times: the labels' myopathy
    ],
)
def test_a_statin_with_a_raised_ck_is_banded_at_4_and_10_times_the_limit(
    checker: Checker, ck: float, sex: str, shown: str, severity: str
) -> None:
    report = checker(
        patient={"sex": sex},
        medications=[{"text": "atorvastatin 40 mg"}],
        labs=[result("CK", ck, "U/L")],
    )
    assert shown_combinations(report) == [shown]
    assert next(f for f in report.findings if f.id == shown).severity == severity
    assert report.risk == severity


def test_the_lab_line_itself_is_unchanged_by_the_4_times_band(checker: Checker) -> None:
    report = checker(patient={"sex": "male"}, medications=[], labs=[result("CK", 1300, "U/L")])
    assert [(f.id, f.severity, f.title) for f in report.findings] == [
        ("lab/ck/high", "low", "Raised CK: 1300 U/L")
    ]


def test_the_mild_ck_watch_point_says_the_statin_can_continue(checker: Checker) -> None:
    report = checker(
        patient={"sex": "male"},
        medications=[{"text": "atorvastatin 40 mg"}],
        labs=[result("CK", 380, "U/L"), result("TSH", 2.1, "mIU/L")],
    )
    found = next(f for f in report.findings if f.id == STATIN_CK_MILD)
    assert found.management[0].startswith("The statin can usually continue")
    assert not any("TSH" in line for line in found.monitoring)  # a TSH was sent


@pytest.mark.parametrize("symptom", ["muscle pain", "myalgia", "leg cramps", "muscle weakness"])
def test_muscle_symptoms_keep_a_mildly_raised_ck_on_a_statin_moderate(
    checker: Checker, symptom: str
) -> None:
    report = checker(
        patient={"sex": "male"},
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": symptom}],
        labs=[result("CK", 380, "U/L")],
    )
    assert shown_combinations(report) == [STATIN_CK_SYMPTOMS]
    assert report.risk == "moderate"


def test_muscle_symptoms_with_a_ck_over_10_times_is_high_with_the_stop_advice(
    checker: Checker,
) -> None:
    report = checker(
        patient={"sex": "male"},
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": "myalgia"}],
        labs=[result("CK", 3500, "U/L")],
    )
    assert shown_combinations(report) == [STATIN_CK_SYMPTOMS]
    found = next(f for f in report.findings if f.id == STATIN_CK_SYMPTOMS)
    assert found.severity == "high"
    assert found.management[0].startswith("Stop the statin now")


# --- Items 4 and 9: one colchicine problem.


@pytest.mark.parametrize(
    ("dose", "kidney"),
    [
        ("colchicine 0.6 mg bid", {"labs": [_egfr(25)]}),
        ("colchicine 0.6 mg daily", {"labs": [_egfr(25)]}),
        ("colchicine 0.6 mg daily", {"conditions": [{"text": "CKD stage 4"}]}),
    ],
)
def test_colchicine_with_verapamil_in_severe_kidney_impairment_is_one_problem(
    checker: Checker, dose: str, kidney: dict[str, list[dict[str, object]]]
) -> None:
    report = checker(medications=[{"text": dose}, {"text": "verapamil 240 mg daily"}], **kidney)
    assert shown_combinations(report) == [COLCH_MODERATE_KIDNEY]
    found = next(f for f in report.findings if f.id == COLCH_MODERATE_KIDNEY)
    assert found.severity == "moderate"
    assert "verapamil" in found.title
    assert "0.3 mg a day" in found.management[0]


def test_colchicine_0_3_mg_with_verapamil_in_severe_kidney_impairment_is_not_flagged(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.3 mg daily"}, {"text": "verapamil 240 mg daily"}],
        labs=[_egfr(25)],
    )
    assert shown_combinations(report) == []


def test_a_statin_with_colchicine_in_ckd_4_is_one_colchicine_problem_with_its_dose(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}, {"text": "colchicine 0.6 mg daily"}],
        conditions=[{"text": "CKD stage 4"}],
        labs=[_egfr(22)],
    )
    assert shown_combinations(report) == ["combination/statin_with_colchicine_in_kidney_disease"]
    found = next(
        f for f in report.findings if f.id == "combination/statin_with_colchicine_in_kidney_disease"
    )
    assert "0.3 mg a day to start" in found.monitoring[0]
    assert "0.3 mg a day to start" in report.note


def test_no_check_asks_for_a_ck_that_was_sent(checker: Checker) -> None:
    report = checker(
        patient={"sex": "male"},
        medications=[
            {"text": "cyclosporine 100 mg bid"},
            {"text": "atorvastatin 10 mg"},
            {"text": "colchicine 0.6 mg daily"},
        ],
        labs=[_egfr(45), result("CK", 350, "U/L")],
    )
    assert "CK if any" not in report.note
    for finding in report.findings:
        assert not any("CK if any" in line for line in finding.monitoring), finding.id


# --- Item 5: loop plus thiazide with potassium, magnesium and sodium measured normal.


def _loop_thiazide(labs: list[dict[str, object]]) -> dict[str, object]:
    return {
        "medications": [
            {"text": "furosemide 40 mg daily"},
            {"text": "metolazone 2.5 mg twice weekly"},
        ],
        "labs": labs,
    }


NORMAL = [
    result("potassium", 4.2, "mmol/L"),
    result("magnesium", 2.1, "mg/dL"),
    result("sodium", 139, "mmol/L"),
]


def test_loop_plus_thiazide_with_normal_results_is_a_watch_point(checker: Checker) -> None:
    report = checker(**_loop_thiazide(NORMAL))
    found = next(f for f in report.findings if f.id == LOOP_THIAZIDE)
    assert found.severity == "low"
    assert (
        "potassium (4.2 mmol/L), magnesium (2.1 mg/dL) and sodium (139 mmol/L) are all in range"
        in found.detail
    )
    assert "watch point" in found.detail
    # The repeat in 3-7 days stays (pharmacist review 25 #2): normal results today do not
    # rule out the losses once the combination acts.
    assert found.monitoring[0] == "Potassium, magnesium, sodium, creatinine in 3-7 days"
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "Potassium, magnesium, sodium, creatinine in 3-7 days" in check


@pytest.mark.parametrize(
    "labs",
    [
        [result("potassium", 4.2, "mmol/L")],  # magnesium and sodium not measured
        [*NORMAL[:2], result("sodium", 131, "mmol/L")],  # a low sodium
        [result("potassium", 5.6, "mmol/L"), *NORMAL[1:]],  # a high potassium
        [],
    ],
)
def test_loop_plus_thiazide_stays_moderate_unless_all_three_are_normal(
    checker: Checker, labs: list[dict[str, object]]
) -> None:
    report = checker(**_loop_thiazide(labs))
    found = next(f for f in report.findings if f.id == LOOP_THIAZIDE)
    assert found.severity == "moderate"
