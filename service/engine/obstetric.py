"""Gravida/para notation with a current gestational age ("G2P1 at 30 weeks"): a pregnancy
(``Qualifiers.obstetric_notation``, read56)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.knowledge.schema import ObstetricNotation
from service.knowledge.text import LINE, MARKS

# "g2p1", "g4p3003", "g2p1a0" (one word), or "g2" then "p1".
_GRAVIDA_PARA = re.compile(r"g[0-9]{1,2}p[0-9]{1,5}(?:a[0-9]{1,2})?")
_GRAVIDA = re.compile(r"g[0-9]{1,2}")
_PARA = re.compile(r"p[0-9]{1,5}(?:a[0-9]{1,2})?")
# Marks that may stand between the notation and the age ("G2P1, 30 weeks", "G2P1 - 30 wks").
_BETWEEN = frozenset({",", "-", ":", "("})
# Marks that end the age's clause: what follows speaks of something else.
_CLAUSE_ENDS = frozenset({";", ".", "|", LINE})


class ObstetricReader:
    """Finds the notation and its age among a text's tokens."""

    __slots__ = ("after", "condition", "glued", "links", "max_weeks", "min_weeks", "units")

    def __init__(self, notation: ObstetricNotation | None) -> None:
        self.condition: tuple[str, ...] = (notation.condition,) if notation else ()
        self.links = frozenset(notation.links if notation else ())
        self.units = frozenset(notation.week_words if notation else ())
        self.after = frozenset(notation.after_delivery_words if notation else ())
        self.min_weeks = notation.min_weeks if notation else 0
        self.max_weeks = notation.max_weeks if notation else -1
        # "30w", "30wk", "30wks": the number and its unit as one word.
        units = "|".join(sorted(map(re.escape, self.units), key=len, reverse=True))
        self.glued = re.compile(f"([0-9]{{1,2}})(?:{units})") if units else None

    def spans(self, tokens: Sequence[str]) -> list[tuple[int, int]]:
        """Token spans (start, end) from the notation to the age's unit, each a current
        pregnancy; none when the reader has no notation or the text has no "g"."""
        if not self.condition or not any(t[:1] == "g" for t in tokens):
            return []
        found: list[tuple[int, int]] = []
        for at, token in enumerate(tokens):
            if _GRAVIDA_PARA.fullmatch(token):
                after = at + 1
            elif (
                _GRAVIDA.fullmatch(token)
                and at + 1 < len(tokens)
                and _PARA.fullmatch(tokens[at + 1])
            ):
                after = at + 2
            else:
                continue
            end = self._age_end(tokens, after)
            if end > 0 and not self._after_delivery(tokens, end):
                found.append((at, end))
        return found

    def _age_end(self, tokens: Sequence[str], at: int) -> int:
        """Where a gestational age read from ``at`` ends (after its unit), or -1."""
        links = 0
        while at < len(tokens) and (
            tokens[at] in _BETWEEN or (tokens[at] in self.links and links < 2)
        ):
            links += tokens[at] in self.links
            at += 1
        if at >= len(tokens):
            return -1
        glued = self.glued.fullmatch(tokens[at]) if self.glued else None
        if glued:
            weeks, end = int(glued.group(1)), at + 1
        elif tokens[at].isdigit() and len(tokens[at]) <= 2:
            weeks, end = int(tokens[at]), at + 1
            # "30+2 weeks": days after the weeks.
            if end < len(tokens) and tokens[end].isdigit() and int(tokens[end]) <= 6:
                end += 1
            if end >= len(tokens) or tokens[end] not in self.units:
                return -1
            end += 1
        else:
            return -1
        return end if self.min_weeks <= weeks <= self.max_weeks else -1

    def _after_delivery(self, tokens: Sequence[str], end: int) -> bool:
        """Whether what follows the age says the weeks are after a delivery or a loss: a
        word of its own clause ("30 weeks postpartum", "30 weeks s/p SVD"), or the first
        after a comma or a dash ("30 weeks - postpartum"); not a later part of the entry
        ("30 weeks, hx of preterm delivery")."""
        at = end
        while at < len(tokens) and tokens[at] not in MARKS:
            if tokens[at] in self.after:
                return True
            at += 1
        while at < len(tokens) and tokens[at] in MARKS and tokens[at] not in _CLAUSE_ENDS:
            at += 1
        return at < len(tokens) and tokens[at] in self.after
