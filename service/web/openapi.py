"""OpenAPI document details the type hints cannot say: errors, limits and examples."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPI,
    OpenAPIMediaType,
    Reference,
    RequestBody,
)

from service import __version__
from service.engine.models import MAX_CODINGS, MAX_ITEMS, MAX_LABS, MAX_TEXT, CheckRequest
from service.web.problems import PROBLEM_MEDIA_TYPE, Problem

LIMITS = (
    f"Limits: request body at most {{max_body}} bytes (413 above); at most {MAX_ITEMS} "
    f"medications and {MAX_ITEMS} conditions, {MAX_LABS} labs, {MAX_CODINGS} codings per "
    f"item; free text at most {MAX_TEXT} characters. Each medication and condition needs "
    "`text` or a non-empty `coding`; each lab needs `coding` or `text`, a numeric `value` "
    "and a `unit`. Errors are RFC 9457 problem documents (`application/problem+json`) "
    "whose `errors[].pointer` is a JSON Pointer to the field at fault."
)


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
        description=description,
    )


ERROR_RESPONSES: dict[int, ResponseSpec] = {
    400: _problem("The body is not valid JSON or does not match the schema"),
    404: _problem("No such resource"),
    413: _problem("The body is larger than the documented limit"),
    503: _problem("The knowledge base is not loaded yet"),
}

REQUEST_EXAMPLE: dict[str, Any] = {
    "patient": {"age": 71, "sex": "female", "pregnant": False},
    "medications": [
        {"text": "Lasix 40 mg PO daily"},
        {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "310798",
                    "display": "Hydrochlorothiazide 25 MG Oral Tablet",
                }
            ]
        },
    ],
    "conditions": [
        {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]},
        {"text": "lumbar spinal stenosis"},
    ],
    "labs": [
        {
            "coding": [{"system": "http://loinc.org", "code": "2823-3"}],
            "value": 3.1,
            "unit": "mmol/L",
        },
    ],
}


def openapi_config(max_body: int) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Cramp and spasm risk checker",
        version=__version__,
        description=(
            "Checks a patient's medications, diagnoses and labs for known contributors to "
            "leg cramps and muscle spasms and returns clinician-facing findings with "
            "evidence and monitoring. " + LIMITS.format(max_body=max_body)
        ),
        path="/schema",
        use_handler_docstrings=False,
    )


REQUEST_BODIES: dict[tuple[str, str], type[msgspec.Struct]] = {
    ("/v1/check", "post"): CheckRequest,
}
_EITHER_TEXT_OR_CODING = [
    {"required": ["text"], "properties": {"text": {"type": "string"}}},
    {"required": ["coding"], "properties": {"coding": {"type": "array", "minItems": 1}}},
]


def refine(document: OpenAPI) -> OpenAPI:
    """Add what litestar cannot infer: request bodies decoded by msgspec itself.

    Their schemas come from msgspec (the decoder's own view), plus the "text or coding"
    rule that the Structs enforce in ``__post_init__``.
    """
    if getattr(document, "_refined", False):
        return document
    _, components = msgspec.json.schema_components(
        list(REQUEST_BODIES.values()), ref_template="#/components/schemas/{name}"
    )
    for name in ("MedicationInput", "ConditionInput", "LabInput"):
        components[name]["anyOf"] = _EITHER_TEXT_OR_CODING
    if document.components is None:
        document.components = Components()
    schemas = document.components.schemas if document.components.schemas is not None else {}
    schemas.update(components)
    document.components.schemas = schemas
    for (path, method), struct in REQUEST_BODIES.items():
        item = document.paths[path] if document.paths else None
        operation = getattr(item, method, None)
        if operation is None:
            continue
        operation.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(
                    schema=Reference(ref=f"#/components/schemas/{struct.__name__}"),
                    examples={
                        "typical": Example(summary="A typical patient", value=REQUEST_EXAMPLE)
                    },
                )
            },
        )
    object.__setattr__(document, "_refined", True)
    return document
