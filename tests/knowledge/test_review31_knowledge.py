"""review31 knowledge defects: colchicine with a strong inhibitor when kidney function is
not known (D1), colchicine 0.6 mg a day with a moderate inhibitor (D2), two long-acting
beta-2 agonists (D5), drugs named outside the US (D6/D7), the atorvastatin interaction
text (D9) and the reason a normal result gives for a treated condition (D10)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

BOTH = ["colchicine 0.6 mg daily", "clarithromycin 500 mg bid"]
UNKNOWN = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_kidney_function_unknown"
MODERATE = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
IN_IMPAIRMENT = (
    "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
)
AT_0_6 = "combination/colchicine_0_6_mg_with_moderate_cyp3a4_inhibitor"
ABOVE_0_6 = "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor"
LABA = "combination/duplicate_long_acting_beta2_agonists"


def _egfr(value: float) -> dict[str, object]:
    return result("eGFR", value, "mL/min/1.73m2")


def _severity(report: Any, rule: str) -> str:
    return str(next(f.severity for f in report.findings if f.id == rule))


@pytest.mark.parametrize(
    ("colchicine", "inhibitor"),
    [
        ("colchicine 0.6 mg BID", "clarithromycin 500mg bid"),
        ("Colcrys 0.6mg daily", "ketoconazole 200mg"),
        ("colchicine 0.6 mg daily", "Paxlovid"),
    ],
)
def test_kidney_function_not_sent_is_high(
    checker: Checker, colchicine: str, inhibitor: str
) -> None:
    report = checker(medications=[{"text": colchicine}, {"text": inhibitor}])
    assert shown_combinations(report) == [UNKNOWN]
    assert _severity(report, UNKNOWN) == "high"
    assert report.risk == "high"


@pytest.mark.parametrize(
    ("medications", "labs", "rule", "risk"),
    [
        # A normal eGFR sent: the moderate interaction, as before.
        (BOTH, [_egfr(85)], MODERATE, "moderate"),
        # Within the label's 0.3 mg a day with a strong inhibitor: not high.
        (["colchicine 0.3 mg daily", "clarithromycin 500 mg bid"], [], MODERATE, "moderate"),
        # No colchicine dose: the pair finding, moderate (an unread dose is never high).
        (["colchicine", "clarithromycin"], [], MODERATE, "moderate"),
        # An eGFR below 60: the label contraindication rule.
        (BOTH, [_egfr(45)], IN_IMPAIRMENT, "high"),
    ],
)
def test_known_kidney_function_or_label_dose(
    checker: Checker, medications: list[str], labs: list[dict[str, object]], rule: str, risk: str
) -> None:
    report = checker(medications=[{"text": m} for m in medications], labs=labs)
    assert shown_combinations(report) == [rule]
    assert report.risk == risk


@pytest.mark.parametrize(
    ("colchicine", "inhibitor"),
    [
        ("Mitigare 0.6 mg daily", "verapamil ER 240 mg"),
        ("colchicine 0.6 mg daily", "verapamil 240 mg daily"),
        ("colchicine 0.3 mg bid", "diltiazem ER 180 mg daily"),
    ],
)
def test_colchicine_0_6_mg_a_day_with_a_moderate_inhibitor_is_a_dose_check(
    checker: Checker, colchicine: str, inhibitor: str
) -> None:
    report = checker(medications=[{"text": colchicine}, {"text": inhibitor}])
    assert shown_combinations(report) == [AT_0_6]
    assert _severity(report, AT_0_6) == "low"
    assert report.risk == "low"


@pytest.mark.parametrize(
    ("colchicine", "rules", "risk"),
    [
        ("colchicine 0.6 mg bid", [ABOVE_0_6], "moderate"),
        ("colchicine", [ABOVE_0_6], "low"),
        ("colchicine 0.3 mg daily", [], "none"),
    ],
)
def test_other_colchicine_doses_with_verapamil_are_unchanged(
    checker: Checker, colchicine: str, rules: list[str], risk: str
) -> None:
    report = checker(medications=[{"text": colchicine}, {"text": "verapamil 240 mg daily"}])
    assert shown_combinations(report) == rules
    assert report.risk == risk


def test_moderate_inhibitor_detail_gives_the_once_daily_row(checker: Checker) -> None:
    report = checker(medications=[{"text": "colchicine 0.6 mg bid"}, {"text": "verapamil"}])
    detail = next(f.detail for f in report.findings if f.id == ABOVE_0_6)
    assert "0.6 mg once a day to 0.3 mg once a day" in detail
    assert "Diltiazem" not in detail  # the inhibitor taken is named in the title


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Advair Diskus 250/50 1 inh bid", "Symbicort 160/4.5 2 puffs bid"),
        ("Breo Ellipta 1 inh daily", "Serevent Diskus 50 mcg bid"),
        ("Stiolto Respimat 2 puffs daily", "formoterol nebulizer 20 mcg bid"),
    ],
)
def test_two_long_acting_beta2_agonists_are_duplicate_therapy(
    checker: Checker, first: str, second: str
) -> None:
    report = checker(medications=[{"text": first}, {"text": second}])
    assert LABA in shown_combinations(report)
    assert _severity(report, LABA) == "moderate"


def test_one_laba_inhaler_and_a_reliever_are_not_duplicates(checker: Checker) -> None:
    report = checker(medications=[{"text": "Advair 250/50 bid"}, {"text": "albuterol prn"}])
    assert LABA not in shown_combinations(report)


def test_gliclazide_is_its_own_drug(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "gliclazide MR 60 mg"}],
        labs=[result("glucose", 2.5, "mmol/L")],
    )
    med = report.medications[0]
    assert med.concepts == ["gliclazide"]
    assert med.match == "name"
    assert shown_combinations(report) == ["combination/glucose_lowering_drug_with_low_glucose"]


@pytest.mark.parametrize(
    ("text", "concepts", "status"),
    [
        ("xipamide 20 mg mane", ["xipamide"], "flagged"),
        ("Diurexan 20 mg", ["xipamide"], "flagged"),
        ("cyclopenthiazide 0.5 mg", ["cyclopenthiazide"], "flagged"),
        ("lercanidipine 10 mg", ["lercanidipine"], "recognized"),
        ("Zanidip 20 mg", ["lercanidipine"], "recognized"),
        ("Inegy 10/40 mg", ["ezetimibe", "simvastatin"], "flagged"),
    ],
)
def test_drugs_named_outside_the_us(
    checker: Checker, text: str, concepts: list[str], status: str
) -> None:
    report = checker(medications=[{"text": text}])
    med = report.medications[0]
    assert sorted(med.concepts) == concepts
    assert med.status == status


def test_atorvastatin_interaction_text_names_no_drug_not_taken(checker: Checker) -> None:
    report = checker(medications=[{"text": "atorvastatin 80 mg"}, {"text": "Biaxin 500 mg BID"}])
    rule = "combination/atorvastatin_above_20_mg_with_interacting_drug"
    finding = next(f for f in report.findings if f.id == rule)
    text = " ".join([finding.title, finding.detail, *finding.monitoring])
    for absent in ("itraconazole", "HIV", "cobicistat", "atazanavir", "protease"):
        assert absent not in text
    assert "clarithromycin" in finding.title


@pytest.mark.parametrize(
    ("condition", "lab", "reason"),
    [
        (
            "hypothyroidism on levothyroxine",
            result("TSH", 2.1, "mIU/L"),
            "the current TSH result (2.1 mIU/L) is not raised: treated or resolved",
        ),
        (
            "hypomagnesemia",
            result("magnesium", 2.0, "mg/dL"),
            "the current magnesium result (2.0 mg/dL) is within range: controlled or resolved",
        ),
        (
            "hypokalemia",
            result("potassium", 5.9, "mmol/L"),
            "the current potassium result (5.9 mmol/L) does not show it",
        ),
    ],
)
def test_a_normal_result_says_the_condition_is_treated_not_doubted(
    checker: Checker, condition: str, lab: dict[str, object], reason: str
) -> None:
    report = checker(conditions=[{"text": condition}], labs=[lab])
    assert report.conditions[0].reason == reason
