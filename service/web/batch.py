"""``POST /v1/check/batch``: many patients in one request.

NDJSON in (``application/x-ndjson``, one check request per line, each with an optional
``id``), NDJSON streamed out line by line in input order; or a JSON array in and one JSON
object out. Each result line holds the ``id`` and the ``report``, or the ``id`` and a
``problem`` for that line alone: a bad line never fails the batch. The per-line work is
``service.batch``'s, the same as the CLI's.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    Example,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

from service.batch import BatchResults, LineChecker
from service.batch.lines import encode
from service.limits import BATCH_MAX_BODY_BYTES, BATCH_MAX_LINES, MAX_ID_LENGTH
from service.settings import Settings
from service.web.openapi import ERROR_RESPONSES, problem_response
from service.web.problems import FieldError, InvalidBody
from service.web.routes import knowledge_of

PATH = "/v1/check/batch"
NDJSON = "application/x-ndjson"
NDJSON_ALIASES = frozenset({NDJSON, "application/jsonl", "application/x-jsonlines"})
JSON = "application/json"
# Longest stretch of checking (seconds) before the stream lets other requests run.
_SLICE = 0.005
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"

Line = tuple[int, bytes]

DESCRIPTION = f"""Check many patients in one request.

Send **NDJSON** (`Content-Type: application/x-ndjson`): one check request (the body of
`POST /v1/check`) per line, each with an optional `id` (a string of at most
{MAX_ID_LENGTH} characters, or an integer). The answer is NDJSON too, streamed line by line
in input order: `{{"id": ..., "report": {{...}}}}`, or `{{"id": ..., "problem": {{...}}}}`
(an RFC 9457 problem whose `errors[].pointer` points into that line) for a line that is
not valid JSON or does not match the schema. A bad line never fails the batch. A line
without an `id` gets its 1-based line number; blank lines are skipped (and counted).

Or send a **JSON array** of check requests (`Content-Type: application/json`) for small
batches: the answer is one JSON object, `results` (the same items, in order; a line's
position is its default `id`) and `summary` (totals).

Limits: at most {BATCH_MAX_LINES:,} lines (array elements) and {BATCH_MAX_BODY_BYTES:,} bytes
per request (413 above; `CRAMP_BATCH_MAX_LINES` and `CRAMP_BATCH_MAX_BODY_BYTES` on the server). The
whole body is refused with 400 when it has no lines, or when its first non-blank line is
not a JSON object (NDJSON) or it is not a JSON array (JSON); other content types get 415.
"""

_NDJSON_EXAMPLE = (
    '{"id": "rx-1001", "medications": [{"text": "Lasix 40 mg PO daily"}, '
    '{"text": "hydrochlorothiazide 25 mg"}], "labs": [{"coding": [{"system": "loinc", '
    '"code": "2823-3"}], "value": 3.1, "unit": "mmol/L"}]}\n'
    '{"id": "rx-1002", "patient": {"age": 64}, "medications": [{"text": "atorvastatin 40 mg"}],'
    ' "conditions": [{"coding": [{"system": "icd10cm", "code": "E11.9"}]}]}\n'
    '{"medications": [{"text": "lisinopril 10 mg"}]}\n'
)


RESPONSES: dict[int, ResponseSpec] = {
    200: ResponseSpec(
        data_container=BatchResults,
        media_type=JSON,
        generate_examples=False,
        description=(
            "One result per line (element), in input order: NDJSON streamed for an NDJSON "
            "body, one JSON object for a JSON array"
        ),
    ),
    400: problem_response("The body has no lines, is not NDJSON, or is not a JSON array"),
    413: problem_response(
        f"The body is larger than {BATCH_MAX_BODY_BYTES:,} bytes "
        f"or has more than {BATCH_MAX_LINES:,} lines"
    ),
    415: problem_response("The content type is neither application/x-ndjson nor application/json"),
    503: ERROR_RESPONSES[503],
}


def _item_schema() -> Schema:
    request = Reference(ref="#/components/schemas/CheckRequest")
    ident = Schema(
        any_of=[
            Schema(type=OpenAPIType.STRING, max_length=MAX_ID_LENGTH),
            Schema(type=OpenAPIType.INTEGER),
        ],
        description="Echoed in the result; default: the 1-based line number (position).",
    )
    return Schema(
        description=(
            "A check request (CheckRequest) with an optional `id`. Any other value is "
            "answered with a `problem` for that element alone."
        ),
        any_of=[Schema(all_of=[request], properties={"id": ident}), Schema()],
    )


@dataclass
class BatchOperation(Operation):
    """The batch operation's two request media types and its NDJSON 200 response."""

    def __post_init__(self) -> None:
        self.description = DESCRIPTION
        self.request_body = RequestBody(
            required=True,
            description="NDJSON lines, or a JSON array, of check requests with optional `id`s.",
            content={
                NDJSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.STRING,
                        description=(
                            "One check request (JSON object, optional `id`) per line, e.g.\n\n"
                            + _NDJSON_EXAMPLE
                        ),
                    ),
                ),
                JSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.ARRAY,
                        items=_item_schema(),
                        min_items=1,
                        description=f"At most {BATCH_MAX_LINES:,} elements (413 above).",
                    ),
                    examples={
                        "small": Example(
                            summary="Two patients",
                            value=[
                                msgspec.json.decode(line)
                                for line in _NDJSON_EXAMPLE.splitlines()[:2]
                            ],
                        )
                    },
                ),
            },
        )
        ok = (self.responses or {}).get(str(HTTP_200_OK))
        if isinstance(ok, OpenAPIResponse):
            ok.content = {
                NDJSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.STRING,
                        description=(
                            "One JSON object per input line, in order: `id` and `report` "
                            "(a Report), or `id` and `problem` (a LineProblem)."
                        ),
                    )
                ),
                **(ok.content or {}),
            }


def _too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail=detail)


def _bad_body(detail: str, title: str = "The request body is not a batch") -> InvalidBody:
    return InvalidBody(FieldError("", detail), title)


async def _read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def ndjson_lines(body: bytes, max_lines: int) -> list[Line]:
    """The non-blank lines with their 1-based line numbers (400/413 for a non-batch)."""
    body = body.removeprefix(_BOM)
    lines = [
        (number, line)
        for number, line in enumerate(body.split(b"\n"), 1)
        if line.strip(_WHITESPACE)
    ]
    if not lines:
        raise _bad_body("the body has no lines; send one JSON object per line")
    if not lines[0][1].lstrip(_WHITESPACE).startswith(b"{"):
        raise _bad_body(
            "the first line is not a JSON object: send one check request per line "
            "(a JSON array goes as application/json)",
        )
    if len(lines) > max_lines:
        raise _too_large(f"the body has more than {max_lines} lines")
    return lines


def array_elements(body: bytes, max_lines: int) -> list[Line]:
    """The elements of a JSON array body with their 1-based positions."""
    try:
        elements = msgspec.json.decode(body, type=list[msgspec.Raw])
    except msgspec.ValidationError as exc:
        raise _bad_body(str(exc), "The request body is not a JSON array") from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _bad_body(str(exc), "The request body is not valid JSON") from None
    if not elements:
        raise _bad_body("the array is empty; send at least one check request")
    if len(elements) > max_lines:
        raise _too_large(f"the array has more than {max_lines} elements")
    return [(position, bytes(raw)) for position, raw in enumerate(elements, 1)]


async def _stream(checker: LineChecker, lines: list[Line]) -> AsyncIterator[bytes]:
    until = time.monotonic() + _SLICE
    for number, line in lines:
        yield checker.check_line(line, number)
        if time.monotonic() >= until:
            await anyio.sleep(0)  # let other requests run between lines
            until = time.monotonic() + _SLICE


def _all_results(checker: LineChecker, lines: list[Line]) -> bytes:
    results = [checker.result(line, number) for number, line in lines]
    return encode(BatchResults(results, checker.tally.summary()))


@post(
    PATH,
    status_code=HTTP_200_OK,
    summary="Check many patients: NDJSON streamed in order, or a JSON array",
    tags=["check"],
    operation_id="checkBatch",
    responses=RESPONSES,
    operation_class=BatchOperation,
    request_max_body_size=None,  # enforced below with the batch limit
)
async def check_batch(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    settings: Settings = state.settings
    knowledge = knowledge_of(state)
    media_type = request.content_type[0].lower()
    if media_type not in NDJSON_ALIASES and media_type != JSON:
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="send application/x-ndjson (a request per line) or application/json (an array)",
        )
    body = await _read_body(request, settings.batch_max_body_bytes)
    checker = LineChecker(knowledge, settings.fhir)
    if media_type == JSON:
        elements = array_elements(body, settings.batch_max_lines)
        content = await anyio.to_thread.run_sync(_all_results, checker, elements)
        return Response(content, media_type=JSON)
    lines = ndjson_lines(body, settings.batch_max_lines)
    return Stream(_stream(checker, lines), media_type=NDJSON)
