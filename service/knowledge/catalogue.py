"""A human-readable catalogue of the knowledge base, for clinical reviewers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import Analyte

_INGREDIENT_TTYS = frozenset({"IN", "PIN", "MIN", "BN"})


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sources(kb: KnowledgeBase, ids: Iterable[str]) -> str:
    return "; ".join(f"[{sid}]" for sid in dict.fromkeys(ids))


def _unit_mixup(kb: KnowledgeBase, a: Analyte) -> str:
    m = a.unit_mixup
    if m is None:
        return ""
    return (
        f"; sent in {m.sent} below {m.below:g} {a.canonical_unit} with a decimal "
        f"fraction: probably {m.likely}, not read (confirm the value and unit; "
        f"{_sources(kb, m.sources)})"
        + (
            f"; read as {m.likely} when below {m.read_below:g} {a.canonical_unit} in {m.likely}"
            if m.read_below is not None
            else ""
        )
    )


def render_catalogue(kb: KnowledgeBase) -> str:
    products = Counter(
        d for r in kb.rxnorm_codes.values() if r.tty not in _INGREDIENT_TTYS for d in r.ingredients
    )
    snomed = Counter(c for r in kb.snomed_codes.values() for c in r.conditions)
    product_codes = sum(1 for r in kb.rxnorm_codes.values() if r.tty not in _INGREDIENT_TTYS)
    lines = [
        "# Knowledge catalogue",
        "",
        "Generated from `datasets/` by `python -m service catalogue -o "
        "docs/knowledge-catalogue.md`; a test fails when it is out of date. Do not edit by "
        "hand: change the datasets and regenerate.",
        "",
        f"Knowledge version `{kb.version}`. "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kb.counts().items())
        + ".",
        "",
        "A drug or a condition on its own is a low-severity finding; what raises the",
        "severity is a second factor (a combination rule below) or a measured result",
        "(docs/clinical-policy.md).",
        "",
        "## Code tables",
        "",
        f"{len(kb.rxnorm_codes)} RxNorm codes (of them {product_codes} clinical or branded "
        f"drugs and packs) and {len(kb.snomed_codes)} SNOMED CT codes "
        "come from the tables "
        "`datasets/rxnorm/codes.tsv` and `datasets/snomed/codes.tsv`, built by "
        "`scripts/build_rxnorm_codes.py` and `scripts/build_snomed_codes.py` from published "
        "value sets, codesets and records pinned to a commit (`datasets/rxnorm/sources.toml`; "
        "see `datasets/README.md`). Each code is proven by its name, read by the service's own "
        "matcher; the tables below give the number of product codes per drug and of table "
        "SNOMED CT codes per condition rather than every code.",
        "",
        "## Drug classes and their effects",
        "",
        "| class | effect | adds up | evidence | mechanism | sources |",
        "|---|---|---|---|---|---|",
    ]
    for dc in sorted(kb.classes.values(), key=lambda c: c.name):
        routes = f" (routes: {', '.join(dc.routes)})" if dc.routes else ""
        for e in dc.effects:
            level = kb.texts.evidence_labels[e.evidence_level]
            adds = "always"
            if e.additive_routes:
                adds = f"only by {', '.join(e.additive_routes)}"
            if not e.additive_when_prn:
                adds = "not as needed" if adds == "always" else f"{adds}, not as needed"
            lines.append(
                f"| {_cell(dc.name)}{routes} | {kb.effects[e.kind].label} | {adds} "
                f"| {e.grade}, {level} | {_cell(e.mechanism)} | {_sources(kb, e.sources)} |"
            )
    lines += ["", "### What a finding says, per class", ""]
    lines += [f"- **{dc.name}**: {_cell(dc.detail)}" for dc in kb.classes.values()]
    lines += [
        "",
        "## Flagged drugs",
        "",
        "| drug | classes | brands | RxCUI (ingredient) | RxNorm products | sources |",
        "|---|---|---|---|---|---|",
    ]
    flagged = [d for d in kb.drugs.values() if d.classes]
    for d in sorted(flagged, key=lambda d: d.name):
        classes = ", ".join(kb.classes[c].name for c in d.classes)
        lines.append(
            f"| {_cell(d.name)} | {classes} | {_cell(', '.join(d.brands))} "
            f"| {', '.join(d.rxcui)} | {products[d.id]} | {_sources(kb, d.sources)} |"
        )
    lines += [
        "",
        "## Recognized drugs (checked, not flagged)",
        "",
        "| drug | brands | RxCUI (ingredient) | RxNorm products | why not flagged |",
        "|---|---|---|---|---|",
    ]
    for d in sorted((d for d in kb.drugs.values() if not d.classes), key=lambda d: d.name):
        lines.append(
            f"| {_cell(d.name)} | {_cell(', '.join(d.brands))} | {', '.join(d.rxcui)} "
            f"| {products[d.id]} | {_cell(d.not_flagged_because or '')} |"
        )
    lines += [
        "",
        "## Contributing conditions",
        "",
        "| condition | episode | evidence | ICD-10-CM | SNOMED CT | SNOMED CT (table) "
        "| mechanism | sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    conditions = sorted(kb.conditions.values(), key=lambda c: c.name)
    for c in (c for c in conditions if c.contributes):
        level = kb.texts.evidence_labels[c.evidence_level] if c.evidence_level else ""
        episode = "acute" if c.acute else "chronic"
        lines.append(
            f"| {_cell(c.name)} | {episode} | {c.grade}, {level} | {', '.join(c.icd10cm)} "
            f"| {', '.join(c.snomed)} | {snomed[c.id]} | {_cell(c.mechanism or '')} "
            f"| {_sources(kb, c.sources)} |"
        )
    lines += [
        "",
        "## Recognized conditions (checked, not contributors)",
        "",
        "| condition | ICD-10-CM | SNOMED CT | SNOMED CT (table) |",
        "|---|---|---|---|",
    ]
    for c in (c for c in conditions if not c.contributes):
        lines.append(
            f"| {_cell(c.name)} | {', '.join(c.icd10cm)} | {', '.join(c.snomed)} | {snomed[c.id]} |"
        )
    lines += [
        "",
        "## Labs",
        "",
        "| analyte | LOINC | units | findings | sources |",
        "|---|---|---|---|---|",
    ]
    for a in kb.analytes.values():
        bands = "; ".join(
            f"{b.title}: {'<' if b.state == 'low' else '>'}{'=' if b.inclusive else ''} "
            f"{b.below if b.state == 'low' else b.above} {a.canonical_unit}"
            + (f" ({b.sex})" if b.sex else "")
            + (" (pregnancy)" if b.pregnant else "")
            + (f" (age up to {b.max_age_years:g} years)" if b.max_age_years else "")
            + (" -> joins rules only" if b.joins_only else f" -> {b.severity}")
            for b in a.bands
        )
        bands += f"; possible values {a.plausible[0]:g}-{a.plausible[1]:g} {a.canonical_unit}"
        if a.plausible_sources:
            bands += f" ({_sources(kb, a.plausible_sources)})"
        bands += _unit_mixup(kb, a)
        lines.append(
            f"| {a.name} | {', '.join(a.loinc)} | {', '.join(a.units)} "
            f"| {_cell(bands)} | {_sources(kb, a.sources)} |"
        )
    lines += [
        "",
        "Labs known but not checked (recognized with this reason, never flagged; the value "
        "and unit are not read; matched by the whole lab name only):",
        "",
        "| lab | names | reason | sources |",
        "|---|---|---|---|",
    ]
    for t in kb.lab_tests.values():
        names = ", ".join(dict.fromkeys([*t.synonyms, *t.abbreviations]))
        lines.append(
            f"| {_cell(t.name)} | {_cell(names)} | {_cell(t.not_checked_because)} "
            f"| {_sources(kb, t.sources)} |"
        )
    lines += [
        "",
        "## Combination rules",
        "",
        "| rule | severity | basis | evidence | detail | sources |",
        "|---|---|---|---|---|---|",
    ]
    for r in kb.rules:
        level = kb.texts.evidence_labels[r.evidence_level]
        raised = "".join(f"; {e.lab} -> {e.severity}" for e in r.escalate)
        lines.append(
            f"| {_cell(r.title)} | {r.severity}{raised} | {r.basis.replace('_', ' ')} "
            f"| {r.grade}, {level} | {_cell(r.detail)} "
            f"| {_sources(kb, [*r.sources, *(s for a in r.duplicate_advice for s in a.sources)])} |"
        )
    lines += ["", "## Drug groups (named by interaction rules only)", ""]
    for g in kb.drug_groups.values():
        members = ", ".join(kb.drugs[d].name for d in g.drugs)
        lines.append(f"- **{g.name}**: {members} {_sources(kb, g.sources)}")
    lines += ["", "## Qualifiers (free-text negation, family, history, stopped)", ""]
    for q in kb.qualifiers.rule:
        phrases = ", ".join(f"`{p}`" for p in q.phrases)
        limits = "".join(
            (
                "; opening a clause" if q.starts_clause else "",
                "; not when followed by " + ", ".join(f"`{p}`" for p in q.unless_followed_by)
                if q.unless_followed_by
                else "",
                "; only for " + ", ".join(q.only_for) if q.only_for else "",
            )
        )
        lines.append(
            f"- {q.kind} ({q.direction}, {q.scope} words, {', '.join(q.applies_to)}{limits}): "
            f"{phrases}"
        )
    lines += ["", "## Sources", ""]
    for s in sorted(kb.sources.values(), key=lambda s: s.id):
        lines.append(f"- **[{s.id}]** ({s.kind}) {s.citation} <{s.url}>")
    return "\n".join(lines) + "\n"
