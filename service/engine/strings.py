"""Small text helpers of the findings and the note (compiled with the engine)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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


def lab_values(values: Sequence[float], comparators: Sequence[str | None] = ()) -> list[str]:
    """Each lab value as the texts show it, with the comparator of a result sent as a bound
    (FHIR ``valueQuantity.comparator``: "<2.5", ">10000"): the report never states an exact
    value the lab did not report (review51 D6)."""
    return [
        ((comparators[i] or "") if i < len(comparators) else "") + shown_value(v)
        for i, v in enumerate(values)
    ]


def shown_at(shown: Sequence[str], index: int, value: float) -> str:
    """The lab value at ``index`` as ``lab_values`` shows it, or as a number when no list is
    given."""
    return shown[index] if index < len(shown) else shown_value(value)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def and_list(items: Sequence[str]) -> str:
    """``items`` as a list in prose: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
