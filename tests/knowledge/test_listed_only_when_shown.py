"""A drug whose only effects are steady electrolyte effects (a PPI's magnesium, a short-acting
stimulant laxative's potassium) is not listed as a contributor when the result that would
show them is measured and normal (review 21 A5): it is recognized, with that result as the
reason. A drug whose effect follows each dose, course or pulse (denosumab, a nebulized
beta-2 agonist, a corticosteroid) stays listed (review 22 A6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result


def _status(
    checker: Checker, med: str, labs: list[dict[str, Any]]
) -> tuple[str, str | None, set[str]]:
    report = checker(medications=[{"text": med}], labs=labs)
    status = report.medications[0]
    return status.status, status.reason, {f.id for f in report.findings}


def test_a_ppi_with_a_normal_magnesium_is_recognized_with_the_result(checker: Checker) -> None:
    status, reason, findings = _status(
        checker, "omeprazole 20 mg daily", [result("magnesium", 2.1, "mg/dL")]
    )
    assert (status, findings) == ("recognized", set())
    assert reason == (
        "Not listed as a contributor now: what it may cause here, a low magnesium, is not"
        " shown (magnesium 2.1 mg/dL)."
    )


@pytest.mark.parametrize(
    ("med", "labs"),
    [
        ("omeprazole 20 mg daily", []),  # not measured
        ("omeprazole 20 mg daily", [result("potassium", 4.0, "mmol/L")]),  # another analyte
        ("omeprazole 20 mg daily", [result("magnesium", 1.5, "mg/dL")]),  # shown
        ("Prolia 60 mg every 6 months", [result("calcium", 9.4, "mg/dL")]),  # after each dose
        (
            "furosemide 40 mg daily",
            [result("potassium", 4.1, "mmol/L"), result("magnesium", 2.0, "mg/dL")],
        ),
    ],
)
def test_otherwise_the_drug_stays_listed(
    checker: Checker, med: str, labs: list[dict[str, Any]]
) -> None:
    status, _, findings = _status(checker, med, labs)
    assert status == "flagged"
    assert any(f.startswith("medication/") for f in findings)


def test_a_daily_laxative_with_a_normal_potassium_is_not_listed(checker: Checker) -> None:
    status, reason, _ = _status(
        checker, "senna 8.6 mg 2 tabs daily", [result("potassium", 4.2, "mmol/L")]
    )
    assert status == "recognized"
    assert reason is not None and "potassium 4.2 mmol/L" in reason


def test_it_still_joins_a_rule_it_fills(checker: Checker) -> None:
    """A PPI with a diuretic is a watch point on magnesium even when it is normal."""
    report = checker(
        medications=[{"text": "omeprazole 20 mg daily"}, {"text": "furosemide 40 mg daily"}],
        labs=[result("magnesium", 2.1, "mg/dL")],
    )
    assert report.medications[0].status == "flagged"
