"""The subset of FHIR R4 resources the service reads, as lenient msgspec Structs.

Unknown elements are skipped while decoding (FHIR resources carry far more than we read),
so a resource costs memory only for what is read: arrays are tuples (an absent one is the
shared empty tuple, not a new list per object) and the Structs are not tracked by the
garbage collector. A resource whose read elements have the wrong JSON type does not
decode and is reported as ignored.
"""

from __future__ import annotations

import msgspec


class _Element(msgspec.Struct, frozen=True, rename="camel", gc=False):
    pass


class Coding(_Element, frozen=True):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CodeableConcept(_Element, frozen=True):
    coding: tuple[Coding, ...] = ()
    text: str | None = None

    def codes(self, system: str) -> list[str]:
        return [c.code for c in self.coding if c.system == system and c.code]


class Reference(_Element, frozen=True):
    reference: str | None = None
    display: str | None = None


class Quantity(_Element, frozen=True):
    value: float | None = None
    unit: str | None = None
    system: str | None = None
    code: str | None = None
    comparator: str | None = None


class Period(_Element, frozen=True):
    start: str | None = None
    end: str | None = None


class Range(_Element, frozen=True):
    low: Quantity | None = None
    high: Quantity | None = None
    text: str | None = None


class TimingRepeat(_Element, frozen=True):
    bounds_period: Period | None = None
    # A Duration: how long the course lasts from its start.
    bounds_duration: Quantity | None = None
    # How often, read leniently (any JSON; what is not the type FHIR gives is not read, and
    # never loses the resource): ``frequency`` times per ``period`` ``periodUnit``, and
    # ``when`` (event codes: MORN, HS, ...); ``frequencyMax``, the most times a period the
    # order allows ("1-2 times daily").
    frequency: object = None
    frequency_max: object = None
    period: object = None
    period_unit: object = None
    when: object = None


class Timing(_Element, frozen=True):
    repeat: TimingRepeat | None = None
    # An abbreviation (BID, QAM, ...), read leniently as the repeat's elements.
    code: object = None


class Dosage(_Element, frozen=True):
    text: str | None = None
    timing: Timing | None = None
    # Read leniently, as the repeat's elements: ``[{"doseQuantity": {"value": 2, ...}}]``.
    dose_and_rate: object = None
    route: CodeableConcept | None = None
    as_needed_boolean: bool | None = None
    as_needed_codeable_concept: CodeableConcept | None = None

    @property
    def as_needed(self) -> bool:
        """Taken as needed (PRN): ``asNeededBoolean`` true, or ``asNeededCodeableConcept``
        (R4: "as needed for" a reason, which implies as needed)."""
        return bool(self.as_needed_boolean) or self.as_needed_codeable_concept is not None


class Patient(_Element, frozen=True):
    id: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    deceased_boolean: bool | None = None
    deceased_date_time: str | None = None

    @property
    def deceased(self) -> bool:
        return bool(self.deceased_boolean) or bool(self.deceased_date_time)


class Ingredient(_Element, frozen=True):
    item_codeable_concept: CodeableConcept | None = None
    item_reference: Reference | None = None
    is_active: bool | None = None


class Medication(_Element, frozen=True):
    id: str | None = None
    code: CodeableConcept | None = None
    ingredient: tuple[Ingredient, ...] = ()


class _MedicationUse(_Element, frozen=True):
    id: str | None = None
    status: str | None = None
    subject: Reference | None = None
    # DSTU2 MedicationOrder (still sent by old demo EHRs to medication-prescribe).
    patient: Reference | None = None
    medication_codeable_concept: CodeableConcept | None = None
    medication_reference: Reference | None = None
    # Contained resources stay undecoded until a `#id` reference names one of them.
    contained: tuple[msgspec.Raw, ...] = ()


class DispenseRequest(_Element, frozen=True):
    validity_period: Period | None = None


class MedicationRequest(_MedicationUse, frozen=True):
    intent: str | None = None
    do_not_perform: bool | None = None
    authored_on: str | None = None
    dosage_instruction: tuple[Dosage, ...] = ()
    dispense_request: DispenseRequest | None = None
    reported_boolean: bool | None = None
    reported_reference: Reference | None = None
    requester: Reference | None = None
    # The order a draft replaces (a switch or a renewal); read leniently: an element of
    # another type is not read and never loses the order.
    prior_prescription: object = None

    @property
    def reported(self) -> bool:
        """Reported by the patient or another source, or self-prescribed (the requester
        is the Patient or a RelatedPerson): a medication the patient says they take."""
        by = self.requester.reference if self.requester else None
        return (
            bool(self.reported_boolean)
            or self.reported_reference is not None
            or bool(by and by.startswith(("Patient/", "RelatedPerson/")))
        )


class MedicationStatement(_MedicationUse, frozen=True):
    dosage: tuple[Dosage, ...] = ()
    effective_period: Period | None = None
    # The orders this statement reports on (the MedicationRequest it is based on or derived
    # from); read leniently: an element of another type is not read and never loses it.
    based_on: object = None
    derived_from: object = None

    def references(self) -> list[str]:
        """The references ``basedOn`` and ``derivedFrom`` give, as written."""
        out: list[str] = []
        for value in (self.based_on, self.derived_from):
            for item in value if isinstance(value, list) else ():
                said = item.get("reference") if isinstance(item, dict) else None
                if isinstance(said, str) and said.strip():
                    out.append(said)
        return out


class MedicationAdministration(_MedicationUse, frozen=True):
    """A dose given: decoded only to say whose it is, then listed as not read."""


class Condition(_Element, frozen=True):
    id: str | None = None
    # R4 CodeableConcepts; STU3 (still sent to medication-prescribe) uses plain codes.
    clinical_status: CodeableConcept | str | None = None
    verification_status: CodeableConcept | str | None = None
    code: CodeableConcept | None = None
    subject: Reference | None = None
    patient: Reference | None = None
    onset_date_time: str | None = None
    onset_period: Period | None = None
    onset_age: Quantity | None = None
    onset_string: str | None = None
    abatement_date_time: str | None = None
    abatement_period: Period | None = None
    abatement_age: Quantity | None = None
    abatement_range: Range | None = None
    abatement_string: str | None = None
    # STU3/DSTU2: `abatementBoolean: true` = resolved.
    abatement_boolean: bool | None = None
    recorded_date: str | None = None
    # STU3 name of recordedDate.
    asserted_date: str | None = None

    def abated(self) -> bool:
        return bool(
            self.abatement_date_time
            or self.abatement_period
            or self.abatement_age
            or self.abatement_range
            or self.abatement_string
            or self.abatement_boolean
        )

    def abated_on(self) -> str | None:
        """The date the condition abated, when the record says one."""
        period = self.abatement_period
        return self.abatement_date_time or (period.end or period.start if period else None)

    def dates(self) -> tuple[str, ...]:
        """Every date the record gives for when the condition began or was recorded."""
        period = self.onset_period
        written = (
            self.onset_date_time,
            period.start if period else None,
            period.end if period else None,
            self.recorded_date,
            self.asserted_date,
        )
        return tuple(d for d in written if d)

    def began_on(self) -> str | None:
        """When the condition began, else when it was recorded."""
        period = self.onset_period
        return (
            self.onset_date_time
            or (period.start or period.end if period else None)
            or self.recorded_date
            or self.asserted_date
        )


class ReferenceRange(Range, frozen=True):
    """An Observation's ``referenceRange``: limits, and whom and what they are for."""

    type: CodeableConcept | None = None
    applies_to: tuple[CodeableConcept, ...] = ()
    age: Range | None = None


class ObservationValue(_Element, frozen=True):
    """The value elements of an Observation and of each of its components."""

    code: CodeableConcept | None = None
    value_quantity: Quantity | None = None
    value_string: str | None = None
    # FHIR integer; read as a number so that a decimal written there is not fatal.
    value_integer: float | None = None
    data_absent_reason: CodeableConcept | None = None
    reference_range: tuple[ReferenceRange, ...] = ()


class Observation(ObservationValue, frozen=True):
    id: str | None = None
    status: str | None = None
    # Read for a pregnancy status (coded or yes/no), never as a lab result.
    value_codeable_concept: CodeableConcept | None = None
    value_boolean: bool | None = None
    category: tuple[CodeableConcept, ...] = ()
    subject: Reference | None = None
    effective_date_time: str | None = None
    effective_instant: str | None = None
    effective_period: Period | None = None
    issued: str | None = None
    component: tuple[ObservationValue, ...] = ()

    def when(self) -> str | None:
        period = self.effective_period
        return (
            self.effective_date_time
            or self.effective_instant
            or (period.end or period.start if period else None)
            or self.issued
        )


Resource = (
    Patient
    | Medication
    | MedicationRequest
    | MedicationStatement
    | MedicationAdministration
    | Condition
    | Observation
)

# Resource type -> the Struct it is read into. Other types are skipped without decoding.
READ: dict[str, type[Resource]] = {
    "Patient": Patient,
    "Medication": Medication,
    "MedicationRequest": MedicationRequest,
    "MedicationOrder": MedicationRequest,
    "MedicationStatement": MedicationStatement,
    "MedicationAdministration": MedicationAdministration,
    "Condition": Condition,
    "Observation": Observation,
}
