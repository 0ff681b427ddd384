"""Pharmacist review 21: rules and condition/analyte semantics."""

from __future__ import annotations

from tests.conftest import Checker


def _ids(report: object) -> list[str]:
    return [f.id for f in report.findings]  # type: ignore[attr-defined]


def test_hypoparathyroidism_with_a_normal_corrected_calcium_is_not_a_contributor(
    checker: Checker,
) -> None:
    """Review 21 A4: a controlled hypoparathyroidism (corrected calcium 9.0) was a
    low contributor; cramps come from the low calcium (measured_by calcium:low)."""
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[
            {"text": "calcium", "value": 9.0, "unit": "mg/dL"},
            {"text": "albumin", "value": 4.0, "unit": "g/dL"},
        ],
    )
    assert report.risk == "none"
    assert report.findings == []
    status = report.conditions[0]
    assert (status.status, status.concept) == ("recognized", "hypoparathyroidism")
    assert status.reason is not None and "calcium" in status.reason


def test_hypoparathyroidism_with_a_normal_ionized_calcium_is_not_a_contributor(
    checker: Checker,
) -> None:
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[{"text": "ionized calcium", "value": 1.2, "unit": "mmol/L"}],
    )
    assert report.findings == []


def test_hypoparathyroidism_still_joins_a_low_calcium(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[
            {"text": "calcium", "value": 7.3, "unit": "mg/dL"},
            {"text": "magnesium", "value": 1.5, "unit": "mg/dL"},
        ],
    )
    assert report.risk == "high"
    assert "combination/condition_with_low_calcium_and_low_magnesium" in _ids(report)
    moderate = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[{"text": "calcium", "value": 7.9, "unit": "mg/dL"}],
    )
    assert moderate.risk == "moderate"
    assert "combination/condition_with_low_calcium" in _ids(moderate)


def test_hypoparathyroidism_without_a_calcium_is_still_listed(checker: Checker) -> None:
    report = checker(conditions=[{"text": "hypoparathyroidism"}])
    assert _ids(report) == ["condition/hypoparathyroidism"]
