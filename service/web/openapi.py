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
from service.cdshooks import examples as cds_examples
from service.cdshooks.models import REQUEST_TYPES as CDS_REQUEST_TYPES
from service.cdshooks.models import SCHEMA_RULES as CDS_SCHEMA_RULES
from service.cdshooks.models import FeedbackRequest
from service.cdshooks.services import SERVICES as CDS_SERVICES
from service.engine.models import CheckRequest
from service.fhir.models import FhirBundleRequest
from service.limits import MAX_CODINGS, MAX_CONDITIONS, MAX_LABS, MAX_MEDICATIONS, MAX_TEXT
from service.web.problems import PROBLEM_MEDIA_TYPE, Problem

LIMITS = (
    f"Limits: request body at most {{max_body}} bytes (413 above); at most {MAX_MEDICATIONS} "
    f"medications and {MAX_CONDITIONS} conditions, {MAX_LABS} labs, {MAX_CODINGS} codings per "
    f"item; free text at most {MAX_TEXT} characters. Each medication and condition needs "
    "`text` or a non-empty `coding`; each lab needs `coding` or `text`, a numeric `value` "
    "and a `unit`. Errors are RFC 9457 problem documents (`application/problem+json`) "
    "whose `errors[].pointer` is a JSON Pointer to the field at fault."
)


def problem_response(description: str) -> ResponseSpec:
    """An error response documented as an RFC 9457 problem."""
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
        description=description,
    )


ERROR_RESPONSES: dict[int, ResponseSpec] = {
    400: problem_response("The body is not valid JSON or does not match the schema"),
    404: problem_response("No such resource"),
    413: problem_response("The body is larger than the documented limit"),
    503: problem_response("The knowledge base is not loaded yet"),
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
    ("/v1/check/fhir", "post"): FhirBundleRequest,
    **{
        (f"/cds-services/{service.id}", "post"): CDS_REQUEST_TYPES[service.hook]
        for service in CDS_SERVICES
    },
    **{
        (f"/cds-services/{service.id}/feedback", "post"): FeedbackRequest
        for service in CDS_SERVICES
    },
}
# Per request body: (summary, example). Every example answers 200 as it stands.
REQUEST_EXAMPLES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("/v1/check", "post"): ("A typical patient", REQUEST_EXAMPLE),
    ("/v1/check/fhir", "post"): ("A patient's Bundle", cds_examples.FHIR_BUNDLE),
    **{
        (f"/cds-services/{service.id}", "post"): (
            f"A {service.hook} call with prefetch",
            cds_examples.BY_HOOK[service.hook],
        )
        for service in CDS_SERVICES
    },
    **{
        (f"/cds-services/{service.id}/feedback", "post"): (
            "An overridden card",
            cds_examples.FEEDBACK,
        )
        for service in CDS_SERVICES
    },
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
    for name, rule in CDS_SCHEMA_RULES.items():
        components[name].update(rule)
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
        example = REQUEST_EXAMPLES.get((path, method))
        operation.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(
                    schema=Reference(ref=f"#/components/schemas/{struct.__name__}"),
                    examples=(
                        {"typical": Example(summary=example[0], value=example[1])}
                        if example
                        else None
                    ),
                )
            },
        )
    object.__setattr__(document, "_refined", True)
    return document
