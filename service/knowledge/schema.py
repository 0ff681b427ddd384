"""Shapes of the curated dataset files in ``datasets/``.

Every Struct is strict (unknown keys are errors) so that a typo in a dataset fails at
start-up instead of silently dropping clinical content.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Severity = Literal["low", "moderate", "high"]
Route = Literal[
    "oral",
    "parenteral",
    "inhaled",
    "nasal",
    "topical",
    "ophthalmic",
    "otic",
    "rectal",
    "vaginal",
    "transdermal",
]
EffectKind = Literal[
    "lowers_potassium",
    "lowers_magnesium",
    "lowers_calcium",
    "causes_cramps",
    "volume_depletion",
    "causes_hypoglycemia",
]
EvidenceLevel = Literal[
    "labeled_adverse_effect",
    "regulatory_warning",
    "controlled_trial",
    "meta_analysis",
    "observational",
    "mechanistic_review",
    "expert_consensus",
    "case_reports",
]
Grade = Literal["A", "B", "C"]

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Id = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_]*$")]
SourceIds = Annotated[list[Id], msgspec.Meta(min_length=1)]
IcdCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]


class _Strict(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class Source(_Strict, frozen=True, kw_only=True):
    """One bibliographic source: a label, a guideline, a paper (PMID/DOI) or a web page."""

    id: Id
    citation: NonEmpty
    url: NonEmpty
    kind: Literal["label", "guideline", "paper", "review", "regulatory", "terminology", "web"]


class Effect(_Strict, frozen=True, kw_only=True):
    """One effect of a drug class, with its own evidence grade."""

    kind: EffectKind
    severity: Severity
    evidence_level: EvidenceLevel
    grade: Grade
    mechanism: NonEmpty
    sources: SourceIds


class DrugClass(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    effects: list[Effect] = []
    # Empty = the class applies whatever the route; otherwise only for these routes.
    routes: list[Route] = []
    atc_prefixes: list[NonEmpty] = []
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
    sources: SourceIds


class Drug(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    classes: list[Id] = []
    rxcui: list[Annotated[str, msgspec.Meta(pattern=r"^[0-9]+$")]] = []
    atc: list[NonEmpty] = []
    synonyms: list[NonEmpty] = []
    brands: list[NonEmpty] = []
    misspellings: list[NonEmpty] = []
    # Route assumed when the input does not say one.
    default_route: Route | None = None
    # Brand name -> route it implies (e.g. Pulmicort -> inhaled, Entocort -> oral).
    brand_routes: dict[str, Route] = {}
    # Why a drug that is commonly suspected is deliberately not flagged (shown to reviewers).
    not_flagged_because: str | None = None
    sources: SourceIds


class Product(_Strict, frozen=True, kw_only=True):
    """A combination product: brand names and fixed-dose names mapping to ingredients."""

    names: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    ingredients: Annotated[list[Id], msgspec.Meta(min_length=2)]
    default_route: Route | None = None
    sources: SourceIds


RxNormTty = Literal[
    "IN",
    "PIN",
    "MIN",
    "BN",
    "SCDC",
    "SCDF",
    "SCDG",
    "SCD",
    "SBDC",
    "SBDF",
    "SBDG",
    "SBD",
    "GPCK",
    "BPCK",
]


class RxNormCode(_Strict, frozen=True, array_like=True):
    """One row of an RxNorm code table (``datasets/**/*.tsv``): a code and what it names.

    Read from a row's fields in column order (``array_like``), as fast as a table needs.
    ``name`` is the name exactly as its source gives it; ``tty`` the RxNorm term type that
    the name's form shows (value sets carry no term type); ``ingredients`` the drugs the
    name was proven to name (tests/knowledge re-proves it through the text matcher).
    """

    code: Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]{0,9}$")]
    tty: RxNormTty
    name: NonEmpty
    ingredients: Annotated[list[Id], msgspec.Meta(min_length=1)]
    sources: SourceIds


class SnomedCode(_Strict, frozen=True, array_like=True):
    """One row of a SNOMED CT code table: a concept id, its name as the source gives it,
    and the conditions it means (tests/knowledge re-proves the check digit and the name)."""

    code: Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]{5,17}$")]
    name: NonEmpty
    conditions: Annotated[list[Id], msgspec.Meta(min_length=1)]
    sources: SourceIds


class Condition(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    # False: recognized so the clinician knows it was checked, but not a contributor.
    contributes: bool
    synonyms: list[NonEmpty] = []
    icd10cm: list[
        Annotated[str, msgspec.Meta(pattern=r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")]
    ] = []
    # Codes under these prefixes do not match this concept (like an ICD "Excludes1").
    icd10cm_exclude: list[IcdCode] = []
    snomed: list[Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]{5,17}$")]] = []
    severity: Severity | None = None
    evidence_level: EvidenceLevel | None = None
    grade: Grade | None = None
    mechanism: str | None = None
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
    sources: SourceIds


class LabBand(_Strict, frozen=True, kw_only=True):
    """A value range of an analyte that is a finding (low potassium, severe low potassium)."""

    state: Literal["low", "high"]
    # The finding applies when value < below (state low) or value > above (state high),
    # both in the analyte's canonical unit.
    below: float | None = None
    above: float | None = None
    sex: Literal["female", "male"] | None = None
    severity: Severity
    title: NonEmpty


class Analyte(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    loinc: list[Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,7}-[0-9]$")]] = []
    synonyms: list[NonEmpty] = []
    canonical_unit: NonEmpty
    # Unit (as written, case-insensitive) -> factor that converts it to the canonical unit.
    units: dict[str, float]
    reference_range: NonEmpty
    bands: list[LabBand] = []
    evidence_level: EvidenceLevel
    grade: Grade
    mechanism: NonEmpty
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
    sources: SourceIds


class Slot(_Strict, frozen=True, kw_only=True):
    """One ingredient of a combination rule: an input fills it when any selector matches."""

    drug_class: list[Id] = []
    effect: EffectKind | None = None
    drug: list[Id] = []
    condition: list[Id] = []
    lab: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:(low|high)$")]] = []


class CombinationRule(_Strict, frozen=True, kw_only=True):
    id: Id
    title: NonEmpty
    severity: Severity
    slots: Annotated[list[Slot], msgspec.Meta(min_length=1)]
    # For a single-slot rule: how many different drugs must fill the slot.
    min_distinct_drugs: Annotated[int, msgspec.Meta(ge=1)] = 1
    # Rules whose firing makes this one redundant.
    suppressed_by: list[Id] = []
    evidence_level: EvidenceLevel
    grade: Grade
    detail: NonEmpty
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
    sources: SourceIds


class Normalization(_Strict, frozen=True, kw_only=True):
    """Words the text matcher needs to know, kept as reviewable data."""

    ignored_tokens: list[NonEmpty]
    salt_tokens: list[NonEmpty]
    route_tokens: dict[str, Route]
    combination_separators: list[NonEmpty]
    negation_prefixes: list[NonEmpty]
    family_history_prefixes: list[NonEmpty]


class Texts(_Strict, frozen=True, kw_only=True):
    """Clinician-facing fixed text and templates used to render findings and the note."""

    effect_labels: dict[str, str]
    evidence_labels: dict[str, str]
    templates: dict[str, str]


class KnowledgeFile(_Strict, frozen=True, kw_only=True):
    """Any file under ``datasets/`` (``*.toml``): each holds some of these tables."""

    source: list[Source] = []
    drug_class: list[DrugClass] = []
    drug: list[Drug] = []
    product: list[Product] = []
    condition: list[Condition] = []
    analyte: list[Analyte] = []
    rule: list[CombinationRule] = []
    normalization: Normalization | None = None
    texts: Texts | None = None
