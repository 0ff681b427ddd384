"""The structured status fields of the plain-JSON inputs over HTTP (FHIR R4 codes).

A medication's ``status``, a condition's ``clinical_status`` / ``verification_status`` and
a lab's ``status`` that say an input is not current exclude it as a text that says so is:
recognized with a reason, flagged by nothing, joined into no finding. An unknown code is a
400 problem pointing at the field. Codes: FHIR R4 value sets medication-statement-status,
medicationrequest-status, condition-clinical, condition-ver-status, observation-status.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]

LOW_K: dict[str, Any] = {
    "coding": [{"system": "http://loinc.org", "code": "2823-3"}],
    "value": 3.1,
    "unit": "mmol/L",
}
FUROSEMIDE = "furosemide 40 mg daily"
K_COMBINATION = "combination/potassium_lowering_drug_with_low_potassium"


def check(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/check", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def joined(answer: dict[str, Any], list_name: str, index: int) -> list[str]:
    return [
        f["id"] for f in answer["findings"] if {"list": list_name, "index": index} in f["inputs"]
    ]


def test_an_active_diuretic_with_a_low_potassium_is_the_combination(client: Client) -> None:
    answer = check(
        client, {"medications": [{"text": FUROSEMIDE, "status": "active"}], "labs": [LOW_K]}
    )
    assert answer["risk"] == "moderate"
    assert K_COMBINATION in joined(answer, "medications", 0)
    assert answer["medications"][0]["status"] == "flagged"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("stopped", "status stopped: not taken now"),
        ("Completed", "status completed: not taken now"),
        ("not-taken", "status not-taken: not taken now"),
        ("cancelled", "status cancelled: not taken now"),
        ("on-hold", "status on-hold: held, not taken now"),
        ("ENTERED-IN-ERROR", "status entered-in-error: recorded in error, not read"),
    ],
)
def test_a_medication_not_taken_now_joins_nothing(client: Client, status: str, reason: str) -> None:
    answer = check(
        client, {"medications": [{"text": FUROSEMIDE, "status": status}], "labs": [LOW_K]}
    )
    assert answer["risk"] == "low"  # the low potassium alone
    assert joined(answer, "medications", 0) == []
    assert [f["id"] for f in answer["findings"]] == ["lab/potassium/low"]
    assert answer["medications"][0] == {
        "index": 0,
        "status": "recognized",
        "concept": "furosemide",
        "concepts": ["furosemide"],
        "reason": reason,
        "match": "name",
    }
    assert "furosemide" not in answer["note"].lower()


@pytest.mark.parametrize("status", ["intended", "draft", "unknown", "ACTIVE"])
def test_a_current_or_unknown_medication_status_is_read_as_today(
    client: Client, status: str
) -> None:
    answer = check(
        client, {"medications": [{"text": FUROSEMIDE, "status": status}], "labs": [LOW_K]}
    )
    assert K_COMBINATION in joined(answer, "medications", 0)


def test_a_stopped_status_with_a_coded_medication(client: Client) -> None:
    coded = {
        "coding": [{"system": "rxnorm", "code": "4603"}],  # furosemide, the ingredient
        "status": "stopped",
    }
    answer = check(client, {"medications": [coded, {"text": "simvastatin 40 mg"}]})
    assert answer["medications"][0]["status"] == "recognized"
    assert answer["medications"][0]["reason"] == "status stopped: not taken now"
    assert answer["medications"][1]["status"] == "flagged"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"clinical_status": "resolved"}, "clinical status resolved: not current"),
        ({"clinical_status": "Inactive"}, "clinical status inactive: not current"),
        ({"clinical_status": "remission"}, "clinical status remission: not current"),
        ({"verification_status": "refuted"}, "verification status refuted: ruled out"),
        (
            {"verification_status": "entered-in-error"},
            "status entered-in-error: recorded in error, not read",
        ),
        (
            {"verification_status": "provisional"},
            "verification status provisional: not established",
        ),
        (
            {"verification_status": "differential"},
            "verification status differential: not established",
        ),
        (
            {"clinical_status": "active", "verification_status": "unconfirmed"},
            "verification status unconfirmed: not established",
        ),
        (
            {"clinical_status": "resolved", "verification_status": "refuted"},
            "verification status refuted: ruled out",
        ),
    ],
)
def test_a_condition_not_current_is_not_flagged(
    client: Client, condition: dict[str, str], reason: str
) -> None:
    body = {
        "medications": [{"text": "simvastatin 40 mg"}],
        "conditions": [{"text": "hypothyroidism", **condition}],
    }
    answer = check(client, body)
    assert answer["conditions"][0]["status"] == "recognized"
    assert answer["conditions"][0]["reason"] == reason
    assert joined(answer, "conditions", 0) == []
    assert answer["risk"] == "low"  # the statin alone


@pytest.mark.parametrize(
    "condition",
    [
        {},
        {"clinical_status": "active"},
        {"clinical_status": "recurrence", "verification_status": "confirmed"},
        {"clinical_status": "relapse"},
    ],
)
def test_a_current_condition_is_flagged_as_today(client: Client, condition: dict[str, str]) -> None:
    answer = check(client, {"conditions": [{"text": "hypothyroidism", **condition}]})
    assert answer["conditions"][0]["status"] == "flagged"


def test_a_provisional_condition_is_read_as_a_possible_one(client: Client) -> None:
    coded = {"coding": [{"system": "icd10cm", "code": "E03.9"}]}
    answer = check(
        client,
        {
            "conditions": [
                {**coded, "verification_status": "provisional"},
                {"text": "possible hypothyroidism"},
            ]
        },
    )
    assert [c["status"] for c in answer["conditions"]] == ["recognized", "recognized"]
    assert answer["findings"] == []
    assert answer["risk"] == "none"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("entered-in-error", "status entered-in-error: recorded in error, not read"),
        ("cancelled", "status cancelled: not a final result, not read"),
        ("preliminary", "status preliminary: not a final result, not read"),
        ("registered", "status registered: not a final result, not read"),
    ],
)
def test_a_lab_not_final_is_not_used(client: Client, status: str, reason: str) -> None:
    body = {
        "medications": [{"text": FUROSEMIDE}],
        "labs": [{**LOW_K, "value": 2.4, "status": status}],
    }
    answer = check(client, body)
    assert answer["labs"][0] == {
        "index": 0,
        "status": "recognized",
        "concept": "potassium",
        "concepts": ["potassium"],
        "reason": reason,
        "match": "code",
    }
    assert joined(answer, "labs", 0) == []
    assert answer["risk"] == "low"  # the diuretic alone


def test_a_lab_in_error_with_an_impossible_value_is_not_an_entry_error(client: Client) -> None:
    body = {"labs": [{**LOW_K, "value": 31, "status": "entered-in-error"}]}
    assert check(client, body)["labs"][0]["status"] == "recognized"
    without = client.post("/v1/check", json={"labs": [{**LOW_K, "value": 31}]})
    assert without.status_code == 400


@pytest.mark.parametrize("status", ["final", "amended", "corrected", "unknown", "FINAL"])
def test_a_final_lab_is_used(client: Client, status: str) -> None:
    answer = check(
        client, {"medications": [{"text": FUROSEMIDE}], "labs": [{**LOW_K, "status": status}]}
    )
    assert K_COMBINATION in joined(answer, "labs", 0)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (
            {"medications": [{"text": FUROSEMIDE, "status": "discontinued"}]},
            "/medications/0/status",
        ),
        ({"medications": [{"text": FUROSEMIDE, "status": 3}]}, "/medications/0/status"),
        ({"medications": [{"text": FUROSEMIDE, "status": " stopped"}]}, "/medications/0/status"),
        (
            {"conditions": [{"text": "gout", "clinical_status": "cured"}]},
            "/conditions/0/clinical_status",
        ),
        (
            {"conditions": [{"text": "gout"}, {"text": "gout", "verification_status": "no"}]},
            "/conditions/1/verification_status",
        ),
        ({"labs": [{**LOW_K, "status": "done"}]}, "/labs/0/status"),
    ],
)
def test_an_unknown_status_is_a_400_problem_at_the_field(
    client: Client, body: dict[str, Any], pointer: str
) -> None:
    response = client.post("/v1/check", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [e["pointer"] for e in problem["errors"]] == [pointer]
    if not isinstance(body.get("medications", [{}])[0].get("status", ""), int):
        assert problem["errors"][0]["detail"].startswith("Expected one of `")


def test_the_openapi_document_lists_the_codes(client: Client) -> None:
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    status = schemas["MedicationInputWithText"]["properties"]["status"]["anyOf"][0]
    assert "`on-hold`" in status["description"]
    assert status["pattern"].startswith("^(?:[Aa][Cc][Tt][Ii][Vv][Ee]|")
