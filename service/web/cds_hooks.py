"""CDS Hooks 2.0 routes and the FHIR Bundle variant of the REST check.

- `GET /cds-services`: discovery.
- `POST /cds-services/{id}`: one route per service, each decoding its own hook's request.
- `POST /cds-services/{id}/feedback`: card outcomes, counted in memory.
- `GET /cds-services/{id}/feedback/summary`: those counts.
- `POST /v1/check/fhir`: a FHIR R4 Bundle in, the REST report out.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import Parameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
)

from service.cdshooks import (
    SERVICES,
    DataUnavailableError,
    FeedbackLog,
    Service,
    discovery,
    respond,
)
from service.cdshooks.models import (
    REQUEST_TYPES,
    CdsResponse,
    Discovery,
    FeedbackReceipt,
    FeedbackRequest,
    FeedbackSummary,
)
from service.cdshooks.suggestions import OVERRIDE_REASONS
from service.fhir import Budget, FhirReadError, FhirReport, PatientChoiceError, TooLargeError
from service.fhir.pipeline import check_bundle, read_bundle
from service.limits import MAX_BUNDLE_ENTRIES, MAX_FHIR_OBJECTS, MAX_RECORD_ENTRIES
from service.settings import Settings
from service.web.observability import record_report
from service.web.openapi import ERROR_RESPONSES
from service.web.problems import PROBLEM_MEDIA_TYPE, FieldError, InvalidBody, Problem
from service.web.routes import decode_body, decode_bytes, knowledge_of

TAG = "cds-hooks"
PatientParam = Annotated[
    str | None,
    Parameter(
        pattern=r"^[A-Za-z0-9\-.]{1,64}$",
        description=(
            "FHIR id of the patient to check, when the Bundle holds several patients' data."
        ),
    ),
]


# An over-limit body is still read (and dropped) up to this many bytes, so that the
# client, which may still be sending, receives the 413 instead of a reset connection.
DRAIN_LIMIT = 64 * 1024 * 1024
_feedback = msgspec.json.Decoder(FeedbackRequest)
_decoders: dict[str, msgspec.json.Decoder[Any]] = {
    hook: msgspec.json.Decoder(kind) for hook, kind in REQUEST_TYPES.items()
}
PRECONDITION = ResponseSpec(
    data_container=Problem,
    media_type=PROBLEM_MEDIA_TYPE,
    generate_examples=False,
    description=(
        "The patient's data could not be obtained: the request has none of the prefetch keys "
        "and `fhirServer` is absent, not allowed or did not answer (CDS Hooks 412 rule)"
    ),
)
CALL_RESPONSES = {**ERROR_RESPONSES, HTTP_412_PRECONDITION_FAILED: PRECONDITION}


def _too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail=detail)


async def read_fhir_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The body of a FHIR route (``CRAMP_FHIR_MAX_BODY_BYTES``), or 413.

    A client that announced ``Expect: 100-continue`` has sent nothing yet and is answered
    at once; any other client may still be sending, so the rest of its body is read and
    dropped (up to ``DRAIN_LIMIT``) before the 413 goes out."""
    too_large = _too_large(f"The request body is larger than the limit of {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        if request.headers.get("expect", "").lower() != "100-continue":
            await _drain(request, int(declared))
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            chunks.clear()
            if size > DRAIN_LIMIT:
                break
            continue
        chunks.append(chunk)
    if size > limit:
        raise too_large
    return b"".join(chunks)


async def _drain(request: Request[Any, Any, Any], declared: int) -> None:
    if declared > DRAIN_LIMIT:
        return
    async for _ in request.stream():
        pass


async def _counted_body(
    request: Request[Any, Any, Any], settings: Settings, max_bytes: int, max_entries: int
) -> tuple[bytes, Budget]:
    """The body and the budget it starts: its JSON objects and arrays are counted before
    anything is decoded (413 beyond ``MAX_FHIR_OBJECTS``)."""
    data = await read_fhir_body(request, settings.fhir.max_body_bytes)
    budget = Budget(max_bytes=max_bytes, max_objects=MAX_FHIR_OBJECTS, max_entries=max_entries)
    try:
        budget.count_objects(data)
    except TooLargeError as exc:
        raise _too_large(f"The request body has {exc.detail}.") from None
    return data, budget


def _read_problem(error: FhirReadError, title: str) -> InvalidBody:
    if error.detail.startswith(("not valid JSON", "invalid UTF-8", "the JSON is nested")):
        title = "The request body is not valid JSON"
    return InvalidBody(FieldError(error.pointer, error.detail), title)


def feedback_log(state: State) -> FeedbackLog:
    log: FeedbackLog | None = state.get("cds_feedback")
    if log is None:
        log = FeedbackLog(code.code for code in OVERRIDE_REASONS)
        state["cds_feedback"] = log
    return log


@get(
    "/cds-services",
    tags=[TAG],
    summary="CDS Hooks discovery: the services and their prefetch templates",
    operation_id="cds_discovery",
    responses={503: ERROR_RESPONSES[503]},
)
async def cds_discovery(state: State) -> Discovery:
    return discovery(knowledge_of(state))


def _operation(service: Service, suffix: str = "") -> str:
    return service.id.replace("-", "_") + suffix


def _call_handler(service: Service) -> HTTPRouteHandler:
    decoder = _decoders[service.hook]

    @post(
        f"/cds-services/{service.id}",
        status_code=HTTP_200_OK,
        tags=[TAG],
        summary=f"CDS Hooks `{service.hook}`: {service.title}",
        description=service.description,
        operation_id=_operation(service),
        responses=CALL_RESPONSES,
        request_max_body_size=None,  # CRAMP_FHIR_MAX_BODY_BYTES, in read_fhir_body
    )
    async def call(request: Request[Any, Any, Any], state: State) -> CdsResponse:
        settings: Settings = state.settings
        # One budget for everything FHIR this call reads: the body, then fetched pages.
        data, budget = await _counted_body(
            request, settings, settings.fhir.max_fetch_bytes, MAX_RECORD_ENTRIES
        )
        body = decode_bytes(data, decoder)
        if (shape := body.shape_error()) is not None:
            raise InvalidBody(FieldError(*shape), "The request body does not match the schema")
        try:
            return await respond(
                service, body, knowledge_of(state), settings.fhir, feedback_log(state), budget
            )
        except TooLargeError as exc:
            raise _too_large(f"The request's FHIR data has {exc.detail}.") from None
        except DataUnavailableError as exc:
            raise HTTPException(status_code=HTTP_412_PRECONDITION_FAILED, detail=str(exc)) from None

    return call


def _feedback_handlers(service: Service) -> list[HTTPRouteHandler]:
    path = f"/cds-services/{service.id}/feedback"

    @post(
        path,
        status_code=HTTP_200_OK,
        tags=[TAG],
        summary=f"CDS Hooks feedback on the cards of {service.id}",
        operation_id=_operation(service, "_feedback"),
        responses={400: ERROR_RESPONSES[400], 413: ERROR_RESPONSES[413]},
    )
    async def post_feedback(request: Request[Any, Any, Any], state: State) -> FeedbackReceipt:
        body: FeedbackRequest = await decode_body(request, _feedback)
        return FeedbackReceipt(received=feedback_log(state).record(service.id, body.feedback))

    @get(
        f"{path}/summary",
        tags=[TAG],
        summary=f"Feedback counts of {service.id} since the process started",
        operation_id=_operation(service, "_feedback_summary"),
    )
    async def get_feedback(state: State) -> FeedbackSummary:
        return feedback_log(state).summary(service.id)

    return [post_feedback, get_feedback]


@post(
    "/v1/check/fhir",
    status_code=HTTP_200_OK,
    tags=["check"],
    summary="Check a FHIR R4 Bundle of one patient's medications, conditions and labs",
    operation_id="check_fhir",
    responses=ERROR_RESPONSES,
    request_max_body_size=None,  # CRAMP_FHIR_MAX_BODY_BYTES, in read_fhir_body
)
async def check_fhir(
    request: Request[Any, Any, Any], state: State, patient: PatientParam = None
) -> FhirReport:
    settings: Settings = state.settings
    data, budget = await _counted_body(
        request, settings, settings.fhir.max_body_bytes, MAX_BUNDLE_ENTRIES
    )
    try:
        bundle = read_bundle(data, budget)
    except TooLargeError as exc:
        raise _too_large(f"The Bundle has {exc.detail}.") from None
    except FhirReadError as exc:
        raise _read_problem(exc, "The request body is not a FHIR R4 Bundle") from None
    try:
        checked = check_bundle(bundle, knowledge_of(state), settings.fhir, patient)
    except PatientChoiceError as exc:
        raise InvalidBody(
            FieldError("/entry", str(exc)), "The Bundle does not say whose data to check"
        ) from None
    record_report(checked.report)
    return checked.fhir_report()


cds_hooks_router = Router(
    path="/",
    route_handlers=[
        cds_discovery,
        *(_call_handler(s) for s in SERVICES),
        *(h for s in SERVICES for h in _feedback_handlers(s)),
        check_fhir,
    ],
)
