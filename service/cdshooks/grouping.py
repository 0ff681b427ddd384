"""Group the engine's findings into clinically distinct problems: one card each.

The engine already says which findings are one problem: a combination finding absorbs the
findings it joins (``Finding.absorbed_by``). So a card is a combination with the findings
it absorbs, or a moderate / high finding on its own; all remaining low-severity findings
share one card. For order hooks only findings that involve a new order count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.engine.models import Finding, InputRef, Severity
from service.knowledge.severity import SEVERITY_RANK, most_severe

GroupKind = Literal["combination", "single", "minor"]
_KIND_ORDER: dict[str, int] = {"combination": 0, "single": 1, "minor": 2}


@dataclass(frozen=True, slots=True)
class Group:
    kind: GroupKind
    # The lead finding first.
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> Severity:
        return most_severe(f.severity for f in self.findings)

    @property
    def inputs(self) -> list[InputRef]:
        seen: dict[tuple[str, int], InputRef] = {}
        for finding in self.findings:
            for ref in finding.inputs:
                seen.setdefault((ref.list, ref.index), ref)
        return list(seen.values())


def group_findings(
    findings: Sequence[Finding], relevant: Callable[[Finding], bool] = lambda _: True
) -> list[Group]:
    chosen = [f for f in findings if relevant(f)]
    shown = [f for f in chosen if f.absorbed_by is None]
    absorbed: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.absorbed_by is not None:
            absorbed.setdefault(finding.absorbed_by, []).append(finding)
    groups: list[Group] = []
    minor: list[Finding] = []
    for finding in shown:
        if finding.kind == "combination":
            groups.append(Group("combination", (finding, *absorbed.get(finding.id, ()))))
        elif finding.severity != "low":
            groups.append(Group("single", (finding,)))
        else:
            minor.append(finding)
    if minor:
        groups.append(Group("minor", tuple(minor)))
    groups.sort(key=lambda g: (-SEVERITY_RANK[g.severity], _KIND_ORDER[g.kind]))
    return groups
