"""Small text helpers of the findings and the note (compiled with the engine)."""

from __future__ import annotations

from collections.abc import Iterable


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def shown_value(value: float) -> str:
    """A lab value as a clinician writes it: ``3.0`` stays ``3.0``, ``1800`` stays
    ``1800``."""
    if value.is_integer() and abs(value) < 100:
        return f"{value:.1f}"
    return f"{value:g}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
