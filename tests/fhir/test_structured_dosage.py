"""A MedicationRequest whose dosage has no text, only structured elements (timing,
doseAndRate), is read as a text would say it: its dose, how often and when (review 18 B5:
two such orders, every morning and at bedtime, were one order and 20 mg)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from tests.fhir.builders import check, finding_ids, order

Client = TestClient[Litestar]
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SIMVASTATIN_20 = {
    "coding": [{"system": RXNORM, "code": "312961", "display": "simvastatin 20 MG Oral Tablet"}]
}
AMLODIPINE = {"text": "amlodipine 10 mg daily"}
LIMIT = "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine"


@pytest.fixture(scope="module")
def rest() -> Iterator[Client]:
    with TestClient(create_app()) as client:
        yield client


def _simvastatin(rid: str, *dosage: dict[str, Any]) -> dict[str, Any]:
    return order(
        rid, "p1", medicationCodeableConcept=SIMVASTATIN_20, dosageInstruction=list(dosage)
    )


def _medication_texts(report: dict[str, Any]) -> list[str]:
    return [s["concept"] for s in report["medications"]]


@pytest.mark.parametrize(
    "dosage",
    [
        {"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}},
        {"timing": {"code": {"coding": [{"code": "BID"}]}}},
        {
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "tablet"}}],
        },
        {"timing": {"repeat": {"when": ["MORN", "HS"]}}},
    ],
)
def test_structured_directions_give_the_daily_dose(rest: Client, dosage: dict[str, Any]) -> None:
    report = check(
        rest, _simvastatin("s", dosage), order("a", "p1", medicationCodeableConcept=AMLODIPINE)
    )
    assert LIMIT in finding_ids(report)


def test_two_structured_orders_at_two_times_are_one_split_dose(rest: Client) -> None:
    morning = {"timing": {"code": {"text": "QAM"}}, "doseAndRate": [{"doseQuantity": {"value": 1}}]}
    bedtime = {"timing": {"repeat": {"when": ["HS"]}}}
    report = check(
        rest,
        _simvastatin("am", morning),
        _simvastatin("hs", bedtime),
        order("a", "p1", medicationCodeableConcept=AMLODIPINE),
    )
    assert LIMIT in finding_ids(report)
    assert report["ignored"] == []


@pytest.mark.parametrize(
    "dosage",
    [
        {"timing": {"repeat": {"frequency": "2", "period": [1], "periodUnit": 7, "when": "HS"}}},
        {"timing": {"code": "BID"}, "doseAndRate": {"doseQuantity": 2}},
        {"doseAndRate": [{"doseQuantity": {"value": True}}, 3]},
    ],
)
def test_unexpected_structured_elements_never_lose_the_order(
    rest: Client, dosage: dict[str, Any]
) -> None:
    """Read leniently: what is not the type FHIR gives is not read, and the order stays."""
    report = check(rest, _simvastatin("s", dosage))
    assert report["ignored"] == []
    assert _medication_texts(report) == ["simvastatin"]
    assert LIMIT not in finding_ids(report)


# The most an order allows is what a label's daily limit is about (review56f D5): the high
# end of a doseRange, and frequencyMax over frequency.
@pytest.mark.parametrize(
    "dosage",
    [
        {
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {
                    "doseRange": {
                        "low": {"value": 1, "unit": "tablet"},
                        "high": {"value": 2, "unit": "tablet"},
                    }
                }
            ],
        },
        {"doseAndRate": [{"doseRange": {"high": {"value": 40, "unit": "mg"}}}]},
        {
            "timing": {
                "repeat": {"frequency": 1, "frequencyMax": 2, "period": 1, "periodUnit": "d"}
            },
            "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
        },
    ],
)
def test_the_high_end_of_a_dose_range_or_frequency_is_read(
    rest: Client, dosage: dict[str, Any]
) -> None:
    report = check(
        rest, _simvastatin("s", dosage), order("a", "p1", medicationCodeableConcept=AMLODIPINE)
    )
    assert LIMIT in finding_ids(report)
    assert report["ignored"] == []


@pytest.mark.parametrize(
    "dosage",
    [
        # Within the limit at its high end: 0.5-1 tablet, once daily.
        {
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {
                    "doseRange": {
                        "low": {"value": 0.5, "unit": "tab"},
                        "high": {"value": 1, "unit": "tab"},
                    }
                }
            ],
        },
        # A frequencyMax no more than the frequency leaves the frequency read as before.
        {"timing": {"repeat": {"frequency": 1, "frequencyMax": 1, "period": 1, "periodUnit": "d"}}},
        # A doseQuantity outranks a range sent beside it in another doseAndRate.
        {
            "doseAndRate": [
                {"doseQuantity": {"value": 1, "unit": "tablet"}},
                {"doseRange": {"high": {"value": 2, "unit": "tablet"}}},
            ]
        },
        # Read leniently: a range of another type is not read and never loses the order.
        {"doseAndRate": [{"doseRange": {"high": {"value": "2", "unit": "tablet"}}}]},
        {"doseAndRate": [{"doseRange": [2]}], "timing": {"repeat": {"frequencyMax": "2"}}},
    ],
)
def test_a_range_within_the_limit_or_unreadable_is_not_raised(
    rest: Client, dosage: dict[str, Any]
) -> None:
    report = check(
        rest, _simvastatin("s", dosage), order("a", "p1", medicationCodeableConcept=AMLODIPINE)
    )
    assert LIMIT not in finding_ids(report)
    assert report["ignored"] == []
    assert "simvastatin" in _medication_texts(report)
