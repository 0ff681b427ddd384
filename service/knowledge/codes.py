"""The code tables (``datasets/**/*.tsv``: RxNorm products, SNOMED CT disorders) and the
RxNorm index built from them.

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

from service.knowledge.schema import Drug, Route, RxNormCode, SnomedCode
from service.knowledge.text import tokens

RXNORM_COLUMNS = ("code", "tty", "name", "ingredients", "sources")
SNOMED_COLUMNS = ("code", "name", "conditions", "sources")
_BRAND = re.compile(r"\s*\[[^\]]*\]\s*$")
_LAST_NUMBER_WORD = re.compile(r"[0-9]\S*(?=[^0-9]*$)")


class RxNormEntry(msgspec.Struct, frozen=True, gc=False):
    """What an RxCUI names: its ingredients, and the route of its dose form (if any)."""

    drug_ids: tuple[str, ...]
    route: Route | None


def read_code_table(name: str, raw: bytes) -> list[RxNormCode] | list[SnomedCode]:
    """Rows of a tab-separated code table; its header says which (``RXNORM_COLUMNS`` or
    ``SNOMED_COLUMNS``). A list column holds ids separated by single spaces."""
    lines = raw.decode("utf-8").splitlines()
    header = tuple(lines[0].split("\t")) if lines else ()
    row_type: type[RxNormCode] | type[SnomedCode]
    if header == RXNORM_COLUMNS:
        row_type, lists = RxNormCode, (3, 4)
    elif header == SNOMED_COLUMNS:
        row_type, lists = SnomedCode, (2, 3)
    else:
        raise ValueError(f"{name}: the header must be {RXNORM_COLUMNS} or {SNOMED_COLUMNS}")
    records: list[list[str | list[str]]] = []
    for number, line in enumerate(lines[1:], start=2):
        fields: list[str | list[str]] = list(line.split("\t"))
        if len(fields) != len(header):
            raise ValueError(f"{name}:{number}: {len(fields)} fields, not {len(header)}")
        for column in lists:
            fields[column] = str(fields[column]).split(" ")
        records.append(fields)
    try:
        return msgspec.convert(records, list[row_type], strict=True)  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        where = re.match(r".*?\$\[(\d+)\]", str(exc))
        line = f":{int(where.group(1)) + 2}" if where else ""
        raise ValueError(f"{name}{line}: {exc}") from exc


def product_route(name: str, route_tokens: Mapping[str, Route]) -> Route | None:
    """The route of an RxNorm product name's dose form: the words after its last strength.

    ``Budesonide 0.25 MG/ML Inhalation Suspension [Pulmicort]`` -> inhaled. An ingredient
    or a component name (no dose form) has none.
    """
    plain = _BRAND.sub("", name) if name.endswith("]") else name
    last = _LAST_NUMBER_WORD.search(plain)
    # A dose form without a strength ("budesonide Dry Powder Inhaler") is read whole; a
    # pack ("{7 (A 5 MG Oral Tablet) } 7 Day Pack") says its form inside the braces.
    texts = [plain] if last is None else [plain[last.end() :]]
    if plain.startswith("{"):
        texts.append(plain)
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
