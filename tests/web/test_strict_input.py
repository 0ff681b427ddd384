"""Strict input over HTTP: media types (415), duplicate keys (400 with the pointer), every
error at once with a specific detail, the 413 that names its limit, look-alike and
invisible characters in drug names, and the headers every response carries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, Response, get
from litestar.testing import TestClient

from service.app import create_app
from service.cdshooks import examples as cds_examples
from service.settings import Settings
from service.web.observability import RequestObservability
from service.web.openapi import REQUEST_EXAMPLE
from tests.ops.conftest import Client

CDS_CALL = "/cds-services/cramp-risk-patient-view"
FEEDBACK = "/cds-services/cramp-risk-patient-view/feedback"
FHIR = "/v1/check/fhir"
BATCH = "/v1/check/batch"
JSON = {"content-type": "application/json"}
BODY = msgspec.json.encode(REQUEST_EXAMPLE)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# ---- 415 ---------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/check", BODY),
        (CDS_CALL, msgspec.json.encode(cds_examples.BY_HOOK["patient-view"])),
        (FEEDBACK, msgspec.json.encode(cds_examples.FEEDBACK)),
        (FHIR, msgspec.json.encode(cds_examples.FHIR_BUNDLE)),
        (BATCH, BODY),
    ],
)
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",  # what a cross-site "simple" POST sends, without a preflight
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,  # no Content-Type at all
    ],
)
def test_bodies_that_are_not_json_get_415(
    client: Client, path: str, body: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    result = problem(client.post(path, content=body, headers=headers), 415)
    assert "application/json" in result["title"]


@pytest.mark.parametrize("content_type", ["application/json", "application/fhir+json"])
def test_a_fhir_bundle_comes_as_fhir_json_or_json(client: Client, content_type: str) -> None:
    body = msgspec.json.encode(cds_examples.FHIR_BUNDLE)
    response = client.post(FHIR, content=body, headers={"content-type": content_type})
    assert response.status_code == 200, response.text


def test_a_patient_given_twice_is_refused(client: Client) -> None:
    query = "?patient=%18&patient=abc"  # litestar alone would check only the last one
    response = client.post(FHIR + query, json=cds_examples.FHIR_BUNDLE)
    assert problem(response, 400)["errors"][0]["pointer"] == "/patient"


def test_json_with_parameters_is_json(client: Client) -> None:
    headers = {"content-type": "Application/JSON; charset=UTF-8"}
    assert client.post("/v1/check", content=BODY, headers=headers).status_code == 200


def test_fhir_json_is_not_taken_where_a_check_request_is_expected(client: Client) -> None:
    problem(client.post("/v1/check", content=BODY, headers={"content-type": FHIR_JSON}), 415)


FHIR_JSON = "application/fhir+json"


# ---- duplicate keys ---------


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        (b'{"medications": [{"text": "Lasix"}], "medications": []}', "/medications"),
        (b'{"medications": [{"text": "Lasix", "text": "vitamin C"}]}', "/medications/0/text"),
        (b'{"patient": {"age": 71, "age": 7}}', "/patient/age"),
        (b'{"labs": [], "extra": 1, "extra": 2}', "/extra"),  # ignored keys too
        (b'{"medications": [{"text": "a\\u0022b"}], "medications": []}', "/medications"),
    ],
)
def test_duplicate_keys_get_400_with_the_pointer(client: Client, raw: bytes, pointer: str) -> None:
    result = problem(client.post("/v1/check", content=raw, headers=JSON), 400)
    assert result["title"] == "The request body has a duplicate key"
    assert [error["pointer"] for error in result["errors"]] == [pointer]
    assert pointer.rsplit("/", 1)[1] in result["detail"]


def test_the_same_key_in_different_objects_is_fine(client: Client) -> None:
    raw = b'{"medications": [{"text": "Lasix"}, {"text": "HCTZ"}], "conditions": [{"text": "x"}]}'
    assert client.post("/v1/check", content=raw, headers=JSON).status_code == 200


def test_a_cds_hooks_call_with_a_duplicate_key_gets_400(client: Client) -> None:
    call = json.dumps(cds_examples.BY_HOOK["patient-view"])
    raw = call[:-1] + ', "hook": "patient-view"}'
    result = problem(client.post(CDS_CALL, content=raw.encode(), headers=JSON), 400)
    assert result["errors"][0]["pointer"] == "/hook"


def test_a_fhir_bundle_with_a_duplicate_key_deep_inside_gets_400(client: Client) -> None:
    bundle = json.dumps(cds_examples.FHIR_BUNDLE)
    first_resource = bundle.index('"resourceType"', bundle.index('"entry"'))
    raw = bundle[:first_resource] + '"id": "twice", ' + bundle[first_resource:]
    result = problem(client.post(FHIR, content=raw.encode(), headers=JSON), 400)
    assert result["errors"][0]["pointer"] == "/entry/0/resource/id"


@pytest.mark.parametrize(
    ("repeat", "pointer"),
    [
        # A second entry list would silently replace the first (and its patient's data).
        (lambda b: b[:-1] + ', "entry": []}', "/entry"),
        (
            lambda b: b.replace(
                '"resource": {', '"resource": {"resourceType": "Basic"}, "resource": {', 1
            ),
            "/entry/0/resource",
        ),
        (
            lambda b: b.replace(
                '"resource": {',
                '"fullUrl": "urn:uuid:x", "fullUrl": "urn:uuid:y", "resource": {',
                1,
            ),
            "/entry/0/fullUrl",
        ),
    ],
    ids=["entry", "resource", "fullUrl"],
)
def test_a_fhir_bundle_that_repeats_an_envelope_key_gets_400(
    client: Client, repeat: Callable[[str], str], pointer: str
) -> None:
    raw = repeat(json.dumps(cds_examples.FHIR_BUNDLE))
    result = problem(client.post(FHIR, content=raw.encode(), headers=JSON), 400)
    assert [error["pointer"] for error in result["errors"]] == [pointer]
    assert pointer.rsplit("/", 1)[1] in result["detail"]


def test_a_fhir_bundle_with_escaped_quotes_in_its_keys_is_not_refused(client: Client) -> None:
    bundle = json.dumps(cds_examples.FHIR_BUNDLE)
    raw = bundle[:-1] + ', "x\\u0022y": 1, "note": "a\\"b"}'
    assert client.post(FHIR, content=raw.encode(), headers=JSON).status_code == 200


def test_a_batch_line_with_a_duplicate_key_gets_its_own_problem(client: Client) -> None:
    lines = b'{"id": "a", "medications": [{"text": "Lasix"}], "medications": []}\n{"id": "b"}\n'
    response = client.post(BATCH, content=lines, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200
    first, second = (json.loads(line) for line in response.text.splitlines())
    assert first["id"] == "a"
    assert first["problem"]["errors"][0]["pointer"] == "/medications"
    assert "report" in second


# ---- every error at once ---------


def test_every_error_is_reported_with_its_pointer_and_a_specific_detail(client: Client) -> None:
    body = {
        "patient": {"age": -3, "sex": "F"},
        "medications": [{"text": "Lasix"}, {}, {"text": 40}],
        "labs": [{"text": "potassium", "value": "low", "unit": "mmol/L"}, {"text": "k"}],
    }
    result = problem(client.post("/v1/check", json=body), 400)
    errors = {error["pointer"]: error["detail"] for error in result["errors"]}
    assert set(errors) == {
        "/patient/age",
        "/patient/sex",
        "/medications/1",
        "/medications/2/text",
        "/labs/0/value",
        "/labs/1",
    }
    assert errors["/patient/sex"] == "Expected one of `female`, `male`, `other`, `unknown`"
    assert errors["/medications/1"] == "needs `text` or a non-empty `coding`"
    assert errors["/medications/2/text"] == "Expected `str`, got `int`"
    missing = [e["detail"] for e in result["errors"] if e["pointer"] == "/labs/1"]
    assert missing == [
        "Object missing required field `value`",
        "Object missing required field `unit`",
    ]
    assert len(set(errors.values())) > 3  # specific, not the same text each time
    # The problem's detail names the errors, not a generic sentence.
    assert "/patient/age" in result["detail"]
    assert "(and 4 more)" in result["detail"]


def test_a_cds_hooks_call_reports_every_error(client: Client) -> None:
    response = client.post(CDS_CALL, json={"hook": 5, "hookInstance": [], "context": {}})
    pointers = {error["pointer"] for error in problem(response, 400)["errors"]}
    assert {"/hook", "/hookInstance"} <= pointers


def test_the_number_of_errors_is_bounded(client: Client) -> None:
    body = {"medications": [{"text": n} for n in range(150)]}
    result = problem(client.post("/v1/check", json=body), 400)
    assert len(result["errors"]) == 50


def test_a_query_parameter_error_is_a_problem_with_a_detail(client: Client) -> None:
    result = problem(client.get("/v1/knowledge/?kind=spaceship"), 400)
    assert result["detail"]


# ---- look-alike and invisible characters --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("la\u200bsix", "furosemide"),  # zero-width space
        ("la\u200dsix", "furosemide"),  # zero-width joiner
        ("la\u200csix", "furosemide"),  # zero-width non-joiner
        ("lasi\u00adx", "furosemide"),  # soft hyphen
        ("\ufeffLasix 40 mg", "furosemide"),  # byte order mark
        ("\u200elasix\u200f", "furosemide"),  # direction marks
        ("l\u0430six", "furosemide"),  # Cyrillic a
        ("furosemid\u0435", "furosemide"),  # Cyrillic e
        ("\u0440rednis\u043ene", "prednisone"),  # Cyrillic er and o
        ("hydro\u0441hlorothiazide", "hydrochlorothiazide"),  # Cyrillic es
        ("LAS\u0406X", "furosemide"),  # Cyrillic capital I
        ("pred\u03bfisone"[:4] + "nis\u03bfne", "prednisone"),  # Greek omicron
    ],
)
def test_look_alike_and_invisible_characters_do_not_hide_a_drug(
    client: Client, text: str, concept: str
) -> None:
    response = client.post("/v1/check", json={"medications": [{"text": text}]})
    assert response.status_code == 200
    [status] = response.json()["medications"]
    assert status["concept"] == concept, status


# ---- headers on every kind of response ---------


def assert_private(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store", response.request.url
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url


ResponseOf = Callable[[Client], httpx.Response]
EVERY_KIND: dict[str, ResponseOf] = {
    "check 200": lambda c: c.post("/v1/check", json=REQUEST_EXAMPLE),
    "check 400": lambda c: c.post("/v1/check", json={"medications": 1}),
    "check 413": lambda c: c.post("/v1/check", content=b"[" + b" " * 1_100_000, headers=JSON),
    "check 415": lambda c: c.post("/v1/check", content=BODY),
    "405": lambda c: c.get("/v1/check"),
    "404": lambda c: c.get("/nothing"),
    "fhir 200": lambda c: c.post(FHIR, json=cds_examples.FHIR_BUNDLE),
    "batch ndjson": lambda c: c.post(
        BATCH, content=BODY + b"\n", headers={"content-type": "application/x-ndjson"}
    ),
    "batch json": lambda c: c.post(BATCH, json=[REQUEST_EXAMPLE]),
    "cds discovery": lambda c: c.get("/cds-services"),
    "cds call": lambda c: c.post(CDS_CALL, json=cds_examples.BY_HOOK["patient-view"]),
    "cds feedback": lambda c: c.post(FEEDBACK, json=cds_examples.FEEDBACK),
    "knowledge": lambda c: c.get("/v1/knowledge/drug:furosemide"),
    "openapi": lambda c: c.get("/schema/openapi.json"),
    "healthz": lambda c: c.get("/healthz"),
    "metrics": lambda c: c.get("/metrics"),
}


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_every_kind_of_response_is_not_cached_nor_sniffed(client: Client, kind: str) -> None:
    assert_private(EVERY_KIND[kind](client))


def test_401_and_503_are_not_cached_either() -> None:
    with TestClient(create_app(Settings(api_keys=("k-1",)))) as secured:
        assert_private(secured.post("/v1/check", json=REQUEST_EXAMPLE))
    not_ready = TestClient(create_app())  # not started: the knowledge base is not loaded
    assert_private(not_ready.post("/v1/check", json=REQUEST_EXAMPLE))


def test_a_route_may_set_its_own_cache_control() -> None:
    """The default is no-store; a route that serves static assets says otherwise."""

    @get("/asset.css", sync_to_thread=False)
    def asset() -> Response[bytes]:
        return Response(b"body{}", media_type="text/css", headers={"Cache-Control": "max-age=60"})

    app = Litestar([asset])
    app.asgi_handler = RequestObservability(app.asgi_handler)
    with TestClient(app) as static:
        response = static.get("/asset.css")
    assert response.headers["cache-control"] == "max-age=60"
    assert response.headers["x-content-type-options"] == "nosniff"


# ---- API docs pages ---------


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc", "/schema/elements"])
def test_the_docs_pages_are_off_by_default(client: Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 404
    # The problem document of every unknown path, not litestar's HTML page.
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"] == page
    assert client.get("/schema/openapi.json").status_code == 200


def test_the_docs_pages_can_be_turned_on() -> None:
    with TestClient(create_app(Settings.from_env({"CRAMP_DOCS": "true"}))) as with_pages:
        assert with_pages.get("/schema/swagger").status_code == 200
        assert with_pages.get("/schema/openapi.json").status_code == 200
        unknown = with_pages.get("/schema/nonexistent")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"


# ---- review 20: reference ranges, the patient parameter, the note ---------------------


@pytest.mark.parametrize("limits", [{"low": 5, "high": 1}, {"low": 3.5, "high": 3.5}])
def test_a_reversed_or_empty_reference_range_is_a_400_at_its_pointer(
    client: Client, limits: dict[str, float]
) -> None:
    # A reversed range made a normal potassium a "Low potassium" finding (A3).
    lab = {"text": "potassium", "value": 4.0, "unit": "mmol/L", "reference_range": limits}
    body = problem(client.post("/v1/check", json={"labs": [{"text": "magnesium", "value": 2.0,
        "unit": "mg/dL"}, lab]}), 400)  # fmt: skip
    assert [e["pointer"] for e in body["errors"]] == ["/labs/1/reference_range"]
    assert "below" in body["errors"][0]["detail"]


def test_a_reference_range_with_low_below_high_still_counts(client: Client) -> None:
    lab = {"text": "potassium", "value": 4.0, "unit": "mmol/L"}
    narrow = {**lab, "reference_range": {"low": 4.5, "high": 5.0}}
    answer = client.post("/v1/check", json={"labs": [narrow]})
    assert answer.status_code == 200
    assert answer.json()["labs"][0]["status"] == "flagged"


def _lasix_bundle(subject: str = "Patient/p1") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1"}},
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "m1",
                    "status": "active",
                    "intent": "order",
                    "subject": {"reference": subject},
                    "medicationCodeableConcept": {"text": "Lasix 40 mg"},
                }
            },
        ],
    }


def test_a_patient_parameter_naming_nobody_in_the_bundle_is_a_404(client: Client) -> None:
    # It was 200 with risk "none" and every resource "ignored" (B6).
    body = problem(client.post(f"{FHIR}?patient=zzz", json=_lasix_bundle()), 404)
    assert [e["pointer"] for e in body["errors"]] == ["/patient"]
    assert body["title"] == "The patient is not in the Bundle"
    assert "zzz" not in json.dumps(body)


@pytest.mark.parametrize("bundle_patient", ["p1", "p2"])
def test_a_patient_parameter_naming_a_patient_or_a_subject_is_checked(
    client: Client, bundle_patient: str
) -> None:
    # p1 has a Patient resource; p2 only a MedicationRequest whose subject is p2.
    answer = client.post(
        f"{FHIR}?patient={bundle_patient}", json=_lasix_bundle(subject=f"Patient/{bundle_patient}")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["risk"] == "low"


def test_bidi_controls_and_invisible_characters_are_not_copied_into_the_note(
    client: Client,
) -> None:
    # A right-to-left override echoed into the chart note reverses how the rest of the note
    # is shown when pasted (C4).
    meds = [{"text": "\u202eqd gm 08 xisal"}, {"text": "xy\u2066zzy\u2069"}, {"text": "\u200b"}]
    note = client.post("/v1/check", json={"medications": meds}).json()["note"]
    assert not [
        ch for ch in note if ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b"
    ]
    assert 'medications[0] "qd gm 08 xisal"' in note
    assert 'medications[1] "xyzzy"' in note
