"""A loop diuretic with a measured low calcium is one problem (clinical review: furosemide
with a calcium of 7.6 mg/dL was two separate low findings). Loop diuretics increase urinary
calcium loss; the furosemide label says it may lower serum calcium. The group is joined only
to a measured low calcium, never flagged for calcium on its own, and a named cause of the low
calcium (a calcium-lowering drug, an antiepileptic, a condition, a low vitamin D, or a low
magnesium that the loop diuretic lowers) names the problem instead: one problem, not two."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

RULE = "combination/loop_diuretic_with_low_calcium"
LOW_CALCIUM = result("calcium", 7.6, "mg/dL")


@pytest.mark.parametrize(
    ("drug", "joins"),
    [
        ("furosemide 40 mg daily", True),
        ("Lasix 20 mg bid", True),
        ("bumetanide 1 mg daily", True),
        # Their labels, as read, name no calcium effect.
        ("torsemide 20 mg daily", False),
        ("ethacrynic acid 25 mg daily", False),
        # A thiazide lowers urinary calcium.
        ("hydrochlorothiazide 25 mg daily", False),
        ("chlorthalidone 25 mg daily", False),
    ],
)
def test_a_loop_diuretic_joins_a_measured_low_calcium(
    checker: Checker, drug: str, joins: bool
) -> None:
    report = checker(medications=[{"text": drug}], labs=[LOW_CALCIUM])
    assert (shown_combinations(report) == [RULE]) is joins
    if joins:
        finding = next(f for f in report.findings if f.id == RULE)
        assert finding.severity == "moderate"
        assert finding.evidence_grade == "C"
        assert {(i.list, i.index) for i in finding.inputs} == {("medications", 0), ("labs", 0)}
        lab = next(f for f in report.findings if f.id == "lab/calcium/low")
        assert lab.absorbed_by == RULE


def test_an_ionized_calcium_joins_it(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}],
        labs=[result("ionized calcium", 4.2, "mg/dL")],
    )
    assert shown_combinations(report) == [RULE]


def test_a_severely_low_calcium_makes_it_high(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}], labs=[result("calcium", 6.8, "mg/dL")]
    )
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "high"


@pytest.mark.parametrize(
    ("conditions", "labs"),
    [
        ([], [result("calcium", 9.4, "mg/dL")]),  # a normal calcium
        ([{"text": "hypocalcemia"}], []),  # coded, not measured
        ([], []),
    ],
)
def test_no_measured_low_calcium_no_problem(
    checker: Checker, conditions: list[dict[str, str]], labs: list[dict[str, object]]
) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}], conditions=conditions, labs=labs
    )
    assert RULE not in [f.id for f in report.findings]
    assert report.risk == "low"


def test_the_group_adds_no_calcium_advice_to_the_drug(checker: Checker) -> None:
    alone = checker.med("furosemide 40 mg daily")
    finding = next(f for f in alone.findings if f.id == "medication/furosemide")
    assert finding.severity == "low"
    assert "calcium" not in (finding.detail + " ".join(finding.monitoring)).lower()


@pytest.mark.parametrize(
    ("meds", "conditions", "labs", "shown"),
    [
        # A calcium-lowering drug names the low calcium, with the loop diuretic (clin51: one
        # problem naming both causes, not the loop diuretic beside it as a finding of its own).
        (
            ["zoledronic acid 5 mg yearly"],
            [],
            [LOW_CALCIUM],
            ["combination/loop_diuretic_and_calcium_lowering_drug_with_low_calcium"],
        ),
        (
            ["cinacalcet 30 mg daily"],
            [],
            [LOW_CALCIUM],
            ["combination/loop_diuretic_and_calcium_lowering_drug_with_low_calcium"],
        ),
        (
            ["denosumab 60 mg every 6 months"],
            [],
            [LOW_CALCIUM],
            ["combination/loop_diuretic_and_calcium_lowering_drug_with_low_calcium"],
        ),
        (
            ["phenytoin 300 mg daily"],
            [],
            [LOW_CALCIUM],
            ["combination/loop_diuretic_and_enzyme_inducing_antiepileptic_with_low_calcium"],
        ),
        # A condition or a low vitamin D that lowers calcium names it, with the loop diuretic
        # (clin51, clin54).
        (
            [],
            ["hypoparathyroidism"],
            [LOW_CALCIUM],
            ["combination/loop_diuretic_and_condition_with_low_calcium"],
        ),
        (
            [],
            [],
            [LOW_CALCIUM, result("25-hydroxy vitamin D", 12, "ng/mL")],
            ["combination/loop_diuretic_and_low_vitamin_d_with_low_calcium"],
        ),
        # With a low magnesium the loop diuretic is the magnesium-lowering drug.
        (
            [],
            [],
            [LOW_CALCIUM, result("magnesium", 1.3, "mg/dL")],
            ["combination/magnesium_lowering_drug_with_low_magnesium_and_low_calcium"],
        ),
        (
            [],
            [],
            [LOW_CALCIUM, result("magnesium", 1.3, "mg/dL"), result("potassium", 3.1, "mmol/L")],
            ["combination/drug_with_low_potassium_magnesium_and_calcium"],
        ),
        (
            [],
            ["hypoparathyroidism"],
            [LOW_CALCIUM, result("magnesium", 1.3, "mg/dL")],
            ["combination/low_magnesium_and_calcium_with_causes_of_both"],
        ),
    ],
)
def test_one_problem_with_another_cause_of_the_low_calcium(
    checker: Checker,
    meds: list[str],
    conditions: list[str],
    labs: list[dict[str, object]],
    shown: list[str],
) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, *({"text": m} for m in meds)],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    assert shown_combinations(report) == shown
    assert RULE not in [f.id for f in report.findings]
    lab = next(f for f in report.findings if f.id == "lab/calcium/low")
    assert lab.absorbed_by == shown[0]
