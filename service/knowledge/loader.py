"""Load every ``datasets/**/*.toml`` once, validate it strictly and build the indexes."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from service.knowledge.base import DrugTerm, KnowledgeBase
from service.knowledge.codes import RxNormEntry, read_code_table, rxnorm_index, table_files
from service.knowledge.schema import (
    Analyte,
    CombinationRule,
    Condition,
    Drug,
    DrugClass,
    KnowledgeFile,
    Normalization,
    Product,
    Route,
    RxNormCode,
    SnomedCode,
    Source,
    Texts,
)
from service.knowledge.text import drug_key_tokens, fold, tokens, unit_key

DATASETS_ENV = "CRAMP_DATASETS_DIR"


class KnowledgeError(ValueError):
    """A dataset is invalid; the message names the file and the entry."""


def default_datasets_dir() -> Path:
    configured = os.environ.get(DATASETS_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "datasets"


def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    directory = directory or default_datasets_dir()
    files = sorted(directory.rglob("*.toml"))
    if not files:
        raise KnowledgeError(f"{directory}: no dataset files (*.toml) found")
    digest = hashlib.sha256()
    parsed: list[tuple[str, KnowledgeFile]] = []
    for path in files:
        raw = path.read_bytes()
        name = path.relative_to(directory).as_posix()
        digest.update(name.encode() + b"\0" + raw)
        parsed.append((name, _parse_file(name, raw)))
    codes: list[tuple[str, RxNormCode | SnomedCode]] = []
    for path in table_files(directory):
        raw = path.read_bytes()
        name = path.relative_to(directory).as_posix()
        digest.update(name.encode() + b"\0" + raw)
        try:
            codes.extend((name, row) for row in read_code_table(name, raw))
        except ValueError as exc:
            raise KnowledgeError(str(exc)) from exc
    return _build(parsed, version=f"kb-{digest.hexdigest()[:12]}", codes=codes)


def _parse_file(name: str, raw: bytes) -> KnowledgeFile:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{name}: not valid TOML: {exc}") from exc
    try:
        return msgspec.convert(data, KnowledgeFile, strict=True)
    except msgspec.ValidationError as exc:
        raise KnowledgeError(f"{name}: {_entry_hint(data, str(exc))}{exc}") from exc


def _entry_hint(data: dict[str, Any], message: str) -> str:
    """Name the entry (by its id) that a ``$.drug[12].x`` error path points at."""
    match = re.search(r"\$\.(\w+)\[(\d+)\]", message)
    if not match:
        return ""
    table, index = match.group(1), int(match.group(2))
    try:
        entry = data[table][index]
    except (KeyError, IndexError, TypeError):
        return ""
    label = entry.get("id") or entry.get("names") if isinstance(entry, dict) else None
    return f"{table} entry {label!r}: " if label else f"{table} entry #{index + 1}: "


class _Collector:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.sources: dict[str, Source] = {}
        self.classes: dict[str, DrugClass] = {}
        self.drugs: dict[str, Drug] = {}
        self.products: list[tuple[str, Product]] = []
        self.rxnorm_codes: dict[str, RxNormCode] = {}
        self.snomed_codes: dict[str, SnomedCode] = {}
        self.conditions: dict[str, Condition] = {}
        self.analytes: dict[str, Analyte] = {}
        self.rules: dict[str, CombinationRule] = {}
        self.normalization: Normalization | None = None
        self.texts: Texts | None = None
        self.origin: dict[tuple[str, str], str] = {}

    def add(self, kind: str, table: dict[str, Any], key: str, value: Any, file: str) -> None:
        if key in table:
            self.errors.append(
                f"{file}: {kind} {key!r} is defined twice (also in {self.origin[(kind, key)]})"
            )
            return
        table[key] = value
        self.origin[(kind, key)] = file


def _build(
    parsed: list[tuple[str, KnowledgeFile]],
    version: str,
    codes: Iterable[tuple[str, RxNormCode | SnomedCode]] = (),
) -> KnowledgeBase:
    c = _Collector()
    for name, row in codes:
        if isinstance(row, RxNormCode):
            c.add("RxNorm code", c.rxnorm_codes, row.code, row, name)
        else:
            c.add("SNOMED CT code", c.snomed_codes, row.code, row, name)
    for name, kf in parsed:
        for s in kf.source:
            c.add("source", c.sources, s.id, s, name)
        for dc in kf.drug_class:
            c.add("drug class", c.classes, dc.id, dc, name)
        for d in kf.drug:
            c.add("drug", c.drugs, d.id, d, name)
        for cond in kf.condition:
            c.add("condition", c.conditions, cond.id, cond, name)
        for a in kf.analyte:
            c.add("analyte", c.analytes, a.id, a, name)
        for r in kf.rule:
            c.add("rule", c.rules, r.id, r, name)
        c.products.extend((name, p) for p in kf.product)
        if kf.normalization is not None:
            if c.normalization is not None:
                c.errors.append(f"{name}: a second [normalization] table")
            c.normalization = kf.normalization
        if kf.texts is not None:
            if c.texts is not None:
                c.errors.append(f"{name}: a second [texts] table")
            c.texts = kf.texts
    if c.normalization is None or c.texts is None:
        raise KnowledgeError("datasets: the [normalization] and [texts] tables are required")
    _check_references(c)
    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))
    return _index(c, c.normalization, c.texts, version)


def _check_references(c: _Collector) -> None:
    def need_sources(where: str, ids: Iterable[str]) -> None:
        for sid in ids:
            if sid not in c.sources:
                c.errors.append(f"{where}: unknown source {sid!r}")

    for dc in c.classes.values():
        where = f"{c.origin[('drug class', dc.id)]}: drug class {dc.id!r}"
        need_sources(where, dc.sources)
        for e in dc.effects:
            need_sources(f"{where} effect {e.kind}", e.sources)
    for d in c.drugs.values():
        where = f"{c.origin[('drug', d.id)]}: drug {d.id!r}"
        need_sources(where, d.sources)
        for cid in d.classes:
            if cid not in c.classes:
                c.errors.append(f"{where}: unknown drug class {cid!r}")
        for brand in d.brand_routes:
            if brand not in d.brands:
                c.errors.append(f"{where}: brand_routes names {brand!r}, which is not a brand")
    named = [
        (f"{c.origin[('RxNorm code', r.code)]}: RxCUI {r.code}", r.sources, r.ingredients)
        for r in c.rxnorm_codes.values()
    ]
    named += [
        (f"{file}: product {p.names[0]!r}", p.sources, p.ingredients) for file, p in c.products
    ]
    for row in c.snomed_codes.values():
        where = f"{c.origin[('SNOMED CT code', row.code)]}: SNOMED CT {row.code}"
        need_sources(where, row.sources)
        c.errors.extend(
            f"{where}: unknown condition {cid!r}"
            for cid in row.conditions
            if cid not in c.conditions
        )
    for where, sources, ingredients in named:
        need_sources(where, sources)
        c.errors.extend(
            f"{where}: unknown ingredient {ing!r}" for ing in ingredients if ing not in c.drugs
        )
    for cond in c.conditions.values():
        where = f"{c.origin[('condition', cond.id)]}: condition {cond.id!r}"
        need_sources(where, cond.sources)
        if cond.contributes and (cond.severity is None or cond.mechanism is None):
            c.errors.append(f"{where}: a contributing condition needs severity and mechanism")
        if cond.contributes and (cond.evidence_level is None or cond.grade is None):
            c.errors.append(f"{where}: a contributing condition needs evidence_level and grade")
    for a in c.analytes.values():
        need_sources(f"{c.origin[('analyte', a.id)]}: analyte {a.id!r}", a.sources)
    for r in c.rules.values():
        where = f"{c.origin[('rule', r.id)]}: rule {r.id!r}"
        need_sources(where, r.sources)
        for i, slot in enumerate(r.slots):
            selectors = [
                bool(slot.drug_class),
                slot.effect is not None,
                bool(slot.drug),
                bool(slot.condition),
                bool(slot.lab),
            ]
            if not any(selectors):
                c.errors.append(f"{where}: slot {i + 1} sets no selector")
            for cid in slot.drug_class:
                if cid not in c.classes:
                    c.errors.append(f"{where}: unknown drug class {cid!r}")
            for did in slot.drug:
                if did not in c.drugs:
                    c.errors.append(f"{where}: unknown drug {did!r}")
            for cid in slot.condition:
                if cid not in c.conditions:
                    c.errors.append(f"{where}: unknown condition {cid!r}")
            for lab in slot.lab:
                if lab.split(":")[0] not in c.analytes:
                    c.errors.append(f"{where}: unknown analyte in {lab!r}")
        for sid in r.suppressed_by:
            if sid not in c.rules:
                c.errors.append(f"{where}: suppressed_by names unknown rule {sid!r}")


def _index(c: _Collector, norm: Normalization, texts: Texts, version: str) -> KnowledgeBase:
    ignored = frozenset(norm.ignored_tokens)
    drug_terms: dict[str, DrugTerm] = {}
    term_owner: dict[str, str] = {}

    def add_drug_term(text: str, term: DrugTerm, owner: str, explicit: bool = True) -> None:
        words = drug_key_tokens(text)
        variants = [" ".join(words)]
        stripped = [w for w in words if w not in ignored]
        if stripped and stripped != words:
            variants.append(" ".join(stripped))
        for n, key in enumerate(variants):
            if not key:
                continue
            existing = drug_terms.get(key)
            if existing is None:
                drug_terms[key] = term
                term_owner[key] = owner
            elif existing.drug_ids != term.drug_ids and explicit and n == 0:
                c.errors.append(
                    f"drug name {text!r} ({owner}) also names {term_owner[key]}: "
                    "a term must map to one concept"
                )

    for d in c.drugs.values():
        owner = f"drug {d.id!r}"
        plain = DrugTerm((d.id,), None, d.default_route)
        for text in (d.name, d.id.replace("_", " "), *d.synonyms, *d.misspellings):
            add_drug_term(text, plain, owner)
        for brand in d.brands:
            add_drug_term(
                brand, DrugTerm((d.id,), d.brand_routes.get(brand), d.default_route), owner
            )
    for _file, p in c.products:
        term = DrugTerm(tuple(p.ingredients), None, p.default_route)
        for text in p.names:
            add_drug_term(text, term, f"product {p.names[0]!r}")

    condition_terms: dict[str, list[str]] = defaultdict(list)
    icd: dict[str, list[str]] = defaultdict(list)
    snomed: dict[str, list[str]] = defaultdict(list)
    icd_exclusions: dict[str, set[str]] = defaultdict(set)
    for cond in c.conditions.values():
        for text in (cond.name, *cond.synonyms):
            key = " ".join(tokens(text))
            if key and cond.id not in condition_terms[key]:
                if condition_terms[key]:
                    c.errors.append(
                        f"condition term {text!r} ({cond.id!r}) also names "
                        f"{condition_terms[key]}: a term must map to one concept"
                    )
                condition_terms[key].append(cond.id)
        for code in cond.icd10cm:
            icd[code.replace(".", "")].append(cond.id)
        for code in cond.icd10cm_exclude:
            icd_exclusions[code.replace(".", "")].add(cond.id)
        for sct in cond.snomed:
            snomed[sct].append(cond.id)
    for row in c.snomed_codes.values():
        snomed[row.code].extend(cid for cid in row.conditions if cid not in snomed[row.code])

    analyte_terms: dict[str, str] = {}
    loinc: dict[str, str] = {}
    for a in c.analytes.values():
        for text in (a.name, *a.synonyms):
            analyte_terms[" ".join(tokens(text))] = a.id
        for code in a.loinc:
            if code in loinc:
                c.errors.append(f"LOINC {code} belongs to {loinc[code]!r} and {a.id!r}")
            loinc[code] = a.id

    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))

    effects_by_drug = {
        d.id: frozenset(e.kind for cid in d.classes for e in c.classes[cid].effects)
        for d in c.drugs.values()
    }
    route_tokens = _route_tokens(norm.route_tokens)
    fuzzy_words = tuple(sorted({k for k in drug_terms if " " not in k and len(k) >= 5}))
    fuzzy_conditions = tuple(sorted(k for k in condition_terms if len(k) >= 6))
    return KnowledgeBase(
        version=version,
        sources=c.sources,
        classes=c.classes,
        drugs=c.drugs,
        conditions=c.conditions,
        analytes=c.analytes,
        rules=tuple(c.rules.values()),
        normalization=norm,
        texts=texts,
        drug_terms=drug_terms,
        drug_words_from=_words_from(drug_terms),
        drug_by_rxcui=_rxnorm_index(c, route_tokens),
        rxnorm_codes=c.rxnorm_codes,
        snomed_codes=c.snomed_codes,
        drug_by_atc=_unique_codes(
            c, "ATC", ((a.upper(), d.id) for d in c.drugs.values() for a in d.atc)
        ),
        class_by_atc_prefix={
            p.upper(): dc.id for dc in c.classes.values() for p in dc.atc_prefixes
        },
        fuzzy_drug_words=_by_initial(fuzzy_words),
        drug_vocabulary=frozenset(
            {w for k in drug_terms for w in k.split(" ")}
            | ignored
            | set(norm.salt_tokens)
            | set(route_tokens)
        ),
        condition_terms={k: tuple(v) for k, v in condition_terms.items()},
        condition_words_from=_words_from(condition_terms),
        conditions_by_icd_prefix={k: tuple(v) for k, v in icd.items()},
        icd_exclusions={k: frozenset(v) for k, v in icd_exclusions.items()},
        conditions_by_snomed={k: tuple(v) for k, v in snomed.items()},
        fuzzy_condition_terms=_by_initial(fuzzy_conditions),
        condition_vocabulary=frozenset(
            {w for k in condition_terms for w in k.split(" ")}
            | {
                w
                for p in (*norm.negation_prefixes, *norm.family_history_prefixes)
                for w in tokens(p)
            }
        ),
        analyte_by_loinc=loinc,
        analyte_terms=analyte_terms,
        unit_factors={
            a.id: {unit_key(u): f for u, f in a.units.items()} for a in c.analytes.values()
        },
        ignored_tokens=ignored,
        salt_tokens=frozenset(norm.salt_tokens),
        route_tokens=route_tokens,
        negation_prefixes=_phrases(norm.negation_prefixes),
        family_history_prefixes=_phrases(norm.family_history_prefixes),
        qualifier_first_words=frozenset(
            p[0] for p in _phrases([*norm.negation_prefixes, *norm.family_history_prefixes])
        ),
        effects_by_drug=effects_by_drug,
    )


def _rxnorm_index(c: _Collector, route_tokens: Mapping[str, Route]) -> dict[str, RxNormEntry]:
    index, errors = rxnorm_index(c.drugs.values(), c.rxnorm_codes.values(), route_tokens)
    if errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(errors))
    return index


def _unique_codes(c: _Collector, system: str, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, drug_id in pairs:
        if code in out and out[code] != drug_id:
            c.errors.append(f"{system} {code} belongs to {out[code]!r} and {drug_id!r}")
        out[code] = drug_id
    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))
    return out


def _by_initial(terms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for term in sorted(terms):
        grouped[term[0]].append(term)
    return {initial: tuple(group) for initial, group in grouped.items()}


def _words_from(terms: Iterable[str]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for term in terms:
        words = term.split(" ")
        longest[words[0]] = max(longest.get(words[0], 1), len(words))
    return longest


def _route_tokens(mapping: Mapping[str, Route]) -> dict[str, Route]:
    return {fold(k): v for k, v in mapping.items()}


def _phrases(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(tokens(p)) for p in items if tokens(p)}, key=len, reverse=True))
