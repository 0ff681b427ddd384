"""Group the engine's findings into clinically distinct problems: one card each.

The engine already says which findings are one problem: a combination finding absorbs the
findings it joins (``Finding.absorbed_by``). So a card is a combination with the findings
it absorbs, or a moderate / high finding on its own; all remaining low-severity findings
share one card. For order hooks only findings that involve a new order count.

Then one drug's problems become one card (``join_same_drug``): a pharmacist reads a
thiazide with a low potassium and a low sodium, or a statin above its dose limit with an
interacting drug and a raised CK, as one drug to act on, not two interruptive cards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from service.engine.models import Finding, InputRef, Severity
from service.knowledge.severity import INDICATOR, SEVERITY_RANK, most_severe

GroupKind = Literal["combination", "single", "minor"]
_KIND_ORDER: dict[str, int] = {"combination": 0, "single": 1, "minor": 2}


@dataclass(frozen=True, slots=True)
class Group:
    kind: GroupKind
    # The lead finding first, then the leads of the problems joined to it (``joined``),
    # then the findings they absorbed.
    findings: tuple[Finding, ...]
    # The leads of other problems on this card, about the same drug (``join_same_drug``):
    # each says its own detail, monitoring and management, as the lead does.
    joined: tuple[Finding, ...] = ()

    @property
    def leads(self) -> tuple[Finding, ...]:
        """The problems on the card: its lead, then those joined to it."""
        return (self.findings[0], *self.joined)

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


def _drugs(group: Group) -> frozenset[int]:
    """The medications (request indexes) the card's problems name."""
    return frozenset(
        ref.index for lead in group.leads for ref in lead.inputs if ref.list == "medications"
    )


def _joinable(card: Group, group: Group, drugs: frozenset[int]) -> bool:
    if card.kind == "minor" or INDICATOR[card.severity] != INDICATOR[group.severity]:
        return False
    held = _drugs(card)
    return (len(drugs) == 1 and drugs <= held) or (len(held) == 1 and held <= drugs)


def join_same_drug(groups: Sequence[Group]) -> list[Group]:
    """One card for one drug's problems. ``groups`` come most severe first; each problem
    card (not the minor one) joins the first card before it of the same indicator that it
    shares its drug with:

    - the problem names one medication that the card's problems name (a thiazide with a low
      sodium joins the thiazide with a low potassium; a statin with a raised CK joins that
      statin above its dose limit with a boosted protease inhibitor), or
    - the card's problems name one medication, and the problem names it among others.

    So a card holds at most one problem of two drugs or more, with the single-drug problems
    of its drugs: problems of different drug pairs (simvastatin with amlodipine, simvastatin
    with diltiazem) stay cards of their own, as do problems that name no medication (a low
    result with a diagnosis), and cards never chain through shared drugs into one.
    Matching is by the medication entry, not its class. Only cards of one indicator join: a
    critical problem is never hidden on a warning card, nor a warning problem (a thiazide's
    low sodium) buried on a critical card about something else (digoxin toxicity); two
    warnings become one warning. The card keeps the place, lead and ``source.topic`` of the
    card joined to (the more severe, or the first, of the two). On order hooks every problem
    names a new order (``relevant``), so a card about a drafted order stays about it. The
    joined problem's lead is listed in ``joined``: the card says its detail, monitoring
    and management as the lead's.

    Why "shares the drug" and not "the same single drug": the statin dose-limit rule names
    the interacting drug too (darunavir + cobicistat with atorvastatin), yet a raised CK on
    that statin is the same problem to a pharmacist (the interaction is the likeliest
    cause, and lowering or holding the statin answers both); a single-drug rule would have
    left the two cards talking past each other."""
    cards: list[Group] = []
    for group in groups:
        drugs = _drugs(group) if group.kind != "minor" else frozenset()
        host = next(
            (i for i, card in enumerate(cards) if drugs and _joinable(card, group, drugs)), None
        )
        if host is None:
            cards.append(group)
            continue
        card = cards[host]
        leads = (*card.leads, *group.leads)
        rest = (*card.findings[len(card.leads) :], *group.findings[len(group.leads) :])
        cards[host] = Group(card.kind, (*leads, *rest), leads[1:])
    return cards
