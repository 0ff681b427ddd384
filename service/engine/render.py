"""Findings rendered from the dataset templates: knowledge only, never request data.

Everything here runs once per knowledge base (``prepare``); a request only attaches its
inputs to a rendered finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from service.engine.models import EffectSummary, Evidence, Finding
from service.engine.strings import cap, unique
from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import CombinationRule, DrugClass, LabBand, Route
from service.knowledge.severity import GRADE_RANK


class SharedLists(msgspec.Struct, frozen=True, gc=False):
    """The lists every finding of one concept or rule shares (findings never change them)."""

    monitoring: list[str]
    management: list[str]
    evidence: list[Evidence]
    labs_to_check: list[str]


def evidence(kb: KnowledgeBase, source_ids: Iterable[str]) -> list[Evidence]:
    """The clinical evidence of a finding: its sources, without those that only name or code
    a concept (``terminology``: ICD-10-CM, LOINC, an abbreviation's glossary), unless
    there is nothing else."""
    cited = [kb.sources[s] for s in dict.fromkeys(source_ids)]
    clinical = [source for source in cited if source.kind != "terminology"] or cited
    return [Evidence(source.citation, source.url, source.kind) for source in clinical]


def shared_lists(
    kb: KnowledgeBase,
    monitoring: Iterable[str],
    management: Iterable[str],
    sources: Iterable[str],
    labs_to_check: Iterable[str],
) -> SharedLists:
    return SharedLists(
        list(monitoring), list(management), evidence(kb, sources), unique(labs_to_check)
    )


def class_applies(kb: KnowledgeBase, drug_class: DrugClass, route: Route | None) -> bool:
    """Whether a class applies by a route (a class given ``parenteral`` applies to
    intravenous and subcutaneous use too; an unknown route applies to every class)."""
    if not drug_class.routes or route is None or route in drug_class.routes:
        return True
    parent = kb.normalization.route_parents.get(route)
    return parent is not None and parent in drug_class.routes


def analyte_checks(kb: KnowledgeBase, analyte_id: str) -> list[str]:
    return [analyte_id, *kb.analytes[analyte_id].also_check]


def effect_checks(kb: KnowledgeBase, kinds: Iterable[str]) -> list[str]:
    return [aid for kind in kinds for aid in kb.effects[kind].checks]


def fill_drug(text: str, drug_name: str) -> str:
    """A dataset detail with ``{drug}`` filled, starting with a capital letter."""
    return cap(text.replace("{drug}", drug_name))


def medication_finding(kb: KnowledgeBase, drug_id: str, class_ids: Sequence[str]) -> Finding:
    """The finding of a drug through the classes that apply to it (without inputs).

    A drug on its own is ``low`` whatever its class (the severity policy), except a drug
    taken for cramps against a regulatory warning (a treatment-safety finding)."""
    drug = kb.drugs[drug_id]
    classes = [kb.classes[c] for c in class_ids]
    effects = [e for dc in classes for e in dc.effects]
    templates = kb.texts.templates
    class_names = " and ".join(dc.name for dc in classes)
    best = max(effects, key=lambda e: GRADE_RANK[e.grade], default=None)
    lead = next((dc for dc in classes if best is not None and best in dc.effects), classes[0])
    grade = best.grade if best else "C"
    level = best.evidence_level if best else "expert_consensus"
    unsafe = any(e.kind == "unsafe_cramp_treatment" for e in effects)
    title = templates["treatment_safety_title" if unsafe else "medication_title"]
    return Finding(
        id=f"medication/{drug.id}",
        kind="medication",
        severity="moderate" if unsafe else "low",
        title=title.format(drug=cap(drug.name), drug_class=class_names),
        detail=templates["medication_detail"].format(
            detail=fill_drug(drug.detail or lead.detail, drug.name),
            grade=grade,
            level=kb.texts.evidence_labels[level],
        ),
        monitoring=unique(m for dc in classes for m in dc.monitoring),
        management=unique(m for dc in classes for m in dc.management),
        evidence=evidence(
            kb, [s for e in effects for s in e.sources] + [s for dc in classes for s in dc.sources]
        ),
        inputs=[],
        evidence_level=level,
        evidence_grade=grade,
        effects=[
            EffectSummary(e.kind, kb.effects[e.kind].label, e.evidence_level, e.grade)
            for e in effects
        ],
        labs_to_check=unique(effect_checks(kb, (e.kind for e in effects))),
        basis="treatment_safety" if unsafe else "single_contributor",
    )


def condition_finding(kb: KnowledgeBase, condition_id: str) -> Finding:
    """The finding of a contributing condition (without inputs): ``low`` on its own."""
    templates = kb.texts.templates
    cond = kb.conditions[condition_id]
    level = cond.evidence_level or "expert_consensus"
    grade = cond.grade or "C"
    return Finding(
        id=f"condition/{condition_id}",
        kind="condition",
        severity="low",
        title=templates["condition_title"].format(condition=cap(cond.name)),
        detail=templates["condition_detail"].format(
            detail=cond.detail or cond.mechanism or "",
            grade=grade,
            level=kb.texts.evidence_labels[level],
        ),
        monitoring=list(cond.monitoring),
        management=list(cond.management),
        evidence=evidence(kb, cond.sources),
        inputs=[],
        evidence_level=level,
        evidence_grade=grade,
        labs_to_check=list(cond.checks),
    )


def analyte_lists(kb: KnowledgeBase, analyte_id: str) -> SharedLists:
    analyte = kb.analytes[analyte_id]
    return shared_lists(
        kb,
        analyte.monitoring,
        analyte.management,
        analyte.sources,
        analyte_checks(kb, analyte_id),
    )


# A band of an analyte: its name is unique per sex, pregnancy and age limit.
BandKey = tuple[str, str, str | None, bool, float | None]


def band_key(analyte_id: str, band: LabBand) -> BandKey:
    return analyte_id, band.name, band.sex, band.pregnant, band.max_age_years


def band_lists(
    kb: KnowledgeBase, analyte_id: str, band: LabBand, analyte_shared: SharedLists
) -> SharedLists:
    """The lists of a result whose worst band has monitoring lines or sources of its own:
    the analyte's, with the band's added."""
    if band.replaces_advice:
        monitoring, management = list(band.monitoring), list(band.management)
    else:
        monitoring = unique([*analyte_shared.monitoring, *band.monitoring])
        management = unique([*band.management, *analyte_shared.management])
    return msgspec.structs.replace(
        analyte_shared,
        monitoring=monitoring,
        management=management,
        evidence=evidence(kb, [*kb.analytes[analyte_id].sources, *band.sources]),
    )


def raised_lists(rule: CombinationRule, lists: SharedLists) -> SharedLists:
    """The lists of a finding a measured result raised above the rule's severity: the
    rule's, with ``monitoring_when_raised`` and ``management_when_raised`` in place of its
    monitoring and management when it has them."""
    if not (rule.monitoring_when_raised or rule.management_when_raised):
        return lists
    return msgspec.structs.replace(
        lists,
        monitoring=list(rule.monitoring_when_raised or lists.monitoring),
        management=list(rule.management_when_raised or lists.management),
    )


def measured_lists(
    rule: CombinationRule, lists: SharedLists
) -> tuple[tuple[tuple[str, ...], SharedLists], ...]:
    """(analyte ids, the rule's lists with ``monitoring_when_measured`` in place of its
    monitoring) for each set of analytes whose results in a request change what to check."""
    return tuple(
        (tuple(key.split("+")), msgspec.structs.replace(lists, monitoring=list(monitoring)))
        for key, monitoring in rule.monitoring_when_measured.items()
    )


def rule_lists(kb: KnowledgeBase, rule: CombinationRule) -> SharedLists:
    checks: list[str] = []
    for slot in rule.slots:
        if slot.effect:
            checks += effect_checks(kb, [slot.effect])
        checks += effect_checks(kb, slot.any_effect)
        for dc in slot.drug_class:
            checks += effect_checks(kb, (e.kind for e in kb.classes[dc].effects))
        for esc in rule.escalate:
            checks += analyte_checks(kb, esc.lab.split(":")[0])
        for lab in slot.lab:
            checks += analyte_checks(kb, lab.split(":")[0])
        for cid in slot.condition:
            checks += kb.conditions[cid].checks
    return shared_lists(kb, rule.monitoring, rule.management, rule.sources, checks)


def combination_detail(kb: KnowledgeBase, rule: CombinationRule, detail: str) -> str:
    """A combination finding's detail: the rule's (with any dose notes) and its evidence."""
    return kb.texts.templates["combination_detail"].format(
        detail=detail, grade=rule.grade, level=kb.texts.evidence_labels[rule.evidence_level]
    )
