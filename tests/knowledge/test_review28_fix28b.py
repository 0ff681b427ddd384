"""Review28 fixes (fix28b): an infant sent as ``age: 0``, "negative:" headings, answered
form questions, coded-drug texts and past drugs, the statin myopathy rule, and codes."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import LOINC, result

TSH = {"coding": [{"system": LOINC, "code": "3016-3"}]}
CK = {"coding": [{"system": LOINC, "code": "2157-6"}]}


def _ids(report: object) -> list[str]:
    return [f.id for f in report.findings]  # type: ignore[attr-defined]


def test_an_infant_sent_as_age_0_is_not_read_as_a_newborn_of_hours(checker: Checker) -> None:
    """A whole-year age of 0 is any infant under 12 months: the first-day, first-week and
    first-month bands apply only to a fractional age (review28 R3)."""
    for sex in ("male", "female"):
        tsh = checker(patient={"age": 0, "sex": sex}, labs=[{**TSH, "value": 30, "unit": "mIU/L"}])
        assert "lab/tsh/high" in _ids(tsh)
        ck = checker(patient={"age": 0, "sex": sex}, labs=[{**CK, "value": 2500, "unit": "U/L"}])
        assert "lab/ck/high" in _ids(ck)
    hypothyroid = checker(
        patient={"age": 0, "sex": "female"},
        medications=[{"text": "levothyroxine 25 mcg daily"}],
        conditions=[{"text": "congenital hypothyroidism"}],
        labs=[{**TSH, "value": 12, "unit": "mIU/L"}],
    )
    assert "lab/tsh/high" in _ids(hypothyroid)
    calcium = checker(
        patient={"age": 0},
        medications=[{"text": "furosemide 1 mg/kg IV daily"}],
        labs=[result("calcium", 8.2, "mg/dL")],
    )
    assert "lab/calcium/low" in _ids(calcium)
    dapto = checker(
        patient={"age": 0},
        medications=[{"text": "daptomycin 6 mg/kg IV daily"}],
        labs=[{**CK, "value": 2500, "unit": "U/L"}],
    )
    assert dapto.risk == "high"
    # A float that is whole (0.0) is the same whole-year age.
    assert "lab/ck/high" in _ids(
        checker(patient={"age": 0.0}, labs=[{**CK, "value": 2500, "unit": "U/L"}])
    )
    # A fractional age still reads the newborn bands; the 1-month-to-3-years TSH band
    # stays for age 0.
    assert _ids(checker(patient={"age": 0.01}, labs=[{**CK, "value": 2500, "unit": "U/L"}])) == []
    assert _ids(checker(patient={"age": 0}, labs=[{**TSH, "value": 6.5, "unit": "mIU/L"}])) == []
