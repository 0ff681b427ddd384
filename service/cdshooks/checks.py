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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from service.cdshooks.grouping import Group
from service.engine.models import Finding
from service.engine.note import RESULT_WORDS, asks_nothing_new, check_words, problem_checks
from service.engine.strings import cap
from service.knowledge.severity import SEVERITY_RANK

MAX_ADDED = 2
_NOT_WORD = re.compile(r"\W+")


def _key(line: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", line.casefold()).split())


def _merged(own: Sequence[str], added: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    asked: list[frozenset[str]] = []
    measured: set[str] = set()
    lines: list[str] = []
    extra = 0
    for line in own:
        if _key(line) not in seen:
            seen.add(_key(line))
            asked += [check_words(line), *(check_words(c) for c in line.split("; "))]
            measured |= check_words(line) & RESULT_WORDS
            lines.append(line)
    for line in added:
        if extra == MAX_ADDED:
            break
        # An added line's clauses that ask for nothing new, whatever their timing
        # ("Potassium and magnesium in 1-2 weeks" after "... within days", "CK if there are
        # muscle symptoms" after "CK at least weekly"), are left out.
        clauses = [c for c in line.split("; ") if not asks_nothing_new(c, asked, measured)]
        if _key(line) not in seen and clauses:
            kept = cap("; ".join(clauses))
            seen.add(_key(line))
            asked += [check_words(c) for c in clauses]
            measured |= check_words(kept) & RESULT_WORDS
            lines.append(kept)
            extra += 1
    return lines


def _others(group: Group) -> list[Finding]:
    """The findings after the lead, the most severe first (stable otherwise)."""
    return sorted(group.findings[1:], key=lambda f: -SEVERITY_RANK[f.severity])


def monitoring(group: Group) -> list[str]:
    lead = group.findings[0]
    added = (line for finding in _others(group) for line in problem_checks(finding))
    return _merged(lead.monitoring, added)


def management(group: Group) -> list[str]:
    lead = group.findings[0]
    added = (
        line
        for finding in _others(group)
        if group.kind == "minor" or finding.severity != "low"
        for line in finding.management[:1]
    )
    return _merged(lead.management, added)
