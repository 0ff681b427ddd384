"""One entry naming diabetes and its neuropathy (E11.42, "Type 2 diabetes with diabetic
polyneuropathy", "DM2 c/b neuropathy") is one problem: the diabetes finding absorbs the
neuropathy finding (``absorbed_by``; both stay in ``findings``) and gives the neuropathy's
advice its own lacks, once. Separate entries, and an entry naming another cause of the
neuropathy, stay two problems (diabetes ``same_entry`` in datasets/conditions)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from msgspec.structs import replace

from service.engine import CheckRequest
from service.engine.check import same_entry
from service.engine.matching import match_condition
from service.engine.models import Finding, InputRef, Report
from service.engine.prepared import Knowledge
from tests.conftest import Checker

DIABETES = "condition/diabetes"
NEUROPATHY = "condition/peripheral_neuropathy"
SHOES = "Well-fitting, supportive shoes"
CAUSES = "Other common causes of neuropathy: B12, alcohol intake, kidney disease"


def _icd(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "icd10cm", "code": code}]}


def _by_id(report: Report) -> dict[str, Finding]:
    return {f.id: f for f in report.findings}


@pytest.mark.parametrize(
    "entry",
    [
        _icd("E11.42"),
        _icd("E10.42"),
        _icd("E13.42"),
        {"coding": [{"system": "snomed", "code": "368581000119106"}]},
        {"text": "Type 2 diabetes with diabetic polyneuropathy"},
        {"text": "DM2 c/b neuropathy"},
        {"text": "type 1 diabetes with peripheral neuropathy"},
    ],
)
def test_one_entry_is_one_problem(checker: Checker, entry: dict[str, Any]) -> None:
    report = checker(conditions=[entry])
    found = _by_id(report)
    assert set(found) == {DIABETES, NEUROPATHY}
    assert found[NEUROPATHY].absorbed_by == DIABETES  # kept for integrators
    assert found[DIABETES].absorbed_by is None
    assert [f.id for f in report.findings if f.absorbed_by is None] == [DIABETES]
    assert report.risk == "low"
    assert {f.severity for f in report.findings} == {"low"}
    lead = found[DIABETES]
    assert lead.inputs == [InputRef("conditions", 0)]
    # Glucose from diabetes; foot care and the other causes from the neuropathy; once each.
    assert lead.monitoring[0] == "HbA1c and glucose pattern, including overnight lows"
    assert "Foot and sensory examination for neuropathy" in lead.monitoring
    assert CAUSES in lead.monitoring
    assert SHOES in lead.management
    assert len(set(lead.monitoring)) == len(lead.monitoring)
    assert len(set(lead.management)) == len(lead.management)
    assert any("JAMA 2015" in e.citation for e in lead.evidence)
    # The note names one problem.
    assert "diabetes mellitus" in report.note
    assert "peripheral neuropathy" not in report.note
    assert report.conditions[0].status == "flagged"


@pytest.mark.parametrize(
    "entries",
    [
        [{"text": "Type 2 diabetes"}, {"text": "peripheral neuropathy"}],
        [_icd("E11.9"), _icd("G62.9")],
        [{"text": "Type 2 diabetes"}, {"text": "B12 deficiency neuropathy"}],
        [{"text": "DM2 with neuropathy due to B12 deficiency"}],
        [{"text": "DM2, alcoholic neuropathy"}],
        [{"text": "type 2 diabetes; chemotherapy-induced peripheral neuropathy"}],
        [{"text": "diabetes mellitus, idiopathic polyneuropathy"}],
        # The E11.42 entry's neuropathy, and another one listed on its own: that one may
        # be of another cause, so the neuropathy finding (naming both) stays a problem.
        [_icd("E11.42"), {"text": "peripheral neuropathy"}],
    ],
)
def test_separate_entries_or_another_cause_stay_two_problems(
    checker: Checker, knowledge: Knowledge, entries: list[dict[str, Any]]
) -> None:
    report = checker(conditions=entries)
    found = _by_id(report)
    assert set(found) == {DIABETES, NEUROPATHY}
    assert all(f.absorbed_by is None for f in report.findings)
    base = knowledge.condition_findings["diabetes"]
    assert found[DIABETES].monitoring == base.monitoring
    assert found[DIABETES].management == base.management
    assert "peripheral neuropathy" in report.note


def test_diabetes_alone_is_unchanged(checker: Checker, knowledge: Knowledge) -> None:
    report = checker(conditions=[_icd("E11.9")])
    assert [f.id for f in report.findings] == [DIABETES]
    base = knowledge.condition_findings["diabetes"]
    assert report.findings[0] == replace(base, inputs=[InputRef("conditions", 0)])
    assert SHOES not in report.findings[0].management


def test_two_entries_of_the_diabetic_neuropathy_are_one_problem(checker: Checker) -> None:
    report = checker(conditions=[_icd("E11.42"), {"text": "type 2 diabetes"}])
    found = _by_id(report)
    assert found[NEUROPATHY].absorbed_by == DIABETES
    assert found[DIABETES].inputs == [InputRef("conditions", 0), InputRef("conditions", 1)]


def test_a_finding_a_combination_absorbed_is_left_alone(knowledge: Knowledge) -> None:
    ref = [InputRef("conditions", 0)]
    diabetes = replace(knowledge.condition_findings["diabetes"], inputs=ref)
    neuropathy = replace(knowledge.condition_findings["peripheral_neuropathy"], inputs=ref)
    request = msgspec.convert({"conditions": [_icd("E11.42")]}, CheckRequest)
    conds = [match_condition(request.conditions[0], knowledge)]
    taken = [replace(diabetes, absorbed_by="combination/x"), neuropathy]
    assert same_entry(taken, conds, request.conditions, knowledge) == taken


def test_rest_keeps_both_findings_with_absorbed_by(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/check", json={"conditions": [_icd("E11.42")]})
    assert response.status_code == 200, response.text
    findings = {f["id"]: f for f in response.json()["findings"]}
    assert findings[NEUROPATHY]["absorbed_by"] == DIABETES
    assert findings[DIABETES]["absorbed_by"] is None
    assert set(findings[NEUROPATHY]) == set(findings[DIABETES])  # the same fields
