"""clin51: refeeding syndrome and a drug that lowers the same low potassium or magnesium are
one problem (refeeding's daily checks), not the drug's "within days" problem beside
refeeding's; the results the drug does not lower stay refeeding's own."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

REFEEDING = "combination/refeeding_syndrome_with_low_electrolytes"
WITH_DRUG = "combination/refeeding_syndrome_and_drug_with_low_"
K = result("potassium", 3.2, "mmol/L")
MG = result("magnesium", 1.5, "mg/dL")
PHOSPHATE = result("phosphate", 2.0, "mg/dL")


@pytest.mark.parametrize(
    ("med", "labs", "shown", "risk"),
    [
        ("furosemide 40 mg daily", [K, MG], f"{WITH_DRUG}k_mg", "moderate"),
        ("hydrochlorothiazide 25 mg daily", [K, PHOSPHATE], f"{WITH_DRUG}k_phosphate", "moderate"),
        ("omeprazole 20 mg daily", [MG], f"{WITH_DRUG}mg", "moderate"),
        (
            "furosemide 40 mg daily",
            [
                result("potassium", 2.9, "mmol/L"),
                result("magnesium", 1.2, "mg/dL"),
                result("phosphate", 0.8, "mg/dL"),
            ],
            f"{WITH_DRUG}k_mg_phosphate",
            "high",
        ),
        # Near-misses: a PPI does not lower potassium, furosemide not phosphate: refeeding's
        # own problem, the drug a low contributor.
        ("omeprazole 20 mg daily", [K], REFEEDING, "moderate"),
        ("furosemide 40 mg daily", [PHOSPHATE], REFEEDING, "moderate"),
    ],
)
def test_refeeding_and_drug_are_one_problem(
    checker: Checker, med: str, labs: list[dict[str, object]], shown: str, risk: str
) -> None:
    report = checker(
        medications=[{"text": med}], conditions=[{"text": "refeeding syndrome"}], labs=labs
    )
    assert shown_combinations(report) == [shown]
    assert report.risk == risk
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check.lower().count("potassium") == 1
    assert "within days" not in check


def test_normal_results_join_nothing(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}],
        conditions=[{"text": "refeeding syndrome"}],
        labs=[result("potassium", 4.2, "mmol/L"), result("magnesium", 2.0, "mg/dL")],
    )
    assert shown_combinations(report) == []
    assert report.risk == "low"
