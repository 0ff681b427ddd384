"""Glucose: a probable mmol/L value sent as mg/dL, and newborn limits (lab31)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker

GLUCOSE = {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]}


def _glucose(checker: Checker, value: float, unit: str = "mg/dL", **patient: Any) -> Any:
    return checker(patient=patient or {"age": 60}, labs=[{**GLUCOSE, "value": value, "unit": unit}])


def _severities(report: Any) -> dict[str, str]:
    return {f.id: f.severity for f in report.findings}


def test_a_mmol_value_sent_as_mg_dl_is_not_severe_hypoglycemia(checker: Checker) -> None:
    """5.4 "mg/dL" is a normal 5.4 mmol/L sent with the wrong unit: never a level 2
    hypoglycemia alert, never dropped silently (its status and the note say so)."""
    report = _glucose(checker, 5.4)
    assert report.risk == "none"
    assert report.findings == []
    status = report.labs[0]
    assert status.status == "unrecognized"
    assert status.suggestions == ["5.4 mmol/L"]
    assert status.reason is not None and "confirm the value and unit" in status.reason
    assert 'labs[0] "2345-7" (did you mean 5.4 mmol/L?)' in report.note
    # With a sulfonylurea, no hypoglycemia rule is joined either.
    joined = checker(
        medications=[{"text": "glipizide 10 mg daily"}],
        labs=[{**GLUCOSE, "value": 5.4, "unit": "mg/dL"}],
    )
    assert joined.risk != "high"
    assert all(("labs", 0) not in {(i.list, i.index) for i in f.inputs} for f in joined.findings)


def test_whole_number_and_true_mmol_values_are_read_as_sent(checker: Checker) -> None:
    # A whole number in mg/dL is read (a survivor at 11 mg/dL has been reported).
    assert _severities(_glucose(checker, 40)) == {"lab/glucose/low": "high"}
    assert _severities(_glucose(checker, 11)) == {"lab/glucose/low": "high"}
    # The mmol/L unit itself is untouched; values at or above 54 mg/dL are read.
    assert _severities(_glucose(checker, 2.9, "mmol/L")) == {"lab/glucose/low": "high"}
    assert _severities(_glucose(checker, 62.5)) == {"lab/glucose/low": "low"}
    # A converted mmol/L result keeps its decimals: 2.85 mmol/L sent as 51.3 mg/dL is a
    # real level 2 hypoglycemia, read as sent (only values below 20 mg/dL are suspect).
    assert _severities(_glucose(checker, 51.3)) == {"lab/glucose/low": "high"}
    assert _severities(_glucose(checker, 21.6)) == {"lab/glucose/low": "high"}


def test_a_newborn_first_day_glucose_of_45_to_50_is_not_severe(checker: Checker) -> None:
    """AAP 2011 (PMID 21357346): target 45 mg/dL or more before feeds at 4-24 hours; IV
    glucose below 35 mg/dL. The adult 54 mg/dL would call a healthy newborn severe."""
    twelve_hours = 0.0014
    assert _glucose(checker, 47, age=twelve_hours).findings == []
    assert _severities(_glucose(checker, 42, age=twelve_hours)) == {"lab/glucose/low": "low"}
    assert _severities(_glucose(checker, 33, age=twelve_hours)) == {"lab/glucose/low": "high"}
    # First 4 hours: low below 40, severe below 25.
    two_hours = 0.00023
    assert _glucose(checker, 41, age=two_hours).findings == []
    assert _severities(_glucose(checker, 30, age=two_hours)) == {"lab/glucose/low": "low"}
    assert _severities(_glucose(checker, 22, age=two_hours)) == {"lab/glucose/low": "high"}
    # 24-48 hours: low below 50.
    assert _severities(_glucose(checker, 47, age=0.004)) == {"lab/glucose/low": "low"}
    # Newborn advice, not the adult insulin/sulfonylurea line.
    finding = _glucose(checker, 33, age=twelve_hours).findings[0]
    assert "next feed" in finding.monitoring[0]


def test_a_whole_year_age_0_keeps_the_adult_glucose_limits(checker: Checker) -> None:
    """Age 0 is any infant under 12 months, not a newborn of hours (review28 R3)."""
    assert _severities(_glucose(checker, 47, age=0)) == {"lab/glucose/low": "high"}
    assert _severities(_glucose(checker, 47, age=0.5)) == {"lab/glucose/low": "high"}


def test_a_value_low_in_mmol_too_is_read_as_mmol_over_http(client: Any) -> None:
    """review32 R2: 2.9 "mg/dL" is hypoglycemia in either unit (ADA 2024, PMID 38078586:
    level 2 below 3.0 mmol/L = 54 mg/dL; level 1 below 3.9 mmol/L = 70 mg/dL). Below 3.9
    in mmol/L it is read as mmol/L (converted) and its status says so; 5.4 stays unread."""

    def post(value: float) -> Any:
        body = {
            "patient": {"age": 60},
            "medications": [{"text": "glipizide 10 mg bid"}],
            "labs": [{**GLUCOSE, "value": value, "unit": "mg/dL"}],
        }
        response = client.post("/v1/check", json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    severe = post(2.9)
    assert severe["risk"] == "high"
    ids = {f["id"]: f["severity"] for f in severe["findings"]}
    assert ids["combination/glucose_lowering_drug_with_low_glucose"] == "high"
    lab = severe["labs"][0]
    assert lab["status"] == "flagged"
    assert "read as 2.9 mmol/L (about 52 mg/dL)" in lab["reason"]
    assert "confirm the value and unit" in lab["reason"]
    # 3.5 mmol/L (63 mg/dL) is level 1: moderate with the sulfonylurea, not severe.
    mild = post(3.5)
    assert mild["risk"] == "moderate"
    # A normal value read as mmol/L stays not read, as before.
    normal = post(5.4)
    assert normal["risk"] == "none"
    assert normal["labs"][0]["status"] == "unrecognized"
