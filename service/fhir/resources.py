"""The subset of FHIR R4 resources the service reads, as lenient msgspec Structs.

Unknown elements are ignored (FHIR resources carry far more than we read); a resource whose
elements we read have the wrong JSON type does not convert and is reported as ignored.
"""

from __future__ import annotations

from typing import Any

import msgspec


class _Element(msgspec.Struct, frozen=True, rename="camel"):
    pass


class Coding(_Element, frozen=True):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CodeableConcept(_Element, frozen=True):
    coding: list[Coding] = []
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


class Dosage(_Element, frozen=True):
    text: str | None = None
    route: CodeableConcept | None = None


class Patient(_Element, frozen=True):
    id: str | None = None
    gender: str | None = None
    birth_date: str | None = None


class Medication(_Element, frozen=True):
    id: str | None = None
    code: CodeableConcept | None = None


class _MedicationUse(_Element, frozen=True):
    id: str | None = None
    status: str | None = None
    subject: Reference | None = None
    # DSTU2 MedicationOrder (still sent by old demo EHRs to medication-prescribe).
    patient: Reference | None = None
    medication_codeable_concept: CodeableConcept | None = None
    medication_reference: Reference | None = None
    contained: list[dict[str, Any]] = []


class MedicationRequest(_MedicationUse, frozen=True):
    intent: str | None = None
    do_not_perform: bool | None = None
    authored_on: str | None = None
    dosage_instruction: list[Dosage] = []


class MedicationStatement(_MedicationUse, frozen=True):
    dosage: list[Dosage] = []


class Condition(_Element, frozen=True):
    id: str | None = None
    # R4 CodeableConcepts; STU3 (still sent to medication-prescribe) uses plain codes.
    clinical_status: CodeableConcept | str | None = None
    verification_status: CodeableConcept | str | None = None
    code: CodeableConcept | None = None
    subject: Reference | None = None
    patient: Reference | None = None


class Observation(_Element, frozen=True):
    id: str | None = None
    status: str | None = None
    category: list[CodeableConcept] = []
    code: CodeableConcept | None = None
    subject: Reference | None = None
    value_quantity: Quantity | None = None
    data_absent_reason: CodeableConcept | None = None
    effective_date_time: str | None = None
    effective_instant: str | None = None
    effective_period: Period | None = None
    issued: str | None = None

    def when(self) -> str | None:
        period = self.effective_period
        return (
            self.effective_date_time
            or self.effective_instant
            or (period.end or period.start if period else None)
            or self.issued
        )
