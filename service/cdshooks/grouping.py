"""Group the engine's findings into clinically distinct problems: one card each.

- A combination finding absorbs the findings it joins (the drugs and the lab it names) and
  any smaller combination of the same inputs that is not more severe.
- Remaining drug findings of moderate or high severity are grouped by the effect that
  matters most (potassium loss, magnesium loss, ...); a low result of that electrolyte
  leads the group.
- Remaining moderate / high lab and condition findings are a card each.
- All remaining low-severity findings share one card.
- For order hooks only findings that involve a new order count (a low lab may still lead
  the group of a new drug that lowers that electrolyte).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.engine.models import Finding, InputRef, Severity
from service.knowledge.severity import SEVERITY_RANK, most_severe

EFFECT_PRIORITY = (
    "lowers_potassium",
    "lowers_magnesium",
    "lowers_calcium",
    "causes_hypoglycemia",
    "volume_depletion",
    "causes_cramps",
)
LAB_OF_EFFECT: dict[str, tuple[str, ...]] = {
    "lowers_potassium": ("lab/potassium/low",),
    "lowers_magnesium": ("lab/magnesium/low",),
    "lowers_calcium": ("lab/calcium/low", "lab/calcium_ionized/low"),
    "causes_hypoglycemia": ("lab/glucose/low",),
}
GroupKind = Literal["combination", "electrolyte", "drugs", "single", "minor"]
_KIND_ORDER: dict[str, int] = {
    "combination": 0,
    "electrolyte": 1,
    "single": 2,
    "drugs": 3,
    "minor": 4,
}


@dataclass(frozen=True, slots=True)
class Group:
    kind: GroupKind
    # The lead finding first.
    findings: tuple[Finding, ...]
    effect: str | None = None

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


def _refs(finding: Finding) -> frozenset[tuple[str, int]]:
    return frozenset((ref.list, ref.index) for ref in finding.inputs)


def primary_effect(finding: Finding) -> str:
    kinds = {e.kind for e in finding.effects}
    return next((k for k in EFFECT_PRIORITY if k in kinds), "causes_cramps")


def group_findings(
    findings: Sequence[Finding], relevant: Callable[[Finding], bool] = lambda _: True
) -> list[Group]:
    chosen = [f for f in findings if relevant(f)]
    combos = sorted(
        (f for f in chosen if f.kind == "combination"),
        key=lambda f: (-SEVERITY_RANK[f.severity], -len(f.inputs)),
    )
    singles = [f for f in chosen if f.kind != "combination"]
    used: set[str] = set()
    groups: list[Group] = []
    for combo in combos:
        if combo.id in used:
            continue
        used.add(combo.id)
        joined = _refs(combo)
        members = [combo]
        for other in [*combos, *singles]:
            if other.id in used or not _refs(other) or not _refs(other) <= joined:
                continue
            if SEVERITY_RANK[other.severity] <= SEVERITY_RANK[combo.severity] or (
                other.kind != "combination"
            ):
                members.append(other)
                used.add(other.id)
        groups.append(Group("combination", tuple(members)))
    rest = [f for f in singles if f.id not in used]
    groups.extend(_by_effect([f for f in rest if f.severity != "low"], findings, used))
    minor = [f for f in rest if f.severity == "low" and f.id not in used]
    if minor:
        groups.append(Group("minor", tuple(minor)))
    groups.sort(key=lambda g: (-SEVERITY_RANK[g.severity], _KIND_ORDER[g.kind]))
    return groups


def _by_effect(major: list[Finding], everything: Sequence[Finding], used: set[str]) -> list[Group]:
    drugs: dict[str, list[Finding]] = {}
    others: list[Finding] = []
    for finding in major:
        if finding.kind == "medication":
            drugs.setdefault(primary_effect(finding), []).append(finding)
        else:
            others.append(finding)
    groups: list[Group] = []
    for effect, members in drugs.items():
        wanted = LAB_OF_EFFECT.get(effect, ())
        lab = next((f for f in everything if f.id in wanted and f.id not in used), None)
        if lab is None:
            groups.append(Group("drugs", tuple(members), effect))
            continue
        used.add(lab.id)
        others = [f for f in others if f.id != lab.id]
        groups.append(Group("electrolyte", (lab, *members), effect))
    groups.extend(Group("single", (f,)) for f in others if f.id not in used)
    used.update(f.id for f in major)
    return groups
