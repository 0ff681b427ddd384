"""Fuzzy fallbacks: a misspelled word read as the one term it can mean, and suggestions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

SUGGESTION_CUTOFF = 70.0
# A typo changes at most about one letter in four (an edit, or two neighbours swapped):
# "diabtis" is diabetes (2 edits in 8), "myelopathy" is not myeloma (4 in 10), nor
# "spina" sprain (3 in 6) or "psychosis" presbycusis.
TYPO_SIMILARITY = 0.75
MAX_SUGGESTIONS = 3
MIN_SUGGEST_LEN = 4
MIN_FUZZY_LEN = 5
# Words of this length or more may be two edits away from the term they misspell.
TWO_EDITS_FROM = 10


def fuzzy_one(
    word: str,
    near: Mapping[tuple[str, int, int], Sequence[str]],
    concept_of: Callable[[str], Hashable],
    typo_of: Callable[[str, str], bool] | None = None,
) -> str | None:
    """The known term a misspelled ``word`` most likely means, or None when unsure.

    Accepted only within edit distance 1 (2 for words of ``TWO_EDITS_FROM`` letters or
    more), with the same first letter (real misspellings keep it; "tamoxifen" is not
    "raloxifen"), and only when every candidate at the best distance names the same concept.
    ``near``: the candidates by first letter, length and edits (``NearTerms``).
    ``typo_of``: whether the word may be a typo of a term (more than the edits say); a
    term of the one concept that it refuses is passed over for another of it ("digoxn"
    is digoxin, even if not the brand Digox).
    """
    if len(word) < MIN_FUZZY_LEN:
        return None
    choices = _near(word, near)
    if not choices:
        return None
    found = process.extract(
        word, choices, scorer=Levenshtein.distance, score_cutoff=max_edits(word), limit=5
    )
    if not found:
        return None
    best = found[0][1]
    winners = [choice for choice, score, _ in found if score == best]
    if len({concept_of(w) for w in winners}) != 1:
        return None
    if typo_of is not None:
        winners = [w for w in winners if typo_of(word, w)]
        if not winners:
            return None
    if best > 1 and skeleton(word) != skeleton(winners[0]):
        return None
    if other_ending(word.split(), winners[0].split()):
        return None
    return winners[0]


# Word endings that make another word, not a misspelling of it: "nephritic" (nephritis)
# is not nephrotic, nor "nephritis" nephrosis.
DISTINCT_ENDINGS = ("itic", "otic", "itis", "osis")


def other_ending(words: Sequence[str], term: Sequence[str]) -> bool:
    """Whether a word of ``words`` ends in another of ``DISTINCT_ENDINGS`` than the
    ``term``'s word in its place does."""
    return any(
        a != b
        and a.endswith(DISTINCT_ENDINGS)
        and b.endswith(DISTINCT_ENDINGS)
        and a[-4:] != b[-4:]
        for a, b in zip(words, term, strict=False)
    )


def runs(word: str) -> str:
    """``word`` with each run of one letter written once ("nimbbex": "nimbex")."""
    return "".join(ch for i, ch in enumerate(word) if i == 0 or word[i - 1] != ch)


def skeleton(word: str) -> str:
    """The consonants of ``word`` as they sound, each run of one letter once: what a
    misspelling that changes a vowel, doubles a letter or writes a sound another way keeps
    ("amitryptiline", "periferal"), and what another name differs in ("gliclazide" is
    not glipizide, "streptozocin" not streptomycin, "pentobarbital" not phenobarbital).
    A correction two edits away must keep it: two edits are as many as tell names of one
    family apart, when they change its consonants."""
    out: list[str] = []
    for letter in word.replace("ph", "f").replace("ck", "k"):
        if letter in _SILENT:
            continue
        sound = _SOUNDS.get(letter, letter)
        if not out or out[-1] != sound:
            out.append(sound)
    return "".join(out)


# Vowels, "y" (as in "amitryptiline") and "h" ("clorothiazide"), and word gaps: not kept.
_SILENT = frozenset("aeiouyh -")
# Letters written for one sound.
_SOUNDS = {"c": "k", "q": "k"}


def concepts_near(
    word: str,
    near: Mapping[tuple[str, int, int], Sequence[str]],
    concept_of: Callable[[str], Hashable],
    accept: Callable[[str], bool],
) -> set[Hashable]:
    """The concepts of the known terms within the edits allowed of ``word`` (as
    ``fuzzy_one`` counts them, at any distance) that ``accept`` takes."""
    choices = _near(word, near)
    found = process.extract(
        word, choices, scorer=Levenshtein.distance, score_cutoff=max_edits(word), limit=10
    )
    return {concept_of(choice) for choice, _, _ in found if accept(choice)}


def max_edits(word: str) -> int:
    """How many edits a misspelling of ``word``'s length may be from its term."""
    return 1 if len(word) < TWO_EDITS_FROM else 2


def _near(word: str, near: Mapping[tuple[str, int, int], Sequence[str]]) -> Sequence[str]:
    """The candidates of ``word``'s first letter whose length allows its edits, in the
    order of all of them (so that ties are broken as among all)."""
    return near.get((word[:1], len(word), max_edits(word)), ())


def one_word_misspelled(words: Sequence[str], term: Sequence[str]) -> bool:
    """Whether ``words`` are ``term``'s words with exactly one of them misspelled (within
    the edits a word of its length may be from its term, and both of ``MIN_FUZZY_LEN``
    letters or more)."""
    if len(words) != len(term):
        return False
    differ = [(word, known) for word, known in zip(words, term, strict=True) if word != known]
    # A word too short to be read as a misspelling on its own is not one here either:
    # "vitamin A deficiency" is not vitamin D deficiency.
    return (
        len(differ) == 1
        and min(len(differ[0][0]), len(differ[0][1])) >= MIN_FUZZY_LEN
        and Levenshtein.distance(*differ[0]) <= max_edits(differ[0][1])
        and not other_ending(*zip(*differ, strict=True))
    )


def _starting_with(choices: Sequence[str], head: str) -> Sequence[str]:
    """The choices that start with ``head``: one run of them, as they are sorted."""
    start = bisect_left(choices, head)
    return choices[start : bisect_left(choices, head[:-1] + chr(ord(head[-1]) + 1), start)]


def suggest(
    queries: Iterable[str],
    choices_by_initial: Mapping[str, Sequence[str]],
    name_of: Callable[[str], str],
    *,
    typos_only: bool = False,
) -> tuple[str, ...]:
    """Up to three known names close to the unknown words, for "did you mean" (each
    group of ``choices_by_initial`` sorted).

    ``typos_only``: only names the query could be a typo of, by the share of letters
    edited (``TYPO_SIMILARITY``), not names that merely share many letters with it (the
    indel ratio finds "sprain" in "spina bifida" and "presbycusis" in "psychosis"); and
    the names of terms that are the query with words added ("radiculopathy" ->
    "radiculopathy lumbar region"), when they are few: a text that leaves out the type or
    the level, not a modifier that starts many terms ("chronic")."""
    best: dict[str, float] = {}
    for query in queries:
        if len(query) < MIN_SUGGEST_LEN:
            continue
        choices = choices_by_initial.get(query[0], ())
        if typos_only:
            found = process.extract(
                query,
                choices,
                scorer=OSA.normalized_similarity,
                score_cutoff=TYPO_SIMILARITY,
                limit=3,
            )
            longer = _starting_with(choices, query + " ")
            if len({name_of(c) for c in longer}) <= MAX_SUGGESTIONS:
                found += [(c, TYPO_SIMILARITY, 0) for c in longer]
        else:
            found = process.extract(
                query, choices, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=3
            )
        for choice, score, _ in found:
            name = name_of(choice)
            best[name] = max(score, best.get(name, 0.0))
    return tuple(sorted(best, key=lambda n: -best[n])[:MAX_SUGGESTIONS])
