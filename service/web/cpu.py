"""The checks run off the event loop, in one thread per worker, so that the event loop
keeps answering while a check computes: ``/healthz`` and ``/readyz`` (the orchestrator's
probes), ``/metrics``, new connections, request heads and bodies, and the deadlines of
``service.web.server``.

Before (review 20 B8) every check ran on the event loop: a valid worst-case ``/v1/check``
(about 700 kB within every documented limit, 1.8 s of CPU here) held the loop for its
whole run, and with four of them queued ``/healthz`` and ``/readyz`` waited 5 s or more, so
an orchestrator's 2 s probe would have marked a healthy pod unready, then restarted it.

One thread, not more: the checks are pure Python and hold the GIL, so a second thread adds
no throughput (two checks take as long as one after the other) and only makes the event
loop wait longer for the GIL. With one check thread the event loop gets the GIL back
within the interpreter's switch interval (5 ms) whenever it has work. The checks of a
worker queue for the thread in the order they arrive; how many wait is bounded by
``CRAMP_LIMIT_CONCURRENCY`` and ``CRAMP_FHIR_MAX_CONCURRENT``. A check whose client went
away still runs to its end (a thread cannot be stopped), but its answer is dropped.

What runs here is the CPU-bound part: ``service.engine.check`` and the FHIR conversion
and check (``service.fhir.pipeline``), and the batch lines. Decoding of bodies, fetching
from FHIR servers, metrics and cards stay on the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from litestar.datastructures import State

T = TypeVar("T")
# A ``/v1/check`` body up to this size is checked on the event loop: the hop to the check
# thread costs more than such a check holds the loop (at worst some tens of milliseconds
# for 16 KiB of unknown words, against the probes' 1 s or more), and nearly every real
# request is this small (a 16-item list is about 1 KiB).
INLINE_BODY_BYTES = 16 * 1024
# Threads that run checks, per worker (see above: one is the right number under the GIL).
CHECK_THREADS = 1
_STATE_KEY = "check_threads"


def _pool(state: State) -> ThreadPoolExecutor:
    pool: ThreadPoolExecutor | None = state.get(_STATE_KEY)
    if pool is None:
        pool = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="cramp-check")
        state[_STATE_KEY] = pool
    return pool


async def run_check(state: State, work: Callable[[], T]) -> T:
    """``work()`` in the worker's check thread (the caller's context variables with it:
    the request id of log lines)."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        _pool(state), functools.partial(context.run, work)
    )


def shutdown(state: State) -> None:
    """Stop the check thread when the app stops (queued checks are dropped)."""
    pool: ThreadPoolExecutor | None = state.get(_STATE_KEY)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
        del state[_STATE_KEY]


async def pieces_in_thread(
    state: State, pieces: Iterator[bytes], produce: Callable[[Iterator[bytes]], bytes | None]
) -> AsyncIterator[bytes]:
    """The chunks ``produce`` makes of ``pieces``, each made in the check thread, until it
    returns None."""
    while True:
        chunk = await run_check(state, functools.partial(produce, pieces))
        if chunk is None:
            return
        yield chunk
