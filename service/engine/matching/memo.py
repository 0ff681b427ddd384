"""The phrase memo: matches of phrases keyed by their vocabulary words.

An unknown word stands as ``"?"`` in a key, so a key holds only words the knowledge base
already knows: the memo never keeps free text, names or numbers from a request, nothing
of a patient. It is bounded (cleared when full).
"""

from __future__ import annotations

from typing import TypeVar

MEMO_LIMIT = 65_536
# Stands in a memo key for a word the vocabulary does not know (never the word itself).
UNKNOWN_WORD = "?"

Key = tuple[str, ...]
V = TypeVar("V")


def remember(memo: dict[Key, V], key: Key, value: V) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
