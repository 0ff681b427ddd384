"""One low potassium, magnesium and calcium is one problem, whatever names its causes
(review41 items 2 and 10).

Before, chronic diarrhea with alcohol use disorder gave two problems for the same results
(the condition's magnesium-calcium rule took alcohol use disorder, the potassium-magnesium-
calcium rule did not), and a drug's potassium-magnesium-calcium rule named the calcium that
hypoparathyroidism's calcium rule named again. The condition rule now takes every condition
that lowers potassium or magnesium (as the drug rule takes any drug lowering either), and a
cause of the low calcium joins the one problem
(``low_potassium_magnesium_and_calcium_with_causes_of_both``). A calcium-lowering drug's rule
(denosumab) still speaks for the calcium on its own, as for calcium with magnesium alone."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

K = result("potassium", 3.3, "mmol/L")
MG = result("magnesium", 1.3, "mg/dL")
CA = result("calcium", 8.0, "mg/dL")
COND_KMGCA = "combination/condition_with_low_potassium_magnesium_and_calcium"
JOINT = "combination/low_potassium_magnesium_and_calcium_with_causes_of_both"


@pytest.mark.parametrize(
    ("meds", "conditions", "labs", "shown", "risk"),
    [
        # review41 item 2: the two conditions and the three results, one problem.
        ([], ["chronic diarrhea", "alcohol use disorder"], [K, MG, CA], [COND_KMGCA], "moderate"),
        (
            [],
            ["chronic diarrhea", "alcohol use disorder"],
            [
                result("magnesium", 1.1, "mg/dL"),
                result("potassium", 3.1, "mmol/L"),
                result("calcium", 7.9, "mg/dL"),
            ],
            [COND_KMGCA],
            "high",
        ),
        # Neighbours: each condition alone, and without the low potassium or calcium.
        ([], ["chronic diarrhea"], [K, MG, CA], [COND_KMGCA], "moderate"),
        ([], ["alcohol use disorder"], [K, MG, CA], [COND_KMGCA], "moderate"),
        ([], ["celiac disease"], [K, MG, CA], [COND_KMGCA], "moderate"),
        ([], ["vomiting", "alcohol use disorder"], [K, MG, CA], [COND_KMGCA], "moderate"),
        (
            [],
            ["chronic diarrhea", "alcohol use disorder"],
            [MG, CA],
            ["combination/condition_with_low_magnesium_and_low_calcium"],
            "moderate",
        ),
        (
            [],
            ["chronic diarrhea", "alcohol use disorder"],
            [K, MG],
            ["combination/condition_with_low_potassium_and_low_magnesium"],
            "moderate",
        ),
        # review41 item 10: the calcium's own cause joins the one problem.
        (
            ["omeprazole 40 mg daily", "HCTZ 25 mg"],
            ["hypoparathyroidism"],
            [MG, K, result("calcium", 7.9, "mg/dL")],
            [JOINT],
            "moderate",
        ),
        (["HCTZ 25 mg"], ["hypoparathyroidism"], [K, MG, CA], [JOINT], "moderate"),
        ([], ["chronic diarrhea", "hypoparathyroidism"], [K, MG, CA], [JOINT], "moderate"),
        ([], ["alcohol use disorder", "hypoparathyroidism"], [K, MG, CA], [JOINT], "moderate"),
        (["omeprazole 40 mg daily"], ["vitamin D deficiency"], [K, MG, CA], [JOINT], "moderate"),
        # Without the low potassium, or without a calcium cause, the rules as before.
        (
            ["omeprazole 40 mg daily", "HCTZ 25 mg"],
            ["hypoparathyroidism"],
            [MG, CA],
            ["combination/low_magnesium_and_calcium_with_causes_of_both"],
            "moderate",
        ),
        (
            ["omeprazole 40 mg daily", "HCTZ 25 mg"],
            ["hypoparathyroidism"],
            [K, MG],
            ["combination/drug_with_low_potassium_and_low_magnesium"],
            "moderate",
        ),
        (
            ["omeprazole 40 mg daily", "HCTZ 25 mg"],
            [],
            [K, MG, CA],
            ["combination/drug_with_low_potassium_magnesium_and_calcium"],
            "moderate",
        ),
        ([], ["hypoparathyroidism"], [CA], ["combination/condition_with_low_calcium"], "moderate"),
        # A calcium-lowering drug's rule speaks for the calcium; the condition's rule for the
        # potassium and magnesium (before, both named the calcium).
        (
            ["Prolia 60 mg every 6 months"],
            ["chronic diarrhea"],
            [K, MG, CA],
            [
                "combination/calcium_lowering_drug_with_low_calcium",
                "combination/condition_with_low_potassium_and_low_magnesium",
            ],
            "moderate",
        ),
        # Refeeding syndrome keeps its own rule.
        (
            [],
            ["refeeding syndrome"],
            [K, MG, CA],
            [
                "combination/low_calcium_with_low_magnesium",
                "combination/refeeding_syndrome_with_low_electrolytes",
            ],
            "moderate",
        ),
    ],
)
def test_one_problem_per_deficit(
    checker: Checker,
    meds: list[str],
    conditions: list[str],
    labs: list[dict[str, object]],
    shown: list[str],
    risk: str,
) -> None:
    report = checker(
        medications=[{"text": m} for m in meds],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    assert shown_combinations(report) == shown
    assert report.risk == risk
    # Every input is named by the problems shown (no condition left on a line of its own).
    named = {
        (ref.list, ref.index)
        for f in report.findings
        if f.kind == "combination" and not f.absorbed_by
        for ref in f.inputs
    }
    if len(shown) == 1 and shown[0] in (COND_KMGCA, JOINT):
        every = {("medications", i) for i in range(len(meds))}
        every |= {("conditions", i) for i in range(len(conditions))}
        every |= {("labs", i) for i in range(len(labs))}
        assert named == every
        assert not [f for f in report.findings if not f.absorbed_by and f.kind != "combination"]
