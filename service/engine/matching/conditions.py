"""Conditions: ICD-10-CM (by prefix) and SNOMED CT codes, then the words of the text with
its qualifiers (negated, a relative's, ...), then fuzzy."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.engine._systems import system_of
from service.engine.matches import CURED_BY_OPERATION, ConditionMatch
from service.engine.matching.drugs import dedupe, match_medication, texts_of
from service.engine.matching.fuzzy import (
    MIN_FUZZY_LEN,
    concepts_near,
    fuzzy_one,
    one_word_misspelled,
    suggest,
)
from service.engine.matching.memo import UNKNOWN_WORD, remember
from service.engine.models import Coding, ConditionInput, MedicationInput
from service.engine.prepared import Knowledge
from service.engine.status_codes import (
    CONDITION_CLINICAL,
    CONDITION_CLINICAL_STATUSES,
    CONDITION_VERIFICATION,
    CONDITION_VERIFICATION_STATUSES,
    IN_ERROR,
    REFUTED,
    read_status,
    reason_kind,
    reason_of,
)
from service.knowledge.base import KnowledgeBase
from service.knowledge.text import MARKS, clause_tokens, fold, tokens


def match_condition(item: ConditionInput, knowledge: Knowledge) -> ConditionMatch:
    """The conditions an item names, and those its text or its ``clinical_status`` /
    ``verification_status`` say are not current (absent, resolved, not established...)."""
    match = _match_condition(item, knowledge)
    if not match.condition_ids or (
        item.clinical_status is None and item.verification_status is None
    ):
        return match
    kind = status_exclusion(item)
    if kind is None:
        return match
    return ConditionMatch(
        (),
        (*match.excluded, *((cid, kind) for cid in match.condition_ids)),
        match.suggestions,
        match.reason,
        match.how,
        match.read_as,
    )


def status_exclusion(item: ConditionInput) -> str | None:
    """The exclusion kind the statuses give (``status_codes.reason_kind``), or None when
    they leave the condition current. An entry in error or refuted first, then one not
    current, then one not established."""
    verification = read_status(item.verification_status, CONDITION_VERIFICATION).code or ""
    clinical = read_status(item.clinical_status, CONDITION_CLINICAL).code or ""
    said = CONDITION_VERIFICATION_STATUSES.get(verification)
    if said in (IN_ERROR, REFUTED):
        return reason_kind(said, verification)
    not_current = CONDITION_CLINICAL_STATUSES.get(clinical)
    if not_current is not None:
        return reason_kind(not_current, clinical)
    return reason_kind(said, verification) if said is not None else None


def _match_condition(item: ConditionInput, knowledge: Knowledge) -> ConditionMatch:
    kb = knowledge.kb
    coded = _conditions_from_codes(item.coding, kb)
    if coded:
        return _coded(coded, item.text, knowledge)
    texts = texts_of(item.text, item.coding)
    for number, text in enumerate(texts):
        match = _negated_after(text, knowledge) or _conditions_from_text(text, knowledge)
        if match.condition_ids or match.excluded:
            if match.how != "spelling" and (number > 0 or item.text is None):
                return match.read("display")
            return match
    ambiguous = _ambiguous_abbreviation(texts, knowledge)
    if ambiguous is not None:
        return ambiguous
    allergy = _drug_allergy(texts, knowledge)
    if allergy is not None:
        return allergy
    unknown_codes = [f"{c.system} {c.code}" for c in item.coding or () if c.code]
    if not texts:
        return ConditionMatch((), (), (), f"code not known: {', '.join(unknown_codes)}")
    words = [w for text in texts for w in tokens(text)]
    queries = [" ".join(words), *(w for w in words if w not in kb.condition_vocabulary)]
    suggestions = suggest(
        queries,
        kb.fuzzy_condition_terms,
        lambda k: _names(kb, kb.condition_terms[k]),
        typos_only=True,
    )
    return ConditionMatch((), (), suggestions, "condition not known")


NEGATED = "negated"
HISTORICAL = "historical"


def _ambiguous_abbreviation(texts: Sequence[str], knowledge: Knowledge) -> ConditionMatch | None:
    """A text that names no known condition but an abbreviation with several meanings
    (``Qualifiers.ambiguous_condition_abbreviations``: "MS"), and no other unknown word of
    some length: unread, saying why; stated absent, a relative's or not established ("MS
    ruled out by MRI"), read as not current with no concept (``how`` set, no ids: status
    recognized), whatever it means. None when there is no such abbreviation."""
    kb = knowledge.kb
    meanings_of = kb.qualifiers.ambiguous_condition_abbreviations
    if not meanings_of:
        return None
    for text in texts:
        parsed = _Text(text)
        at = next((p for p, w in enumerate(parsed.words) if w in meanings_of), None)
        if at is None:
            continue
        if any(
            p != at
            and w not in kb.condition_vocabulary
            and len(w) >= MIN_UNKNOWN_WORD
            and w.isalpha()
            for p, w in enumerate(parsed.words)
        ):
            return None  # it names something else the service does not know
        word = parsed.words[at]
        templates = kb.texts.templates
        unread = templates["ambiguous_abbreviation"].format(
            abbreviation=word.upper(), meanings=meanings_of[word]
        )
        kind = knowledge.qualifiers.conditions.qualify(parsed.tokens, [parsed.span(at, 1)])[0]
        if kind is None or kind == HISTORICAL:
            return ConditionMatch((), (), (), unread)
        reason = templates["ambiguous_abbreviation_absent"].format(
            reason=reason_of(templates, kind), abbreviation=word.upper(), meanings=meanings_of[word]
        )
        return ConditionMatch((), (), (), reason, how="name")
    return None


# The condition a drug allergy or intolerance written on the problem list is read as.
ALLERGY_STATUS = "allergy_status"
ALLERGY = "allergy"


def _drug_allergy(texts: Sequence[str], knowledge: Knowledge) -> ConditionMatch | None:
    """A text that names no condition but a drug as an allergy or intolerance, read as the
    medication list reads it ("allergy to hydrochlorothiazide", "lisinopril allergy",
    "intolerant to atorvastatin"): the allergy status, recognized, not a contributor (as
    "sulfa allergy"; rv56s D9). None when the text names a drug taken, or none."""
    if ALLERGY_STATUS not in knowledge.kb.conditions:
        return None
    for text in texts:
        if knowledge.allergy_words.isdisjoint(tokens(text)):
            continue
        drugs = match_medication(MedicationInput(text=text), knowledge)
        if not drugs.hits and drugs.excluded and all(kind == ALLERGY for _, kind in drugs.excluded):
            return ConditionMatch((ALLERGY_STATUS,), how="name")
    return None


def _negated_after(text: str, knowledge: Knowledge) -> ConditionMatch | None:
    """A condition's name and at once a negation mark ("hypokalemia (-)", "hypokalemia:
    denied"): absent. Only when the words before the mark are that name and nothing else
    ("Cirrhosis - varices (-)" is cirrhosis, current)."""
    head = knowledge.qualifiers.condition_before_negation(text)
    if head is None:
        return None
    words = _Text(head).words
    ids = knowledge.kb.condition_terms.get(" ".join(words)) if words else None
    if not ids:
        return None
    return ConditionMatch((), tuple((cid, NEGATED) for cid in ids), how="name")


# What a coded condition's own text may say of that very condition that outranks the
# code: it is absent or ruled out, or a relative's ("Type 2 diabetes - ruled out" with
# E11.9, "family history of hypokalemia" with E87.6). Not a possible or past one: a coded
# row keeps its code then ("Hyponatremia - presumed SIADH" with E87.1). Read strictly: a
# phrase after the condition counts only where it ends its clause ("Diabetes type 2 - FH
# of DM", "hypokalemia - mother also", "type 2 diabetes, ruled out gestational" keep
# the code).
TEXT_OUTRANKS_CODE = frozenset({NEGATED, "family_history"})


def _coded(coded: tuple[str, ...], text: str | None, knowledge: Knowledge) -> ConditionMatch:
    """The coded conditions, less those the item's text names only as absent or a
    relative's; a text naming other concepts, or this one also as current, changes
    nothing ("T2DM - no retinopathy", "hypokalemia, family history of hypokalemia")."""
    if not text or text.isspace():
        return ConditionMatch(coded, how="code")
    read = _negated_after(text, knowledge)
    if read is None:
        if knowledge.qualifiers.conditions.words.isdisjoint(clause_tokens(text)):
            return ConditionMatch(coded, how="code")  # most texts: no qualifier word
        read = _conditions_from_words(_Text(text), knowledge, strict=True)[0]
    if not read.excluded:
        return ConditionMatch(coded, how="code")
    said = {
        cid: kind
        for cid, kind in read.excluded
        if kind in TEXT_OUTRANKS_CODE and cid in coded and cid not in read.condition_ids
    }
    if not said:
        return ConditionMatch(coded, how="code")
    return ConditionMatch(
        tuple(cid for cid in coded if cid not in said), tuple(said.items()), how="code"
    )


def icd_prefixes(code: str) -> list[str]:
    """``E11.649`` -> ``E11649, E1164, E116, E11`` (most specific first)."""
    compact = code.strip().upper().replace(".", "")
    return [compact[:size] for size in range(len(compact), 2, -1)]


def _conditions_from_codes(coding: Sequence[Coding] | None, kb: KnowledgeBase) -> tuple[str, ...]:
    found: list[str] = []
    for c in coding or ():
        if not c.code:
            continue
        system = system_of(c.system)
        if system == "icd10cm":
            candidates: list[str] = []
            excluded: set[str] = set()
            for prefix in icd_prefixes(c.code):
                ids = kb.conditions_by_icd_prefix.get(prefix)
                if ids:
                    candidates.extend(ids)
                exclusions = kb.icd_exclusions.get(prefix)
                if exclusions:
                    excluded.update(exclusions)
            found.extend(cid for cid in candidates if cid not in excluded)
        elif system == "snomed":
            found.extend(kb.conditions_by_snomed.get(c.code.strip(), ()))
    return dedupe(found)


class _Text:
    """A condition text as clause tokens, and its words (marks left out) with where each
    word stands among the tokens."""

    __slots__ = ("at", "pregnant_at", "tokens", "words")

    def __init__(self, text: str) -> None:
        self.tokens = clause_tokens(text)
        if "+" in text:
            self.tokens = _with_closing_plus(text, self.tokens)
        self.at = [i for i, token in enumerate(self.tokens) if token not in MARKS]
        self.words = [self.tokens[i] for i in self.at]
        # First word -> words, of a gravida/para notation with a current gestational age
        # ("G2P1 at 30 weeks": a pregnancy; ``_with_obstetric_notation``).
        self.pregnant_at: dict[int, int] = {}

    def span(self, first_word: int, size: int) -> tuple[int, int]:
        return self.at[first_word], self.at[first_word + size - 1] + 1


# A "+" that ends a clause after a word ("Diabetes: no retinopathy, neuropathy +"): the
# finding said present; kept as the mark "+" (fix57g).
_CLOSING_PLUS = re.compile(r"(?<=[a-z0-9)])\s*\+(?=\s*(?:[;,.|\n]|$))")


def _with_closing_plus(text: str, tokens: list[str]) -> list[str]:
    """``tokens`` of ``text``, with each "+" that ends a clause after a word as a token."""
    parts = _CLOSING_PLUS.split(fold(text))
    if len(parts) == 1:
        return tokens
    found: list[str] = []
    for number, part in enumerate(parts):
        if number:
            found.append("+")
        found.extend(clause_tokens(part))
    return found


# Stands in a memo key for the notation of a gravida/para notation read with its age.
_GRAVIDA_PARA = "<gravida para>"


def _with_obstetric_notation(parsed: _Text, knowledge: Knowledge) -> None:
    """Marks in ``parsed`` the gravida/para notations with a current gestational age ("G2P1
    at 30 weeks", "G3P2 currently 28 wks"): each reads as a pregnancy (read56)."""
    word_of = {token_at: number for number, token_at in enumerate(parsed.at)}
    for start, end in knowledge.obstetric.spans(parsed.tokens):
        first = word_of[start]
        parsed.pregnant_at[first] = word_of[end - 1] + 1 - first


def _conditions_from_text(text: str, knowledge: Knowledge) -> ConditionMatch:
    parsed = _Text(text)
    _with_obstetric_notation(parsed, knowledge)
    vocabulary = knowledge.kb.condition_vocabulary
    all_known = vocabulary.issuperset(parsed.words)
    # An unknown word is never part of a term or of a qualifier phrase: only its position
    # counts, so it stands as "?" in the key, unless the fuzzy fallback has to read it.
    key = (
        tuple(parsed.tokens)
        if all_known
        else tuple(t if t in vocabulary or t in MARKS else UNKNOWN_WORD for t in parsed.tokens)
    )
    if parsed.pregnant_at:
        notations = {parsed.at[first] for first in parsed.pregnant_at}
        key = tuple(_GRAVIDA_PARA if at in notations else t for at, t in enumerate(key))
    # An abbreviation with several meanings is not a misspelling of another term ("history
    # of MS" is not "history of MI").
    spell = knowledge.kb.qualifiers.ambiguous_condition_abbreviations.keys().isdisjoint(
        parsed.words
    )
    if not all_known and spell:
        # Before the memo: what it finds depends on the unknown word itself, which a memo
        # key never holds.
        spelled = _misspelled_term_around_known(parsed, knowledge)
        if spelled is not None:
            return spelled
    memo = knowledge.condition_phrases
    found = memo.get(key)
    if found is not None:
        return found
    match, unmatched = _conditions_from_words(parsed, knowledge)
    if not match.condition_ids and not match.excluded and spell:
        match = _conditions_from_misspellings(parsed, unmatched, knowledge)
        if not all_known:
            return match
    remember(memo, key, match)
    return match


def _qualified(
    parsed: _Text,
    hits: list[tuple[tuple[str, ...], tuple[int, int]]],
    knowledge: Knowledge,
    read_as: tuple[str, ...] = (),
    strict: bool = False,
) -> ConditionMatch:
    """Split the concepts found at their token spans into current and qualified ones.

    "history of" makes only an episode that ends (an ``acute`` condition) not current; a
    concept named for what it lacks is dropped when that is current too (``not_with``)."""
    conditions = knowledge.kb.conditions
    kinds = knowledge.qualifiers.conditions.qualify(
        parsed.tokens, [span for _, span in hits], strict, [ids for ids, _ in hits]
    )
    found: list[str] = []
    excluded: list[tuple[str, str]] = []
    for (ids, _), kind in zip(hits, kinds, strict=True):
        for cid in ids:
            if kind is None or (kind == HISTORICAL and not conditions[cid].acute):
                found.append(cid)
            else:
                excluded.append((cid, kind))
    if found:
        current = set(found)
        found = [cid for cid in found if not any(o in current for o in conditions[cid].not_with)]
        cured = [cid for cid in found if not current.isdisjoint(conditions[cid].cured_by)]
        if cured and knowledge.not_cured_words.isdisjoint(parsed.words):
            found = [cid for cid in found if cid not in cured]
            excluded += [(cid, CURED_BY_OPERATION) for cid in cured]
    return ConditionMatch(
        dedupe(found),
        tuple(dict.fromkeys(excluded)),
        how="spelling" if read_as else "name",
        read_as=read_as,
    )


def _conditions_from_words(
    parsed: _Text, knowledge: Knowledge, strict: bool = False
) -> tuple[ConditionMatch, list[tuple[int, str]]]:
    """Terms named in the words (longest first), and the words no term covers."""
    hits, unmatched = _terms_in(parsed, 0, len(parsed.words), knowledge)
    return _qualified(parsed, hits, knowledge, strict=strict), unmatched


# The most words a term read around a misspelled word may have.
MAX_SPELLED_TERM_WORDS = 3


def _misspelled_term_around_known(parsed: _Text, knowledge: Knowledge) -> ConditionMatch | None:
    """A known term of several words with one word misspelled, around words that name a
    shorter term on their own: "autonomc neuropathy" is autonomic neuropathy (not a
    contributor), not the "neuropathy" it contains, and "periferal neuropathy" is read as
    peripheral neuropathy by its spelling, so the correction is shown. Only an unknown word
    of some length with known words beside it is tried (the rest of the term must be
    spelled right), and only a term the fuzzy reading leaves no doubt about
    (``fuzzy_one``). None when there is no such term."""
    kb = knowledge.kb
    vocabulary = kb.condition_vocabulary
    words = parsed.words
    n = len(words)
    unknown = [
        p
        for p, word in enumerate(words)
        if word not in vocabulary and len(word) >= MIN_UNKNOWN_WORD and word.isalpha()
    ]
    # One unknown word, long enough to be read as a misspelling (a short one is too often
    # another word: "pregnancy less than 36 weeks" is not a pregnancy loss); with two, the
    # text names something the service does not know ("neuropathic arthropathy").
    if len(unknown) != 1 or len(words[unknown[0]]) < MIN_FUZZY_LEN:
        return None
    found = _spelled_window(words, unknown[0], n, knowledge)
    if found is None:
        return None
    first, size, term = found
    spelled = kb.condition_terms[term]
    hits = _terms_in(parsed, 0, first, knowledge)[0]
    hits.append((spelled, parsed.span(first, size)))
    hits += _terms_in(parsed, first + size, n, knowledge)[0]
    return _qualified(parsed, hits, knowledge, (_names(kb, spelled),))


def _terms_in(
    parsed: _Text, begin: int, end: int, knowledge: Knowledge
) -> tuple[list[tuple[tuple[str, ...], tuple[int, int]]], list[tuple[int, str]]]:
    """Terms named in the words from ``begin`` to ``end`` (longest first), and the words
    no term covers."""
    kb = knowledge.kb
    words = parsed.words
    hits: list[tuple[tuple[str, ...], tuple[int, int]]] = []
    unmatched: list[tuple[int, str]] = []
    i = begin
    while i < end:
        size = parsed.pregnant_at.get(i, 0)
        if size and i + size <= end:
            hits.append((knowledge.obstetric.condition, parsed.span(i, size)))
            i += size
            continue
        longest = kb.condition_words_from.get(words[i], 1)
        for size in range(min(longest, end - i), 0, -1):
            term = words[i] if size == 1 else " ".join(words[i : i + size])
            ids = kb.condition_terms.get(term)
            if (
                ids is not None
                and term in kb.condition_terms_unless
                and _said_unless(words, *kb.condition_terms_unless[term])
            ):
                continue  # "Myotonic dystrophy; DM2 on metformin": DM2 is the diabetes
            if ids is not None and term in kb.condition_terms_unbroken:
                first, last = parsed.span(i, size)
                if any(token in MARKS for token in parsed.tokens[first:last]):
                    continue  # "Tetanus, status post tracheostomy" is tetanus
            if ids is not None:
                hits.append((ids, parsed.span(i, size)))
                i += size
                break
        else:
            unmatched.append((i, words[i]))
            i += 1
    return hits, unmatched


def _said_unless(
    words: Sequence[str],
    said: tuple[tuple[str, ...], ...],
    not_in: tuple[tuple[str, ...], ...],
) -> bool:
    """Whether one of ``said`` is in ``words`` outside every phrase of ``not_in``."""
    if not_in:
        covered = [False] * len(words)
        for phrase in not_in:
            size = len(phrase)
            for at in range(len(words) - size + 1):
                if tuple(words[at : at + size]) == phrase:
                    covered[at : at + size] = [True] * size
        words = [word if not covered[at] else "" for at, word in enumerate(words)]
    return any(_said(words, phrase) for phrase in said)


def _said(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[at : at + size]) == phrase for at in range(len(words) - size + 1))


def _spelled_window(
    words: list[str], p: int, n: int, knowledge: Knowledge
) -> tuple[int, int, str] | None:
    """The longest run of words around the unknown word at ``p`` (the others known) that is
    a known term with that word misspelled: (first word, words, term)."""
    kb = knowledge.kb
    vocabulary = kb.condition_vocabulary
    for size in range(min(MAX_SPELLED_TERM_WORDS, n), 1, -1):
        for start in range(max(0, p - size + 1), min(p, n - size) + 1):
            window = words[start : start + size]
            if any(w not in vocabulary for j, w in enumerate(window) if start + j != p):
                continue
            phrase = " ".join(window)
            near = fuzzy_one(phrase, kb.near_condition_terms, kb.condition_terms.__getitem__)
            if near is not None and one_word_misspelled(window, near.split()):
                if _another_term_near(phrase, window, near, kb):
                    return None
                return start, size, near
    return None


def _another_term_near(phrase: str, window: list[str], near: str, kb: KnowledgeBase) -> bool:
    """Whether the words, with the same word misspelled, may also be a term of another
    condition within the edits allowed, if further than ``near``: "diabetic nefropathy" is
    one edit from diabetic neuropathy (peripheral neuropathy) and two from diabetic
    nephropathy (diabetes), so it is not corrected at all (its known word "diabetic" is
    read instead), while "periferal neuropathy" has no other term near."""
    near_ones = concepts_near(
        phrase,
        kb.near_condition_terms,
        kb.condition_terms.__getitem__,
        lambda other: one_word_misspelled(window, other.split()),
    )
    return near_ones != {kb.condition_terms[near]}


def _conditions_from_misspellings(
    parsed: _Text, unmatched: list[tuple[int, str]], knowledge: Knowledge
) -> ConditionMatch:
    """Misspelled terms, read only where the text leaves no doubt: first the whole text as
    one known term of as many words with a single word misspelled ("spinal stenossis");
    else each misspelled word on its own, unless another word of some length is unknown
    too: then the text names something the service does not know, and a word of it that
    looks like a known term is no evidence of that term ("myasthenia gravis" is not
    "gravid")."""
    kb = knowledge.kb
    words = parsed.words
    if len(words) > 1:
        phrase = " ".join(words)
        near = fuzzy_one(phrase, kb.near_condition_terms, kb.condition_terms.__getitem__)
        if near is not None and one_word_misspelled(words, near.split()):
            ids = kb.condition_terms[near]
            return _qualified(
                parsed, [(ids, parsed.span(0, len(words)))], knowledge, (_names(kb, ids),)
            )
    hits: list[tuple[tuple[str, ...], tuple[int, int]]] = []
    read_as: list[str] = []
    for position, word in unmatched:
        near = fuzzy_one(word, kb.near_condition_terms, kb.condition_terms.__getitem__)
        if near is not None:
            ids = kb.condition_terms[near]
            hits.append((ids, parsed.span(position, 1)))
            read_as.append(_names(kb, ids))
        elif len(word) >= MIN_UNKNOWN_WORD and word.isalpha():
            return ConditionMatch(())
    return _qualified(parsed, hits, knowledge, tuple(read_as))


# An unknown word this long is a word of a name the service does not know (shorter ones
# are mostly abbreviations and fillers: "pt", "w/", "hx").
MIN_UNKNOWN_WORD = 4


def _names(kb: KnowledgeBase, condition_ids: Sequence[str]) -> str:
    return " + ".join(kb.conditions[c].name for c in condition_ids)
