"""A low hemoglobin whose cause is coded (anemia of kidney disease on epoetin) is not told
only "to find the cause": iron studies also guide iron and ESA treatment."""

from __future__ import annotations

from tests.conftest import Checker


def test_anemia_of_ckd_on_epoetin_is_not_sent_to_find_the_cause(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "epoetin alfa 10000 units SC weekly"}],
        conditions=[{"text": "ESRD on HD MWF"}, {"text": "anemia of CKD"}],
        labs=[{"text": "Hgb", "value": 9.8, "unit": "g/dL"}],
    )
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "iron studies" in check
    assert "to guide treatment when it is known" in check
