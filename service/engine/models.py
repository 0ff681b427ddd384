"""Request and report of ``check()``: plain msgspec Structs, no HTTP types.

The field names of the REST contract v1 are fixed (docs/api.md); fields may be added.
Limits are part of the contract and are documented in the OpenAPI document.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import msgspec

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

Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT, description="Free text as written.")]
Severity = Literal["low", "moderate", "high"]
Risk = Literal["none", "low", "moderate", "high"]
Status = Literal["flagged", "recognized", "unrecognized"]
ListName = Literal["medications", "conditions", "labs", "patient"]
# How an input was read: by a code, a generic name or synonym, a brand, a combination
# product's name, a coding's display text, or as the correction of a misspelling.
MatchKind = Literal["code", "name", "brand", "product", "display", "spelling"]
# Why a finding has its severity (the severity policy, docs/clinical-policy.md).
Basis = Literal[
    "single_contributor",
    "measured_abnormality",
    "second_factor",
    "interaction",
    "duplicate_therapy",
    "contraindicated",
    "treatment_safety",
]


class Coding(msgspec.Struct, frozen=True, omit_defaults=True):
    """A FHIR-style coding. ``system`` takes the FHIR URI or a short alias
    (rxnorm, icd10cm, snomed, loinc, atc, ndc)."""

    system: Annotated[str, msgspec.Meta(max_length=MAX_SYSTEM)] | None = None
    code: Annotated[str, msgspec.Meta(max_length=MAX_CODE)] | None = None
    display: Text | None = None


Codings = Annotated[list[Coding], msgspec.Meta(max_length=MAX_CODINGS)]

# The structured statuses (service/engine/status_codes.py): FHIR R4 codes, read leniently.
# A string, or a FHIR Coding / CodeableConcept object; a value not understood is read as if
# no status were sent and the input's `reason` says so. Only a JSON type that cannot be a
# status (a number, a list, true) is a 400.
_LENIENT = (
    " Read leniently: spaces and letter case do not matter, common EHR words are read as the "
    "code they mean (the list is in docs/api.md, Statuses: Taking is active, discontinued "
    "is stopped...), an empty value is absent, and a value not understood is read as if no "
    "status were sent, the input's `reason` saying so (never a 400)."
)


class StatusConcept(Coding, frozen=True, omit_defaults=True):
    """A status sent as a FHIR Coding (``system``, ``code``) or CodeableConcept
    (``coding``, ``text``): its code of the value set's own code system is read first."""

    coding: Codings | None = None
    text: Text | None = None


MedicationStatus = (
    Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_TEXT,
            description="The medication's status (FHIR MedicationStatement / "
            "MedicationRequest status codes): stopped, completed, cancelled, not-taken, "
            "on-hold and entered-in-error are not taken now (recognized, never flagged); "
            "active, intended, draft and unknown as if absent." + _LENIENT,
        ),
    ]
    | StatusConcept
)
ConditionClinicalStatus = (
    Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_TEXT,
            description="The condition's clinical status (FHIR Condition.clinicalStatus "
            "codes, or the CodeableConcept itself): inactive, remission and resolved are not "
            "current (recognized, never flagged); active, recurrence and relapse as if "
            "absent." + _LENIENT,
        ),
    ]
    | StatusConcept
)
ConditionVerificationStatus = (
    Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_TEXT,
            description="The condition's verification status (FHIR "
            "Condition.verificationStatus codes, or the CodeableConcept itself): "
            "unconfirmed, provisional and differential are not established, refuted and "
            "entered-in-error are absent (recognized, never flagged); confirmed as if "
            "absent." + _LENIENT,
        ),
    ]
    | StatusConcept
)
LabStatus = (
    Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_TEXT,
            description="The result's status (FHIR Observation.status codes): registered, "
            "cancelled and entered-in-error results are not used (recognized, not read); "
            "a preliminary result is used, its `reason` saying it is not final yet, unless a "
            "final result of the same analyte is sent; final, amended, corrected and unknown "
            "as if absent. HL7 v2 OBX-11 codes (table 0085: F, C, P, R, X, D, W...) are read "
            "as the code they mean." + _LENIENT,
        ),
    ]
    | StatusConcept
)


class _Coded(msgspec.Struct, frozen=True, omit_defaults=True):
    text: Text | None = None
    coding: Codings | None = None

    def __post_init__(self) -> None:
        if self.text is None and not self.coding:
            raise ValueError("needs `text` or a non-empty `coding`")


class MedicationInput(_Coded, frozen=True, omit_defaults=True):
    """A medication: free text (``"Lasix 40 mg PO daily"``) and/or codings."""

    route: Annotated[str, msgspec.Meta(max_length=MAX_ROUTE)] | None = None
    status: MedicationStatus | None = None


class ConditionInput(_Coded, frozen=True, omit_defaults=True):
    """A diagnosis or problem: free text and/or ICD-10-CM / SNOMED CT codings."""

    clinical_status: ConditionClinicalStatus | None = None
    verification_status: ConditionVerificationStatus | None = None


class ReferenceRange(msgspec.Struct, frozen=True, omit_defaults=True):
    """The lab's own reference range for this result, in the result's unit.

    With both limits, low must be below high: a reversed or empty range would make a
    normal result look abnormal, and is refused (400) as an entry error."""

    low: Annotated[float, msgspec.Meta(ge=-MAX_LAB_VALUE, le=MAX_LAB_VALUE)] | None = None
    high: Annotated[float, msgspec.Meta(ge=-MAX_LAB_VALUE, le=MAX_LAB_VALUE)] | None = None

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError("`low` must be below `high`")


class LabInput(msgspec.Struct, frozen=True, omit_defaults=True):
    """A lab result: a coding (LOINC) or text naming the analyte, a value and its unit.

    A value outside what is physiologically possible for the analyte (a negative
    potassium, a magnesium of 25 mg/dL) is refused (400) as an entry error."""

    value: Annotated[float, msgspec.Meta(ge=-MAX_LAB_VALUE, le=MAX_LAB_VALUE)]
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_UNIT)]
    coding: Codings | None = None
    text: Text | None = None
    # When sent, its limits replace the usual reference limits (severe limits stay).
    reference_range: ReferenceRange | None = None
    status: LabStatus | None = None

    def __post_init__(self) -> None:
        if self.text is None and not self.coding:
            raise ValueError("needs `coding` or `text` naming the analyte")
        if not math.isfinite(self.value):
            raise ValueError("`value` must be a finite number")


class Patient(msgspec.Struct, frozen=True, omit_defaults=True):
    # A number of years (JSON integers and decimals alike: 71, 71.0, 0.5 for six months).
    age: Annotated[float, msgspec.Meta(ge=0, le=MAX_AGE_YEARS)] | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    pregnant: bool | None = None


class CheckRequest(msgspec.Struct, frozen=True, omit_defaults=True):
    patient: Patient | None = None
    medications: Annotated[list[MedicationInput], msgspec.Meta(max_length=MAX_MEDICATIONS)] = []
    conditions: Annotated[list[ConditionInput], msgspec.Meta(max_length=MAX_CONDITIONS)] = []
    labs: Annotated[list[LabInput], msgspec.Meta(max_length=MAX_LABS)] = []


class InputRef(msgspec.Struct, frozen=True):
    list: ListName
    index: int


class Evidence(msgspec.Struct, frozen=True, omit_defaults=True):
    citation: str
    url: str
    kind: str | None = None


class EffectSummary(msgspec.Struct, frozen=True):
    kind: str
    label: str
    evidence_level: str
    evidence_grade: str


class Finding(msgspec.Struct, frozen=True):
    id: str
    kind: Literal["medication", "condition", "lab", "combination"]
    severity: Severity
    title: str
    detail: str
    monitoring: list[str]
    management: list[str]
    evidence: list[Evidence]
    inputs: list[InputRef]
    evidence_level: str
    evidence_grade: str
    effects: list[EffectSummary] = []
    # Analytes (ids of GET /v1/knowledge) worth measuring for this finding.
    labs_to_check: list[str] = []
    # Why this severity: one contributor alone, a measured abnormality, a second factor...
    basis: Basis = "single_contributor"
    # The id of the finding that covers this one (the same problem): a combination, or a
    # condition whose one entry names this one too (``same_entry``: diabetes for the
    # neuropathy of E11.42). The note and CDS cards show that one only; this finding stays
    # here for integrators.
    absorbed_by: str | None = None


class InputStatus(msgspec.Struct, frozen=True, omit_defaults=True):
    index: int
    status: Status
    concept: str | None = None
    concepts: list[str] = []
    reason: str | None = None
    suggestions: list[str] = []
    # How the input was read (absent when it was not recognized).
    match: MatchKind | None = None
    # For a spelling correction: the known term the input was read as.
    read_as: str | None = None


class Report(msgspec.Struct, frozen=True):
    knowledge_version: str
    risk: Risk
    findings: list[Finding]
    medications: list[InputStatus]
    conditions: list[InputStatus]
    labs: list[InputStatus]
    note: str
