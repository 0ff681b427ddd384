"""Flatten FHIR JSON (a Bundle, a single resource, or ``null``) into resource entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.limits import MAX_RECORD_ENTRIES


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource and the ``fullUrl`` its Bundle gave it (references may use either)."""

    resource: dict[str, Any]
    full_url: str | None = None

    @property
    def resource_type(self) -> str:
        kind = self.resource.get("resourceType")
        return kind if isinstance(kind, str) else ""

    @property
    def id(self) -> str | None:
        rid = self.resource.get("id")
        return rid if isinstance(rid, str) and rid else None

    @property
    def reference(self) -> str:
        """``Type/id`` when the resource has an id, else its ``fullUrl``, else its type."""
        if self.id:
            return f"{self.resource_type}/{self.id}"
        return self.full_url or self.resource_type


def is_resource(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("resourceType"), str)


def is_operation_outcome(value: Any) -> bool:
    return is_resource(value) and value["resourceType"] == "OperationOutcome"


def entries(value: Any) -> list[Entry]:
    """The resources in ``value``: a Bundle's entries (nested Bundles flattened, search
    outcomes dropped), or the resource itself. Anything that is not FHIR JSON gives none."""
    out: list[Entry] = []
    _collect(value, None, out, depth=0)
    return out


def _collect(value: Any, full_url: str | None, out: list[Entry], depth: int) -> None:
    if not is_resource(value) or len(out) >= MAX_RECORD_ENTRIES:
        return
    if value["resourceType"] != "Bundle":
        out.append(Entry(value, full_url))
        return
    if depth >= 2:
        return
    raw = value.get("entry")
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, dict):
            continue
        search = item.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue
        url = item.get("fullUrl")
        _collect(item.get("resource"), url if isinstance(url, str) else None, out, depth + 1)


def next_link(bundle: Any) -> str | None:
    """The ``next`` page link of a searchset Bundle."""
    if not is_resource(bundle) or bundle["resourceType"] != "Bundle":
        return None
    links = bundle.get("link")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None


def of_type(items: Iterable[Entry], *types: str) -> list[Entry]:
    return [e for e in items if e.resource_type in types]
