"""Reading the body of a FHIR route (`POST /v1/check/fhir`, CDS Hooks calls) with bounded
memory: a few at a time per worker, the body size limited (413, which the client always
receives), and its JSON objects counted before anything is decoded.

Memory per worker is then at most ``CRAMP_FHIR_MAX_CONCURRENT`` times the worst case of
one request (docs/operations.md); further FHIR requests wait for a slot (their bodies
unread) and get 503 with ``Retry-After`` when none frees in time (the fetch budget, plus
a second).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from service.fhir import Budget, TooLargeError
from service.limits import MAX_FHIR_OBJECTS
from service.settings import FhirSettings

# An over-limit body is still read (and dropped) up to this many bytes, so that the
# client, which may still be sending, receives the 413 instead of a reset connection.
DRAIN_LIMIT = 64 * 1024 * 1024
# Seconds a FHIR request waits for a slot before 503, beyond the longest a slot is held
# for fetching (CRAMP_FHIR_BUDGET).
SLOT_MARGIN = 1.0


def too_large(detail: str) -> HTTPException:
    return HTTPException(status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail=detail)


def _slots(state: State, settings: FhirSettings) -> asyncio.Semaphore:
    slots: asyncio.Semaphore | None = state.get("fhir_slots")
    if slots is None:
        slots = asyncio.Semaphore(settings.max_concurrent)
        state["fhir_slots"] = slots
    return slots


@asynccontextmanager
async def fhir_body(
    request: Request[Any, Any, Any],
    state: State,
    settings: FhirSettings,
    *,
    max_bytes: int,
    max_entries: int,
) -> AsyncIterator[tuple[bytearray, Budget]]:
    """The body, and the budget of everything FHIR the request may read (``max_bytes``
    besides the body, ``MAX_FHIR_OBJECTS`` objects and arrays, ``max_entries`` resources),
    held in one of the worker's FHIR slots."""
    slots = _slots(state, settings)
    try:
        await asyncio.wait_for(slots.acquire(), settings.budget + SLOT_MARGIN)
    except TimeoutError:
        raise HTTPException(
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            detail="Too many FHIR requests in progress; retry shortly.",
            headers={"Retry-After": "1"},
        ) from None
    try:
        data = await read_body(request, settings.max_body_bytes)
        budget = Budget(max_bytes=max_bytes, max_objects=MAX_FHIR_OBJECTS, max_entries=max_entries)
        try:
            budget.count_objects(data)
        except TooLargeError as exc:
            raise too_large(f"The request body has {exc.detail}.") from None
        yield data, budget
    finally:
        slots.release()


async def read_body(request: Request[Any, Any, Any], limit: int) -> bytearray:
    """The body, or 413 when it is larger than ``limit`` bytes.

    A client that announced ``Expect: 100-continue`` has sent nothing yet and is answered
    at once; any other client may still be sending, so the rest of its body is read and
    dropped (up to ``DRAIN_LIMIT``) before the 413 goes out."""
    refused = too_large(f"The request body is larger than the limit of {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        if request.headers.get("expect", "").lower() != "100-continue" and (
            int(declared) <= DRAIN_LIMIT
        ):
            async for _ in request.stream():
                pass
        raise refused
    body = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            body.clear()
            if size > DRAIN_LIMIT:
                break
            continue
        body += chunk
    if size > limit:
        raise refused
    return body
