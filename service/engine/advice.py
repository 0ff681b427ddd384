"""Advice that fits the patient: a current condition's ``unfitting_advice`` lines are left
out of every finding's management (no extra fluid for a diuretic with heart failure)."""

from __future__ import annotations

from collections.abc import Container, Sequence

from msgspec.structs import replace

from service.engine.matches import ConditionMatch
from service.engine.models import Finding
from service.engine.prepared import Knowledge


def fit_advice(
    findings: list[Finding],
    conds: Sequence[ConditionMatch],
    outranked: Container[int],
    knowledge: Knowledge,
) -> list[Finding]:
    by_condition = knowledge.unfitting_advice
    unfitting = {
        line
        for index, match in enumerate(conds)
        if index not in outranked
        for cid in match.condition_ids
        for line in by_condition.get(cid, ())
    }
    if not unfitting:
        return findings
    return [
        finding
        if unfitting.isdisjoint(finding.management)
        else replace(finding, management=[m for m in finding.management if m not in unfitting])
        for finding in findings
    ]
