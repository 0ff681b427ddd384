"""Service calls with prefetch: cards that name the drugs and conditions, without alert storms."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cdshooks.conftest import (
    MEDICATION_PRESCRIBE,
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    Client,
    make_client,
)

Body = Callable[[str], dict[str, Any]]
INDICATORS = {"info", "warning", "critical"}


def cards_of(client: Client, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def assert_valid_card(card: dict[str, Any]) -> None:
    assert len(card["summary"]) < 140
    assert card["indicator"] in INDICATORS
    assert card["source"]["label"]
    assert card["source"]["url"].startswith("http")
    assert card["uuid"]
    for heading in ("**Based on**", "**Monitoring**", "**Evidence**"):
        assert heading in card["detail"]
    if card.get("suggestions"):
        assert card["selectionBehavior"] == "any"
        for suggestion in card["suggestions"]:
            assert suggestion["label"] and suggestion["uuid"]
            for action in suggestion["actions"]:
                assert action["description"]
                if action["type"] == "delete":  # a draft order, by its `Type/id`
                    assert action["resourceId"].startswith("MedicationRequest/")
                    assert "resource" not in action
                else:
                    assert action["type"] == "create"
                    assert action["resource"]["resourceType"] == "ServiceRequest"
    if card["indicator"] != "info":
        assert all(r["display"] for r in card["overrideReasons"])


def test_patient_view_cards_name_drugs_labs_and_conditions(cds: Client, request_body: Body) -> None:
    cards = cards_of(cds, PATIENT_VIEW, request_body("cds_patient_view.json"))
    for card in cards:
        assert_valid_card(card)
    summaries = [c["summary"] for c in cards]
    # A low potassium and a low magnesium with the drugs that lower them: one problem.
    potassium = next(c for c in cards if "low potassium and magnesium" in c["summary"].lower())
    assert potassium["indicator"] == "warning"  # K 3.0 mmol/L is mild; below 3.0 is critical
    assert "furosemide" in potassium["summary"] and "prednisone" in potassium["summary"]
    assert "omeprazole" in potassium["summary"]  # from the text-only MedicationStatement
    assert "potassium 3.0 mmol/L" in potassium["summary"]
    assert "magnesium 1.5 mg/dL" in potassium["summary"]
    # The loop diuretic's own finding is on this card, not a card of its own.
    assert "Furosemide (loop diuretic)" in potassium["detail"]
    assert not any(s.startswith("Furosemide (loop diuretic)") for s in summaries)
    labels = [s["label"] for s in potassium["suggestions"]]
    assert any("basic metabolic panel" in label for label in labels)
    assert any("magnesium" in label for label in labels)
    # Low-severity contributors share one info card.
    minor = [c for c in cards if c["indicator"] == "info"]
    assert len(minor) == 1 and "diabetes" in minor[0]["summary"]
    assert len(cards) == len({c["uuid"] for c in cards}) == 2


def test_cards_point_back_at_the_fhir_resources(cds: Client, request_body: Body) -> None:
    cards = cards_of(cds, PATIENT_VIEW, request_body("cds_patient_view.json"))
    detail = next(c for c in cards if "low potassium" in c["summary"].lower())["detail"]
    assert "MedicationRequest/mr-furosemide" in detail
    assert "MedicationRequest/mr-prednisone" in detail
    assert "Observation/obs-k" in detail and "2026-11-02" in detail
    assert "10 ML Furosemide 10 MG/ML Injection" in detail  # the bundled Medication's display
    assert "predniSONE 5 MG Oral Tablet" in detail  # the contained Medication's display


def test_card_uuids_are_new_on_every_call_and_topics_stable(
    cds: Client, request_body: Body
) -> None:
    """CDS Hooks: `uuid` is the unique identifier of the card (and of the suggestion); the
    problem a card is about is named, the same on every call, by `source.topic`."""
    calls = [cards_of(cds, PATIENT_VIEW, request_body("cds_patient_view.json")) for _ in "ab"]
    uuids = [
        value
        for cards in calls
        for card in cards
        for value in (card["uuid"], *(s["uuid"] for s in card.get("suggestions", [])))
    ]
    assert len(uuids) == len(set(uuids)) > 6
    topics = [[c["source"]["topic"] for c in cards] for cards in calls]
    assert topics[0] == topics[1]
    assert {t["system"] for t in topics[0]} == {"urn:cramp-checker:cds-hooks:problem"}
    assert "combination/drug_with_low_potassium_and_low_magnesium" in {t["code"] for t in topics[0]}


def test_order_sign_speaks_only_of_the_new_drugs(cds: Client, request_body: Body) -> None:
    cards = cards_of(cds, ORDER_SIGN, request_body("cds_order_sign.json"))
    for card in cards:
        assert_valid_card(card)
    summaries = [c["summary"] for c in cards]
    assert summaries, "a new thiazide with low potassium must be flagged"
    assert all("hydrochlorothiazide" in s or "simvastatin" in s for s in summaries)
    potassium = next(c for c in cards if "low potassium" in c["summary"])
    assert potassium["summary"].startswith("Adding hydrochlorothiazide:")
    # What it adds to: named in the summary when it fits, always in the detail.
    assert "furosemide" in potassium["detail"]
    assert "new order" in potassium["detail"]
    # Renewing metformin (already taken) adds nothing; the diabetes card is patient-view's.
    assert not any("metformin" in s or "diabetes" in s for s in summaries)


def test_order_select_speaks_of_the_selected_order(request_body: Body) -> None:
    """The selected simvastatin is one low contributor: an info card, which order hooks
    show only when CRAMP_CDS_ORDER_MIN_INDICATOR is info (the default, warning, leaves it
    out: test_order_min_indicator)."""
    client = make_client(cds_order_min_indicator="info")
    try:
        cards = cards_of(client, ORDER_SELECT, request_body("cds_order_select.json"))
    finally:
        client.__exit__(None, None, None)
    assert [c["indicator"] for c in cards] == ["info"]
    assert "simvastatin" in cards[0]["summary"]
    assert "hydrochlorothiazide" not in cards[0]["summary"]


def test_order_select_of_another_order_repeats_no_drug_card(
    cds: Client, request_body: Body
) -> None:
    """Selecting a lab order while medication drafts wait: those drafts were answered when
    they were selected; repeating their cards now is alert fatigue."""
    body = request_body("cds_order_select.json")
    body["context"]["draftOrders"]["entry"].append(
        {
            "resource": {
                "resourceType": "ServiceRequest",
                "id": "draft-bmp",
                "status": "draft",
                "intent": "order",
                "subject": {"reference": "Patient/cdsp-1001"},
                "code": {"coding": [{"system": "http://loinc.org", "code": "51990-0"}]},
            }
        }
    )
    body["context"]["selections"] = ["ServiceRequest/draft-bmp"]
    assert cards_of(cds, ORDER_SELECT, body) == []
    # Without selections, every draft is new.
    body["context"]["selections"] = []
    summaries = [c["summary"] for c in cards_of(cds, ORDER_SELECT, body)]
    assert any("hydrochlorothiazide" in s for s in summaries)


def test_order_sign_without_new_drugs_has_no_cards(cds: Client, request_body: Body) -> None:
    body = request_body("cds_order_sign.json")
    entries = body["context"]["draftOrders"]["entry"]
    body["context"]["draftOrders"]["entry"] = [
        e for e in entries if e["resource"]["id"] == "draft-metformin"
    ]
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_medication_prescribe_from_the_sandbox(cds: Client, request_body: Body) -> None:
    cards = cards_of(cds, MEDICATION_PRESCRIBE, request_body("cds_medication_prescribe.json"))
    assert cards and cards[0]["indicator"] == "warning"
    assert cards[0]["summary"].startswith("Adding hydrochlorothiazide:")
    assert "potassium 3.0 mmol/L" in cards[0]["summary"]


def test_patient_with_nothing_to_say_gets_no_cards(cds: Client, request_body: Body) -> None:
    body = request_body("cds_patient_view.json")
    body["prefetch"] = {
        "patient": body["prefetch"]["patient"],
        "medicationRequests": None,
        "medicationStatements": None,
        "conditions": None,
        "observations": None,
    }
    assert cards_of(cds, PATIENT_VIEW, body) == []


def test_another_patients_prefetched_data_is_ignored(cds: Client, request_body: Body) -> None:
    body = request_body("cds_patient_view.json")
    body["context"]["patientId"] = "cdsp-2002"
    body.pop("fhirServer")
    assert cards_of(cds, PATIENT_VIEW, body) == []


def test_unrecognized_medications_are_named_as_not_checked(cds: Client, request_body: Body) -> None:
    body = request_body("cds_patient_view.json")
    entries = body["prefetch"]["medicationStatements"]["entry"]
    entries.append(
        {
            "resource": {
                "resourceType": "MedicationStatement",
                "id": "ms-herbal",
                "status": "active",
                "subject": {"reference": "Patient/cdsp-1001"},
                "medicationCodeableConcept": {"text": "Zyxoflam *herbal* tea"},
            }
        }
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    # Said once, on the info card (review14 #10: it was on every card).
    named = [c for c in cards if "**Not checked** (not recognized)" in c["detail"]]
    assert [c["indicator"] for c in named] == ["info"] and len(cards) > 1
    # EHR text is escaped inside the Markdown.
    assert r"Zyxoflam \*herbal\* tea (MedicationStatement/ms-herbal)" in named[0]["detail"]


def test_no_prefetch_and_no_fhir_server_is_412(cds: Client, request_body: Body) -> None:
    body = request_body("cds_patient_view.json")
    del body["prefetch"], body["fhirServer"]
    response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 412
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 412


def test_prefetch_failures_reported_as_operation_outcome_are_412(
    cds: Client, request_body: Body
) -> None:
    body = request_body("cds_patient_view.json")
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    body["prefetch"] = dict.fromkeys(body["prefetch"], outcome)
    del body["fhirServer"]
    assert cds.post(PATIENT_VIEW, json=body).status_code == 412


def test_partial_prefetch_is_used(cds: Client, request_body: Body) -> None:
    body = request_body("cds_patient_view.json")
    del body["fhirServer"]
    body["prefetch"] = {"observations": body["prefetch"]["observations"]}
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert any("potassium 3.0 mmol/L" in c["summary"] for c in cards)


def test_bad_bodies_are_400_with_a_pointer(cds: Client, request_body: Body) -> None:
    cases: list[tuple[dict[str, Any], str]] = []
    body = request_body("cds_patient_view.json")
    del body["context"]["patientId"]
    cases.append((body, "/context"))
    body = request_body("cds_patient_view.json")
    body["hook"] = "order-sign"
    cases.append((body, "/hook"))
    body = request_body("cds_patient_view.json")
    body["context"]["patientId"] = "../../etc/passwd"
    cases.append((body, "/context/patientId"))
    body = request_body("cds_patient_view.json")
    body["prefetch"]["conditions"] = "not a resource"
    cases.append((body, "/prefetch/conditions"))
    body = request_body("cds_patient_view.json")
    body["fhirServer"] = "file:///etc/passwd"
    cases.append((body, "/fhirServer"))
    for bad, pointer in cases:
        response = cds.post(PATIENT_VIEW, json=bad)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["pointer"] == pointer


def test_draft_medications_must_be_resources(cds: Client) -> None:
    body = {
        "hook": "medication-prescribe",
        "hookInstance": "d1f0c0de-0000-4000-8000-000000000001",
        "context": {"patientId": "p1", "medications": [{"resourceType": "Patient"}, [None]]},
        "prefetch": {"patient": None},
    }
    response = cds.post("/cds-services/cramp-risk-medication-prescribe", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["pointer"] == "/context/medications/1"


def test_not_json_is_400(cds: Client) -> None:
    response = cds.post(
        PATIENT_VIEW, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == ""


def test_a_whole_number_result_reads_the_same_in_summary_and_based_on(
    cds: Client, request_body: Body
) -> None:
    body = request_body("cds_patient_view.json")
    body["prefetch"]["observations"]["entry"][0]["resource"]["valueQuantity"]["value"] = 3
    cards = cards_of(cds, PATIENT_VIEW, body)
    potassium = next(c for c in cards if "low potassium" in c["summary"].lower())
    assert "potassium 3.0 mmol/L" in potassium["summary"]
    based_on = potassium["detail"].split("**Based on**")[1].split("**Monitoring**")[0]
    assert "3.0 mmol/L" in based_on and "3 mmol/L" not in based_on


def test_prefetch_of_another_resource_type_is_not_data(cds: Client, request_body: Body) -> None:
    """Review 20 A2: a CapabilityStatement (or any resource but a Bundle or the key's own
    type) where a search Bundle was expected was read as "found, no entries", and the
    call answered a clean `{"cards": []}`. It is a failed prefetch: 412 when no key is
    left, else the cards say what was not read."""
    body = request_body("cds_patient_view.json")
    del body["fhirServer"]
    body["prefetch"] = {
        "medicationRequests": {"resourceType": "CapabilityStatement", "status": "active"},
        "medicationStatements": {"resourceType": "Patient", "id": "cdsp-1001"},
        "conditions": {"resourceType": "Basic"},
        "observations": {"resourceType": "OperationOutcomeX"},
    }
    assert cds.post(PATIENT_VIEW, json=body).status_code == 412
    body = request_body("cds_patient_view.json")
    del body["fhirServer"]
    body["prefetch"]["conditions"] = {"resourceType": "CapabilityStatement"}
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert cards and all(
        "problem list: the prefetch value is neither a Bundle nor a Condition" in c["detail"]
        for c in cards
    )
    # A single resource of the key's own type is still read.
    body = request_body("cds_patient_view.json")
    del body["fhirServer"]
    observations = body["prefetch"]["observations"]["entry"]
    body["prefetch"]["observations"] = observations[0]["resource"]
    assert any("potassium 3.0 mmol/L" in c["summary"] for c in cards_of(cds, PATIENT_VIEW, body))


def test_a_fhir_server_with_a_query_or_fragment_is_400(cds: Client, request_body: Body) -> None:
    """Review 20 A2: `…/ok#frag` made every query `GET /ok` (the path and patient filter
    went into the fragment), and `?tenant=1` made them `GET /ok?tenant=1/Patient/p1`."""
    for server in ("http://127.0.0.1:9/fhir#frag", "http://127.0.0.1:9/fhir?tenant=1"):
        body = request_body("cds_patient_view.json")
        body["fhirServer"] = server
        response = cds.post(PATIENT_VIEW, json=body)
        assert response.status_code == 400, server
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["pointer"] == "/fhirServer"


def post_raw(client: Client, path: str, text: str) -> Any:
    return client.post(path, content=text.encode(), headers={"content-type": "application/json"})


def test_duplicate_keys_in_prefetch_and_draft_orders_are_400(
    cds: Client, request_body: Body
) -> None:
    """Review 20 B3: `"value": 4.1, "value": 2.1` in a prefetch Observation gave a critical
    card (msgspec keeps the last), where `/v1/check/fhir` refuses the same JSON."""
    body = request_body("cds_patient_view.json")
    text = json.dumps(body)
    assert text.count('"value": 3.0,') == 1
    doubled = text.replace('"value": 3.0,', '"value": 4.1, "value": 3.0,')
    response = post_raw(cds, PATIENT_VIEW, doubled)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == (
        "/prefetch/observations/entry/0/resource/valueQuantity/value"
    )
    assert "more than once" in response.json()["errors"][0]["detail"]
    # The same in the new orders of an order hook.
    text = json.dumps(request_body("cds_order_sign.json"))
    doubled = text.replace('"status": "draft"', '"status": "draft", "status": "stopped"', 1)
    assert doubled != text
    response = post_raw(cds, ORDER_SIGN, doubled)
    assert response.status_code == 400, response.text
    pointer = response.json()["errors"][0]["pointer"]
    assert pointer.startswith("/context/draftOrders/entry/") and pointer.endswith("/status")
