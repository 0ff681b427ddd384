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
