"""An as-needed PPI does not join a rule about magnesium loss: the FDA ties low magnesium
to prolonged use (in most cases over a year)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations


@pytest.mark.parametrize(
    ("ppi", "fires"),
    [
        ("omeprazole 20 mg prn heartburn", False),
        ("Prilosec OTC occasionally", False),
        ("omeprazole 20 mg daily", True),
        ("pantoprazole 40 mg bid", True),
    ],
)
def test_an_as_needed_ppi_does_not_join_a_diuretic(checker: Checker, ppi: str, fires: bool) -> None:
    report = checker(medications=[{"text": ppi}, {"text": "furosemide 20 mg daily"}])
    assert ("combination/ppi_plus_diuretic" in shown_combinations(report)) is fires


@pytest.mark.parametrize(
    ("potassium", "severity"),
    [(6.8, None), (5.2, None), (4.2, "low"), (None, "moderate")],
)
def test_a_high_potassium_is_not_a_risk_of_potassium_loss(
    checker: Checker, potassium: float | None, severity: str | None
) -> None:
    """Lowering potassium is the aim when it is high (binders, insulin and albuterol for
    hyperkalemia): the rule predicting potassium loss does not fire; a normal result keeps
    it as a low watch point, and without a result it stands as written."""
    labs = [] if potassium is None else [{"text": "K", "value": potassium, "unit": "mmol/L"}]
    report = checker(
        medications=[
            {"text": "Kayexalate 15 g once"},
            {"text": "insulin regular 10 units IV once"},
            {"text": "albuterol 10 mg neb once"},
        ],
        labs=labs,
    )
    found = [f for f in report.findings if f.id == "combination/several_potassium_lowering_drugs"]
    assert [f.severity for f in found] == ([severity] if severity else [])


@pytest.mark.parametrize(("magnesium", "fires"), [(2.9, False), (2.0, True), (1.4, True)])
def test_a_high_magnesium_is_not_a_risk_of_magnesium_loss(
    checker: Checker, magnesium: float, fires: bool
) -> None:
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}, {"text": "furosemide 20 mg daily"}],
        labs=[{"text": "magnesium", "value": magnesium, "unit": "mg/dL"}],
    )
    shown = shown_combinations(report)
    assert (
        any(
            c in shown
            for c in (
                "combination/ppi_plus_diuretic",
                "combination/several_magnesium_lowering_drugs",
                "combination/magnesium_lowering_drug_with_low_magnesium",
            )
        )
        is fires
    )
