"""Fetch what prefetch did not bring from the CDS client's FHIR server (httpx).

Bounded on every axis: the host and its addresses (``guard``), per-request connect/read
time-outs, one time budget for the whole call, a number of requests (pages included),
pages per search, bytes per response and per call after decompression (gzip and deflate
only, inflated incrementally and abandoned past the limit), and the objects and entries
of the call's ``Budget``. Redirects are not followed; `next` links are followed only on
the `fhirServer` origin, under its base path. Any failure is "could not obtain" (or "cut
short", when some pages were read) for that key, never an error of this service; the
reason is logged without patient data (no query strings, ids or tokens).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

import certifi
import httpx

from service.cdshooks.guard import RefusedError, Target, default_port, resolve
from service.cdshooks.services import PATIENT_KEY
from service.errors import CrampError
from service.fhir.read import Budget, Entry, FhirReadError, TooLargeError, read
from service.settings import FhirSettings

log = logging.getLogger(__name__)
ACCEPT = "application/fhir+json, application/json;q=0.9"
# Only encodings that can be inflated with a bound on the output.
ACCEPT_ENCODING = "gzip, deflate"
RECEIVE_BUFFER = 256 * 1024
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class FailedError(CrampError):
    """A request failed; the message is for the log (no patient data)."""


@dataclass(slots=True)
class Search:
    """The pages of one query read so far, and how reading them ended."""

    key: str
    entries: list[Entry] = field(default_factory=list)
    pages: int = 0
    # Why reading stopped early; with pages == 0 the key could not be obtained at all.
    stopped: str | None = None


@dataclass(slots=True)
class _Quota:
    left: int

    def take(self) -> None:
        if self.left <= 0:
            raise FailedError("the request limit of the call was reached")
        self.left -= 1


def server_origin(url: str) -> httpx.URL | None:
    """The parsed base URL when it is http(s) with a host, else None."""
    try:
        parsed = httpx.URL(url)
        # ``host`` decodes an IDNA name: a malformed A-label (`xn--`) raises here.
        host = parsed.host
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return None
    # Credentials in the URL are not ours to send anywhere.
    if parsed.scheme not in ("http", "https") or not host or parsed.userinfo:
        return None
    return parsed


class Session:
    """Requests to one checked `fhirServer` for one hook call."""

    def __init__(
        self,
        base: httpx.URL,
        target: Target,
        client: httpx.AsyncClient,
        settings: FhirSettings,
        budget: Budget,
    ) -> None:
        self.base = base
        self.target = target
        self.client = client
        self.settings = settings
        self.budget = budget
        self.quota = _Quota(settings.max_requests)
        self._root = str(base).rstrip("/")

    def url(self, relative: str) -> httpx.URL:
        return httpx.URL(f"{self._root}/{relative.lstrip('/')}")

    def on_origin(self, link: str) -> httpx.URL | None:
        """A `next` link, when it is on the `fhirServer` origin and under its base path."""
        parsed = server_origin(link)
        if parsed is None:
            return None
        same = (parsed.scheme, parsed.host, parsed.port) == (
            self.base.scheme,
            self.base.host,
            self.base.port,
        )
        # The path as a server or proxy that decodes it would see it: an encoded dot
        # segment (`%2e%2e`) or slash (`%2f`) could leave the base path there.
        raw = parsed.raw_path.split(b"?", 1)[0].decode("ascii", "replace")
        path = unquote(raw)
        if "%2f" in raw.lower() or "\\" in path or {".", ".."} & set(path.split("/")):
            return None
        prefix = self.base.path.rstrip("/")
        under = path == prefix or path.startswith(prefix + "/") or not prefix
        return parsed if same and under else None

    async def search(self, search: Search, first: httpx.URL, expected: str = "Bundle") -> None:
        """Read ``first`` and its `next` pages into ``search`` (which keeps what was read
        if the task is cancelled by the call's time budget). ``expected``: the resource
        type the first answer must be (a search: a searchset ``Bundle``; ``Patient/{id}``:
        a ``Patient``); anything else was not the answer asked for."""
        url: httpx.URL | None = first
        while url is not None:
            if search.pages >= self.settings.max_pages:
                search.stopped = f"more than {self.settings.max_pages} pages"
                return
            try:
                data = await self._get(url)
                # Strict: a key written twice is refused, as in a request body.
                document = read(data, self.budget, strict=True)
            except (FailedError, TooLargeError, FhirReadError) as exc:
                search.stopped = str(exc)
                return
            except (httpx.HTTPError, OSError) as exc:
                search.stopped = f"request failed ({type(exc).__name__})"
                return
            if document.outcome:
                search.stopped = "the FHIR server answered an OperationOutcome"
                return
            if document.resource_type is None:
                search.stopped = "the FHIR server did not answer a FHIR resource"
                return
            # A CapabilityStatement (a misconfigured gateway) or any other resource where a
            # search Bundle was asked for is not "found, no entries".
            if document.resource_type != expected:
                search.stopped = f"the FHIR server did not answer a {expected}"
                return
            if expected == "Bundle" and document.bundle_type != "searchset":
                search.stopped = "the FHIR server answered a Bundle that is not a searchset"
                return
            expected = "Bundle"
            search.entries.extend(document.entries)
            search.pages += 1
            url = None
            if document.next is not None:
                url = self.on_origin(document.next)
                if url is None:
                    search.stopped = "a next page not on the fhirServer origin"

    async def _get(self, url: httpx.URL) -> bytearray:
        self.quota.take()
        pinned = url.copy_with(host=str(self.target.address))
        headers = {"Host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": self.target.host} if url.scheme == "https" else {}
        request = self.client.build_request("GET", pinned, headers=headers, extensions=extensions)
        response = await self.client.send(request, stream=True)
        try:
            if response.status_code != httpx.codes.OK:
                raise FailedError(f"the FHIR server answered HTTP {response.status_code}")
            return await self._body(response)
        finally:
            await response.aclose()

    async def _body(self, response: httpx.Response) -> bytearray:
        """The decoded body, abandoned as soon as it passes a limit: bytes per response,
        bytes and JSON objects per call (counted as it arrives, before any decoding)."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity", *_WBITS):
            raise FailedError("the FHIR server answered an unsupported content encoding")
        largest = self.settings.max_response_bytes
        body = _Body(largest, self.budget)
        inflater = _Inflater(_WBITS[encoding]) if encoding in _WBITS else None
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > largest:
                raise body.too_large
            if inflater is None:
                body.add(chunk)
            else:
                inflater.feed(chunk, body)
        if inflater is not None and not inflater.done:
            raise FailedError("the FHIR response's compressed stream is truncated")
        return body.data


class _Body:
    """A response body as it arrives, charged to the call's budget piece by piece."""

    def __init__(self, largest: int, budget: Budget) -> None:
        self.data = bytearray()
        self.largest = largest
        self.budget = budget
        self.too_large = FailedError(f"the FHIR response is larger than {largest} bytes")

    def add(self, piece: bytes) -> None:
        if len(self.data) + len(piece) > self.largest:
            raise self.too_large
        self.budget.take_bytes(len(piece))
        self.budget.count_objects(piece)
        self.data += piece


class _Inflater:
    """gzip/deflate, inflated a bounded step at a time (``STEP`` bytes of output), so a
    small stream that inflates to gigabytes costs no more than the limits allow."""

    STEP = 256 * 1024

    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self.inflate = zlib.decompressobj(wbits)
        self.started = False
        self.done = False

    def feed(self, data: bytes, body: _Body) -> None:
        while data:
            try:
                piece = self.inflate.decompress(data, self.STEP)
            except zlib.error:
                if self.started or self.wbits != zlib.MAX_WBITS:
                    raise FailedError("the FHIR response's compressed stream is invalid") from None
                # "deflate" sent as a raw deflate stream, as some servers do.
                self.wbits = -zlib.MAX_WBITS
                self.inflate = zlib.decompressobj(self.wbits)
                continue
            self.started = True
            body.add(piece)
            data = self.inflate.unconsumed_tail
            if self.inflate.eof:
                self.done = True
                rest = self.inflate.unused_data
                if not rest.strip(b"\x00"):
                    return
                # Concatenated gzip members.
                self.inflate = zlib.decompressobj(self.wbits)
                self.done = False
                data = rest + data


@functools.cache
def tls_context(ca_bundle: str) -> ssl.SSLContext:
    """Certificates verified, against the name in `fhirServer` (the connection goes to a
    checked address, the name is sent as SNI and checked in the certificate)."""
    return ssl.create_default_context(cafile=ca_bundle or certifi.where())


async def open_session(
    server: str, token: str | None, settings: FhirSettings, budget: Budget
) -> tuple[Session, httpx.AsyncClient]:
    """A session on a checked `fhirServer`; ``RefusedError`` (for the log) otherwise."""
    base = server_origin(server)
    if base is None or base.query or base.fragment:
        raise RefusedError("fhirServer is not an http(s) base URL", suspicious=False)
    port = base.port or default_port(base.scheme)
    target = await resolve(base.host, port, base.scheme, settings.hosts, settings.connect_timeout)
    headers = {"Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = httpx.Timeout(
        settings.read_timeout, connect=settings.connect_timeout, pool=settings.connect_timeout
    )
    # No proxies or .netrc from the environment: the checked address is the one used. A
    # small receive buffer: the event loop reads ahead what the kernel holds, so this
    # bounds what a fast server can push into memory before a limit stops the read.
    transport = httpx.AsyncHTTPTransport(
        verify=tls_context(settings.ca_bundle),
        socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)],
    )
    client = httpx.AsyncClient(
        headers=headers,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        transport=transport,
    )
    return Session(base, target, client, settings, budget), client


async def fetch_all(
    server: str,
    token: str | None,
    first_pages: Mapping[str, str],
    next_pages: Mapping[str, str],
    settings: FhirSettings,
    budget: Budget,
) -> dict[str, Search]:
    """Read each relative query of ``first_pages``, and the `next` page links of
    ``next_pages`` (prefetch Bundles with more pages), concurrently, within the budgets."""
    keys = [*first_pages, *next_pages]
    searches = {key: Search(key) for key in keys}
    try:
        session, client = await open_session(server, token, settings, budget)
    except RefusedError as refused:
        # A probe of internal addresses is worth a warning; a host not configured is not.
        level = logging.WARNING if refused.suspicious else logging.INFO
        log.log(level, "FHIR fetch refused: %s", refused)
        for search in searches.values():
            search.stopped = "fhirServer may not be contacted"
        return searches
    host = session.target.host
    async with client:
        tasks: dict[str, asyncio.Task[None]] = {}
        for key, query in first_pages.items():
            expected = "Patient" if key == PATIENT_KEY else "Bundle"
            tasks[key] = asyncio.create_task(
                session.search(searches[key], session.url(query), expected)
            )
        for key, link in next_pages.items():
            following = session.on_origin(link)
            if following is None:
                searches[key].stopped = "a next page not on the fhirServer origin"
                continue
            tasks[key] = asyncio.create_task(session.search(searches[key], following))
        if tasks:
            _, pending = await asyncio.wait(tasks.values(), timeout=settings.budget)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        for key, task in tasks.items():
            search = searches[key]
            if task.cancelled():
                search.stopped = "the FHIR server did not answer in time"
            elif task.exception() is not None:
                search.stopped = f"request failed ({type(task.exception()).__name__})"
    for search in searches.values():
        if search.stopped:
            log.info("FHIR fetch of %s from %s stopped: %s", search.key, host, search.stopped)
    return searches
