"""Load every ``datasets/**/*.toml`` once, validate it strictly and build the indexes."""

from __future__ import annotations

import hashlib
import re
import tomllib
import typing
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from service.errors import CrampError
from service.knowledge.base import DrugTerm, KnowledgeBase, NearTerms, TermsUnless
from service.knowledge.codes import RxNormEntry, read_code_table, rxnorm_index, table_files
from service.knowledge.schema import (
    REASON_MAX_CHARS,
    Analyte,
    CombinationRule,
    Condition,
    Drug,
    DrugClass,
    DrugGroup,
    EffectInfo,
    EvidenceLevel,
    KnowledgeFile,
    LabOrder,
    LabTest,
    Normalization,
    Product,
    Qualifiers,
    Route,
    RxNormCode,
    SnomedCode,
    Source,
    Texts,
)
from service.knowledge.severity import policy_violations
from service.knowledge.text import drug_key_tokens, fold, tokens, unit_key


class KnowledgeError(CrampError, ValueError):
    """A dataset is invalid; the message names the file and the entry."""


def default_datasets_dir() -> Path:
    """The datasets shipped with the service (``CRAMP_DATASETS_DIR`` overrides it through
    ``Settings``)."""
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
        self.lab_tests: dict[str, LabTest] = {}
        self.rules: dict[str, CombinationRule] = {}
        self.drug_groups: dict[str, DrugGroup] = {}
        self.effects: dict[str, EffectInfo] = {}
        self.lab_orders: dict[str, LabOrder] = {}
        self.normalization: Normalization | None = None
        self.qualifiers: Qualifiers | None = None
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
        for t in kf.lab_test:
            c.add("lab test", c.lab_tests, t.id, t, name)
        for r in kf.rule:
            c.add("rule", c.rules, r.id, r, name)
        for g in kf.drug_group:
            c.add("drug group", c.drug_groups, g.id, g, name)
        for e in kf.effect:
            c.add("effect", c.effects, e.kind, e, name)
        for o in kf.lab_order:
            c.add("lab order", c.lab_orders, o.id, o, name)
        c.products.extend((name, p) for p in kf.product)
        for table in ("normalization", "qualifiers", "texts"):
            value = getattr(kf, table)
            if value is not None:
                if getattr(c, table) is not None:
                    c.errors.append(f"{name}: a second [{table}] table")
                setattr(c, table, value)
    if c.normalization is None or c.qualifiers is None or c.texts is None:
        raise KnowledgeError(
            "datasets: the [normalization], [qualifiers] and [texts] tables are required"
        )
    _check_references(c)
    c.errors.extend(policy_violations(c.classes.values(), c.analytes.values(), c.rules.values()))
    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))
    return _index(c, c.normalization, c.qualifiers, c.texts, version)


def _check_references(c: _Collector) -> None:
    """Every id an entry names exists, and every entry has a known source."""
    _check_drugs(c)
    _check_conditions_and_labs(c)
    _check_rules(c)
    _check_texts(c)


def _need_sources(c: _Collector, where: str, ids: Iterable[str]) -> None:
    for sid in ids:
        if sid not in c.sources:
            c.errors.append(f"{where}: unknown source {sid!r}")


def _check_measured_keys(c: _Collector, where: str, keys: Iterable[str]) -> None:
    """Each analyte or lab test a ``monitoring_when_measured`` key names is known."""
    for key in keys:
        for analyte_id in key.split("+"):
            if analyte_id not in c.analytes and analyte_id not in c.lab_tests:
                c.errors.append(
                    f"{where}: monitoring_when_measured names unknown analyte or lab test"
                    f" {analyte_id!r}"
                )


def _check_drugs(c: _Collector) -> None:
    for dc in c.classes.values():
        where = f"{c.origin[('drug class', dc.id)]}: drug class {dc.id!r}"
        _need_sources(c, where, dc.sources)
        for e in dc.effects:
            _need_sources(c, f"{where} effect {e.kind}", e.sources)
            for other in e.not_additive_with:
                if other not in c.classes:
                    c.errors.append(f"{where} effect {e.kind}: unknown drug class {other!r}")
        _check_measured_keys(c, where, dc.monitoring_when_measured)
    local = frozenset(c.normalization.local_routes) if c.normalization else frozenset()
    for d in c.drugs.values():
        where = f"{c.origin[('drug', d.id)]}: drug {d.id!r}"
        _need_sources(c, where, d.sources)
        for cid in d.classes:
            if cid not in c.classes:
                c.errors.append(f"{where}: unknown drug class {cid!r}")
        if d.not_flagged_because and len(d.not_flagged_because) > REASON_MAX_CHARS:
            c.errors.append(
                f"{where}: not_flagged_because is longer than {REASON_MAX_CHARS} characters"
            )
        for code in d.atc_routes:
            if code not in d.atc:
                c.errors.append(f"{where}: atc_routes names {code!r}, not one of its atc codes")
        for brand in [*d.brand_routes, *d.brand_unit_mg, *d.brand_least_daily_mg]:
            if brand not in d.brands:
                c.errors.append(f"{where}: {brand!r} is named as a brand but is not one")
        for route in d.systemic_routes:
            if route not in local:
                c.errors.append(f"{where}: systemic_routes names {route!r}, not a local route")
        if d.dose_needs_schedule and d.adds_up_above_mg is None:
            c.errors.append(f"{where}: dose_needs_schedule without adds_up_above_mg")
        for aid in d.replaces:
            analyte = c.analytes.get(aid)
            if analyte is None or analyte.low_on_replacement is None:
                c.errors.append(
                    f"{where}: replaces {aid!r}, not an analyte with low_on_replacement"
                )
    named = [
        (f"{c.origin[('RxNorm code', r.code)]}: RxCUI {r.code}", r.sources, r.ingredients)
        for r in c.rxnorm_codes.values()
    ]
    named += [
        (f"{file}: product {p.names[0]!r}", p.sources, p.ingredients) for file, p in c.products
    ]
    for file, p in c.products:
        if p.strength_order and sorted(p.strength_order) != sorted(p.ingredients):
            c.errors.append(
                f"{file}: product {p.names[0]!r}: strength_order is not its ingredients"
            )
    for where, sources, ingredients in named:
        _need_sources(c, where, sources)
        c.errors.extend(
            f"{where}: unknown ingredient {ing!r}" for ing in ingredients if ing not in c.drugs
        )
    for g in c.drug_groups.values():
        where = f"{c.origin[('drug group', g.id)]}: drug group {g.id!r}"
        _need_sources(c, where, g.sources)
        for did in g.drugs:
            if did not in c.drugs:
                c.errors.append(f"{where}: unknown drug {did!r}")
    for info in c.effects.values():
        where = f"{c.origin[('effect', info.kind)]}: effect {info.kind}"
        for aid in info.checks:
            if aid not in c.analytes:
                c.errors.append(f"{where}: unknown analyte {aid!r}")
        if info.shown_by is not None and info.shown_by.split(":")[0] not in c.analytes:
            c.errors.append(f"{where}: shown_by names unknown analyte {info.shown_by!r}")
    missing = {effect.kind for dc in c.classes.values() for effect in dc.effects} - set(c.effects)
    for kind in sorted(missing):
        c.errors.append(f"datasets: effect {kind} has no [[effect]] entry (label, checks)")


def _check_same_entry(c: _Collector, where: str, cond: Condition) -> None:
    same = cond.same_entry
    assert same is not None
    for other in (*same.absorbs, *same.unless_with):
        if other not in c.conditions or other == cond.id:
            c.errors.append(f"{where}: same_entry names unknown condition {other!r}")
    for other in same.absorbs:
        if other in c.conditions and not c.conditions[other].contributes:
            c.errors.append(f"{where}: same_entry absorbs a non-contributor {other!r}")
    if not cond.contributes:
        c.errors.append(f"{where}: same_entry needs a contributing condition")
    for line in (*same.monitoring, *same.management):
        if line in cond.monitoring or line in cond.management:
            c.errors.append(f"{where}: same_entry repeats its own line {line!r}")
    _need_sources(c, f"{where} same_entry", same.sources)


def _check_conditions_and_labs(c: _Collector) -> None:
    for row in c.snomed_codes.values():
        where = f"{c.origin[('SNOMED CT code', row.code)]}: SNOMED CT {row.code}"
        _need_sources(c, where, row.sources)
        c.errors.extend(
            f"{where}: unknown condition {cid!r}"
            for cid in row.conditions
            if cid not in c.conditions
        )
    advice = {
        line
        for entries in (c.classes, c.conditions, c.analytes, c.rules)
        for entry in entries.values()
        for line in (*entry.management, *entry.monitoring)
    }
    for cond in c.conditions.values():
        where = f"{c.origin[('condition', cond.id)]}: condition {cond.id!r}"
        _need_sources(c, where, cond.sources)
        c.errors.extend(
            f"{where}: unfitting_advice names advice no entry gives: {line!r}"
            for line in cond.unfitting_advice
            if line not in advice
        )
        c.errors.extend(
            f"{where}: unbroken_synonyms names a text that is no synonym: {text!r}"
            for text in cond.unbroken_synonyms
            if text not in cond.synonyms
        )
        for cid in cond.labeled_use_of:
            if cid not in c.classes:
                c.errors.append(f"{where}: labeled_use_of names unknown drug class {cid!r}")
        if cond.contributes and cond.mechanism is None:
            c.errors.append(f"{where}: a contributing condition needs a mechanism")
        if cond.measured_by and cond.measured_by.split(":")[0] not in c.analytes:
            c.errors.append(f"{where}: measured_by names unknown analyte {cond.measured_by!r}")
        if cond.same_problem_as_result and cond.measured_by is None:
            c.errors.append(f"{where}: same_problem_as_result needs measured_by")
        if cond.stands_for_result and (cond.measured_by is None or cond.same_problem_as_result):
            c.errors.append(f"{where}: stands_for_result needs measured_by, not same_problem")
        for other in cond.outranks:
            if other not in c.conditions or other == cond.id:
                c.errors.append(f"{where}: outranks names unknown condition {other!r}")
        if cond.same_entry is not None:
            _check_same_entry(c, where, cond)
        if cond.contributes and (cond.evidence_level is None or cond.grade is None):
            c.errors.append(f"{where}: a contributing condition needs evidence_level and grade")
        for aid in cond.checks:
            if aid not in c.analytes:
                c.errors.append(f"{where}: checks names unknown analyte {aid!r}")
        for other in cond.not_with:
            if other not in c.conditions or other == cond.id:
                c.errors.append(f"{where}: not_with names unknown condition {other!r}")
        for other in cond.cured_by:
            if other not in c.conditions or other == cond.id:
                c.errors.append(f"{where}: cured_by names unknown condition {other!r}")
        if cond.not_cured_when and (
            not cond.cured_by or cond.not_cured_when.split(":")[0] not in c.analytes
        ):
            c.errors.append(f"{where}: not_cured_when needs cured_by and a known analyte")
        templates = c.texts.templates if c.texts is not None else {}
        if cond.cured_by and "cured_by_operation" not in templates:
            c.errors.append(f"{where}: cured_by needs the cured_by_operation template")
    for a in c.analytes.values():
        _check_analyte(c, a)
    for t in c.lab_tests.values():
        where = f"{c.origin[('lab test', t.id)]}: lab test {t.id!r}"
        _need_sources(c, where, t.sources)
        if t.id in c.analytes:
            c.errors.append(f"{where}: also an analyte id")
    for o in c.lab_orders.values():
        where = f"{c.origin[('lab order', o.id)]}: lab order {o.id!r}"
        _need_sources(c, where, o.sources)
        for aid in o.for_analytes:
            if aid not in c.analytes:
                c.errors.append(f"{where}: unknown analyte {aid!r}")


def _check_analyte(c: _Collector, a: Analyte) -> None:
    where = f"{c.origin[('analyte', a.id)]}: analyte {a.id!r}"
    _need_sources(c, where, a.sources)
    for other in a.also_check:
        if other not in c.analytes:
            c.errors.append(f"{where}: also_check names unknown analyte {other!r}")
    for band in a.bands:
        _need_sources(c, f"{where} band {band.name!r}", band.sources)
        if band.replaces_advice and not (band.monitoring and band.management):
            c.errors.append(
                f"{where} band {band.name!r}: replaces_advice needs monitoring and management"
            )
        if band.joins_only and (band.severity != "low" or band.monitoring or band.management):
            c.errors.append(
                f"{where} band {band.name!r}: a joins_only band is low, with no advice of its own"
            )
    for key in a.monitoring_when_measured:
        for other in key.split("+"):
            if other not in c.analytes:
                c.errors.append(
                    f"{where}: monitoring_when_measured names unknown analyte {other!r}"
                )
    if a.low_on_replacement is not None and not a.low_on_replacement_sources:
        c.errors.append(f"{where}: low_on_replacement needs low_on_replacement_sources")
    _need_sources(c, f"{where} low_on_replacement", a.low_on_replacement_sources)
    _need_sources(c, f"{where} plausible", a.plausible_sources)
    if a.unit_mixup is not None:
        _need_sources(c, f"{where} unit_mixup", a.unit_mixup.sources)
        units = {unit_key(u) for u in a.units}
        for unit in (a.unit_mixup.sent, a.unit_mixup.likely):
            if unit_key(unit) not in units:
                c.errors.append(f"{where}: unit_mixup names unit {unit!r} it does not convert")
    if a.outranked_by is not None and a.outranked_by not in c.analytes:
        c.errors.append(f"{where}: outranked by unknown analyte {a.outranked_by!r}")
    if a.corrected is not None:
        _need_sources(c, f"{where} correction", a.corrected.sources)
        if a.corrected.by not in c.analytes:
            c.errors.append(f"{where}: corrected by unknown analyte {a.corrected.by!r}")


def _check_rules(c: _Collector) -> None:
    known: dict[str, Mapping[str, object]] = {
        "drug_class": c.classes,
        "drug": c.drugs,
        "drug_group": c.drug_groups,
        "condition": c.conditions,
    }
    for r in c.rules.values():
        where = f"{c.origin[('rule', r.id)]}: rule {r.id!r}"
        _need_sources(c, where, r.sources)
        for i, slot in enumerate(r.slots):
            if not (
                slot.drug_class
                or slot.effect is not None
                or slot.any_effect
                or slot.drug
                or slot.drug_group
                or slot.condition
                or slot.lab
                or slot.any_contributor
            ):
                c.errors.append(f"{where}: slot {i + 1} sets no selector")
            for selector, table in known.items():
                for ident in getattr(slot, selector):
                    if ident not in table:
                        c.errors.append(f"{where}: unknown {selector.replace('_', ' ')} {ident!r}")
            for ident in slot.except_drug_class:
                if ident not in c.classes:
                    c.errors.append(f"{where}: unknown excepted drug class {ident!r}")
            limits = [slot.above_mg, slot.at_least_mg, slot.above_mg_a_week]
            if sum(limit is not None for limit in limits) > 1:
                c.errors.append(f"{where}: slot {i + 1} sets more than one dose limit")
            if (slot.flare_course_above_mg is not None or slot.flare_course_exempt) and all(
                limit is None for limit in limits
            ):
                c.errors.append(f"{where}: slot {i + 1} reads flare courses without a dose limit")
            if slot.needs_dose and not any(limit is not None for limit in limits):
                c.errors.append(f"{where}: slot {i + 1} needs a dose without a dose limit")
            for lab in slot.lab:
                analyte_id, _, state = lab.partition(":")
                if analyte_id not in c.analytes:
                    c.errors.append(f"{where}: unknown analyte in {lab!r}")
                elif state not in ("low", "high") and not any(
                    band.name == state and band.joins_only for band in c.analytes[analyte_id].bands
                ):
                    c.errors.append(
                        f"{where}: {lab!r} is neither a state (low, high) nor a band that"
                        " only joins rules"
                    )
        for part in r.measured_by.split("+") if r.measured_by else ():
            if part.split(":")[0] not in c.analytes:
                c.errors.append(f"{where}: measured_by names unknown analyte {part!r}")
        if (
            r.unless_measured_otherwise
            and r.unless_measured_otherwise.split(":")[0] not in c.analytes
        ):
            c.errors.append(
                f"{where}: unless_measured_otherwise names unknown analyte"
                f" {r.unless_measured_otherwise!r}"
            )
        if r.unless_measured and r.unless_measured.split(":")[0] not in c.analytes:
            c.errors.append(f"{where}: unless_measured names unknown analyte {r.unless_measured!r}")
        for condition_id in r.unless_condition:
            if condition_id not in c.conditions:
                c.errors.append(
                    f"{where}: unless_condition names unknown condition {condition_id!r}"
                )
        if r.one_input and (
            len(r.slots) != 1
            or (
                r.slots[0].above_mg is None
                and r.slots[0].at_least_mg is None
                and r.slots[0].above_mg_a_week is None
            )
            or r.same_ingredient
            or r.adds_up is not None
        ):
            c.errors.append(f"{where}: one_input needs a single dose-limited slot")
        # An unread dose fills a dose-limited slot, or, for a rule about an effect adding
        # up, a strength given without its schedule (``Drug.dose_needs_schedule``).
        if r.title_dose_unknown is not None and (
            r.one_input
            or (
                not any(
                    limit is not None and not slot.needs_dose
                    for slot in r.slots
                    for limit in (slot.above_mg, slot.at_least_mg, slot.above_mg_a_week)
                )
                and r.adds_up is None
            )
        ):
            c.errors.append(f"{where}: title_dose_unknown needs a slot an unread dose can fill")
        _check_duplicate_advice(c, where, r, known)
        _check_measured_keys(c, where, r.monitoring_when_measured)
        for sid in r.suppressed_by:
            if sid not in c.rules:
                c.errors.append(f"{where}: suppressed_by names unknown rule {sid!r}")
        # The engine evaluates a rule after the rules that suppress it: no cycles.
        if _suppresses_itself(c.rules, r.id):
            c.errors.append(f"{where}: suppressed_by leads back to the rule itself")


def _check_duplicate_advice(
    c: _Collector, where: str, r: CombinationRule, known: Mapping[str, Mapping[str, object]]
) -> None:
    """``duplicate_advice``: only on a same-ingredient rule; each entry names what it is for,
    its sources, and a total-dose text with its limit (and a drug to add up)."""
    if r.duplicate_advice and not r.same_ingredient:
        c.errors.append(f"{where}: duplicate_advice needs same_ingredient")
    for i, advice in enumerate(r.duplicate_advice):
        at = f"{where}: duplicate_advice {i + 1}"
        _need_sources(c, at, advice.sources)
        if not (advice.drug or advice.drug_class):
            c.errors.append(f"{at} names no drug or drug class")
        _check_measured_keys(c, at, advice.monitoring_when_measured)
        for selector in ("drug_class", "drug"):
            for ident in getattr(advice, selector):
                if ident not in known[selector]:
                    c.errors.append(f"{at}: unknown {selector.replace('_', ' ')} {ident!r}")
        if (advice.total_at_least_mg is None) != (advice.total_detail is None) or (
            advice.total_at_least_mg is not None and not advice.drug
        ):
            c.errors.append(f"{at}: a total dose needs total_at_least_mg, total_detail and drug")


def _suppresses_itself(rules: Mapping[str, CombinationRule], start: str) -> bool:
    pending = list(rules[start].suppressed_by)
    seen: set[str] = set()
    while pending:
        rid = pending.pop()
        if rid == start:
            return True
        if rid in seen or rid not in rules:
            continue
        seen.add(rid)
        pending.extend(rules[rid].suppressed_by)
    return False


def _check_texts(c: _Collector) -> None:
    if c.texts is not None:
        for level in typing.get_args(EvidenceLevel):
            if level not in c.texts.evidence_labels:
                c.errors.append(f"texts: evidence level {level} has no label")
    if c.qualifiers is not None:
        _need_sources(c, "qualifiers", c.qualifiers.sources)
        for q in c.qualifiers.rule:
            _need_sources(c, f"qualifier rule {q.kind}", q.sources)
            # A pseudo phrase never qualifies a concept, so it is never shown.
            if c.texts is not None and q.kind != "pseudo" and q.kind not in c.texts.templates:
                c.errors.append(f"qualifier kind {q.kind}: no template of that name in [texts]")
            c.errors.extend(
                f"qualifier rule {q.kind}: only_for names unknown condition {cid!r}"
                for cid in q.only_for
                if cid not in c.conditions
            )
        obstetric = c.qualifiers.obstetric_notation
        if obstetric is not None:
            _need_sources(c, "qualifiers obstetric_notation", obstetric.sources)
            if obstetric.condition not in c.conditions:
                c.errors.append(
                    f"qualifiers obstetric_notation: unknown condition {obstetric.condition!r}"
                )
        c.errors.extend(
            f"qualifiers complications_denied_together: unknown condition {cid!r}"
            for cid in c.qualifiers.complications_denied_together
            if cid not in c.conditions
        )


def _condition_terms_unless(c: _Collector) -> dict[str, TermsUnless]:
    """The condition terms with a type word (``Condition.type_words``), the words that,
    said in the same text, keep them from being read, and the phrases that take those
    words back."""
    found: dict[str, TermsUnless] = {}
    for cond in c.conditions.values():
        if not cond.type_words_unless:
            continue
        unless = (
            tuple(tuple(tokens(text)) for text in cond.type_words_unless),
            tuple(tuple(tokens(text)) for text in cond.type_words_unless_not_in),
        )
        for text in (cond.name, *cond.synonyms):
            words = tokens(text)
            if not set(cond.type_words).isdisjoint(words):
                found[" ".join(words)] = unless
    return found


def _index(
    c: _Collector, norm: Normalization, qualifiers: Qualifiers, texts: Texts, version: str
) -> KnowledgeBase:
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
        for text in (d.name, d.id.replace("_", " "), *d.synonyms):
            add_drug_term(text, plain, owner)
        misspelled = DrugTerm((d.id,), None, d.default_route, "spelling")
        for text in d.misspellings:
            add_drug_term(text, misspelled, owner)
        for brand in d.brands:
            route = d.brand_routes.get(brand)
            add_drug_term(brand, DrugTerm((d.id,), route, d.default_route, "brand"), owner)
    strength_orders: dict[str, tuple[str, ...]] = {}
    for _file, p in c.products:
        term = DrugTerm(tuple(p.ingredients), None, p.default_route, "product")
        for text in p.names:
            add_drug_term(text, term, f"product {p.names[0]!r}")
            if p.strength_order:
                strength_orders[" ".join(tokens(text))] = tuple(p.strength_order)

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

    analyte_terms, analyte_abbreviations, loinc = _analyte_index(c)
    lab_test_terms, lab_test_by_loinc = _lab_test_index(
        c, analyte_terms, analyte_abbreviations, norm, loinc
    )

    # A route code is read as a route word is (digits: never a drug text's word).
    route_tokens = _route_tokens(norm.route_tokens) | norm.route_codes
    drug_by_route_word = _route_word_names(c, frozenset(route_tokens) | ignored)

    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))
    fuzzy_words = tuple(sorted({k for k in drug_terms if " " not in k and len(k) >= 5}))
    fuzzy_conditions = tuple(sorted(k for k in condition_terms if len(k) >= 6))
    return KnowledgeBase(
        version=version,
        sources=c.sources,
        classes=c.classes,
        drugs=c.drugs,
        conditions=c.conditions,
        analytes=c.analytes,
        lab_tests=c.lab_tests,
        rules=tuple(c.rules.values()),
        drug_groups=c.drug_groups,
        effects=c.effects,
        lab_orders=tuple(c.lab_orders.values()),
        normalization=norm,
        qualifiers=qualifiers,
        texts=texts,
        drug_terms=drug_terms,
        drug_words_from=_words_from(drug_terms),
        drug_by_rxcui=_rxnorm_index(c, route_tokens),
        rxnorm_codes=c.rxnorm_codes,
        snomed_codes=c.snomed_codes,
        drug_by_atc=_atc_index(c),
        fuzzy_drug_words=_by_initial(fuzzy_words),
        near_drug_words=near_terms(_by_initial(fuzzy_words)),
        near_drug_phrases=near_terms(_by_initial(k for k in drug_terms if " " in k)),
        drug_vocabulary=frozenset(
            {w for k in drug_terms for w in k.split(" ")}
            | ignored
            | set(norm.salt_tokens)
            | set(norm.reference_words)
            | set(norm.cause_words)
            | set(norm.cause_link_words)
            | set(norm.cause_after_words)
            | set(norm.cause_words_not_after)
            | set(norm.route_links)
            | set(norm.route_fillers)
            | {w for key in route_tokens for w in key.split(" ")}
            | set(norm.prn_tokens)
            | {
                w
                for rule in qualifiers.rule
                if "medications" in rule.applies_to
                for phrase in (*rule.phrases, *rule.terminated_by)
                for w in drug_key_tokens(phrase)
            }
            | {w for t in qualifiers.medication_terminators for w in drug_key_tokens(t)}
        ),
        condition_terms={k: tuple(v) for k, v in condition_terms.items()},
        condition_words_from=_words_from(condition_terms),
        condition_terms_unless=_condition_terms_unless(c),
        condition_terms_unbroken=frozenset(
            " ".join(tokens(text))
            for cond in c.conditions.values()
            for text in cond.unbroken_synonyms
        ),
        conditions_by_icd_prefix={k: tuple(v) for k, v in icd.items()},
        icd_exclusions={k: frozenset(v) for k, v in icd_exclusions.items()},
        conditions_by_snomed={k: tuple(v) for k, v in snomed.items()},
        fuzzy_condition_terms=_by_initial(fuzzy_conditions),
        near_condition_terms=near_terms(_by_initial(fuzzy_conditions)),
        condition_vocabulary=frozenset(
            {w for k in condition_terms for w in k.split(" ")}
            | {w for k in c.conditions.values() for t in k.type_words_unless for w in tokens(t)}
            | {
                w
                for p in (
                    *qualifiers.terminators,
                    *(
                        phrase
                        for rule in qualifiers.rule
                        for phrase in (*rule.phrases, *rule.terminated_by)
                    ),
                )
                for w in tokens(p)
            }
        ),
        analyte_by_loinc=loinc,
        strength_orders=strength_orders,
        analyte_terms=analyte_terms,
        analyte_abbreviations=analyte_abbreviations,
        lab_context_words=frozenset(fold(t) for t in norm.lab_context_words),
        lab_test_terms=lab_test_terms,
        lab_test_by_loinc=lab_test_by_loinc,
        unit_factors={
            a.id: {unit_key(u): f for u, f in a.units.items()} for a in c.analytes.values()
        },
        ignored_tokens=ignored,
        salt_tokens=frozenset(norm.salt_tokens),
        reference_words=frozenset(norm.reference_words),
        cause_words=frozenset(norm.cause_words),
        cause_link_words=frozenset(norm.cause_link_words),
        cause_after_words=frozenset(norm.cause_after_words),
        cause_words_not_after=frozenset(norm.cause_words_not_after),
        products=frozenset(
            frozenset(term.drug_ids) for term in drug_terms.values() if len(term.drug_ids) > 1
        ),
        route_tokens=route_tokens,
        route_parents=norm.route_parents,
        site_routes=frozenset(norm.site_routes),
        dose_form_route_words=frozenset(fold(t) for t in norm.dose_form_route_words),
        route_links=frozenset(norm.route_links),
        route_fillers=frozenset(norm.route_fillers),
        local_routes=frozenset(norm.local_routes),
        prn_tokens=frozenset(fold(t) for t in norm.prn_tokens),
        never_fuzzy=frozenset(fold(t) for t in norm.never_fuzzy),
        other_lab_test_words=frozenset(fold(t) for t in norm.other_lab_test_words),
        drug_by_route_word=drug_by_route_word,
    )


def _route_word_names(c: _Collector, route_words: frozenset[str]) -> dict[str, str]:
    """``Drug.route_word_names`` (each one route or dose word) -> the drug."""
    found: dict[str, str] = {}
    for d in c.drugs.values():
        for name in d.route_word_names:
            words = drug_key_tokens(name)
            if len(words) != 1 or words[0] not in route_words:
                c.errors.append(
                    f"drug {d.id!r}: route_word_names {name!r} is not one route or dose word"
                    " (a name that is no such word is a synonym)"
                )
            elif found.setdefault(words[0], d.id) != d.id:
                c.errors.append(f"drug {d.id!r}: route_word_names {name!r} names another drug")
    return found


def _rxnorm_index(c: _Collector, route_tokens: Mapping[str, Route]) -> dict[str, RxNormEntry]:
    index, errors = rxnorm_index(c.drugs.values(), c.rxnorm_codes.values(), route_tokens)
    if errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(errors))
    return index


def _atc_index(c: _Collector) -> dict[str, RxNormEntry]:
    """ATC code -> its drug with the route the code implies, or a combination product's
    ingredients; a code named twice is an error."""
    out: dict[str, RxNormEntry] = {}
    owner: dict[str, str] = {}
    named = [
        (f"drug {d.id!r}", a.upper(), RxNormEntry((d.id,), d.atc_routes.get(a)))
        for d in c.drugs.values()
        for a in d.atc
    ]
    named += [
        (f"product {p.names[0]!r}", a.upper(), RxNormEntry(tuple(p.ingredients), p.default_route))
        for _file, p in c.products
        for a in p.atc
    ]
    for who, code, entry in named:
        if code in out:
            c.errors.append(f"ATC {code} belongs to {owner[code]} and {who}")
        out[code], owner[code] = entry, who
    if c.errors:
        raise KnowledgeError("invalid knowledge base:\n  " + "\n  ".join(c.errors))
    return out


def _by_initial(terms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for term in sorted(terms):
        grouped[term[0]].append(term)
    return {initial: tuple(group) for initial, group in grouped.items()}


# The most edits a fuzzy match allows (``service.engine.matching.fuzzy.max_edits``).
MOST_EDITS = 2


def near_terms(by_initial: dict[str, tuple[str, ...]]) -> NearTerms:
    """``NearTerms`` of terms grouped by first letter, for 1 to ``MOST_EDITS`` edits: a
    fuzzy match then scores only the terms whose length allows it."""
    near: NearTerms = {}
    for initial, group in by_initial.items():
        at_length: dict[int, list[int]] = defaultdict(list)
        for position, term in enumerate(group):
            at_length[len(term)].append(position)
        lengths = {n + d for n in at_length for d in range(-MOST_EDITS, MOST_EDITS + 1)}
        for length in lengths:
            for edits in range(1, MOST_EDITS + 1):
                positions = sorted(
                    p
                    for n in range(length - edits, length + edits + 1)
                    for p in at_length.get(n, ())
                )
                if positions:
                    near[initial, length, edits] = tuple(group[p] for p in positions)
    return near


def _words_from(terms: Iterable[str]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for term in terms:
        words = term.split(" ")
        longest[words[0]] = max(longest.get(words[0], 1), len(words))
    return longest


def _analyte_index(c: _Collector) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Analytes by name and synonym, by abbreviation (whole lab names only), by LOINC."""
    terms: dict[str, str] = {}
    abbreviations: dict[str, str] = {}
    loinc: dict[str, str] = {}
    for a in c.analytes.values():
        for text in (a.name, *a.synonyms):
            terms[" ".join(tokens(text))] = a.id
        for text in a.abbreviations:
            key = " ".join(tokens(text))
            if abbreviations.get(key, a.id) != a.id:
                c.errors.append(
                    f"lab abbreviation {text!r} ({a.id!r}) also names {abbreviations[key]!r}"
                )
            abbreviations[key] = a.id
        for code in (*a.loinc, *(a.corrected.corrected_loinc if a.corrected else ())):
            if code in loinc:
                c.errors.append(f"LOINC {code} belongs to {loinc[code]!r} and {a.id!r}")
            loinc[code] = a.id
    return terms, abbreviations, loinc


def _lab_test_codes(c: _Collector, analyte_by_loinc: Mapping[str, str]) -> dict[str, str]:
    """Known-but-unchecked labs by LOINC code; a code is one test's, never an analyte's."""
    codes: dict[str, str] = {}
    for t in c.lab_tests.values():
        for code in t.loinc:
            owner = analyte_by_loinc.get(code) or codes.get(code)
            if owner is not None:
                c.errors.append(f"LOINC {code} belongs to {owner!r} and {t.id!r}")
            codes[code] = t.id
    return codes


def _lab_test_index(
    c: _Collector,
    analyte_terms: Mapping[str, str],
    analyte_abbreviations: Mapping[str, str],
    norm: Normalization,
    analyte_by_loinc: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Known-but-unchecked labs by name, synonym and abbreviation (and by LOINC code,
    ``_lab_test_codes``). None may name an analyte
    (a checked lab is never read as an unchecked one: "Ca" stays calcium) unless a word of
    another sample or test makes it another test ("hemoglobin A1c"), name another lab
    test, or be only lab context words."""
    context = {fold(w) for w in norm.lab_context_words}
    other = {fold(w) for w in norm.other_lab_test_words}
    terms: dict[str, str] = {}
    for t in c.lab_tests.values():
        where = f"{c.origin[('lab test', t.id)]}: lab test {t.id!r}"
        for text in (t.name, *t.synonyms, *t.abbreviations):
            words = tokens(text)
            key = " ".join(w for w in words if w not in context)
            if not key:
                c.errors.append(f"{where}: {text!r} is only lab context words")
                continue
            # A name with a word of another sample or test (HbA1c) never names an analyte:
            # that word is read first. Any other name must not be an analyte's.
            named = other.isdisjoint(words) and (
                analyte_abbreviations.get(key)
                or next(
                    (
                        analyte_terms[part]
                        for size in range(len(words), 0, -1)
                        for start in range(len(words) - size + 1)
                        if (part := " ".join(words[start : start + size])) in analyte_terms
                    ),
                    None,
                )
            )
            if named:  # the analyte would win: the name would never reach this test
                c.errors.append(f"{where}: {text!r} also names analyte {named!r}")
            if terms.get(key, t.id) != t.id:
                c.errors.append(f"{where}: {text!r} also names lab test {terms[key]!r}")
            terms[key] = t.id
    return terms, _lab_test_codes(c, analyte_by_loinc)


def _route_tokens(mapping: Mapping[str, Route]) -> dict[str, Route]:
    return {fold(k): v for k, v in mapping.items()}
