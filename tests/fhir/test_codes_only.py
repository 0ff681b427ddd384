"""Synthea records sent as codes only are read as they are with their display text.

The fixtures ``synthea_codes_*.json`` are published Synthea R4 records
(smart-on-fhir/generated-sample-data, R4/SYNTHEA; synthetic patients) trimmed to the
Patient, its MedicationRequests (one per drug and status) and its Conditions, keeping
each resource's code, status and dates. Each is posted to ``POST /v1/check/fhir`` as
published and with every ``display`` and ``text`` removed from medication and condition
codes, as many EHR feeds send them; the flagged inputs must be the same.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
BUNDLES = sorted(p.name for p in FIXTURES.glob("synthea_codes_*.json"))
CODED = {"MedicationRequest": "medicationCodeableConcept", "Condition": "code"}


@pytest.fixture(scope="module")
def rest() -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app()) as client:
        yield client


def codes_only(bundle: dict[str, Any]) -> dict[str, Any]:
    trimmed = copy.deepcopy(bundle)
    for entry in trimmed["entry"]:
        concept = entry["resource"].get(CODED.get(entry["resource"]["resourceType"], ""))
        if concept:
            concept.pop("text", None)
            for coding in concept["coding"]:
                coding.pop("display", None)
    return trimmed


def flagged(rest: TestClient[Litestar], bundle: dict[str, Any]) -> dict[str, set[str]]:
    response = rest.post("/v1/check/fhir", json=bundle)
    assert response.status_code == 200, response.text
    report = response.json()
    return {
        name: {
            report["sources"][name][item["index"]]["reference"]
            for item in report[name]
            if item["status"] == "flagged"
        }
        for name in ("medications", "conditions")
    }


def test_the_fixtures_have_no_text_left_when_trimmed() -> None:
    assert len(BUNDLES) >= 4
    for name in BUNDLES:
        text = json.dumps(codes_only(json.loads((FIXTURES / name).read_text("utf-8"))))
        assert '"display"' not in text and '"text"' not in text, name


@pytest.mark.parametrize("name", BUNDLES)
def test_codes_alone_flag_what_the_text_flags(rest: TestClient[Litestar], name: str) -> None:
    bundle = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    with_text = flagged(rest, bundle)
    assert with_text["medications"] or name == "synthea_codes_miscarriage.json"
    assert flagged(rest, codes_only(bundle)) == with_text


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("1244214", "flagged"),  # budesonide 3 MG Delayed Release Oral Capsule
        ("1366550", "flagged"),  # 24 HR budesonide 9 MG Extended Release Oral Tablet
        ("746824", "recognized"),  # budesonide Dry Powder Inhaler
        ("19831", "recognized"),  # budesonide, the ingredient: inhaled unless said
    ],
)
def test_a_product_code_carries_its_route(
    rest: TestClient[Litestar], code: str, status: str
) -> None:
    """Oral budesonide is a systemic corticosteroid; inhaled budesonide is not."""
    body = {"medications": [{"coding": [{"system": "rxnorm", "code": code}]}]}
    report = rest.post("/v1/check", json=body).json()
    assert report["medications"][0]["status"] == status, report["medications"]
    assert report["medications"][0]["concept"] == "budesonide"


def test_a_miscarriage_does_not_flag_pregnancy(rest: TestClient[Litestar]) -> None:
    bundle = json.loads((FIXTURES / "synthea_codes_miscarriage.json").read_text())
    for body in (bundle, codes_only(bundle)):
        report = rest.post("/v1/check/fhir", json=body).json()
        concepts = {c.get("concept") for c in report["conditions"]}
        assert "pregnancy" not in concepts, report["conditions"]
