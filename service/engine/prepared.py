"""The knowledge base prepared for the engine: built once at load, typed and immutable.

``prepare(kb)`` renders every finding the knowledge can produce, indexes the combination
rules by what fills their slots, works out what each drug contributes by each route (and
as an as-needed order), and compiles the qualifier rules; ``check()`` then only looks
things up. The two phrase memos are the only mutable parts (bounded, keyed by vocabulary
words: no request data).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import msgspec

from service.engine.matches import ConditionMatch, DrugHit, MedicationMatch
from service.engine.models import Finding
from service.engine.obstetric import ObstetricReader
from service.engine.qualifiers import QualifierIndex
from service.engine.render import (
    BandKey,
    SharedLists,
    analyte_lists,
    band_key,
    band_lists,
    class_applies,
    combination_detail,
    condition_finding,
    evidence,
    measured_lists,
    medication_finding,
    raised_lists,
    rule_lists,
)
from service.engine.status_codes import TEMPLATES as STATUS_TEMPLATES
from service.knowledge import KnowledgeBase, load_knowledge
from service.knowledge.loader import KnowledgeError
from service.knowledge.schema import (
    REASON_MAX_CHARS,
    CombinationRule,
    Drug,
    EffectKind,
    Route,
    SameEntry,
    Slot,
)
from service.knowledge.severity import SEVERITY_RANK
from service.knowledge.text import tokens

ROUTES: tuple[Route | None, ...] = (None, *typing.get_args(Route))
# A (rule, slot) pair, by their positions in ``Knowledge.rules``, packed in one int
# (``slot_ref``): a check's slot fillings are then a flat dict of int keys.
SlotRef = int
# A rule's title with its place in the order of importance (``rule_ranks``).
RankedTitle = tuple[int, str]
SLOT_BITS = 4
MAX_SLOTS = 1 << SLOT_BITS


def slot_ref(rule: int, slot: int) -> SlotRef:
    return rule << SLOT_BITS | slot


def rule_of(ref: SlotRef) -> int:
    return ref >> SLOT_BITS


# The tag every drug that contributes by its route carries (``any_contributor`` slots).
CONTRIBUTOR_TAG = "contributor"


class DrugAtRoute:
    """What a drug contributes when taken by a route."""

    __slots__ = (
        "applicable",
        "excluded_reason",
        "finding",
        "in_rules",
        "in_rules_reason",
        "rules",
        "rules_prn",
        "shown_only_by",
        "targets",
        "targets_prn",
    )

    def __init__(
        self,
        applicable: tuple[str, ...],
        targets: tuple[SlotRef, ...],
        targets_prn: tuple[SlotRef, ...],
        excluded_reason: str | None,
        finding: Finding | None,
        shown_only_by: tuple[tuple[str, str], ...] = (),
        in_rules: tuple[RankedTitle, ...] = (),
        templates: typing.Mapping[str, str] | None = None,
    ) -> None:
        # Final attributes, not frozen Structs: native classes in the compiled engine.
        # Its classes that apply at this route.
        self.applicable: Final = applicable
        # The (rule, slot) pairs the drug fills at this route, as a regular order and as an
        # as-needed (PRN) one: a weak effect does not fill the slots of rules about it
        # adding up.
        self.targets: Final = targets
        self.targets_prn: Final = targets_prn
        # The rules of those pairs, for membership tests.
        self.rules: Final = frozenset(rule_of(t) for t in targets)
        self.rules_prn: Final = frozenset(rule_of(t) for t in targets_prn)
        # Why a drug with classes contributes nothing at this route (shown on its status).
        self.excluded_reason: Final = excluded_reason
        # Its finding (without inputs) when it contributes at this route.
        self.finding: Final = finding
        # When every effect of its classes here is shown by a result (``EffectInfo.
        # shown_by``): those (analyte, state) pairs; the finding is left out when each is
        # measured and not in its state. Empty otherwise.
        self.shown_only_by: Final = shown_only_by
        # Why a drug that contributes nothing alone here, but fills a rule's slot, is
        # not flagged on its own, when its entry gives no ``not_flagged_because``: the
        # rules it takes part in (review51 D8), most important first (``RankedTitle``).
        # Shown on its status when it is unflagged; the titles are kept to join a
        # product's ingredients into one reason, each title once (review52 R3).
        self.in_rules: Final = in_rules
        self.in_rules_reason: Final = (
            in_rules_reason(templates, in_rules, "") if in_rules and templates else None
        )


class PreparedRule:
    __slots__ = (
        "condition_ids",
        "detail",
        "dose_limits",
        "index",
        "lists",
        "lists_when_measured",
        "lists_when_raised",
        "predicted_adding_up",
        "rule",
    )

    def __init__(
        self,
        rule: CombinationRule,
        lists: SharedLists,
        lists_when_raised: SharedLists,
        lists_when_measured: tuple[tuple[tuple[str, ...], SharedLists], ...],
        index: int,
        # Per dose-limited slot: its index, the daily limit (mg), whether it is a floor
        # (``at_least_mg``), and whether it is said per week (``above_mg_a_week``).
        dose_limits: tuple[tuple[int, float, bool, bool], ...],
        detail: str,
    ) -> None:
        self.rule: Final = rule
        self.lists: Final = lists
        # The lists of a finding raised above the rule's severity (``monitoring_when_raised``).
        self.lists_when_raised: Final = lists_when_raised
        # (analyte ids, the lists) when a result of each analyte is in the request
        # (``monitoring_when_measured``; a raised finding keeps ``lists_when_raised``).
        self.lists_when_measured: Final = lists_when_measured
        # Its position in ``Knowledge.rules``.
        self.index: Final = index
        # The dose-limited slots: (slot position, the daily mg above which it is filled, or
        # True with the daily mg from which it is filled).
        self.dose_limits: Final = dose_limits
        # The finding's detail when no dose note is added to it.
        self.detail: Final = detail
        # The conditions its slots name: what names a condition input of several concepts.
        self.condition_ids: Final = frozenset(c for slot in rule.slots for c in slot.condition)
        # A predicted risk of drugs whose effects add up (no slot a result fills): a drug
        # with a strength but no schedule may be below the dose that adds up.
        self.predicted_adding_up: Final = (
            rule.adds_up is not None and len(rule.slots) > 1 and not any(s.lab for s in rule.slots)
        )


def _per_day(mg_a_week: float | None) -> float | None:
    return None if mg_a_week is None else mg_a_week / 7


def prepare_rule(kb: KnowledgeBase, index: int, rule: CombinationRule) -> PreparedRule:
    lists = rule_lists(kb, rule)
    return PreparedRule(
        rule,
        lists,
        raised_lists(rule, lists),
        measured_lists(rule, lists),
        index,
        tuple(
            (s, limit, slot.at_least_mg is not None, slot.above_mg_a_week is not None)
            for s, slot in enumerate(rule.slots)
            if (limit := slot.above_mg or slot.at_least_mg or _per_day(slot.above_mg_a_week))
            is not None
        ),
        combination_detail(kb, rule, rule.detail),
    )


class SameEntryRule(typing.NamedTuple):
    """A condition's ``same_entry``, as the engine reads it."""

    finding_id: str
    absorbs: tuple[str, ...]  # finding ids
    unless_with: frozenset[str]
    unless_words: frozenset[str]
    # The condition's finding (no inputs) with the absorbed findings' advice it adds.
    merged: Finding


def same_entry_rule(
    kb: KnowledgeBase, condition_id: str, same: SameEntry, finding: Finding
) -> SameEntryRule:
    return SameEntryRule(
        finding.id,
        tuple(f"condition/{cid}" for cid in same.absorbs),
        frozenset(same.unless_with),
        frozenset(same.unless_words),
        msgspec.structs.replace(
            finding,
            monitoring=[*finding.monitoring, *same.monitoring],
            management=[*finding.management, *same.management],
            evidence=evidence(kb, [*kb.conditions[condition_id].sources, *same.sources]),
        ),
    )


def speaks_for(rule: CombinationRule) -> frozenset[str]:
    """The analytes a rule's finding speaks for whatever it asks: one it predicts itself
    (``measured_by``) and one a slot of results only joins (the result is in the finding).
    ``absorb`` adds those its checks name and those the request has a result of."""
    spoken = {p.split(":")[0] for p in rule.measured_by.split("+")} if rule.measured_by else set()
    for slot in rule.slots:
        if slot.lab and slot == Slot(lab=slot.lab):  # results only
            spoken |= {lab.split(":")[0] for lab in slot.lab}
    return frozenset(spoken)


class Knowledge:
    __slots__ = (
        "absorbed_only_by_measured",
        "absorbed_only_by_speaking_for",
        "allergy_words",
        "analyte_lists",
        "analyte_lists_when_measured",
        "band_lists",
        "class_monitoring_when_measured",
        "condition_findings",
        "condition_phrases",
        "corrected_names",
        "dose_limited_adding_up",
        "dose_needs_schedule",
        "drug_phrases",
        "drug_words",
        "drugs_at_route",
        "hits",
        "kb",
        "labeled_uses",
        "low_on_replacement",
        "not_cured_when",
        "not_cured_words",
        "obstetric",
        "one_input_rules",
        "outranking",
        "qualifiers",
        "range_kept_by_rule",
        "range_kept_rules",
        "replaced_by_drug",
        "rule_index",
        "rules",
        "same_entry",
        "schedule_words",
        "slot_counts",
        "slot_refs",
        "slots_of_condition",
        "slots_of_result",
        "slots_of_tag",
        "suppression_order",
        "unfitting_advice",
    )

    def __init__(
        self,
        kb: KnowledgeBase,
        qualifiers: QualifierIndex,
        rules: tuple[PreparedRule, ...],
        slots_of_tag: dict[str, tuple[SlotRef, ...]],
        drugs_at_route: dict[DrugHit, DrugAtRoute],
        condition_findings: dict[str, Finding],
        analyte_lists: dict[str, SharedLists],
        analyte_lists_when_measured: dict[str, tuple[tuple[tuple[str, ...], SharedLists], ...]],
        band_lists: dict[BandKey, SharedLists],
        drug_words: dict[str, frozenset[str]],
    ) -> None:
        self.kb: Final = kb
        self.qualifiers: Final = qualifiers
        self.rules: Final = rules
        # Rule position -> how many slots it has.
        self.slot_counts: Final = tuple(len(prepared.rule.slots) for prepared in rules)
        # Rule position -> its slots' ``SlotRef``s.
        self.slot_refs: Final = tuple(
            tuple(slot_ref(prepared.index, s) for s in range(len(prepared.rule.slots)))
            for prepared in rules
        )
        # Rule id -> its position in ``rules``.
        self.rule_index: Final = {prepared.rule.id: prepared.index for prepared in rules}
        # Drug at a route -> the rules it fills a slot of whose drug keeps a lab band's
        # limit against the lab's own range (``LabBand.reference_unless_rule``); only the
        # drugs that fill one.
        kept = {
            self.rule_index[band.reference_unless_rule]: band.reference_unless_rule
            for analyte in kb.analytes.values()
            for band in analyte.bands
            if band.reference_unless_rule is not None
        }
        by_hit = {
            hit: frozenset(kept[rule_of(t)] for t in at.targets if rule_of(t) in kept)
            for hit, at in drugs_at_route.items()
        }
        self.range_kept_by_rule: Final = {hit: rules for hit, rules in by_hit.items() if rules}
        # Every such rule: an unrecognized medication keeps them all (it may be one of their
        # drugs: an insulin product or a sulfonylurea not known by name, review57c R1).
        self.range_kept_rules: Final = frozenset(kept.values())
        # Rule position -> when it is evaluated among the suppressible rules: after every
        # rule that suppresses it (how many suppressions deep it is, then its position).
        by_id = {prepared.rule.id: prepared.rule for prepared in rules}
        self.suppression_order: Final = {
            prepared.index: (_suppression_depth(by_id, prepared.rule.id), prepared.index)
            for prepared in rules
        }
        # ``kind:id`` tag (``class:loop_diuretic``, ``lab:potassium:low``) -> slots it fills.
        self.slots_of_tag: Final = slots_of_tag
        # The same for results (``potassium:low``) and conditions (``ckd``), without the
        # prefix that a check would otherwise add to each of their tags.
        self.slots_of_result: Final = _without_prefix(slots_of_tag, "lab:")
        self.slots_of_condition: Final = _without_prefix(slots_of_tag, "condition:")
        self.drugs_at_route: Final = drugs_at_route
        # Each key of ``drugs_at_route`` by itself: matching returns these very hits, so a
        # check's look-ups find them by identity (DrugHit's __eq__ is Python code).
        self.hits: Final = {hit: hit for hit in drugs_at_route}
        self.condition_findings: Final = condition_findings
        self.analyte_lists: Final = analyte_lists
        # Per analyte with ``monitoring_when_measured``: (the analytes of a key, its lists
        # with that monitoring), in the dataset's order (the first whose analytes were all
        # sent applies).
        self.analyte_lists_when_measured: Final = analyte_lists_when_measured
        # The lists of a result in a band (``band_key``), for the bands
        # with monitoring lines or sources of their own.
        self.band_lists: Final = band_lists
        # Per analyte a laboratory may report already corrected: (analyte id, the words
        # that say so, the words naming the analyte it is corrected for).
        self.corrected_names: Final = tuple(
            (
                aid,
                frozenset(w for m in a.corrected.corrected_words for w in tokens(m)),
                frozenset(
                    w
                    for name in (
                        kb.analytes[a.corrected.by].name,
                        *kb.analytes[a.corrected.by].synonyms,
                    )
                    for w in tokens(name)
                ),
            )
            for aid, a in kb.analytes.items()
            if a.corrected is not None and a.corrected.corrected_words
        )
        # Per drug, the words of its names and of its products' names (to find where a
        # drug stands in a medication text; words of two letters or less left out).
        self.drug_words: Final = drug_words
        # Condition id -> the drug classes whose labeled use it is (``labeled_use_of``).
        self.labeled_uses: Final = {
            c.id: frozenset(c.labeled_use_of) for c in kb.conditions.values() if c.labeled_use_of
        }
        # Drug class id -> per ``monitoring_when_measured`` key (in the dataset's order):
        # the analytes and lab tests it names, and the monitoring lines in place of the
        # class's own when all of them were sent.
        self.class_monitoring_when_measured: Final = {
            dc.id: tuple(
                (frozenset(key.split("+")), tuple(lines))
                for key, lines in dc.monitoring_when_measured.items()
            )
            for dc in kb.classes.values()
            if dc.monitoring_when_measured
        }
        # Gravida/para notation with a current gestational age: a pregnancy
        # (``Qualifiers.obstetric_notation``).
        self.obstetric: Final = ObstetricReader(kb.qualifiers.obstetric_notation)
        # Words that keep a condition current beside the operation that cures it
        # (``Qualifiers.not_cured_words``).
        self.not_cured_words: Final = frozenset(
            w for text in kb.qualifiers.not_cured_words for w in tokens(text)
        )
        # The words of the medication qualifiers that say a drug is an allergy or an
        # intolerance ("allergy to", "intolerant"): a condition text with one of them may
        # be a drug allergy written on the problem list (``matching.conditions``).
        self.allergy_words: Final = frozenset(
            w
            for rule in kb.qualifiers.rule
            if rule.kind == "allergy" and "medications" in rule.applies_to
            for text in rule.phrases
            for w in tokens(text)
        )
        # Condition id -> (analyte, state) of a result that says its operation did not cure
        # it (``Condition.not_cured_when``).
        self.not_cured_when: Final = {
            c.id: tuple(c.not_cured_when.split(":", 1))
            for c in kb.conditions.values()
            if c.not_cured_when
        }
        # Drug id -> the analytes it replaces (``Drug.replaces``), and per such analyte its
        # ``low_on_replacement`` line and that line's evidence.
        self.replaced_by_drug: Final = {
            d.id: tuple(d.replaces) for d in kb.drugs.values() if d.replaces
        }
        self.low_on_replacement: Final = {
            aid: (a.low_on_replacement, evidence(kb, a.low_on_replacement_sources))
            for aid, a in kb.analytes.items()
            if a.low_on_replacement is not None
        }
        # Drug id -> the daily mg up to which its effect does not add up (adds_up_above_mg).
        self.dose_limited_adding_up: Final = {
            d.id: d.adds_up_above_mg for d in kb.drugs.values() if d.adds_up_above_mg
        }
        # Drug ids whose strength is a daily dose only with a schedule (dose_needs_schedule).
        self.dose_needs_schedule: Final = frozenset(
            d.id for d in kb.drugs.values() if d.dose_needs_schedule
        )
        self.schedule_words: Final = frozenset(kb.normalization.schedule_words)
        # Finding ids (``combination/<rule id>``) that only a combination joining a measured
        # result absorbs (``absorbed_only_by_measured``).
        self.absorbed_only_by_measured: Final = frozenset(
            f"combination/{rule.id}" for rule in kb.rules if rule.absorbed_only_by_measured
        )
        # A rule that predicts a deficit (``measured_by``: several potassium-lowering drugs)
        # is absorbed only by a combination that speaks for each analyte it predicts: a
        # finding id -> the analytes it predicts, and the analytes each combination speaks
        # for by its rule (``speaks_for``). A low calcium on a loop diuretic and foscarnet
        # does not absorb their potassium problem: its checks do not ask for potassium.
        predicted = {
            f"combination/{rule.id}": frozenset(
                part.split(":")[0] for part in rule.measured_by.split("+")
            )
            for rule in kb.rules
            if rule.measured_by
        }
        self.absorbed_only_by_speaking_for: Final = (
            predicted,
            {f"combination/{rule.id}": speaks_for(rule) for rule in kb.rules},
        )
        # Positions of the rules one input can fill (``one_input``: a dose problem alone;
        # ``one_product_fills``: a fixed-dose product of the pair).
        self.one_input_rules: Final = frozenset(
            r for r, rule in enumerate(kb.rules) if rule.one_input or rule.one_product_fills
        )
        # Conditions that stand for others when both are current (``outranks``).
        self.outranking: Final = tuple(
            (c.id, tuple(c.outranks)) for c in kb.conditions.values() if c.outranks
        )
        # Condition id -> advice lines that do not fit a patient with it (unfitting_advice).
        self.unfitting_advice: Final = {
            c.id: tuple(c.unfitting_advice) for c in kb.conditions.values() if c.unfitting_advice
        }
        # Conditions whose finding absorbs others named in the same entry (``same_entry``).
        self.same_entry: Final = tuple(
            same_entry_rule(kb, c.id, c.same_entry, condition_findings[c.id])
            for c in kb.conditions.values()
            if c.same_entry is not None
        )
        # The phrase memos (bounded; keyed by vocabulary words, no request data).
        self.drug_phrases: Final[dict[tuple[str, ...], MedicationMatch]] = {}
        self.condition_phrases: Final[dict[tuple[str, ...], ConditionMatch]] = {}

    @property
    def version(self) -> str:
        return self.kb.version

    def hit(self, found: DrugHit) -> DrugHit:
        """The key of ``drugs_at_route`` equal to ``found`` (itself if none is)."""
        return self.hits.get(found, found)

    def medication_finding(self, drug_id: str, class_ids: tuple[str, ...]) -> Finding:
        """The finding of a drug through these classes (a drug given by two routes may
        contribute through more classes than either route alone)."""
        for route in ROUTES:
            prepared = self.drugs_at_route[DrugHit(drug_id, route)]
            if prepared.applicable == class_ids and prepared.finding is not None:
                return prepared.finding
        return medication_finding(self.kb, drug_id, class_ids)


def _without_prefix(
    slots_of_tag: dict[str, tuple[SlotRef, ...]], prefix: str
) -> dict[str, tuple[SlotRef, ...]]:
    return {
        tag[len(prefix) :]: refs for tag, refs in slots_of_tag.items() if tag.startswith(prefix)
    }


def _suppression_depth(rules: dict[str, CombinationRule], rule_id: str) -> int:
    """How many rules deep a rule's suppressors go (0: it is never suppressed)."""
    suppressors = rules[rule_id].suppressed_by
    return 1 + max((_suppression_depth(rules, s) for s in suppressors), default=-1)


def load(directory: Path | None = None) -> Knowledge:
    """Load, validate and prepare the datasets (``directory``: the shipped ones if None)."""
    return prepare(load_knowledge(directory))


def prepare(kb: KnowledgeBase) -> Knowledge:
    missing = [name for name in STATUS_TEMPLATES if name not in kb.texts.templates]
    if missing:  # the reasons of the structured statuses (service/engine/status_codes.py)
        raise KnowledgeError(f"texts: no status reason template {', '.join(missing)}")
    rules = tuple(prepare_rule(kb, r, rule) for r, rule in enumerate(kb.rules))
    slots_of_tag: dict[str, list[SlotRef]] = {}
    for r, rule in enumerate(kb.rules):
        if len(rule.slots) > MAX_SLOTS:
            raise KnowledgeError(f"rule {rule.id}: more than {MAX_SLOTS} slots")
        for s, slot in enumerate(rule.slots):
            for tag in _slot_tags(kb, slot):
                slots_of_tag.setdefault(tag, []).append(slot_ref(r, s))
    tags = {tag: tuple(refs) for tag, refs in slots_of_tag.items()}
    by_analyte = {aid: analyte_lists(kb, aid) for aid in kb.analytes}
    return Knowledge(
        kb=kb,
        qualifiers=QualifierIndex.compile(
            kb.qualifiers,
            frozenset(kb.normalization.ignored_tokens),
            frozenset(cid for cid, c in kb.conditions.items() if not c.acute),
        ),
        rules=rules,
        slots_of_tag=tags,
        drugs_at_route=_drugs_at_route(kb, tags),
        condition_findings={
            cid: condition_finding(kb, cid) for cid, c in kb.conditions.items() if c.contributes
        },
        analyte_lists=by_analyte,
        analyte_lists_when_measured={
            aid: tuple(
                (
                    tuple(key.split("+")),
                    msgspec.structs.replace(by_analyte[aid], monitoring=list(monitoring)),
                )
                for key, monitoring in analyte.monitoring_when_measured.items()
            )
            for aid, analyte in kb.analytes.items()
            if analyte.monitoring_when_measured
        },
        band_lists={
            band_key(aid, band): band_lists(kb, aid, band, by_analyte[aid])
            for aid, analyte in kb.analytes.items()
            for band in analyte.bands
            if band.monitoring or band.management or band.sources
        },
        drug_words=_drug_words(kb),
    )


def _drug_words(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for key, term in kb.drug_terms.items():
        named = {w for w in key.split(" ") if len(w) > 2 and w not in kb.ignored_tokens}
        for drug_id in term.drug_ids:
            words.setdefault(drug_id, set()).update(named)
    return {drug_id: frozenset(found) for drug_id, found in words.items()}


def _slot_tags(kb: KnowledgeBase, slot: Slot) -> set[str]:
    tags = {f"class:{c}" for c in slot.drug_class}
    tags |= {f"drug:{d}" for d in slot.drug}
    tags |= {f"drug:{d}" for g in slot.drug_group for d in kb.drug_groups[g].drugs}
    tags |= {f"condition:{c}" for c in slot.condition}
    if slot.effect:
        tags.add(f"effect:{slot.effect}")
    tags |= {f"effect:{e}" for e in slot.any_effect}
    if slot.any_contributor:
        tags.add(CONTRIBUTOR_TAG)
    tags |= {f"lab:{lab}" for lab in slot.lab}
    return tags


def weak_effects(
    kb: KnowledgeBase, drug: Drug, classes: tuple[str, ...], route: Route | None, prn: bool
) -> frozenset[EffectKind]:
    """The effects a drug has only weakly where it is taken: every class effect of that
    kind is weak by this route (``additive_routes``), as an as-needed order
    (``additive_when_prn``), or for this drug (``weak_effects``)."""
    strong: set[EffectKind] = set()
    every: set[EffectKind] = set()
    where = route or drug.default_route
    parent = kb.normalization.route_parents.get(where) if where else None
    for class_id in classes:
        for effect in kb.classes[class_id].effects:
            every.add(effect.kind)
            routes = effect.additive_routes
            by_route = not routes or (where is not None and (where in routes or parent in routes))
            if by_route and (effect.additive_when_prn or not prn):
                strong.add(effect.kind)
    return frozenset((every - strong) | (every & set(drug.weak_effects)))


def _drugs_at_route(
    kb: KnowledgeBase, slots_of_tag: dict[str, tuple[SlotRef, ...]]
) -> dict[DrugHit, DrugAtRoute]:
    prepared: dict[DrugHit, DrugAtRoute] = {}
    findings: dict[tuple[str, tuple[str, ...]], Finding] = {}
    rank = [(place, rule.title) for place, rule in zip(rule_ranks(kb), kb.rules, strict=True)]
    for drug in kb.drugs.values():
        for route in ROUTES:
            applicable = tuple(c for c in drug.classes if class_applies(kb, kb.classes[c], route))
            # A drug named by a rule interacts only where it reaches the circulation.
            where = route or drug.default_route
            local = where in kb.local_routes and where not in drug.systemic_routes
            tags = set() if local else {f"drug:{drug.id}"}
            tags.update(f"class:{c}" for c in applicable)
            tags.update(f"effect:{e.kind}" for c in applicable for e in kb.classes[c].effects)
            if applicable:
                tags.add(CONTRIBUTOR_TAG)
            reason = None
            if drug.classes and not applicable and route is not None:
                reason = kb.texts.templates["route_excluded"].format(
                    drug=drug.name,
                    route=route,
                    drug_class=" / ".join(kb.classes[c].name for c in drug.classes),
                )
            every = tuple(
                t
                for t in dict.fromkeys(t for tag in tags for t in slots_of_tag.get(tag, ()))
                if not _excepted(kb, t, applicable)
            )
            weak = weak_effects(kb, drug, applicable, route, prn=False)
            weak_prn = weak_effects(kb, drug, applicable, route, prn=True)
            finding = None
            if applicable:
                key = (drug.id, applicable)
                finding = findings.get(key)
                if finding is None:
                    finding = findings[key] = medication_finding(kb, drug.id, applicable)
            targets = tuple(t for t in every if kb.rules[rule_of(t)].adds_up not in weak)
            targets_prn = tuple(t for t in every if kb.rules[rule_of(t)].adds_up not in weak_prn)
            prepared[DrugHit(drug.id, route)] = DrugAtRoute(
                applicable,
                targets,
                targets_prn,
                reason,
                finding,
                _shown_only_by(kb, applicable),
                () if applicable or drug.not_flagged_because else _in_rules(rank, targets),
                kb.texts.templates,
            )
    return prepared


def _excepted(kb: KnowledgeBase, target: SlotRef, classes: tuple[str, ...]) -> bool:
    """Whether a drug of these classes is kept out of the slot (``except_drug_class``)."""
    slot = kb.rules[rule_of(target)].slots[target & (MAX_SLOTS - 1)]
    return any(c in slot.except_drug_class for c in classes)


# The most rule titles a not-flagged drug's status names (the rest are counted).
IN_RULES_SHOWN = 3
_BASIS_ORDER = ("contraindicated", "interaction", "duplicate_therapy", "second_factor")


def rule_ranks(kb: KnowledgeBase) -> list[int]:
    """Each rule's place (by index) in the order a status names rules in: the most severe
    it can be first (its escalations count), then contraindicated pairs, interactions,
    duplicate therapy and second factors, then the rules with fewer slots (a plain pair
    before one that needs a kidney or liver impairment too), then the file order."""

    def key(i: int) -> tuple[int, int, int, int]:
        rule = kb.rules[i]
        severity = max(
            SEVERITY_RANK[s] for s in (rule.severity, *(e.severity for e in rule.escalate))
        )
        basis = _BASIS_ORDER.index(rule.basis) if rule.basis in _BASIS_ORDER else len(_BASIS_ORDER)
        return (-severity, basis, len(rule.slots), i)

    ranks = [0] * len(kb.rules)
    for place, i in enumerate(sorted(range(len(kb.rules)), key=key)):
        ranks[i] = place
    return ranks


def _in_rules(
    ranks: Sequence[tuple[int, str]], targets: tuple[SlotRef, ...]
) -> tuple[RankedTitle, ...]:
    """The rules a drug takes part in, as ranked titles, each title once."""
    return ranked_titles(ranks[rule_of(t)] for t in targets)


def ranked_titles(titles: typing.Iterable[RankedTitle]) -> tuple[RankedTitle, ...]:
    """Titles in the order of importance, each once (two rules may share a title)."""
    seen: dict[str, RankedTitle] = {}
    for ranked in sorted(titles):
        seen.setdefault(ranked[1], ranked)
    return tuple(seen.values())


def in_rules_reason(
    templates: typing.Mapping[str, str],
    titles: Sequence[RankedTitle],
    names: str,
    budget: int = REASON_MAX_CHARS,
) -> str | None:
    """Why drugs that contribute nothing alone are not flagged: the rules they take part
    in, the most important first, as many titles as fit in ``budget`` characters (at most
    ``IN_RULES_SHOWN``; the rest counted), prefixed with ``names`` when given; None when
    not even the count fits."""
    prefix = f"{names}: " if names else ""
    for shown in range(min(IN_RULES_SHOWN, len(titles)), 0, -1):
        rules = "; ".join(t for _, t in titles[:shown])
        if len(titles) > shown:
            rules = templates["note_and_more"].format(items=rules, count=len(titles) - shown)
        text = prefix + templates["not_flagged_in_rules"].format(rules=rules)
        if len(text) <= budget:
            return text
    text = prefix + templates["not_flagged_in_rules_count"].format(count=len(titles))
    return text if len(text) <= budget else None


def _shown_only_by(kb: KnowledgeBase, classes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The (analyte, state) results that show every effect of these classes, or () when a
    class is listed whatever they show, or an effect has none (cramps as an adverse effect,
    volume depletion)."""
    if not classes or not all(kb.classes[c].listed_only_when_shown for c in classes):
        return ()
    shown = [kb.effects[e.kind].shown_by for c in classes for e in kb.classes[c].effects]
    if not shown or None in shown:
        return ()
    pairs = dict.fromkeys(tuple(by.split(":", 1)) for by in shown if by is not None)
    return tuple((analyte, state) for analyte, state in pairs)
