"""Review 51 D1/D2 on ``POST /v1/check/fhir``: MedicationRequests coded by ATC only, and a
Condition coded by SNOMED CT only, give the findings of the same inputs sent by name."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.fhir.builders import check, finding_ids, order

ATC = "http://www.whocc.no/atc"
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-01-01"}


def concept(code: str | None, text: str | None = None) -> dict[str, Any]:
    if code is None:
        return {"text": text}
    return {"coding": [{"system": ATC, "code": code}]}


PAIRS = [
    (("C10AA01", "simvastatin"), ("J01FA09", "clarithromycin")),
    (("C10AA01", "simvastatin"), ("J02AC02", "itraconazole")),
    (("M04AC01", "colchicine"), ("J01FA09", "clarithromycin")),
    (("C10AA05", "atorvastatin"), ("J01XX09", "daptomycin")),
    (("C10AA01", "simvastatin"), ("J05AR10", "Kaletra")),
]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_atc_coded_orders_give_the_findings_of_their_names(
    client: TestClient[Litestar], first: tuple[str, str], second: tuple[str, str]
) -> None:
    def report(coded: bool) -> dict[str, Any]:
        return check(
            client,
            PATIENT,
            *(
                order(
                    f"mr{i}", "p1", medicationCodeableConcept=concept(code if coded else None, text)
                )
                for i, (code, text) in enumerate((first, second))
            ),
        )

    coded, named = report(True), report(False)
    assert finding_ids(coded) == finding_ids(named)
    assert coded["risk"] == named["risk"]
    assert [m["status"] for m in coded["medications"]] == [
        m["status"] for m in named["medications"]
    ]
    assert all(m["status"] != "unrecognized" for m in coded["medications"])


def test_simvastatin_and_clarithromycin_by_atc_is_high(client: TestClient[Litestar]) -> None:
    report = check(
        client,
        PATIENT,
        order("mr0", "p1", medicationCodeableConcept=concept("C10AA01")),
        order("mr1", "p1", medicationCodeableConcept=concept("J01FA09")),
    )
    assert report["risk"] == "high"
    assert "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor" in finding_ids(
        report
    )


def test_spinal_stenosis_coded_by_snomed_only(client: TestClient[Litestar]) -> None:
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "76107001"}]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
    }
    report = check(client, PATIENT, condition)
    assert "condition/spinal_stenosis" in finding_ids(report)
