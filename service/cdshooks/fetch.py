"""Fetch what prefetch did not bring from the CDS client's FHIR server (httpx).

Bounded on every axis: per-request connect/read time-outs, one time budget for the whole
call, a maximum number of requests (pages included), pages per search, and response size.
Redirects are not followed and `next` page links are followed only on the same origin.
Any failure is "could not obtain" for that key, never an error of this service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
import msgspec

from service.fhir.bundles import Entry, entries, is_operation_outcome, is_resource, next_link
from service.settings import FhirSettings

log = logging.getLogger(__name__)
ACCEPT = "application/fhir+json, application/json;q=0.9"
_json = msgspec.json.Decoder()


@dataclass(frozen=True, slots=True)
class Fetched:
    """The resources of one query, or why they could not be had."""

    entries: list[Entry] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _FailedError(Exception):
    pass


@dataclass(slots=True)
class _Quota:
    left: int

    def take(self) -> None:
        if self.left <= 0:
            raise _FailedError("request limit reached")
        self.left -= 1


def server_origin(url: str) -> httpx.URL | None:
    """The parsed base URL when it is http(s) with a host, else None."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


async def fetch_all(
    server: str, token: str | None, queries: Mapping[str, str], settings: FhirSettings
) -> dict[str, Fetched]:
    """GET each relative query against `server`, concurrently, within the budget."""
    base = server_origin(server)
    if base is None:
        return {key: Fetched(error="fhirServer is not an http(s) URL") for key in queries}
    if not settings.host_allowed(base.host):
        return {key: Fetched(error="fhirServer host is not allowed") for key in queries}
    headers = {"Accept": ACCEPT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = httpx.Timeout(
        settings.read_timeout, connect=settings.connect_timeout, pool=settings.connect_timeout
    )
    quota = _Quota(settings.max_requests)
    root = str(base).rstrip("/")
    try:
        tasks = await _run(root, base, headers, timeout, queries, quota, settings)
    except Exception as exc:  # never an error of this service: "could not obtain"
        error = f"request failed ({type(exc).__name__})"
        return {key: Fetched(error=error) for key in queries}
    results: dict[str, Fetched] = {}
    for key, task in tasks.items():
        if task.cancelled():
            results[key] = Fetched(error="the FHIR server did not answer in time")
        else:
            results[key] = task.result()
        if results[key].error:
            log.info("FHIR fetch of %s from %s failed: %s", key, base.host, results[key].error)
    return results


async def _run(
    root: str,
    base: httpx.URL,
    headers: dict[str, str],
    timeout: httpx.Timeout,
    queries: Mapping[str, str],
    quota: _Quota,
    settings: FhirSettings,
) -> dict[str, asyncio.Task[Fetched]]:
    async with httpx.AsyncClient(
        headers=headers, timeout=timeout, follow_redirects=False
    ) as client:
        tasks = {
            key: asyncio.create_task(
                _search(client, base, f"{root}/{query.lstrip('/')}", quota, settings)
            )
            for key, query in queries.items()
        }
        _, pending = await asyncio.wait(tasks.values(), timeout=settings.budget)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
    return tasks


async def _search(
    client: httpx.AsyncClient, base: httpx.URL, url: str, quota: _Quota, settings: FhirSettings
) -> Fetched:
    found: list[Entry] = []
    try:
        for _ in range(settings.max_pages):
            quota.take()
            body = await _get(client, url, settings.max_response_bytes)
            found.extend(entries(body))
            following = next_link(body)
            if following is None:
                break
            parsed = server_origin(following)
            if parsed is None or not _same_origin(parsed, base):
                break
            url = following
    except _FailedError as failure:
        return Fetched(error=str(failure))
    except Exception as exc:
        return Fetched(error=f"request failed ({type(exc).__name__})")
    return Fetched(found)


async def _get(client: httpx.AsyncClient, url: str, max_bytes: int) -> object:
    async with client.stream("GET", url) as response:
        if response.status_code != httpx.codes.OK:
            raise _FailedError(f"the FHIR server answered HTTP {response.status_code}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _FailedError("the FHIR response is too large")
            chunks.append(chunk)
    try:
        body = _json.decode(b"".join(chunks))
    except msgspec.DecodeError:
        raise _FailedError("the FHIR server did not answer JSON") from None
    if not is_resource(body):
        raise _FailedError("the FHIR server did not answer a FHIR resource")
    if is_operation_outcome(body):
        raise _FailedError("the FHIR server answered an OperationOutcome")
    return body
