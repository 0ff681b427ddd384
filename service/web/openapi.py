"""OpenAPI document details the type hints cannot say: errors, limits and examples."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Router
from litestar._openapi.plugin import handle_schema_path_not_found
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
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
    "and a `unit`. Bodies are JSON sent as `application/json` (415 otherwise), UTF-8, with "
    "no key repeated within an object (400). Errors are RFC 9457 problem documents "
    "(`application/problem+json`): `errors` lists every fault found, each with `pointer`, a "
    "JSON Pointer to the field at fault, and a specific `detail`; the problem's `detail` "
    "names the first ones. When too many requests are in flight the answer is 503 with "
    "`Retry-After`."
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
    400: problem_response(
        "The body is not valid JSON, repeats a key, or does not match the schema (`errors` "
        "lists every fault with its JSON Pointer)"
    ),
    404: problem_response("No such resource"),
    413: problem_response("The body is larger than the documented limit (named in the answer)"),
    415: problem_response("The body is not sent as application/json (Content-Type)"),
    503: problem_response(
        "The knowledge base is not loaded yet, or too many requests are in flight (retry "
        "after `Retry-After` seconds)"
    ),
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


def openapi_config(max_body: int, pages: bool = False) -> OpenAPIConfig:
    """The document at ``/schema/openapi.json``; with ``pages``, litestar's interactive
    pages too (Swagger UI, ReDoc, Stoplight, RapiDoc: they load scripts from a CDN)."""
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
        render_plugins=() if pages else (JsonRenderPlugin(),),
        openapi_router=Router(
            "/schema",
            route_handlers=[],
            include_in_schema=False,
            dto=None,
            return_dto=None,
            guards=[_not_found_as_problem],
        ),
    )


def _not_found_as_problem(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
    """litestar answers an unknown ``/schema/...`` path with an HTML page of its own; here
    it is the 404 problem document every other unknown path gets."""
    if handler.fn is handle_schema_path_not_found:
        raise NotFoundException


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
_JSON = ("application/json",)
# Request bodies taken in another media type besides JSON.
REQUEST_MEDIA_TYPES = {"/v1/check/fhir": ("application/json", "application/fhir+json")}
PROBLEM_REF = "#/components/schemas/Problem"
# Items that need `text` or a non-empty `coding` (the Structs check it in __post_init__).
TEXT_OR_CODING = ("MedicationInput", "ConditionInput", "LabInput")


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}]}` -> `X`."""
    options = [o for o in schema.get("anyOf", [schema]) if o != {"type": "null"}]
    return dict(options[0]) if len(options) == 1 else schema


def text_or_coding(name: str, schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rule "`text` or a non-empty `coding`" as an `anyOf` of two complete object
    schemas, each with every property and its own `required`: code generators read it as a
    union of two models (`{name}WithText | {name}WithCoding`), and it says exactly what the
    server accepts."""
    variants: dict[str, dict[str, Any]] = {}
    for suffix, field, extra in (
        ("WithText", "text", {}),
        ("WithCoding", "coding", {"minItems": 1}),
    ):
        variant = {k: v for k, v in schema.items() if k != "title"}
        variant["properties"] = {
            **schema["properties"],
            field: _not_null(schema["properties"][field]) | extra,
        }
        variant["required"] = sorted({*schema.get("required", ()), field})
        variant["title"] = f"{name}{suffix}"
        variants[f"{name}{suffix}"] = variant
    variants[name] = {
        "title": name,
        "description": schema.get("description", ""),
        "anyOf": [{"$ref": f"#/components/schemas/{key}"} for key in variants],
    }
    return variants


def _problem_for_validation_errors(document: OpenAPI) -> None:
    """litestar documents its own 400 body for parameter errors; ours is a problem document."""
    problem = {PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=Reference(ref=PROBLEM_REF))}
    for item in (document.paths or {}).values():
        for operation in (item.get, item.post, item.put, item.delete, item.patch):
            responses = operation.responses if operation is not None else None
            bad = (responses or {}).get("400")
            if isinstance(bad, OpenAPIResponse) and "application/json" in (bad.content or {}):
                bad.content = problem


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
    for name in TEXT_OR_CODING:
        components.update(text_or_coding(name, components[name]))
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
        media = OpenAPIMediaType(
            schema=Reference(ref=f"#/components/schemas/{struct.__name__}"),
            examples=(
                {"typical": Example(summary=example[0], value=example[1])} if example else None
            ),
        )
        operation.request_body = RequestBody(
            required=True,
            content=dict.fromkeys(REQUEST_MEDIA_TYPES.get(path, _JSON), media),
        )
    _problem_for_validation_errors(document)
    object.__setattr__(document, "_refined", True)
    return document
