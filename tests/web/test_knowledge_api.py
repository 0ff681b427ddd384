"""Knowledge endpoints and the generated catalogue."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from service.knowledge import KnowledgeBase
from service.knowledge.catalogue import render_catalogue

ROOT = Path(__file__).resolve().parents[2]
Client = TestClient[Litestar]


def test_index_lists_every_concept_with_sources(client: Client, kb: KnowledgeBase) -> None:
    body = client.get("/v1/knowledge").json()
    assert body["knowledge_version"] == kb.version
    assert body["counts"]["drugs"] == len(kb.drugs)
    by_ref = {c["ref"]: c for c in body["concepts"]}
    assert by_ref["drug:furosemide"]["flagged"] is True
    assert by_ref["drug:furosemide"]["classes"] == ["loop_diuretic"]
    assert by_ref["drug:cetirizine"]["flagged"] is False
    assert all(c["sources"] for c in body["concepts"])
    only_drugs = client.get("/v1/knowledge", params={"kind": "drug"}).json()["concepts"]
    assert {c["kind"] for c in only_drugs} == {"drug"}


def test_entry_by_qualified_and_bare_id(client: Client) -> None:
    entry = client.get("/v1/knowledge/drug:furosemide").json()
    assert entry["entry"]["brands"]
    assert entry["sources"][0]["citation"]
    bare = client.get("/v1/knowledge/furosemide").json()
    assert bare["ref"] == "drug:furosemide"
    rule = client.get("/v1/knowledge/rule:potassium_lowering_drug_with_low_potassium")
    assert rule.status_code == 200


def test_unknown_entry_is_a_404_problem(client: Client) -> None:
    response = client.get("/v1/knowledge/drug:nothing_here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_catalogue_is_current(kb: KnowledgeBase) -> None:
    committed = (ROOT / "docs" / "knowledge-catalogue.md").read_text(encoding="utf-8")
    assert committed == render_catalogue(kb), (
        "regenerate: python -m service catalogue -o docs/knowledge-catalogue.md"
    )
