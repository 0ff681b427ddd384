"""CDS Hooks 2.0.1 conformance, checked against the specification's own examples
(`tests/fixtures/cds-hooks-2.0.1/`, source in its README) and the served OpenAPI schemas."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.cdshooks.conftest import ORDER_SIGN, PATIENT_VIEW, Client
from tests.cdshooks.records import chart

SPEC = Path(__file__).resolve().parent.parent / "fixtures" / "cds-hooks-2.0.1"
FEEDBACK = "/cds-services/cramp-risk-patient-view/feedback"
# Every prefetch key, answered "nothing found" (null).
NOTHING_FOUND: tuple[str, ...] = ("patient", "medicationRequests", "medicationStatements")
NOTHING_FOUND += ("conditions", "observations")
# Response shapes whose JSON elements "SHALL NOT be null".
RESPONSE_SCHEMAS = (
    "CdsResponse",
    "Card",
    "Suggestion",
    "Action",
    "Link",
    "CardSource",
    "CardCoding",
    "Discovery",
    "ServiceDefinition",
)


def example(name: str) -> Any:
    return json.loads((SPEC / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def components(cds: Client) -> dict[str, Any]:
    schemas: dict[str, Any] = cds.get("/schema/openapi.json").json()["components"]["schemas"]
    return schemas


def validator(components: dict[str, Any], name: str, optional: tuple[str, ...] = ()) -> Any:
    """A JSON Schema validator of one component; ``optional``: required members of ours
    that the specification makes optional (this service always sends them)."""
    schemas = copy.deepcopy(components)
    for member in optional:
        for schema in schemas.values():
            if member in schema.get("required", []) and member in schema.get("properties", {}):
                schema["required"].remove(member)
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
    )


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_response_schemas_never_allow_null(components: dict[str, Any]) -> None:
    for name in RESPONSE_SCHEMAS:
        for node in walk(components[name]):
            if isinstance(node, dict):
                assert node.get("type") != "null", name
                assert "null" not in (node.get("type") or []), name
                assert None not in node.get("enum", []), name
    assert components["Card"]["properties"]["summary"]["maxLength"] == 140


def test_the_specifications_responses_fit_our_schemas(components: dict[str, Any]) -> None:
    # `uuid` is OPTIONAL in the specification; this service always sends one (feedback
    # needs it). Nothing else of ours is stricter than the specification.
    cards = validator(components, "CdsResponse", optional=("uuid",))
    for name in ("response", "response-no-cards"):
        assert not list(cards.iter_errors(example(name))), name
    # The autolaunchable example itself omits `indicator`, which the specification makes
    # REQUIRED: that, and only that, is wrong with it.
    errors = list(cards.iter_errors(example("response-autolaunchable")))
    assert [e.message for e in errors] == ["'indicator' is a required property"]
    strict = validator(components, "CdsResponse")
    assert list(strict.iter_errors(example("response")))  # its second card has no uuid
    assert not list(
        validator(components, "CardSource").iter_errors(example("card-source")["source"])
    )
    for name in ("action-create", "action-update", "action-delete"):
        assert not list(validator(components, "Action").iter_errors(example(name))), name
    for coding in example("override-reasons")["overrideReasons"]:
        assert not list(validator(components, "CardCoding").iter_errors(coding))
    # Discovery: `prefetch` is OPTIONAL; this service always declares its templates.
    services = validator(components, "Discovery", optional=("prefetch",))
    for name in ("discovery", "discovery-with-extension"):
        assert not list(services.iter_errors(example(name))), name


def test_our_responses_have_no_nulls_and_fit_our_schemas(
    cds: Client, components: dict[str, Any], request_body: Any
) -> None:
    discovery = cds.get("/cds-services").json()
    assert not list(validator(components, "Discovery").iter_errors(discovery))
    # The last: a contraindicated draft, whose card proposes deleting it (`resourceId`).
    contraindicated = chart(
        ["simvastatin 40 mg daily"], drafts=["clarithromycin 500 mg twice daily"], hook="order-sign"
    )
    for path, body in (
        (PATIENT_VIEW, request_body("cds_patient_view.json")),
        (ORDER_SIGN, request_body("cds_order_sign.json")),
        (ORDER_SIGN, contraindicated),
    ):
        response = cds.post(path, json=body).json()
        assert response["cards"]
        assert not list(validator(components, "CdsResponse").iter_errors(response))
        # "JSON elements SHALL NOT be null", nor empty (but an empty list of cards).
        for document in (response, discovery):
            for node in walk(document):
                assert node is not None
                assert node not in ("", [], {}), document
    delete = response["cards"][0]["suggestions"][0]["actions"][0]
    assert delete == {
        "type": "delete",
        "description": "Remove the draft order of clarithromycin",
        "resourceId": "MedicationRequest/draft-0",
    }


def test_the_specifications_requests_are_understood(cds: Client) -> None:
    # patient-view: the spec's prefetch key (patientToGreet) is not one of ours and its
    # fhirServer is not allowed here: the data cannot be had (412), the request is valid.
    request = example("request-patient-view")
    response = cds.post(PATIENT_VIEW, json=request)
    assert response.status_code == 412, response.text
    # Prefetch values that are not ours (a string, `"user": "123"`) are ignored.
    with_data = {**request, "prefetch": example("prefetch-data")["prefetch"]}
    assert cds.post(PATIENT_VIEW, json=with_data).status_code == 412
    # The extension example, with the patientId that patient-view requires.
    extended = example("request-with-extension")
    extended["context"]["patientId"] = "1288992"
    extended["prefetch"] = dict.fromkeys(NOTHING_FOUND)
    assert cds.post(PATIENT_VIEW, json=extended).json() == {"cards": []}
    # order-sign with the spec's draftOrders (amoxicillin-clavulanate: not a contributor).
    context = example("context-draft-orders")["context"]
    order = {
        "hook": "order-sign",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {**context, "patientId": "1288992"},
        "prefetch": dict.fromkeys(NOTHING_FOUND),
    }
    assert cds.post(ORDER_SIGN, json=order).json() == {"cards": []}


def test_fhir_authorization_requires_fhir_server(cds: Client, request_body: Any) -> None:
    body = request_body("cds_patient_view.json")
    del body["fhirServer"]
    body["fhirAuthorization"] = example("fhir-authorization")["fhirAuthorization"]
    response = cds.post(PATIENT_VIEW, json=body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["pointer"] == "" and "fhirServer" in error["detail"]


def test_the_specifications_feedback_is_accepted(cds: Client) -> None:
    for name in ("feedback-accepted", "feedback-overridden", "feedback-overridden-with-reason"):
        response = cds.post(FEEDBACK, json=example(name))
        assert response.status_code == 200, (name, response.text)
        assert response.json() == {"received": 1}


def test_accepted_feedback_needs_accepted_suggestions(cds: Client) -> None:
    feedback = example("feedback-accepted")
    del feedback["feedback"][0]["acceptedSuggestions"]
    response = cds.post(FEEDBACK, json=feedback)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["pointer"] == "/feedback/0" and "acceptedSuggestions" in error["detail"]
    feedback["feedback"][0]["acceptedSuggestions"] = []
    assert cds.post(FEEDBACK, json=feedback).status_code == 400
