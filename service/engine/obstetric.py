"""Gravida/para notation with a current gestational age ("G2P1 at 30 weeks"): a pregnancy
(``Qualifiers.obstetric_notation``, read56)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.knowledge.schema import ObstetricNotation
from service.knowledge.text import MARKS, a_year

# "g2p1", "g4p3003", "g2p1a0" (one word), or "g2" then "p1".
_GRAVIDA_PARA = re.compile(r"g([0-9]{1,2})(p[0-9]{1,5}(?:a[0-9]{1,2})?)")
_GRAVIDA = re.compile(r"g([0-9]{1,2})")
_PARA = re.compile(r"p([0-9]{1,5})(?:a([0-9]{1,2}))?")
# Marks that may stand between the notation and the age ("G2P1, 30 weeks", "G2P1 - 30 wks").
_BETWEEN = frozenset({",", "-", ":", "("})


class ObstetricReader:
    """Finds the notation and its age among a text's tokens."""

    __slots__ = (
        "after",
        "condition",
        "gestation",
        "glued",
        "history",
        "links",
        "max_weeks",
        "min_weeks",
        "units",
    )

    def __init__(self, notation: ObstetricNotation | None) -> None:
        self.condition: tuple[str, ...] = (notation.condition,) if notation else ()
        self.links = frozenset(notation.links if notation else ())
        self.units = frozenset(notation.week_words if notation else ())
        self.after = frozenset(notation.after_delivery_words if notation else ())
        self.history = frozenset(notation.history_words if notation else ())
        self.gestation = frozenset(notation.gestation_words if notation else ())
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
            both = _GRAVIDA_PARA.fullmatch(token)
            if both:
                gravida, para, after = int(both.group(1)), both.group(2), at + 1
            else:
                alone = _GRAVIDA.fullmatch(token)
                if not alone or at + 1 >= len(tokens) or not _PARA.fullmatch(tokens[at + 1]):
                    continue
                gravida, para, after = int(alone.group(1)), tokens[at + 1], at + 2
            if not _pregnant_now(gravida, para):
                continue
            end = self._age_end(tokens, after)
            if end > 0 and not self._after_delivery(tokens, at, end):
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
        # "6 weeks of leg cramps": how long something lasted, not a gestational age.
        if end + 1 < len(tokens) and tokens[end] == "of" and tokens[end + 1] not in self.gestation:
            return -1
        return end if self.min_weeks <= weeks <= self.max_weeks else -1

    def _after_delivery(self, tokens: Sequence[str], at: int, end: int) -> bool:
        """Whether the entry says the weeks are not a current pregnancy: a year written
        anywhere ("G2P1 at 32 weeks (2018)"), a history word or a word of a delivery or a
        loss before the notation ("History: G2P1 ...", "Postpartum: G2P2 ..."), or such a
        word after the age ("30 weeks postpartum", "30 weeks, currently postpartum",
        "30 weeks, medical abortion") outside a part that tells the history ("30 weeks, hx
        of preterm delivery"; read56, fix57g)."""
        if any(a_year(token) for token in tokens):  # "(2018)": a past pregnancy's weeks
            return True
        if any(token in self.after or token in self.history for token in tokens[:at]):
            return True
        told = False  # in a part that tells the history
        part_starts = True
        for token in tokens[end:]:
            if token in MARKS:
                part_starts, told = True, False
                continue
            if part_starts:
                told = token in self.history
                part_starts = False
            if not told and token in self.after:
                return True
        return False


def _pregnant_now(gravida: int, para: str) -> bool:
    """Whether gravida counts a pregnancy not yet ended: more than the deliveries and
    abortions ("G2P1", "G2P1A0"; for "P3003" term + preterm + abortions; fix57g). "G2P2":
    every pregnancy has ended. A para of three or five digits is not read."""
    found = _PARA.fullmatch(para)
    if not found:
        return False
    digits, abortions = found.group(1), int(found.group(2) or 0)
    if len(digits) == 4:
        ended = int(digits[0]) + int(digits[1]) + int(digits[2])
    elif len(digits) <= 2:
        ended = int(digits) + abortions
    else:
        return False
    return gravida > ended
