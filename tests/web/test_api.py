"""The REST contract over HTTP: shape, problem+json errors, limits, health, OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.__main__ import render_openapi
from service.limits import MAX_MEDICATIONS, MAX_TEXT
from service.web.openapi import REQUEST_EXAMPLE

ROOT = Path(__file__).resolve().parents[2]
# The request example of the API contract, also the example in the OpenAPI document.
DESIGN_EXAMPLE: dict[str, Any] = REQUEST_EXAMPLE

Client = TestClient[Litestar]


def test_design_example_has_every_contract_field(client: Client) -> None:
    response = client.post("/v1/check", json=DESIGN_EXAMPLE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {
        "knowledge_version",
        "risk",
        "findings",
        "medications",
        "conditions",
        "labs",
        "note",
    }
    assert body["risk"] == "moderate"
    for finding in body["findings"]:
        assert set(finding) >= {
            "id",
            "kind",
            "severity",
            "title",
            "detail",
            "monitoring",
            "management",
            "evidence",
            "inputs",
        }
        assert finding["kind"] in {"medication", "condition", "lab", "combination"}
        assert finding["severity"] in {"low", "moderate", "high"}
        for ref in finding["inputs"]:
            assert ref["list"] in {"medications", "conditions", "labs", "patient"}
    assert [m["status"] for m in body["medications"]] == ["flagged", "flagged"]
    assert [c["status"] for c in body["conditions"]] == ["flagged", "flagged"]
    assert [lab["status"] for lab in body["labs"]] == ["flagged"]
    assert [m["index"] for m in body["medications"]] == [0, 1]


def test_age_may_be_written_as_a_decimal(client: Client) -> None:
    assert client.post("/v1/check", json={"patient": {"age": 71.0}}).status_code == 200


def test_every_list_is_optional(client: Client) -> None:
    response = client.post("/v1/check", json={})
    assert response.status_code == 200
    assert response.json()["risk"] == "none"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"medications": [{"text": "Lasix"}, {}]}, "/medications/1"),
        ({"medications": [{"coding": []}]}, "/medications/0"),
        ({"labs": [{"text": "k", "value": "low", "unit": "mmol/L"}]}, "/labs/0/value"),
        ({"labs": [{"text": "k", "value": 3.1}]}, "/labs/0"),
        ({"patient": {"age": -1}}, "/patient/age"),
        ({"patient": {"pregnant": 0}}, "/patient/pregnant"),
        ({"patient": {"sex": "F"}}, "/patient/sex"),
        ({"medications": [{"text": "x" * (MAX_TEXT + 1)}]}, "/medications/0/text"),
        ({"medications": [{"text": "Lasix"}] * (MAX_MEDICATIONS + 1)}, "/medications"),
        ({"conditions": "diabetes"}, "/conditions"),
        ([], ""),
    ],
)
def test_bad_fields_get_problem_json_with_pointer(client: Client, body: Any, pointer: str) -> None:
    result = problem(client.post("/v1/check", json=body), 400)
    assert result["errors"][0]["pointer"] == pointer


@pytest.mark.parametrize(
    "raw",
    [
        b"{bad json",
        b"",
        b"\xff\xfe",
        b'{"labs": [{"value": NaN}]}',
        b'{"medications": [{"text": "\xff\xfe furosemide"}]}',
    ],
)
def test_malformed_json_gets_400(client: Client, raw: bytes) -> None:
    problem(
        client.post("/v1/check", content=raw, headers={"content-type": "application/json"}), 400
    )


JSON = {"content-type": "application/json"}


def test_deeply_nested_body_is_a_4xx_never_a_5xx(client: Client) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/v1/check", content=f'{{"medications": {deep}}}'.encode(), headers=JSON)
    assert 400 <= response.status_code < 500
    unknown = client.post("/v1/check", content=f'{{"extra": {deep}}}'.encode(), headers=JSON)
    assert unknown.status_code < 500


def test_oversized_body_gets_413_naming_the_limit(client: Client) -> None:
    body = json.dumps({"medications": [{"text": "x" * 400}] * 3000}).encode()
    result = problem(client.post("/v1/check", content=body, headers=JSON), 413)
    assert "1,048,576 bytes" in result["title"]
    assert "1048576 bytes" in result["detail"]


def test_unknown_route_and_method_are_problem_json(client: Client) -> None:
    problem(client.get("/v2/nothing"), 404)
    problem(client.get("/v1/check"), 405)


def test_health_and_readiness(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["knowledge_version"].startswith("kb-")


def test_served_openapi_matches_the_committed_document(client: Client) -> None:
    served = client.get("/schema/openapi.json").json()
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert served == committed, "regenerate: python -m service openapi -o openapi/openapi.json"
    assert json.loads(render_openapi()) == committed


def test_openapi_declares_problem_json_errors(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()
    responses = document["paths"]["/v1/check"]["post"]["responses"]
    for status in ("400", "413"):
        assert "application/problem+json" in responses[status]["content"]
