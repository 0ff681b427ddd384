"""FHIR records as EHRs send them (Synthea-style resources), checked over HTTP
(``POST /v1/check/fhir``): each case says what a clinician should see and why (round 31)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.fhir.builders import check, finding_ids, reasons

Client = TestClient[Litestar]
PID = "r31-patient"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SUBJECT = {"reference": f"Patient/{PID}"}


def ago(days: float) -> str:
    """A dateTime ``days`` before now (results must be recent to be read)."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def patient(gender: str = "female", birth: str = "1950-04-02") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PID, "gender": gender, "birthDate": birth}


def request(rid: str, text: str, code: str | None = None, **fields: Any) -> dict[str, Any]:
    """An active MedicationRequest (order) as Synthea writes one."""
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": text}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "medicationCodeableConcept": concept,
        "authoredOn": ago(30),
        **fields,
    }


def statement(rid: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": {"text": text},
        **fields,
    }


def observation(
    rid: str, loinc: str, value: float | None, unit: str | None, days: float = 1, **fields: Any
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": SUBJECT,
        "effectiveDateTime": ago(days),
    }
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    resource.update(fields)
    return resource


def condition(rid: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "subject": SUBJECT,
        "code": {"text": text},
        "recordedDate": ago(20),
        **fields,
    }


def test_a_statement_based_on_an_order_read_is_that_order_not_a_second_drug(
    client: Client,
) -> None:
    """Round 31 #1: an EHR that lists a patient's medications both as the order
    (MedicationRequest) and as the patient's statement of it (MedicationStatement with
    ``basedOn`` the order) counted furosemide twice: "same drug twice" (duplicate
    therapy, moderate) beside the real problem. The statement is the order's report."""
    report = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
        statement(
            "ms-furo",
            "furosemide 40 mg tablet",
            basedOn=[{"reference": "MedicationRequest/mr-furo"}],
        ),
        observation("k", "2823-3", 3.2, "mmol/L"),
    )
    assert "combination/same_drug_twice/furosemide" not in finding_ids(report)
    assert "combination/potassium_lowering_drug_with_low_potassium" in finding_ids(report)
    assert [m["concept"] for m in report["medications"]] == ["furosemide"]
    assert reasons(report)["MedicationStatement/ms-furo"].startswith(
        "reports on the order MedicationRequest/mr-furo"
    )


def test_a_statement_based_on_an_order_not_read_stays(client: Client) -> None:
    """The order it names was stopped (not read): the patient's statement that they take
    the drug is the only current record of it, and it is read."""
    report = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988", status="stopped"),
        statement(
            "ms-furo",
            "furosemide 40 mg tablet",
            derivedFrom=[{"reference": "MedicationRequest/mr-furo"}],
        ),
    )
    assert [m["concept"] for m in report["medications"]] == ["furosemide"]
    assert report["sources"]["medications"][0]["reference"] == "MedicationStatement/ms-furo"


def test_a_bound_written_in_value_string_is_read_as_a_bound(client: Client) -> None:
    """Round 31 #4: a potassium sent as ``valueString`` "<2.5 mmol/L" (as results converted
    from HL7 v2 carry it) was left out as "no numeric result", so last month's normal
    potassium became the latest and the critical result vanished. It is read as a
    ``valueQuantity`` with comparator "<" is: below 2.5 is low whatever the value."""
    today = observation("k-new", "2823-3", None, None, days=1, valueString="<2.5 mmol/L")
    report = check(
        client,
        patient(),
        observation("k-old", "2823-3", 4.1, "mmol/L", days=30),
        today,
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
    )
    assert report["risk"] == "high"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-new"
    assert report["sources"]["labs"][0]["display"] == "2823-3 <2.5 mmol/L"
    assert "lab/potassium/low" in finding_ids(report)
    assert reasons(report)["Observation/k-old"] == (
        "a more recent result is used (Observation/k-new)"
    )


def test_a_value_string_bound_that_may_be_normal_is_not_checked(client: Client) -> None:
    """A potassium ">3.0" may be normal: not checked, and no older result takes its place."""
    report = check(
        client,
        patient(),
        observation("k-old", "2823-3", 2.9, "mmol/L", days=30),
        observation("k-new", "2823-3", None, None, days=1, valueString=">3.0 mmol/L"),
    )
    assert report["risk"] == "none"
    assert "may be normal" in reasons(report)["Observation/k-new"]
