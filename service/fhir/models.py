"""What a conversion returns besides the CheckRequest: where each item came from."""

from __future__ import annotations

import msgspec

from service.engine.models import CheckRequest, Report


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


class FhirReport(Report, frozen=True):
    """The REST report, plus the FHIR resource behind each checked item and the resources
    that were left out (inactive, another patient's, superseded, not a lab we check)."""

    sources: Sources = msgspec.field(default_factory=Sources)
    ignored: list[Ignored] = msgspec.field(default_factory=list)
