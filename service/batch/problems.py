"""RFC 9457 problems for single batch lines, with a JSON Pointer to each field at fault.

Titles and details are those of ``POST /v1/check`` (``service.decoding``), so a line
fails the same way as the same body sent alone. Kept free of web-framework imports: batch
runs on Dask and Spark workers.
"""

from __future__ import annotations

from service.batch.models import LineFieldError, LineProblem
from service.decoding import BodyError, FieldErrors, describe
from service.engine.errors import IMPLAUSIBLE_TITLE

INVALID = "about:blank#invalid-request"


def invalid(errors: FieldErrors, title: str) -> LineProblem:
    return LineProblem(
        type=INVALID,
        title=title,
        status=400,
        detail=describe(errors, "(the line)"),
        errors=[LineFieldError(pointer, detail) for pointer, detail in errors],
    )


def implausible_problem(problems: FieldErrors) -> LineProblem:
    """Lab values that are not possible results (as ``POST /v1/check`` answers them)."""
    return invalid(problems, IMPLAUSIBLE_TITLE)


def decode_problem(exc: BodyError) -> LineProblem:
    """The problem for a line that could not be decoded (every error, with pointers)."""
    return invalid(exc.errors, exc.title)


def too_large_problem(limit: int) -> LineProblem:
    """A line over the body limit of ``POST /v1/check`` (as that endpoint answers it)."""
    return LineProblem(
        type="about:blank",
        title=f"The request body is larger than {limit:,} bytes",
        status=413,
        detail=(
            f"A batch line is checked as a POST /v1/check body: at most {limit} bytes; "
            "the line was not read"
        ),
    )


def internal_problem() -> LineProblem:
    # Never echo the exception: it could quote patient data.
    return LineProblem(type="about:blank", title="Internal error", status=500)
