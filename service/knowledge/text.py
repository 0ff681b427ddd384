"""Text keys shared by the indexer and the matcher, so both sides normalize alike."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?")
# Words as above, and the marks that separate clauses of a short clinical text (a
# qualifier's scope ends at some of them: "no fever; sciatica").
_CLAUSE_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?|[;:.,()|=?]|(?<!\S)-(?!\S)")
MARKS = frozenset(";:.,()|=?-")
# Words that start with a letter: numbers and strengths ("40", "12.5mg", "0.9%") never
# name a drug, so drug text skips them in the same pass, as it skips intervals and
# durations written as a letter and a number ("q4h", "q12hr", "x5", "x7d").
_WORD = re.compile(r"(?<![a-z0-9.])(?![qx][0-9])[a-z][a-z0-9]*")
_LETTER_HYPHEN_DIGIT = re.compile(r"(?<=[a-z])-(?=[0-9])")


def fold(text: str) -> str:
    """Lower-case, strip accents, write micro as u."""
    if text.isascii():
        return text.lower()
    text = text.replace("µ", "u").replace("μ", "u")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def clause_tokens(text: str) -> list[str]:
    """Words and clause marks (``;:.,()|=?``, and a dash between spaces):
    ``"no fever; sciatica"`` -> ``["no", "fever", ";", "sciatica"]``."""
    return _CLAUSE_TOKEN.findall(fold(text))


def drug_key_tokens(text: str) -> list[str]:
    """Words of a drug text without numbers and strengths ("Lasix 40mg" -> ["lasix"]).

    A hyphen between a letter and a digit is dropped first: "B-12" is "b12".
    """
    folded = fold(text)
    return _WORD.findall(_LETTER_HYPHEN_DIGIT.sub("", folded) if "-" in folded else folded)


def unit_key(unit: str) -> str:
    """``m[IU]/L`` -> ``miu/l``; ``mEq / L`` -> ``meq/l``."""
    return re.sub(r"[\s\[\]{}]", "", fold(unit))
