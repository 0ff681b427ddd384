"""Medications: codes first, then the words of the text (longest phrase), then fuzzy."""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.engine._systems import system_of
from service.engine.matches import DrugHit, MedicationMatch
from service.engine.matching.fuzzy import (
    MIN_FUZZY_LEN,
    fuzzy_one,
    one_word_misspelled,
    runs,
    suggest,
)
from service.engine.matching.memo import UNKNOWN_WORD, remember
from service.engine.models import Coding, MatchKind, MedicationInput
from service.engine.prepared import Knowledge
from service.engine.status_codes import MEDICATION, MEDICATION_STATUSES, read_status, reason_kind
from service.engine.strings import STRENGTH, strength_mg
from service.knowledge.base import DrugTerm, KnowledgeBase
from service.knowledge.schema import Route
from service.knowledge.text import MARKS, dated_clause_tokens, drug_key_tokens, tokens

_NO_MATCH = MedicationMatch(())


def texts_of(text: str | None, coding: Sequence[Coding] | None) -> list[str]:
    """The item's free text, then the display of each coding (non-blank ones)."""
    if not coding:
        return [text] if text and not text.isspace() else []
    texts = [text] if text and text.strip() else []
    texts.extend(c.display for c in coding or () if c.display and c.display.strip())
    return texts


def dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


STOPPED = "stopped"


def match_medication(item: MedicationInput, knowledge: Knowledge) -> MedicationMatch:
    """The drugs an item names, how they were read, and whether the text or the ``status``
    says the drug is taken as needed or is not current (stopped, denied, ...)."""
    match = _match_medication(item, knowledge)
    if item.status is None or not match.hits:
        return match
    code = read_status(item.status, MEDICATION).code
    template = MEDICATION_STATUSES.get(code) if code else None
    # Current (active, intended, draft, unknown), absent or not understood: as if absent.
    if code is None or template is None:
        return match
    # Not taken now: excluded as a text that says so is, every drug of the entry.
    kind = reason_kind(template, code)
    return MedicationMatch(
        (),
        match.suggestions,
        match.reason,
        match.how,
        match.read_as,
        match.prn,
        (*match.excluded, *((hit.drug_id, kind) for hit in match.hits)),
    )


def _match_medication(item: MedicationInput, knowledge: Knowledge) -> MedicationMatch:
    kb = knowledge.kb
    text = item.text
    if not item.coding and text and item.route is None:
        # The common case, one free text: its match depends on its resolved words alone.
        words = drug_key_tokens(text)
        resolved, read_as = resolve_words(words, kb)
        match = _match_words(resolved, None, knowledge)
        if not match.hits:
            return _unrecognized(item, texts_of(text, None), [words], kb)
        if len(match.hits) == 1 and kb.drugs[match.hits[0].drug_id].oral_from_mg:
            match = _route_by_strength(match, text, words, kb)
        return _in_context(match, read_as, [text], words, knowledge)
    texts = texts_of(text, item.coding)
    words_of_texts = [drug_key_tokens(t) for t in texts]
    resolutions = [resolve_words(words, kb) for words in words_of_texts]
    resolved_texts = [found for found, _ in resolutions]
    field_route = _explicit_route(item.route, [], kb) if item.route else None
    all_words = [w for text_words in words_of_texts for w in text_words]
    if item.coding:
        coded = _drugs_from_codes(item.coding, kb)
        if coded:
            # The route field, else a product code's dose form, else route words in a text,
            # else the route an ATC code implies (``Drug.atc_routes``): "budesonide inhaled"
            # coded A07EA06 (oral budesonide) is inhaled, as the text says (review52 R2).
            text_route = field_route or _explicit_route(None, resolved_texts, kb)
            hits = tuple(
                knowledge.hit(
                    DrugHit(
                        d,
                        field_route
                        or product_route
                        or text_route
                        or atc_route
                        or kb.drugs[d].default_route,
                    )
                )
                for d, product_route, atc_route in coded
            )
            match = MedicationMatch(hits, how="code")
            return _in_context(match, (), texts, all_words, knowledge)
    # Route words in any of the texts (a coding's display, say) apply to all of them.
    route_hint = field_route or (
        _explicit_route(None, resolved_texts, kb) if len(resolved_texts) > 1 else None
    )
    for number, (found, read_as) in enumerate(resolutions):
        match = _match_words(found, route_hint, knowledge)
        if match.hits:
            if number > 0 or text is None:  # read from a coding's display
                match = match.read("display")
            return _in_context(match, read_as, texts, all_words, knowledge)
    return _unrecognized(item, texts, words_of_texts, kb)


def _route_by_strength(
    match: MedicationMatch, text: str, words: Sequence[str], kb: KnowledgeBase
) -> MedicationMatch:
    """A drug named with no route word and an oral-sized strength (``oral_from_mg``):
    taken by mouth ("budesonide 9 mg daily")."""
    hit = match.hits[0]
    drug = kb.drugs[hit.drug_id]
    if hit.route != drug.default_route or any(w in kb.route_tokens for w in words):
        return match
    if any(w in drug_key_tokens(brand) for brand in drug.brand_routes for w in words):
        return match  # the brand says the route ("Pulmicort")
    strength = STRENGTH.search(text)
    if strength is None or drug.oral_from_mg is None or strength_mg(strength) < drug.oral_from_mg:
        return match
    return MedicationMatch((DrugHit(hit.drug_id, "oral"),), how=match.how)


def _in_context(
    match: MedicationMatch,
    read_as: tuple[str, ...],
    texts: Sequence[str],
    words: Sequence[str],
    knowledge: Knowledge,
) -> MedicationMatch:
    """The match with what the words around the drug say: a correction read, an
    as-needed order, a qualifier (stopped, denied, ...)."""
    kb = knowledge.kb
    prn = not kb.prn_tokens.isdisjoint(words)
    hits, excluded = match.hits, match.excluded
    if not knowledge.qualifiers.medications.words.isdisjoint(words):
        kinds = _qualifiers(texts, hits, knowledge, coded=match.how == "code")
        hits = tuple(hit for hit, kind in zip(hits, kinds, strict=True) if kind is None)
        excluded = tuple(
            (hit.drug_id, kind) for hit, kind in zip(match.hits, kinds, strict=True) if kind
        )
    if hits and any(knowledge.qualifiers.medication_stopped_at_end(t) for t in texts):
        # The entry ends with a stop status ("; Status: Stopped", "(old med)"): the row's
        # drugs are not taken, whatever came before.
        excluded += tuple((hit.drug_id, STOPPED) for hit in hits)
        hits = ()
    how: MatchKind | None = "spelling" if read_as else match.how
    if match.how == "spelling" and not read_as:
        read_as = tuple(kb.drugs[h.drug_id].name for h in match.hits)
    if not (prn or excluded or read_as or how != match.how):
        return match
    return MedicationMatch(
        hits, match.suggestions, match.reason, how, read_as, prn, excluded, match.causes
    )


def _qualifiers(
    texts: Sequence[str], hits: Sequence[DrugHit], knowledge: Knowledge, coded: bool = False
) -> list[str | None]:
    """Per drug hit, the qualifier that says it is not current (or None). A drug stands
    where the words of its names are (misspelled: where the words nobody knows are). A
    coded drug whose own text names no drug and is only a mark of what the entry is
    ("Allergy", "discontinued"), stands at the end of that text: the text is about it
    ("Adverse reaction: none", "intolerance to spironolactone" are about something else)."""
    rules = knowledge.qualifiers.medications
    vocabulary = knowledge.kb.drug_vocabulary
    for number, text in enumerate(texts):
        tokens_ = dated_clause_tokens(text)
        unknown = [
            i
            for i, token in enumerate(tokens_)
            if token not in MARKS
            and token not in vocabulary
            and token.isalpha()
            and not (coded and token in rules.phrases_by_first)
        ]
        spans = []
        places = []
        for hit in hits:
            words = knowledge.drug_words.get(hit.drug_id, frozenset())
            at = [i for i, token in enumerate(tokens_) if token in words] or unknown
            spans.append((at[0], at[-1] + 1) if at else (len(tokens_), len(tokens_)))
            places.append(at)
        if len(hits) > 1:
            spans = _written_together(spans, places)
        if any(start < len(tokens_) for start, _ in spans):
            return rules.qualify(tokens_, spans)
        if coded and number == 0 and rules.only_marks(tokens_):
            return rules.qualify(tokens_, spans)
    return [None] * len(hits)


def _written_together(
    spans: list[tuple[int, int]], places: Sequence[Sequence[int]]
) -> list[tuple[int, int]]:
    """Drugs whose names are written one right after the other ("lisinopril-HCTZ",
    "lisinopril/HCTZ": a combination product) stand where they all are, so that what is
    said of the product reaches each ("Prior lisinopril-HCTZ": both are past drugs). A
    word that names both drugs joins nothing."""
    group = list(range(len(spans)))
    for a, here in enumerate(places):
        own = set(here)
        for b, there in enumerate(places):
            if a != b and any(p + 1 in there and p + 1 not in own for p in here if p not in there):
                low, high = min(group[a], group[b]), max(group[a], group[b])
                group = [low if g == high else g for g in group]
    if len(set(group)) == len(group):
        return spans
    joined = list(spans)
    for g in set(group):
        members = [i for i, own in enumerate(group) if own == g]
        whole = (min(spans[i][0] for i in members), max(spans[i][1] for i in members))
        for i in members:
            joined[i] = whole
    return joined


def _unrecognized(
    item: MedicationInput, texts: list[str], words_of_texts: list[list[str]], kb: KnowledgeBase
) -> MedicationMatch:
    unknown_codes = [f"{c.system} {c.code}" for c in item.coding or () if c.code]
    if not " ".join(texts):
        return MedicationMatch((), (), f"code not known: {', '.join(unknown_codes)}")
    unknown = [w for words in words_of_texts for w in words if w not in kb.drug_vocabulary]
    # Only names the words could be typos of, as for conditions: "oxytocin" is not offered
    # propofol, nor "alpha-lipoic acid" licorice, for sharing many letters.
    suggestions = suggest(
        unknown, kb.fuzzy_drug_words, lambda k: _drug_name(k, kb), typos_only=True
    )
    return MedicationMatch((), suggestions, "name not known")


def _match_words(
    words: list[str], route_hint: Route | None, knowledge: Knowledge
) -> MedicationMatch:
    """The drugs named by resolved words, memoized under them (vocabulary words and "?")."""
    key = (route_hint or "", *words)
    memo = knowledge.drug_phrases
    found = memo.get(key)
    if found is not None:
        return found
    kb = knowledge.kb
    hits, how, causes = _drugs_from_words(
        words, kb, route_hint or _explicit_route(None, [words], kb)
    )
    if not hits:
        return _NO_MATCH
    match = MedicationMatch(tuple(knowledge.hit(hit) for hit in hits), how=how, causes=causes)
    remember(memo, key, match)
    return match


# A one-letter name ("K" of K-Tab) is not read after another drug's name: there it is a
# lab or an abbreviation ("hold when K < 3.5").
SHORT_TERM = 1

# How many words after a reference word ("before", "with": normalization.toml) a drug
# named is still the reference: "30 min before lasix", "before each dose of lasix".
REFERENCE_REACH = 4

# A known name with its strength glued on ("kenalog40" from "Kenalog-40"): the name.
_GLUED_STRENGTH = re.compile(r"([a-z]{3,})[0-9]")


def resolve_words(words: list[str], kb: KnowledgeBase) -> tuple[list[str], tuple[str, ...]]:
    """Known words as they are; an unknown word becomes the term it misspells, or "?".
    Also the terms read for misspelled words."""
    if kb.drug_vocabulary.issuperset(words):
        return words, ()
    resolved: list[str] = []
    read_as: list[str] = []
    unknown = [
        i
        for i, word in enumerate(words)
        if word not in kb.drug_vocabulary and len(word) >= _MIN_UNKNOWN_WORD and word.isalpha()
    ]
    for at, word in enumerate(words):
        if word in kb.drug_vocabulary:
            resolved.append(word)
            continue
        glued = _GLUED_STRENGTH.match(word)
        if glued is not None and glued.group(1) in kb.drug_vocabulary:
            resolved.append(glued.group(1))  # "Kenalog-40", "lasix40mg": the name, read as is
            continue
        near = None
        # With another unknown word of some length the text names a drug the service
        # does not know ("benzyl benzoate" is not Bentyl, "podophyllum resin" not Retin-A),
        # as for a name of several words (``_misspelled_phrase``).
        if word not in kb.never_fuzzy and len(unknown) < 2:
            near = fuzzy_one(
                word,
                kb.near_drug_words,
                lambda k: kb.drug_terms[k].drug_ids,
                lambda w, k: not _coined_neighbour(w, k, kb),
            )
            if near is None and unknown == [at] and len(word) >= MIN_FUZZY_LEN:
                phrase = _misspelled_phrase(words, at, kb)
                if phrase is not None:
                    term, known = phrase
                    resolved.append(known)
                    read_as.append(_drug_name(term, kb))
                    continue
        resolved.append(near or UNKNOWN_WORD)
        if near is not None:
            read_as.append(_drug_name(near, kb))
    return resolved, tuple(read_as)


# An unknown word this long is a word of a name the service does not know; with two of
# them a name of several words is not guessed.
_MIN_UNKNOWN_WORD = 4
# The most words a drug name read around a misspelled word may have.
_MAX_PHRASE_WORDS = 3


# A brand name this short is a coined word with many real words one letter from it.
SHORT_BRAND = 6


def _coined_neighbour(word: str, near: str, kb: KnowledgeBase) -> bool:
    """Whether ``word`` may be another real name rather than a typo of the short brand
    ``near``: a letter changed, added or dropped ("rutin" is not Retin-A, "cholic" not
    Cholac, "benzyl" not Bentyl). Only a doubled letter written once more or once less
    ("nimbbex" is Nimbex) reads as a typo of such a name."""
    return (
        len(near) <= SHORT_BRAND
        and kb.drug_terms[near].how in ("brand", "product")
        and runs(word) != runs(near)
    )


def _misspelled_phrase(words: list[str], at: int, kb: KnowledgeBase) -> tuple[str, str] | None:
    """A drug name of several words with the word at ``at`` misspelled and the others
    known ("insulin asprt" is insulin aspart, not "insulin"; "potassium citrat" is
    potassium citrate, not potassium chloride): the name and the word it has there."""
    n = len(words)
    for size in range(min(_MAX_PHRASE_WORDS, n), 1, -1):
        for start in range(max(0, at - size + 1), min(at, n - size) + 1):
            window = words[start : start + size]
            if any(w not in kb.drug_vocabulary for j, w in enumerate(window) if start + j != at):
                continue
            near = fuzzy_one(
                " ".join(window), kb.near_drug_phrases, lambda k: kb.drug_terms[k].drug_ids
            )
            if near is not None and one_word_misspelled(window, near.split()):
                if set(kb.drug_terms[near].drug_ids) == _drugs_named(window, at - start, kb):
                    # the other words name the drug already ("amiodarone hydrocholoride":
                    # a salt misspelled), so no correction is made
                    return None
                return near, near.split()[at - start]
    return None


def _drugs_named(window: list[str], skip: int, kb: KnowledgeBase) -> set[str]:
    """The drugs the words of ``window`` name without the word at ``skip``."""
    found: set[str] = set()
    for part in (window[:skip], window[skip + 1 :]):
        i = 0
        while i < len(part):
            term, size = _longest_term(part, i, kb)
            if term is not None:
                found.update(term.drug_ids)
            i += size
    return found


def _drug_name(term: str, kb: KnowledgeBase) -> str:
    return " + ".join(kb.drugs[d].name for d in kb.drug_terms[term].drug_ids)


def _explicit_route(
    route: str | None, words_of_texts: list[list[str]], kb: KnowledgeBase
) -> Route | None:
    first = None
    # A dose form's route ("caps" is oral) gives way to a route word: "TOBI Podhaler 4 caps
    # inhaled" is inhaled.
    first_of_form = None
    for words in ([tokens(route)] if route else []) + words_of_texts:
        for i, word in enumerate(words):
            # A two-word route first ("per os" is by mouth, not the left eye), its words
            # maybe apart ("injection to R knee").
            after = _second_route_word(words, i + 1, kb)
            pair = kb.route_tokens.get(f"{word} {words[after]}") if after < len(words) else None
            found = pair or kb.route_tokens.get(word)
            if found in kb.site_routes:
                return found
            if pair is None and word in kb.dose_form_route_words:
                if first_of_form is None:
                    first_of_form = found
            elif first is None:
                first = found
    return first or first_of_form


def _second_route_word(words: Sequence[str], at: int, kb: KnowledgeBase) -> int:
    """Where the second word of a two-word route may be: the next word, or the first
    after a link word and fillers ("injection to the R knee"; "IM injection, right knee
    pain" has no link)."""
    if at < len(words) and words[at] in kb.route_links:
        at += 1
        while at < len(words) and words[at] in kb.route_fillers:
            at += 1
    return at


def _drugs_from_codes(
    coding: Sequence[Coding] | None, kb: KnowledgeBase
) -> tuple[tuple[str, Route | None, Route | None], ...]:
    """The drugs the codes name, each with the route of the RxNorm product code that named
    it (its dose form) and the route an ATC code implies (a text's route words outrank
    only the second)."""
    product: dict[str, Route | None] = {}
    atc: dict[str, Route | None] = {}
    order: dict[str, None] = {}  # the drugs in the order the codes name them
    for c in coding or ():
        if not c.code:
            continue
        system = system_of(c.system)
        code = c.code.strip()
        if system == "rxnorm":
            entry, found = kb.drug_by_rxcui.get(code), product
        elif system == "atc":
            entry, found = kb.drug_by_atc.get(code.upper()), atc
        else:
            continue
        if entry is not None:
            for drug_id in entry.drug_ids:
                order[drug_id] = None
                if found.get(drug_id) is None:
                    found[drug_id] = entry.route
    return tuple((drug_id, product.get(drug_id), atc.get(drug_id)) for drug_id in order)


def _longest_term(words: list[str], i: int, kb: KnowledgeBase) -> tuple[DrugTerm | None, int]:
    n = len(words)
    for size in range(min(kb.drug_words_from.get(words[i], 1), n - i), 0, -1):
        term = kb.drug_terms.get(words[i] if size == 1 else " ".join(words[i : i + size]))
        if term is not None:
            return term, size
    return None, 1


def _drugs_from_words(
    words: list[str], kb: KnowledgeBase, explicit_route: Route | None
) -> tuple[tuple[DrugHit, ...], MatchKind | None, tuple[str, ...]]:
    """Greedy longest-phrase match of resolved words against the drug terms, what kind
    of name the first term is, and the drugs named as a cause of what an earlier drug
    treats ("Mag-Ox for low Mg from omeprazole"): read as taken, unless another entry
    lists them (``check.named_as_cause``)."""
    hits: dict[str, DrugHit] = {}
    causes: list[str] = []
    how: MatchKind | None = None
    after_drug = False
    reference_until = -1  # a drug named before this word is a reference
    cause = False  # a drug named here is a cause ("for low Mg from omeprazole")
    i = 0
    while i < len(words):
        word = words[i]
        term, size = _longest_term(words, i, kb)
        was_cause, cause = cause, False
        if after_drug and size == 1 and word in kb.salt_tokens:
            pass  # "losartan potassium": the salt of the drug before, not a second drug
        elif term is not None and size == 1 and hits and len(word) <= SHORT_TERM:
            pass  # "Lasix 20 mg, hold when K < 3.5": the lab, not K-Tab
        elif hits and word in kb.reference_words:
            reference_until = i + 1 + REFERENCE_REACH
        elif (
            hits
            and term is None
            and word in kb.cause_words
            and (i == 0 or words[i - 1] not in kb.cause_words_not_after)
        ):
            cause = True
        elif term is None and was_cause and word in kb.cause_link_words:
            cause = True  # "due to", "caused by", "from long-term"
        elif term is not None and i < reference_until and not _one_product(hits, term, kb):
            pass  # "metolazone 30 min before lasix": when it is taken, not a second drug
        elif term is not None:
            how = how or term.how
            route = explicit_route or term.route or term.default_route
            named_as_cause = (
                was_cause or _cause_follows(words, i + size, hits, kb)
            ) and not _one_product(hits, term, kb)
            for drug_id in term.drug_ids:
                if drug_id not in hits:
                    hits[drug_id] = DrugHit(drug_id, route or kb.drugs[drug_id].default_route)
                    if named_as_cause:
                        causes.append(drug_id)
            after_drug = True
        elif word not in kb.ignored_tokens and word not in kb.route_tokens:
            after_drug = word in kb.salt_tokens and after_drug
        i += size
    if not hits and kb.drug_by_route_word:
        return (*_route_word_drug(words, kb), ())
    return tuple(hits.values()), how, tuple(causes)


def _route_word_drug(
    words: list[str], kb: KnowledgeBase
) -> tuple[tuple[DrugHit, ...], MatchKind | None]:
    """A text that names no other drug and starts with a drug's name that is also a route
    or dose word ("INH 300 mg daily": isoniazid), by the route the other words say (not the
    one its name is). Later in a text the word is the route of a drug the service may not
    know ("Breztri inh 2 puffs"). When the other words say the route the name also is
    ("INH 2 puffs"), the word is that route: an inhaler the text does not name."""
    drug_id = kb.drug_by_route_word.get(words[0]) if words else None
    if drug_id is None:
        return (), None
    route = _explicit_route(None, [words[1:]], kb)
    if route is not None and route == kb.route_tokens.get(words[0]):
        return (), None
    return (DrugHit(drug_id, route or kb.drugs[drug_id].default_route),), "name"


def _cause_follows(words: list[str], at: int, hits: dict[str, DrugHit], kb: KnowledgeBase) -> bool:
    """Whether, after a drug is named, the word at ``at`` says the drug just before it is a
    cause ("KCl for HCTZ-induced hypokalemia")."""
    return bool(hits) and at < len(words) and words[at] in kb.cause_after_words


def _one_product(hits: dict[str, DrugHit], term: DrugTerm, kb: KnowledgeBase) -> bool:
    return frozenset((*hits, *term.drug_ids)) in kb.products
