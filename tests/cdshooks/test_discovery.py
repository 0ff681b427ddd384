"""Discovery: the services a CDS client registers, with their prefetch templates."""

from __future__ import annotations

from urllib.parse import unquote

from service.cdshooks.services import observation_codes
from service.knowledge import KnowledgeBase
from tests.cdshooks.conftest import Client

CHECKED_ANALYTES = ("potassium", "magnesium", "calcium", "glucose", "tsh", "hemoglobin")


def test_discovery_lists_patient_view_and_order_services(cds: Client) -> None:
    response = cds.get("/cds-services")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()["services"]
    hooks = {s["hook"]: s for s in services}
    assert set(hooks) == {"patient-view", "order-select", "order-sign", "medication-prescribe"}
    for service in services:
        assert service["id"] and service["title"] and service["description"]
        assert set(service["prefetch"]) == {
            "patient",
            "medicationRequests",
            "medicationStatements",
            "conditions",
            "observations",
        }
    assert "deprecated" in hooks["medication-prescribe"]["usageRequirements"].lower()


def test_prefetch_templates_use_the_context_token_and_active_filters(cds: Client) -> None:
    prefetch = cds.get("/cds-services").json()["services"][0]["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["medicationRequests"].startswith(
        "MedicationRequest?patient={{context.patientId}}&status=active"
    )
    assert "status=active,intended" in prefetch["medicationStatements"]
    assert "clinical-status=active,recurrence,relapse" in prefetch["conditions"]
    assert prefetch["observations"].startswith("Observation?patient={{context.patientId}}&code=")
    assert "_sort=-date" in prefetch["observations"]


def test_observation_template_names_every_loinc_code_of_the_checked_analytes(
    cds: Client, kb: KnowledgeBase
) -> None:
    template = cds.get("/cds-services").json()["services"][0]["prefetch"]["observations"]
    encoded = template.split("&code=", 1)[1].split("&", 1)[0].split(",")
    # Percent-encoded: a raw `|` in a query is refused by Tomcat-based FHIR servers.
    assert "http%3A%2F%2Floinc.org%7C2823-3" in encoded
    assert not any(c in template for c in "|:")
    codes = [unquote(code) for code in encoded]
    for analyte in CHECKED_ANALYTES:
        for code in kb.analytes[analyte].loinc:
            assert f"http://loinc.org|{code}" in codes, (analyte, code)
    # Both specimen kinds of potassium are asked for: Synthea emits 6298-4 (blood).
    assert {"http://loinc.org|2823-3", "http://loinc.org|6298-4"} <= set(codes)
    assert len(codes) == len(observation_codes(kb))
