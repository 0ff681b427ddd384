"""The examples of CONTRIBUTING.md are valid: each TOML entry passes the datasets' strict
schema and is the real entry it says it is; the clinical case scores as written."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from service.knowledge import KnowledgeBase
from service.knowledge.schema import KnowledgeFile
from tests.cases.scoring import score

GUIDE = (Path(__file__).resolve().parents[2] / "CONTRIBUTING.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE, re.MULTILINE | re.DOTALL)


def test_the_toml_examples_are_valid_entries_of_the_datasets(kb: KnowledgeBase) -> None:
    examples = [
        msgspec.convert(tomllib.loads(b), KnowledgeFile, strict=True) for b in blocks("toml")
    ]
    assert len(examples) >= 4
    drugs = [d.id for e in examples for d in e.drug]
    classes = [c.id for e in examples for c in e.drug_class]
    conditions = [c.id for e in examples for c in e.condition]
    rules = [r.id for e in examples for r in e.rule]
    assert drugs and classes and conditions and rules
    assert set(drugs) <= set(kb.drugs)
    assert set(classes) <= set(kb.classes)
    assert set(conditions) <= set(kb.conditions)
    assert set(rules) <= {r.id for r in kb.rules}


def test_the_clinical_case_example_scores_as_written(client: TestClient[Litestar]) -> None:
    def post(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = client.post("/v1/check", json=body)
        return response.status_code, response.json()

    (case,) = [json.loads(b) for b in blocks("json")]
    result = score([case], post)
    assert result.misses == [], result.misses
    assert result.tally["combo"] == [1, 1]
