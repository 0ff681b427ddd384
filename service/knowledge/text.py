"""Text keys shared by the indexer and the matcher, so both sides normalize alike."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?")
# Words as above, and the marks that separate clauses of a short clinical text (a
# qualifier's scope ends at some of them: "no fever; sciatica").
# A plus sign that opens a word ("+ family history", "+FHx", "(+ FHx)") is a mark of its
# own, so that a qualifier can read it as "positive"/"plus"; not one glued after a word or a
# number ("K+", "1+ edema", "(+)").
_CLAUSE_TOKEN = re.compile(
    r"[a-z0-9]+(?:\.[0-9]+)?%?|[;:.,()|=?\n]|(?<!\S)-(?!\S)|(?<![^\s(])\+(?=\s*[a-z])"
)
# A line break is a mark of its own (LINE): it ends the scope of a heading written on the
# line before ("Pertinent negatives: no chest pain\nHypokalemia"; review29 R6).
LINE = "\n"
MARKS = frozenset(";:.,()|=?-\n+")
# Words that start with a letter: numbers and strengths ("40", "12.5mg", "0.9%") never
# name a drug, so drug text skips them in the same pass, as it skips intervals and
# durations written as a letter and a number ("q4h", "q12hr", "x5", "x7d").
_WORD = re.compile(r"(?<![a-z0-9.])(?![qx][0-9])[a-z][a-z0-9]*")
_LETTER_HYPHEN_DIGIT = re.compile(r"(?<=[a-z])-(?=[0-9])")
_UNIT_NOISE = re.compile(r"[\s\[\]{}_]")
# Single letters written with dots ("E.E.S.", "p.o.", "b.i.d."): the word they spell.
_DOTTED_LETTERS = re.compile(r"(?<![a-z0-9])((?:[a-z]\.){2,})(?![a-z0-9])")


# Cyrillic and Greek lower-case letters that look like Latin ones, and micro as u. From
# Unicode's confusables data (UTS #39, confusables.txt: e.g. U+0430 CYRILLIC SMALL LETTER A
# -> U+0061), limited to the letters that are confused with a single Latin letter.
_LOOK_ALIKES = str.maketrans(
    {
        "\u0430": "a",  # cyrillic small letter a
        "\u0432": "b",  # cyrillic small letter ve
        "\u0435": "e",  # cyrillic small letter ie
        "\u043a": "k",  # cyrillic small letter ka
        "\u043c": "m",  # cyrillic small letter em
        "\u043d": "h",  # cyrillic small letter en
        "\u043e": "o",  # cyrillic small letter o
        "\u0440": "p",  # cyrillic small letter er
        "\u0441": "c",  # cyrillic small letter es
        "\u0442": "t",  # cyrillic small letter te
        "\u0443": "y",  # cyrillic small letter u
        "\u0445": "x",  # cyrillic small letter ha
        "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
        "\u0458": "j",  # cyrillic small letter je
        "\u0455": "s",  # cyrillic small letter dze
        "\u0501": "d",  # cyrillic small letter komi de
        "\u04bb": "h",  # cyrillic small letter shha
        "\u051b": "q",  # cyrillic small letter qa
        "\u051d": "w",  # cyrillic small letter we
        "\u04af": "y",  # cyrillic small letter straight u
        "\u03b1": "a",  # greek small letter alpha
        "\u03b2": "b",  # greek small letter beta
        "\u03b5": "e",  # greek small letter epsilon
        "\u03b9": "i",  # greek small letter iota
        "\u03ba": "k",  # greek small letter kappa
        "\u03bd": "v",  # greek small letter nu
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c4": "t",  # greek small letter tau
        "\u03c5": "u",  # greek small letter upsilon
        "\u03c7": "x",  # greek small letter chi
        "\u03bc": "u",  # greek small letter mu
        "\u00b5": "u",  # micro sign
    }
)


def fold(text: str) -> str:
    """Lower-case, strip accents, drop invisible format characters (zero-width space and
    joiners, soft hyphen, byte order mark, direction marks: Unicode category Cf), and write
    Cyrillic and Greek look-alikes and micro as the Latin letters they look like."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return kept.lower().translate(_LOOK_ALIKES)


def _undotted(folded: str) -> str:
    if "." not in folded:
        return folded
    return _DOTTED_LETTERS.sub(lambda m: m.group(1).replace(".", "") + " ", folded)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_undotted(fold(text)))


def clause_tokens(text: str) -> list[str]:
    """Words and clause marks (``;:.,()|=?``, and a dash between spaces or a double dash):
    ``"no fever; sciatica"`` -> ``["no", "fever", ";", "sciatica"]``, ``"HCTZ--DC"`` ->
    ``["hctz", "-", "dc"]``."""
    if "--" in text:
        text = text.replace("--", " - ")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CLAUSE_TOKEN.findall(_undotted(fold(text)))


_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def a_year(token: str) -> bool:
    """Whether a token is a year written in digits ("2019"; 1900-2099)."""
    return _YEAR.fullmatch(token) is not None


# A date written in digits ("11/30", "11/30/2026", "2026-11-30"), not a fraction ("1/2",
# "3/4": a tablet part), and how a qualifier phrase names any date.
_WRITTEN_DATE = (
    r"(?<![0-9/.])(?:(?![1-3]/[2-4](?![0-9/]))(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01])"
    r"(?:/[0-9]{2}(?:[0-9]{2})?)?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?![0-9/])"
)
DATE_IN_PHRASE = "{date}"
_DATE_SPLIT = re.compile(f"({re.escape(DATE_IN_PHRASE)}|{_WRITTEN_DATE})")
DATE = "<date>"


def dated_clause_tokens(text: str) -> list[str]:
    """``clause_tokens``, with each written date (and ``{date}`` in a qualifier phrase) as
    the one token ``DATE``: ``"restart 11/30"`` -> ``["restart", "<date>"]``."""
    found: list[str] = []
    for number, part in enumerate(_DATE_SPLIT.split(text)):
        if number % 2:
            found.append(DATE)
        elif part:
            found.extend(clause_tokens(part))
    return found


def drug_key_tokens(text: str) -> list[str]:
    """Words of a drug text without numbers and strengths ("Lasix 40mg" -> ["lasix"]).

    A hyphen between a letter and a digit is dropped first: "B-12" is "b12".
    """
    folded = _undotted(fold(text))
    return _WORD.findall(_LETTER_HYPHEN_DIGIT.sub("", folded) if "-" in folded else folded)


def unit_key(unit: str) -> str:
    """``m[IU]/L`` -> ``miu/l``; ``mEq / L`` -> ``meq/l``; ``mL/min/{1.73_m2}`` ->
    ``ml/min/1.73m2``."""
    return _UNIT_NOISE.sub("", fold(unit))
