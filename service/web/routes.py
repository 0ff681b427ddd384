"""REST v1 handlers: decode, call the engine, encode. No clinical logic here."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import ServiceUnavailableException
from litestar.status_codes import HTTP_200_OK

from service.decoding import StrictDecoder
from service.engine import CheckRequest, Knowledge, Report, check
from service.web.bodies import decode_body, read_json_body
from service.web.cpu import INLINE_BODY_BYTES, run_check
from service.web.direct import answered_by
from service.web.observability import record_report
from service.web.openapi import ERROR_RESPONSES

# Decoded by msgspec directly (strict, one pass); the OpenAPI request schema is msgspec's.
_check_request = StrictDecoder(CheckRequest)
# The report is encoded here once, to bytes, and handed to litestar as is.
_report_encoder = msgspec.json.Encoder()
# A report describes a patient: no browser or proxy may keep it.
NO_STORE = CacheControlHeader(no_store=True)


class Health(msgspec.Struct, frozen=True):
    status: str


class Ready(msgspec.Struct, frozen=True):
    status: str
    knowledge_version: str


def knowledge_of(state: State) -> Knowledge:
    knowledge: Knowledge | None = state.get("knowledge")
    if knowledge is None:
        raise ServiceUnavailableException("knowledge base not loaded")
    return knowledge


async def check_answer(request: Request[Any, Any, Any]) -> bytes:
    """``POST /v1/check``: the report's JSON bytes (served by ``service.web.direct``)."""
    body = await read_json_body(request)
    state = request.app.state
    knowledge = knowledge_of(state)

    # Decoded in the check thread too: the requests waiting for it hold their bodies
    # only, not the decoded requests (docs/operations.md, "Memory").
    def work() -> Report:
        return check(decode_body(body, _check_request), knowledge)

    # A small body is checked in a millisecond or so: on the event loop, without the hop to
    # the check thread (``service.web.cpu.INLINE_BODY_BYTES``).
    report = work() if len(body) <= INLINE_BODY_BYTES else await run_check(state, work)
    return _report_encoder.encode(record_report(report))


class CheckController(Controller):
    path = "/v1"
    tags = ("check",)

    @post(
        "/check",
        status_code=HTTP_200_OK,
        summary="Check medications, conditions and labs for cramp contributors",
        responses=ERROR_RESPONSES,
        operation_id="check",
        cache_control=NO_STORE,
        middleware=[answered_by(check_answer, MediaType.JSON)],
    )
    async def check(self, request: Request[Any, Any, Any]) -> Response[Report]:
        encoded: Any = await check_answer(request)  # the Report's bytes, encoded once
        return Response(encoded, media_type=MediaType.JSON)


@get("/healthz", tags=["operations"], summary="Liveness", operation_id="healthz")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    tags=["operations"],
    summary="Readiness: the knowledge base is loaded",
    operation_id="readyz",
    responses={503: ERROR_RESPONSES[503]},
)
async def readyz(state: State) -> Ready:
    return Ready(status="ready", knowledge_version=knowledge_of(state).version)
