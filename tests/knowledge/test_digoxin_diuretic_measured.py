"""Digoxin with a potassium-wasting diuretic predicts a low potassium (the LANOXIN label):
measured normal it is a watch point, measured high (an MRA beside it) it does not fire, and
its check asks for no result the request carries (pharmacist review 11, item 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

RULE = "combination/digoxin_with_potassium_wasting_diuretic"
MEDS = [{"text": "furosemide 40 mg bid"}, {"text": "digoxin 0.125 mg daily"}]


@pytest.mark.parametrize(
    ("labs", "severity", "check"),
    [
        ([], "moderate", "Check: Potassium and magnesium."),
        (
            [result("potassium", 4.2, "mmol/L")],
            "low",
            "Check: Magnesium, and potassium again after diuretic dose changes.",
        ),
        (
            [result("potassium", 4.2, "mmol/L"), result("magnesium", 2.0, "mg/dL")],
            "low",
            "Check: Potassium and magnesium again after diuretic dose changes.",
        ),
        ([result("potassium", 5.4, "mmol/L")], None, None),
    ],
)
def test_the_measured_potassium_decides(
    checker: Checker, labs: list[dict[str, Any]], severity: str | None, check: str | None
) -> None:
    report = checker(medications=[*MEDS, {"text": "spironolactone 25 mg daily"}], labs=labs)
    found = [f.severity for f in report.findings if f.id == RULE]
    assert found == ([] if severity is None else [severity])
    if check is not None:
        assert check in report.note


@pytest.mark.parametrize("level", ["digoxin level", "Digoxin, serum", "dig level"])
def test_a_digoxin_level_sent_is_not_asked_for_again(checker: Checker, level: str) -> None:
    """A digoxin level with the request: the check asks for the ECG and says how to read
    the level (toxicity at usual levels with a low potassium), not for a level."""
    labs = [result("potassium", 3.2, "mmol/L"), {"text": level, "value": 1.1, "unit": "ng/mL"}]
    report = checker(medications=MEDS, labs=labs)
    finding = next(f for f in report.findings if f.id.startswith("combination/digoxin_with_low"))
    assert finding.monitoring == [
        "Potassium and magnesium now",
        "An ECG; read the digoxin level sent with the potassium and magnesium: toxicity can"
        " occur within the usual range when they are low",
    ]
    without = checker(medications=MEDS, labs=labs[:1])
    finding = next(f for f in without.findings if f.id.startswith("combination/digoxin_with_low"))
    assert "A digoxin level and an ECG" in finding.monitoring
