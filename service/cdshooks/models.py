"""CDS Hooks 2.0 wire shapes: discovery, service requests, cards and feedback.

Requests are decoded leniently where the specification allows clients to differ (a few
REQUIRED-but-unused fields are optional here); FHIR content (prefetch values, draft
orders) is kept undecoded (``msgspec.Raw``) and read, within the call's budget, by
``service.fhir.read``. Responses never carry ``null``: optional elements are omitted, as
CDS Hooks requires ("JSON elements SHALL NOT be null").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

FhirJson = dict[str, Any]
# A FHIR resource (or Bundle) kept undecoded until the bounded reader reads it.
FhirResource = Annotated[
    msgspec.Raw,
    msgspec.Meta(description="A FHIR R4 resource or Bundle.", extra_json_schema={"type": "object"}),
]
FhirResourceOrNull = Annotated[
    msgspec.Raw,
    msgspec.Meta(
        description="A FHIR R4 resource or searchset Bundle; null: the query found nothing.",
        extra_json_schema={"anyOf": [{"type": "object"}, {"type": "null"}]},
    ),
]
FhirResources = Annotated[
    msgspec.Raw,
    msgspec.Meta(
        description="A Bundle of the draft MedicationRequests, or a JSON array of them.",
        extra_json_schema={
            "anyOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]
        },
    ),
]
# CDS Hooks: "One-sentence, <140-character summary message".
Summary = Annotated[str, msgspec.Meta(max_length=140)]
ShortText = Annotated[str, msgspec.Meta(max_length=500)]
Identifier = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# A FHIR resource id (FHIR R4 `id` datatype); it goes into the FHIR queries this service makes.
PatientId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9\-.]{1,64}$", description="FHIR id of the patient in context."
    ),
]
FhirServerUrl = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^https?://[^/?#\x00-\x20\x7f]+[^?#\x00-\x20\x7f]*$",
        max_length=2000,
        description=(
            "Base URL of the CDS client's FHIR server (http or https), without a query or fragment."
        ),
    ),
]
Indicator = Literal["info", "warning", "critical"]


class _Camel(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    pass


# Discovery -----------------------------------------------------------------------------


class ServiceDefinition(_Camel, frozen=True):
    hook: str
    title: str
    description: str
    id: str
    prefetch: dict[str, str]
    usage_requirements: str | UnsetType = UNSET


class Discovery(_Camel, frozen=True):
    services: list[ServiceDefinition]


# Requests ------------------------------------------------------------------------------


_raw_items = msgspec.json.Decoder(list[msgspec.Raw])


def _starts_with(value: msgspec.Raw, firsts: bytes) -> bool:
    """Whether an undecoded JSON value begins with one of these bytes (``{`` an object,
    ``[`` an array, ``n`` null): msgspec slices begin at the value itself."""
    head = bytes(memoryview(value)[:1])
    return bool(head) and head in [firsts[i : i + 1] for i in range(len(firsts))]


def _no_trailing_newline(value: str | None, name: str) -> None:
    # Python's `$` also matches before a final newline; JSON Schema's does not.
    if value is not None and value.endswith("\n"):
        raise ValueError(f"`{name}` must not end with a newline")


class FhirAuthorization(msgspec.Struct, frozen=True, omit_defaults=True):
    """The OAuth 2.0 bearer token for `fhirServer` (field names are snake_case in the
    specification). Only `access_token` is needed here."""

    # RFC 6750 b64token: what can be sent in an `Authorization: Bearer` header.
    access_token: Annotated[
        str, msgspec.Meta(min_length=1, max_length=8192, pattern=r"^[A-Za-z0-9\-._~+/]+=*$")
    ]
    token_type: Annotated[str, msgspec.Meta(max_length=50)] = "Bearer"
    expires_in: int | None = None
    scope: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    subject: ShortText | None = None
    patient: ShortText | None = None

    def __post_init__(self) -> None:
        _no_trailing_newline(self.access_token, "access_token")


class Prefetch(_Camel, frozen=True):
    """Prefetched data by the keys this service declares in discovery. A missing key was
    not prefetched (the service fetches it from `fhirServer` when it can); `null` means
    the query found nothing. Values are FHIR R4 resources or searchset Bundles."""

    patient: FhirResourceOrNull | UnsetType = UNSET
    medication_requests: FhirResourceOrNull | UnsetType = UNSET
    medication_statements: FhirResourceOrNull | UnsetType = UNSET
    conditions: FhirResourceOrNull | UnsetType = UNSET
    observations: FhirResourceOrNull | UnsetType = UNSET

    def shape_error(self) -> tuple[str, str] | None:
        """(pointer, detail) of a value that is neither a JSON object nor null."""
        for name, key in zip(self.__struct_fields__, self.__struct_encode_fields__, strict=True):
            value = getattr(self, name)
            if value is not UNSET and not _starts_with(value, b"{n"):
                return f"/prefetch/{key}", "must be a FHIR resource (a JSON object) or null"
        return None


class _Context(_Camel, frozen=True, kw_only=True):
    patient_id: PatientId
    user_id: ShortText | None = None
    encounter_id: ShortText | None = None

    def __post_init__(self) -> None:
        _no_trailing_newline(self.patient_id, "patientId")

    def shape_error(self) -> tuple[str, str] | None:
        return None


class PatientViewContext(_Context, frozen=True, kw_only=True):
    pass


class OrderSignContext(_Context, frozen=True, kw_only=True):
    draft_orders: Annotated[
        msgspec.Raw,
        msgspec.Meta(
            description="Bundle of the draft orders (MedicationRequest).",
            extra_json_schema={"type": "object"},
        ),
    ]

    def shape_error(self) -> tuple[str, str] | None:
        if not _starts_with(self.draft_orders, b"{"):
            return "/context/draftOrders", "must be a FHIR Bundle (a JSON object)"
        return None


class OrderSelectContext(OrderSignContext, frozen=True, kw_only=True):
    selections: Annotated[list[Identifier], msgspec.Meta(max_length=200)] = []


class MedicationPrescribeContext(_Context, frozen=True, kw_only=True):
    medications: FhirResources

    def shape_error(self) -> tuple[str, str] | None:
        if not _starts_with(self.medications, b"{["):
            return "/context/medications", "must be a FHIR Bundle or a JSON array of resources"
        if _starts_with(self.medications, b"["):
            for index, item in enumerate(_raw_items.decode(self.medications)):
                if not _starts_with(item, b"{"):
                    return (
                        f"/context/medications/{index}",
                        "must be a FHIR resource (a JSON object)",
                    )
        return None


class _HookRequest(_Camel, frozen=True, kw_only=True):
    hook_instance: Identifier
    context: _Context
    fhir_server: FhirServerUrl | None = None
    fhir_authorization: FhirAuthorization | None = None
    prefetch: Prefetch | None = None

    def __post_init__(self) -> None:
        _no_trailing_newline(self.fhir_server, "fhirServer")
        # CDS Hooks 2.0.1: "If fhirAuthorization is provided, this field is REQUIRED."
        if self.fhir_authorization is not None and self.fhir_server is None:
            raise ValueError("`fhirAuthorization` is given without `fhirServer`")

    def shape_error(self) -> tuple[str, str] | None:
        """(pointer, detail) of FHIR content of the wrong JSON type: it is kept undecoded,
        so the schema cannot check it while decoding."""
        found = self.context.shape_error()
        if found is None and self.prefetch is not None:
            found = self.prefetch.shape_error()
        return found


class PatientViewRequest(_HookRequest, frozen=True, kw_only=True):
    hook: Literal["patient-view"]
    context: PatientViewContext


class OrderSelectRequest(_HookRequest, frozen=True, kw_only=True):
    hook: Literal["order-select"]
    context: OrderSelectContext


class OrderSignRequest(_HookRequest, frozen=True, kw_only=True):
    hook: Literal["order-sign"]
    context: OrderSignContext


class MedicationPrescribeRequest(_HookRequest, frozen=True, kw_only=True):
    hook: Literal["medication-prescribe"]
    context: MedicationPrescribeContext


HookRequest = (
    PatientViewRequest | OrderSelectRequest | OrderSignRequest | MedicationPrescribeRequest
)
REQUEST_TYPES: dict[str, type[HookRequest]] = {
    "patient-view": PatientViewRequest,
    "order-select": OrderSelectRequest,
    "order-sign": OrderSignRequest,
    "medication-prescribe": MedicationPrescribeRequest,
}


# Cards ---------------------------------------------------------------------------------


class CardCoding(_Camel, frozen=True):
    code: str
    system: str
    display: str | UnsetType = UNSET


class CardSource(_Camel, frozen=True):
    label: str
    url: str | UnsetType = UNSET
    # The problem the card is about (its lead finding's stable id): the same on every call,
    # while the card's `uuid` is new on every call.
    topic: CardCoding | UnsetType = UNSET


class Action(_Camel, frozen=True):
    type: Literal["create", "update", "delete"]
    description: str
    resource: FhirJson | UnsetType = UNSET
    resource_id: str | UnsetType = UNSET


class Suggestion(_Camel, frozen=True):
    label: str
    uuid: str | UnsetType = UNSET
    is_recommended: bool | UnsetType = UNSET
    actions: list[Action] = []


class Link(_Camel, frozen=True):
    label: str
    url: str
    type: Literal["absolute", "smart"]


class Card(_Camel, frozen=True):
    uuid: str
    summary: Summary
    indicator: Indicator
    source: CardSource
    detail: str | UnsetType = UNSET
    suggestions: list[Suggestion] = []
    selection_behavior: Literal["at-most-one", "any"] | UnsetType = UNSET
    override_reasons: list[CardCoding] = []
    links: list[Link] = []


class CdsResponse(_Camel, frozen=True):
    cards: list[Card]


# Feedback ------------------------------------------------------------------------------


class FeedbackCoding(_Camel, frozen=True):
    code: ShortText | None = None
    system: ShortText | None = None
    display: ShortText | None = None


class OverrideReason(_Camel, frozen=True):
    reason: FeedbackCoding | None = None
    # Accepted but never stored: free text may name the patient.
    user_comment: Annotated[str, msgspec.Meta(max_length=4000)] | None = None


class AcceptedSuggestion(_Camel, frozen=True):
    id: Identifier


class FeedbackItem(_Camel, frozen=True, kw_only=True):
    card: Identifier
    outcome: Literal["accepted", "overridden"]
    outcome_timestamp: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    accepted_suggestions: Annotated[list[AcceptedSuggestion], msgspec.Meta(max_length=50)] = []
    override_reason: OverrideReason | None = None

    def __post_init__(self) -> None:
        # CDS Hooks 2.0.1: acceptedSuggestions is "Required for accepted outcomes".
        if self.outcome == "accepted" and not self.accepted_suggestions:
            raise ValueError("an `accepted` outcome needs `acceptedSuggestions`")


class FeedbackRequest(_Camel, frozen=True):
    feedback: Annotated[list[FeedbackItem], msgspec.Meta(max_length=100)]


class FeedbackReceipt(_Camel, frozen=True):
    received: int


class FeedbackSummary(_Camel, frozen=True):
    """Counts since the process started: no patient data, no comments, no timestamps."""

    service: str
    accepted: int
    overridden: int
    override_reasons: dict[str, int]
    # Per finding id (from the card uuids this process issued): accepted / overridden.
    findings: dict[str, dict[str, int]]
    # Per problem (a card's `source.topic` code, its lead finding): accepted / overridden.
    problems: dict[str, dict[str, int]]


# What the Structs check in `__post_init__`, said in JSON Schema for the OpenAPI document
# (added to the request components by `service.web.openapi.refine`).
_SERVER_WITH_TOKEN = {
    # "If fhirAuthorization is provided, [fhirServer] is REQUIRED."
    "anyOf": [
        {"required": ["fhirServer"], "properties": {"fhirServer": {"type": "string"}}},
        {"properties": {"fhirAuthorization": {"type": "null"}}},
    ]
}
SCHEMA_RULES: dict[str, dict[str, Any]] = {
    **{kind.__name__: _SERVER_WITH_TOKEN for kind in REQUEST_TYPES.values()},
    # acceptedSuggestions: "Required for accepted outcomes".
    "FeedbackItem": {
        "anyOf": [
            {"properties": {"outcome": {"const": "overridden"}}},
            {
                "required": ["acceptedSuggestions"],
                "properties": {"acceptedSuggestions": {"minItems": 1}},
            },
        ]
    },
}
