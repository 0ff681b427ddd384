"""A drug and a condition that can both lower a low result are one problem naming both
(review 21 A2). Before, the drug's rule suppressed the condition's: a PPI beside chronic
diarrhea was named the cause of a low potassium it does not lower, and the diarrhea fell
to "also may contribute"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

K = result("potassium", 3.2, "mmol/L")
MG = result("magnesium", 1.4, "mg/dL")
CA = result("calcium", 7.9, "mg/dL")


@pytest.mark.parametrize(
    ("med", "condition", "labs", "rule", "named"),
    [
        ("omeprazole 20 mg daily", "chronic diarrhea", [K, MG],
         "drug_and_condition_with_low_potassium_and_low_magnesium", ["omeprazole", "diarrhea"]),
        ("pantoprazole 40 mg daily", "alcohol use disorder", [MG],
         "drug_and_condition_with_low_magnesium", ["pantoprazole", "alcohol use disorder"]),
        ("furosemide 40 mg daily", "vomiting", [K],
         "drug_and_condition_with_low_potassium", ["furosemide", "vomiting"]),
        ("omeprazole 20 mg daily", "diarrhea", [K, MG, CA],
         "drug_and_condition_with_low_potassium_magnesium_and_calcium", ["omeprazole", "diarrhea"]),
    ],
)  # fmt: skip
def test_both_causes_are_one_problem(
    checker: Checker,
    med: str,
    condition: str,
    labs: list[dict[str, Any]],
    rule: str,
    named: list[str],
) -> None:
    report = checker(medications=[{"text": med}], conditions=[{"text": condition}], labs=labs)
    shown = [f for f in report.findings if f.absorbed_by is None and f.kind == "combination"]
    assert [f.id for f in shown] == [f"combination/{rule}"]
    assert all(name in shown[0].title for name in named)
    assert "Also may contribute" not in report.note


def test_a_drug_alone_keeps_its_own_problem(checker: Checker) -> None:
    report = checker(medications=[{"text": "furosemide 40 mg daily"}], labs=[K])
    shown = [f.id for f in report.findings if f.absorbed_by is None and f.kind == "combination"]
    assert shown == ["combination/potassium_lowering_drug_with_low_potassium"]
