"""RFC 9457 ``application/problem+json`` for every error the API returns."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from service.decoding import FieldErrors, describe, json_pointer
from service.engine.errors import IMPLAUSIBLE_TITLE, ImplausibleValueError

PROBLEM_MEDIA_TYPE = "application/problem+json"
INVALID_REQUEST = "about:blank#invalid-request"


class FieldError(msgspec.Struct, frozen=True):
    pointer: str
    detail: str


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem document; ``errors`` points at each bad field."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []


class BodyTooLarge(HTTPException):
    """413 naming the limit in bytes."""

    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self, limit: int, what: str = "body") -> None:
        super().__init__(detail=f"The request {what} is larger than {limit:,} bytes")
        self.limit = limit
        self.explanation = (
            f"This endpoint accepts at most {limit} bytes of request {what}; "
            "split the data or ask the operator about the limit."
        )


class ServiceBusy(HTTPException):
    """503 ``Service busy`` with ``Retry-After``: the worker's slots for this kind of
    request are all taken. An ordinary answer, not a server fault (logged as a warning,
    without a trace)."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE
    title = "Service busy"

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail=detail, headers={"Retry-After": str(retry_after)})


class InvalidBody(HTTPException):
    """The body cannot be used; carries a pointer and a specific detail for each fault."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, title: str, errors: FieldErrors) -> None:
        super().__init__(detail=title)
        self.errors = [FieldError(pointer, detail) for pointer, detail in errors]


class NotFoundInRequest(InvalidBody):
    """404: a parameter names something the request does not hold (``?patient=`` naming
    a patient the Bundle holds nothing of), with the parameter's pointer."""

    status_code = HTTP_404_NOT_FOUND


def summary(errors: list[FieldError]) -> str:
    return describe([(error.pointer, error.detail) for error in errors])


def _response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(
        problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def invalid_body_handler(request: Request[Any, Any, Any], exc: InvalidBody) -> Response[Problem]:
    return _response(
        Problem(
            type=INVALID_REQUEST,
            title=exc.detail,
            status=exc.status_code,
            detail=summary(exc.errors),
            instance=request.url.path,
            errors=exc.errors,
        )
    )


def implausible_handler(
    request: Request[Any, Any, Any], exc: ImplausibleValueError
) -> Response[Problem]:
    """Values no patient can have (entry errors): 400, with the pointer of each value."""
    return invalid_body_handler(request, InvalidBody(IMPLAUSIBLE_TITLE, exc.problems))


def validation_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    extra: Any = exc.extra
    items = extra if isinstance(extra, list) else []
    errors = [
        FieldError(json_pointer(str(item.get("key", ""))), str(item.get("message") or exc.detail))
        for item in items
        if isinstance(item, dict)
    ] or [FieldError("", exc.detail)]
    return _response(
        Problem(
            type=INVALID_REQUEST,
            title="The request is not valid",
            status=exc.status_code,
            detail=summary(errors),
            instance=request.url.path,
            errors=errors,
        )
    )


def http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    headers = dict(exc.headers) if exc.headers else None
    title = exc.detail if exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR else "Internal error"
    detail = None
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE and not isinstance(exc, BodyTooLarge):
        # litestar's own size check: name the limit of the route it enforced.
        limit = request.route_handler.resolve_request_max_body_size()
        exc = BodyTooLarge(limit) if limit else exc
    if isinstance(exc, BodyTooLarge):
        title, detail = exc.detail, exc.explanation
    elif isinstance(exc, ServiceBusy):
        title, detail = exc.title, exc.detail
    return _response(
        Problem(
            type="about:blank",
            title=title,
            status=exc.status_code,
            detail=detail,
            instance=request.url.path,
        ),
        headers,
    )


def internal_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    # Never echo the exception: it could quote patient data.
    return _response(
        Problem(
            type="about:blank",
            title="Internal error",
            status=HTTP_500_INTERNAL_SERVER_ERROR,
            instance=request.url.path,
        )
    )
