"""What a card says to monitor and to do.

A card is one problem. Its lead finding's own monitoring and management come first, whole:
they were written for that problem. The other findings on the card (those a combination
absorbed, or the other contributors on the minor card) add little: as in the chart note,
each adds its first check, or every check when it is high severity (the ECG with a
potassium below 3.0), and at most ``MAX_ADDED`` such lines are added. An absorbed
low-severity finding adds no management: a single drug's advice (generic cramp self-care,
"review the dose") is not what to do about a combination. Lines that differ only in case or
punctuation count once, and an added line that asks for nothing an earlier line has not
asked for, whatever its timing, is left out.

A card with problems joined to its lead (one drug's problems: ``grouping.join_same_drug``)
says every problem's own lists, not just a first line: each problem's first line, then
each one's second, and so on, so that every problem's first check is near the top. In
Monitoring the problems with a measured result speak first: a result answers another
problem's conditional check ("Muscle pain or weakness; CK if any" beside a raised CK).
Only the first problem's lines are whole; a joined problem's clauses that ask for nothing
new are left out, as for added lines, but are not counted in ``MAX_ADDED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from service.cdshooks.grouping import Group
from service.engine.models import Finding
from service.engine.note import (
    RESULT_WORDS,
    asks_nothing_new,
    check_words,
    narrowed,
    problem_checks,
)
from service.engine.strings import cap
from service.knowledge.severity import SEVERITY_RANK

MAX_ADDED = 2
_NOT_WORD = re.compile(r"\W+")


def _key(line: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", line.casefold()).split())


def _merged(
    own: Sequence[str], added: Iterable[str], joined: Sequence[Sequence[str]] = ()
) -> list[str]:
    """``own`` (the first problem's lines, whole) and the ``joined`` problems' lines, taken
    in turns (first lines first), then at most ``MAX_ADDED`` ``added`` lines."""
    seen: set[str] = set()
    asked: list[frozenset[str]] = []
    measured: set[str] = set()
    lines: list[str] = []

    def said(line: str, *, whole: bool) -> bool:
        # A line's clauses that ask for nothing new, whatever their timing ("Potassium and
        # magnesium in 1-2 weeks" after "... within days", "CK if there are muscle
        # symptoms" after "CK at least weekly"), are left out, except from a whole line.
        nonlocal measured
        if _key(line) in seen:
            return False
        if whole:
            asked.extend([check_words(line), *(check_words(c) for c in line.split("; "))])
            kept = line
        else:
            clauses = [
                c
                for c in (narrowed(c, measured) or c for c in line.split("; "))
                if not asks_nothing_new(c, asked, measured)
            ]
            if not clauses:
                return False
            kept = cap("; ".join(clauses))
            asked.extend(check_words(c) for c in clauses)
        seen.add(_key(line))
        measured |= check_words(kept) & RESULT_WORDS
        lines.append(kept)
        return True

    problems = [list(own), *(list(p) for p in joined)]
    for turn in range(max(map(len, problems))):
        for number, problem in enumerate(problems):
            if turn < len(problem):
                said(problem[turn], whole=number == 0)
    extra = 0
    for line in added:
        if extra == MAX_ADDED:
            break
        extra += said(line, whole=False)
    return lines


def _others(group: Group) -> list[Finding]:
    """The findings after the card's problems' leads, the most severe first (stable
    otherwise)."""
    return sorted(group.findings[len(group.leads) :], key=lambda f: -SEVERITY_RANK[f.severity])


def monitoring(group: Group) -> list[str]:
    # A problem with a measured result first (stable otherwise).
    first, *joined = sorted(group.leads, key=lambda f: not any(r.list == "labs" for r in f.inputs))
    added = (line for finding in _others(group) for line in problem_checks(finding))
    return _merged(first.monitoring, added, [f.monitoring for f in joined])


def management(group: Group) -> list[str]:
    lead, *joined = group.leads
    added = (
        line
        for finding in _others(group)
        if group.kind == "minor" or finding.severity != "low"
        for line in finding.management[:1]
    )
    return _merged(lead.management, added, [f.management for f in joined])
