"""Advice that fits the patient: a current condition's ``unfitting_advice`` lines are left
out of every finding's management (no extra fluid for a diuretic with heart failure)."""

from __future__ import annotations

from collections.abc import Container, Sequence

from msgspec.structs import replace

from service.engine.matches import ConditionMatch
from service.engine.models import Finding
from service.knowledge.base import KnowledgeBase


def fit_advice(
    findings: list[Finding],
    conds: Sequence[ConditionMatch],
    outranked: Container[int],
    kb: KnowledgeBase,
) -> list[Finding]:
    unfitting = {
        line
        for index, match in enumerate(conds)
        if index not in outranked
        for cid in match.condition_ids
        for line in kb.conditions[cid].unfitting_advice
    }
    if not unfitting:
        return findings
    return [
        finding
        if unfitting.isdisjoint(finding.management)
        else replace(finding, management=[m for m in finding.management if m not in unfitting])
        for finding in findings
    ]
