"""The hot routes' thin path: a route answered by its own ASGI middleware.

A litestar handler declared with ``middleware=[answered_by(answer)]`` keeps everything
the declaration gives (the route, its OpenAPI operation, ``request_max_body_size``,
authentication, CORS, the exception handlers that turn errors into problem documents)
but is served by ``answer(request)`` without the handler call: no signature model, no
keyword arguments, no ``Response`` object. ``answer`` returns the body already encoded;
the middleware sends it in two ASGI messages. An exception ``answer`` raises goes to the
route's exception handlers exactly as one raised by the handler would.

The handler function stays a working implementation of the same route (it calls the
same ``answer``), so the declaration and the served route cannot drift apart; it also
serves the requests ``answer`` is not meant for (``when``: e.g. only requests without a
query string, whose parameters litestar validates).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, HTTPResponseBodyEvent, Receive, Scope, Send

Answer = Callable[[Request[Any, Any, Any]], Awaitable[bytes]]
Condition = Callable[[Scope], bool]


class DirectAnswer:
    """Innermost route middleware that answers ``200`` itself (see the module)."""

    __slots__ = ("answer", "app", "content_type", "when")

    def __init__(
        self, app: ASGIApp, *, answer: Answer, media_type: str, when: Condition | None
    ) -> None:
        self.app = app  # the handler, for the requests ``when`` leaves to it
        self.answer = answer
        self.content_type = media_type.encode()
        self.when = when

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.when is not None and not self.when(scope):
            await self.app(scope, receive, send)
            return
        body = await self.answer(Request(scope, receive, send))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"cache-control", b"no-store"),  # a report describes a patient
                    (b"content-type", self.content_type),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        end: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": body,
            "more_body": False,
        }
        await send(end)


def answered_by(
    answer: Answer, media_type: str, when: Condition | None = None
) -> Callable[[ASGIApp], ASGIApp]:
    """Route middleware for ``@post(..., middleware=[answered_by(answer, media_type)])``;
    with ``when``, only the requests it accepts are answered so."""

    def middleware(app: ASGIApp) -> ASGIApp:
        return DirectAnswer(app, answer=answer, media_type=media_type, when=when)

    return middleware


def without_query(scope: Scope) -> bool:
    return not scope["query_string"]
