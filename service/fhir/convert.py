"""FHIR R4 resources -> the engine's ``CheckRequest``, plus the resource behind each item.

Pure: no I/O. Only resources that describe the patient's current state are used:
active MedicationRequests that are orders (and draft orders of order hooks), active /
intended MedicationStatements (one on hold is a drug not taken now, as a REST text "(on
hold)" is), neither of them ended (an end date or dosage bounds that have passed; a
coded one's dosage text is read with its name),
active / recurring / relapsed Conditions that are not refuted or abated, and final /
amended / corrected Observations (a preliminary one when later and abnormal) with a
numeric result (a ``valueQuantity``, ``valueInteger`` or numeric ``valueString``, on the
Observation or on one of its components; a bound such as ``<2.5`` only when every value
within it is abnormal), the
most recent per analyte (at the same time: an amended or corrected one, then the one issued
later), an ionized and a total calcium read together only when drawn within
``CORRECTION_WINDOW_DAYS`` of each other (else the more recent alone). An episode that
ends (``acute`` in the knowledge base) is current only while recent
(``EPISODE_WINDOW_DAYS``). A pregnancy-related Condition is read as a
current pregnancy only while it is recent (``PREGNANCY_WINDOW_DAYS``), within
``PREGNANCY_AGES`` and while the patient is alive. Resources of another patient are left
out. Everything left out is listed with the reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeVar

import msgspec

from service.engine._systems import system_of
from service.engine.check import PREGNANCY_AGES
from service.engine.models import (
    CheckRequest,
    Coding,
    ConditionInput,
    LabInput,
    MedicationInput,
    Patient,
    ReferenceRange,
)
from service.engine.status_codes import (
    CURRENT_CONDITION_CLINICAL,
    EXCLUDED_VERIFICATION,
    PRELIMINARY,
    UNCONFIRMED_VERIFICATION,
    UNKNOWN_STATUS,
    USED_OBSERVATIONS,
)
from service.engine.strings import shown_value
from service.fhir import resources as r
from service.fhir.dates import (
    age_on,
    duration,
    has_passed,
    latest_moment,
    parse_date,
    parse_instant,
)
from service.fhir.models import Conversion, Ignored, ResourceRef, Sources
from service.fhir.read import Entry
from service.fhir.references import (
    MedicationIndex,
    PatientFilter,
    base_of,
    order_key,
    order_names,
    server_base,
)
from service.knowledge.text import unit_key
from service.limits import (
    MAX_AGE_YEARS,
    MAX_CODE,
    MAX_CODINGS,
    MAX_CONDITIONS,
    MAX_LAB_VALUE,
    MAX_LABS,
    MAX_MEDICATIONS,
    MAX_ROUTE,
    MAX_SYSTEM,
    MAX_TEXT,
    MAX_UNIT,
)

MEDICATION_REQUEST_STATUSES = frozenset({"active", UNKNOWN_STATUS})
HELD_STATUS = "on-hold"
HELD_REASON = "status on-hold: held, not taken now"
STATEMENT_OF_ORDER_REASON = (
    "reports on the order {order} (its basedOn or derivedFrom), which is read: one medication"
)
STATEMENT_SAME_AS_ORDER_REASON = (
    "the patient's statement of the order {order} (same drug and dose), which is read:"
    " one medication"
)
ORDER_TAKEN_OTHERWISE_REASON = (
    "the patient's statement {statement} (its basedOn or derivedFrom names this order) says"
    " a higher dose is taken ({dose}): the statement is read"
)
STATEMENT_LOWER_DOSE_REASON = (
    "reports on the order {order} (its basedOn or derivedFrom) at another dose ({dose}):"
    " the order's higher daily dose is read, one medication"
)
STATEMENT_PART_OF_ORDER_REASON = (
    "reports on the order {order} (its basedOn or derivedFrom), which is read and contains"
    " its drugs: one medication"
)
SUPERSEDED_REASON = "superseded by {later}, which names it as its priorPrescription"
DRAFT_ORDER_STATUSES = frozenset({"draft", "active", "on-hold"})
# MedicationRequest.intent codes (FHIR R4 value set medicationrequest-intent,
# hl7.org/fhir/R4/valueset-medicationrequest-intent.html) of a record's request that are
# not a drug the patient takes: a suggestion nobody has acted on (proposal), an intention
# that authorizes nobody to act (plan), an option of a RequestGroup. The orders (order,
# original-order, reflex-order, filler-order, instance-order) are read.
NOT_TAKEN_INTENTS = frozenset({"proposal", "plan", "option"})
# ... except a plan that is reported or self-prescribed: US Core records a medication the
# patient takes without a prescription so (its example MedicationRequest "self-tylenol":
# status active, intent plan, reported true, requester the Patient;
# hl7.org/fhir/us/core/STU6.1/MedicationRequest-self-tylenol.html).
REPORTED_INTENT = "plan"
MEDICATION_STATEMENT_STATUSES = frozenset({"active", "intended", UNKNOWN_STATUS})
# The condition and observation codes are those the REST fields read
# (service/engine/status_codes.py), so that both paths read a status alike.
CONDITION_CLINICAL_STATUSES = CURRENT_CONDITION_CLINICAL  # active, recurrence, relapse
# A condition that came back: an abatement on record is that of an earlier episode.
CONDITION_RETURNED_STATUSES = frozenset({"recurrence", "relapse"})
CONDITION_EXCLUDED_VERIFICATION = EXCLUDED_VERIFICATION  # refuted, entered-in-error
# Not established (condition-ver-status: unconfirmed and its children provisional and
# differential): read as a REST text "possible ..." or "rule out ..." is, not flagged.
CONDITION_UNCONFIRMED_VERIFICATION = UNCONFIRMED_VERIFICATION
# final, amended, corrected; and unknown ("the authoring/source system does not know which
# of the status values currently applies": no statement that the result was withdrawn),
# used as the REST status field reads it, its reason saying the status was unknown.
OBSERVATION_STATUSES = USED_OBSERVATIONS | {UNKNOWN_STATUS}
# A preliminary result is read as the REST field reads it (docs/clinical-policy.md): sent
# with its status, so the engine says it is not final yet and never lets a normal one clear
# a coded diagnosis. The latest result of an analyte is the final one unless a preliminary
# one is later and abnormal (``_recent_labs``): it may raise a problem, never take one away.
PRELIMINARY_STATUS = PRELIMINARY
# Statuses of a result modified after it was final (hl7.org/fhir/R4/valueset-observation-
# status.html: amended, "Subsequent to being Final, the observation has been modified", and
# its child corrected): at the same specimen time it replaces the original.
MODIFIED_STATUSES = frozenset({"amended", "corrected"})
PRELIMINARY_SUPERSEDED = "preliminary; the final result {final} is used"
PRELIMINARY_NORMAL = (
    "preliminary and not abnormal: it does not replace the final result {final}, which is used"
)
PRELIMINARY_NOT_WORSE = (
    "preliminary and not worse than the abnormal final result {final}: it does not replace"
    " it (an unverified result never takes a problem away); the final result is used"
)
LOINC = "http://loinc.org"
# referenceRange.type codes that mean the usual normal range (an absent type means it too).
NORMAL_RANGE_TYPES = frozenset({"normal"})
UCUM = "http://unitsofmeasure.org"
# valueQuantity.comparator: the state every value within the bound must be in for the
# bound to be read as its number, and the direction of the values it allows.
BOUND_DIRECTIONS: dict[str, tuple[str, float]] = {
    "<": ("low", -math.inf),
    "<=": ("low", -math.inf),
    ">": ("high", math.inf),
    ">=": ("high", math.inf),
}
MEDICATION_TYPES = ("MedicationRequest", "MedicationOrder", "MedicationStatement")
# A dose given is not a drug the patient takes now (an inpatient dose, a one-off
# injection): listed in `ignored` so that it is never silently dropped.
ADMINISTRATION = "MedicationAdministration"
ADMINISTERED_REASON = "a dose given (MedicationAdministration): not read as a drug taken now"
# A result dated later than tomorrow (time zones and clock skew allow a day).
FUTURE_SKEW_DAYS = 1
FUTURE_REASON = "dated in the future: an entry error"
READ_TYPES = (*MEDICATION_TYPES, ADMINISTRATION, "Condition", "Observation")
# A pregnancy lasts about 40 weeks (280 days) from the last menstrual period: a
# pregnancy-related condition that began more than 300 days (about ten months) ago, and
# was not closed, is an old pregnancy left open on the problem list, not a current one.
PREGNANCY_WINDOW_DAYS = 300
# An episode that ends (a condition every concept of which the knowledge base marks
# `acute`: dehydration, hypoglycemia, hypokalemia, vomiting, heat cramps, ...) lasts days
# to weeks; one last dated more than 90 days ago and never closed is an encounter
# diagnosis left open on the problem list, not a current one. 90 days covers the episode
# and its follow-up; a chronic condition is never closed by age.
EPISODE_WINDOW_DAYS = 90

# A result that corrects another (albumin for total calcium) is used only when drawn within
# this many days of it: albumin from another admission says nothing of today's calcium.
# The same window pairs a result with the one that decides instead of it (an ionized
# calcium over a total calcium): an ionized calcium from another admission says nothing of
# today's total calcium, nor an old total calcium of today's ionized one.
CORRECTION_WINDOW_DAYS = 3
# A pregnancy status Observation (the FHIR form of the REST `patient.pregnant`): LOINC
# 82810-3 "Pregnancy status" (IPS Pregnancy Status, US Core), 11449-6 "Pregnancy status"
# (C-CDA Pregnancy Observation); answers from the IPS value set pregnancy-status-uv-ips
# and its ConceptMap to SNOMED CT (hl7.org/fhir/uv/ips/ValueSet-pregnancy-status-uv-ips).
PREGNANCY_STATUS_LOINC = frozenset({"82810-3", "11449-6"})
PREGNANT_ANSWERS = frozenset({f"{LOINC}|LA15173-0", "http://snomed.info/sct|77386006"})
NOT_PREGNANT_ANSWERS = frozenset({f"{LOINC}|LA26683-5", "http://snomed.info/sct|60001007"})
# Dosage.asNeeded[x] as words in the medication's text (`prn_tokens` of the datasets).
AS_NEEDED = "as needed"
# A number written as text ("3.1", "3.1 mmol/L"), with the comparator of a bound ("<2.5"),
# which is read as a ``valueQuantity.comparator`` is. One comma between digits ("3,0") is a
# decimal comma unless exactly three digits follow it ("1,200" may be a thousands
# separator: ``_string_number``); a unit never begins with a separator, so "3,0 mmol/L" is
# never the number 3 with the unit ",0 mmol/L".
_NUMBER = re.compile(
    r"^\s*(?P<bound><=|>=|<|>)?\s*(?P<value>[-+]?(?:\d+(?:\.\d*|,\d+)?|\.\d+))\s*"
    r"(?P<unit>[^\d\s<>=.,].*)?$"
)
# A text that begins with a number written with separators not read above ("1,200,000",
# "1.200,5"): refused with a reason about the number, never read as a part of it.
_SEPARATED_NUMBER = re.compile(r"^\s*(?:<=|>=|<|>)?\s*[-+]?(?P<value>\d*[.,][\d.,]*\d)")
# The digits after a comma that make it a thousands separator as well as a decimal comma.
_THOUSANDS_DIGITS = 3

T = TypeVar("T")
Sex = Literal["female", "male", "other", "unknown"]
SEXES: dict[str, Sex] = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def _never(_: ConditionInput) -> bool:
    return False


def _no_analyte(_: LabInput) -> str | None:
    return None


def _no_states(_: LabInput, __: Patient | None) -> frozenset[str]:
    return frozenset()


def _no_value(_: LabInput, __: Patient | None) -> float | None:
    return None


# What a medication names, for pairing a patient's statement with an order: its drugs
# (ingredient set), the daily dose of each (None: not read), and whether taken as needed.
MedKey = tuple[frozenset[str], tuple[float | None, ...], bool]


def _no_key(_: MedicationInput) -> MedKey | None:
    return None


def _never_split(texts: Sequence[str | None]) -> bool:
    return False


@dataclass(frozen=True, kw_only=True)
class Options:
    """How to read the resources.

    ``analyte_by_loinc``: LOINC code -> analyte id (``kb.analyte_by_loinc``); with it, only
    Observations of analytes the service checks are used, and only the most recent of each.
    ``lab_max_age_days``: leave out labs older than this (``None``: no limit).
    ``pregnancy``: whether a condition reads as pregnancy (the knowledge base's matching),
    so that an old or implausible one is not read as a current pregnancy.
    ``episode``: whether a condition is an episode that ends (every concept it reads as is
    ``acute`` in the knowledge base), so that an old one never closed is not current.
    ``lab_analyte``: the analyte a lab without a known LOINC code reads as (the knowledge
    base's matching), so that the most recent result of an analyte is chosen across
    LOINC and local codes.
    ``lab_states``: the states (``low``, ``high``) a lab value is in for this patient (the
    knowledge base's limits), so that a result given as a bound (``<2.5``) is used only
    when every value within the bound is abnormal the same way.
    ``med_key``: a medication's drugs, daily doses and as-needed flag (``MedKey``), so
    that a patient's MedicationStatement is read as the report of an order only when it
    names the same drugs at the same dose (review32 R11, O2).
    ``lab_value``: a lab's value as the rules read it (canonical unit, corrected), so that
    a preliminary result replaces an abnormal final one only when it is worse the same way.
    ``corrected_by``: analyte id -> the analyte that corrects it (calcium: albumin), so that
    a correcting result is used only when drawn near the result it corrects.
    ``outranked_by``: analyte id -> the analyte whose result decides instead of it (total
    calcium: ionized calcium, ``Analyte.outranked_by``), so that the two are read together
    only when drawn near each other; otherwise the older is left out.
    ``split_dose``: whether orders of one product (their texts, directions included) are
    the parts of a dose split over the day (the engine's ``split_over_the_day``), so that
    they are read together; any other repeated order is read once.
    ``server``: the CDS Hooks call's ``fhirServer``: a priorPrescription naming an order
    by an absolute URL matches it only on this base, the naming entry's ``fullUrl``
    base, or as the order's own ``fullUrl`` (``references.order_key``).
    """

    today: date
    patient: PatientFilter = field(default_factory=lambda: PatientFilter(None))
    analyte_by_loinc: Mapping[str, str] = field(default_factory=dict)
    lab_max_age_days: int | None = None
    pregnancy: Callable[[ConditionInput], bool] = _never
    episode: Callable[[ConditionInput], bool] = _never
    lab_analyte: Callable[[LabInput], str | None] = _no_analyte
    lab_states: Callable[[LabInput, Patient | None], frozenset[str]] = _no_states
    lab_value: Callable[[LabInput, Patient | None], float | None] = _no_value
    med_key: Callable[[MedicationInput], MedKey | None] = _no_key
    corrected_by: Mapping[str, str] = field(default_factory=dict)
    outranked_by: Mapping[str, str] = field(default_factory=dict)
    split_dose: Callable[[Sequence[str | None]], bool] = _never_split
    # The fhirServer of the CDS Hooks call (None: none named): an absolute
    # priorPrescription on its base names a local order.
    server: str | None = None


class _SkipError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _Lab:
    item: LabInput
    ref: ResourceRef
    key: str
    when: datetime | None
    # Why the result cannot be used as a value (a bound that may be normal), if so: it
    # still counts as the most recent result of its analyte, so no older one replaces it.
    unusable: str | None = None
    # The comparator of a bound read as its number ("<" of "<2.5"), shown with the value.
    comparator: str | None = None
    # The Observation's status as read (lower case) and when it was issued: between two
    # results of one analyte drawn at the same time, an amended or corrected one, then the
    # one issued later, replaces the other (``_same_time``).
    status: str | None = None
    issued: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Pregnancy:
    """A pregnancy the record states: a current pregnancy-related Condition (``pregnant``
    true, ``item`` the condition as read) or a pregnancy status (``item`` None)."""

    pregnant: bool
    when: date | None
    ref: ResourceRef
    item: ConditionInput | None = None


@dataclass(frozen=True, slots=True)
class _Person:
    """What the Patient resource says that changes how the record is read."""

    patient: Patient | None = None
    ref: ResourceRef | None = None
    deceased: bool = False


@dataclass(slots=True)
class _Builder:
    options: Options
    medications: MedicationIndex
    person: _Person
    meds: list[tuple[MedicationInput, ResourceRef]] = field(default_factory=list)
    conds: list[tuple[ConditionInput, ResourceRef]] = field(default_factory=list)
    labs: list[_Lab] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    pregnancies: list[_Pregnancy] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    keys: dict[tuple[str, bool, tuple[str, ...]], str] = field(default_factory=dict)
    # The texts (directions included) of the orders (MedicationRequests) read, by
    # medication key: another order of the same medication is read beside them only when
    # they are the parts of a dose split over the day (``Options.split_dose``).
    order_texts: dict[tuple[bool, tuple[str, ...]], list[str | None]] = field(default_factory=dict)
    # The orders the drafts name as their priorPrescription (``order_key``) -> the draft.
    priors: dict[str, str] = field(default_factory=dict)
    # The record's orders read that a draft names so -> the draft.
    prior_of: dict[str, str] = field(default_factory=dict)
    # The orders the record's own orders name as their priorPrescription -> the later order.
    superseded: dict[str, str] = field(default_factory=dict)
    # The record's orders read -> the keys a priorPrescription naming them may have.
    order_names: dict[str, frozenset[str]] = field(default_factory=dict)
    # The statements read -> the ``order_key`` keys of the orders their basedOn or
    # derivedFrom names (the statement reports on that order: one medication).
    reports_on: dict[str, frozenset[str]] = field(default_factory=dict)

    def local_bases(self, entry: Entry) -> frozenset[str]:
        """The server bases on which an absolute reference in ``entry`` is local."""
        bases = (server_base(self.options.server), base_of(entry.full_url))
        return frozenset(b for b in bases if b is not None)

    def skip(self, entry: Entry, reason: str) -> None:
        self.ignored.append(Ignored(entry.reference, entry.resource_type, reason))

    def first_time(self, entry: Entry) -> bool:
        """Whether this resource was not read already (prefetch and fetch may overlap)."""
        if not (entry.id or entry.full_url):
            return True
        ref = f"{entry.resource_type}/{entry.id}" if entry.id else str(entry.full_url)
        if ref in self.seen:
            return False
        self.seen.add(ref)
        return True

    def duplicate_of(self, kind: str, draft: bool, key: tuple[str, ...], ref: str) -> str | None:
        """The reference of an earlier item naming exactly the same codes or text."""
        if not key:
            return None
        slot = (kind, draft, key)
        earlier = self.keys.get(slot)
        if earlier is None:
            self.keys[slot] = ref
        return earlier


def convert(record: Sequence[Entry], options: Options, drafts: Sequence[Entry] = ()) -> Conversion:
    """The CheckRequest for ``record`` (the patient's chart) and ``drafts`` (new orders)."""
    everything = [*drafts, *record]
    builder = _Builder(
        options,
        MedicationIndex(e for e in everything if e.resource_type == "Medication"),
        _patient(everything, options),
    )
    for entry in _latest_versions(builder, drafts, MEDICATION_TYPES):
        if entry.resource_type in MEDICATION_TYPES and builder.first_time(entry):
            _read(builder, entry, draft=True)
    for entry in _latest_versions(builder, record, READ_TYPES):
        if entry.resource_type in READ_TYPES and builder.first_time(entry):
            _read(builder, entry, draft=False)
    _without_superseded_orders(builder)
    _without_statements_of_orders(builder)
    labs = _recent_labs(builder)
    patient = _pregnancy_status(builder)
    meds = _limit(builder, builder.meds, MAX_MEDICATIONS, "medications")
    conds = _limit(builder, builder.conds, MAX_CONDITIONS, "conditions")
    labs = _limit(builder, labs, MAX_LABS, "labs")
    request = CheckRequest(
        patient=patient,
        medications=[m for m, _ in meds],
        conditions=[c for c, _ in conds],
        labs=[lab for (lab, _), _ in labs],
    )
    sources = Sources(
        medications=[ref for _, ref in meds],
        conditions=[ref for _, ref in conds],
        labs=[ref for _, ref in labs],
        patient=builder.person.ref,
    )
    return Conversion(
        request,
        sources,
        builder.ignored,
        deceased=builder.person.deceased,
        prior_of=builder.prior_of,
        lab_comparators=[comparator for (_, comparator), _ in labs],
    )


VERSION_REASON = "superseded by version {version} of the same resource"
UPDATED_REASON = "superseded by a later version of the same resource (meta.lastUpdated {updated})"


def _latest_versions(
    builder: _Builder, entries: Sequence[Entry], types: Sequence[str]
) -> list[Entry]:
    """``entries`` with one version of each resource (``types``, by ``Type/id``): the
    highest ``meta.versionId`` (when both are whole numbers), else the latest
    ``meta.lastUpdated``. A collection or searchset Bundle has no order meaning (FHIR R4
    http.html#history orders only a history), so the first one met is not the current one.
    Each version left out is listed in ``ignored`` (as ``Type/id/_history/N`` when it has
    a versionId), never dropped silently. Versions that cannot be ordered (no meta, the
    same version twice: prefetch and fetch may overlap) keep the first, as before."""
    position: dict[str, int] = {}
    kept: list[Entry] = []
    for entry in entries:
        if entry.resource_type not in types or not entry.id:
            kept.append(entry)
            continue
        ref = entry.reference
        index = position.get(ref)
        if index is None:
            position[ref] = len(kept)
            kept.append(entry)
            continue
        earlier = kept[index]
        later = _later_version(earlier, entry)
        if later is None:
            kept.append(entry)  # as before: the first one read is used
            continue
        old = earlier if later is entry else entry
        if later is entry:
            kept[index] = entry
        reason = (
            VERSION_REASON.format(version=later.version)
            if _version_number(later) is not None and _version_number(old) is not None
            else UPDATED_REASON.format(updated=later.updated)
        )
        shown = f"{ref}/_history/{old.version}" if old.version else ref
        builder.ignored.append(Ignored(shown, entry.resource_type, reason))
    return kept


def _version_number(entry: Entry) -> int | None:
    version = entry.version
    return int(version) if version is not None and version.isdigit() else None


def _later_version(first: Entry, second: Entry) -> Entry | None:
    """The later of two versions of one resource: the higher ``meta.versionId`` (whole
    numbers), else the later ``meta.lastUpdated``; None when they cannot be ordered."""
    if first.version is not None and first.version == second.version:
        return None  # the same version twice
    a, b = _version_number(first), _version_number(second)
    if a is not None and b is not None and a != b:
        return first if a > b else second
    when_a, when_b = parse_instant(first.updated), parse_instant(second.updated)
    if when_a is not None and when_b is not None and when_a != when_b:
        return first if when_a > when_b else second
    return None


def _without_superseded_orders(builder: _Builder) -> None:
    """A record's active order that another active order names as its priorPrescription
    was replaced by it (a switch or a new dose left active by the EHR): left out, listed."""
    if not builder.superseded:
        return
    kept = []
    for item, ref in builder.meds:
        names = builder.order_names.get(ref.reference, frozenset())
        later = next(
            (builder.superseded[n] for n in sorted(names) if n in builder.superseded), None
        )
        if ref.draft or later is None or later == ref.reference:
            kept.append((item, ref))
            continue
        builder.ignored.append(
            Ignored(ref.reference, ref.resource_type, SUPERSEDED_REASON.format(later=later))
        )
    builder.meds[:] = kept


def _without_statements_of_orders(builder: _Builder) -> None:
    """A MedicationStatement that is the patient's report of an order read is one
    medication with it: counting both would make one drug two (duplicate therapy). The
    order speaks for it; the statement is listed in ``ignored``. A statement is that report
    when its ``basedOn`` or ``derivedFrom`` names the order and it names the same drugs at
    the same daily dose (or a dose is not given), or, unlinked, when it names the same
    drugs as a current order at the same dose or none (review32 O2). Linked at another dose,
    the higher daily dose is read and the other listed: a higher statement (what the patient
    says is taken) replaces the order, a lower one does not take the order's dose-limit
    findings away (review33 R7). Linked and naming some of the order's drugs (the
    hydrochlorothiazide of a lisinopril-hydrochlorothiazide order), the order speaks for it.
    Linked but naming other drugs (derivedFrom may name any supporting record), both are
    read (review32 R11).
    Drugs not read on either side: a linked statement is the order's report, as written."""
    if not any(ref.resource_type == "MedicationStatement" for _, ref in builder.meds):
        return
    keys = _LazyKeys(builder)
    orders: dict[str, int] = {}
    for i, (_, ref) in enumerate(builder.meds):
        for name in builder.order_names.get(ref.reference, frozenset()):
            orders.setdefault(name, i)
    current_orders = [
        i
        for i, (_, ref) in enumerate(builder.meds)
        if ref.resource_type != "MedicationStatement" and not ref.draft
    ]
    dropped: dict[int, str] = {}
    for i, (_, ref) in enumerate(builder.meds):
        if ref.resource_type != "MedicationStatement" or i in dropped:
            continue
        names = builder.reports_on.get(ref.reference, frozenset())
        linked = next((orders[n] for n in sorted(names) if n in orders), None)
        if linked is not None:
            order_ref = builder.meds[linked][1]
            pairing = _pairing(keys[i], keys[linked])
            if pairing == "other_dose" and _higher(keys[i], keys[linked]):
                if linked not in dropped:
                    dropped[linked] = ORDER_TAKEN_OTHERWISE_REASON.format(
                        statement=ref.reference, dose=_dose_words(keys[i])
                    )
            elif pairing == "other_dose":
                dropped[i] = STATEMENT_LOWER_DOSE_REASON.format(
                    order=order_ref.reference, dose=_dose_words(keys[i])
                )
            elif pairing == "part":
                dropped[i] = STATEMENT_PART_OF_ORDER_REASON.format(order=order_ref.reference)
            elif pairing in ("same", "unknown"):
                dropped[i] = STATEMENT_OF_ORDER_REASON.format(order=order_ref.reference)
            continue
        paired = (j for j in current_orders if _pairing(keys[i], keys[j]) == "same")
        same = next((j for j in paired if j not in dropped), None)
        if same is not None:
            order = builder.meds[same][1].reference
            dropped[i] = STATEMENT_SAME_AS_ORDER_REASON.format(order=order)
    if not dropped:
        return
    for i, reason in sorted(dropped.items()):
        ref = builder.meds[i][1]
        builder.ignored.append(Ignored(ref.reference, ref.resource_type, reason))
    builder.meds[:] = [m for i, m in enumerate(builder.meds) if i not in dropped]


class _LazyKeys:
    """The ``MedKey`` of each medication read, matched only when a pairing asks for it
    (the engine matches every medication again when it checks the request)."""

    __slots__ = ("_builder", "_keys")

    def __init__(self, builder: _Builder) -> None:
        self._builder = builder
        self._keys: dict[int, MedKey | None] = {}

    def __getitem__(self, index: int) -> MedKey | None:
        if index not in self._keys:
            item, ref = self._builder.meds[index]
            self._keys[index] = None if ref.draft else self._builder.options.med_key(item)
        return self._keys[index]


def _pairing(statement: MedKey | None, order: MedKey | None) -> str:
    """How a statement's medication pairs with an order's: ``same`` (same drugs, same
    daily doses where both are read, same as-needed flag), ``other_dose``, ``part`` (some
    of the order's drugs: hydrochlorothiazide of a lisinopril-hydrochlorothiazide order),
    ``other`` (other drugs), or ``unknown`` (drugs not read on either side)."""
    if statement is None or order is None or not statement[0] or not order[0]:
        return "unknown"
    if statement[2] != order[2]:
        return "other"
    if statement[0] < order[0]:
        return "part"
    if statement[0] != order[0]:
        return "other"
    doses = zip(statement[1], order[1], strict=True)
    if any(a is not None and b is not None and abs(a - b) > 1e-9 for a, b in doses):
        return "other_dose"
    return "same"


def _higher(statement: MedKey | None, order: MedKey | None) -> bool:
    """Whether a statement of the order's drugs at another dose names a higher daily dose
    of one of them (and a lower of none): then its dose limits are the ones to check. An
    unverified report may raise a problem, never take one away (review33 R7)."""
    if statement is None or order is None:
        return False
    pairs = [
        (a, b)
        for a, b in zip(statement[1], order[1], strict=True)
        if a is not None and b is not None
    ]
    return any(a > b + 1e-9 for a, b in pairs) and not any(a < b - 1e-9 for a, b in pairs)


def _dose_words(key: MedKey | None) -> str:
    """The daily doses a key reads, for a reason: "simvastatin 20 mg/day"."""
    if key is None:
        return "dose not read"
    words = [
        f"{drug} {dose:g} mg/day"
        for drug, dose in zip(sorted(key[0]), key[1], strict=True)
        if dose is not None
    ]
    return ", ".join(words) or "dose not read"


def _read(builder: _Builder, entry: Entry, *, draft: bool) -> None:
    try:
        if entry.error is not None:
            raise _SkipError(entry.error)
        if entry.resource_type == "Condition":
            _condition(builder, entry)
        elif entry.resource_type == "Observation":
            _observation(builder, entry)
        elif entry.resource_type == "MedicationStatement":
            _medication_statement(builder, entry)
        elif entry.resource_type == ADMINISTRATION:
            given = _as(entry, r.MedicationAdministration)
            _check_subject(builder, given.subject, given.patient)
            raise _SkipError(ADMINISTERED_REASON)
        else:
            _medication_request(builder, entry, draft=draft)
    except _SkipError as skip:
        builder.skip(entry, skip.reason)


def _as(entry: Entry, kind: type[T]) -> T:
    if not isinstance(entry.resource, kind):
        raise _SkipError(f"not a valid FHIR R4 {entry.resource_type}")
    return entry.resource


def _check_subject(builder: _Builder, *references: r.Reference | None) -> None:
    ref = next((x.reference for x in references if x is not None and x.reference), None)
    if not builder.options.patient.accepts(ref):
        raise _SkipError("belongs to another patient")


# Codes and text ------------------------------------------------------------------------


def _text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] or None


def _codings(concept: r.CodeableConcept | None) -> list[Coding]:
    out: list[Coding] = []
    for c in concept.coding if concept else ():
        code = c.code.strip() if c.code else None
        if code is not None and (not code or len(code) > MAX_CODE):
            code = None
        system = c.system if c.system and len(c.system) <= MAX_SYSTEM else None
        display = _text(c.display)
        if code is None and display is None:
            continue
        out.append(Coding(system=system, code=code, display=display))
    return out[:MAX_CODINGS]


def _key(codings: Iterable[Coding], text: str | None) -> tuple[str, ...]:
    coded = sorted({f"{c.system or ''}|{c.code}" for c in codings if c.code})
    if coded:
        return tuple(coded)
    return (text.casefold(),) if text else ()


def _label(codings: Sequence[Coding], text: str | None) -> str | None:
    if text:
        return text
    for c in codings:
        if c.display:
            return c.display
    return next((f"{c.code}" for c in codings if c.code), None)


def _status(value: str | None) -> str | None:
    """A resource's ``status`` code, trimmed and in lower case: FHIR codes are lower case,
    but an EHR that writes "Active" or "Final " means the same (the REST status fields
    read any letter case too)."""
    code = value.strip().lower() if value else ""
    return code or None


def _status_codes(value: r.CodeableConcept | str | None) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value.strip().lower()}
    codes = {c.code.strip().lower() for c in value.coding if c.code}
    if not codes and value.text:
        codes.add(value.text.strip().lower())
    return codes


# Medications ---------------------------------------------------------------------------


def _medication_request(builder: _Builder, entry: Entry, *, draft: bool) -> None:
    use = _as(entry, r.MedicationRequest)
    _check_subject(builder, use.subject, use.patient)
    if use.do_not_perform:
        raise _SkipError("a do-not-perform order")
    allowed = DRAFT_ORDER_STATUSES if draft else MEDICATION_REQUEST_STATUSES
    status = _status(use.status)
    if status is None and not draft:
        raise _SkipError("no status")
    if status == HELD_STATUS and not draft:
        raise _SkipError(HELD_REASON)
    if status is not None and status not in allowed:
        raise _SkipError(f"status {use.status}")
    reported = use.intent == REPORTED_INTENT and use.reported
    if not draft and use.intent in NOT_TAKEN_INTENTS and not reported:
        raise _SkipError(f"intent {use.intent}: not an order")
    if not draft:
        validity = use.dispense_request.validity_period if use.dispense_request else None
        _check_not_ended(
            builder,
            validity.end if validity else None,
            "dispenseRequest.validityPeriod.end",
            "prescription valid until",
        )
        _check_course_not_ended(builder, use.dosage_instruction, use.authored_on, "authoredOn")
    unknown = UNKNOWN_STATUS if status == UNKNOWN_STATUS else None
    _add_medication(builder, entry, use, use.dosage_instruction, draft=draft, status=unknown)
    prior = use.prior_prescription
    said = prior.get("reference") if isinstance(prior, dict) else None
    if isinstance(said, str) and said.strip():
        key = order_key(said, builder.local_bases(entry))
        (builder.priors if draft else builder.superseded)[key] = entry.reference
    if not draft:
        server = server_base(builder.options.server)
        names = order_names(entry, frozenset({server}) if server else frozenset())
        builder.order_names[entry.reference] = names
        draft_ref = next((builder.priors[k] for k in sorted(names) if k in builder.priors), None)
        if draft_ref is not None:
            builder.prior_of[entry.reference] = draft_ref


def _medication_statement(builder: _Builder, entry: Entry) -> None:
    use = _as(entry, r.MedicationStatement)
    _check_subject(builder, use.subject, use.patient)
    status = _status(use.status)
    if status == HELD_STATUS:
        raise _SkipError(HELD_REASON)
    if status not in MEDICATION_STATEMENT_STATUSES:
        raise _SkipError(f"status {use.status or 'missing'}")
    period = use.effective_period
    _check_not_ended(builder, period.end if period else None, "effectivePeriod.end")
    start = period.start if period else None
    _check_course_not_ended(builder, use.dosage, start, "effectivePeriod.start")
    unknown = UNKNOWN_STATUS if status == UNKNOWN_STATUS else None
    _add_medication(builder, entry, use, use.dosage, draft=False, status=unknown)
    said = use.references()
    if said:
        local = builder.local_bases(entry)
        builder.reports_on[entry.reference] = frozenset(order_key(x, local) for x in said)


def _check_not_ended(
    builder: _Builder, end: str | None, element: str, what: str = "course ended"
) -> None:
    """A use whose end has passed (a course finished, a prescription expired) is not a
    drug taken now, whatever its status says. A missing end means current."""
    moment = latest_moment(end, through=True)
    if end is not None and moment is not None and has_passed(moment, builder.options.today):
        raise _SkipError(f"{what} {end.strip()} ({element}): not taken now")


def _check_course_not_ended(
    builder: _Builder, dosages: Sequence[r.Dosage], start: str | None, start_element: str
) -> None:
    """A course whose every dosage is bounded (``timing.repeat.boundsPeriod.end``, or a
    ``boundsDuration`` from ``boundsPeriod.start``, else from the use's own start) and
    whose last bound has passed. One dosage without a bound keeps the course current."""
    ends: list[tuple[datetime, str]] = []
    for dosage in dosages:
        repeat = dosage.timing.repeat if dosage.timing else None
        if repeat is None:
            return
        end = _dosage_end(repeat, start, start_element)
        if end is None:
            return
        ends.append(end)
    if not ends:
        return
    moment, said = max(ends)
    if has_passed(moment, builder.options.today):
        raise _SkipError(f"course ended {said}: not taken now")


def _dosage_end(
    repeat: r.TimingRepeat, start: str | None, start_element: str
) -> tuple[datetime, str] | None:
    """When a dosage's bounds end, at the latest, and how the record says so."""
    period = repeat.bounds_period
    if period is not None and period.end:
        end = latest_moment(period.end, through=True)
        return (end, f"{period.end.strip()} (boundsPeriod.end)") if end else None
    length = repeat.bounds_duration
    if length is None:
        return None
    if period is not None and period.start:
        start, start_element = period.start, "boundsPeriod.start"
    began = latest_moment(start, through=False)
    lasts = duration(length.value, length.code or length.unit)
    if began is None or lasts is None or start is None:
        return None
    try:
        end = began + lasts
    except OverflowError:
        return None
    shown = f"{length.value or 0:g} {length.code or length.unit}"
    return end, f"(boundsDuration {shown} from {start_element} {start.strip()})"


def _add_medication(
    builder: _Builder,
    entry: Entry,
    use: r.MedicationRequest | r.MedicationStatement,
    dosages: Sequence[r.Dosage],
    *,
    draft: bool,
    status: str | None = None,
) -> None:
    """``status``: sent to the engine with the item (``unknown``, so its reason says so)."""
    concept = use.medication_codeable_concept
    codings = _codings(concept)
    text = _text(concept.text if concept else None)
    reference = use.medication_reference
    if concept is None and reference is not None:
        medication = (
            builder.medications.resolve(reference.reference, use.contained)
            if reference.reference
            else None
        )
        if medication is not None:
            codings, text = _medication_names(medication)
        text = text or _text(reference.display)
    if not codings and not text:
        raise _SkipError(
            "names no medication that can be read (no code, text or resolvable reference)"
        )
    route = _route(dosages)
    ref = ResourceRef(entry.reference, entry.resource_type, draft, _label(codings, text))
    key = _key(codings, text)
    earlier = builder.duplicate_of("medication", draft, key, ref.reference)
    text = _with_dosage_text(codings, text, dosages)
    if entry.resource_type == "MedicationRequest" and key:
        orders = builder.order_texts.setdefault((draft, key), [])
        if earlier is not None and orders and builder.options.split_dose([*orders, text]):
            earlier = None  # another part of a dose split over the day
        if earlier is None:
            orders.append(text)
    if earlier is not None:
        raise _SkipError(f"same medication as {earlier}")
    if dosages and all(dosage.as_needed for dosage in dosages):
        text = _as_needed(text)
    item = MedicationInput(text=text, coding=codings or None, route=route, status=status)
    builder.meds.append((item, ref))


def _with_dosage_text(
    codings: Sequence[Coding], text: str | None, dosages: Sequence[r.Dosage]
) -> str | None:
    """A coded medication's name with its dosage text ("Simvastatin 20 MG Oral Tablet; Take
    2 tablets by mouth at bedtime"), as a REST text says it, so that the dose ("2 tablets")
    and a hold ("HOLD") are read. Only for a coded item, whose concept its code or display
    decides: a dosage text naming another drug ("take with potassium chloride") must not
    add an ingredient to a text-only item."""
    label = text or next((c.display for c in codings if c.display), None)
    # With a scheduled dosage, an as-needed one's text ("2 puffs as needed") would make
    # the whole order read as PRN.
    scheduled = [d for d in dosages if not d.as_needed] or dosages
    said = [t for t in (_text(d.text) or _structured_directions(d) for d in scheduled) if t]
    if not codings or label is None or not said:
        return text
    return _text("; ".join(dict.fromkeys([label, *said])))


# Timing event codes (FHIR R4 event-timing) as the words a prescriber writes for them.
_WHEN_WORDS = {
    "MORN": "in the morning", "MORN.early": "in the morning", "MORN.late": "in the morning",
    "NOON": "at noon", "AFT": "in the afternoon", "AFT.early": "in the afternoon",
    "AFT.late": "in the afternoon", "EVE": "in the evening", "EVE.early": "in the evening",
    "EVE.late": "in the evening", "NIGHT": "at night", "HS": "at bedtime",
}  # fmt: skip
_TIMES_A_DAY_WORDS = {
    1: "once daily",
    2: "twice daily",
    3: "three times daily",
    4: "four times daily",
}
# A dose quantity's unit that counts tablets (UCUM annotations and the words written).
_TABLET_UNITS = frozenset(
    {
        "tab",
        "tabs",
        "tablet",
        "tablets",
        "{tbl}",
        "{tablet}",
        "{tablets}",
        "cap",
        "caps",
        "capsule",
        "capsules",
        "{capsule}",
        "{cap}",
    }
)


# Timing abbreviations (FHIR R4 timing-abbreviation, and QAM, QPM, QHS as EHRs send them)
# as the words a prescriber writes for them.
_TIMING_ABBREVIATIONS = {
    "BID": "bid", "TID": "tid", "QID": "qid", "QD": "daily", "QOD": "every other day",
    "AM": "in the morning", "PM": "in the evening", "QAM": "qam", "QPM": "qpm", "QHS": "qhs",
    "Q4H": "q4h", "Q6H": "q6h", "Q8H": "q8h", "Q12H": "q12h", "WK": "weekly",
}  # fmt: skip


def _timing_abbreviation(code: object) -> str | None:
    """A timing's abbreviation (``Timing.code``: its codings' codes, else its text), as
    the words it stands for; None for any other code."""
    if not isinstance(code, dict):
        return None
    codings = code.get("coding")
    said = (
        [c.get("code") for c in codings if isinstance(c, dict)] if isinstance(codings, list) else []
    )
    for written in [*said, code.get("text")]:
        if isinstance(written, str) and written.strip().upper() in _TIMING_ABBREVIATIONS:
            return _TIMING_ABBREVIATIONS[written.strip().upper()]
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 else None


def _dose_amount(doses: object) -> str | None:
    """The amount of one dose a dosage's first ``doseAndRate`` gives, as a text writes it:
    its ``doseQuantity`` ("2 tablets", "40 mg"), else its ``doseRange`` with the high end
    read ("1-2 tablets", "10-20 mg": the most the order allows a dose, which a label's
    limit is about; review56f D5); None when neither is readable (a count of tablets or a
    strength in mg, g or mcg)."""
    first = doses[0] if isinstance(doses, list) and doses else None
    if not isinstance(first, dict):
        return None
    quantity = first.get("doseQuantity")
    low: dict[str, object] | None = None
    dose_range = first.get("doseRange")
    if not isinstance(quantity, dict) and isinstance(dose_range, dict):
        quantity = dose_range.get("high")
        low = dose_range.get("low") if isinstance(dose_range.get("low"), dict) else None
    if not isinstance(quantity, dict) or (amount := _number(quantity.get("value"))) is None:
        return None
    unit = _dose_unit(quantity)
    least = _number(low.get("value")) if low is not None else None
    # The low end is written only in the same unit and below the high one.
    start = (
        f"{least:g}-" if least is not None and least < amount and _dose_unit(low) == unit else ""
    )
    if unit in ("mg", "g", "mcg", "ug"):
        return f"{start}{amount:g} {unit}"
    if unit in _TABLET_UNITS:
        return f"{start}{amount:g} {'tablet' if amount == 1 and not start else 'tablets'}"
    return None


def _dose_unit(quantity: dict[str, object] | None) -> str:
    unit = (quantity.get("unit") or quantity.get("code")) if quantity is not None else None
    return unit.strip().lower() if isinstance(unit, str) else ""


def _structured_directions(dosage: r.Dosage) -> str | None:
    """Directions written from a dosage's structured elements when it has no text ("2
    tablets twice daily", "1 tablet at bedtime"), so that the dose and its times are read
    as a text's are: the dose quantity (a count of tablets, or a strength in mg), how often
    (frequency per period), and when (event codes). None when they say nothing readable."""
    parts: list[str] = []
    if (amount_words := _dose_amount(dosage.dose_and_rate)) is not None:
        parts.append(amount_words)
    repeat = dosage.timing.repeat if dosage.timing else None
    abbreviation = _timing_abbreviation(dosage.timing.code if dosage.timing else None)
    if abbreviation is not None:
        parts.append(abbreviation)
    elif repeat is not None:
        frequency, period = _number(repeat.frequency), _number(repeat.period)
        unit = repeat.period_unit if isinstance(repeat.period_unit, str) else None
        # The most times a period the order allows (frequencyMax: "1-2 times daily"), read
        # as its high end, as a label's daily limit is about the most taken (review56f D5).
        most = _number(repeat.frequency_max)
        ranged = (
            most is not None
            and most.is_integer()
            and (frequency is None or most > frequency)
            and period == 1
            and unit in ("d", "wk")
        )
        if ranged and most is not None:
            low = f"{frequency:g}-" if frequency is not None and frequency.is_integer() else ""
            parts.append(f"{low}{most:g} times {'daily' if unit == 'd' else 'a week'}")
        elif frequency is not None and period == 1 and unit == "d" and frequency.is_integer():
            parts.append(_TIMES_A_DAY_WORDS.get(int(frequency), f"{frequency:g} times daily"))
        elif frequency == 1 and period is not None and unit == "h":
            parts.append(f"every {period:g} hours")
        elif frequency == 1 and period is not None and unit == "d":
            parts.append(f"every {period:g} days")
        elif frequency is not None and period == 1 and unit == "wk":
            parts.append("weekly" if frequency == 1 else f"{frequency:g} times a week")
    if repeat is not None:
        when = repeat.when if isinstance(repeat.when, list) else []
        parts += dict.fromkeys(
            _WHEN_WORDS[w] for w in when if isinstance(w, str) and w in _WHEN_WORDS
        )
    return " ".join(parts) or None


def _as_needed(text: str | None) -> str:
    """The text with the words a prescriber writes for an as-needed (PRN) order, which
    is how the engine reads it in a REST request ("albuterol 2 puffs q4h prn")."""
    if not text:
        return AS_NEEDED
    return f"{text[: MAX_TEXT - len(AS_NEEDED) - 3]} ({AS_NEEDED})"


def _medication_names(medication: r.Medication) -> tuple[list[Coding], str | None]:
    """A Medication's codings and text: its ``code``, then its active ingredients' codes
    (which name the drug when the product code is missing or not one the service knows)."""
    code = medication.code
    coded = _codings(code)
    text = _text(code.text if code else None)
    codings = list(coded)
    names: list[str] = []
    for ingredient in medication.ingredient:
        item = ingredient.item_codeable_concept
        if item is None or ingredient.is_active is False:
            continue
        item_codings = _codings(item)
        codings.extend(item_codings)
        name = _label(item_codings, _text(item.text))
        if name:
            names.append(name)
    # Named by its ingredients when the code names nothing a reader could match.
    if not text and names and not any(c.display for c in coded):
        text = _text(" / ".join(names))
    return codings[:MAX_CODINGS], text


def _route(dosages: Sequence[r.Dosage]) -> str | None:
    for dosage in dosages:
        route = dosage.route
        if route is None:
            continue
        text = route.text or next((c.display for c in route.coding if c.display), None)
        if text:
            return _text(text, MAX_ROUTE)
        # A route coded without words: its SNOMED CT code, which the route field reads.
        code = next(
            (c.code for c in route.coding if c.code and system_of(c.system) == "snomed"), None
        )
        if code:
            return _text(code, MAX_ROUTE)
    return None


# Conditions ----------------------------------------------------------------------------


def _condition(builder: _Builder, entry: Entry) -> None:
    cond = _as(entry, r.Condition)
    _check_subject(builder, cond.subject, cond.patient)
    clinical = _status_codes(cond.clinical_status)
    if clinical and not clinical & CONDITION_CLINICAL_STATUSES:
        raise _SkipError(f"clinical status {', '.join(sorted(clinical))}")
    verification = _status_codes(cond.verification_status)
    if verification & CONDITION_EXCLUDED_VERIFICATION:
        raise _SkipError(f"verification status {', '.join(sorted(verification))}")
    if verification & CONDITION_UNCONFIRMED_VERIFICATION:
        raise _SkipError(f"verification status {', '.join(sorted(verification))}: not established")
    if not clinical & CONDITION_RETURNED_STATUSES:
        _check_not_abated(cond, builder.options.today)
    codings = _codings(cond.code)
    text = _text(cond.code.text if cond.code else None)
    if not codings and not text:
        raise _SkipError("no code or text")
    item = ConditionInput(text=text, coding=codings or None)
    pregnancy = builder.options.pregnancy(item)
    if pregnancy:
        _check_current_pregnancy(builder, cond)
    elif builder.options.episode(item):
        _check_recent_episode(builder, cond)
    ref = ResourceRef(entry.reference, entry.resource_type, display=_label(codings, text))
    earlier = builder.duplicate_of("condition", False, _key(codings, text), ref.reference)
    if earlier is not None:
        raise _SkipError(f"same condition as {earlier}")
    builder.conds.append((item, ref))
    if pregnancy:
        builder.pregnancies.append(_Pregnancy(True, parse_date(cond.began_on()), ref, item))


def _check_not_abated(cond: r.Condition, today: date) -> None:
    """An abatement on record closes the condition, unless it is dated in the future."""
    if not cond.abated():
        return
    written = cond.abated_on()
    ended = parse_date(written)
    if ended is not None and ended > today:
        return
    raise _SkipError(f"abated ({written})" if written and ended else "abated")


def _check_current_pregnancy(builder: _Builder, cond: r.Condition) -> None:
    """A pregnancy-related condition is a current pregnancy only if it is recent, of a
    living patient of an age at which pregnancy is possible."""
    _check_pregnancy_possible(builder, "pregnancy-related")
    _check_pregnancy_recent(builder, parse_date(cond.began_on()), "pregnancy-related")


def _check_recent_episode(builder: _Builder, cond: r.Condition) -> None:
    """An episode that ends is current only if its latest date (onset or recorded) is
    recent; an undated one stays current."""
    dated = [
        (moment.date(), written)
        for written in cond.dates()
        if (moment := latest_moment(written, through=True))
    ]
    if dated:
        last, written = max(dated)
        _check_within(
            builder,
            last,
            EPISODE_WINDOW_DAYS,
            f"an episode that ends, last dated {written.strip()}",
            "not current",
        )


def _check_pregnancy_possible(builder: _Builder, what: str) -> None:
    person = builder.person
    if person.deceased:
        raise _SkipError(f"{what}, and the patient is deceased")
    age = person.patient.age if person.patient else None
    low, high = PREGNANCY_AGES
    if age is not None and not low <= age <= high:
        raise _SkipError(f"{what}, and the patient is {age:g} years old")


def _check_pregnancy_recent(builder: _Builder, began: date | None, what: str) -> None:
    if began is not None:
        what = f"{what}, recorded {began.isoformat()}"
        _check_within(builder, began, PREGNANCY_WINDOW_DAYS, what, "not a current pregnancy")


def _check_within(builder: _Builder, when: date, days: int, what: str, conclusion: str) -> None:
    """Left out, with the reason, when ``when`` is more than ``days`` days ago."""
    if (builder.options.today - when).days > days:
        raise _SkipError(f"{what}: more than {days} days ago, {conclusion}")


def _pregnancy_observation(builder: _Builder, entry: Entry, obs: r.Observation) -> None:
    """A pregnancy status: pregnant, not pregnant, or (unknown) left out."""
    value = obs.value_codeable_concept
    answers = {f"{c.system}|{c.code}" for c in value.coding} if value else set()
    if obs.value_boolean is not None:
        pregnant = obs.value_boolean
    elif answers & PREGNANT_ANSWERS:
        pregnant = True
    elif answers & NOT_PREGNANT_ANSWERS:
        pregnant = False
    else:
        raise _SkipError("pregnancy status neither pregnant nor not pregnant")
    when = parse_date(obs.when())
    if pregnant:
        _check_pregnancy_possible(builder, "pregnancy status pregnant")
        _check_pregnancy_recent(builder, when, "pregnancy status pregnant")
    display = _label(_codings(value), _text(value.text if value else None))
    label = f"Pregnancy status: {display or ('pregnant' if pregnant else 'not pregnant')}"
    ref = ResourceRef(entry.reference, entry.resource_type, display=label, date=obs.when())
    builder.pregnancies.append(_Pregnancy(pregnant, when, ref))


def _pregnancy_status(builder: _Builder) -> Patient | None:
    """The patient, pregnant when the record states a current pregnancy (a Condition or a
    pregnancy status) that no later pregnancy status contradicts; a pregnancy Condition
    that a later "not pregnant" status closes is left out."""
    patient = builder.person.patient
    if not builder.pregnancies:
        return patient
    latest = max(builder.pregnancies, key=lambda p: (p.when or date.min, p.pregnant))
    if not latest.pregnant:
        # Every pregnancy Condition began before this status (it is the latest).
        closed = [p for p in builder.pregnancies if p.item is not None]
        builder.conds = [c for c in builder.conds if all(c[0] is not p.item for p in closed)]
        builder.ignored.extend(
            Ignored(
                p.ref.reference,
                p.ref.resource_type,
                "pregnancy-related, and a later pregnancy status says not pregnant "
                f"({latest.ref.reference})",
            )
            for p in closed
        )
    return msgspec.structs.replace(patient or Patient(), pregnant=latest.pregnant)


# Observations --------------------------------------------------------------------------


def _is_laboratory(obs: r.Observation) -> bool:
    return any(c.code == "laboratory" for cat in obs.category for c in cat.coding)


def _observation(builder: _Builder, entry: Entry) -> None:
    obs = _as(entry, r.Observation)
    _check_subject(builder, obs.subject)
    status = _status(obs.status)
    preliminary = status == PRELIMINARY_STATUS
    pregnancy = obs.code is not None and not PREGNANCY_STATUS_LOINC.isdisjoint(
        obs.code.codes(LOINC)
    )
    if status not in OBSERVATION_STATUSES and not (preliminary and not pregnancy):
        raise _SkipError(f"status {obs.status or 'missing'}")
    if pregnancy and status == UNKNOWN_STATUS:  # a pregnancy status is read only when final
        raise _SkipError(f"status {obs.status}")
    if pregnancy:
        _pregnancy_observation(builder, entry, obs)
        return
    when = parse_instant(obs.when())
    issued = parse_instant(obs.issued)
    # The time as the source wrote it (its own offset): what the clinician recognizes.
    written = obs.when() if when else None
    found: list[_Lab] = []
    reasons: list[str] = []
    # The Observation's own value, then each component's (a panel holding potassium).
    for part in (obs, *obs.component):
        try:
            item, analyte, label, bound = _reading(builder, obs, part)
        except _SkipError as skip:
            reasons.append(skip.reason)
            continue
        if preliminary:
            # Said wherever the result is shown (a card's "Based on" line, `sources`).
            label = f"{label} ({PRELIMINARY_STATUS})"
        ref = ResourceRef(entry.reference, entry.resource_type, display=label, date=written)
        key = (
            analyte
            or builder.options.lab_analyte(item)
            or "|".join(_key(item.coding or (), item.text))
        )
        item, unusable = _bounded(builder, item, bound)
        if preliminary:
            item = msgspec.structs.replace(item, status=PRELIMINARY_STATUS)
        elif status == UNKNOWN_STATUS:
            item = msgspec.structs.replace(item, status=UNKNOWN_STATUS)
        found.append(_Lab(item, ref, key, when, unusable, bound, status, issued))
    if not found:
        raise _SkipError(reasons[0])
    builder.labs.extend(found)


def _reading(
    builder: _Builder, obs: r.Observation, part: r.ObservationValue
) -> tuple[LabInput, str | None, str, str | None]:
    """The lab item of an Observation or of one of its components, its analyte, a label
    naming it with the value and unit as read, and the value's comparator if any."""
    loinc = part.code.codes(LOINC) if part.code else []
    known = builder.options.analyte_by_loinc
    analyte = next((known[c] for c in loinc if c in known), None)
    if known and analyte is None:
        if loinc:
            raise _SkipError(f"not a lab this service checks (LOINC {', '.join(loinc[:3])})")
        if part is not obs or not _is_laboratory(obs):
            raise _SkipError("not a laboratory result with a LOINC code")
    if part.data_absent_reason is not None:
        raise _SkipError("no result (dataAbsentReason)")
    value, unit, written_bound = _value(part)
    if abs(value) > MAX_LAB_VALUE:
        raise _SkipError("result out of range")
    codings = _codings(part.code)
    text = _text(part.code.text if part.code else None)
    if not codings and not text:
        raise _SkipError("no code or text naming the analyte")
    quantity = part.value_quantity
    bound = quantity.comparator if quantity is not None and quantity.value is not None else None
    bound = bound or written_bound
    # The value as the report's texts show it ("3.0 mmol/L", not "3 mmol/L"), in the unit
    # as the EHR writes it for people when it sends one ("mL/min/1.73m2", not the UCUM code
    # "mL/min/{1.73_m2}" the value is read in).
    written = _text(quantity.unit, MAX_UNIT) if quantity is not None else None
    label = f"{_label(codings, text)} {bound or ''}{shown_value(value)} {written or unit}"
    own_range = _reference_range(part.reference_range, unit)
    item = LabInput(
        value=value, unit=unit, coding=codings or None, text=text, reference_range=own_range
    )
    return item, analyte, label, bound


def _bounded(builder: _Builder, item: LabInput, bound: str | None) -> tuple[LabInput, str | None]:
    """A result given as a bound: read as the nearest value the bound allows when every
    value within it is abnormal the same way, else the reason it cannot be used.

    ``<2.5`` mmol/L potassium is low whatever the true value: it is read as (just under)
    2.5, a finding no more severe than the truth. ``<20`` U/L CK or ``>3.0`` potassium may
    be normal or not: a finding on a number nobody measured would be invented."""
    if bound is None:
        return item, None
    direction = BOUND_DIRECTIONS.get(bound)
    if direction is not None:
        state, toward = direction
        # "<3.5" allows values just under 3.5 (a low potassium), "<=" 3.5 itself.
        nearest = math.nextafter(item.value, toward) if len(bound) == 1 else item.value
        read = msgspec.structs.replace(item, value=nearest)
        if state in builder.options.lab_states(read, builder.person.patient):
            return read, None
    shown = f"{bound}{shown_value(item.value)} {item.unit}"
    return item, f"a bound ({shown}), not a measured value, and it may be normal: not checked"


def _value(part: r.ObservationValue) -> tuple[float, str, str | None]:
    """The numeric result, its unit and the comparator written with it: ``valueQuantity``,
    else ``valueInteger`` or a number written in ``valueString``, whose unit is written
    after the number or taken from the reference range. A ``valueString`` bound ("<2.5",
    "< 2.5 mmol/L", as results converted from HL7 v2 send one) is read as a
    ``valueQuantity.comparator`` is (``_bounded``), never as the number itself."""
    quantity = part.value_quantity
    if quantity is not None and quantity.value is not None:
        unit = _unit(quantity)
        if unit is None:
            raise _SkipError("result has no unit")
        return quantity.value, unit, None
    bound = None
    if part.value_integer is not None:
        value, unit = part.value_integer, None
    elif part.value_string is not None and (number := _NUMBER.match(part.value_string)):
        value, unit = _string_number(number["value"]), _text(number["unit"], MAX_UNIT)
        bound = number["bound"]
    elif part.value_string is not None and (
        separated := _SEPARATED_NUMBER.match(part.value_string)
    ):
        raise _SkipError(
            f"the number '{separated['value']}' is written with separators this service"
            " does not read (a decimal comma is read only as one comma between digits)"
        )
    else:
        raise _SkipError("no numeric result (valueQuantity, valueInteger or a number)")
    unit = unit or _range_unit(part.reference_range)
    if unit is None:
        raise _SkipError("result has no unit (none written and no reference range unit)")
    return value, unit, bound


def _string_number(written: str) -> float:
    """A number written in ``valueString``: "3.1", or "3,1" with a decimal comma (as
    laboratories in much of Europe write it). A comma followed by exactly three digits
    ("1,200") is a thousands separator as often as a decimal comma: refused, never guessed
    (a CK of 1,200 U/L is not 1.2). "0,125" is a decimal comma (no thousands of zero)."""
    whole, comma, decimals = written.partition(",")
    if not comma:
        return float(written)
    if len(decimals) == _THOUSANDS_DIGITS and whole.lstrip("+-") != "0":
        raise _SkipError(
            f"the number '{written}' may be a decimal comma or a thousands separator: not read"
        )
    return float(f"{whole}.{decimals}")


def _reference_range(ranges: Sequence[r.ReferenceRange], unit: str) -> ReferenceRange | None:
    """The lab's own normal range for this result, as a REST ``reference_range``: the one
    range that is the normal range for everyone (no other ``type``, no ``appliesTo`` or
    ``age``), with limits in the result's unit. Several candidates, or limits in another
    unit, give none: the service's own limits apply then."""
    normal = [
        limits
        for limits in ranges
        if not limits.applies_to
        and limits.age is None
        and (limits.type is None or _status_codes(limits.type) <= NORMAL_RANGE_TYPES)
    ]
    if len(normal) != 1:
        return None
    bounds: list[float | None] = []
    for quantity in (normal[0].low, normal[0].high):
        if quantity is None or quantity.value is None or quantity.comparator is not None:
            bounds.append(None)
            continue
        written = _unit(quantity)
        if written is not None and written.casefold() != unit.casefold():
            return None
        if abs(quantity.value) > MAX_LAB_VALUE:
            return None
        bounds.append(quantity.value)
    low, high = bounds
    if (low is None and high is None) or (low is not None and high is not None and low >= high):
        return None
    return ReferenceRange(low=low, high=high)


def _range_unit(ranges: Sequence[r.Range]) -> str | None:
    for limits in ranges:
        for quantity in (limits.low, limits.high):
            if quantity is not None and (unit := _unit(quantity)):
                return unit
    return None


def _unit(quantity: r.Quantity) -> str | None:
    """The unit the value is read in: the UCUM code, written as the EHR writes it for people
    when that is the same unit ("mEq/L" for the code "meq/L"), so reports show it so."""
    if quantity.system == UCUM and quantity.code:
        if quantity.unit and unit_key(quantity.unit) == unit_key(quantity.code):
            return _text(quantity.unit, MAX_UNIT)
        return _text(quantity.code, MAX_UNIT)
    return _text(quantity.unit or quantity.code, MAX_UNIT)


def _recent_labs(
    builder: _Builder,
) -> list[tuple[tuple[LabInput, str | None], ResourceRef]]:
    """The most recent result per analyte (with the comparator of a bound read as its
    number), within the age limit; a result dated after tomorrow (a year typed wrong: 2099
    for 2009) is an entry error, never "the most recent" (it would hide the real latest
    result)."""
    options = builder.options
    latest: dict[str, _Lab] = {}
    for lab in builder.labs:
        if lab.when is not None and (lab.when.date() - options.today).days > FUTURE_SKEW_DAYS:
            builder.ignored.append(Ignored(lab.ref.reference, lab.ref.resource_type, FUTURE_REASON))
            continue
        if options.lab_max_age_days is not None and lab.when is not None:
            age = (options.today - lab.when.date()).days
            if age > options.lab_max_age_days:
                builder.ignored.append(
                    Ignored(
                        lab.ref.reference,
                        lab.ref.resource_type,
                        f"older than {options.lab_max_age_days} days",
                    )
                )
                continue
        current = latest.get(lab.key)
        if current is None:
            latest[lab.key] = lab
            continue
        kept, left, reason = _latest(builder, lab, current)
        latest[lab.key] = kept
        builder.ignored.append(Ignored(left.ref.reference, left.ref.resource_type, reason))
    _drop_stale_siblings(builder, latest)
    _drop_distant_corrections(builder, latest)
    used = []
    for lab in latest.values():
        if lab.unusable is None:
            used.append(((lab.item, lab.comparator), lab.ref))
        else:
            builder.ignored.append(Ignored(lab.ref.reference, lab.ref.resource_type, lab.unusable))
    return used


def _drop_stale_siblings(builder: _Builder, latest: dict[str, _Lab]) -> None:
    """Of a result and the one that decides instead of it (a total and an ionized calcium),
    leave out the older when they were drawn more than ``CORRECTION_WINDOW_DAYS`` apart:
    a stale ionized calcium never decides over today's total calcium, nor is it read at all
    beside it (review56f D1); the more recent is read on its own. Undated: read together."""
    for analyte, by in builder.options.outranked_by.items():
        own, deciding = latest.get(analyte), latest.get(by)
        if own is None or deciding is None or own.when is None or deciding.when is None:
            continue
        apart = abs((own.when.date() - deciding.when.date()).days)
        if apart <= CORRECTION_WINDOW_DAYS:
            continue
        older, newer = (own, deciding) if own.when < deciding.when else (deciding, own)
        del latest[older.key]
        drawn = f"drawn {apart} days before {newer.ref.reference} ({newer.ref.display})"
        if older is deciding:
            reason = (
                f"{drawn}: it decides in place of that result only when drawn within "
                f"{CORRECTION_WINDOW_DAYS} days of it; the more recent result is read on its own"
            )
        else:
            reason = f"{drawn}, a result that decides in its place: the more recent is used"
        builder.ignored.append(Ignored(older.ref.reference, older.ref.resource_type, reason))


def _drop_distant_corrections(builder: _Builder, latest: dict[str, _Lab]) -> None:
    """Leave out a correcting result (albumin) drawn more than ``CORRECTION_WINDOW_DAYS``
    from the result it would correct (calcium): that one is then read as measured."""
    for target, by in builder.options.corrected_by.items():
        corrected, correcting = latest.get(target), latest.get(by)
        if corrected is None or correcting is None:
            continue
        if corrected.when is None or correcting.when is None:
            continue
        apart = abs((corrected.when.date() - correcting.when.date()).days)
        if apart > CORRECTION_WINDOW_DAYS:
            del latest[by]
            builder.ignored.append(
                Ignored(
                    correcting.ref.reference,
                    correcting.ref.resource_type,
                    f"drawn {apart} days from the {target} it would correct "
                    f"({corrected.ref.reference}); the {target} is read as measured",
                )
            )


def _latest(builder: _Builder, lab: _Lab, current: _Lab) -> tuple[_Lab, _Lab, str]:
    """Of two results of one analyte, the one used, the one left out and why: the more
    recent, except that a preliminary result replaces a final one only when it is later and
    abnormal (a potassium of 2.4 telephoned before it is final) and, when the final result
    is abnormal, worse in the same direction (a later preliminary 3.4 never replaces a final
    2.7: it may raise a problem, never take one away; review32 R10), and a final result
    drawn at the same time or later supersedes a preliminary one."""
    if lab.when == current.when and _preliminary(lab) == _preliminary(current):
        return _same_time(lab, current)
    newer, older = (lab, current) if _newer(lab, current) else (current, lab)
    more_recent = f"a more recent result is used ({newer.ref.reference})"
    if _preliminary(newer) == _preliminary(older):
        return newer, older, more_recent
    if not _preliminary(newer):
        return newer, older, PRELIMINARY_SUPERSEDED.format(final=newer.ref.reference)
    if newer.when is None or (older.when is not None and newer.when == older.when):
        return older, newer, PRELIMINARY_SUPERSEDED.format(final=older.ref.reference)
    patient = builder.person.patient
    states = builder.options.lab_states(newer.item, patient) if newer.unusable is None else None
    if not states:
        return older, newer, PRELIMINARY_NORMAL.format(final=older.ref.reference)
    final_states = builder.options.lab_states(older.item, patient)
    if older.unusable is None and final_states and not _worse(builder, newer, older, states):
        return older, newer, PRELIMINARY_NOT_WORSE.format(final=older.ref.reference)
    return newer, older, more_recent


def _same_time(lab: _Lab, current: _Lab) -> tuple[_Lab, _Lab, str]:
    """Of two results of one analyte drawn at the same time (neither later), the one used,
    the one left out and why, never by their order in the Bundle: an amended or corrected
    result modifies a final one (R4 observation-status), so it replaces it; else the one
    issued later replaces the other (a lab's re-issue). Neither: the first read is used,
    and the reason says the two were drawn at the same time."""
    rank_lab, rank_current = _modified(lab), _modified(current)
    if rank_lab != rank_current:
        kept, left = (lab, current) if rank_lab else (current, lab)
        return (
            kept,
            left,
            f"replaced by the {kept.status} result {kept.ref.reference} of the same time",
        )
    if lab.issued is not None and current.issued is not None and lab.issued != current.issued:
        kept, left = (lab, current) if lab.issued > current.issued else (current, lab)
        return (
            kept,
            left,
            f"replaced by {kept.ref.reference}, drawn at the same time and issued later",
        )
    return (
        current,
        lab,
        f"drawn at the same time as {current.ref.reference}, which is used (neither is"
        " amended or corrected, nor issued later)",
    )


def _modified(lab: _Lab) -> bool:
    """Whether a result was modified after being final (R4 observation-status: amended and
    its child corrected)."""
    return lab.status in MODIFIED_STATUSES


def _worse(builder: _Builder, preliminary: _Lab, final: _Lab, states: frozenset[str]) -> bool:
    """Whether a preliminary result is worse than an abnormal final one: abnormal the same
    way (low or high) and further from normal. Values not known: not worse."""
    shared = states & builder.options.lab_states(final.item, builder.person.patient)
    patient = builder.person.patient
    new = builder.options.lab_value(preliminary.item, patient)
    old = builder.options.lab_value(final.item, patient)
    if not shared or new is None or old is None:
        return False
    return ("low" in shared and new < old) or ("high" in shared and new > old)


def _preliminary(lab: _Lab) -> bool:
    return lab.item.status == PRELIMINARY_STATUS


def _newer(a: _Lab, b: _Lab) -> bool:
    if a.when is None:
        return False
    return b.when is None or bool(a.when > b.when)


# Patient and limits --------------------------------------------------------------------


def _patient(entries: Iterable[Entry], options: Options) -> _Person:
    wanted = options.patient.patient_id
    for entry in entries:
        if entry.resource_type != "Patient" or (wanted is not None and entry.id != wanted):
            continue
        patient = entry.resource
        if not isinstance(patient, r.Patient):
            continue
        sex = SEXES.get(patient.gender or "")
        birth = parse_date(patient.birth_date)
        age = age_on(birth, options.today) if birth else None
        if age is not None and not 0 <= age <= MAX_AGE_YEARS:
            age = None
        ref = ResourceRef(entry.reference, "Patient")
        found = Patient(age=age, sex=sex) if sex is not None or age is not None else None
        return _Person(found, ref, patient.deceased)
    return _Person()


def _limit(
    builder: _Builder, items: list[tuple[T, ResourceRef]], limit: int, name: str
) -> list[tuple[T, ResourceRef]]:
    for _, ref in items[limit:]:
        builder.ignored.append(
            Ignored(ref.reference, ref.resource_type, f"beyond the limit of {limit} {name}")
        )
    return items[:limit]


__all__ = ["Options", "convert"]
