"""``POST /v1/check/batch`` through the real app: NDJSON streamed in order, JSON arrays,
per-line problems, whole-body errors as problem+json, limits, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from tests.batch.conftest import decode_lines

PATH = "/v1/check/batch"
NDJSON = {"content-type": "application/x-ndjson"}
JSON_BODY = {"content-type": "application/json"}
LASIX = {"id": "a", "medications": [{"text": "Lasix 40 mg PO daily"}]}


@pytest.fixture(scope="module")
def small_client() -> Iterator[TestClient[Litestar]]:
    """The app with small batch limits: 3 lines, 2,000 bytes."""
    settings = Settings(batch_max_lines=3, batch_max_body_bytes=2_000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_ndjson_streams_the_same_results_as_the_cli(
    client: TestClient[Litestar], batch_2k: Path, cli_2k: bytes
) -> None:
    response = client.post(PATH, content=batch_2k.read_bytes(), headers=NDJSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.content == cli_2k


def test_a_json_array_answers_results_and_summary(client: TestClient[Litestar]) -> None:
    body = [LASIX, {"medications": [{"text": "lisinopril"}]}, 7, {"medications": [{}]}]
    response = client.post(PATH, json=body)
    assert response.status_code == 200
    out = response.json()
    assert [r["id"] for r in out["results"]] == ["a", 2, 3, 4]
    assert [sorted(r) for r in out["results"]] == [
        ["id", "report"],
        ["id", "report"],
        ["id", "problem"],
        ["id", "problem"],
    ]
    assert out["summary"] == {"patients": 2, "flagged": 1, "unrecognized_inputs": 0, "errors": 2}
    ndjson = "\n".join(msgspec.json.encode(b).decode() for b in body)
    streamed = client.post(PATH, content=ndjson, headers=NDJSON)
    assert decode_lines(streamed.content) == out["results"]


def test_one_bad_line_never_fails_the_batch(client: TestClient[Litestar]) -> None:
    lines = [
        msgspec.json.encode(LASIX),
        b"",
        b'{"id": "b", "labs": [{"text": "potassium", "value": "low", "unit": "mmol/L"}]}',
        b"\xff\xfe not even text",
        b'{"id": "c"}',
    ]
    response = client.post(PATH, content=b"\r\n".join(lines), headers=NDJSON)
    assert response.status_code == 200
    out = decode_lines(response.content)
    assert [r["id"] for r in out] == ["a", "b", 4, "c"]
    assert out[1]["problem"]["errors"] == [
        {"pointer": "/labs/0/value", "detail": "Expected `float`, got `str`"}
    ]
    assert out[2]["problem"]["title"] == "The request body is not valid JSON"
    assert "report" in out[0]
    assert "report" in out[3]


@pytest.mark.parametrize(
    ("content", "headers", "pointer"),
    [
        (b"", NDJSON, ""),
        (b"\n  \n", NDJSON, ""),
        (b"hello\n", NDJSON, ""),
        (b'[{"medications": []}]', NDJSON, ""),
        (b"", {"content-type": "application/json"}, ""),
        (b"{}", {"content-type": "application/json"}, ""),
        (b"[]", {"content-type": "application/json"}, ""),
        (b"[{}", {"content-type": "application/json"}, ""),
    ],
)
def test_a_body_that_is_not_a_batch_is_a_400_problem(
    client: TestClient[Litestar], content: bytes, headers: dict[str, str], pointer: str
) -> None:
    body = problem(client.post(PATH, content=content, headers=headers), 400)
    assert body["instance"] == PATH
    assert [e["pointer"] for e in body["errors"]] == [pointer]


def test_other_content_types_are_415(client: TestClient[Litestar]) -> None:
    problem(client.post(PATH, content=b"{}", headers={"content-type": "text/plain"}), 415)


def test_limits_of_lines_and_bytes_are_413(small_client: TestClient[Litestar]) -> None:
    line = msgspec.json.encode(LASIX) + b"\n"
    assert small_client.post(PATH, content=line * 3, headers=NDJSON).status_code == 200
    problem(small_client.post(PATH, content=line * 4, headers=NDJSON), 413)
    problem(small_client.post(PATH, json=[LASIX] * 4), 413)
    assert small_client.post(PATH, json=[LASIX] * 3).status_code == 200
    big = b'{"medications": [], "note": "' + b"x" * 2_000 + b'"}\n'
    problem(small_client.post(PATH, content=big, headers=NDJSON), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield line
        yield big

    problem(small_client.post(PATH, content=chunks(), headers=NDJSON), 413)


def test_the_stream_is_chunked_over_a_real_server(live_server: str, batch_2k: Path) -> None:
    with httpx.stream(
        "POST", f"{live_server}{PATH}", content=batch_2k.read_bytes(), headers=NDJSON, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers.get("transfer-encoding") == "chunked"
        count = sum(1 for line in response.iter_lines() if line)
    assert count == 2_003


def test_openapi_documents_both_media_types_and_the_limits(client: TestClient[Litestar]) -> None:
    document = client.get("/schema/openapi.json").json()
    operation = document["paths"][PATH]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/x-ndjson", "application/json"}
    assert set(operation["responses"]["200"]["content"]) == {
        "application/x-ndjson",
        "application/json",
    }
    assert {"400", "413", "415", "503"} <= set(operation["responses"])
    assert "10,000 lines" in operation["description"]
    assert "33,554,432 bytes" in operation["description"]
    assert "BatchResults" in document["components"]["schemas"]


def _padded_line(size: int) -> bytes:
    """A valid check request of exactly ``size`` bytes (an unknown field pads it)."""
    start = b'{"id": "big", "medications": [{"text": "Lasix"}], "pad": "'
    return start + b"p" * (size - len(start) - 2) + b'"}'


def test_a_line_over_the_check_body_limit_gets_its_own_413_problem(
    client: TestClient[Litestar],
) -> None:
    # The documented 1 MiB per-line limit was not enforced (B4): a 5 MiB line got a report.
    good = msgspec.json.encode(LASIX)
    at_limit = _padded_line(1_048_576)
    over = _padded_line(1_048_577)
    body = b"\n".join([good, over, at_limit, good]) + b"\n"
    answer = client.post(PATH, content=body, headers=NDJSON)
    assert answer.status_code == 200
    lines = decode_lines(answer.content)
    assert len(lines) == 4  # one output line per input line, none lost
    assert [("report" in line, line["id"]) for line in lines] == [
        (True, "a"),
        (False, 2),  # not read: its line number is its id
        (True, "big"),
        (True, "a"),
    ]
    too_large = lines[1]["problem"]
    assert too_large["status"] == 413
    assert too_large["title"] == "The request body is larger than 1,048,576 bytes"
    array = client.post(PATH, content=b"[" + good + b"," + over + b"]", headers=JSON_BODY)
    results = array.json()["results"]
    assert [r.get("problem", {}).get("status") for r in results] == [None, 413]
    assert array.json()["summary"]["errors"] == 1


def test_a_line_with_a_status_is_read_as_the_check_reads_it(client: TestClient[Litestar]) -> None:
    """The batch lines are check requests: a stopped diuretic joins no finding there either;
    a status not understood is read as absent, with a reason (never the line's problem), and
    only a status of a JSON type that cannot be one is that line's problem."""
    low_k = {"coding": [{"system": "loinc", "code": "2823-3"}], "value": 3.1, "unit": "mmol/L"}
    stopped = {"id": "stopped", "medications": [{"text": "Lasix 40 mg", "status": "Stopped"}]}
    lines = [
        msgspec.json.encode({**stopped, "labs": [low_k]}),
        msgspec.json.encode({**LASIX, "labs": [low_k]}),
        b'{"id": "gone", "conditions": [{"text": "gout", "clinical_status": "gone"}]}',
        b'{"id": "bad", "conditions": [{"text": "gout", "clinical_status": 7}]}',
    ]
    response = client.post(PATH, content=b"\n".join(lines), headers=NDJSON)
    assert response.status_code == 200
    out = decode_lines(response.content)
    assert out[0]["report"]["risk"] == "low"
    assert out[0]["report"]["medications"][0]["status"] == "recognized"
    assert out[0]["report"]["medications"][0]["reason"] == "status stopped: not taken now"
    assert out[1]["report"]["risk"] == "moderate"  # the same line without the status
    gout = out[2]["report"]["conditions"][0]
    assert gout["reason"] == "clinical status 'gone' not understood: read as current"
    assert [e["pointer"] for e in out[3]["problem"]["errors"]] == ["/conditions/0/clinical_status"]
