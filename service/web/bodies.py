"""Request bodies of the API: media type, size, a client that goes away, strict JSON.

Every handler that takes a body reads it here, so that all of them answer alike:

- ``415`` when the ``Content-Type`` is not one the endpoint takes (``text/plain`` above
  all: a cross-site "simple" POST needs no CORS preflight), or is missing;
- ``413`` naming the limit in bytes, before reading when ``Content-Length`` says so;
- ``408`` when the server gave up on a body that stopped arriving (``service.web.server``
  flags the request; the answer closes the connection);
- ``499`` (logged and counted as the client's doing, never as a server error) when the
  client hung up before the whole body arrived;
- ``400`` with every error, each with its JSON Pointer (``service.decoding``);
- ``503`` ``Service busy`` when the worker already holds ``CRAMP_BODY_BUFFER_BYTES`` of large
  bodies (``BodyBuffer``): bodies are read before their request takes a slot, so that a
  slow upload holds no slot, and this bounds the memory they take meanwhile.
"""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_408_REQUEST_TIMEOUT, HTTP_415_UNSUPPORTED_MEDIA_TYPE

from service.decoding import BodyError, StrictDecoder
from service.web.problems import BodyTooLarge, InvalidBody, ServiceBusy

T = TypeVar("T")

JSON = "application/json"
FHIR_JSON = "application/fhir+json"
JSON_ONLY = frozenset({JSON})
# Set in the scope by the server when the body stopped arriving (service.web.server).
BODY_TIMED_OUT = "cramp.body_timed_out"
# An over-limit body is still read (and dropped) up to this many bytes; see read_body.
DRAIN_LIMIT = 64 * 1024 * 1024
# The scope key of the bytes a request's body holds of the worker's BodyBuffer.
BUFFER_CHARGED = "cramp.body_buffer_charged"
# nginx's "client closed request": the client left before the body arrived.
CLIENT_CLOSED_REQUEST = 499


class ClientDisconnected(HTTPException):
    status_code = CLIENT_CLOSED_REQUEST

    def __init__(self) -> None:
        super().__init__(detail="The client closed the connection before sending the body")


class BodyTimedOut(HTTPException):
    status_code = HTTP_408_REQUEST_TIMEOUT

    def __init__(self) -> None:
        super().__init__(
            detail="The request body stopped arriving or came too slowly; send it at once",
            headers={"Connection": "close"},
        )


class UnsupportedMediaType(HTTPException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE

    def __init__(self, accepted: frozenset[str]) -> None:
        names = " or ".join(sorted(accepted))
        super().__init__(detail=f"Send the body as {names} (Content-Type)")


def media_type(request: Request[Any, Any, Any]) -> str:
    """The body's media type, lower case, without parameters; ``""`` when absent."""
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower().decode("latin-1")
    return ""


def require_media_type(request: Request[Any, Any, Any], accepted: frozenset[str]) -> str:
    found = media_type(request)
    if found not in accepted:
        raise UnsupportedMediaType(accepted)
    return found


class BodyBuffer:
    """The bytes of request bodies a worker holds beyond the first ``free`` bytes of each
    (the ``/v1/check`` limit: small bodies are never counted), from their arrival until a
    slot takes them over (``release``). Bytes are counted as they arrive, not as declared:
    a client that declares much and sends little holds little."""

    __slots__ = ("free", "limit", "used")

    def __init__(self, limit: int, free: int) -> None:
        self.limit = limit
        self.free = free
        self.used = 0

    def charge(self, scope: Any, size: int) -> bool:
        """Count a body of ``size`` bytes so far; ``False`` when that would pass the limit."""
        want = size - self.free
        extra = want - scope.get(BUFFER_CHARGED, 0)
        if extra <= 0:
            return True
        if self.used + extra > self.limit:
            return False
        self.used += extra
        scope[BUFFER_CHARGED] = want
        return True

    def release(self, scope: Any) -> None:
        self.used -= scope.pop(BUFFER_CHARGED, 0)


def body_buffer(request: Request[Any, Any, Any]) -> BodyBuffer | None:
    state = request.app.state
    buffer: BodyBuffer | None = state.get("body_buffer")
    if buffer is None and (settings := state.get("settings")) is not None:
        buffer = state["body_buffer"] = BodyBuffer(
            settings.body_buffer_bytes, settings.max_body_bytes
        )
    return buffer


def release_body(request: Request[Any, Any, Any]) -> None:
    """The request's body is in a slot's care now (or dropped): no longer counted."""
    if (buffer := body_buffer(request)) is not None:
        buffer.release(request.scope)


def _declared_length(request: Request[Any, Any, Any]) -> int | None:
    for name, value in request.scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def read_body(request: Request[Any, Any, Any], limit: int | None = None) -> bytes | bytearray:
    """The whole body (413 above ``limit`` bytes; default: the route's limit).

    A client that announced ``Expect: 100-continue`` has sent nothing yet and is refused at
    once; any other client may still be sending, so the rest of its body (up to
    ``DRAIN_LIMIT`` bytes in all) is read and dropped before the 413 goes out: the client
    then reads the answer instead of a reset connection. Draining is bounded in time like
    any body (``CRAMP_BODY_TIMEOUT``, ``CRAMP_BODY_MIN_RATE``)."""
    if limit is None:
        limit = request.route_handler.resolve_request_max_body_size()
    body = _Body(request)
    if limit is not None and (declared := _declared_length(request)) and declared > limit:
        if declared <= DRAIN_LIMIT and not _expects_continue(request):
            await body.drain()
        raise BodyTooLarge(limit)
    counted = body_buffer(request)
    try:
        first = await body.next()
        if not body.more:  # the usual case: all of it at once
            if limit is not None and len(first) > limit:
                raise BodyTooLarge(limit)
            if counted is not None and not counted.charge(request.scope, len(first)):
                raise _busy()
            return first
        buffer = bytearray(first)
        while body.more:
            buffer += await body.next()
            if limit is not None and len(buffer) > limit:
                buffer.clear()
                await body.drain()
                raise BodyTooLarge(limit)
            if counted is not None and not counted.charge(request.scope, len(buffer)):
                buffer.clear()
                await body.drain()
                raise _busy()
        return buffer
    except BaseException:
        if counted is not None:
            counted.release(request.scope)
        raise


def _busy() -> ServiceBusy:
    return ServiceBusy("Too many large request bodies are arriving at once; retry shortly.")


class _Body:
    """The body's pieces as they arrive."""

    __slots__ = ("more", "received", "request")

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self.request = request
        self.more = True
        self.received = 0

    async def next(self) -> bytes:
        message = await self.request.receive()
        if message["type"] != "http.request":
            raise ClientDisconnected
        chunk: bytes = message.get("body", b"")
        self.more = bool(message.get("more_body", False))
        if not chunk and self.more and self.request.scope.get(BODY_TIMED_OUT):
            raise BodyTimedOut
        self.received += len(chunk)
        return chunk

    async def drain(self) -> None:
        """Read and drop the rest, up to ``DRAIN_LIMIT`` bytes in all."""
        while self.more and self.received <= DRAIN_LIMIT:
            await self.next()


def _expects_continue(request: Request[Any, Any, Any]) -> bool:
    for name, value in request.scope["headers"]:
        if name == b"expect":
            return value.strip().lower() == b"100-continue"
    return False


async def decode_json(
    request: Request[Any, Any, Any],
    decoder: StrictDecoder[T],
    accepted: frozenset[str] = JSON_ONLY,
    limit: int | None = None,
) -> T:
    """The body decoded strictly (415, 413, 408, 499, or 400 with every error)."""
    return decode_body(await read_json_body(request, accepted, limit), decoder)


async def read_json_body(
    request: Request[Any, Any, Any],
    accepted: frozenset[str] = JSON_ONLY,
    limit: int | None = None,
) -> bytes | bytearray:
    """The body of a JSON request, not decoded yet (415, 413, 408, 499)."""
    require_media_type(request, accepted)
    body = await read_body(request, limit)
    release_body(request)
    return body


def decode_body(body: bytes | bytearray, decoder: StrictDecoder[T]) -> T:
    """A body decoded strictly (400 with every error)."""
    try:
        return decoder.decode(body)
    except BodyError as exc:
        raise InvalidBody(exc.title, exc.errors) from None
