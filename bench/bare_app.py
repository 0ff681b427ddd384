"""The baseline of the HTTP benchmark: bare litestar + msgspec, no engine.

``POST /v1/check`` decodes the body with a msgspec Decoder built once for the service's
own ``CheckRequest`` (same strict types, limits and ``__post_init__`` checks) and returns a
small fixed Struct. What the service costs over this is matching, rules, the report and
its encoding, plus whatever the service's app configuration adds.

Run by ``bench/http_bench.py`` as ``uvicorn --app-dir bench bare_app:app`` from the
repository root.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request, get, post
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_200_OK

from service.engine.models import CheckRequest

_check_request = msgspec.json.Decoder(CheckRequest)


class Ack(msgspec.Struct, frozen=True):
    status: str


class Health(msgspec.Struct, frozen=True):
    status: str


_ACK = Ack(status="ok")
_HEALTH = Health(status="ok")


@post("/v1/check", status_code=HTTP_200_OK)
async def check(request: Request[Any, Any, Any]) -> Ack:
    try:
        _check_request.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise ValidationException(str(exc)) from None
    return _ACK


@get("/healthz")
async def healthz() -> Health:
    return _HEALTH


app = Litestar(route_handlers=[check, healthz], debug=False)
