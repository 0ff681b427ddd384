"""``POST /v1/check/batch``: many patients in one request.

NDJSON in (``application/x-ndjson``, one check request per line, each with an optional
``id``), NDJSON streamed out line by line in input order; or a JSON array in and one JSON
object out. Each result line holds the ``id`` and the ``report``, or the ``id`` and a
``problem`` for that line alone: a bad line never fails the batch. The per-line work is
``service.batch``'s, the same as the CLI's.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

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
from litestar.status_codes import HTTP_200_OK, HTTP_413_REQUEST_ENTITY_TOO_LARGE

from service.batch import BatchResults, LineChecker
from service.batch.lines import encode
from service.limits import BATCH_MAX_BODY_BYTES, BATCH_MAX_LINES, MAX_ID_LENGTH
from service.settings import Settings
from service.web.bodies import JSON, read_body, release_body, require_media_type
from service.web.cpu import pieces_in_thread
from service.web.observability import RETRY_AFTER_SECONDS
from service.web.openapi import ERROR_RESPONSES, problem_response
from service.web.problems import InvalidBody, ServiceBusy
from service.web.routes import knowledge_of

PATH = "/v1/check/batch"
NDJSON = "application/x-ndjson"
NDJSON_ALIASES = frozenset({NDJSON, "application/jsonl", "application/x-jsonlines"})
# Longest stretch of checking (seconds) before the stream lets other requests run, and
# the size of the chunks it sends.
_SLICE = 0.005
_CHUNK = 65_536
_SIGNIFICANT = re.compile(rb"[^ \t\r\n]")
MEDIA_TYPES = NDJSON_ALIASES | {JSON}
_BOM = b"\xef\xbb\xbf"

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
    return InvalidBody(title, [("", detail)])


def ndjson_lines(body: bytes | bytearray, max_lines: int) -> Iterator[Line]:
    """The non-blank lines with their 1-based line numbers (400/413 for a non-batch),
    read one by one from ``body``: the lines are never all held at once."""
    start = len(_BOM) if body.startswith(_BOM) else 0
    first = _SIGNIFICANT.search(body, start)
    if first is None:
        raise _bad_body("the body has no lines; send one JSON object per line")
    if body[first.start()] != ord("{"):
        raise _bad_body(
            "the first line is not a JSON object: send one check request per line "
            "(a JSON array goes as application/json)",
        )
    if body.count(b"\n") >= max_lines and sum(1 for _ in _lines(body, start)) > max_lines:
        raise _too_large(f"the body has more than {max_lines:,} lines")
    return _lines(body, start)


def _lines(body: bytes | bytearray, start: int) -> Iterator[Line]:
    number, position, size = 0, start, len(body)
    while position < size:
        end = body.find(b"\n", position)
        end = size if end < 0 else end
        number += 1
        if _SIGNIFICANT.search(body, position, end) is not None:
            yield number, bytes(body[position:end])
        position = end + 1


def array_elements(body: bytes | bytearray, max_lines: int) -> list[msgspec.Raw]:
    """The elements of a JSON array body, each still undecoded (a view of the body)."""
    try:
        elements = msgspec.json.decode(body, type=list[msgspec.Raw])
    except msgspec.ValidationError as exc:
        raise _bad_body(str(exc), "The request body is not a JSON array") from None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _bad_body(str(exc), "The request body is not valid JSON") from None
    if not elements:
        raise _bad_body("the array is empty; send at least one check request")
    if len(elements) > max_lines:
        raise _too_large(f"the array has more than {max_lines:,} elements")
    return elements


def _next_slice(pieces: Iterator[bytes]) -> bytes | None:
    """The next of ``pieces`` joined into a chunk of about ``_CHUNK`` bytes, or as many as
    ``_SLICE`` seconds of work made (None: no more). Made in the check thread
    (``service.web.cpu``), so the checks of other requests get it at least that often."""
    buffer = bytearray()
    until = time.monotonic() + _SLICE
    for piece in pieces:
        buffer += piece
        if len(buffer) >= _CHUNK or time.monotonic() >= until:
            break
    return bytes(buffer) if buffer else None


def _ndjson_results(checker: LineChecker, lines: Iterator[Line]) -> Iterator[bytes]:
    for number, line in lines:
        yield checker.check_line(line, number)


def _json_results(checker: LineChecker, elements: list[msgspec.Raw]) -> Iterator[bytes]:
    """``BatchResults`` (``{"results": [...], "summary": {...}}``) one result at a time."""
    yield b'{"results":['
    for position, element in enumerate(elements, 1):
        result = encode(checker.result(bytes(element), position))
        yield result if position == 1 else b"," + result
    yield b'],"summary":' + encode(checker.tally.summary()) + b"}"


async def _released(chunks: AsyncIterator[bytes], slots: BatchSlots) -> AsyncIterator[bytes]:
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        slots.release()


class BatchSlots:
    """Batch requests being checked in this worker: each holds its body (up to
    ``CRAMP_BATCH_MAX_BODY_BYTES``) until its last result is sent, so they are few. A
    request takes its slot once its whole body has arrived (bounded in size, rate and
    time), so slow uploads hold none."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.taken = 0

    def take(self) -> None:
        if self.limit and self.taken >= self.limit:
            raise ServiceBusy("Too many batch requests at once; retry shortly", RETRY_AFTER_SECONDS)
        self.taken += 1

    def release(self) -> None:
        self.taken -= 1


def batch_slots(state: State) -> BatchSlots:
    slots: BatchSlots | None = state.get("batch_slots")
    if slots is None:
        settings: Settings = state.settings
        slots = state["batch_slots"] = BatchSlots(settings.batch_limit_concurrency)
    return slots


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
    media_type = require_media_type(request, MEDIA_TYPES)
    body = await read_body(request, settings.batch_max_body_bytes)
    slots = batch_slots(state)
    try:
        slots.take()
    finally:
        release_body(request)  # in the slot's care from here
    try:
        checker = LineChecker(knowledge, settings.fhir, settings.max_body_bytes)
        if media_type == JSON:
            pieces = _json_results(checker, array_elements(body, settings.batch_max_lines))
        else:
            pieces = _ndjson_results(checker, ndjson_lines(body, settings.batch_max_lines))
    except BaseException:
        slots.release()
        raise
    out = NDJSON if media_type != JSON else JSON
    return Stream(_released(pieces_in_thread(state, pieces, _next_slice), slots), media_type=out)
