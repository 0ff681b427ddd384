"""ConText-style qualifiers: is a concept named in a short text the patient's current one?

The rules are data (``datasets/qualifiers.toml``): phrases of a kind (negated, family
history, stopped, current, ...), each with the lists it applies to, a direction and a scope
in words; terminators end a scope (all of them, or one rule's). A phrase inside a longer
matching phrase does not count. For a condition the nearest qualifier that reaches it wins
(at equal distance, the rule listed first); for a medication the last one in the text
(the latest event: "stopped ..., restarted ..."). ``current`` means current. A ``pseudo``
phrase only looks like a qualifier ("Child-Pugh B", "per daughter": not a relative's
condition): it qualifies nothing, but a shorter phrase inside it does not count. A rule
that ``needs_a_later_concept`` applies only when the text names another concept after the
one qualified (a switch: "simvastatin switched to pravastatin"). A phrase that
``names_the_concept`` also qualifies the concept named inside it ("last pregnancy"). A rule
may count only where its phrase opens a clause (``starts_clause``: a "Negative:" heading),
be undone by words later in the concept's clause (``unless_followed_by``: "prior Lasix dose
reduced"), or apply to some conditions only (``only_for``: "hypoglycemia precautions").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.knowledge.schema import Direction, Qualifiers
from service.knowledge.text import (
    DATE,
    LINE,
    MARKS,
    a_year,
    clause_tokens,
    dated_clause_tokens,
)

ListKind = Literal["conditions", "medications"]
CURRENT = "current"
NEGATED = "negated"
PSEUDO = "pseudo"
STOPPED = "stopped"
_Words = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Phrase:
    tokens: _Words
    kind: str
    direction: Direction
    scope: int
    order: int
    terminators: frozenset[_Words]
    needs_a_later_concept: bool
    ends_clause: bool
    names_the_concept: bool
    starts_clause: bool
    heading_words: frozenset[str]
    unless_followed_by: tuple[_Words, ...]
    only_for: frozenset[str]
    unless_right_after: tuple[_Words, ...] = ()
    not_between_doses: bool = False
    mid_clause_terminators: frozenset[_Words] = frozenset()
    unless_right_before: frozenset[str] = frozenset()
    not_for: frozenset[str] = frozenset()
    unless_right_after_with_a_dose: tuple[_Words, ...] = ()
    after_a_stop: bool = False
    not_before_a_concept: bool = False
    not_before: frozenset[str] = frozenset()
    ends_entry: bool = False
    not_before_a_number: bool = False
    not_after_a_concept: bool = False
    only_for_terms: frozenset[_Words] = frozenset()
    unless_followed_by_only_after: bool = False
    not_across_a_concept: bool = False
    over_its_own_start: bool = False
    dated: bool = False
    concept_ends_entry: bool = False


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    phrase: _Phrase


def _by_first(phrases: Sequence[_Words]) -> dict[str, tuple[_Words, ...]]:
    grouped: dict[str, list[_Words]] = {}
    for words in phrases:
        grouped.setdefault(words[0], []).append(words)
    return {first: tuple(found) for first, found in grouped.items()}


def _starts_at(tokens: Sequence[str], position: int, words: _Words) -> bool:
    return tuple(tokens[position : position + len(words)]) == words


def _phrase_end(tokens: Sequence[str], position: int, words: _Words) -> int:
    """Where ``words`` end when they start at ``position`` (-1: they do not), a line break
    between two of them read as a space: a phrase wrapped onto the next line ("not\\ntaking",
    "ruled\\nout", "Family\\nhistory of"; review32 R1)."""
    end = position + len(words)
    if tuple(tokens[position:end]) == words:
        return end
    if LINE not in tokens[position + 1 : end]:
        return -1
    at = position
    for number, word in enumerate(words):
        while number and at < len(tokens) and tokens[at] == LINE:
            at += 1
        if at >= len(tokens) or tokens[at] != word:
            return -1
        at += 1
    return at


@dataclass(frozen=True, slots=True)
class _ListRules:
    """The qualifier rules of one list kind, compiled."""

    phrases_by_first: dict[str, tuple[_Phrase, ...]]
    terminators_by_first: dict[str, tuple[_Words, ...]]
    # A word each phrase needs (see ``_trigger``): a text with none of them needs no scan.
    words: frozenset[str]
    last_wins: bool
    # ``Qualifiers.mark_subject_words``: covered in a text that is only a mark.
    subject_words: frozenset[str] = frozenset()
    # A phrase after a later order does not reach back to an earlier one (medications).
    stops_at_an_order: bool = False
    # A denial after a separator ends at a comma (conditions, see ``_denial_of_a_list``),
    # and a phrase in brackets at the closing one (``_closed_aside``).
    separator_denial_ends_at_comma: bool = False
    # The terminators of medications only (``Qualifiers.medication_terminators``): a drug's
    # own start that a later stop reaches past (``_own_start``).
    start_terminators: frozenset[_Words] = frozenset()
    # The conditions that last (not ``acute``): named as a problem's cause, they keep their
    # own status when the problem is said to have resolved (``_a_named_cause``).
    lasting: frozenset[str] = frozenset()
    # Condition id -> the words of its complications, denied together after it and a
    # separator past a comma (``Qualifiers.complications_denied_together``).
    complications: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def qualify(
        self,
        tokens: Sequence[str],
        spans: Sequence[tuple[int, int]],
        strict: bool = False,
        concepts: Sequence[tuple[str, ...]] = (),
    ) -> list[str | None]:
        """Per span, the kind of the qualifier that wins (None: current). ``strict``: a
        phrase after the concept counts only where it ends its clause ("Type 2 diabetes -
        ruled out", not "type 2 diabetes, ruled out gestational"). ``concepts``: the ids
        each span names, for the rules that apply to some concepts only (``only_for``;
        without them such a rule applies to none)."""
        if not spans or self.words.isdisjoint(tokens):
            return [None] * len(spans)
        found = self._phrases(tokens, [start for start, end in spans if start < end])
        if not found:
            return [None] * len(spans)
        ends_all = self._ends(tokens)
        words_before = [0]
        for token in tokens:
            words_before.append(words_before[-1] + (token not in MARKS))
        starts = [start for start, end in spans if start < end]
        return [
            self._kind(
                tokens,
                start,
                end,
                found,
                ends_all,
                words_before,
                any(s >= end for s in starts),
                strict,
                concepts[number] if number < len(concepts) else (),
                spans,
                concepts,
            )
            for number, (start, end) in enumerate(spans)
        ]

    def only_marks(self, tokens: Sequence[str]) -> bool:
        """Whether the text is only a mark of one kind that is not ``current``, besides
        marks, dates and numbers ("Allergy", "Not taking", "discontinued 3/2024"), not a
        sentence about something else ("intolerance to spironolactone") nor a mark and its
        denial ("Adverse reaction: none")."""
        covered = [False] * len(tokens)
        kinds: set[str] = set()
        for item in self._phrases(tokens):
            if item.phrase.kind == PSEUDO:
                continue
            kinds.add(item.phrase.kind)
            for at in range(item.start, item.end):
                covered[at] = True
        if len(kinds) != 1 or CURRENT in kinds:
            return False
        return all(
            covered[at]
            or token in MARKS
            or token == DATE
            or token[0].isdigit()
            or token in self.subject_words
            for at, token in enumerate(tokens)
        )

    def _ends(self, tokens: Sequence[str]) -> list[_Words | None]:
        """Per token, the terminator that starts there (or None)."""
        ends_all: list[_Words | None] = [None] * len(tokens)
        for position, token in enumerate(tokens):
            for words in self.terminators_by_first.get(token, ()):
                if _starts_at(tokens, position, words):
                    ends_all[position] = words
        return ends_all

    def _phrases(self, tokens: Sequence[str], starts: Sequence[int] = ()) -> list[_Found]:
        """The phrases in ``tokens``; ``starts``: where the concepts start."""
        found: list[_Found] = []
        for position, token in enumerate(tokens):
            for phrase in self.phrases_by_first.get(token, ()):
                phrase_end = _phrase_end(tokens, position, phrase.tokens)
                if phrase_end < 0:
                    continue
                if phrase_end < len(tokens) and (
                    tokens[phrase_end] in phrase.not_before
                    or (phrase.not_before_a_concept and phrase_end in starts)
                    or (phrase.not_before_a_number and tokens[phrase_end][:1].isdigit())
                ):
                    continue  # "CKD? no dialysis", "Hypokalemia? no idea": no answer
                found.append(_Found(position, phrase_end, phrase))
        # A phrase inside a longer one ("taking" in "stopped taking") does not count,
        # except a denial that reads forward at the end of a denial that must end its
        # clause and does not: that answer qualifies nothing, and the denial reads on
        # ("Diabetes: no neuropathy", "CKD 4 - no dialysis": the "no", not a ": no"
        # about the diabetes).
        open_answers: list[_Found] = []
        if any(item.phrase.ends_clause and item.phrase.kind == NEGATED for item in found):
            ends_all = self._ends(tokens)
            open_answers = [
                other
                for other in found
                if other.phrase.ends_clause
                and other.phrase.kind == NEGATED
                and not _clause_ends(tokens, other.end, ends_all)
            ]
        return [
            item
            for item in found
            if not any(
                other is not item
                and other.start <= item.start
                and item.end <= other.end
                and other.end - other.start > item.end - item.start
                and not (
                    other in open_answers
                    and item.end == other.end
                    and item.phrase.kind == NEGATED
                    and item.phrase.direction == "forward"
                )
                for other in found
            )
        ]

    def _kind(
        self,
        tokens: Sequence[str],
        start: int,
        end: int,
        found: Sequence[_Found],
        ends_all: Sequence[_Words | None],
        words_before: Sequence[int],
        concept_after: bool,
        strict: bool = False,
        ids: tuple[str, ...] = (),
        spans: Sequence[tuple[int, int]] = (),
        concepts: Sequence[tuple[str, ...]] = (),
    ) -> str | None:
        best: tuple[int, int] | None = None
        kind: str | None = None
        winner: _Found | None = None
        relatives: list[_Found] = []
        for item in found:
            phrase = item.phrase
            if not _may_apply(tokens, start, end, item, ends_all, concept_after, ids, spans):
                continue
            gap = self._gap(tokens, start, end, item, ends_all, strict, spans, ids, concepts)
            if gap is None:
                continue
            distance = self._distance(tokens, gap, item, spans, words_before)
            if distance > phrase.scope or self._terminated(
                tokens, gap, ends_all, item, self._own_start(tokens, end, item, spans, ends_all)
            ):
                continue
            if _undone_around(tokens, start, end, item, found, ends_all, words_before, spans):
                continue
            if phrase.kind == FAMILY_HISTORY:
                relatives.append(item)
            # The last qualifier in the text, or the nearest (then the first listed).
            rank = (-item.start, phrase.order) if self.last_wins else (distance, phrase.order)
            if best is None or rank < best:
                best, kind, winner = rank, phrase.kind, item
        if winner is not None and _a_relatives_past(tokens, winner, relatives, start, end):
            return FAMILY_HISTORY
        if (
            kind == STOPPED
            and winner is not None
            and _taken_again(tokens, winner, found, words_before, start, end, spans)
        ):
            return None
        return None if kind == CURRENT else kind

    def _gap(
        self,
        tokens: Sequence[str],
        start: int,
        end: int,
        item: _Found,
        ends_all: Sequence[_Words | None],
        strict: bool,
        spans: Sequence[tuple[int, int]],
        ids: tuple[str, ...] = (),
        concepts: Sequence[tuple[str, ...]] = (),
    ) -> tuple[int, int] | None:
        """The words between the phrase and the concept (``start``-``end``) that its reach
        must cover, or None when the phrase cannot reach the concept from where it stands."""
        phrase = item.phrase
        if (
            item.end <= start
            and phrase.direction != "backward"
            and not (
                self.separator_denial_ends_at_comma
                and (
                    (
                        _denial_of_a_list(tokens, item, start)
                        and not self._complications_denied(tokens, item, end, spans, concepts)
                    )
                    or _closed_aside(tokens, item, start)
                )
            )
        ):
            return (item.end, start)
        if item.start >= end and phrase.direction != "forward":
            if (
                (strict and not _clause_ends(tokens, item.end, ends_all))
                or (self.stops_at_an_order and _order_between(tokens, end, item.start, spans))
                or _across_a_concept(item, end, spans)
                or (
                    not self.lasting.isdisjoint(ids)
                    and _a_named_cause(tokens, start, end, item, spans, ends_all)
                )
            ):
                return None
            return (_after_its_cause(tokens, end, item, spans, ends_all), item.start)
        if phrase.names_the_concept and item.start <= start and end <= item.end:
            return (start, start)
        return None

    def _complications_denied(
        self,
        tokens: Sequence[str],
        item: _Found,
        end: int,
        spans: Sequence[tuple[int, int]],
        concepts: Sequence[tuple[str, ...]],
    ) -> bool:
        """Whether a denial after a condition and its separator lists only that condition's
        complications up to the concept ending at ``end`` ("Diabetes: no retinopathy,
        neuropathy": the neuropathy denied too; read56), unlike the next problem of a list
        ("CKD 4 - no dialysis, hypocalcemia"; review42 G4)."""
        if not self.complications or (end < len(tokens) and tokens[end] not in _LIST_ENDS):
            return False  # "no retinopathy, neuropathy present": said of it after
        head = item.start - 1  # the separator
        for number, (other_start, other_end) in enumerate(spans):
            if other_start < other_end == head and number < len(concepts):
                own = [self.complications.get(cid) for cid in concepts[number]]
                words = frozenset().union(*(w for w in own if w))
                return bool(words) and all(
                    token in MARKS or token in words or token in _LIST_WORDS
                    for token in tokens[item.end : end]
                )
        return False

    def _distance(
        self,
        tokens: Sequence[str],
        gap: tuple[int, int],
        item: _Found,
        spans: Sequence[tuple[int, int]],
        words_before: Sequence[int],
    ) -> int:
        """The words between the phrase and the concept (``gap``). A medication phrase after
        "both"/"all" speaks for every drug the entry lists before it: counted from the last
        of them ("Lasix 40 mg daily and HCTZ 25 mg daily - both stopped")."""
        begin, until = gap
        if self.stops_at_an_order and until == item.start and _for_every_drug(tokens, until):
            begin = max([begin, *(e for s, e in spans if s < e <= until)])
        return words_before[until] - words_before[begin]

    def _own_start(
        self,
        tokens: Sequence[str],
        end: int,
        item: _Found,
        spans: Sequence[tuple[int, int]],
        ends_all: Sequence[_Words | None],
    ) -> int:
        """Where the drug's own start stands (a medication terminator) that does not end the
        reach of a stop said after the drug (ending at ``end``;
        ``QualifierRule.over_its_own_start``): only dates, numbers and marks between it and
        the stop, and after the stop; no other drug between ("Lasix started 2019, stopped
        2021"; read53). -1: none."""
        if (
            not item.phrase.over_its_own_start
            or item.start < end
            or _concept_between(end, item.start, spans)
            or not all(_a_date_or_mark(t) for t in tokens[item.end :])
        ):
            return -1
        at = item.start
        while (
            at > end
            and _a_date_or_mark(tokens[at - 1])
            and tokens[at - 1] not in _BRACKETS
            and ends_all[at - 1] is None
        ):
            at -= 1
        for position in range(end, at):
            words = ends_all[position]
            if words in self.start_terminators and position + len(words or ()) == at:
                return position
        return -1

    @staticmethod
    def _terminated(
        tokens: Sequence[str],
        gap: tuple[int, int],
        ends_all: Sequence[_Words | None],
        item: _Found,
        own_start: int = -1,
    ) -> bool:
        """Whether a terminator in ``gap`` (but the drug's own start at ``own_start``) ends
        the phrase's reach."""
        phrase = item.phrase
        # Lazily: whether something stands before the phrase in its clause.
        mid_clause: bool | None = None
        for position in range(*gap):
            if ends_all[position] is not None and position != own_start:
                return True
            if phrase.terminators and any(
                _starts_at(tokens, position, words) for words in phrase.terminators
            ):
                return True
            if phrase.mid_clause_terminators and any(
                _starts_at(tokens, position, words) for words in phrase.mid_clause_terminators
            ):
                if mid_clause is None:
                    mid_clause = not _clause_starts(
                        tokens, item.start, ends_all, phrase.heading_words
                    )
                if mid_clause:
                    return True
        return False


# Not between a drug's own start and its stop: "(both started 2019) - stopped" is said of
# the bracket's drugs.
_BRACKETS = frozenset({"(", ")"})


def _may_apply(
    tokens: Sequence[str],
    start: int,
    end: int,
    item: _Found,
    ends_all: Sequence[_Words | None],
    concept_after: bool,
    ids: tuple[str, ...],
    spans: Sequence[tuple[int, int]],
) -> bool:
    """Whether a phrase found in the text may qualify the concept at ``start``-``end`` at
    all, before its reach is measured: its own conditions (where it stands, which concepts
    it is for, what may stand right before it)."""
    phrase = item.phrase
    if (
        phrase.kind == PSEUDO
        or phrase.after_a_stop
        or (phrase.needs_a_later_concept and not concept_after)
    ):
        return False
    if phrase.ends_clause and not _clause_ends_or_dated(tokens, item, ends_all):
        return False
    if phrase.ends_entry and _next_word(tokens, item.end) != -1:
        return False
    if phrase.concept_ends_entry and _next_word(tokens, end) != -1:
        return False
    # Not a heading, still a phrase: the shorter one inside it does not count
    # ("sciatica negative: SLR" is not a negated sciatica).
    if phrase.starts_clause and not _clause_starts(
        tokens, item.start, ends_all, phrase.heading_words
    ):
        return False
    if phrase.only_for and phrase.only_for.isdisjoint(ids):
        return False
    if phrase.not_for and not phrase.not_for.isdisjoint(ids):
        return False
    # (A concept named inside a phrase that names it is always its own.)
    if (
        phrase.only_for_terms
        and not (phrase.names_the_concept and item.start <= start and end <= item.end)
        and tuple(t for t in tokens[start:end] if t not in MARKS) not in phrase.only_for_terms
    ):
        return False
    if phrase.not_after_a_concept and any(e == item.start for _, e in spans):
        return False
    return not (
        phrase.unless_right_before
        and item.start > 0
        and tokens[item.start - 1] in phrase.unless_right_before
    )


def _undone_around(
    tokens: Sequence[str],
    start: int,
    end: int,
    item: _Found,
    found: Sequence[_Found],
    ends_all: Sequence[_Words | None],
    words_before: Sequence[int],
    spans: Sequence[tuple[int, int]],
) -> bool:
    """Whether what stands around a phrase that reaches the concept undoes it: another line,
    a relative's affirmation, a later word that takes it back, a dose between, or the words
    right after."""
    phrase = item.phrase
    if _other_line(tokens, item, start, end, spans, found) or _affirms_a_relatives(
        tokens, item, start, end, found, ends_all, words_before
    ):
        return True
    if (
        phrase.unless_followed_by
        and not (phrase.unless_followed_by_only_after and item.end <= start)
        and _said_later(tokens, max(end, item.end), ends_all, phrase.unless_followed_by)
    ):
        return True
    if phrase.not_between_doses and _between_doses(tokens, end, item):
        return True
    if phrase.unless_right_after and _said_next(
        tokens, max(end, item.end), phrase.unless_right_after
    ):
        return True
    return bool(
        phrase.unless_right_after_with_a_dose
        and _said_next(tokens, max(end, item.end), phrase.unless_right_after_with_a_dose, dose=True)
    )


def _rule_words(text: str) -> list[str]:
    """A rule's words; a "+" alone is the mark a condition text keeps when it ends a clause
    after a word ("Diabetes screen +": ``matching.conditions._with_closing_plus``)."""
    return ["+"] if text.strip() == "+" else clause_tokens(text)


def _a_date(token: str) -> bool:
    return token == DATE or token[:1].isdigit()


def _a_date_or_mark(token: str) -> bool:
    return _a_date(token) or (token in MARKS and token != LINE)


def _after_its_cause(
    tokens: Sequence[str],
    end: int,
    item: _Found,
    spans: Sequence[tuple[int, int]],
    ends_all: Sequence[_Words | None],
) -> int:
    """Where the scope of a treatment's end said after the concept (ending at ``end``)
    starts: past the concept's cause and the comma after it, when a terminator ("secondary
    to", "due to") and another concept stand right after the concept ("ESRD secondary to
    DM, s/p kidney transplant": the transplant is the kidney failure's, as in "ESRD, s/p
    kidney transplant"); else at ``end``. Only for ``_DATED_KINDS``."""
    words = ends_all[end] if end < len(tokens) else None
    bare = _a_bare_final_resolution(tokens, item)
    if (item.phrase.kind not in _DATED_KINDS and not bare) or words is None:
        return end
    cause = end + len(words)
    for other_start, other_end in spans:
        if (
            other_start == cause
            and other_end < item.start
            and tokens[other_end] == ","
            and (not bare or other_end + 1 == item.start)
        ):
            return other_end + 1
    return end


def _a_bare_final_resolution(tokens: Sequence[str], item: _Found) -> bool:
    """Whether ``item`` is a one-word resolution that ends the text ("Hypokalemia due to
    diarrhea, resolved": the hypokalemia resolved, past its cause; read53). Not "not
    resolved", "resolved with KCl, recurred 2023", "resolved but recurrent"."""
    return (
        item.phrase.kind == "resolved"
        and len(item.phrase.tokens) == 1
        and all(t in MARKS for t in tokens[item.end :])
    )


# What names a problem's cause after it ("Hypoglycemia due to diabetes").
_CAUSE_LINKS = frozenset({("due", "to"), ("secondary", "to")})


def _a_named_cause(
    tokens: Sequence[str],
    start: int,
    end: int,
    item: _Found,
    spans: Sequence[tuple[int, int]],
    ends_all: Sequence[_Words | None],
) -> bool:
    """Whether the concept at ``start``-``end`` is the cause named after another problem
    ("due to", "secondary to") that a bare final resolution reaches past
    (``_after_its_cause``): the problem resolved, a lasting cause keeps its own status
    ("Hypoglycemia due to diabetes, resolved": the diabetes stays; read54), while an
    episode that ends ("Hypokalemia due to diarrhea, resolved") is read as resolved too."""
    if end >= len(tokens) or tokens[end] != "," or end + 1 != item.start:
        return False
    if not _a_bare_final_resolution(tokens, item):
        return False
    return any(
        other_end < start
        and ends_all[other_end] in _CAUSE_LINKS
        and other_end + len(ends_all[other_end] or ()) == start
        for other_start, other_end in spans
        if other_start < other_end
    )


def _closed_aside(tokens: Sequence[str], item: _Found, start: int) -> bool:
    """Whether a phrase written in brackets closes them before the concept after it (at
    ``start``): an aside about the concept before ("Diabetes (+ FHx), hypothyroidism",
    "Diabetes (FHx), hypothyroidism": the hypothyroidism is not a relative's; cond51)."""
    if ")" not in tokens[item.end : start]:
        return False
    for at in range(item.start - 1, -1, -1):
        if tokens[at] == ")":
            return False
        if tokens[at] == "(":
            # After a word, or with its own object: an aside, not a label that opens the
            # entry ("(FHx) diabetes").
            close = tokens.index(")", item.end)
            return any(t not in MARKS for t in [*tokens[:at], *tokens[item.end : close]])
    return False


FAMILY_HISTORY = "family_history"


def _affirms_a_relatives(
    tokens: Sequence[str],
    item: _Found,
    start: int,
    end: int,
    found: Sequence[_Found],
    ends_all: Sequence[_Words | None],
    words_before: Sequence[int],
) -> bool:
    """Whether ``item`` is an affirmation said after the concept (tokens ``start`` to
    ``end``; a backward ``current`` phrase: "persists", "ongoing", ", recurrent") while a
    relative's phrase before the concept reaches it on its line: the affirmation says the
    condition is there, not whose it is ("mother - diabetes ongoing" is the mother's;
    cond51)."""
    if item.phrase.kind != CURRENT or item.phrase.direction != "backward" or item.start < end:
        return False
    return any(
        other.phrase.kind == FAMILY_HISTORY
        and other.phrase.direction != "backward"
        and other.end <= start
        and LINE not in tokens[other.end : start]
        and words_before[start] - words_before[other.end] <= other.phrase.scope
        and not _ListRules._terminated(tokens, (other.end, start), ends_all, other)
        for other in found
    )


# A past said of a relative's condition: "history of", "h/o", "previously" (fam55).
_PAST_KINDS = frozenset({"historical", "treatment_ended"})
# What may stand between a relative and "history of" ("mother - history of dialysis",
# "Mother: h/o dialysis", "mother with hx of ALS"), and between the concept and a relative
# after it ("history of dialysis in mother").
_RELATIVE_TO_PAST = frozenset({":", "-", "with", "w", "has", "had", "a"})
_PAST_TO_RELATIVE = frozenset({"in", "(", "-", ":"})


def _a_relatives_past(
    tokens: Sequence[str], winner: _Found, relatives: Sequence[_Found], start: int, end: int
) -> bool:
    """Whether the nearest qualifier, a past said before the concept (tokens ``start`` to
    ``end``; "history of"), follows a relative's phrase that reaches the concept too, with
    only a mark or a linking word between them, or the concept is followed by one ("in
    mother"): the past says when, not whose ("mother - history of dialysis", "brother - hx
    of ALS", "history of dialysis in mother" are the relative's, as "mother - diabetes
    ongoing"; fam55)."""
    if (
        winner.phrase.kind not in _PAST_KINDS
        or winner.phrase.direction == "backward"
        or winner.end > start
    ):
        return False
    return any(
        (
            other.end <= winner.start
            and all(token in _RELATIVE_TO_PAST for token in tokens[other.end : winner.start])
        )
        or (
            other.start >= end
            and all(token in _PAST_TO_RELATIVE for token in tokens[end : other.start])
        )
        for other in relatives
    )


# Marks after a problem that open what is said of it ("Diabetes: no neuropathy",
# "CKD 4 - no dialysis").
_SEPARATORS = frozenset({":", "-"})
# Words that join a list of denied complications ("no retinopathy or neuropathy").
_LIST_WORDS = frozenset({"or", "and", "nor"})
# What may follow the last complication denied ("no retinopathy, neuropathy; HTN").
_LIST_ENDS = frozenset({",", ";", ".", "|", LINE})


def _denial_of_a_list(tokens: Sequence[str], item: _Found, start: int) -> bool:
    """Whether a denial written after a problem and a separator ("CKD 4 - no dialysis,
    hypocalcemia") would reach past a comma to the concept at ``start``: on a problem list
    what follows the comma is the next problem (review42 G4), unlike a bare "no X, Y"."""
    return (
        item.phrase.kind == NEGATED
        and item.start > 1
        and tokens[item.start - 1] in _SEPARATORS
        # A denial heading opens its list ("Endo ROS - negative: polyuria, diabetes").
        and item.phrase.tokens[-1] not in MARKS
        and "," in tokens[item.end : start]
    )


# What ends one drug's order before another's in one entry ("Furosemide 40 mg daily - HCTZ
# stopped", "Furosemide 40 mg (HCTZ stopped)").
_ORDER_BREAKS = frozenset({"-", ",", "(", ":", "|", "\n"})
# Before a phrase, it speaks for every drug of the entry ("... - both stopped").
_EVERY_DRUG = frozenset({"both", "all"})


def _order_between(
    tokens: Sequence[str], end: int, phrase_start: int, spans: Sequence[tuple[int, int]]
) -> bool:
    """Whether another drug is written between a drug (ending at ``end``) and a phrase
    after it, as an order of its own: after the first drug's dose and a break. A stop said
    of the later drug is not said of the earlier one ("Furosemide 40 mg daily - HCTZ
    stopped": furosemide current), while a bare list shares it ("Lasix, HCTZ stopped",
    "Lasix and HCTZ stopped")."""
    if _for_every_drug(tokens, phrase_start):
        return False
    for other_start, other_end in spans:
        if end <= other_start and other_end <= phrase_start and other_start < other_end:
            between = tokens[end:other_start]
            if any(t[:1].isdigit() for t in between) and not _ORDER_BREAKS.isdisjoint(between):
                return True
    return False


def _for_every_drug(tokens: Sequence[str], phrase_start: int) -> bool:
    """Whether "both" or "all" stands right before the phrase ("... - both stopped")."""
    return phrase_start > 0 and tokens[phrase_start - 1] in _EVERY_DRUG


def _across_a_concept(item: _Found, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether a phrase that qualifies only the concept right before it
    (``QualifierRule.not_across_a_concept``) has another concept between it and the one
    ending at ``end``."""
    return item.phrase.not_across_a_concept and _concept_between(end, item.start, spans)


def _concept_between(end: int, until: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether another concept stands wholly between ``end`` and ``until``."""
    return any(end <= s < e <= until for s, e in spans)


def _taken_again(
    tokens: Sequence[str],
    stop: _Found,
    found: Sequence[_Found],
    words_before: Sequence[int],
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]],
) -> bool:
    """Whether an ``after_a_stop`` phrase follows the stop phrase ``stop`` within its
    scope, on the stop's line or the next, with no other concept between the drug (tokens
    ``start`` to ``end``) and it nor right after it: the drug is taken again ("Lasix 40
    mg\nstopped by patient, restarted 1/2025"; review35 R8)."""
    others = [(s, e) for s, e in spans if s < e and (s, e) != (start, end)]
    for item in found:
        phrase = item.phrase
        if not phrase.after_a_stop or item.start < stop.end:
            continue
        if item.start > 0 and tokens[item.start - 1] in phrase.unless_right_before:
            continue
        # "not yet restarted", "hasn't been restarted": negated (review36 R3).
        if any(token in _NEGATIONS for token in _words_before(tokens, item.start, 3)):
            continue
        # "resumed exercise", "back on dialysis", "diet resumed": something else is taken
        # again, not the drug (review36 R2).
        if not _restart_of_the_drug(tokens, item, stop, start, end):
            continue
        # "restarted, then stopped again": the last event wins (review36 R4).
        if any(
            other.phrase.kind == STOPPED
            and not other.phrase.after_a_stop
            and other.start >= item.end
            and words_before[other.start] - words_before[item.end] <= phrase.scope
            for other in found
        ):
            continue
        if words_before[item.start] - words_before[stop.end] > phrase.scope:
            continue
        if tokens[stop.end : item.start].count(LINE) > 1:
            continue
        if any(min(start, stop.start) <= s < item.end for s, _ in others):
            continue
        # "started 2021 torsemide", "started 20 mg torsemide": another drug's start, its
        # date or dose first (read56, fix57g).
        after = item.end
        while after < len(tokens) and (_a_date(tokens[after]) or tokens[after] in _DOSE_UNITS):
            after += 1
        if any(s == _next_word(tokens, after) for s, _ in others):
            continue
        # "started again?": a question, not a start (fix57g).
        if _asked(tokens, item.end):
            continue
        # "discontinued 2022; started 2010": the start is dated before the stop, so the
        # later event is the stop (fix57g).
        stopped_on = _year_month(tokens, stop.end, item.start)
        started_on = _year_month(tokens, item.end, len(tokens))
        if stopped_on and started_on and started_on <= stopped_on:
            continue
        return True
    return False


def _asked(tokens: Sequence[str], position: int) -> bool:
    """Whether a "?" ends the clause that goes on at ``position``."""
    for token in tokens[position:]:
        if token == "?":
            return True
        if token in _CLAUSE_MARKS:
            return False
    return False


def _year_month(tokens: Sequence[str], begin: int, until: int) -> tuple[int, int] | None:
    """The first year written between ``begin`` and ``until`` in its clause ("2019",
    "3/2021": (2021, 3)), with its month when a number of 1 to 12 stands right before it
    (0 when none); None when no year is written."""
    for at in range(begin, until):
        token = tokens[at]
        if token in _CLAUSE_MARKS and at > begin:
            return None
        if a_year(token):
            before = tokens[at - 1] if at > begin else ""
            month = int(before) if before.isdigit() and 1 <= int(before) <= 12 else 0
            return int(token), month
    return None


# Words that negate a restart said within three words before it ("not yet restarted",
# "hasn't been restarted", "never back on"; review36 R3).
_NEGATIONS = frozenset({"not", "never", "no", "t", "nt", "without"})
# What may follow a restart of the drug itself, besides the end of the entry, a mark, a
# date, a dose or "on"/"at" + a dose ("restarted 1/2025", "resumed 20 mg daily", "back on
# at 40 mg", "restarted last week", "now taking again on own"; review36 R2).
_AFTER_A_RESTART = frozenset(
    {"today", "yesterday", "last", "this", "recently", "now", "again", "since", "then"}
)
# What may stand right before a restart phrase, besides a mark, a date or the drug: not
# a noun ("diet resumed", "PT resumed"; review36 R2).
_BEFORE_A_RESTART = frozenset(
    {
        "and", "then", "now", "later", "but", "was", "were", "been", "has", "have", "had",
        "is", "since", "subsequently", "pt", "patient", "it", "again", "yet", "being",
    }
)  # fmt: skip


_OWN = frozenset({"own", "her", "his"})


def _words_before(tokens: Sequence[str], position: int, count: int) -> list[str]:
    """The last ``count`` words (not marks) before ``position`` on its line."""
    words: list[str] = []
    for at in range(position - 1, -1, -1):
        if tokens[at] == LINE or len(words) == count:
            break
        if tokens[at] not in MARKS:
            words.append(tokens[at])
    return words


def _restart_of_the_drug(
    tokens: Sequence[str], item: _Found, stop: _Found, start: int, end: int
) -> bool:
    """Whether the restart phrase ``item`` restarts the drug (tokens ``start`` to ``end``):
    nothing but the end of the entry, a mark, a date, a dose, "on"/"at" + a dose, a time
    word or the drug itself follows it, and no noun stands right before it ("Lasix 40 mg
    stopped; resumed exercise / diet resumed / restarted CPAP": not the drug; review36 R2)."""
    drug = tuple(tokens[start:end])
    at = item.end
    if at < len(tokens) and tokens[at] not in MARKS:
        word = tokens[at]
        if not (
            word == DATE
            or word[:1].isdigit()
            or word in _AFTER_A_RESTART
            or (word in ("on", "at") and _dose_at(tokens, at + 1))
            or (word == "on" and at + 1 < len(tokens) and tokens[at + 1] in _OWN)
            or tuple(tokens[at : at + len(drug)]) == drug
        ):
            return False
    before = item.start - 1
    if before >= 0 and tokens[before] not in MARKS:
        word = tokens[before]
        if not (
            word == DATE
            or word[:1].isdigit()
            or word in _BEFORE_A_RESTART
            or word in _NEGATIONS
            or before < stop.end
            or tuple(tokens[before + 1 - len(drug) : before + 1]) == drug
        ):
            return False
    return True


def _next_word(tokens: Sequence[str], position: int) -> int:
    """The position of the first token that is not a mark at or after ``position`` on its
    line (-1: none)."""
    for at in range(position, len(tokens)):
        if tokens[at] == LINE:
            return -1
        if tokens[at] not in MARKS:
            return at
    return -1


def _clause_ends(tokens: Sequence[str], position: int, ends_all: Sequence[_Words | None]) -> bool:
    """Whether nothing but marks follows ``position`` before the text ends, a comma or a
    terminator (``QualifierRule.ends_clause``)."""
    for at in range(position, len(tokens)):
        if tokens[at] == "," or ends_all[at] is not None:
            return True
        if tokens[at] not in MARKS:
            return False
    return True


# A treatment said to have ended may be dated before its clause ends ("Dialysis stopped
# 2020", "hemodialysis discontinued in 3/2019").
_DATED_KINDS = frozenset({"treatment_ended"})
_DATE_WORDS = frozenset({"in", "since", "on"})


def _clause_ends_or_dated(
    tokens: Sequence[str], item: _Found, ends_all: Sequence[_Words | None]
) -> bool:
    """``_clause_ends`` after the phrase ``item``, or for a phrase of ``_DATED_KINDS`` or a
    ``dated`` one after a date or year that follows it (an optional "in"/"since"/"on",
    then numbers and marks)."""
    position = item.end
    if item.phrase.kind in _DATED_KINDS or item.phrase.dated:
        at = position + (position < len(tokens) and tokens[position] in _DATE_WORDS)
        if at < len(tokens) and _a_date(tokens[at]):
            while at < len(tokens) and (_a_date(tokens[at]) or tokens[at] in ("/", "-")):
                at += 1
            position = at
    return _clause_ends(tokens, position, ends_all)


def _clause_starts(
    tokens: Sequence[str],
    position: int,
    ends_all: Sequence[_Words | None],
    heading_words: frozenset[str] = frozenset(),
) -> bool:
    """Whether nothing but marks and the words of a section label (``heading_words``)
    comes before ``position`` since the text starts, a comma or a terminator
    (``QualifierRule.starts_clause``)."""
    for at in range(position - 1, -1, -1):
        if tokens[at] == "," or _terminator_ends_at(at, ends_all):
            return True
        if tokens[at] not in MARKS and tokens[at] not in heading_words:
            return False
    return True


def _other_line(
    tokens: Sequence[str],
    item: _Found,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int]] = (),
    found: Sequence[_Found] = (),
) -> bool:
    """Whether the concept (tokens ``start`` to ``end``) is on another line than the
    phrase, and the phrase's line names something else: another concept found in the text
    (``spans``) or a section heading (a word and a colon). A line break then ends the
    phrase's scope ("Pertinent negatives: no chest pain\\nHypokalemia", "no
    fever\\nhypokalemia", "Hypokalemia\\nDiabetes: no": review29 R6). Other words on the
    phrase's line do not: a line break inside one entry is most often wrapping ("Lasix 40
    mg daily\\nstopped by cardiology 3/2024", "Hypokalemia 2019\\nresolved after KCl",
    "FHx: mother and father\\ndiabetes": review32 R1), except a word after a phrase that
    applies forward, which is then its object on its own line ("No known
    allergies\\nHypokalemia", "Denies pain\\nhypokalemia"). A phrase alone on its line heads
    the lines after (or before) it ("Negatives:\\nchest pain\\nhypokalemia", "STOP taking
    these medications:\\nHCTZ\\nLasix", "Lasix 40 mg\\nStopped")."""
    if item.end <= start:
        positions = range(item.end, start)
        beyond = range(item.start - 1, -1, -1)
    elif item.start >= end:
        positions = range(item.start - 1, end - 1, -1)
        beyond = range(item.end, len(tokens))
    else:
        return False
    others = [(s, e) for s, e in spans if s < e and (s, e) != (start, end)]
    forward = item.end <= start
    if forward and _course_of_line_before(tokens, item, start, others):
        return True
    named = False
    for at in positions:
        if tokens[at] == LINE and not _wrapped(tokens, at):
            if named:
                return True
            # A phrase that opens the next line applies back even when its line names
            # another concept later, as its reason or the next clause ("Diabetes\nresolved
            # with weight loss", "Lasix 40 mg\nstopped; KCl continued": review33 R6),
            # unless that concept directly follows it: "Hypokalemia\nmother - diabetes"
            # is the mother's diabetes and the patient's hypokalemia.
            if not forward and _opens_line(tokens, at, item.start):
                return _governs_next(tokens, item.end, others, item.phrase.kind, found)
            # Nor does it reach across the line break when its own line names something
            # on its other side.
            return _names_until_line(tokens, beyond, item, others)
        if _names_something(tokens, at, item, others) or (
            forward and _own_object(tokens, at, found)
        ):
            named = True
    return False


def _course_of_line_before(
    tokens: Sequence[str], item: _Found, start: int, others: Sequence[tuple[int, int]]
) -> bool:
    """Whether a phrase that states a course opens its line, follows a concept on the line
    before and is parted by a comma or a dash from the concept after it (at ``start``): it
    is the course of the concept before ("Hypokalemia\nresolved - hypomagnesemia
    persists": review35 R10)."""
    if item.phrase.kind not in _COURSE_KINDS:
        return False
    # The comma or dash parts the phrase from the concept, not a concept after the phrase
    # from the next of its list ("Hypertension\nresolved: hypokalemia, hypomagnesemia").
    parted = False
    for at in range(item.end, start):
        if any(s <= at < e for s, e in others):
            return False
        if tokens[at] in (",", "-"):
            parted = True
            break
    if not parted:
        return False
    line = item.start - 1
    while line >= 0 and tokens[line] != LINE:
        if tokens[line] not in MARKS:
            return False
        line -= 1
    return line > 0 and any(e <= line for _, e in others)


def _opens_line(tokens: Sequence[str], line: int, start: int) -> bool:
    """Whether only marks stand between the line break at ``line`` and ``start``."""
    return all(tokens[at] in MARKS for at in range(line + 1, start))


# Marks that end the phrase's clause before what follows on its line.
_CLAUSE_MARKS = frozenset({";", "."})
# A comma or a dash also ends the clause of a phrase that states a course ("Hypokalemia\n
# resolved, CKD stage 3 ongoing", "Lasix 40 mg\nstopped - KCl continued": review35 R10),
# not of one that names whose or what it is ("Hypokalemia\nmother - diabetes").
_COURSE_CLAUSE_MARKS = frozenset({";", ".", ",", "-"})
_COURSE_KINDS = frozenset({"resolved", "historical", "stopped"})
_REASON_LINKS = frozenset({"after", "with", "since", "following", "post"})


def _governs_next(
    tokens: Sequence[str],
    position: int,
    others: Sequence[tuple[int, int]],
    kind: str,
    found: Sequence[_Found] = (),
) -> bool:
    """Whether another concept comes right after ``position``, with only marks other than
    a clause end between them, and the phrase does not end in a word that names its reason
    ("resolved after bariatric surgery"). After a relative, a past may stand between too
    ("Hypokalemia\nmother - h/o ALS": the mother's ALS, the patient's hypokalemia; fam55)."""
    if position > 0 and tokens[position - 1] in _REASON_LINKS:
        return False
    ends = _COURSE_CLAUSE_MARKS if kind in _COURSE_KINDS else _CLAUSE_MARKS
    # A section label's last words may stand between ("Resolved problems: hypokalemia").
    label = _label_end(tokens, position, others)
    pasts = {
        other.start: other.end
        for other in found
        if kind == FAMILY_HISTORY
        and other.phrase.kind in _PAST_KINDS
        and other.phrase.direction != "backward"
    }
    at = label
    while at < len(tokens):
        if tokens[at] == LINE or tokens[at] in ends:
            return False
        if at in pasts:
            at = pasts[at]
            continue
        if tokens[at] not in MARKS:
            return any(s <= at < e for s, e in others)
        at += 1
    return False


# The words a section label may have after a course word ("Resolved problems:", "History
# of medical problems:"): no more than these.
_LABEL_WORDS = 2


def _label_end(tokens: Sequence[str], position: int, others: Sequence[tuple[int, int]]) -> int:
    """After the words of a label and its colon at ``position`` (not a concept's), where
    what it labels starts; ``position`` when there is no such label."""
    for words, at in enumerate(range(position, len(tokens))):
        token = tokens[at]
        if token == ":":
            return at + 1 if words else position
        if (
            token in MARKS
            or token == DATE
            or token[0].isdigit()
            or words == _LABEL_WORDS
            or any(s <= at < e for s, e in others)
        ):
            return position
    return position


# Words that join the subjects of one phrase ("FHx: mother and father\ndiabetes").
_JOINING = frozenset({"and", "or", "&"})


def _own_object(tokens: Sequence[str], at: int, found: Sequence[_Found]) -> bool:
    """Whether the token at ``at`` is a word, not a date, a number, a joining word or part
    of a qualifier phrase."""
    token = tokens[at]
    return (
        token not in MARKS
        and token != DATE
        and not token[0].isdigit()
        and token not in _JOINING
        and not any(other.start <= at < other.end for other in found)
    )


def _names_until_line(
    tokens: Sequence[str],
    positions: range,
    item: _Found,
    others: Sequence[tuple[int, int]],
) -> bool:
    """Whether another concept or a section heading comes at ``positions`` before a line
    break."""
    for at in positions:
        if tokens[at] == LINE and not _wrapped(tokens, at):
            return False
        if _names_something(tokens, at, item, others):
            return True
    return False


# A line break after these, or before a conjunction, continues the clause: "Denies chest
# pain, palpitations,\nor hypothyroidism", "Diabetes mellitus -\nresolved" (review32 R1).
_WRAP_BEFORE = frozenset({",", "-", "and", "or", "nor", "with"})
_WRAP_AFTER = frozenset({"and", "or", "nor"})


def _wrapped(tokens: Sequence[str], at: int) -> bool:
    """Whether the line break at ``at`` only wraps a clause onto the next line."""
    return (at > 0 and tokens[at - 1] in _WRAP_BEFORE) or (
        at + 1 < len(tokens) and tokens[at + 1] in _WRAP_AFTER
    )


def _names_something(
    tokens: Sequence[str], at: int, item: _Found, others: Sequence[tuple[int, int]]
) -> bool:
    """Whether the token at ``at`` is part of another found concept, or a heading word
    (a word, not a date or a number, followed by a colon) outside the phrase."""
    if any(s <= at < e for s, e in others):
        return True
    token = tokens[at]
    return (
        not item.start <= at < item.end
        and at + 1 < len(tokens)
        and tokens[at + 1] == ":"
        and token not in MARKS
        and token != DATE
        and not token[0].isdigit()
    )


def _terminator_ends_at(at: int, ends_all: Sequence[_Words | None]) -> bool:
    for begin in range(max(0, at - _LONGEST_TERMINATOR + 1), at + 1):
        words = ends_all[begin]
        if words is not None and begin + len(words) == at + 1:
            return True
    return False


# No terminator has more words (a longer one is still found where it starts).
_LONGEST_TERMINATOR = 4


def _said_later(
    tokens: Sequence[str],
    position: int,
    ends_all: Sequence[_Words | None],
    phrases: Sequence[_Words],
) -> bool:
    """Whether one of ``phrases`` starts after ``position`` before the clause ends at a
    comma or a terminator (``QualifierRule.unless_followed_by``: a phrase may start with
    that comma, the next answer of a field: ", recurrent")."""
    for at in range(position, len(tokens)):
        if any(_starts_at(tokens, at, words) for words in phrases):
            return True
        if tokens[at] == "," or ends_all[at] is not None:
            return False
    return False


def _said_next(
    tokens: Sequence[str], position: int, phrases: Sequence[_Words], dose: bool = False
) -> bool:
    """Whether one of ``phrases`` starts at ``position``, or after a strength there (a
    number and the word after it: "Prior Lasix 40 mg dose reduced")
    (``QualifierRule.unless_right_after``); with ``dose``, only with a dose right after the
    phrase ("previously on 20 mg, now 40 mg", not "was on, currently none":
    ``QualifierRule.unless_right_after_with_a_dose``)."""
    if position < len(tokens) and tokens[position][:1].isdigit():
        position += 1
        if (
            position < len(tokens)
            and tokens[position] not in MARKS
            and not any(_starts_at(tokens, position, words) for words in phrases)
        ):
            position += 1
    return any(
        _starts_at(tokens, position, words)
        and (not dose or _dose_at(tokens, position + len(words)))
        for words in phrases
    )


# The units a dose is written in ("20 mg", "20mg", "1 tab"), not a duration ("2 years").
_DOSE = re.compile(
    r"[0-9]+(?:[.,][0-9]+)?(?:mg|mcg|g|gm|units?|iu|meq|mmol|ml|tabs?|tablets?|caps?|puffs?)?"
)
_DOSE_UNITS = frozenset(
    [
        "mg",
        "mcg",
        "g",
        "gm",
        "unit",
        "units",
        "iu",
        "meq",
        "mmol",
        "ml",
        "tab",
        "tabs",
        "tablet",
        "tablets",
        "cap",
        "caps",
        "capsule",
        "capsules",
        "puff",
        "puffs",
    ]
)


def _dose_at(tokens: Sequence[str], position: int, bare: bool = True) -> bool:
    """Whether a dose starts at ``position``: a number with its unit, glued or next
    ("20 mg", "20mg"), or with ``bare`` a number alone ("increased to 80")."""
    if position >= len(tokens) or _DOSE.fullmatch(tokens[position]) is None:
        return False
    if not tokens[position][-1].isdigit():
        return True
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    if following in _DOSE_UNITS:
        return True
    return bare and (following is None or following in MARKS)


def _between_doses(tokens: Sequence[str], end: int, item: _Found) -> bool:
    """Whether the phrase comes after the concept (ending at ``end``) with a number between
    them and a dose right after it (``QualifierRule.not_between_doses``): not a duration
    ("HCTZ 25 mg, was on 2 years")."""
    return (
        item.start >= end
        and _dose_at(tokens, item.end, bare=False)
        and any(tokens[at][:1].isdigit() for at in range(end, item.start))
    )


def _trigger(tokens: Sequence[str], common: frozenset[str]) -> str:
    """The word a text must have for a phrase to match: its first word that is not a
    common one ("do not take with" -> "do", "for malaria" -> "malaria"), else its longest
    ("on hold" -> "hold"), else its mark ("?")."""
    words = [t for t in tokens if t not in MARKS] or list(tokens)
    return next((w for w in words if w not in common), max(words, key=len))


@dataclass(frozen=True, slots=True)
class QualifierIndex:
    """The qualifier rules compiled once, per list kind."""

    conditions: _ListRules
    medications: _ListRules
    # A medication text ending with a stop status (``Qualifiers.medication_stopped_at_end``).
    stopped_at_end: re.Pattern[str] | None = None
    # A condition text ending with a negation mark: group "head" is the text before it
    # (``Qualifiers.condition_negated_after``).
    negated_after: re.Pattern[str] | None = None
    # The last pieces those phrases can end a text with ("stopped", ")", a digit): a text
    # ending otherwise is not searched (most texts; the patterns scan the whole text).
    stopped_ends: tuple[str, ...] = ()
    negated_ends: tuple[str, ...] = ()
    # The negation mark alone at the end: searched before ``negated_after``, whose two lazy
    # groups take time quadratic in the text's length when it does not match (a text ending
    # with a bracket: "McArdle disease (glycogen storage disease type V)").
    negated_end: re.Pattern[str] | None = None

    def medication_stopped_at_end(self, text: str) -> bool:
        """The text's last clause says the drug is not taken ("; Status: Stopped")."""
        return (
            self.stopped_at_end is not None
            and _may_end_with(text, self.stopped_ends)
            and bool(self.stopped_at_end.search(_brackets(text)))
        )

    def condition_before_negation(self, text: str) -> str | None:
        """The text before a closing negation mark ("hypokalemia (-)" -> "hypokalemia")."""
        if self.negated_after is None or not _may_end_with(text, self.negated_ends):
            return None
        text = _brackets(text)
        if self.negated_end is not None and self.negated_end.search(text) is None:
            return None
        found = self.negated_after.match(text)
        return found.group("head").strip() if found else None

    @classmethod
    def compile(
        cls,
        qualifiers: Qualifiers,
        common: frozenset[str] = frozenset(),
        lasting: frozenset[str] = frozenset(),
    ) -> QualifierIndex:
        """``common``: words most medication texts have ("with", "take", "for"), which
        should not alone send a text to the scan. ``lasting``: the condition ids that are
        not ``acute`` (``_ListRules.lasting``)."""

        def rules_for(kind: ListKind) -> _ListRules:
            phrases: dict[str, list[_Phrase]] = {}
            words: set[str] = set()
            for order, rule in enumerate(qualifiers.rule):
                if kind not in rule.applies_to:
                    continue
                own = frozenset(
                    w for text in rule.terminated_by if (w := tuple(clause_tokens(text)))
                )
                for text in rule.phrases:
                    tokens = tuple(dated_clause_tokens(text))
                    if not tokens:
                        continue
                    phrase = _Phrase(
                        tokens,
                        rule.kind,
                        rule.direction,
                        rule.scope,
                        order,
                        own,
                        rule.needs_a_later_concept,
                        rule.ends_clause,
                        rule.names_the_concept,
                        rule.starts_clause,
                        frozenset(rule.after_heading_words),
                        tuple(
                            w for text in rule.unless_followed_by if (w := tuple(_rule_words(text)))
                        ),
                        frozenset(rule.only_for),
                        tuple(
                            w
                            for text in rule.unless_right_after
                            if (w := tuple(dated_clause_tokens(text)))
                        ),
                        rule.not_between_doses,
                        frozenset(
                            w
                            for text in rule.terminated_mid_clause_by
                            if (w := tuple(clause_tokens(text)))
                        ),
                        frozenset(rule.unless_right_before),
                        frozenset(rule.not_for),
                        tuple(
                            w
                            for text in rule.unless_right_after_with_a_dose
                            if (w := tuple(clause_tokens(text)))
                        ),
                        rule.after_a_stop,
                        rule.not_before_a_concept,
                        frozenset(w for text in rule.not_before for w in _rule_words(text)),
                        rule.ends_entry,
                        rule.not_before_a_number,
                        rule.not_after_a_concept,
                        frozenset(
                            w
                            for text in rule.only_for_terms
                            if (w := tuple(t for t in clause_tokens(text) if t not in MARKS))
                        ),
                        rule.unless_followed_by_only_after,
                        rule.not_across_a_concept,
                        rule.over_its_own_start,
                        rule.dated,
                        rule.concept_ends_entry,
                    )
                    phrases.setdefault(tokens[0], []).append(phrase)
                    if rule.kind != PSEUDO:  # alone it qualifies nothing: no scan needed
                        words.add(_trigger(tokens, common))
            terminators = list(qualifiers.terminators)
            if kind == "medications":
                terminators += qualifiers.medication_terminators
            return _ListRules(
                {first: tuple(found) for first, found in phrases.items()},
                _by_first([w for text in terminators if (w := tuple(clause_tokens(text)))]),
                frozenset(words),
                last_wins=kind == "medications",
                stops_at_an_order=kind == "medications",
                separator_denial_ends_at_comma=kind == "conditions",
                start_terminators=frozenset(
                    w
                    for text in qualifiers.medication_terminators
                    if kind == "medications" and (w := tuple(clause_tokens(text)))
                ),
                subject_words=frozenset(
                    t for text in qualifiers.mark_subject_words for t in clause_tokens(text)
                ),
                lasting=lasting if kind == "conditions" else frozenset(),
                complications={
                    cid: frozenset(w for text in texts for w in clause_tokens(text))
                    for cid, texts in qualifiers.complications_denied_together.items()
                }
                if kind == "conditions"
                else {},
            )

        stopped = _ending(qualifiers.medication_stopped_at_end)
        negated = _ending(qualifiers.condition_negated_after)
        return cls(
            rules_for("conditions"),
            rules_for("medications"),
            re.compile(stopped, re.IGNORECASE) if stopped else None,
            re.compile(rf"(?P<head>.*?\w.*?)\s*{negated}", re.IGNORECASE | re.DOTALL)
            if negated
            else None,
            _last_pieces(qualifiers.medication_stopped_at_end),
            _last_pieces(qualifiers.condition_negated_after),
            re.compile(negated, re.IGNORECASE | re.DOTALL) if negated else None,
        )


_DATE = r"\d{1,2}/(?:\d{1,2}/)?(?:\d{4}|\d{2})"


def _last_pieces(phrases: Sequence[str]) -> tuple[str, ...]:
    """Each phrase's last word or mark, lower case (a date's: any digit)."""
    ends: set[str] = set()
    for phrase in phrases:
        last = re.findall(r"\{date\}|\w+|[^\w\s]", phrase)[-1]
        ends.update("0123456789" if last == "{date}" else [last.lower()])
    return tuple(sorted(ends))


def _may_end_with(text: str, ends: tuple[str, ...]) -> bool:
    """Whether the text, without trailing spaces and full stops (which ``_ending`` allows),
    ends with one of ``ends`` (a bracket may be either kind)."""
    tail = _brackets(text).rstrip(" \t\r\n.").lower()
    return tail.endswith(ends)


def _brackets(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def _phrase_pattern(phrase: str) -> str:
    """A phrase as a pattern: any spacing around marks, one or more spaces between words,
    ``{date}`` a date."""
    pieces = re.findall(r"\{date\}|\w+|[^\w\s]", phrase)
    pattern = r"\b" if pieces and pieces[0][0].isalnum() else ""
    for before, piece in zip([None, *pieces], pieces, strict=False):
        if before is not None:
            words = before[-1].isalnum() and (piece[0].isalnum() or piece == "{date}")
            pattern += r"\s+" if words or (before == "{date}" and piece[0].isalnum()) else r"\s*"
        pattern += _DATE if piece == "{date}" else re.escape(piece)
    return pattern


def _ending(phrases: Sequence[str]) -> str:
    """One pattern for any of the phrases at the end of a text (a full stop may follow)."""
    if not phrases:
        return ""
    return "(?:" + "|".join(_phrase_pattern(p) for p in phrases) + r")[\s.]*\Z"
