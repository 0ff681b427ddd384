"""What a conversion returns besides the CheckRequest: where each item came from."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from service.engine.models import CheckRequest, Report
from service.limits import MAX_BUNDLE_ENTRIES, MAX_FULL_URL


class ResourceRef(msgspec.Struct, frozen=True, omit_defaults=True):
    """The FHIR resource behind one request item."""

    reference: str
    resource_type: str
    # A draft order of an order hook (a new prescription), not the patient's record.
    draft: bool = False
    # What the resource names, as written (drug, condition, or lab with value and unit).
    display: str | None = None
    # When a lab was taken (the Observation's effective time or issue time).
    date: str | None = None


class Ignored(msgspec.Struct, frozen=True):
    """A resource of a type the service reads that was left out, and why."""

    reference: str
    resource_type: str
    reason: str


class Sources(msgspec.Struct, frozen=True, omit_defaults=True):
    """Per request list, the resource behind each item (same order and indexes)."""

    medications: list[ResourceRef] = []
    conditions: list[ResourceRef] = []
    labs: list[ResourceRef] = []
    patient: ResourceRef | None = None


class Conversion(msgspec.Struct, frozen=True):
    request: CheckRequest
    sources: Sources
    ignored: list[Ignored]
    # The Patient resource says the patient has died (Patient.deceased[x]).
    deceased: bool = False
    # Orders of the record that a draft order names as its priorPrescription: the order's
    # reference -> the draft's.
    prior_of: dict[str, str] = msgspec.field(default_factory=dict)
    # Per lab of the request, the comparator of a result read from a bound ("<" of
    # valueQuantity "<2.5"), or None: the texts show it with the value (review51 D6).
    lab_comparators: list[str | None] = msgspec.field(default_factory=list)


class FhirReport(Report, frozen=True):
    """The REST report, plus the FHIR resource behind each checked item and the resources
    that were left out (inactive, another patient's, superseded, not a lab we check)."""

    sources: Sources = msgspec.field(default_factory=Sources)
    ignored: list[Ignored] = msgspec.field(default_factory=list)
    # The Patient resource records the patient as deceased: the findings describe the
    # record, not a living patient (and no condition is read as a current pregnancy).
    deceased: bool = False
    # Why the data read may be incomplete (e.g. a `next` page that was not read); empty
    # when everything was read.
    incomplete: list[str] = msgspec.field(default_factory=list)


class BundleEntry(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    full_url: Annotated[str, msgspec.Meta(max_length=MAX_FULL_URL)] | None = None
    resource: dict[str, Any] | None = None


class FhirBundleRequest(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """A FHIR R4 Bundle (collection, searchset, transaction...) of one patient's record.
    Patient, MedicationRequest, MedicationStatement, Medication, Condition and Observation
    resources are read; other types are skipped without being decoded, so a whole-history
    export (a Synthea patient, say) can be sent as it is. Limits: the body size
    (`CRAMP_FHIR_MAX_BODY_BYTES`, 8 MiB by default), 250,000 JSON objects and arrays, and
    the entries below (413 above)."""

    resource_type: Literal["Bundle"]
    type: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    entry: Annotated[list[BundleEntry], msgspec.Meta(max_length=MAX_BUNDLE_ENTRIES)] = []
