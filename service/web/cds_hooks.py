"""CDS Hooks 2.0 routes and the FHIR Bundle variant of the REST check.

- `GET /cds-services`: discovery.
- `POST /cds-services/{id}`: one route per service, each decoding its own hook's request.
- `POST /cds-services/{id}/feedback`: card outcomes, counted in memory.
- `GET /cds-services/{id}/feedback/summary`: those counts.
- `POST /v1/check/fhir`: a FHIR R4 Bundle in, the REST report out.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import Parameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_412_PRECONDITION_FAILED,
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
from service.decoding import BodyError, StrictDecoder
from service.fhir import (
    FhirReadError,
    FhirReport,
    PatientChoiceError,
    PatientNotFoundError,
    TooLargeError,
)
from service.fhir.pipeline import check_bundle, read_bundle
from service.limits import MAX_BUNDLE_ENTRIES, MAX_FHIR_OBJECTS, MAX_RECORD_ENTRIES
from service.settings import Settings
from service.web.bodies import FHIR_JSON, JSON, JSON_ONLY, decode_json
from service.web.cpu import run_check
from service.web.direct import answered_by, without_query
from service.web.fhir_requests import fhir_body, too_large
from service.web.observability import record_report
from service.web.openapi import ERROR_RESPONSES, problem_response
from service.web.problems import PROBLEM_MEDIA_TYPE, InvalidBody, NotFoundInRequest, Problem
from service.web.routes import NO_STORE, knowledge_of

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


_feedback = StrictDecoder(FeedbackRequest)
_decoders: dict[str, StrictDecoder[Any]] = {
    hook: StrictDecoder(kind) for hook, kind in REQUEST_TYPES.items()
}
# A FHIR Bundle comes as FHIR's own JSON media type or as plain JSON.
BUNDLE_MEDIA_TYPES = frozenset({JSON, FHIR_JSON})
PRECONDITION = ResponseSpec(
    data_container=Problem,
    media_type=PROBLEM_MEDIA_TYPE,
    generate_examples=False,
    description=(
        "The patient's data could not be obtained: the request has none of the prefetch keys "
        "and `fhirServer` is absent, not allowed or did not answer (CDS Hooks 412 rule)"
    ),
)
# The FHIR routes: their own body limit, and a few read at once per worker.
FHIR_RESPONSES = {
    **ERROR_RESPONSES,
    413: problem_response(
        "The body is larger than CRAMP_FHIR_MAX_BODY_BYTES (8 MiB by default), or holds "
        f"more than {MAX_FHIR_OBJECTS:,} JSON objects and arrays or too many resources"
    ),
    503: problem_response(
        "The knowledge base is not loaded yet, or too many FHIR requests are in progress "
        "(retry after `Retry-After` seconds)"
    ),
}
CALL_RESPONSES = {**FHIR_RESPONSES, HTTP_412_PRECONDITION_FAILED: PRECONDITION}


def _read_problem(error: FhirReadError, title: str) -> InvalidBody:
    if error.detail.startswith(("not valid JSON", "invalid UTF-8", "the JSON is nested")):
        title = "The request body is not valid JSON"
    return InvalidBody(title, [(error.pointer, error.detail)])


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
    return discovery(knowledge_of(state).kb)


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
        request_max_body_size=None,  # CRAMP_FHIR_MAX_BODY_BYTES, in fhir_body
    )
    async def call(request: Request[Any, Any, Any], state: State) -> CdsResponse:
        settings: Settings = state.settings
        # One budget for everything FHIR this call reads: the body, then fetched pages.
        async with fhir_body(
            request,
            state,
            settings.fhir,
            max_bytes=settings.fhir.max_fetch_bytes,
            max_entries=MAX_RECORD_ENTRIES,
            accepted=JSON_ONLY,
        ) as (data, budget):
            try:
                body = decoder.decode(data)
            except BodyError as exc:
                raise InvalidBody(exc.title, exc.errors) from None
            if (shape := body.shape_error()) is not None:
                raise InvalidBody("The request body does not match the schema", [shape])
            try:
                return await respond(
                    service,
                    body,
                    knowledge_of(state),
                    settings.fhir,
                    feedback_log(state),
                    budget,
                    min_indicator=settings.cds_min_indicator(orders=service.orders),
                    run=functools.partial(run_check, state),
                )
            except TooLargeError as exc:
                raise too_large(f"The request's FHIR data has {exc.detail}.") from None
            except FhirReadError as exc:
                raise _read_problem(exc, "The request's FHIR content is not valid") from None
            except DataUnavailableError as exc:
                raise HTTPException(
                    status_code=HTTP_412_PRECONDITION_FAILED, detail=str(exc)
                ) from None

    return call


def _feedback_handlers(service: Service) -> list[HTTPRouteHandler]:
    path = f"/cds-services/{service.id}/feedback"

    @post(
        path,
        status_code=HTTP_200_OK,
        tags=[TAG],
        summary=f"CDS Hooks feedback on the cards of {service.id}",
        operation_id=_operation(service, "_feedback"),
        responses={status: ERROR_RESPONSES[status] for status in (400, 413, 415)},
    )
    async def post_feedback(request: Request[Any, Any, Any], state: State) -> FeedbackReceipt:
        body = await decode_json(request, _feedback)
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


async def _check_fhir(request: Request[Any, Any, Any], patient: str | None) -> FhirReport:
    settings: Settings = request.app.state.settings
    async with fhir_body(
        request,
        request.app.state,
        settings.fhir,
        max_bytes=settings.fhir.max_body_bytes,
        max_entries=MAX_BUNDLE_ENTRIES,
        accepted=BUNDLE_MEDIA_TYPES,
    ) as (data, budget):
        state = request.app.state
        try:
            bundle = await run_check(state, lambda: read_bundle(data, budget))
        except TooLargeError as exc:
            raise too_large(f"The Bundle has {exc.detail}.") from None
        except FhirReadError as exc:
            raise _read_problem(exc, "The request body is not a FHIR R4 Bundle") from None
        try:
            knowledge = knowledge_of(state)
            checked = await run_check(
                state, lambda: check_bundle(bundle, knowledge, settings.fhir, patient)
            )
        except PatientChoiceError as exc:
            raise InvalidBody(
                "The Bundle does not say whose data to check", [("/entry", str(exc))]
            ) from None
        except PatientNotFoundError as exc:
            # 404 with the pointer of the query parameter: a typo in an integration must
            # not read as a clean check of nobody.
            raise NotFoundInRequest(
                "The patient is not in the Bundle", [("/patient", str(exc))]
            ) from None
    record_report(checked.report)
    return checked.fhir_report()


async def check_fhir_answer(request: Request[Any, Any, Any]) -> bytes:
    """``POST /v1/check/fhir`` without a query string (served by ``service.web.direct``)."""
    return _fhir_report_encoder.encode(await _check_fhir(request, None))


_fhir_report_encoder = msgspec.json.Encoder()


@post(
    "/v1/check/fhir",
    status_code=HTTP_200_OK,
    tags=["check"],
    summary="Check a FHIR R4 Bundle of one patient's medications, conditions and labs",
    operation_id="check_fhir",
    responses=FHIR_RESPONSES,
    request_max_body_size=None,  # CRAMP_FHIR_MAX_BODY_BYTES, in fhir_body
    cache_control=NO_STORE,
    # With a query string (``patient``), litestar validates it and calls the handler.
    middleware=[answered_by(check_fhir_answer, JSON, when=without_query)],
)
async def check_fhir(request: Request[Any, Any, Any], patient: PatientParam = None) -> FhirReport:
    if len(request.query_params.getall("patient", [])) > 1:
        # litestar would validate and use only the last one: refuse the ambiguity.
        raise ValidationException(
            "The request is not valid",
            extra=[{"key": "patient", "message": "give `patient` once"}],
        )
    return await _check_fhir(request, patient)


cds_hooks_router = Router(
    path="/",
    route_handlers=[
        cds_discovery,
        *(_call_handler(s) for s in SERVICES),
        *(h for s in SERVICES for h in _feedback_handlers(s)),
        check_fhir,
    ],
)
