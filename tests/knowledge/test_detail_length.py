"""A combination finding's detail stays short enough to read in seconds.

The detail a rule renders is its own text, then a dose sentence for each dose-limited
slot the inputs fill (or for a strength read without its schedule), then "the latest
result is not low" when ``measured_by`` reads a normal result, then the evidence grade.
The budget holds for the longest of these sentences, with a drug, dose and partner as
long as real lists give them.
"""

from __future__ import annotations

from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import CombinationRule, Slot

DETAIL_BUDGET = 450
# As long as real inputs render them: "Simvastatin 1,500 mg a day is above the 0.6 mg
# limit with eGFR 28.5 mL/min/1.73m2."
_EXAMPLE = {"drug": "Simvastatin", "dose": "1,500", "limit": "0.6"}
_PARTNER = "eGFR 28.5 mL/min/1.73m2"
_TEMPLATES_BY_LIMIT = {
    "above_mg": ("dose_unknown", "dose_above", "dose_at_least", "dose_flare_above"),
    "at_least_mg": ("dose_unknown_floor", "dose_from_floor"),
    "above_mg_a_week": ("dose_unknown_week", "dose_above_week", "dose_at_least_week"),
}


def _longest_dose_sentence(kb: KnowledgeBase, slot: Slot) -> int:
    templates = kb.texts.templates
    keys = [
        key
        for limit, names in _TEMPLATES_BY_LIMIT.items()
        if getattr(slot, limit) is not None
        for key in names
    ]
    return max((len(templates[k].format(**_EXAMPLE, other=_PARTNER)) + 1 for k in keys), default=0)


def _longest_detail(kb: KnowledgeBase, rule: CombinationRule) -> int:
    templates = kb.texts.templates
    detail = rule.detail + "x" * sum(_longest_dose_sentence(kb, slot) for slot in rule.slots)
    if rule.adds_up is not None and len(rule.slots) > 1 and not any(s.lab for s in rule.slots):
        detail += " " + templates["dose_unread_adds_up"].format(
            drug="methylprednisolone", limit="37.5"
        )
    if rule.measured_by is not None:
        shown = [
            templates["measured_normal_result"].format(
                analyte=analyte.name, value="2.09", unit=analyte.canonical_unit
            )
            for part in rule.measured_by.split("+")
            if (analyte := kb.analytes[part.split(":")[0]])
        ]
        key = "measured_normal" if len(shown) == 1 else "measured_normal_all"
        results = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
        detail += " " + templates[key].format(results=results)
    level = kb.texts.evidence_labels[rule.evidence_level]
    return len(templates["combination_detail"].format(detail=detail, grade=rule.grade, level=level))


def test_every_rule_detail_fits_its_budget_at_its_longest(kb: KnowledgeBase) -> None:
    over = {
        rule.id: length
        for rule in kb.rules
        if (length := _longest_detail(kb, rule)) > DETAIL_BUDGET
    }
    assert over == {}, over


def test_the_budget_counts_the_dose_sentence(kb: KnowledgeBase) -> None:
    """The budget is not vacuous: a dose-limited rule's longest detail is longer than its
    own text and evidence grade."""
    rule = next(r for r in kb.rules if r.id == "simvastatin_80_mg")
    assert _longest_detail(kb, rule) > len(rule.detail) + 100
