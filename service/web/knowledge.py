"""Read-only knowledge endpoints for clinical reviewers and integrators."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from service.engine.models import Evidence
from service.knowledge import KnowledgeBase
from service.web.openapi import ERROR_RESPONSES
from service.web.routes import knowledge_of

Kind = Literal["drug", "drug_class", "condition", "analyte", "rule"]
KINDS: tuple[Kind, ...] = ("drug", "condition", "analyte", "drug_class", "rule")


class ConceptSummary(msgspec.Struct, frozen=True, omit_defaults=True):
    ref: str
    kind: Kind
    id: str
    name: str
    flagged: bool
    classes: list[str] = []
    sources: list[str] = []


class KnowledgeIndex(msgspec.Struct, frozen=True):
    knowledge_version: str
    counts: dict[str, int]
    concepts: list[ConceptSummary]


class KnowledgeEntry(msgspec.Struct, frozen=True):
    ref: str
    kind: Kind
    id: str
    knowledge_version: str
    entry: dict[str, Any]
    sources: list[Evidence]


def _tables(kb: KnowledgeBase) -> dict[Kind, dict[str, Any]]:
    return {
        "drug": dict(kb.drugs),
        "condition": dict(kb.conditions),
        "analyte": dict(kb.analytes),
        "drug_class": dict(kb.classes),
        "rule": {r.id: r for r in kb.rules},
    }


def _summary(kb: KnowledgeBase, kind: Kind, item: Any) -> ConceptSummary:
    name = getattr(item, "name", None) or getattr(item, "title", item.id)
    classes = list(getattr(item, "classes", []))
    if kind == "drug":
        flagged = bool(classes)
    elif kind == "condition":
        flagged = bool(item.contributes)
    else:
        flagged = kind != "analyte" or bool(item.bands)
    return ConceptSummary(
        ref=f"{kind}:{item.id}",
        kind=kind,
        id=item.id,
        name=name,
        flagged=flagged,
        classes=classes,
        sources=list(item.sources),
    )


class KnowledgeController(Controller):
    path = "/v1/knowledge"
    tags = ("knowledge",)

    @get(
        "/",
        summary="Knowledge version, counts and every concept with its sources",
        operation_id="knowledge_index",
        responses={400: ERROR_RESPONSES[400]},
    )
    async def index(self, state: State, kind: FromQuery[Kind | None] = None) -> KnowledgeIndex:
        kb = knowledge_of(state).kb
        concepts = [
            _summary(kb, k, item)
            for k, table in _tables(kb).items()
            if kind is None or k == kind
            for item in table.values()
        ]
        return KnowledgeIndex(knowledge_version=kb.version, counts=kb.counts(), concepts=concepts)

    @get(
        "/{ref:str}",
        summary="One concept with its full curated entry and sources",
        operation_id="knowledge_entry",
        responses={404: ERROR_RESPONSES[404]},
    )
    async def entry(self, state: State, ref: FromPath[str]) -> KnowledgeEntry:
        """``ref`` is ``kind:id`` (e.g. ``drug:furosemide``) or a bare id."""
        kb = knowledge_of(state).kb
        tables = _tables(kb)
        kind_part, _, id_part = ref.partition(":")
        candidates = [(kind_part, id_part)] if id_part else [(k, ref) for k in KINDS]
        for kind, concept_id in candidates:
            item = tables.get(kind, {}).get(concept_id)  # type: ignore[call-overload]
            if item is not None:
                sources = [
                    Evidence(kb.sources[s].citation, kb.sources[s].url, kb.sources[s].kind)
                    for s in item.sources
                ]
                return KnowledgeEntry(
                    ref=f"{kind}:{concept_id}",
                    kind=kind,  # type: ignore[arg-type]
                    id=concept_id,
                    knowledge_version=kb.version,
                    entry=msgspec.to_builtins(item),
                    sources=sources,
                )
        raise NotFoundException(f"no knowledge entry {ref!r}")
