"""Small text helpers of the findings and the note (compiled with the engine)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A strength in mg, or in g ("niacin ER 2 g").
# A strength in mg, or in g ("niacin ER 2 g"); thousands may be separated ("1,000 mg").
STRENGTH = re.compile(
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(mg|g|gm|grams?)\b", re.IGNORECASE
)


def strength_mg(strength: re.Match[str]) -> float:
    """A strength (``STRENGTH``, or a bare number: mg) in mg."""
    grams = strength.lastindex == 2 and strength.group(2).lower() != "mg"
    return float(strength.group(1).replace(",", "")) * (1000.0 if grams else 1.0)


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
