"""`docs/api.md` stays true: its fields are the models' fields, its limits the service's
limits, its tables the knowledge base's, and its examples answer as it says."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service import limits
from service.engine import _systems
from service.engine.models import (
    CheckRequest,
    Coding,
    ConditionInput,
    EffectSummary,
    Evidence,
    Finding,
    InputRef,
    InputStatus,
    LabInput,
    MedicationInput,
    Patient,
    Report,
)
from service.fhir.models import FhirReport, Ignored, ResourceRef
from service.knowledge import KnowledgeBase
from service.settings import Settings
from service.web.problems import FieldError, Problem

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
Client = TestClient[Litestar]

# Each model and the block of the doc that describes it: a heading or a bold label.
BLOCKS: dict[str, type[msgspec.Struct]] = {
    "### Request": CheckRequest,
    "**Patient**": Patient,
    "**Medication**": MedicationInput,
    "**Condition**": ConditionInput,
    "**Lab**": LabInput,
    "**Coding**": Coding,
    "**Report**": Report,
    "**Finding**": Finding,
    "**Evidence**": Evidence,
    "**InputRef**": InputRef,
    "**Effect**": EffectSummary,
    "**Status**": InputStatus,
    "**Problem**": Problem,
    "**FieldError**": FieldError,
}
_EXAMPLE = re.compile(r"<!-- (request|response): (.*?) -->\n```json\n(.*?)\n```", re.DOTALL)


def fields(struct: type[msgspec.Struct]) -> set[str]:
    return {f.encode_name for f in msgspec.structs.fields(struct)}


def block(label: str) -> str:
    """From a line starting with `label` to the next heading or bold label."""
    start = DOC.index(f"\n{label}") + 1
    following = re.compile(r"^(#|\*\*[A-Z])", re.MULTILINE)
    end = following.search(DOC, start + len(label))
    return DOC[start : end.start() if end else len(DOC)]


def table_names(text: str) -> set[str]:
    """The backticked names in the first column of the first table in `text`."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    table = "\n".join(itertools.takewhile(lambda line: line.startswith("|"), lines[start:]))
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))


def examples() -> Iterator[tuple[str, str, Any]]:
    for kind, label, body in _EXAMPLE.findall(DOC):
        yield kind, label, json.loads(body)


@pytest.mark.parametrize("label", list(BLOCKS))
def test_every_field_of_every_model_is_described(label: str) -> None:
    text = block(label)
    expected = fields(BLOCKS[label])
    missing = {name for name in expected if f"`{name}`" not in text}
    assert not missing, f"{label} in docs/api.md does not describe {sorted(missing)}"
    # And nothing that is not a field is described as one.
    assert table_names(text) <= expected


def test_the_fhir_report_fields_are_described() -> None:
    text = block("## Other endpoints in brief")
    extra = fields(FhirReport) - fields(Report)
    for name in extra | fields(ResourceRef) | fields(Ignored):
        assert f"`{name}`" in text, name


def test_limits_are_the_services_own() -> None:
    rows = re.findall(r"^\| [^|]+ \| ([\d,]+) \| `([A-Z_]+)` \|$", DOC, re.MULTILINE)
    documented = {name: int(value.replace(",", "")) for value, name in rows}
    assert documented, "no limits table in docs/api.md"
    for name, value in documented.items():
        assert getattr(limits, name) == value, name
    every = {name for name in vars(limits) if name.isupper()}
    assert every - set(documented) == set(), "limits missing from docs/api.md"
    defaults = Settings()
    assert documented["MAX_BODY_BYTES"] == defaults.max_body_bytes
    assert documented["BATCH_MAX_LINES"] == defaults.batch_max_lines
    assert documented["BATCH_MAX_BODY_BYTES"] == defaults.batch_max_body_bytes


def test_code_systems_and_aliases_are_listed() -> None:
    text = block("Code systems")
    for alias in _systems._ALIASES:
        assert f"`{alias}`" in text, alias


def test_the_labs_table_is_the_knowledge_base(kb: KnowledgeBase) -> None:
    rows = re.findall(
        r"^\| `([a-z_]+)` \| ([\d\-, ]+|none: read by name) \| ([^|]+) \|$", DOC, re.MULTILINE
    )
    documented = {
        analyte: (
            {c.strip() for c in codes.split(",")} - {"none: read by name"},
            {u.strip().lower() for u in units.split(",")},
        )
        for analyte, codes, units in rows
    }
    assert set(documented) == set(kb.analytes)
    for analyte_id, analyte in kb.analytes.items():
        assert documented[analyte_id] == (set(analyte.loinc), set(analyte.units)), analyte_id


def test_the_examples_answer_as_documented(client: Client) -> None:
    found = list(examples())
    assert [kind for kind, _, _ in found].count("request") >= 2
    last: Any = None
    for kind, label, body in found:
        if kind == "request":
            method, path, _, status = label.split()
            last = client.request(method, path, json=body)
            assert last.status_code == int(status), (label, last.text[:500])
            continue
        answer = last.json()
        if label == "Report":
            msgspec.convert(body, Report, strict=True)
            # Shortened, but what it shows is what the service answers.
            assert body["risk"] == answer["risk"]
            for name in ("medications", "conditions", "labs"):
                assert body[name] == answer[name], name
            real = {f["id"]: f for f in answer["findings"]}
            for finding in body["findings"]:
                shown = real[finding["id"]]
                for key in ("kind", "severity", "title", "inputs", "evidence_grade"):
                    assert finding[key] == shown[key], (finding["id"], key)
        elif label == "Problem":
            msgspec.convert(body, Problem, strict=True)
            assert body["status"] == answer["status"]
            assert [e["pointer"] for e in body["errors"]] == [
                e["pointer"] for e in answer["errors"]
            ]
        else:
            pytest.fail(f"unknown example kind in docs/api.md: {label}")


def test_the_per_endpoint_statuses_cover_the_openapi_document(client: Client) -> None:
    rows = re.findall(r"^\| `(GET|POST) ([^`]+)` \| ([\d, ]+)", DOC, re.MULTILINE)
    documented = {
        (method, path): {int(s) for s in statuses.replace(",", " ").split()}
        for method, path, statuses in rows
    }
    document = client.get("/schema/openapi.json").json()
    for path, item in document["paths"].items():
        general = re.sub(r"^/cds-services/[^/]+", "/cds-services/{id}", path)
        general = general.replace("{ref}", "{kind:id}")
        for method, operation in item.items():
            statuses = documented.get((method.upper(), general))
            assert statuses is not None, f"{method.upper()} {general} is not in docs/api.md"
            openapi = {int(code) for code in operation["responses"]}
            assert openapi <= statuses | {404, 405}, (method, general, openapi - statuses)


def test_the_readme_check_examples_are_accepted(client: Client) -> None:
    bodies = re.findall(r"curl [^\n]*/v1/check -H[^\n]*-d '(\{.*?\})'", README, re.DOTALL)
    assert bodies
    for body in bodies:
        response = client.post("/v1/check", json=json.loads(body))
        assert response.status_code == 200, response.text[:500]
        assert response.json()["findings"]


def test_the_readme_shows_the_real_answer_to_its_example(client: Client) -> None:
    """The README's example response is what the service answers (shortened findings)."""
    request = re.search(r"curl -s localhost:8000/v1/check .*? -d '(\{.*?\})'", README, re.S)
    shown = re.search(r"<!-- readme-response -->\n```json\n(.*?)```", README, re.S)
    assert request and shown
    answer = client.post("/v1/check", json=json.loads(request.group(1))).json()
    body = json.loads(shown.group(1))
    for key in ("risk", "medications", "conditions", "labs", "note"):
        assert body[key] == answer[key], key
    lead = body["findings"][0]
    real = next(f for f in answer["findings"] if f["id"] == lead["id"])
    assert {k: v for k, v in lead.items() if k != "evidence"} == {
        k: v for k, v in real.items() if k != "evidence"
    }
    assert lead["evidence"][0] == real["evidence"][0]
    assert f"```text\n{answer['note']}\n```" in README
