"""RFC 9457 ``application/problem+json`` for every error the API returns."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_500_INTERNAL_SERVER_ERROR

from service.engine.errors import ImplausibleValueError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")


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


class InvalidBody(HTTPException):
    """The body is not JSON or does not match the schema; carries the field pointer."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, error: FieldError, title: str) -> None:
        super().__init__(detail=title)
        self.error = error


def json_pointer(path: str) -> str:
    """``.medications[1].text`` (msgspec or litestar path) -> ``/medications/1/text``."""
    path = re.sub(r"\[(\d+)\]", r".\1", path).strip(".")
    if path in ("", "data"):
        return ""
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path.split("."))


def from_msgspec(exc: msgspec.DecodeError) -> InvalidBody:
    message = str(exc)
    match = _MSGSPEC_PATH.search(message)
    pointer = json_pointer(match.group("path")) if match else ""
    detail = message[: match.start()] if match else message
    if isinstance(exc, msgspec.ValidationError):
        return InvalidBody(
            FieldError(pointer, detail), "The request body does not match the schema"
        )
    return InvalidBody(FieldError(pointer, detail), "The request body is not valid JSON")


def _response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(
        problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def invalid_body_handler(request: Request[Any, Any, Any], exc: InvalidBody) -> Response[Problem]:
    return _response(
        Problem(
            type="about:blank#invalid-request",
            title=exc.detail,
            status=exc.status_code,
            detail="`errors[].pointer` is a JSON Pointer (RFC 6901) to the field at fault.",
            instance=request.url.path,
            errors=[exc.error],
        )
    )


IMPLAUSIBLE_TITLE = "A lab value is not a possible result"


def implausible_handler(
    request: Request[Any, Any, Any], exc: ImplausibleValueError
) -> Response[Problem]:
    """Values no patient can have (entry errors): 400, with the pointer of each value."""
    return _response(
        Problem(
            type="about:blank#invalid-request",
            title=IMPLAUSIBLE_TITLE,
            status=HTTP_400_BAD_REQUEST,
            detail="`errors[].pointer` is a JSON Pointer (RFC 6901) to the field at fault.",
            instance=request.url.path,
            errors=[FieldError(pointer, detail) for pointer, detail in exc.problems],
        )
    )


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
            type="about:blank#invalid-request",
            title="The request is not valid",
            status=exc.status_code,
            instance=request.url.path,
            errors=errors,
        )
    )


def http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    headers = dict(exc.headers) if exc.headers else None
    title = exc.detail if exc.status_code < HTTP_500_INTERNAL_SERVER_ERROR else "Internal error"
    return _response(
        Problem(type="about:blank", title=title, status=exc.status_code, instance=request.url.path),
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
