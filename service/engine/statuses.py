"""Per input: flagged, recognized (known, not a contributor) or unrecognized, and why."""

from __future__ import annotations

from collections.abc import Set

from service.engine.matches import ConditionMatch, LabMatch, MedicationMatch
from service.engine.models import InputStatus
from service.knowledge.base import KnowledgeBase


def medication_status(
    index: int,
    match: MedicationMatch,
    kb: KnowledgeBase,
    referenced: Set[tuple[str, int]],
    route_reasons: dict[int, str],
) -> InputStatus:
    names = [kb.drugs[h.drug_id].name for h in match.hits]
    if ("medications", index) in referenced:
        return InputStatus(index, "flagged", " + ".join(names), names)
    if names:
        return InputStatus(index, "recognized", " + ".join(names), names, route_reasons.get(index))
    return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))


def condition_status(
    index: int, match: ConditionMatch, kb: KnowledgeBase, referenced: Set[tuple[str, int]]
) -> InputStatus:
    names = [kb.conditions[c].name for c in match.condition_ids]
    if ("conditions", index) in referenced:
        return InputStatus(index, "flagged", " + ".join(names), names)
    if names:
        return InputStatus(index, "recognized", " + ".join(names), names)
    if match.excluded:
        excluded = [kb.conditions[c].name for c, _ in match.excluded]
        reason = kb.texts.templates[match.excluded[0][1]]
        return InputStatus(index, "recognized", " + ".join(excluded), excluded, reason)
    return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))


def lab_status(
    index: int, match: LabMatch, kb: KnowledgeBase, referenced: Set[tuple[str, int]]
) -> InputStatus:
    name = kb.analytes[match.analyte_id].name if match.analyte_id else None
    if ("labs", index) in referenced:
        return InputStatus(index, "flagged", name, [name] if name else [])
    if match.analyte_id and match.value is not None:
        return InputStatus(index, "recognized", name, [name] if name else [])
    return InputStatus(index, "unrecognized", name, [name] if name else [], match.reason)
