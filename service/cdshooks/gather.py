"""Collect the patient's FHIR data for a hook call: prefetch first, then `fhirServer`.

Per prefetch key: present (a resource, a Bundle, or `null` = nothing found) or missing
(absent, not FHIR JSON, or an OperationOutcome reporting a failed prefetch). Missing keys
are fetched when the request gives `fhirServer`. When none of the patient's data keys can
be had, the call cannot be answered: the caller returns 412 as CDS Hooks requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from service.cdshooks.fetch import fetch_all
from service.cdshooks.models import Prefetch
from service.cdshooks.services import ALL_KEYS, DATA_KEYS, INCLUDES, render
from service.fhir.bundles import Entry, entries, is_operation_outcome, is_resource
from service.settings import FhirSettings


@dataclass(slots=True)
class Gathered:
    found: dict[str, list[Entry]] = field(default_factory=dict)
    # Key -> why it could not be had.
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def has_patient_data(self) -> bool:
        return any(key in self.found for key in DATA_KEYS)

    def record(self) -> list[Entry]:
        return [entry for key in ALL_KEYS for entry in self.found.get(key, [])]


def from_prefetch(prefetch: Prefetch | None) -> Gathered:
    gathered = Gathered()
    values = msgspec.structs.asdict(prefetch) if prefetch is not None else {}
    for key in ALL_KEYS:
        value: Any = values.get(_field(key), msgspec.UNSET)
        if value is msgspec.UNSET:
            gathered.missing[key] = "not prefetched"
        elif value is None:
            gathered.found[key] = []
        elif is_operation_outcome(value):
            gathered.missing[key] = "the client reported a prefetch failure"
        elif not is_resource(value):
            gathered.missing[key] = "the prefetch value is not a FHIR resource"
        else:
            gathered.found[key] = entries(value)
    return gathered


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
) -> Gathered:
    gathered = from_prefetch(prefetch)
    if not gathered.missing or fhir_server is None:
        return gathered
    queries = {key: _query(key, templates[key], patient_id) for key in gathered.missing}
    for key, result in (await fetch_all(fhir_server, token, queries, settings)).items():
        if result.ok:
            gathered.found[key] = result.entries
            del gathered.missing[key]
        else:
            gathered.missing[key] = result.error or "could not be fetched"
    return gathered


def _query(key: str, template: str, patient_id: str) -> str:
    query = render(template, patient_id)
    include = INCLUDES.get(key)
    return f"{query}&{include}" if include else query
