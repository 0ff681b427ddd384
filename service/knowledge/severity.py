"""The severity policy: ranks, aggregation, and the rules every dataset must keep.

One home for every severity decision that is not a number in a dataset: the engine ranks
and aggregates with it, the loader rejects datasets that break the policy, and the CDS
Hooks cards map severities to indicators with it. ``docs/clinical-policy.md`` explains
the policy to clinical reviewers; the tests hold the whole knowledge base to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from service.knowledge.schema import Analyte, CombinationRule, DrugClass, Severity

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
    analytes: Iterable[Analyte],
    rules: Iterable[CombinationRule],
) -> Iterator[str]:
    """What in the datasets breaks the policy (each message names the entry).

    - One drug or one condition on its own is ``low`` (the engine renders them so: the
      datasets give them no severity). A drug taken for cramps against a regulatory
      warning (effect ``unsafe_cramp_treatment``) is a treatment-safety finding,
      ``moderate``: its class has no other effect.
    - A lab result on its own is ``low``, or ``high`` for a clinically significant
      abnormality: a band is never ``moderate``.
    - A rule is ``high`` only when its basis is ``contraindicated``: a pair a label
      contraindicates, or drugs a label contraindicates together in a condition it names
      (colchicine with a strong CYP3A4 or P-gp inhibitor in kidney or liver impairment);
      every other rule is at most ``moderate`` and reaches ``high`` only through a measured
      result (an escalation names a lab band).
    """
    for drug_class in classes:
        kinds = {e.kind for e in drug_class.effects}
        if "unsafe_cramp_treatment" in kinds and len(kinds) > 1:
            yield f"drug class {drug_class.id!r}: a treatment-safety class has other effects"
    for analyte in analytes:
        for band in analyte.bands:
            if band.severity == "moderate":
                yield f"analyte {analyte.id!r} band {band.name!r}: moderate on its own"
    for rule in rules:
        if rule.one_input and (rule.severity != "low" or rule.escalate):
            yield f"rule {rule.id!r}: a one-input rule is one drug on its own, low"
        if rule.one_input != (rule.basis == "single_contributor"):
            yield f"rule {rule.id!r}: basis single_contributor is for a one-input rule"
        if rule.severity == "high" and rule.basis != "contraindicated":
            yield f"rule {rule.id!r} is high without being a contraindicated combination"
        if rule.basis == "contraindicated" and rule.severity != "high":
            yield f"rule {rule.id!r}: a contraindicated pair is high"
        for escalation in rule.escalate:
            analyte_id = escalation.lab.split(":")[0]
            if not any(analyte_id == lab.split(":")[0] for slot in rule.slots for lab in slot.lab):
                yield f"rule {rule.id!r}: escalation {escalation.lab!r} names no lab of its slots"
