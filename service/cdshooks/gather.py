"""Collect the patient's FHIR data for a hook call: prefetch first, then `fhirServer`.

Per prefetch key: present (a resource, a Bundle, or `null` = nothing found) or missing
(absent, not FHIR JSON, or an OperationOutcome reporting a failed prefetch). Missing keys
are fetched when the request gives `fhirServer`, and so are the further pages of a
prefetch Bundle with a `next` link (CDS Hooks lets clients paginate prefetch). When none
of the patient's data keys can be had, the call cannot be answered: the caller returns
412 as CDS Hooks requires. What was cut short is kept, so the cards can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from service.cdshooks.fetch import fetch_all
from service.cdshooks.models import Prefetch
from service.cdshooks.services import (
    ALL_KEYS,
    DATA_KEYS,
    INCLUDES,
    KEY_LABELS,
    KEY_TYPES,
    render,
)
from service.fhir.read import Budget, Document, Entry, FhirReadError, read
from service.settings import FhirSettings

NOT_PREFETCHED = "not prefetched"


@dataclass(slots=True)
class Gathered:
    found: dict[str, list[Entry]] = field(default_factory=dict)
    # Key -> why it could not be had.
    missing: dict[str, str] = field(default_factory=dict)
    # Key -> why only part of it was read.
    cut: dict[str, str] = field(default_factory=dict)
    # Key -> the `next` page link of its prefetch Bundle.
    following: dict[str, str] = field(default_factory=dict)

    @property
    def has_patient_data(self) -> bool:
        return any(key in self.found for key in DATA_KEYS)

    def record(self) -> list[Entry]:
        return [entry for key in ALL_KEYS for entry in self.found.get(key, [])]

    def incomplete(self) -> list[str]:
        """What was not (all) read although it was asked for: cut short, or failed to be
        fetched. A key the client chose not to prefetch, with no fhirServer, is not."""
        gaps = {**{k: why for k, why in self.missing.items() if why != NOT_PREFETCHED}}
        gaps.update(self.cut)
        return [f"{KEY_LABELS[key]}: {gaps[key]}" for key in ALL_KEYS if key in gaps]


def from_prefetch(prefetch: Prefetch | None, budget: Budget) -> Gathered:
    """Read the prefetch values (``TooLargeError`` when they pass the call's budget;
    ``FhirReadError``, its pointer from the request body, when one is not FHIR JSON or
    repeats a key: read strictly, as ``POST /v1/check/fhir`` reads its body)."""
    gathered = Gathered()
    for key in ALL_KEYS:
        value: Any = getattr(prefetch, _field(key)) if prefetch is not None else UNSET
        if value is UNSET:
            gathered.missing[key] = NOT_PREFETCHED
            continue
        document = read_strictly(value, budget, f"/prefetch/{key}")
        expected = KEY_TYPES[key]
        if document.outcome:
            gathered.missing[key] = "the client reported a prefetch failure"
        elif document.resource_type is None and bytes(memoryview(value)[:1]) != b"n":
            gathered.missing[key] = "the prefetch value is not a FHIR resource"
        elif document.resource_type not in (None, "Bundle", *expected):
            # A CapabilityStatement or another resource is not "found, no entries".
            gathered.missing[key] = f"the prefetch value is neither a Bundle nor a {expected[0]}"
        else:
            gathered.found[key] = document.entries
            if document.next is not None:
                gathered.following[key] = document.next
    return gathered


def read_strictly(value: Any, budget: Budget, pointer: str) -> Document:
    """FHIR content of a CDS request, read as strictly as ``POST /v1/check/fhir`` reads its
    body (a key written twice, an entry of the wrong shape: ``FhirReadError`` with its
    pointer from the request body), except that an object with no ``resourceType`` is no
    resource at all and reads as nothing (the caller decides what that means)."""
    try:
        return read(value, budget, strict=True)
    except FhirReadError as exc:
        if exc.pointer == "/resourceType":
            return Document()
        raise FhirReadError(pointer + exc.pointer, exc.detail) from None


def _field(key: str) -> str:
    """The Prefetch Struct field of a camelCase key."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


async def gather(
    prefetch: Prefetch | None,
    fhir_server: str | None,
    token: str | None,
    patient_id: str,
    templates: dict[str, str],
    settings: FhirSettings,
    budget: Budget,
) -> Gathered:
    gathered = from_prefetch(prefetch, budget)
    if fhir_server is None:
        for key in gathered.following:
            gathered.cut[key] = "more pages, and no fhirServer to read them from"
        return gathered
    if not gathered.missing and not gathered.following:
        return gathered
    queries = {key: _query(key, templates[key], patient_id) for key in gathered.missing}
    searches = await fetch_all(fhir_server, token, queries, gathered.following, settings, budget)
    for key, search in searches.items():
        if key in queries:
            if search.pages == 0:
                gathered.missing[key] = search.stopped or "could not be fetched"
                continue
            gathered.found[key] = search.entries
            del gathered.missing[key]
        else:
            gathered.found[key].extend(search.entries)
        if search.stopped:
            gathered.cut[key] = search.stopped
    return gathered


def _query(key: str, template: str, patient_id: str) -> str:
    query = render(template, patient_id)
    include = INCLUDES.get(key)
    return f"{query}&{include}" if include else query


__all__ = ["Gathered", "from_prefetch", "gather", "read_strictly"]
