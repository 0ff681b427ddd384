"""REST v1 handlers: decode, call the engine, encode. No clinical logic here."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import ServiceUnavailableException
from litestar.status_codes import HTTP_200_OK

from service.engine import CheckRequest, Report, check
from service.knowledge import KnowledgeBase
from service.web.observability import record_report
from service.web.openapi import ERROR_RESPONSES
from service.web.problems import from_msgspec

# Decoded by msgspec directly (strict, one pass); the OpenAPI request schema is msgspec's.
_check_request = msgspec.json.Decoder(CheckRequest)
# The report is encoded here once, to bytes, and handed to litestar as is.
_report_encoder = msgspec.json.Encoder()


class Health(msgspec.Struct, frozen=True):
    status: str


class Ready(msgspec.Struct, frozen=True):
    status: str
    knowledge_version: str


def knowledge_of(state: State) -> KnowledgeBase:
    kb: KnowledgeBase | None = state.get("knowledge")
    if kb is None:
        raise ServiceUnavailableException("knowledge base not loaded")
    return kb


async def decode_body(request: Request[Any, Any, Any], decoder: msgspec.json.Decoder[Any]) -> Any:
    return decode_bytes(await request.body(), decoder)


def decode_bytes(data: bytes | bytearray, decoder: msgspec.json.Decoder[Any]) -> Any:
    """A body already read (FHIR routes read theirs with their own limit)."""
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise from_msgspec(exc) from None
    except UnicodeDecodeError as exc:
        raise from_msgspec(msgspec.DecodeError(f"invalid UTF-8: {exc.reason}")) from None
    except RecursionError:
        raise from_msgspec(msgspec.DecodeError("JSON is nested too deeply")) from None


class CheckController(Controller):
    path = "/v1"
    tags = ("check",)

    @post(
        "/check",
        status_code=HTTP_200_OK,
        summary="Check medications, conditions and labs for cramp contributors",
        responses=ERROR_RESPONSES,
        operation_id="check",
    )
    async def check(self, request: Request[Any, Any, Any]) -> Response[Report]:
        data: CheckRequest = await decode_body(request, _check_request)
        report = record_report(check(data, knowledge_of(request.app.state)))
        encoded: Any = _report_encoder.encode(report)  # the Report's bytes, encoded once
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
