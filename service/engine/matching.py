"""Match request items to knowledge concepts: codes first, then text, then fuzzy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import msgspec
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from service.engine._systems import system_of
from service.engine.models import Coding, ConditionInput, LabInput, MedicationInput
from service.knowledge.base import DrugTerm, KnowledgeBase
from service.knowledge.schema import Route
from service.knowledge.text import drug_key_tokens, tokens, unit_key

_SUGGESTION_CUTOFF = 70.0
_MIN_SUGGEST_LEN = 4
_MIN_FUZZY_LEN = 5


class DrugHit(msgspec.Struct, frozen=True, gc=False):
    drug_id: str
    route: Route | None


class MedicationMatch(msgspec.Struct, frozen=True, gc=False):
    hits: tuple[DrugHit, ...]
    suggestions: tuple[str, ...] = ()
    reason: str | None = None


class ConditionMatch(msgspec.Struct, frozen=True, gc=False):
    condition_ids: tuple[str, ...]
    # Concepts named in the text but negated or of a family member: recognized, not flagged.
    excluded: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()
    reason: str | None = None


class LabMatch(msgspec.Struct, frozen=True, gc=False):
    analyte_id: str | None
    value: float | None  # in the analyte's canonical unit
    reason: str | None = None


def _text_of(text: str | None, coding: Sequence[Coding] | None) -> list[str]:
    if not coding:
        return [text] if text and not text.isspace() else []
    texts = [text] if text and text.strip() else []
    texts.extend(c.display for c in coding or () if c.display and c.display.strip())
    return texts


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _fuzzy_one(
    word: str,
    choices_by_initial: Mapping[str, Sequence[str]],
    concept_of: Callable[[str], tuple[str, ...]],
) -> str | None:
    """The known term a misspelled ``word`` most likely means, or None when unsure.

    Accepted only within edit distance 1 (2 for words of 10 letters or more), with the
    same first letter (real misspellings keep it; "tamoxifen" is not "raloxifen"), and
    only when every candidate at the best distance names the same concept.
    """
    choices = choices_by_initial.get(word[:1], ())
    if len(word) < _MIN_FUZZY_LEN or not choices:
        return None
    max_distance = 1 if len(word) < 10 else 2
    found = process.extract(
        word, choices, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=5
    )
    if not found:
        return None
    best = found[0][1]
    winners = [choice for choice, score, _ in found if score == best]
    if len({concept_of(w) for w in winners}) != 1:
        return None
    return winners[0]


def _suggest(
    queries: Iterable[str],
    choices_by_initial: Mapping[str, Sequence[str]],
    name_of: Callable[[str], str],
) -> tuple[str, ...]:
    """Up to three known names close to the unknown words, for "did you mean"."""
    best: dict[str, float] = {}
    for query in queries:
        if len(query) < _MIN_SUGGEST_LEN:
            continue
        found = process.extract(
            query,
            choices_by_initial.get(query[0], ()),
            scorer=fuzz.ratio,
            score_cutoff=_SUGGESTION_CUTOFF,
            limit=3,
        )
        for choice, score, _ in found:
            name = name_of(choice)
            best[name] = max(score, best.get(name, 0.0))
    return tuple(sorted(best, key=lambda n: -best[n])[:3])


# Memo of phrase matches -------------------------------------------------------------
# ``kb.phrase_matches``: matches of phrases keyed by their vocabulary words, an unknown
# word standing as "?". The keys hold only words the knowledge base already knows, so the
# memo never keeps free text, names or numbers from a request: nothing of a patient.

_MEMO_LIMIT = 65_536
# Stands in a memo key for a word the vocabulary does not know (never the word itself).
_UNKNOWN_WORD = "?"


def _remember(memo: dict[tuple[str, ...], Any], key: tuple[str, ...], value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


# Medications -------------------------------------------------------------------------


def match_medication(item: MedicationInput, kb: KnowledgeBase) -> MedicationMatch:
    text = item.text
    if not item.coding and text and item.route is None:
        # The common case, one free text: its match depends on its resolved words alone.
        words = drug_key_tokens(text)
        match = _match_words(_resolved_words(words, kb), None, kb)
        if match.hits:
            return match
        return _unrecognized_medication(item, _text_of(text, None), [words], kb)
    texts = _text_of(text, item.coding)
    words_of_texts = [drug_key_tokens(t) for t in texts]
    resolved = [_resolved_words(words, kb) for words in words_of_texts]
    field_route = _explicit_route(item.route, [], kb) if item.route else None
    if item.coding:
        coded = _drugs_from_codes(item.coding, kb)
        if coded:
            # The route field, else a product code's dose form, else route words in a text.
            text_route = field_route or _explicit_route(None, resolved, kb)
            return MedicationMatch(
                tuple(
                    DrugHit(d, field_route or code_route or text_route or kb.drugs[d].default_route)
                    for d, code_route in coded
                )
            )
    # Route words in any of the texts (a coding's display, say) apply to all of them.
    route_hint = field_route or (_explicit_route(None, resolved, kb) if len(resolved) > 1 else None)
    for words in resolved:
        match = _match_words(words, route_hint, kb)
        if match.hits:
            return match
    return _unrecognized_medication(item, texts, words_of_texts, kb)


def _unrecognized_medication(
    item: MedicationInput, texts: list[str], words_of_texts: list[list[str]], kb: KnowledgeBase
) -> MedicationMatch:
    unknown_codes = [f"{c.system} {c.code}" for c in item.coding or () if c.code]
    if not " ".join(texts):
        return MedicationMatch((), (), f"code not known: {', '.join(unknown_codes)}")
    unknown = [w for words in words_of_texts for w in words if w not in kb.drug_vocabulary]
    suggestions = _suggest(unknown, kb.fuzzy_drug_words, lambda k: _drug_name(k, kb))
    return MedicationMatch((), suggestions, "name not known")


_NO_MATCH = MedicationMatch(())


def _match_words(words: list[str], route_hint: Route | None, kb: KnowledgeBase) -> MedicationMatch:
    """The drugs named by resolved words, memoized under them (vocabulary words and "?")."""
    key = ("drug", route_hint or "", *words)
    memo = kb.phrase_matches
    found = memo.get(key)
    if found is not None:
        return cast(MedicationMatch, found)
    hits = _drugs_from_words(words, kb, route_hint or _explicit_route(None, [words], kb))
    if not hits:
        return _NO_MATCH
    match = MedicationMatch(hits)
    _remember(memo, key, match)
    return match


def _resolved_words(words: list[str], kb: KnowledgeBase) -> list[str]:
    """Known words as they are; an unknown word becomes the term it misspells, or "?"."""
    if kb.drug_vocabulary.issuperset(words):
        return words
    return [
        word
        if word in kb.drug_vocabulary
        else _fuzzy_one(word, kb.fuzzy_drug_words, lambda k: kb.drug_terms[k].drug_ids)
        or _UNKNOWN_WORD
        for word in words
    ]


def _drug_name(term: str, kb: KnowledgeBase) -> str:
    return " + ".join(kb.drugs[d].name for d in kb.drug_terms[term].drug_ids)


def _explicit_route(
    route: str | None, words_of_texts: list[list[str]], kb: KnowledgeBase
) -> Route | None:
    for words in ([tokens(route)] if route else []) + words_of_texts:
        for word in words:
            found = kb.route_tokens.get(word)
            if found:
                return found
    return None


def _drugs_from_codes(
    coding: Sequence[Coding] | None, kb: KnowledgeBase
) -> tuple[tuple[str, Route | None], ...]:
    """The drugs the codes name, each with the route of the product code that named it."""
    found: dict[str, Route | None] = {}
    for c in coding or ():
        if not c.code:
            continue
        system = system_of(c.system)
        code = c.code.strip()
        if system == "rxnorm":
            entry = kb.drug_by_rxcui.get(code)
            if entry is not None:
                for drug_id in entry.drug_ids:
                    if found.get(drug_id) is None:
                        found[drug_id] = entry.route
        elif system == "atc" and code.upper() in kb.drug_by_atc:
            found.setdefault(kb.drug_by_atc[code.upper()], None)
    return tuple(found.items())


def _longest_term(words: list[str], i: int, kb: KnowledgeBase) -> tuple[DrugTerm | None, int]:
    n = len(words)
    for size in range(min(kb.drug_words_from.get(words[i], 1), n - i), 0, -1):
        term = kb.drug_terms.get(words[i] if size == 1 else " ".join(words[i : i + size]))
        if term is not None:
            return term, size
    return None, 1


def _drugs_from_words(
    words: list[str], kb: KnowledgeBase, explicit_route: Route | None
) -> tuple[DrugHit, ...]:
    """Greedy longest-phrase match of resolved words against the drug terms."""
    hits: dict[str, DrugHit] = {}
    after_drug = False
    i = 0
    while i < len(words):
        word = words[i]
        term, size = _longest_term(words, i, kb)
        if after_drug and size == 1 and word in kb.salt_tokens:
            pass  # "losartan potassium": the salt of the drug before, not a second drug
        elif term is not None:
            route = explicit_route or term.route or term.default_route
            for drug_id in term.drug_ids:
                if drug_id not in hits:
                    hits[drug_id] = DrugHit(drug_id, route or kb.drugs[drug_id].default_route)
            after_drug = True
        elif word not in kb.ignored_tokens and word not in kb.route_tokens:
            after_drug = word in kb.salt_tokens and after_drug
        i += size
    return tuple(hits.values())


# Conditions --------------------------------------------------------------------------


def match_condition(item: ConditionInput, kb: KnowledgeBase) -> ConditionMatch:
    coded = _conditions_from_codes(item.coding, kb)
    if coded:
        return ConditionMatch(coded)
    texts = _text_of(item.text, item.coding)
    for text in texts:
        match = _conditions_from_text(text, kb)
        if match.condition_ids or match.excluded:
            return match
    unknown_codes = [f"{c.system} {c.code}" for c in item.coding or () if c.code]
    if not texts:
        return ConditionMatch((), (), (), f"code not known: {', '.join(unknown_codes)}")
    words = [w for text in texts for w in tokens(text)]
    queries = [" ".join(words), *(w for w in words if w not in kb.condition_vocabulary)]
    suggestions = _suggest(
        queries,
        kb.fuzzy_condition_terms,
        lambda k: " + ".join(kb.conditions[c].name for c in kb.condition_terms[k]),
    )
    return ConditionMatch((), (), suggestions, "condition not known")


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
    return _dedupe(found)


def _starts_with(words: Sequence[str], start: int, phrase: Sequence[str]) -> bool:
    return tuple(words[start : start + len(phrase)]) == tuple(phrase)


def _qualifier(words: Sequence[str], before: int, kb: KnowledgeBase) -> str | None:
    """``negated`` / ``family_history`` when such a phrase precedes position ``before``."""
    if kb.qualifier_first_words.isdisjoint(words[:before]):
        return None
    for kind, phrases in (
        ("family_history", kb.family_history_prefixes),
        ("negated", kb.negation_prefixes),
    ):
        for phrase in phrases:
            for start in range(max(0, before - len(phrase) - 4), before - len(phrase) + 1):
                if _starts_with(words, start, phrase):
                    return kind
    return None


def _conditions_from_text(text: str, kb: KnowledgeBase) -> ConditionMatch:
    words = tokens(text)
    vocabulary = kb.condition_vocabulary
    all_known = vocabulary.issuperset(words)
    # An unknown word is never part of a term or of a negation phrase: only its position
    # counts, so it stands as "?" in the key, unless the fuzzy fallback has to read it.
    key = (
        ("condition", *words)
        if all_known
        else ("condition", *(w if w in vocabulary else _UNKNOWN_WORD for w in words))
    )
    memo = kb.phrase_matches
    found = memo.get(key)
    if found is not None:
        return cast(ConditionMatch, found)
    match, unmatched = _conditions_from_words(words, kb)
    if not match.condition_ids and not match.excluded:
        match = _conditions_from_misspellings(words, unmatched, kb)
        if not all_known:
            return match
    _remember(memo, key, match)
    return match


def _conditions_from_words(
    words: list[str], kb: KnowledgeBase
) -> tuple[ConditionMatch, list[tuple[int, str]]]:
    """Terms named in ``words`` (longest first), and the words no term covers."""
    found: list[str] = []
    excluded: list[tuple[str, str]] = []
    unmatched: list[tuple[int, str]] = []
    i, n = 0, len(words)
    while i < n:
        longest = kb.condition_words_from.get(words[i], 1)
        for size in range(min(longest, n - i), 0, -1):
            ids = kb.condition_terms.get(words[i] if size == 1 else " ".join(words[i : i + size]))
            if ids is not None:
                qualifier = _qualifier(words, i, kb)
                if qualifier is None:
                    found.extend(ids)
                else:
                    excluded.extend((cid, qualifier) for cid in ids)
                i += size
                break
        else:
            unmatched.append((i, words[i]))
            i += 1
    return ConditionMatch(_dedupe(found), tuple(dict.fromkeys(excluded))), unmatched


def _conditions_from_misspellings(
    words: list[str], unmatched: list[tuple[int, str]], kb: KnowledgeBase
) -> ConditionMatch:
    found: list[str] = []
    excluded: list[tuple[str, str]] = []
    for position, word in unmatched:
        near = _fuzzy_one(word, kb.fuzzy_condition_terms, kb.condition_terms.__getitem__)
        if near is None:
            continue
        qualifier = _qualifier(words, position, kb)
        ids = kb.condition_terms[near]
        if qualifier is None:
            found.extend(ids)
        else:
            excluded.extend((cid, qualifier) for cid in ids)
    return ConditionMatch(_dedupe(found), tuple(dict.fromkeys(excluded)))


# Labs --------------------------------------------------------------------------------


def match_lab(item: LabInput, kb: KnowledgeBase) -> LabMatch:
    analyte_id: str | None = None
    for c in item.coding or ():
        if c.code and system_of(c.system) == "loinc":
            analyte_id = kb.analyte_by_loinc.get(c.code.strip())
            if analyte_id:
                break
    if analyte_id is None:
        for text in _text_of(item.text, item.coding):
            analyte_id = _analyte_from_text(text, kb)
            if analyte_id:
                break
    if analyte_id is None:
        return LabMatch(None, None, "analyte not known")
    analyte = kb.analytes[analyte_id]
    factor = kb.unit_factors[analyte_id].get(unit_key(item.unit))
    if factor is None:
        template = kb.texts.templates["lab_unit_unknown"]
        return LabMatch(analyte_id, None, template.format(unit=item.unit, analyte=analyte.name))
    return LabMatch(analyte_id, item.value * factor)


def _analyte_from_text(text: str, kb: KnowledgeBase) -> str | None:
    words = tokens(text)
    whole = kb.analyte_terms.get(" ".join(words))
    if whole:
        return whole
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            found = kb.analyte_terms.get(" ".join(words[start : start + size]))
            if found:
                return found
    return None
