"""The severity policy: ranks, aggregation, and the rules every dataset must keep.

One home for every severity decision that is not a number in a dataset: the engine ranks
and aggregates with it, the loader rejects datasets that break the policy, and the CDS
Hooks cards map severities to indicators with it. ``docs/clinical-policy.md`` explains
the policy to clinical reviewers; the tests hold the whole knowledge base to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from service.knowledge.schema import CombinationRule, Condition, DrugClass, Severity

Risk = Literal["none", "low", "moderate", "high"]
Indicator = Literal["info", "warning", "critical"]

SEVERITY_RANK: dict[str, int] = {"none": 0, "low": 1, "moderate": 2, "high": 3}
GRADE_RANK: dict[str, int] = {"A": 3, "B": 2, "C": 1}
# CDS Hooks card indicator of each severity.
INDICATOR: dict[Severity, Indicator] = {"low": "info", "moderate": "warning", "high": "critical"}


def rank(severity: str) -> int:
    return SEVERITY_RANK[severity]


def most_severe(severities: Iterable[Severity], default: Severity = "low") -> Severity:
    return max(severities, key=SEVERITY_RANK.__getitem__, default=default)


def overall_risk(severities: Iterable[Severity]) -> Risk:
    """The overall risk of a report: its most severe finding, ``none`` without findings."""
    found: Risk = "none"
    for severity in severities:
        if SEVERITY_RANK[severity] > SEVERITY_RANK[found]:
            found = severity
    return found


def policy_violations(
    classes: Iterable[DrugClass],
    conditions: Iterable[Condition],
    rules: Iterable[CombinationRule],
) -> Iterator[str]:
    """What in the datasets breaks the policy (each message names the entry).

    - One drug on its own is never ``high``: no drug-class effect is ``high``.
    - One condition on its own is never ``high``.
    - A rule that joins only drugs (no lab, no recorded condition) is at most ``moderate``.
    """
    for drug_class in classes:
        for effect in drug_class.effects:
            if effect.severity == "high":
                yield f"drug class {drug_class.id!r}: effect {effect.kind} is high on its own"
    for condition in conditions:
        if condition.severity == "high":
            yield f"condition {condition.id!r} is high on its own"
    for rule in rules:
        confirmed = any(slot.lab or slot.condition for slot in rule.slots)
        if rule.severity == "high" and not confirmed:
            yield f"rule {rule.id!r} joins only drugs but is high"
