"""Per input: flagged, recognized (known, not a contributor) or unrecognized, and why; and
how it was read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

import msgspec

from service.engine.findings import MeasuredConditions
from service.engine.matches import CURED_BY_OPERATION as CURED
from service.engine.matches import ConditionMatch, DrugHit, LabMatch, MedicationMatch
from service.engine.models import ConditionInput, InputStatus, LabInput, MedicationInput
from service.engine.prepared import DrugAtRoute, RankedTitle, in_rules_reason, ranked_titles
from service.engine.status_codes import (
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    LAB,
    LAB_STATUSES,
    MEDICATION,
    STATUS_UNKNOWN,
    UNKNOWN_STATUS,
    USED_NOT_FINAL,
    StatusSet,
    not_understood_reason,
    read_status,
    reason_kind,
    reason_of,
)
from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import REASON_MAX_CHARS


def medication_status(
    index: int,
    match: MedicationMatch,
    kb: KnowledgeBase,
    referenced: Set[tuple[str, int]],
    route_reasons: dict[int, str],
    drugs_at_route: Mapping[DrugHit, DrugAtRoute],
) -> InputStatus:
    names = [kb.drugs[h.drug_id].name for h in match.hits]
    stopped = [
        f"{kb.drugs[drug_id].name}: {reason_of(kb.texts.templates, kind)}"
        for drug_id, kind in match.excluded
    ]
    read_as = ", ".join(match.read_as) or None
    if not names and not stopped:
        return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))
    if not names:  # every drug it names is not current
        names = [kb.drugs[drug_id].name for drug_id, _ in match.excluded]
        # One reason for all, or each drug's when they differ ("simvastatin: stated as
        # stopped; rosuvastatin: named as the drug switched to ...").
        kinds = {kind for _, kind in match.excluded}
        why = (
            reason_of(kb.texts.templates, match.excluded[0][1])
            if len(kinds) == 1
            else "; ".join(stopped)
        )
        return InputStatus(
            index, "recognized", " + ".join(names), names, why, [], match.how, read_as
        )
    concept = " + ".join(names)
    reason = "; ".join(stopped) or None
    if ("medications", index) in referenced:
        return InputStatus(index, "flagged", concept, names, reason, [], match.how, read_as)
    return InputStatus(
        index,
        "recognized",
        concept,
        names,
        reason or route_reasons.get(index) or _not_flagged_because(match, kb, drugs_at_route),
        [],
        match.how,
        read_as,
    )


def _not_flagged_because(
    match: MedicationMatch, kb: KnowledgeBase, drugs_at_route: Mapping[DrugHit, DrugAtRoute]
) -> str | None:
    """Why a commonly suspected drug is deliberately not flagged (its dataset entry), or
    else the rules it takes part in (``DrugAtRoute.in_rules_reason``). A product's
    ingredients are named with their reasons: one reason for the ingredients that share
    it, the rules of those without an entry's reason joined (each title once, the most
    important first), and at most ``REASON_MAX_CHARS`` in all (the ingredients that do
    not fit are named at the end)."""
    if len(match.hits) == 1:
        hit = match.hits[0]
        return kb.drugs[hit.drug_id].not_flagged_because or drugs_at_route[hit].in_rules_reason
    templates = kb.texts.templates
    # Each reason (or the joined rules, keyed None) -> the ingredients that give it.
    groups: dict[str | None, list[str]] = {}
    titles: list[RankedTitle] = []
    for hit in match.hits:
        drug = kb.drugs[hit.drug_id]
        own = drug.not_flagged_because
        in_rules = () if own else drugs_at_route[hit].in_rules
        if own or in_rules:
            groups.setdefault(own or None, []).append(drug.name)
            titles.extend(in_rules)
    if not groups:
        return None
    ranked = ranked_titles(titles)
    parts: list[str] = []
    left_out: list[str] = []
    for index, (own, names) in enumerate(groups.items()):
        later = [n for ns in list(groups.values())[index + 1 :] for n in ns]
        # Room for this part with the names of the later ones, should they not fit.
        room = REASON_MAX_CHARS - sum(len(p) + 2 for p in parts)
        if later or left_out:
            room -= len(templates["not_flagged_also"].format(names=", ".join(left_out + later)))
            room -= 2
        names_text = ", ".join(names)
        part = (
            f"{names_text}: {own}"
            if own is not None
            else in_rules_reason(templates, ranked, names_text, room)
        )
        if part is None or len(part) > room:
            left_out.extend(names)
        else:
            parts.append(part)
    if left_out:
        parts.append(templates["not_flagged_also"].format(names=", ".join(left_out)))
    # A reason's closing full stop goes where the next ingredient follows ("...; valsartan").
    return "; ".join([part.removesuffix(".") for part in parts[:-1]] + parts[-1:])


# Exclusions a recognized entry names beside its current concepts (the others are left
# out: "Diabetes: no neuropathy" is the diabetes).
_SAID_BESIDE_CURRENT = frozenset({CURED, "treatment_ended"})


def condition_status(
    index: int,
    match: ConditionMatch,
    kb: KnowledgeBase,
    referenced: Set[tuple[str, int]],
    measured: MeasuredConditions,
) -> InputStatus:
    names = [kb.conditions[c].name for c in match.condition_ids]
    read_as = ", ".join(match.read_as) or None
    # The concepts of the entry that a current result says are not current, by name.
    cleared = measured.cleared.get(index)
    partly = (
        "; ".join(f"{kb.conditions[c].name}: {why}" for c, why in cleared.items())
        if cleared is not None
        else None
    )
    if ("conditions", index) in referenced:
        return InputStatus(
            index, "flagged", " + ".join(names), names, partly, [], match.how, read_as
        )
    if names:
        # A condition read as cured by the operation named with it, or as no longer on
        # dialysis beside the kidney transplant named with it, says so: the text names it,
        # and it is not current.
        said = [
            (kb.conditions[c].name, kind)
            for c, kind in match.excluded
            if kind in _SAID_BESIDE_CURRENT
        ]
        why = (
            measured.outranked.get(index)
            or partly
            or "; ".join(f"{name}: {kb.texts.templates[kind]}" for name, kind in said)
            or None
        )
        return InputStatus(
            index,
            "recognized",
            " + ".join(names),
            names,
            why,
            [],
            match.how,
            read_as,
        )
    if match.excluded:
        excluded = [kb.conditions[c].name for c, _ in match.excluded]
        reason = reason_of(kb.texts.templates, match.excluded[0][1])
        return InputStatus(
            index, "recognized", " + ".join(excluded), excluded, reason, [], match.how, read_as
        )
    if match.how is not None:  # read as not current, naming no known concept ("MS ruled out")
        return InputStatus(index, "recognized", None, [], match.reason, [], match.how)
    return InputStatus(index, "unrecognized", None, [], match.reason, list(match.suggestions))


def lab_status(
    index: int, match: LabMatch, kb: KnowledgeBase, referenced: Set[tuple[str, int]]
) -> InputStatus:
    name = kb.analytes[match.analyte_id].name if match.analyte_id else None
    if match.test_id:  # known, not checked: recognized, and says why
        name = kb.lab_tests[match.test_id].name
        return InputStatus(index, "recognized", name, [name], match.reason, [], match.how)
    names = [name] if name else []
    if match.not_used:  # its status says it is not a result to use
        return InputStatus(index, "recognized", name, names, match.reason, [], match.how)
    if ("labs", index) in referenced:
        return InputStatus(index, "flagged", name, names, match.reason, [], match.how)
    if match.analyte_id and match.value is not None:
        return InputStatus(index, "recognized", name, names, match.reason, [], match.how)
    return InputStatus(
        index, "unrecognized", name, names, match.reason, list(match.suggestions), match.how
    )


def status_notes(
    items: Sequence[MedicationInput | ConditionInput | LabInput],
    kb: KnowledgeBase,
    values_read: Sequence[bool] | None = None,
) -> list[list[str]]:
    """Per input, what its status fields add to its reason: a value not understood (read
    as if no status were sent), FHIR's ``unknown`` (read so too, and said), and a
    preliminary result (used, not final yet) when its value was read (``values_read``: not
    one superseded by a final result, nor a test not checked here such as a ferritin)."""
    if not _any_status(items):
        return []  # no status field sent (most requests): nothing to add
    templates = kb.texts.templates
    notes: list[list[str]] = []
    for index, item in enumerate(items):
        said: list[str] = []
        for value, statuses in _status_fields(item):
            if value is None:  # absent: nothing to add (most inputs)
                continue
            sent = read_status(value, statuses)
            if sent.not_understood is not None:
                said.append(not_understood_reason(templates, sent, statuses))
            elif sent.code == UNKNOWN_STATUS and statuses in (MEDICATION, LAB):
                said.append(templates[STATUS_UNKNOWN].format(reading=statuses.reading))
            elif (
                statuses is LAB
                and sent.code is not None
                and LAB_STATUSES.get(sent.code) == USED_NOT_FINAL
                and (values_read is None or values_read[index])
            ):
                said.append(reason_of(templates, reason_kind(USED_NOT_FINAL, sent.code)))
        notes.append(said)
    return notes


def _any_status(items: Sequence[MedicationInput | ConditionInput | LabInput]) -> bool:
    for item in items:
        if isinstance(item, ConditionInput):
            if item.clinical_status is not None or item.verification_status is not None:
                return True
        elif item.status is not None:
            return True
    return False


def _status_fields(
    item: MedicationInput | ConditionInput | LabInput,
) -> tuple[tuple[object, StatusSet], ...]:
    if isinstance(item, MedicationInput):
        return ((item.status, MEDICATION),)
    if isinstance(item, ConditionInput):
        return (
            (item.clinical_status, CONDITION_CLINICAL),
            (item.verification_status, CONDITION_VERIFICATION),
        )
    return ((item.status, LAB),)


def with_notes(statuses: list[InputStatus], notes: Sequence[Sequence[str]]) -> list[InputStatus]:
    """``statuses`` with each input's ``notes`` added to its reason (none: no notes)."""
    if not any(notes):
        return statuses
    return [
        msgspec.structs.replace(status, reason="; ".join(filter(None, (status.reason, *said))))
        if said
        else status
        for status, said in zip(statuses, notes, strict=True)
    ]
