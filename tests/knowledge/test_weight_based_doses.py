"""A weight-based corticosteroid dose ("2 mg/kg") is not the 2 mg a day of a replacement
dose: the steroid counts with albuterol for a low potassium (pharmacist review 11, item 3;
1-2 mg/kg prednisolone is 20-60 mg a day in an asthma exacerbation)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

JOINED = "combination/potassium_lowering_drug_with_low_potassium"


@pytest.mark.parametrize("steroid", ["prednisolone 2 mg/kg daily", "hydrocortisone 2 mg/kg q6h IV"])
def test_a_weight_based_steroid_joins_the_low_potassium_problem(
    checker: Checker, steroid: str
) -> None:
    report = checker(
        patient={"age": 8},
        medications=[{"text": "albuterol 2.5 mg neb q4h"}, {"text": steroid}],
        labs=[{"text": "potassium", "value": 3.3, "unit": "mmol/L"}],
    )
    joined = next(f for f in report.findings if f.id == JOINED)
    assert {(ref.list, ref.index) for ref in joined.inputs} >= {
        ("medications", 0),
        ("medications", 1),
    }
