"""RFC 9457 problems for single batch lines, with a JSON Pointer to the field at fault.

Titles match those of ``POST /v1/check`` so a line fails the same way as the same body
sent alone. Kept free of web-framework imports: batch runs on Dask and Spark workers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from service.batch.models import LineFieldError, LineProblem

_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_INDEX = re.compile(r"\[(\d+)\]")
INVALID = "about:blank#invalid-request"
POINTER_NOTE = "`errors[].pointer` is a JSON Pointer (RFC 6901) to the field at fault."


def json_pointer(path: str) -> str:
    """``.medications[1].text`` -> ``/medications/1/text``; the whole line -> ``""``."""
    path = _INDEX.sub(r".\1", path).strip(".")
    if not path:
        return ""
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path.split("."))


def invalid(pointer: str, detail: str, title: str) -> LineProblem:
    return LineProblem(
        type=INVALID,
        title=title,
        status=400,
        detail=POINTER_NOTE,
        errors=[LineFieldError(pointer, detail)],
    )


def implausible_problem(problems: Sequence[tuple[str, str]]) -> LineProblem:
    """Lab values that are not possible results (as ``POST /v1/check`` answers them)."""
    return LineProblem(
        type=INVALID,
        title="A lab value is not a possible result",
        status=400,
        detail=POINTER_NOTE,
        errors=[LineFieldError(pointer, detail) for pointer, detail in problems],
    )


def decode_problem(exc: Exception) -> LineProblem:
    """The problem for a line msgspec could not decode (or that was not UTF-8)."""
    if isinstance(exc, msgspec.ValidationError):
        message = str(exc)
        match = _MSGSPEC_PATH.search(message)
        pointer = json_pointer(match.group("path")) if match else ""
        detail = message[: match.start()] if match else message
        return invalid(pointer, detail, "The request body does not match the schema")
    if isinstance(exc, UnicodeDecodeError):
        detail = f"invalid UTF-8 at byte {exc.start}"
    elif isinstance(exc, RecursionError):
        detail = "JSON is nested too deeply"
    else:
        detail = str(exc)
    return invalid("", detail, "The request body is not valid JSON")


def internal_problem() -> LineProblem:
    # Never echo the exception: it could quote patient data.
    return LineProblem(type="about:blank", title="Internal error", status=500)
