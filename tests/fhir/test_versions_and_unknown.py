"""Review 56f D3, D6, D7 through `POST /v1/check/fhir`: two versions of one resource in a
Bundle (the later one is read, the other listed), FHIR's `unknown` status read as the REST
field reads it, and SNOMED CT 444814009 "Viral sinusitis" read as an acute infection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings

PATH = "/v1/check/fhir"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SCT = "http://snomed.info/sct"
UNKNOWN_MED = "status unknown: the source does not know which status applies, read as current"
UNKNOWN_LAB = "status unknown: the source does not know which status applies, read as final"


@pytest.fixture(scope="module")
def rest() -> Iterator[TestClient[Litestar]]:
    app = create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))
    with TestClient(app) as client:
        yield client


PATIENT = {
    "fullUrl": "urn:uuid:p1",
    "resource": {
        "resourceType": "Patient",
        "id": "p1",
        "gender": "female",
        "birthDate": "1950-01-01",
    },
}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [PATIENT, *({"resource": r} for r in resources)],
    }


def potassium(status: str = "final", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "k1",
        "status": status,
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-11-20",
        "valueQuantity": {
            "value": 2.9,
            "unit": "mmol/L",
            "system": "http://unitsofmeasure.org",
            "code": "mmol/L",
        },
        **extra,
    }


def furosemide(status: str = "active", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {
            "coding": [
                {"system": RXNORM, "code": "313988", "display": "Furosemide 40 MG Oral Tablet"}
            ]
        },
        **extra,
    }


def condition(code: str, display: str, clinical: str = "active", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": SCT, "code": code, "display": display}]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical,
                }
            ]
        },
        **extra,
    }


def check(rest: TestClient[Litestar], body: dict[str, Any]) -> dict[str, Any]:
    response = rest.post(PATH, json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def ignored(report: dict[str, Any]) -> dict[str, str]:
    return {i["reference"]: i["reason"] for i in report["ignored"]}


# D3: versions ----------------------------------------------------------------------------


def test_a_later_entered_in_error_version_withdraws_the_result(rest: TestClient[Litestar]) -> None:
    report = check(
        rest,
        bundle(
            potassium(meta={"versionId": "1", "lastUpdated": "2026-11-20T09:00:00Z"}),
            potassium("entered-in-error", meta={"versionId": "2"}),
        ),
    )
    assert report["risk"] == "none" and report["labs"] == []
    assert ignored(report) == {
        "Observation/k1/_history/1": "superseded by version 2 of the same resource",
        "Observation/k1": "status entered-in-error",
    }


def test_the_highest_version_wins_whatever_the_order(rest: TestClient[Litestar]) -> None:
    # Version 2 (stopped) first, version 10 (active again) after: numbers, not text.
    report = check(
        rest,
        bundle(
            furosemide(meta={"versionId": "10"}),
            furosemide("stopped", meta={"versionId": "2"}),
            furosemide("active", meta={"versionId": "9"}),
        ),
    )
    assert len(report["medications"]) == 1
    assert report["sources"]["medications"][0]["reference"] == "MedicationRequest/m1"
    assert ignored(report) == {
        "MedicationRequest/m1/_history/2": "superseded by version 10 of the same resource",
        "MedicationRequest/m1/_history/9": "superseded by version 10 of the same resource",
    }


def test_a_stopped_later_version_of_an_order_is_read(rest: TestClient[Litestar]) -> None:
    report = check(
        rest,
        bundle(
            potassium(),
            furosemide(meta={"versionId": "1"}),
            furosemide("stopped", meta={"versionId": "2"}),
        ),
    )
    assert report["medications"] == []
    assert all(i["list"] == "labs" for f in report["findings"] for i in f["inputs"])
    assert ignored(report)["MedicationRequest/m1/_history/1"] == (
        "superseded by version 2 of the same resource"
    )
    assert ignored(report)["MedicationRequest/m1"] == "status stopped"


def test_last_updated_decides_without_version_numbers(rest: TestClient[Litestar]) -> None:
    report = check(
        rest,
        bundle(
            condition("40930008", "Hypothyroidism (disorder)", meta={"lastUpdated": "2026-11-01"}),
            condition(
                "40930008",
                "Hypothyroidism (disorder)",
                "resolved",
                meta={"lastUpdated": "2026-11-21T09:00:00Z"},
            ),
        ),
    )
    assert report["conditions"] == []
    assert [(i["reference"], i["reason"]) for i in report["ignored"]] == [
        (
            "Condition/c1",
            "superseded by a later version of the same resource"
            " (meta.lastUpdated 2026-11-21T09:00:00Z)",
        ),
        ("Condition/c1", "clinical status resolved"),
    ]


def test_versions_that_cannot_be_ordered_keep_the_first_as_before(
    rest: TestClient[Litestar],
) -> None:
    # No meta: the first is read, the repeat counts once (prefetch and fetch may overlap).
    report = check(rest, bundle(potassium(), potassium("entered-in-error")))
    assert report["risk"] == "high" and report["ignored"] == []
    # The same version twice: as before.
    same = {"versionId": "3"}
    report = check(rest, bundle(potassium(meta=same), potassium(meta=same)))
    assert report["risk"] == "high" and report["ignored"] == []
    # Different resources (ids) are both read.
    other = potassium(id="k2", effectiveDateTime="2026-11-21", meta={"versionId": "1"})
    report = check(rest, bundle(potassium(meta={"versionId": "2"}), other))
    assert all("superseded" not in i["reason"] for i in report["ignored"])


# D6: status unknown ----------------------------------------------------------------------


def test_status_unknown_is_read_as_rest_reads_it(rest: TestClient[Litestar]) -> None:
    report = check(rest, bundle(furosemide("unknown"), potassium("unknown")))
    assert report["risk"] == "high"
    assert [m["status"] for m in report["medications"]] == ["flagged"]
    assert report["medications"][0]["reason"] == UNKNOWN_MED
    assert [lab["status"] for lab in report["labs"]] == ["flagged"]
    assert report["labs"][0]["reason"] == UNKNOWN_LAB
    assert report["ignored"] == []
    # REST says the same of its own status field.
    rest_report = rest.post(
        "/v1/check",
        json={
            "medications": [{"text": "furosemide 40 mg daily", "status": "unknown"}],
            "labs": [
                {
                    "coding": [{"system": "http://loinc.org", "code": "2823-3"}],
                    "value": 2.9,
                    "unit": "mmol/L",
                    "status": "unknown",
                }
            ],
        },
    ).json()
    assert rest_report["medications"][0]["reason"] == UNKNOWN_MED
    assert rest_report["labs"][0]["reason"] == UNKNOWN_LAB


def test_statement_status_unknown_is_read(rest: TestClient[Litestar]) -> None:
    statement = {
        **furosemide(),
        "resourceType": "MedicationStatement",
        "status": "unknown",
    }
    del statement["intent"]
    report = check(rest, bundle(statement))
    assert [m["reason"] for m in report["medications"]] == [UNKNOWN_MED]


def test_near_statuses_keep_todays_reading(rest: TestClient[Litestar]) -> None:
    report = check(
        rest,
        bundle(
            furosemide("cancelled"),
            potassium("registered"),
        ),
    )
    assert report["medications"] == [] and report["labs"] == []
    assert ignored(report) == {
        "MedicationRequest/m1": "status cancelled",
        "Observation/k1": "status registered",
    }
    report = check(rest, bundle(furosemide(), potassium()))
    assert report["medications"][0].get("reason") != UNKNOWN_MED
    assert report["labs"][0].get("reason") != UNKNOWN_LAB


def test_a_pregnancy_status_of_status_unknown_is_not_read(rest: TestClient[Litestar]) -> None:
    status = {
        "resourceType": "Observation",
        "id": "preg",
        "status": "unknown",
        "code": {"coding": [{"system": "http://loinc.org", "code": "82810-3"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-11-20",
        "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA15173-0"}]},
    }
    report = check(rest, bundle(status))
    assert ignored(report) == {"Observation/preg": "status unknown"}


# D7: SNOMED CT 444814009 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "display", "concept"),
    [
        ("444814009", "Viral sinusitis (disorder)", "acute upper respiratory infection"),
        ("444814009", None, "acute upper respiratory infection"),
        ("75498004", "Acute bacterial sinusitis (disorder)", "acute upper respiratory infection"),
        # Near cases that keep today's reading.
        ("40055000", "Chronic sinusitis (disorder)", "chronic sinusitis"),
        ("36971009", "Sinusitis (disorder)", "chronic sinusitis"),
    ],
)
def test_sinusitis_codes(
    rest: TestClient[Litestar], code: str, display: str | None, concept: str
) -> None:
    cond = condition(code, display or "")
    if display is None:
        del cond["code"]["coding"][0]["display"]
    report = check(rest, bundle(cond))
    assert report["conditions"][0]["concept"] == concept
