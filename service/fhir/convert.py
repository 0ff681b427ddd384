"""FHIR R4 resources -> the engine's ``CheckRequest``, plus the resource behind each item.

Pure: no I/O. Only resources that describe the patient's current state are used:
active / on-hold MedicationRequests (and draft orders of order hooks), active / intended
MedicationStatements, active / recurring / relapsed Conditions that are not refuted, and
final / amended / corrected Observations with a ``valueQuantity``, the most recent per
analyte. Resources of another patient are left out. Everything left out is listed with
the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeVar

import msgspec

from service.engine.models import (
    CheckRequest,
    Coding,
    ConditionInput,
    LabInput,
    MedicationInput,
    Patient,
)
from service.fhir import resources as r
from service.fhir.bundles import Entry
from service.fhir.dates import age_on, parse_date, parse_instant
from service.fhir.models import Conversion, Ignored, ResourceRef, Sources
from service.fhir.references import MedicationIndex, PatientFilter
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

MEDICATION_REQUEST_STATUSES = frozenset({"active", "on-hold"})
DRAFT_ORDER_STATUSES = frozenset({"draft", "active", "on-hold"})
MEDICATION_STATEMENT_STATUSES = frozenset({"active", "intended"})
CONDITION_CLINICAL_STATUSES = frozenset({"active", "recurrence", "relapse"})
CONDITION_EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
OBSERVATION_STATUSES = frozenset({"final", "amended", "corrected"})
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MEDICATION_TYPES = ("MedicationRequest", "MedicationOrder", "MedicationStatement")
READ_TYPES = (*MEDICATION_TYPES, "Condition", "Observation")

T = TypeVar("T")
Sex = Literal["female", "male", "other", "unknown"]
SEXES: dict[str, Sex] = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


@dataclass(frozen=True, kw_only=True)
class Options:
    """How to read the resources.

    ``analyte_by_loinc``: LOINC code -> analyte id (``kb.analyte_by_loinc``); with it, only
    Observations of analytes the service checks are used, and only the most recent of each.
    ``lab_max_age_days``: leave out labs older than this (``None``: no limit).
    """

    today: date
    patient: PatientFilter = field(default_factory=lambda: PatientFilter(None))
    analyte_by_loinc: Mapping[str, str] = field(default_factory=dict)
    lab_max_age_days: int | None = None


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


@dataclass(slots=True)
class _Builder:
    options: Options
    medications: MedicationIndex
    meds: list[tuple[MedicationInput, ResourceRef]] = field(default_factory=list)
    conds: list[tuple[ConditionInput, ResourceRef]] = field(default_factory=list)
    labs: list[_Lab] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    keys: dict[tuple[str, bool, tuple[str, ...]], str] = field(default_factory=dict)

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
        options, MedicationIndex(e for e in everything if e.resource_type == "Medication")
    )
    for entry in drafts:
        if entry.resource_type in MEDICATION_TYPES and builder.first_time(entry):
            _read(builder, entry, draft=True)
    for entry in record:
        if entry.resource_type in READ_TYPES and builder.first_time(entry):
            _read(builder, entry, draft=False)
    patient, patient_ref = _patient(everything, options)
    labs = _recent_labs(builder)
    meds = _limit(builder, builder.meds, MAX_MEDICATIONS, "medications")
    conds = _limit(builder, builder.conds, MAX_CONDITIONS, "conditions")
    labs = _limit(builder, labs, MAX_LABS, "labs")
    request = CheckRequest(
        patient=patient,
        medications=[m for m, _ in meds],
        conditions=[c for c, _ in conds],
        labs=[lab for lab, _ in labs],
    )
    sources = Sources(
        medications=[ref for _, ref in meds],
        conditions=[ref for _, ref in conds],
        labs=[ref for _, ref in labs],
        patient=patient_ref,
    )
    return Conversion(request, sources, builder.ignored)


def _read(builder: _Builder, entry: Entry, *, draft: bool) -> None:
    try:
        if entry.resource_type == "Condition":
            _condition(builder, entry)
        elif entry.resource_type == "Observation":
            _observation(builder, entry)
        elif entry.resource_type == "MedicationStatement":
            _medication_statement(builder, entry)
        else:
            _medication_request(builder, entry, draft=draft)
    except _SkipError as skip:
        builder.skip(entry, skip.reason)


def _as(entry: Entry, kind: type[T]) -> T:
    try:
        return msgspec.convert(entry.resource, kind)
    except msgspec.ValidationError as exc:
        raise _SkipError(f"not a valid FHIR R4 {entry.resource_type}: {exc}") from None


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
    if use.status is None and not draft:
        raise _SkipError("no status")
    if use.status is not None and use.status not in allowed:
        raise _SkipError(f"status {use.status}")
    _add_medication(builder, entry, use, use.dosage_instruction, draft=draft)


def _medication_statement(builder: _Builder, entry: Entry) -> None:
    use = _as(entry, r.MedicationStatement)
    _check_subject(builder, use.subject, use.patient)
    if use.status not in MEDICATION_STATEMENT_STATUSES:
        raise _SkipError(f"status {use.status or 'missing'}")
    _add_medication(builder, entry, use, use.dosage, draft=False)


def _add_medication(
    builder: _Builder,
    entry: Entry,
    use: r.MedicationRequest | r.MedicationStatement,
    dosages: Sequence[r.Dosage],
    *,
    draft: bool,
) -> None:
    concept = use.medication_codeable_concept
    text: str | None = None
    reference = use.medication_reference
    if concept is None and reference is not None:
        if reference.reference:
            resolved = builder.medications.resolve(reference.reference, use.contained)
            if resolved is not None:
                concept = _as(Entry(resolved), r.Medication).code
        text = _text(reference.display)
    codings = _codings(concept)
    text = _text(concept.text if concept else None) or text
    if not codings and not text:
        raise _SkipError(
            "names no medication that can be read (no code, text or resolvable reference)"
        )
    route = _route(dosages)
    ref = ResourceRef(entry.reference, entry.resource_type, draft, _label(codings, text))
    earlier = builder.duplicate_of("medication", draft, _key(codings, text), ref.reference)
    if earlier is not None:
        raise _SkipError(f"same medication as {earlier}")
    builder.meds.append((MedicationInput(text=text, coding=codings or None, route=route), ref))


def _route(dosages: Sequence[r.Dosage]) -> str | None:
    for dosage in dosages:
        route = dosage.route
        if route is None:
            continue
        text = route.text or next((c.display for c in route.coding if c.display), None)
        if text:
            return _text(text, MAX_ROUTE)
    return None


# Conditions ----------------------------------------------------------------------------


def _condition(builder: _Builder, entry: Entry) -> None:
    cond = _as(entry, r.Condition)
    _check_subject(builder, cond.subject, cond.patient)
    clinical = _status_codes(cond.clinical_status)
    if clinical and not clinical & CONDITION_CLINICAL_STATUSES:
        raise _SkipError(f"clinical status {', '.join(sorted(clinical))}")
    if not clinical and any(key.startswith("abatement") for key in entry.resource):
        raise _SkipError("abated (no clinical status, but an abatement)")
    verification = _status_codes(cond.verification_status)
    if verification & CONDITION_EXCLUDED_VERIFICATION:
        raise _SkipError(f"verification status {', '.join(sorted(verification))}")
    codings = _codings(cond.code)
    text = _text(cond.code.text if cond.code else None)
    if not codings and not text:
        raise _SkipError("no code or text")
    ref = ResourceRef(entry.reference, entry.resource_type, display=_label(codings, text))
    earlier = builder.duplicate_of("condition", False, _key(codings, text), ref.reference)
    if earlier is not None:
        raise _SkipError(f"same condition as {earlier}")
    builder.conds.append((ConditionInput(text=text, coding=codings or None), ref))


# Observations --------------------------------------------------------------------------


def _is_laboratory(obs: r.Observation) -> bool:
    return any(c.code == "laboratory" for cat in obs.category for c in cat.coding)


def _observation(builder: _Builder, entry: Entry) -> None:
    obs = _as(entry, r.Observation)
    _check_subject(builder, obs.subject)
    if obs.status not in OBSERVATION_STATUSES:
        raise _SkipError(f"status {obs.status or 'missing'}")
    loinc = obs.code.codes(LOINC) if obs.code else []
    known = builder.options.analyte_by_loinc
    analyte = next((known[c] for c in loinc if c in known), None)
    if known and analyte is None:
        if loinc:
            raise _SkipError(f"not a lab this service checks (LOINC {', '.join(loinc[:3])})")
        if not _is_laboratory(obs):
            raise _SkipError("not a laboratory result with a LOINC code")
    quantity = obs.value_quantity
    if quantity is None or quantity.value is None or obs.data_absent_reason is not None:
        raise _SkipError("no numeric result (valueQuantity)")
    if abs(quantity.value) > MAX_LAB_VALUE:
        raise _SkipError("result out of range")
    unit = _unit(quantity)
    if unit is None:
        raise _SkipError("result has no unit")
    codings = _codings(obs.code)
    text = _text(obs.code.text if obs.code else None)
    if not codings and not text:
        raise _SkipError("no code or text naming the analyte")
    when = parse_instant(obs.when())
    label = f"{_label(codings, text)} {quantity.value:g} {unit}"
    # The time as the source wrote it (its own offset): what the clinician recognizes.
    written = obs.when() if when else None
    ref = ResourceRef(entry.reference, entry.resource_type, display=label, date=written)
    key = analyte or "|".join(_key(codings, text))
    item = LabInput(value=quantity.value, unit=unit, coding=codings or None, text=text)
    builder.labs.append(_Lab(item, ref, key, when))


def _unit(quantity: r.Quantity) -> str | None:
    if quantity.system == UCUM and quantity.code:
        return _text(quantity.code, MAX_UNIT)
    return _text(quantity.unit or quantity.code, MAX_UNIT)


def _recent_labs(builder: _Builder) -> list[tuple[LabInput, ResourceRef]]:
    """The most recent result per analyte, within the age limit."""
    options = builder.options
    latest: dict[str, _Lab] = {}
    for lab in builder.labs:
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
        newer, older = (lab, current) if _newer(lab, current) else (current, lab)
        latest[lab.key] = newer
        builder.ignored.append(
            Ignored(
                older.ref.reference,
                older.ref.resource_type,
                f"a more recent result is used ({newer.ref.reference})",
            )
        )
    return [(lab.item, lab.ref) for lab in latest.values()]


def _newer(a: _Lab, b: _Lab) -> bool:
    if a.when is None:
        return False
    return b.when is None or bool(a.when > b.when)


# Patient and limits --------------------------------------------------------------------


def _patient(
    entries: Iterable[Entry], options: Options
) -> tuple[Patient | None, ResourceRef | None]:
    wanted = options.patient.patient_id
    for entry in entries:
        if entry.resource_type != "Patient" or (wanted is not None and entry.id != wanted):
            continue
        try:
            patient = msgspec.convert(entry.resource, r.Patient)
        except msgspec.ValidationError:
            continue
        sex = SEXES.get(patient.gender or "")
        birth = parse_date(patient.birth_date)
        age = age_on(birth, options.today) if birth else None
        if age is not None and not 0 <= age <= MAX_AGE_YEARS:
            age = None
        ref = ResourceRef(entry.reference, "Patient")
        if sex is None and age is None:
            return None, ref
        return Patient(age=age, sex=sex), ref
    return None, None


def _limit(
    builder: _Builder, items: list[tuple[T, ResourceRef]], limit: int, name: str
) -> list[tuple[T, ResourceRef]]:
    for _, ref in items[limit:]:
        builder.ignored.append(
            Ignored(ref.reference, ref.resource_type, f"beyond the limit of {limit} {name}")
        )
    return items[:limit]


__all__ = ["Options", "convert"]
