"""ConText-style qualifiers: is a concept named in a short text the patient's current one?

The rules are data (``datasets/qualifiers.toml``): phrases of a kind (negated, family
history, ...), each with a direction and a scope in words; terminators end a scope. For
each concept span the nearest phrase that reaches it wins (at equal distance, the rule
listed first); no phrase means the concept is current.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.knowledge.schema import Direction, Qualifiers
from service.knowledge.text import MARKS, clause_tokens


@dataclass(frozen=True, slots=True)
class _Phrase:
    tokens: tuple[str, ...]
    kind: str
    direction: Direction
    scope: int
    order: int


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    phrase: _Phrase


@dataclass(frozen=True, slots=True)
class QualifierIndex:
    """The qualifier rules, compiled once: phrases by their first token."""

    phrases_by_first: dict[str, tuple[_Phrase, ...]]
    terminators_by_first: dict[str, tuple[tuple[str, ...], ...]]

    @classmethod
    def compile(cls, qualifiers: Qualifiers) -> QualifierIndex:
        phrases: dict[str, list[_Phrase]] = {}
        order = 0
        for rule in qualifiers.rule:
            for text in rule.phrases:
                words = tuple(clause_tokens(text))
                if not words:
                    continue
                phrase = _Phrase(words, rule.kind, rule.direction, rule.scope, order)
                phrases.setdefault(words[0], []).append(phrase)
                order += 1
        terminators: dict[str, list[tuple[str, ...]]] = {}
        for text in qualifiers.terminators:
            words = tuple(clause_tokens(text))
            if words:
                terminators.setdefault(words[0], []).append(words)
        return cls(
            {first: tuple(found) for first, found in phrases.items()},
            {first: tuple(found) for first, found in terminators.items()},
        )

    def may_apply(self, tokens: Sequence[str]) -> bool:
        """Whether any qualifier phrase can start in ``tokens`` (the cheap common case)."""
        return not self.phrases_by_first.keys().isdisjoint(tokens)

    def qualify(self, tokens: Sequence[str], spans: Sequence[tuple[int, int]]) -> list[str | None]:
        """Per concept span ``(start, end)`` of ``tokens``: the kind of the qualifier that
        applies to it, or None when the concept is current."""
        if not spans or not self.may_apply(tokens):
            return [None] * len(spans)
        found: list[_Found] = []
        ends_scope = [False] * len(tokens)
        for position, token in enumerate(tokens):
            for phrase in self.phrases_by_first.get(token, ()):
                size = len(phrase.tokens)
                if tuple(tokens[position : position + size]) == phrase.tokens:
                    found.append(_Found(position, position + size, phrase))
            for words in self.terminators_by_first.get(token, ()):
                if tuple(tokens[position : position + len(words)]) == words:
                    ends_scope[position] = True
        # Words (not marks) before each position, to measure distances in words.
        words_before = [0]
        for token in tokens:
            words_before.append(words_before[-1] + (token not in MARKS))
        return [self._kind(start, end, found, ends_scope, words_before) for start, end in spans]

    @staticmethod
    def _kind(
        start: int,
        end: int,
        found: Sequence[_Found],
        ends_scope: Sequence[bool],
        words_before: Sequence[int],
    ) -> str | None:
        best: tuple[int, int] | None = None
        kind: str | None = None
        for item in found:
            phrase = item.phrase
            if item.end <= start and phrase.direction != "backward":
                gap = (item.end, start)
            elif item.start >= end and phrase.direction != "forward":
                gap = (end, item.start)
            else:
                continue
            distance = words_before[gap[1]] - words_before[gap[0]]
            if distance > phrase.scope or any(ends_scope[gap[0] : gap[1]]):
                continue
            rank = (distance, phrase.order)
            if best is None or rank < best:
                best, kind = rank, phrase.kind
        return kind
