"""The floor of the HTTP benchmark: the least work any implementation of the check does.

``POST /v1/check`` decodes the body like ``bare_app.py`` (a msgspec Decoder built once for
the service's ``CheckRequest``), then touches every input the way any matcher must at
least: each medication's and condition's text (or its first coding's display when it has
none) is tokenized with the service's own tokenizers and looked up once, as the joined
words, in the knowledge base's term index; each coded condition's ICD-10-CM prefixes are
looked up once each; each lab's LOINC code is looked up once. The look-up results are
ignored, and the answer is the service's real report for the benchmark body, encoded once
at import. No findings, statuses, note, metrics or middleware: a lower bound, not a
service. ``floor rps / bare rps`` is therefore a ceiling on the ratio any CPython
implementation of this work can reach.

Run by ``bench/http_bench.py`` as ``uvicorn --app-dir bench floor_app:app`` from the
repository root.
"""

from __future__ import annotations

import gc
from typing import Any

import msgspec
from bodies import CHECK_BODY
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_200_OK

from service.engine import CheckRequest, check, load
from service.engine.matching import icd_prefixes
from service.engine.models import Coding
from service.knowledge.text import drug_key_tokens, tokens
from service.settings import Settings

_check_request = msgspec.json.Decoder(CheckRequest)

_knowledge = load(Settings().datasets_dir)
_kb = _knowledge.kb
# The service's report for the benchmark body, encoded once; checked against a fresh
# ``check()`` so the floor answers exactly what the service answers.
_REPORT = msgspec.json.Encoder().encode(check(_check_request.decode(CHECK_BODY), _knowledge))
_fresh = msgspec.json.encode(check(msgspec.json.decode(CHECK_BODY, type=CheckRequest), _knowledge))
if _fresh != _REPORT:
    raise RuntimeError("the service's report for the benchmark body is not deterministic")
# Like the service: the knowledge base lives as long as the process, out of the collector.
gc.collect()
gc.freeze()

_drug_terms = _kb.drug_terms
_condition_terms = _kb.condition_terms
_conditions_by_icd_prefix = _kb.conditions_by_icd_prefix
_analyte_by_loinc = _kb.analyte_by_loinc


def _text_of(text: str | None, coding: list[Coding] | None) -> str:
    if text is not None:
        return text
    if coding:
        return coding[0].display or ""
    return ""


def _touch(request: CheckRequest) -> None:
    """One tokenization and one index look-up per input; the results are ignored."""
    for med in request.medications:
        _drug_terms.get(" ".join(drug_key_tokens(_text_of(med.text, med.coding))))
    for cond in request.conditions:
        _condition_terms.get(" ".join(tokens(_text_of(cond.text, cond.coding))))
        for c in cond.coding or ():
            if c.code:  # no code-system check: every coded condition here is ICD-10-CM
                for prefix in icd_prefixes(c.code):
                    _conditions_by_icd_prefix.get(prefix)
    for lab in request.labs:
        for c in lab.coding or ():
            if c.code:
                _analyte_by_loinc.get(c.code)
                break


class Health(msgspec.Struct, frozen=True):
    status: str


_HEALTH = Health(status="ok")


@post("/v1/check", status_code=HTTP_200_OK)
async def check_handler(request: Request[Any, Any, Any]) -> Response[bytes]:
    try:
        decoded = _check_request.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise ValidationException(str(exc)) from None
    _touch(decoded)
    return Response(_REPORT, media_type=MediaType.JSON)


@get("/healthz")
async def healthz() -> Health:
    return _HEALTH


app = Litestar(route_handlers=[check_handler, healthz], debug=False)
