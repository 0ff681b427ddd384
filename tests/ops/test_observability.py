"""Request ids, metrics, readiness, and logs that never carry patient data."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.engine import CheckRequest
from service.web.observability import (
    JsonFormatter,
    TextFormatter,
    logging_config,
    new_request_id,
)
from tests.ops.conftest import IDENTIFIERS, PATIENT_TEXT, Client

BODY = {"medications": [{"text": "Lasix 40 mg PO daily"}, {"text": "hydrochlorothiazide"}]}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
FIELDS_ID = "5f0c3b2e9a4d4c1e8b7a6d5c4b3a2f10"


# ---- request id ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0f8fad5b-d9cb-469f-a165-70867728950e",  # a UUID
        "4BF92F3577B34DA6A3CE929D0E0E4736",  # 32 hex digits (W3C trace id, nginx)
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",  # a ULID
    ],
)
def test_a_random_request_id_is_echoed(client: Client, value: str) -> None:
    response = client.post("/v1/check", json=BODY, headers={"X-Request-ID": value})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == value


@pytest.mark.parametrize(
    "value",
    [
        "has space",
        "x" * 129,
        'quote"d',
        "new\\nline",
        "<script>",
        "ünïcode",
        "req-42",
        "John-Q-Public",  # a name
        "MRN-00123456",  # a record number
        "12345678901234567890123456789012",  # 32 digits: an account number, not an id
        "123e4567-e89b-12d3-a456-4266141740001",  # one digit too many
    ],
)
def test_any_other_request_id_is_replaced(client: Client, value: str) -> None:
    response = client.get("/healthz", headers={b"X-Request-ID": value.encode()})
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/nowhere", 404),
        ("POST", "/v1/check", 400),
        ("PUT", "/v1/check", 405),
    ],
)
def test_every_response_has_a_request_id(
    client: Client, method: str, path: str, status: int
) -> None:
    headers = {"content-type": "application/json"}
    response = client.request(method, path, content=b"{not json", headers=headers)
    assert response.status_code == status
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


def test_generated_request_ids_are_random_uuid4_hex() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        assert GENERATED_ID.fullmatch(value)
        parsed = uuid.UUID(hex=value)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == value


def test_no_server_header(client: Client) -> None:
    for response in (client.get("/healthz"), client.post("/v1/check", json=BODY)):
        assert "server" not in response.headers


# ---- metrics ---------------------------------------------------------------------------------


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        got = series[len(name) :].strip("{}")
        if ",".join(sorted(got.split(","))) == want if got else not want:
            return float(value)
    return 0.0


def test_metrics_count_requests_latency_and_findings(client: Client) -> None:
    before = client.get("/metrics").text
    for _ in range(3):
        assert client.post("/v1/check", json=BODY).status_code == 200
    assert client.get("/does-not-exist").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    # Each parameter once: a strict parser (Go's mime, Prometheus 3) refuses a repeated one.
    media_type, *parameters = response.headers["content-type"].split(";")
    names = [p.split("=", 1)[0].strip().lower() for p in parameters]
    assert media_type == "text/plain" and sorted(names) == ["charset", "version"]
    after = response.text

    def delta(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert delta("cramp_http_requests_total", method="POST", route="/v1/check", status="200") == 3
    assert delta("cramp_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert delta("cramp_http_request_duration_seconds_count", method="POST", route="/v1/check") == 3
    assert 'cramp_http_request_duration_seconds_bucket{le="0.005",method="POST"' in after
    # Furosemide + hydrochlorothiazide: two medication findings and the combination.
    assert delta("cramp_findings_total", kind="medication", severity="low") >= 3
    assert (
        delta("cramp_findings_total", kind="combination", severity="high")
        + delta("cramp_findings_total", kind="combination", severity="moderate")
        == 3
    )
    assert delta("cramp_inputs_total", list="medications", status="flagged") == 6
    assert (
        sum(delta("cramp_checks_total", risk=risk) for risk in ("none", "low", "moderate", "high"))
        == 3
    )
    assert "process_resident_memory_bytes" in after
    # Label values are route templates and fixed vocabularies: never request content.
    assert "does-not-exist" not in after


def test_metrics_can_be_turned_off(app_with: Callable[..., Client]) -> None:
    assert app_with(CRAMP_METRICS="false").get("/metrics").status_code == 404


# ---- readiness ---------------------------------------------------------------------------------


def test_readiness_fails_until_the_knowledge_base_is_loaded() -> None:
    app = create_app()
    client = TestClient(app)  # not entered: the startup hook (knowledge load) has not run
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/healthz").status_code == 200  # alive, not ready
    assert client.post("/v1/check", json=BODY).status_code == 503
    with client:  # runs the startup hook
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"


# ---- logs never carry patient data ---------------------------------------------------------------


def leaks(text: str) -> list[str]:
    return [word for word in IDENTIFIERS if word.lower() in text.lower()]


def test_log_scan_caplog(
    client: Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identifiable text in bodies, query strings, headers and paths, and in an unexpected
    exception's message: none of it may reach any log record, however formatted."""
    caplog.set_level(logging.DEBUG)
    identifiable = {"medications": [{"text": PATIENT_TEXT}], "conditions": [{"text": "John"}]}
    headers = {"X-Patient": PATIENT_TEXT, "X-Request-ID": "John-Q-Public"}
    assert client.post("/v1/check", json=identifiable).status_code == 200
    assert client.post("/v1/check?patient=John+Q+Public", json=identifiable).status_code == 200
    assert (
        client.post(
            "/v1/check",
            content=f'{{"{PATIENT_TEXT}'.encode(),
            headers={"content-type": "application/json"},
        ).status_code
        == 400
    )
    bad_type = {"medications": [{"text": PATIENT_TEXT, "coding": PATIENT_TEXT}]}
    assert client.post("/v1/check", json=bad_type).status_code == 400
    assert client.get("/v1/John-Q-Public-123-45-6789").status_code == 404
    assert client.get("/healthz", headers={"X-Patient": PATIENT_TEXT}).status_code == 200

    def explode(request: CheckRequest, kb: object) -> None:
        raise ValueError(f"cannot handle {PATIENT_TEXT}")

    monkeypatch.setattr("service.web.routes.check", explode)
    failed = client.post("/v1/check", json=identifiable, headers=headers)
    assert failed.status_code == 500
    assert not leaks(failed.text)

    records = caplog.records
    assert any(r.name == "cramp.access" for r in records)
    errors = [r for r in records if r.name == "cramp.error"]
    assert errors, "the unexpected exception is logged"
    assert "ValueError" in JsonFormatter().format(errors[-1])
    # The caller-chosen id "John-Q-Public" is not a random id: it is replaced, so it is
    # nowhere in the logs either.
    rendered = "\n".join(
        text
        for record in records
        for text in (JsonFormatter().format(record), TextFormatter().format(record))
    )
    assert not leaks(rendered), rendered
    assert not leaks(caplog.text)


def test_json_log_lines_have_the_documented_fields(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cramp.access")
    client.post("/v1/check", json=BODY, headers={"X-Request-ID": FIELDS_ID})
    [record] = [r for r in caplog.records if r.name == "cramp.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["logger"] == "cramp.access"
    assert line["request_id"] == FIELDS_ID
    assert line["method"] == "POST"
    assert line["route"] == "/v1/check"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert set(line) == {
        "ts", "level", "logger", "message", "request_id", "method", "route", "status",
        "duration_ms",
    }  # fmt: skip


def test_logging_config_routes_uvicorn_through_the_json_formatter() -> None:
    config = logging_config("warning", "json")
    assert config["root"]["level"] == "WARNING"
    assert config["formatters"]["cramp"]["()"].endswith("JsonFormatter")
    assert config["loggers"]["uvicorn.access"]["propagate"] is False


def test_client_errors_are_not_logged_as_unhandled_exceptions(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """An impossible lab value is the caller's 400 (review 20 B7): no error-level record,
    no trace, no value."""
    caplog.set_level(logging.DEBUG)
    impossible = {"labs": [{"text": "potassium", "value": 31, "unit": "mmol/L"}]}
    assert client.post("/v1/check", json=impossible).status_code == 400
    reversed_range = {
        "labs": [
            {
                "text": "potassium",
                "value": 4.0,
                "unit": "mmol/L",
                "reference_range": {"low": 5, "high": 1},
            }
        ]
    }
    assert client.post("/v1/check", json=reversed_range).status_code == 400
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "unhandled exception" not in caplog.text
    assert "mmol" not in "".join(JsonFormatter().format(r) for r in caplog.records)
