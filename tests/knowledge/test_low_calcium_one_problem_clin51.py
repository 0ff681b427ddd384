"""clin51: one low calcium is one problem. A loop diuretic beside the calcium's own cause (a
condition, or a calcium-lowering drug) is named in that problem, not left as a finding of
its own; a magnesium-and-calcium drug rule gives way to a calcium-lowering drug's own rule
(the policy's "a calcium-lowering drug names the calcium on its own"). No severity is
raised: moderate, high only with a calcium that is high on its own."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

LOOP_CONDITION = "combination/loop_diuretic_and_condition_with_low_calcium"
LOOP_DRUG = "combination/loop_diuretic_and_calcium_lowering_drug_with_low_calcium"
CALCIUM_DRUG = "combination/calcium_lowering_drug_with_low_calcium"
CONDITION = "combination/condition_with_low_calcium"
MAGNESIUM_DRUG = "combination/magnesium_lowering_drug_with_low_magnesium"


def _calcium(value: float) -> dict[str, object]:
    return result("calcium", value, "mg/dL")


@pytest.mark.parametrize(
    ("meds", "conditions", "calcium", "shown", "risk"),
    [
        (["furosemide 40 mg daily"], ["hypoparathyroidism"], 7.6, [LOOP_CONDITION], "moderate"),
        (["bumetanide 1 mg daily"], ["celiac disease"], 7.9, [LOOP_CONDITION], "moderate"),
        # A calcium below 7.5 mg/dL is high on its own: the joint problem is high, no higher.
        (["furosemide 40 mg daily"], ["hypoparathyroidism"], 7.2, [LOOP_CONDITION], "high"),
        (
            ["furosemide 40 mg daily", "zoledronic acid 5 mg yearly"],
            [],
            7.6,
            [LOOP_DRUG],
            "moderate",
        ),
        (
            ["furosemide 40 mg daily", "denosumab 60 mg every 6 months"],
            [],
            7.6,
            [LOOP_DRUG],
            "moderate",
        ),
        # Near-misses: a calcium that is not low joins nothing; torsemide's label names no
        # calcium effect, so it is not joined to the calcium.
        (["furosemide 40 mg daily"], ["hypoparathyroidism"], 9.0, [], "low"),
        (["torsemide 20 mg daily"], ["hypoparathyroidism"], 7.6, [CONDITION], "moderate"),
        (
            ["torsemide 20 mg daily", "zoledronic acid 5 mg yearly"],
            [],
            7.6,
            [CALCIUM_DRUG],
            "moderate",
        ),
    ],
)
def test_loop_diuretic_is_named_with_the_calcium_cause(
    checker: Checker,
    meds: list[str],
    conditions: list[str],
    calcium: float,
    shown: list[str],
    risk: str,
) -> None:
    report = checker(
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conditions],
        labs=[_calcium(calcium)],
    )
    assert shown_combinations(report) == shown
    assert report.risk == risk
    if shown and meds[0].startswith(("furosemide", "bumetanide")):
        loop = next(f for f in report.findings if f.inputs[0].index == 0 and f.kind == "medication")
        assert loop.absorbed_by == shown[0]


def test_denosumab_in_advanced_kidney_disease_keeps_its_own_rule(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "denosumab 60 mg"}],
        conditions=[{"text": "CKD stage 4"}],
        labs=[_calcium(7.6)],
    )
    shown = shown_combinations(report)
    assert LOOP_DRUG not in shown
    assert "combination/denosumab_in_advanced_kidney_disease_with_low_calcium" in shown


@pytest.mark.parametrize(
    ("meds", "labs", "shown"),
    [
        (
            ["omeprazole 20 mg daily", "zoledronic acid 5 mg yearly"],
            [_calcium(7.6), result("magnesium", 1.5, "mg/dL")],
            [CALCIUM_DRUG, MAGNESIUM_DRUG],
        ),
        (
            ["hydrochlorothiazide 25 mg daily", "denosumab 60 mg"],
            [result("potassium", 3.2, "mmol/L"), _calcium(7.6), result("magnesium", 1.5, "mg/dL")],
            [CALCIUM_DRUG, "combination/drug_with_low_potassium_and_low_magnesium"],
        ),
        (
            ["furosemide 40 mg daily", "zoledronic acid 5 mg yearly"],
            [_calcium(7.6), result("magnesium", 1.5, "mg/dL")],
            [LOOP_DRUG, MAGNESIUM_DRUG],
        ),
    ],
)
def test_calcium_lowering_drug_names_the_calcium_once(
    checker: Checker, meds: list[str], labs: list[dict[str, object]], shown: list[str]
) -> None:
    report = checker(medications=[{"text": m} for m in meds], labs=labs)
    assert shown_combinations(report) == sorted(shown)
    assert report.risk == "moderate"
    calcium = next(f for f in report.findings if f.id == "lab/calcium/low")
    naming = [
        f.id
        for f in report.findings
        if f.kind == "combination"
        and not f.absorbed_by
        and any(i.list == "labs" and i.index == calcium.inputs[0].index for i in f.inputs)
    ]
    assert len(naming) == 1
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check.lower().count("calcium") == 1
