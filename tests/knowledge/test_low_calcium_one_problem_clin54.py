"""clin54 #3: a loop diuretic beside a low vitamin D or an enzyme-inducing antiepileptic
with a low calcium is named in the calcium's problem (as with a condition or a
calcium-lowering drug, clin51), not left as a finding of its own. No severity is raised:
moderate, high only with a calcium that is high on its own; no input is left out."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

LOOP_VITAMIN_D = "combination/loop_diuretic_and_low_vitamin_d_with_low_calcium"
LOOP_ANTIEPILEPTIC = "combination/loop_diuretic_and_enzyme_inducing_antiepileptic_with_low_calcium"
LOOP_CONDITION_VITAMIN_D = "combination/loop_diuretic_condition_and_low_vitamin_d_with_low_calcium"
VITAMIN_D = "combination/low_vitamin_d_with_low_calcium"
ANTIEPILEPTIC = "combination/enzyme_inducing_antiepileptic_with_low_calcium"
CONDITION_VITAMIN_D = "combination/condition_and_low_vitamin_d_with_low_calcium"

LOW_VITAMIN_D = result("25-hydroxy vitamin D", 12, "ng/mL")


def _calcium(value: float) -> dict[str, object]:
    return result("calcium", value, "mg/dL")


@pytest.mark.parametrize(
    ("meds", "conditions", "labs", "shown", "absorbed", "risk"),
    [
        (
            ["furosemide 40 mg daily"],
            [],
            [_calcium(7.9), LOW_VITAMIN_D],
            [LOOP_VITAMIN_D],
            VITAMIN_D,
            "moderate",
        ),
        (
            ["bumetanide 1 mg daily"],
            [],
            [_calcium(7.6), LOW_VITAMIN_D],
            [LOOP_VITAMIN_D],
            VITAMIN_D,
            "moderate",
        ),
        # A calcium below 7.5 mg/dL is high on its own: the joint problem is high, no higher.
        (
            ["furosemide 40 mg daily"],
            [],
            [_calcium(7.2), LOW_VITAMIN_D],
            [LOOP_VITAMIN_D],
            VITAMIN_D,
            "high",
        ),
        (
            ["furosemide 40 mg daily", "phenytoin 300 mg daily"],
            [],
            [_calcium(7.9)],
            [LOOP_ANTIEPILEPTIC],
            ANTIEPILEPTIC,
            "moderate",
        ),
        (
            ["bumetanide 1 mg daily", "carbamazepine 200 mg twice daily"],
            [],
            [_calcium(7.2)],
            [LOOP_ANTIEPILEPTIC],
            ANTIEPILEPTIC,
            "high",
        ),
        (
            ["furosemide 40 mg daily", "phenobarbital 60 mg daily"],
            [],
            [result("ionized calcium", 1.0, "mmol/L")],
            [LOOP_ANTIEPILEPTIC],
            ANTIEPILEPTIC,
            "moderate",
        ),
        (
            ["furosemide 40 mg daily"],
            ["hypoparathyroidism"],
            [_calcium(7.9), LOW_VITAMIN_D],
            [LOOP_CONDITION_VITAMIN_D],
            CONDITION_VITAMIN_D,
            "moderate",
        ),
    ],
)
def test_loop_diuretic_is_named_with_the_calcium_cause(
    checker: Checker,
    meds: list[str],
    conditions: list[str],
    labs: list[dict[str, object]],
    shown: list[str],
    absorbed: str,
    risk: str,
) -> None:
    report = checker(
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    assert shown_combinations(report) == shown
    assert report.risk == risk
    by_id = {f.id: f for f in report.findings}
    # The cause's own rule and the loop diuretic's finding are absorbed, not dropped.
    assert by_id[absorbed].absorbed_by == shown[0]
    assert by_id[absorbed].severity == by_id[shown[0]].severity
    loop = next(f for f in report.findings if f.kind == "medication" and f.inputs[0].index == 0)
    assert loop.absorbed_by == shown[0]
    # One problem, every input in it.
    problems = [f for f in report.findings if not f.absorbed_by]
    assert len(problems) == 1
    named = {(i.list, i.index) for i in problems[0].inputs}
    sent = {("medications", i) for i in range(len(meds))} | {("labs", i) for i in range(len(labs))}
    sent |= {("conditions", i) for i in range(len(conditions))}
    assert named == sent


@pytest.mark.parametrize(
    ("meds", "labs", "shown"),
    [
        # Torsemide's label names no calcium effect: the cause's rule alone.
        (["torsemide 20 mg daily"], [_calcium(7.9), LOW_VITAMIN_D], [VITAMIN_D]),
        (["torsemide 20 mg daily", "phenytoin 300 mg daily"], [_calcium(7.9)], [ANTIEPILEPTIC]),
        # A vitamin D that is not low leaves the loop diuretic's own calcium rule; a calcium
        # that is not low joins nothing.
        (
            ["furosemide 40 mg daily"],
            [_calcium(7.9), result("25-hydroxy vitamin D", 35, "ng/mL")],
            ["combination/loop_diuretic_with_low_calcium"],
        ),
        (["furosemide 40 mg daily"], [_calcium(9.2), LOW_VITAMIN_D], []),
        (["furosemide 40 mg daily", "phenytoin 300 mg daily"], [_calcium(9.2)], []),
        # With a low magnesium the magnesium-and-calcium rule names the loop diuretic.
        (
            ["furosemide 40 mg daily"],
            [_calcium(7.9), LOW_VITAMIN_D, result("magnesium", 1.4, "mg/dL")],
            ["combination/low_magnesium_and_calcium_with_causes_of_both"],
        ),
        # With a calcium-lowering drug too, the four-cause rule names everything.
        (
            ["furosemide 40 mg daily", "phenytoin 300 mg daily"],
            [_calcium(7.9), LOW_VITAMIN_D],
            ["combination/loop_diuretic_calcium_lowering_drug_and_condition_with_low_calcium"],
        ),
    ],
)
def test_near_misses_keep_their_rules(
    checker: Checker, meds: list[str], labs: list[dict[str, object]], shown: list[str]
) -> None:
    report = checker(medications=[{"text": m} for m in meds], labs=labs)
    assert shown_combinations(report) == shown
    ids = {f.id for f in report.findings}
    assert not ids & {LOOP_VITAMIN_D, LOOP_ANTIEPILEPTIC, LOOP_CONDITION_VITAMIN_D}
