"""Reading the body of a FHIR route (`POST /v1/check/fhir`, CDS Hooks calls) with bounded
memory: a few at a time per worker, the body size limited (413, which the client always
receives), and its JSON objects counted before anything is decoded.

The body is read (bounded in size, rate and time: ``service.web.bodies`` and
``service.web.server``) before the request takes a slot, so a client that uploads slowly
holds no slot: the slots are for the work (decoding, fetching, checking). The decoded
request, the fetched pages and the check of a worker are then at most
``CRAMP_FHIR_MAX_CONCURRENT`` at once (docs/operations.md); further FHIR requests, their
bodies read, wait for a slot and get 503 ``Service busy`` with ``Retry-After`` when none
frees in time (the fetch budget, plus a second).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from service.fhir import Budget, TooLargeError
from service.limits import MAX_FHIR_OBJECTS
from service.settings import FhirSettings
from service.web.bodies import read_body, release_body, require_media_type
from service.web.problems import ServiceBusy

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
    accepted: frozenset[str],
) -> AsyncIterator[tuple[bytes | bytearray, Budget]]:
    """The body, and the budget of everything FHIR the request may read (``max_bytes``
        besides the body, ``MAX_FHIR_OBJECTS`` objects and arrays, ``max_entries`` resources),
        held in one of the worker's FHIR slots. The body is read as every body is
    (``service.web.bodies``: 415, 413, 408, 499), before a slot is taken; a client still
    sending an over-limit body receives its 413 because the server drains before closing
    (``service.web.server``)."""
    require_media_type(request, accepted)
    data = await read_body(request, settings.max_body_bytes)
    slots = _slots(state, settings)
    try:
        await asyncio.wait_for(slots.acquire(), settings.budget + SLOT_MARGIN)
    except TimeoutError:
        raise ServiceBusy("Too many FHIR requests in progress; retry shortly.") from None
    finally:
        release_body(request)  # in the slot's care from here
    try:
        budget = Budget(max_bytes=max_bytes, max_objects=MAX_FHIR_OBJECTS, max_entries=max_entries)
        try:
            budget.count_objects(data)
        except TooLargeError as exc:
            raise too_large(f"The request body has {exc.detail}.") from None
        yield data, budget
    finally:
        slots.release()
