"""The severity policy (docs/clinical-policy.md), held over the whole knowledge base."""

from __future__ import annotations

import typing

import msgspec
import pytest

from service.batch.sample import sample_requests
from service.engine import CheckRequest, Knowledge, check
from service.engine.errors import ImplausibleValueError
from service.engine.models import Finding, Report
from service.knowledge.schema import Route
from service.knowledge.severity import policy_violations
from service.limits import MAX_CONDITIONS

ROUTES = typing.get_args(Route)


def _report(knowledge: Knowledge, **body: object) -> Report:
    return check(msgspec.convert(body, CheckRequest), knowledge)


def test_no_drug_alone_is_more_than_low_except_a_treatment_safety_finding(
    knowledge: Knowledge,
) -> None:
    too_loud = []
    for drug in knowledge.kb.drugs.values():
        for route in (None, *ROUTES):
            item: dict[str, str] = {"text": drug.name}
            if route:
                item["route"] = route
            for finding in _report(knowledge, medications=[item]).findings:
                allowed = "moderate" if finding.basis == "treatment_safety" else "low"
                if finding.severity != allowed:
                    too_loud.append(f"{drug.id} by {route}: {finding.id} {finding.severity}")
    assert too_loud == []


def test_no_condition_alone_is_more_than_low(knowledge: Knowledge) -> None:
    # Every condition that can give a finding or fill a rule's slot, all in one request
    # (the others are recognized only): conditions alone never add up to more than low.
    kb = knowledge.kb
    in_rules = {c for rule in kb.rules for slot in rule.slots for c in slot.condition}
    conditions = [c.name for c in kb.conditions.values() if c.contributes or c.id in in_rules]
    assert len(conditions) <= MAX_CONDITIONS
    report = _report(knowledge, conditions=[{"text": name} for name in conditions])
    assert {f.severity for f in report.findings} == {"low"}
    assert {f.kind for f in report.findings} == {"condition"}


def test_a_lab_alone_is_low_or_a_measured_high(knowledge: Knowledge) -> None:
    for analyte in knowledge.kb.analytes.values():
        for band in analyte.bands:
            limit = band.below if band.state == "low" else band.above
            assert limit is not None
            value = limit * (0.98 if band.state == "low" else 1.02)
            lab = {"text": analyte.name, "value": value, "unit": analyte.canonical_unit}
            patient: dict[str, object] = {"sex": band.sex} if band.sex else {}
            if band.pregnant:
                patient = {"sex": "female", "pregnant": True}
            if band.max_age_years is not None:  # an age band applies only up to its age
                patient = {"age": band.max_age_years}  # not a narrower band's age
            report = _report(knowledge, patient=patient, labs=[lab])
            lab_findings = [f for f in report.findings if f.kind == "lab"]
            if band.joins_only:  # only fills the rules that name it: no finding of its own
                # (a wider band it lies in, a CK over 4 times the limit in "high", keeps its own)
                assert not any(band.title in f.title for f in report.findings), band.name
                assert all(f.severity == "low" for f in report.findings), band.name
                continue
            assert lab_findings, (analyte.id, band.name)
            assert lab_findings[0].severity in ("low", "high")
            if lab_findings[0].severity == "high":
                assert lab_findings[0].basis == "measured_abnormality"


def test_the_shipped_datasets_keep_the_policy(knowledge: Knowledge) -> None:
    kb = knowledge.kb
    assert list(policy_violations(kb.classes.values(), kb.analytes.values(), kb.rules)) == []


def _why_high(finding: Finding, report: Report) -> bool:
    if finding.basis == "contraindicated":
        return True
    labs = [ref.index for ref in finding.inputs if ref.list == "labs"]
    return finding.basis == "measured_abnormality" and bool(labs)


@pytest.mark.slow
def test_every_high_finding_rests_on_a_lab_value_or_a_contraindicated_pair(
    knowledge: Knowledge,
) -> None:
    """Over 5,000 generated patients: high only with a current measured abnormality or a
    contraindicated pair; moderate only with a second factor (never one contributor)."""
    checked = 0
    for body in sample_requests(knowledge.kb, 5_000, seed=11):
        body.pop("id", None)
        try:
            report = _report(knowledge, **body)
        except ImplausibleValueError:
            continue
        checked += 1
        for finding in report.findings:
            if finding.severity == "high":
                assert _why_high(finding, report), finding.id
            if finding.severity == "moderate" and finding.kind != "combination":
                assert finding.basis == "treatment_safety", finding.id
    assert checked > 4_000


@pytest.mark.parametrize(
    ("labs", "severity"),
    [
        ([], "low"),
        ([{"text": "TSH", "value": 2.1, "unit": "mIU/L"}], None),
        ([{"text": "TSH", "value": 9.8, "unit": "mIU/L"}], "moderate"),
    ],
)
def test_a_statin_with_hypothyroidism_is_moderate_only_when_a_raised_tsh_shows_it_uncontrolled(
    knowledge: Knowledge, labs: list[dict[str, object]], severity: str | None
) -> None:
    # The labels' risk factor is uncontrolled hypothyroidism; most diagnoses are treated.
    report = _report(
        knowledge,
        medications=[{"text": "atorvastatin 40 mg"}, {"text": "levothyroxine 75 mcg"}],
        conditions=[{"text": "hypothyroidism"}],
        labs=labs,
    )
    found = {f.id: f.severity for f in report.findings if f.kind == "combination"}
    assert found.get("combination/statin_with_hypothyroidism") == severity
