"""review52 R1: a condition that lowers calcium stays named beside a calcium-lowering drug.

clin51 made the magnesium-and-calcium "causes of both" rule give way to a calcium-lowering
drug's rule, which has no condition slot: vitamin D deficiency or a gastric bypass was in no
finding, and hypoparathyroidism fell to "also may contribute". Now one problem names every
cause (the loop diuretic, the calcium-lowering drug, the condition and the magnesium cause),
each result once and asked for once, and no severity rises (moderate, high only with a
result that is high on its own, as at f9b4b49)."""

from __future__ import annotations

import re

import pytest

from service.engine.models import Finding, Report
from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

MG_CA_DRUG = "combination/low_magnesium_and_calcium_with_causes_of_both_and_a_calcium_lowering_drug"
DRUG_CONDITION = "combination/calcium_lowering_drug_and_condition_with_low_calcium"
LOOP_DRUG_CONDITION = (
    "combination/loop_diuretic_calcium_lowering_drug_and_condition_with_low_calcium"
)
K_MG_DRUG = "combination/drug_with_low_potassium_and_low_magnesium"

CA_MG = [result("calcium", 7.6, "mg/dL"), result("magnesium", 1.2, "mg/dL")]
PATIENT = {"age": 60, "sex": "female"}


def _check(
    checker: Checker, meds: list[str], conds: list[str], labs: list[dict[str, object]]
) -> Report:
    return checker(
        patient=PATIENT,
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conds],
        labs=labs,
    )


def _live(report: Report) -> list[Finding]:
    return [f for f in report.findings if not f.absorbed_by]


def _covered(report: Report) -> set[tuple[str, int]]:
    return {(ref.list, ref.index) for f in _live(report) for ref in f.inputs}


def _check_items(report: Report) -> list[str]:
    line = re.search(r"Check: (.*)", report.note)
    return [item.lower() for item in line.group(1).rstrip(".").split("; ")] if line else []


@pytest.mark.parametrize(
    ("case", "meds", "conds", "shown"),
    [
        ("R1a", ["furosemide 40 mg", "zoledronic acid"], ["vitamin D deficiency"], [MG_CA_DRUG]),
        ("R1b", ["bumetanide 1 mg", "denosumab"], ["s/p gastric bypass"], [MG_CA_DRUG]),
        ("R1c", ["torsemide 20 mg", "phenytoin"], ["vitamin D deficiency"], [MG_CA_DRUG]),
        ("R1d", ["furosemide 40 mg", "cinacalcet"], ["hypoparathyroidism"], [MG_CA_DRUG]),
        ("R1e", ["bumetanide 1 mg", "foscarnet"], ["hypoparathyroidism"], [MG_CA_DRUG]),
        # Near-miss: foscarnet alone is the magnesium cause; it names the calcium in the
        # causes-of-both rule (one input fills one slot), which absorbs its calcium rule.
        (
            "foscarnet",
            ["foscarnet"],
            ["hypoparathyroidism"],
            ["combination/low_magnesium_and_calcium_with_causes_of_both"],
        ),
    ],
)
def test_every_cause_is_named_in_one_problem(
    checker: Checker, case: str, meds: list[str], conds: list[str], shown: list[str]
) -> None:
    report = _check(checker, meds, conds, CA_MG)
    assert shown_combinations(report) == shown, case
    assert report.risk == "moderate"  # as at f9b4b49: neither result is high on its own
    assert _covered(report) >= {("medications", i) for i in range(len(meds))} | {
        ("conditions", 0),
        ("labs", 0),
        ("labs", 1),
    }
    assert next(s for s in report.conditions if s.index == 0).status == "flagged"
    assert [f for f in _live(report) if f.kind != "combination"] == []
    items = _check_items(report)
    for analyte in ("calcium", "magnesium"):
        assert sum(analyte in item for item in items) == 1, (case, items)


@pytest.mark.parametrize(
    ("meds", "shown"),
    [
        (["zoledronic acid"], [DRUG_CONDITION]),
        (["phenytoin 300 mg daily"], [DRUG_CONDITION]),
        (["furosemide 40 mg daily", "zoledronic acid"], [LOOP_DRUG_CONDITION]),
        (["bumetanide 1 mg daily", "cinacalcet"], [LOOP_DRUG_CONDITION]),
    ],
)
def test_calcium_drug_and_condition_with_low_calcium_only(
    checker: Checker, meds: list[str], shown: list[str]
) -> None:
    report = _check(checker, meds, ["vitamin D deficiency"], [result("calcium", 7.6, "mg/dL")])
    assert shown_combinations(report) == shown
    assert report.risk == "moderate"
    assert ("conditions", 0) in _covered(report)


def test_severely_low_calcium_is_high_through_the_result_only(checker: Checker) -> None:
    report = _check(
        checker,
        ["furosemide 40 mg", "zoledronic acid"],
        ["vitamin D deficiency"],
        [result("calcium", 6.2, "mg/dL"), result("magnesium", 1.5, "mg/dL")],
    )
    assert shown_combinations(report) == [MG_CA_DRUG]
    assert report.risk == "high"


def test_with_a_low_potassium_each_result_is_named_once(checker: Checker) -> None:
    report = _check(
        checker,
        ["omeprazole 20 mg daily", "zoledronic acid"],
        ["vitamin D deficiency"],
        [*CA_MG, result("potassium", 3.1, "mmol/L")],
    )
    assert shown_combinations(report) == sorted([DRUG_CONDITION, K_MG_DRUG])
    assert report.risk == "moderate"
    counts = [
        sum((ref.list, ref.index) == ("labs", i) for f in _live(report) for ref in f.inputs)
        for i in range(3)
    ]
    assert counts == [1, 1, 1]
    assert ("conditions", 0) in _covered(report)


def test_denosumab_with_hypoparathyroidism_keeps_its_own_rule(checker: Checker) -> None:
    report = _check(checker, ["furosemide 40 mg", "denosumab"], ["hypoparathyroidism"], CA_MG)
    shown = shown_combinations(report)
    assert "combination/denosumab_with_hypoparathyroidism_and_low_calcium" in shown
    assert MG_CA_DRUG not in shown
    assert report.risk == "moderate"
