"""The RxNorm code table (``datasets/**/*.tsv``) and the code index built from it.

A product code (a clinical or branded drug, a pack) names its ingredients and, through
the dose form at the end of its RxNorm name ("... Inhalation Suspension", "... Oral
Tablet"), the route: inhaled budesonide is not a systemic corticosteroid. The route is
read with the ``route_tokens`` of ``normalization.toml``, as free text is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec

from service.knowledge.schema import Drug, Route, RxNormCode
from service.knowledge.text import tokens

RXNORM_COLUMNS = ("code", "tty", "name", "ingredients", "sources")
_BRAND = re.compile(r"\s*\[[^\]]*\]\s*$")
_LAST_NUMBER_WORD = re.compile(r"[0-9]\S*(?=[^0-9]*$)")


class RxNormEntry(msgspec.Struct, frozen=True, gc=False):
    """What an RxCUI names: its ingredients, and the route of its dose form (if any)."""

    drug_ids: tuple[str, ...]
    route: Route | None


def read_rxnorm_table(name: str, raw: bytes) -> list[RxNormCode]:
    """Rows of a tab-separated code table with the header ``RXNORM_COLUMNS``."""
    lines = raw.decode("utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != RXNORM_COLUMNS:
        raise ValueError(f"{name}: the header must be {chr(9).join(RXNORM_COLUMNS)!r}")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(RXNORM_COLUMNS):
            raise ValueError(f"{name}:{number}: {len(fields)} fields, not {len(RXNORM_COLUMNS)}")
        code, tty, text, ingredients, sources = fields
        records.append((code, tty, text, ingredients.split(" "), sources.split(" ")))
    try:
        return msgspec.convert(records, list[RxNormCode], strict=True)
    except msgspec.ValidationError as exc:
        where = re.match(r".*?\$\[(\d+)\]", str(exc))
        line = f":{int(where.group(1)) + 2}" if where else ""
        raise ValueError(f"{name}{line}: {exc}") from exc


def product_route(name: str, route_tokens: Mapping[str, Route]) -> Route | None:
    """The route of an RxNorm product name's dose form: the words after its last strength.

    ``Budesonide 0.25 MG/ML Inhalation Suspension [Pulmicort]`` -> inhaled. An ingredient
    or a component name (no dose form after the strength) has none.
    """
    plain = _BRAND.sub("", name) if name.endswith("]") else name
    last = _LAST_NUMBER_WORD.search(plain)
    if last is None:
        return None
    # A pack ("{7 (A 5 MG Oral Tablet) } 7 Day Pack") says its form inside the braces.
    texts = [plain[last.end() :]] + ([plain] if plain.startswith("{") else [])
    for text in texts:
        for token in tokens(text):
            route = route_tokens.get(token)
            if route:
                return route
    return None


def rxnorm_index(
    drugs: Iterable[Drug], table: Iterable[RxNormCode], route_tokens: Mapping[str, Route]
) -> tuple[dict[str, RxNormEntry], list[str]]:
    """RxCUI -> entry, from the drugs' own ``rxcui`` and the code table; and the conflicts."""
    index: dict[str, RxNormEntry] = {}
    errors: list[str] = []
    for drug in drugs:
        for code in drug.rxcui:
            if code in index and index[code].drug_ids != (drug.id,):
                errors.append(f"RxCUI {code} belongs to {index[code].drug_ids} and {drug.id!r}")
            index[code] = RxNormEntry((drug.id,), None)
    entries: dict[tuple[tuple[str, ...], Route | None], RxNormEntry] = {}
    for row in table:
        key = (tuple(row.ingredients), product_route(row.name, route_tokens))
        entry = entries.get(key) or entries.setdefault(key, RxNormEntry(*key))
        known = index.get(row.code)
        if known is not None and known.drug_ids != entry.drug_ids:
            errors.append(
                f"RxCUI {row.code} ({row.name}) names {entry.drug_ids}, not {known.drug_ids}"
            )
            continue
        index[row.code] = entry
    return index, errors


def table_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.tsv"))
