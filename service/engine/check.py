"""``check(request, knowledge) -> report``: a pure function, no I/O and no HTTP types."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from types import MappingProxyType

from msgspec.structs import replace

from service.engine.advice import fit_advice, note_replacement
from service.engine.combinations import Request, combination_findings
from service.engine.errors import ImplausibleValueError, implausible_values
from service.engine.findings import (
    PREGNANCY_CONDITION,
    Facts,
    condition_findings,
    lab_findings,
    lab_results,
    latest_by_analyte,
    measured_conditions,
    medication_findings,
    not_cured,
)
from service.engine.matches import ConditionMatch, MedicationMatch
from service.engine.matching import match_condition, match_lab, match_medication
from service.engine.matching.drugs import texts_of
from service.engine.matching.labs import without_superseded
from service.engine.models import CheckRequest, ConditionInput, Finding, Patient, Report
from service.engine.note import problem_checks, render_note
from service.engine.prepared import Knowledge, SameEntryRule
from service.engine.refs import Ref, first_ref
from service.engine.statuses import (
    condition_status,
    lab_status,
    medication_status,
    status_notes,
    with_notes,
)
from service.engine.strings import lab_values
from service.knowledge.severity import SEVERITY_RANK, overall_risk
from service.knowledge.text import tokens

# Combinations that a wider combination may absorb.
ABSORBABLE = frozenset({"second_factor", "measured_abnormality"})
# Report order of findings of equal severity.
KIND_RANK: dict[str, int] = {"combination": 0, "lab": 1, "medication": 2, "condition": 3}


def _order(finding: Finding) -> tuple[int, int, Ref]:
    return -SEVERITY_RANK[finding.severity], KIND_RANK[finding.kind], first_ref(finding)


def check(
    request: CheckRequest, knowledge: Knowledge, comparators: Sequence[str | None] = ()
) -> Report:
    """The report on one request. Raises ``ImplausibleValueError`` when a lab value is not a
    possible result (an entry error: never a finding). ``comparators``: per lab, the
    comparator of a result the FHIR path read from a bound (``<2.5``), which the texts show
    with its value; the REST contract has none."""
    kb = knowledge.kb
    shown = lab_values([lab.value for lab in request.labs], comparators)
    labs = without_superseded(
        request.labs, [match_lab(lab, knowledge) for lab in request.labs], knowledge
    )
    errors = implausible_values(request.labs, labs, kb)
    if errors:
        raise ImplausibleValueError(errors)
    meds = named_as_cause(
        listed_elsewhere([match_medication(m, knowledge) for m in request.medications])
    )
    conds = [match_condition(c, knowledge) for c in request.conditions]
    patient, not_pregnancy = readable_patient(request.patient, kb.texts.templates)
    if knowledge.labeled_uses:
        meds = taken_for_conditions(meds, conds, knowledge)
    results = lab_results(
        request.labs, labs, _lab_patient(patient, conds), knowledge, _drug_rules(meds, knowledge)
    )
    latest = latest_by_analyte(results)
    if knowledge.not_cured_when:
        conds = not_cured(conds, results, latest, knowledge)
    measured = measured_conditions(conds, request.labs, results, knowledge, latest, shown)
    _not_pregnant(patient, conds, measured.outranked, kb.texts.templates)
    facts = Facts(knowledge)
    route_reasons: dict[int, str] = {}
    sent = frozenset(latest).union(lab.test_id for lab in labs if lab.test_id)
    findings = medication_findings(
        meds, knowledge, facts, route_reasons, request.labs, results, latest, sent, shown
    )
    findings += condition_findings(conds, patient, knowledge, facts, measured)
    findings += lab_findings(request.labs, labs, results, knowledge, facts, measured, shown)
    findings += combination_findings(
        knowledge,
        facts,
        Request(meds, conds, labs, request.medications, request.labs, results, latest, shown),
    )
    findings.sort(key=_order)
    findings = note_replacement(
        fit_advice(
            same_entry(
                absorb(
                    findings,
                    knowledge.absorbed_only_by_measured,
                    *knowledge.absorbed_only_by_speaking_for,
                    sent,
                ),
                conds,
                request.conditions,
                knowledge,
            ),
            conds,
            measured,
            knowledge,
        ),
        meds,
        results,
        knowledge,
    )
    referenced = {(ref.list, ref.index) for f in findings for ref in f.inputs}
    med_status = with_notes(
        [
            medication_status(i, m, kb, referenced, route_reasons, knowledge.drugs_at_route)
            for i, m in enumerate(meds)
        ],
        status_notes(request.medications, kb),
    )
    cond_status = with_notes(
        [condition_status(i, c, kb, referenced, measured) for i, c in enumerate(conds)],
        status_notes(request.conditions, kb),
    )
    lab_status_ = with_notes(
        [lab_status(i, lab, kb, referenced) for i, lab in enumerate(labs)],
        status_notes(request.labs, kb, [lab.value is not None for lab in labs]),
    )
    risk = overall_risk(f.severity for f in findings)
    note = render_note(
        risk,
        findings,
        request,
        (("medications", med_status), ("conditions", cond_status), ("labs", lab_status_)),
        kb,
        not_pregnancy,
        shown,
    )
    return Report(
        knowledge_version=kb.version,
        risk=risk,
        findings=findings,
        medications=med_status,
        conditions=cond_status,
        labs=lab_status_,
        note=note,
    )


STOPPED = "stopped"
LISTED_ELSEWHERE = "listed_elsewhere"


def listed_elsewhere(meds: list[MedicationMatch]) -> list[MedicationMatch]:
    """An entry that says one drug is stopped and names another as current ("simvastatin
    40 mg - switched to rosuvastatin", "changed from Lasix to torsemide") documents a
    switch: its current drug is not a second order of that drug when an entry that is not
    such a switch lists it ("rosuvastatin 10 mg daily"); that entry is its order (review31
    D3). Alone, the switch entry's drug stays current."""
    switches = [
        number
        for number, match in enumerate(meds)
        if match.hits and any(kind == STOPPED for _, kind in match.excluded)
    ]
    if not switches:
        return meds
    switch_set = set(switches)
    listed = {
        hit.drug_id
        for number, match in enumerate(meds)
        if number not in switch_set
        for hit in match.hits
    }
    read = list(meds)
    for number in switches:
        match = meds[number]
        elsewhere = tuple(h for h in match.hits if h.drug_id in listed)
        if not elsewhere:
            continue
        read[number] = match.without(elsewhere, LISTED_ELSEWHERE)
    return read


NAMED_AS_CAUSE = "named_as_cause"


def named_as_cause(meds: list[MedicationMatch]) -> list[MedicationMatch]:
    """A drug named as the cause of what another drug of the entry treats ("Mag-Ox 400 mg
    for low Mg from omeprazole", "KCl for HCTZ-induced hypokalemia") is not a second order
    of that drug when another entry lists it ("omeprazole 20 mg daily"): that entry is its
    order, whatever it says of the drug ("HCTZ 25 mg - stopped", "Lasix (not taking)":
    review33 R1). Alone, it is read as taken: the supplement treats its ongoing effect
    (review32 R6)."""
    if not any(match.causes for match in meds):
        return meds
    listed: dict[str, set[int]] = {}
    for number, match in enumerate(meds):
        named = (*(h.drug_id for h in match.hits), *(drug for drug, _ in match.excluded))
        for drug_id in named:
            if drug_id not in match.causes:
                listed.setdefault(drug_id, set()).add(number)
    read = list(meds)
    for number, match in enumerate(meds):
        elsewhere = tuple(
            h
            for h in match.hits
            if h.drug_id in match.causes and listed.get(h.drug_id, set()) - {number}
        )
        if not elsewhere:
            continue
        read[number] = match.without(elsewhere, NAMED_AS_CAUSE)
    return read


def taken_for_conditions(
    meds: list[MedicationMatch], conds: Sequence[ConditionMatch], knowledge: Knowledge
) -> list[MedicationMatch]:
    """Drugs of classes whose labeled use a current condition is (``labeled_use_of``) are
    read as taken for it: excluded as "other_use", as a text saying so is."""
    classes = {
        cid for match in conds for cond in match.condition_ids
        for cid in knowledge.labeled_uses.get(cond, ())
    }  # fmt: skip
    if not classes:
        return meds
    drugs = knowledge.kb.drugs
    read: list[MedicationMatch] = []
    for match in meds:
        used = tuple(h for h in match.hits if not classes.isdisjoint(drugs[h.drug_id].classes))
        if not used:
            read.append(match)
            continue
        read.append(match.without(used, "other_use"))
    return read


# A pregnancy is read only from this age to this one (completed years, inclusive), on REST
# (`patient.pregnant`) and on the FHIR path (a pregnancy-related condition or status,
# docs/cds-hooks.md).
PREGNANCY_AGES = (10, 60)


def readable_patient(
    patient: Patient | None, templates: Mapping[str, str]
) -> tuple[Patient | None, str | None]:
    """The patient as the check reads it, and why its ``pregnant`` true is not read, if so:
    a pregnancy contradicting ``sex`` male or an age outside ``PREGNANCY_AGES`` is an
    entry error, read as if the field were not sent (review51 D7); the request is still
    answered. A pregnancy among the conditions is read as before."""
    if patient is None or not patient.pregnant:
        return patient, None
    low, high = PREGNANCY_AGES
    if patient.sex == "male":
        why = templates["pregnancy_not_read_male"]
    elif patient.age is not None and not low <= math.floor(patient.age) <= high:
        # Completed years, as the FHIR path computes an age from the birth date: 60.9 is
        # 60, read; 9.9 is 9, not (review52 R4).
        why = templates["pregnancy_not_read_age"].format(age=f"{patient.age:g}", low=low, high=high)
    else:
        return patient, None
    return replace(patient, pregnant=None), why


def _not_pregnant(
    patient: Patient | None,
    conds: Sequence[ConditionMatch],
    outranked: dict[int, str],
    templates: Mapping[str, str],
) -> None:
    """A pregnancy among the conditions while ``patient.pregnant`` is false: the structured
    field is the current answer (a problem list keeps a past pregnancy), so the entry is
    recognized, not a contributor (review34 D6)."""
    if patient is None or patient.pregnant is not False:
        return
    for index, match in enumerate(conds):
        if match.condition_ids == (PREGNANCY_CONDITION,):
            outranked.setdefault(index, templates["outranked_by_not_pregnant"])


def _drug_rules(meds: Sequence[MedicationMatch], knowledge: Knowledge) -> frozenset[str]:
    """The rules of ``Knowledge.range_kept_by_rule`` a current drug fills a slot of; all of
    them (``Knowledge.range_kept_rules``) when a medication is unrecognized: an unchecked
    drug may be a glucose-lowering one, so 70 mg/dL stays (review57c R1, docs/api.md)."""
    kept = knowledge.range_kept_by_rule
    rules: frozenset[str] = frozenset()
    for match in meds:
        if not match.hits and not match.excluded:
            return knowledge.range_kept_rules
        for hit in match.hits:
            if hit in kept:
                rules |= kept[hit]
    return rules


def _lab_patient(patient: Patient | None, conds: Sequence[ConditionMatch]) -> Patient | None:
    """The patient whose limits the labs are read against: a current pregnancy among the
    conditions is a pregnant patient (pregnancy limits for TSH and hemoglobin), unless
    ``patient.pregnant`` says otherwise."""
    if patient is not None and patient.pregnant is not None:
        return patient
    if not any(PREGNANCY_CONDITION in match.condition_ids for match in conds):
        return patient
    return Patient(pregnant=True) if patient is None else replace(patient, pregnant=True)


def same_entry(
    findings: list[Finding],
    conds: Sequence[ConditionMatch],
    items: Sequence[ConditionInput],
    knowledge: Knowledge,
) -> list[Finding]:
    """One entry, one problem: a condition's finding absorbs the findings of the conditions
    its ``same_entry`` names when every entry they come from names it too and no other cause
    of theirs ("Type 2 diabetes with diabetic polyneuropathy", E11.42: the neuropathy is the
    diabetes's), and then gives their advice its own lacks. Separate entries, and an entry
    naming another cause ("DM2; B12 deficiency neuropathy"), stay separate problems. A
    finding a combination absorbed is left as it is."""
    if not knowledge.same_entry:
        return findings
    at = {f.id: number for number, f in enumerate(findings) if f.kind == "condition"}
    out = findings
    for rule in knowledge.same_entry:
        lead_at = at.get(rule.finding_id)
        if lead_at is None or out[lead_at].absorbed_by is not None:
            continue
        lead = out[lead_at]
        merged = False
        for absorbed_id in rule.absorbs:
            other_at = at.get(absorbed_id)
            if other_at is None or out[other_at].absorbed_by is not None:
                continue
            if not all(
                ref.list == "conditions"
                and ref in lead.inputs
                and _one_entry(conds[ref.index], items[ref.index], rule)
                for ref in out[other_at].inputs
            ):
                continue
            if out is findings:
                out = list(findings)
            out[other_at] = replace(out[other_at], absorbed_by=rule.finding_id)
            merged = True
        if merged:
            out[lead_at] = replace(rule.merged, inputs=lead.inputs)
    return out


def _one_entry(match: ConditionMatch, item: ConditionInput, rule: SameEntryRule) -> bool:
    """The entry names no other cause of the absorbed condition: no condition of
    ``unless_with`` and no word of ``unless_words`` in its text or coding displays."""
    if not rule.unless_with.isdisjoint(match.condition_ids):
        return False
    return not any(
        not rule.unless_words.isdisjoint(tokens(text)) for text in texts_of(item.text, item.coding)
    )


@functools.lru_cache(maxsize=4096)
def asks_for(line: str, analytes: frozenset[str]) -> bool:
    """A check line names one of the analytes (by id, words apart: ``vitamin_d`` as
    vitamin d). Lines are the knowledge base's texts, so this is remembered (bounded)."""
    words = f" {' '.join(tokens(line))} "
    return any(f" {analyte.replace('_', ' ')} " in words for analyte in analytes)


def absorb(
    findings: Sequence[Finding],
    only_by_measured: AbstractSet[str] = frozenset(),
    predicts: Mapping[str, AbstractSet[str]] = MappingProxyType({}),
    speaks_for: Mapping[str, AbstractSet[str]] = MappingProxyType({}),
    sent: AbstractSet[str] = frozenset(),
) -> list[Finding]:
    """One problem, one alert: each finding whose inputs a combination joins (and that is
    not more severe than it) is marked as absorbed by the first such combination (the most
    severe, then the widest). A combination of another basis than a second factor (an
    interaction, a duplicate therapy, a contraindicated pair) is a problem of its own, and
    one in ``only_by_measured`` is absorbed only by a combination that joins a result. One
    that predicts a deficit (``predicts``: several potassium-lowering drugs -> potassium) is
    absorbed only by a combination that speaks for what it predicts (for loop plus
    thiazide, one of its three: a measured low potassium on both speaks for it): its rule
    does (``speaks_for``), the checks the note shows of it name it, or the request has a
    result of it (``sent``), so its concern stays in what the absorbing finding asks for."""
    combos = sorted(
        (f for f in findings if f.kind == "combination"),
        key=lambda f: (-SEVERITY_RANK[f.severity], -len(f.inputs)),
    )
    if not combos:
        return list(findings)
    # InputRefs compare and hash by (list, index): sets of them are the inputs joined.
    joined = {f.id: frozenset(f.inputs) for f in combos}
    absorbed: dict[str, str] = {}
    for position, combo in enumerate(combos):
        if combo.basis not in ABSORBABLE:
            continue
        needs_result = combo.id in only_by_measured
        deficits = predicts.get(combo.id, frozenset())
        for earlier in combos[:position]:
            if earlier.id not in absorbed and joined[combo.id] <= joined[earlier.id]:
                if needs_result and not any(ref.list == "labs" for ref in earlier.inputs):
                    continue
                if deficits and not (
                    deficits & sent
                    or not deficits.isdisjoint(speaks_for.get(earlier.id, ()))
                    or any(asks_for(line, deficits) for line in problem_checks(earlier))
                ):
                    continue
                absorbed[combo.id] = earlier.id
                break
    # The open combinations, as what absorbing reads: their inputs, rank and id.
    open_combos = [
        (joined[c.id], SEVERITY_RANK[c.severity], c.id) for c in combos if c.id not in absorbed
    ]
    out = []
    for finding in findings:
        by = absorbed.get(finding.id)
        if finding.kind != "combination":
            inputs = finding.inputs
            if finding.kind == "lab":  # the coded conditions it lists are the same problem
                inputs = [ref for ref in inputs if ref.list == "labs"]
            rank = SEVERITY_RANK[finding.severity]
            for refs, combo_rank, combo_id in open_combos:
                if rank <= combo_rank and (
                    inputs[0] in refs if len(inputs) == 1 else refs.issuperset(inputs)
                ):
                    by = combo_id
                    break
        out.append(finding if by is None else replace(finding, absorbed_by=by))
    return out
