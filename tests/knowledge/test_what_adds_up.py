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
