"""Shapes of the curated dataset files in ``datasets/``.

Every Struct is strict (unknown keys are errors) so that a typo in a dataset fails at
start-up instead of silently dropping clinical content.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Severity = Literal["low", "moderate", "high"]
# The longest reason an input status gives (a drug's ``not_flagged_because``, the reason
# built from the rules a drug takes part in, a product's ingredients' reasons together):
# the longest hand-written reasons were about 300 characters (review52 R3).
REASON_MAX_CHARS = 300
Route = Literal[
    "oral",
    "parenteral",
    "intravenous",
    "subcutaneous",
    "inhaled",
    "nasal",
    "topical",
    "ophthalmic",
    "otic",
    "rectal",
    "vaginal",
    "transdermal",
    # Injections into a site, not into the circulation (a joint, the epidural space, the
    # cerebrospinal fluid, a skin lesion, the vitreous of the eye), and instillation into
    # the bladder.
    "intra-articular",
    "epidural",
    "intrathecal",
    "intralesional",
    "intravesical",
    "intravitreal",
]
EffectKind = Literal[
    "lowers_potassium",
    "lowers_magnesium",
    "lowers_calcium",
    "causes_cramps",
    "volume_depletion",
    "causes_hypoglycemia",
    # Not a cause of cramps: a drug taken for cramps against a regulatory warning.
    "unsafe_cramp_treatment",
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
    """One effect of a drug class, with its own evidence grade.

    A drug on its own is always a ``low`` finding (the severity policy); the grade says how
    strong the evidence is. ``additive_routes`` / ``additive_when_prn`` say when the
    effect is strong enough to add up with other drugs' (``adds_up`` rules): only by these
    routes (insulin: intravenous), and not for an as-needed order (a reliever inhaler);
    ``not_additive_with`` names classes whose drugs do not add up with it."""

    kind: EffectKind
    evidence_level: EvidenceLevel
    grade: Grade
    mechanism: NonEmpty
    additive_routes: list[Route] = []
    additive_when_prn: bool = True
    # Drug classes this effect does not add up with: a regimen partner given to counter it
    # (the glucocorticoid given with abiraterone lowers the mineralocorticoid excess).
    not_additive_with: list[Id] = []
    sources: SourceIds


ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]


class DrugClass(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    # One or two sentences for a finding: the most relevant mechanism, ``{drug}`` standing
    # for the drug's name (the long mechanisms stay on the effects, for /v1/knowledge).
    detail: ShortText
    effects: list[Effect] = []
    # Empty = the class applies whatever the route; otherwise only for these routes.
    routes: list[Route] = []
    atc_prefixes: list[NonEmpty] = []
    monitoring: list[NonEmpty] = []
    # Monitoring lines in place of ``monitoring`` when the request has a result of each
    # analyte of the key, or a lab test known but not checked ("creatinine"), as
    # ``CombinationRule.monitoring_when_measured``: a quinine line that asks for a platelet
    # count reads the one sent instead. The first key whose analytes and tests were all
    # sent applies.
    monitoring_when_measured: dict[
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+(\+[a-z_]+)*$")], list[NonEmpty]
    ] = {}
    management: list[NonEmpty] = []
    # Its effects are steady while it is taken (not after each dose or course, as with
    # denosumab or an aminoglycoside): when each is shown by a result (``EffectInfo.
    # shown_by``) measured and not showing it, the drug is not listed as a contributor (a
    # PPI with a normal magnesium); it still joins the rules it fills.
    listed_only_when_shown: bool = False
    sources: SourceIds


class Drug(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    classes: list[Id] = []
    rxcui: list[Annotated[str, msgspec.Meta(pattern=r"^[0-9]+$")]] = []
    atc: list[NonEmpty] = []
    # ATC code -> the route it implies, where the drug's default route would be wrong for
    # it: fusidic acid's J01XC01 is the systemic antibacterial, its default route topical.
    atc_routes: dict[str, Route] = {}
    synonyms: list[NonEmpty] = []
    brands: list[NonEmpty] = []
    misspellings: list[NonEmpty] = []
    # One-word names that are also a route or dose word ("INH": isoniazid, and inhaled):
    # read as this drug only when a text starts with it and names no other drug ("INH
    # 300 mg daily"), never beside one ("albuterol 2 puffs inh q4h" stays inhaled
    # albuterol) or after an unknown name ("Breztri inh").
    route_word_names: list[NonEmpty] = []
    # Route assumed when the input does not say one.
    default_route: Route | None = None
    # Local routes (normalization.local_routes) by which this drug still reaches the
    # circulation, so that rules naming it apply: desmopressin nasal spray is absorbed and
    # retains water as the tablets do (NOCTIVA, DDAVP nasal spray).
    systemic_routes: list[Route] = []
    # Brand name -> route it implies (e.g. Pulmicort -> inhaled, Entocort -> oral).
    brand_routes: dict[str, Route] = {}
    # A strength of at least this (mg) in a text that names no route is an oral dose
    # (budesonide: inhaled doses are micrograms, or at most 1 mg nebulized).
    oral_from_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # The smallest strength of one tablet or capsule of its products (mg): a text that
    # gives only a count ("colchicine 1 tab BID") is at least that count of them, which a
    # dose limit reads when it is enough to pass the limit.
    smallest_unit_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # Brand -> the strength (mg) of its one tablet or capsule, for a brand sold in one
    # strength only: a text that names the brand and gives only a count ("Colcrys 1 tab
    # BID", "Korlym 2 tabs daily") is that many of it.
    brand_unit_mg: dict[str, Annotated[float, msgspec.Meta(gt=0)]] = {}
    # Brand -> the least daily dose (mg) of a brand taken only as a daily regimen (KORLYM:
    # 300 to 1,200 mg once a day): its name with no dose still fills a slot that asks for
    # at least that much (``at_least_mg``), which the drug's other products may not.
    brand_least_daily_mg: dict[str, Annotated[float, msgspec.Meta(gt=0)]] = {}
    # Why a drug that is commonly suspected is deliberately not flagged (shown to reviewers);
    # at most ``REASON_MAX_CHARS``, like every reason on a status.
    not_flagged_because: str | None = None
    # Replaces its class's detail where the class text would be wrong for this drug.
    detail: ShortText | None = None
    # Effects of its classes this drug has only weakly (dexamethasone: no mineralocorticoid
    # activity): shown on its own finding, never adding up with other drugs'.
    weak_effects: list[EffectKind] = []
    # Its effects add up with other drugs' only above this daily dose (mg, read from the
    # text; an unread dose counts): hydrocortisone at replacement doses restores, it does
    # not exceed, normal cortisol.
    adds_up_above_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # With ``adds_up_above_mg``: a strength is read as the daily dose only when the text
    # also says how often it is taken (``schedule_words``). "predniSONE 5 MG Oral Tablet"
    # alone may be one tablet of a taper written in 5 mg tablets; "5 mg daily" is a dose.
    dose_needs_schedule: bool = False
    # Analytes this drug replaces (a potassium or magnesium supplement): a low result of
    # one while it is taken gets the analyte's ``low_on_replacement`` line.
    replaces: list[Id] = []
    sources: SourceIds


class Product(_Strict, frozen=True, kw_only=True):
    """A combination product: brand names and fixed-dose names mapping to ingredients."""

    names: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    ingredients: Annotated[list[Id], msgspec.Meta(min_length=2)]
    # ATC codes of the fixed-dose combination (J05AR10 lopinavir and ritonavir): a record
    # coded so names every ingredient.
    atc: list[NonEmpty] = []
    default_route: Route | None = None
    # The ingredients in the order the product's strengths are written on its label
    # ("Vytorin 10/40": ezetimibe 10 mg, simvastatin 40 mg), for dose-limit rules to read
    # a strength pair written without names.
    strength_order: list[Id] = []
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


class SameEntry(_Strict, frozen=True, kw_only=True):
    """Conditions that one entry naming both this condition and them makes one problem with
    it ("Type 2 diabetes with diabetic polyneuropathy", E11.42): their findings are absorbed
    by this one's (``absorbed_by``) when every entry they come from names this one too and
    no other cause of theirs (a condition of ``unless_with``, a word of ``unless_words``).
    Separate entries stay separate problems. The lines added here are the absorbed
    findings' advice that this one's does not already give."""

    absorbs: Annotated[list[Id], msgspec.Meta(min_length=1)]
    unless_with: list[Id] = []
    # Whole words of the entry's text or coding displays, lower-case.
    unless_words: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+$")]] = []
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
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
    # Named for what it lacks ("low back pain without sciatica"): not read from a text
    # that also names one of these concepts as current ("chronic low back pain with
    # sciatica" is sciatica only).
    not_with: list[Id] = []
    # Words of its synonyms that name its type but alone name another condition ("DM2" of
    # myotonic dystrophy, alone diabetes): a synonym with one of them is not read when the
    # text also says one of ``type_words_unless`` (words or phrases: a treatment of the
    # other condition, "Myotonic dystrophy; DM2 on metformin"); the word is then read on
    # its own.
    type_words: list[NonEmpty] = []
    type_words_unless: list[NonEmpty] = []
    # Phrases around one of ``type_words_unless`` that take it back: the word inside them
    # does not count ("not on metformin", "metformin for insulin resistance").
    type_words_unless_not_in: list[NonEmpty] = []
    # Synonyms (also listed in ``synonyms``) read only when no mark (comma, dash, colon...)
    # stands between their words: "tetanus status: Td 2018" is an immunization status,
    # "Tetanus, status post tracheostomy" is tetanus.
    unbroken_synonyms: list[NonEmpty] = []
    # An episode that ends (dehydration, hypoglycemia): "history of X" is not current.
    # A chronic condition stays current under "history of".
    acute: bool = False
    # An acute condition that can also last (anemia, sciatica): an old record never closed
    # still counts (the FHIR episode window leaves it alone).
    may_persist: bool = False
    # The lab state that shows this condition (``potassium:low`` for hypokalemia): a
    # current result of that analyte outside that state outranks the coded condition.
    measured_by: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:(low|high)$")] | None = None
    # A current result that shows the condition is the same problem, one finding for both:
    # the condition is that abnormal result (hypokalemia is a low potassium), or what the
    # result measures and its finding says (hypothyroidism and a high TSH; anemia and a low
    # hemoglobin). Not for a disease that is one cause among others (renal tubular
    # acidosis with a low potassium), which keeps its own finding.
    same_problem_as_result: bool = False
    # The reverse: the condition's finding speaks for a current result that shows it (one
    # finding listing both), and a result that does not show it never outranks it. For a
    # diagnosis made over months whose advice fits better than the result's (a coded CKD
    # stage 4-5 with an eGFR below 30; an eGFR of 32 does not undo it; a patient on
    # dialysis is described as on dialysis).
    stands_for_result: bool = False
    # Conditions this one stands for when both are current (dialysis over CKD stage 4-5):
    # their inputs join this condition's finding and they give none of their own.
    outranks: list[Id] = []
    # One entry naming this condition and others of ``SameEntry.absorbs``: one problem.
    same_entry: SameEntry | None = None
    # Conditions that record an operation removing the organ this one lives in, which cures
    # it (``adrenalectomy_status`` for primary aldosteronism): named current in the same
    # text, this one is not current ("primary aldosteronism s/p adrenalectomy"), unless a
    # word of ``Qualifiers.not_cured_words`` says it persists or the operation is still to
    # come. Never for a condition the operation causes (hypothyroidism after thyroidectomy,
    # a low calcium after parathyroidectomy).
    cured_by: list[Id] = []
    # With ``cured_by``: the latest result in this state (``analyte:state``) says the
    # operation did not cure it, so it stays current (a low potassium after adrenalectomy
    # is absent biochemical success by the PASO consensus).
    not_cured_when: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:(low|high)$")] | None = None
    # Drug classes whose labeled use this condition is: with it current, a drug of them is
    # read as taken for it ("other_use"), as when its text says so (quinine with malaria is
    # not the cramp treatment the FDA warns against).
    labeled_use_of: list[Id] = []
    # Monitoring or management lines of other findings (their exact text) that do not fit a
    # patient with this condition, left out of them: "Encourage adequate fluid intake" for a
    # diuretic when heart failure or dialysis may restrict fluid; reducing a potassium-
    # sparing diuretic in Gitelman syndrome, where it treats the low potassium.
    unfitting_advice: list[NonEmpty] = []
    # One or two sentences for its finding (else its mechanism).
    detail: ShortText | None = None
    evidence_level: EvidenceLevel | None = None
    grade: Grade | None = None
    mechanism: str | None = None
    monitoring: list[NonEmpty] = []
    management: list[NonEmpty] = []
    # Analytes worth measuring when this condition is recorded (for CDS suggestions).
    checks: list[Id] = []
    sources: SourceIds


class LabBand(_Strict, frozen=True, kw_only=True):
    """A value range of an analyte that is a finding (low potassium, severely low ...).

    ``severity`` is the result's on its own: ``low``, or ``high`` for a clinically
    significant abnormality (the severity policy allows nothing in between). A rule that
    joins the result may escalate (``CombinationRule.escalate``)."""

    # Unique per analyte and sex: ``low``, ``severe_low``, ``high``, ...
    name: Id
    state: Literal["low", "high"]
    # The finding applies when value < below (state low) or value > above (state high),
    # both in the analyte's canonical unit.
    below: float | None = None
    above: float | None = None
    # The limit itself is in the band (value <= below, value >= above): a threshold said
    # "10 or more" (the ATA/AACE TSH of 10 mIU/L), where labs often report the limit itself.
    inclusive: bool = False
    # The lab's own reference range, when the request sends one, replaces this limit.
    reference: bool = False
    # With ``reference``: the limit is this multiple of the lab's own limit (a CK over 4 or
    # 10 times the lab's own upper limit), as ``above`` is of the usual one.
    reference_times: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    # With ``reference``: the lab's own range does not replace this limit while a listed
    # drug fills a slot of this rule (a treatment threshold, not a population limit: ADA
    # level 1 hypoglycemia below 70 mg/dL on insulin or a sulfonylurea, whatever the lab's
    # fasting range).
    reference_unless_rule: Id | None = None
    # With ``reference``: the lab's own limit replaces this one only where it lies further
    # from normal (a glucose limit above ADA's 70 mg/dL would call a normal result
    # hypoglycemia).
    reference_widens_only: bool = False
    # Sex- or pregnancy-specific limits replace the general band of the same name.
    sex: Literal["female", "male"] | None = None
    pregnant: bool = False
    # An age-specific limit (a newborn's CK): applies only when the patient's age is sent
    # and is at most this many years, and then replaces the general, sex- and
    # pregnancy-specific bands of the same name. A limit below 1 (the first days or weeks
    # of life) fits only an age sent as a fraction: a whole-year 0 is any infant.
    max_age_years: Annotated[float, msgspec.Meta(gt=0)] | None = None
    severity: Severity
    title: NonEmpty
    # Monitoring lines that apply only when this band is the result's worst (an ECG for a
    # severely low potassium), after the analyte's own.
    monitoring: list[NonEmpty] = []
    # Management lines that apply only when this band is the result's worst, before the
    # analyte's own (prompt care for a CK in the rhabdomyolysis range).
    management: list[NonEmpty] = []
    # The band's monitoring and management replace the analyte's, which would not fit (no
    # "avoid strenuous exercise before the repeat test" for a CK in the rhabdomyolysis range).
    replaces_advice: bool = False
    # The reference range a finding in this band shows, when it is not the analyte's (a
    # pregnancy limit), and the sources of this band's limit, cited after the analyte's.
    reference_range: NonEmpty | None = None
    sources: list[Id] = []
    # Not a finding of its own: a result in this band only fills the rules that name it
    # (``analyte:name`` in a slot) and adds no state to the result, so rules naming the
    # analyte's state are not filled by it (an eGFR below 60 is not "egfr:low"). A low
    # vitamin D joins a low calcium; vitamin D deficiency alone is not a cramp contributor.
    # Its severity is ``low`` and it has no advice of its own.
    joins_only: bool = False


LoincCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,7}-[0-9]$")]


class Correction(_Strict, frozen=True, kw_only=True):
    """A value corrected for another analyte: value + factor x (reference - other).

    A result the laboratory has already corrected (its LOINC code in ``corrected_loinc``,
    or a word of ``corrected_words`` in its name: "adjusted calcium", "albumin-corrected
    calcium") is this analyte too, and is never corrected again."""

    by: Id
    reference: float
    factor: float
    corrected_loinc: list[LoincCode] = []
    corrected_words: list[NonEmpty] = []
    sources: SourceIds


class UnitMixup(_Strict, frozen=True, kw_only=True):
    """A result sent in ``sent`` (a key of ``Analyte.units``) below ``below`` (canonical
    unit) with a decimal fraction, that reads as a usual result in ``likely``: a probable
    unit error (glucose 5.4 "mg/dL" is 5.4 mmol/L). Not read; its status asks to confirm
    the value and unit and suggests the ``likely`` reading, never a finding."""

    sent: NonEmpty
    likely: NonEmpty
    below: Annotated[float, msgspec.Meta(gt=0)]
    # Read in ``likely`` (converted, its status saying so) when the value in ``likely``
    # is below this (canonical unit): low in either unit, so never left unread.
    read_below: Annotated[float, msgspec.Meta(gt=0)] | None = None
    sources: SourceIds


class Analyte(_Strict, frozen=True, kw_only=True):
    id: Id
    name: NonEmpty
    loinc: list[Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,7}-[0-9]$")]] = []
    synonyms: list[NonEmpty] = []
    # Short names read only as a lab's whole name, with nothing around them but
    # normalization.lab_context_words ("K", "serum Mg"), never inside other words: the "K"
    # of "vitamin K" and the "Ca" of "CA 19-9" are not potassium or calcium.
    abbreviations: list[NonEmpty] = []
    canonical_unit: NonEmpty
    # Unit (as written, case-insensitive) -> factor that converts it to the canonical unit.
    units: dict[str, float]
    reference_range: NonEmpty
    bands: list[LabBand] = []
    # Other analytes worth measuring with this one (a low potassium: magnesium too).
    also_check: list[Id] = []
    corrected: Correction | None = None
    # An analyte that, when a result of it is given, decides instead of this one (an
    # ionized calcium is the fraction a corrected total calcium only estimates): this one
    # is then not read against its bands.
    outranked_by: Id | None = None
    # Values outside [min, max] (canonical unit) are not physiologically possible: an
    # entry error, answered with a 400 problem, never a finding.
    plausible: Annotated[list[float], msgspec.Meta(min_length=2, max_length=2)]
    # Where a bound comes from (the most extreme value reported in a survivor), when it is
    # not the analyte's own sources: cited in the catalogue, never as a finding's evidence.
    plausible_sources: list[Id] = []
    # A value that is possible but most likely sent with the wrong unit (UnitMixup).
    unit_mixup: UnitMixup | None = None
    # The usual reference interval [low, high] in the canonical unit, when one holds for
    # everyone (findings show it in the unit of the result).
    reference_interval: Annotated[list[float], msgspec.Meta(min_length=2, max_length=2)] = []
    evidence_level: EvidenceLevel
    grade: Grade
    mechanism: NonEmpty
    monitoring: list[NonEmpty] = []
    # Monitoring lines in place of ``monitoring`` when the request has a result of each
    # analyte of the key (as ``CombinationRule.monitoring_when_measured``): a low calcium
    # sent with a magnesium does not ask for a magnesium.
    monitoring_when_measured: dict[
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+(\+[a-z_]+)*$")], list[NonEmpty]
    ] = {}
    management: list[NonEmpty] = []
    # A management line (after the finding's first) of a finding on a low result of this
    # analyte while a drug that replaces it (``Drug.replaces``) is taken by mouth, {drugs}
    # naming them: the patient is already on it, so what to check (that it is taken, that
    # the dose is enough), not only "replace it". With its own sources.
    low_on_replacement: NonEmpty | None = None
    low_on_replacement_sources: list[Id] = []
    sources: SourceIds


class DrugGroup(_Strict, frozen=True, kw_only=True):
    """Drugs named together by interaction rules (e.g. strong CYP3A4 inhibitors).

    Membership never flags a drug by itself: only a rule that joins the group with
    something else does."""

    id: Id
    name: NonEmpty
    drugs: Annotated[list[Id], msgspec.Meta(min_length=1)]
    sources: SourceIds


class Slot(_Strict, frozen=True, kw_only=True):
    """One ingredient of a combination rule: an input fills it when any selector matches."""

    drug_class: list[Id] = []
    effect: EffectKind | None = None
    # A drug with any of these effects fills the slot (a drug that may have lowered either
    # of two results the rule joins).
    any_effect: list[EffectKind] = []
    drug: list[Id] = []
    drug_group: list[Id] = []
    condition: list[Id] = []
    # ``analyte:state`` (low or high), or ``analyte:band`` for a band that only joins rules
    # (``LabBand.joins_only``: an eGFR below 60 with colchicine and a strong inhibitor).
    lab: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:[a-z_0-9]+$")]] = []
    # Any drug that contributes by its route (for duplicate-ingredient rules).
    any_contributor: bool = False
    # A drug of one of these classes does not fill this slot, whatever selector it
    # matches: a potassium binder, prescribed for a high potassium and dosed against it, is
    # no second potassium-lowering risk beside a diuretic (several_potassium_lowering_drugs).
    except_drug_class: list[Id] = []
    # A drug fills this slot only at a daily dose above this (mg, read from the text); a
    # drug whose dose the text does not give fills it too, and the finding says to check.
    above_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # A drug fills this slot only at a daily dose of at least this (mg): niacin adds to a
    # statin's muscle risk at lipid-modifying doses. An unread dose fills it, as above.
    at_least_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # A weekly limit in place of ``above_mg``, for a drug given on some days of the week
    # (colchicine on dialysis: 0.3 mg twice a week); the finding says the dose per week.
    above_mg_a_week: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # A flare course (the text says flare, single dose, x1, not to repeat ...) has its own
    # label dosing: with ``flare_course_above_mg`` it fills this slot only when the course's
    # total is above it (colchicine on dialysis: a single 0.6 mg dose); with
    # ``flare_course_exempt`` never (the label needs no adjustment for a flare; a single
    # dose is not the daily regimen a limit is about: mifepristone 600 mg once).
    flare_course_above_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    flare_course_exempt: bool = False
    # A drug fills this dose-limited slot only at a dose the text gives: a wider limit
    # beside a rule at a lower one that already asks to check an unread dose.
    needs_dose: bool = False


class Escalation(_Strict, frozen=True, kw_only=True):
    """A measured result that raises a rule's severity: ``lab`` is ``analyte:state`` or
    ``analyte:band`` (e.g. ``ck:markedly_high``)."""

    lab: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:[a-z_]+$")]
    severity: Severity
    # Only when a diagnosis fills the rule too (a treated condition shown not controlled).
    with_condition: bool = False


class DuplicateAdvice(_Strict, frozen=True, kw_only=True):
    """What a same-ingredient rule adds when the drug listed twice is one of ``drug`` or of
    one of ``drug_class``: the checks and management of that class (a duplicated statin is
    no diuretic), and, for a drug with a labeled dose limit, from what total daily dose over
    the entries ``total_detail`` is said (``{drug}``, ``{total}``)."""

    drug_class: list[Id] = []
    drug: list[Id] = []
    monitoring: list[NonEmpty] = []
    # In place of ``monitoring`` when every analyte of a key ("potassium", "a+b") is
    # sent: a check the other findings already ask for, or a result sent, is not asked
    # again (review57c R3).
    monitoring_when_measured: dict[
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+(\+[a-z_]+)*$")], list[NonEmpty]
    ] = {}
    management: list[NonEmpty] = []
    total_at_least_mg: Annotated[float, msgspec.Meta(gt=0)] | None = None
    total_detail: NonEmpty | None = None
    sources: SourceIds


Basis = Literal[
    "second_factor", "contraindicated", "duplicate_therapy", "interaction", "single_contributor"
]


class CombinationRule(_Strict, frozen=True, kw_only=True):
    """Inputs that together are one problem; every slot is filled by a different input.

    The severity policy (``service/knowledge/severity.py``) bounds ``severity`` by
    ``basis``: ``contraindicated`` (a pair the label contraindicates) may be ``high``;
    every other rule is at most ``moderate`` and reaches ``high`` only through a measured
    result (``escalate``, or a joined lab result that is ``high`` on its own)."""

    id: Id
    title: NonEmpty
    # The title when the text gives no dose for any dose-limited slot: a dose to check, not
    # one known to be above the limit ("Colchicine dose to check ...", not "... above ...").
    title_dose_unknown: NonEmpty | None = None
    severity: Severity
    basis: Basis = "second_factor"
    slots: Annotated[list[Slot], msgspec.Meta(min_length=1)]
    # For a single-slot rule: how many different drugs, or drug classes, must fill it.
    min_distinct_drugs: Annotated[int, msgspec.Meta(ge=1)] = 1
    min_distinct_classes: Annotated[int, msgspec.Meta(ge=1)] = 1
    # The effect the rule is about adding up: drugs that have it only weakly where they
    # are taken (see Effect) do not fill its drug slots.
    adds_up: EffectKind | None = None
    # One ingredient named by two or more inputs (two products with the same drug).
    same_ingredient: bool = False
    # For a same-ingredient rule: its advice by what the duplicated drug is (the rule's own
    # monitoring and management stay class-neutral).
    duplicate_advice: list[DuplicateAdvice] = []
    # A predicted risk of its own (loop plus thiazide: volume and sodium as well as
    # potassium): a wider combination speaks for it only when that one joins a measured
    # result (a low potassium on both diuretics), not another predicted risk (a PPI with
    # the diuretics: magnesium; digoxin with them: digoxin toxicity).
    absorbed_only_by_measured: bool = False
    # A dose problem of one drug on its own (simvastatin 80 mg a day): one input fills its
    # single, dose-limited slot. Like any single drug it is ``low`` (the severity policy).
    one_input: bool = False
    # One fixed-dose product of the rule's ingredients fills every slot on its own (SIMCOR,
    # niacin ER with simvastatin, is the statin-with-niacin pair the two products are).
    # Only for a pair the product does not exist to offset (not a potassium-sparing
    # diuretic with a thiazide).
    one_product_fills: bool = False
    escalate: list[Escalation] = []
    # The deficit the rule predicts (``analyte:state``): when the latest result of that
    # analyte is not in that state (a normal potassium), the finding is ``low`` and says so.
    # Several (``potassium:low+magnesium:low+sodium:low``, loop plus thiazide): ``low`` only
    # when every one was measured and the latest of each is within its reference interval;
    # a result beyond the other end does not stop such a rule (its risk is not one deficit).
    measured_by: (
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:(low|high)(\+[a-z_]+:(low|high))*$")] | None
    ) = None
    # Rules whose firing makes this one redundant.
    suppressed_by: list[Id] = []
    evidence_level: EvidenceLevel
    grade: Grade
    detail: NonEmpty
    monitoring: list[NonEmpty] = []
    # The monitoring lines of a finding a measured result raised above ``severity``, in
    # place of ``monitoring`` ("potassium now" and an ECG once potassium is severely low,
    # not "within days"; free T4, not "TSH", once a raised TSH is on record).
    monitoring_when_raised: list[NonEmpty] = []
    # The management lines of such a raised finding, in place of ``management`` (stop the
    # statin now with a CK above 10 times the upper limit, not "it can usually continue").
    management_when_raised: list[NonEmpty] = []
    # Monitoring lines in place of ``monitoring`` when the request has a result of each
    # analyte of the key ("tsh", or "potassium+magnesium" for both) or a lab test known
    # but not checked ("digoxin_level"): no "repeat TSH" when a TSH was sent with the
    # request. The first key whose analytes and tests were all sent applies.
    monitoring_when_measured: dict[
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+(\+[a-z_]+)*$")], list[NonEmpty]
    ] = {}
    # When the request has a result of this analyte, the rule fires only if the latest one
    # is in this state or band (``analyte:state`` or ``analyte:band``): a hypothyroidism
    # diagnosis joins a raised CK on a statin unless a TSH that is not raised shows the
    # thyroid controlled; a coded kidney disease is kidney impairment for colchicine with a
    # strong inhibitor unless an eGFR of 60 or more was sent (``egfr:below_60``).
    unless_measured_otherwise: (
        Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:[a-z_0-9]+$")] | None
    ) = None
    # The rule does not fire when the latest result of the analyte is in this state, or one
    # of these conditions is current: two potassium-sparing diuretics correct the low
    # potassium of Gitelman syndrome or primary aldosteronism (``potassium:low``).
    unless_measured: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:[a-z_0-9]+$")] | None = None
    unless_condition: list[Id] = []
    management: list[NonEmpty] = []
    sources: SourceIds


class Normalization(_Strict, frozen=True, kw_only=True):
    """Words the text matcher needs to know, kept as reviewable data."""

    ignored_tokens: list[NonEmpty]
    salt_tokens: list[NonEmpty]
    # After a drug is named, a drug named soon after one of these words is when or with
    # what it is taken ("metolazone 30 min before lasix"), not an ingredient, unless the
    # drugs together are a known product ("lisinopril with hydrochlorothiazide").
    reference_words: list[NonEmpty] = []
    # After a drug is named, a drug named right after one of ``cause_words`` (only
    # ``cause_link_words`` between) or right before one of ``cause_after_words`` is the
    # cause in an indication ("Mag-Ox for low Mg from omeprazole", "KCl for HCTZ-induced
    # hypokalemia"), not an ingredient, unless the drugs together are a known product.
    cause_words: list[NonEmpty] = []
    cause_link_words: list[NonEmpty] = []
    cause_after_words: list[NonEmpty] = []
    # Right after these, a cause word is not one ("switched from atorvastatin": the drug
    # stopped, which the qualifiers read).
    cause_words_not_after: list[NonEmpty] = []
    route_tokens: dict[str, Route]
    # SNOMED CT route of administration codes and the route each is: read in a `route`
    # field ("54485002") and in a FHIR dosage route coded without a display or text.
    route_codes: dict[Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6,18}$")], Route] = {}
    route_parents: dict[Route, Route] = {}
    # Routes that name where an injection goes: named anywhere in a text, they win over a
    # generic injection word ("injection ... intra-articular" is intra-articular).
    site_routes: list[Route] = []
    # Dose-form words that imply a route ("caps" is oral): a route word named in the same
    # text wins over them ("TOBI Podhaler 4 caps inhaled" is inhaled).
    dose_form_route_words: list[NonEmpty] = []
    # A two-word route's words may stand apart: joined by a link word ("to", "into"), then
    # maybe filler words (a side, "the"): "injection to R knee" is "injection knee".
    route_links: list[NonEmpty] = []
    route_fillers: list[NonEmpty] = []
    # Routes that do not reach the circulation enough to matter for an interaction: a drug
    # a rule names itself (not through a class) fills its slot by any other route only.
    local_routes: list[Route] = []
    # Words that say an order is taken as needed.
    prn_tokens: list[NonEmpty]
    # Words that are never read as a misspelled drug (a procedure one letter from a drug:
    # "lasik" is not "lasix").
    never_fuzzy: list[NonEmpty] = []
    # Words that make a lab name another test than the blood analyte it names: another
    # sample (urine, CSF, stool) or another test of it (CK-MB, hemoglobin A1c).
    other_lab_test_words: list[NonEmpty] = []
    # Words that may stand around an analyte's abbreviation in a lab's name without
    # making it another test ("serum K", "Mg level", "K, whole blood").
    lab_context_words: list[NonEmpty] = []
    # Times of day ("qam" is the morning): one drug ordered in two entries at different
    # times of day is one split dose, not duplicate therapy.
    dose_times: dict[NonEmpty, NonEmpty] = {}
    # Words that say an entry is one part of one regimen with another entry of its drug (a
    # correction scale beside the scheduled insulin, a stated total): not duplicate therapy.
    regimen_part_words: list[NonEmpty] = []
    # Words that name an extended-release form: such an entry at one time of day beside an
    # immediate-release entry of its drug is one regimen, not duplicate therapy.
    extended_release_words: list[NonEmpty] = []
    # Words that say how often a dose is taken ("daily", "bid", "qam"): with them, a
    # strength is a dose, not only the strength of a tablet (``Drug.dose_needs_schedule``).
    schedule_words: list[NonEmpty] = []


QualifierKind = Literal[
    "negated",
    "allergy",
    "other_use",
    "lab_test",
    "family_history",
    "resolved",
    "historical",
    "treatment_ended",
    "hypothetical",
    "planned",
    "stopped",
    "current",
    "pseudo",
]
Direction = Literal["forward", "backward", "both"]


class QualifierRule(_Strict, frozen=True, kw_only=True):
    """ConText-style: phrases that, near a concept, say it is not the patient's current
    problem (absent, a relative's, ...). ``direction``: the concept follows the phrase
    (forward), precedes it (backward) or either; ``scope``: at most this many words
    between them; a terminator between them ends the scope."""

    kind: QualifierKind
    direction: Direction = "forward"
    scope: Annotated[int, msgspec.Meta(ge=0, le=20)] = 4
    applies_to: Annotated[
        list[Literal["conditions", "medications"]], msgspec.Meta(min_length=1)
    ] = msgspec.field(default_factory=lambda: ["conditions"])
    phrases: Annotated[list[NonEmpty], msgspec.Meta(min_length=1)]
    # Words or marks that end this rule's scope only (besides the global terminators):
    # "has" ends a negation ("denies chest pain, has diabetes") but not a relative's
    # ("mother has hypothyroidism").
    terminated_by: list[NonEmpty] = []
    # Words that end this rule's scope only when something stands before the phrase in its
    # clause (besides ``after_heading_words``): "lives with sister, has diabetes" and
    # "Diabetes, lives with sister" are the patient's, while "Mother, has diabetes" and
    # "Father living with diabetes" are the relative's (review32 R4).
    terminated_mid_clause_by: list[NonEmpty] = []
    # Only when the text names another concept after this one: the drug switched to
    # ("simvastatin switched to pravastatin"; "lasix switched to 40 mg" is a dose change).
    needs_a_later_concept: bool = False
    # Only when the phrase ends its clause (nothing but a comma or a terminator after it):
    # the answer of a field ("diabetes: no", "DM - no, HTN - yes"), not a negation of
    # something else named after it ("T2DM - no retinopathy", "hyponatremia - denies
    # symptoms").
    ends_clause: bool = False
    # Only when the phrase ends the entry (nothing but marks after it on its line): "HCTZ
    # 25 mg - DC home med" is the order to stop, "DC home meds - continue" the discharge
    # list (review36 R1).
    ends_entry: bool = False
    # The phrase names the concept it qualifies ("with last pregnancy"): a concept named
    # inside it is qualified by it too (only that mention: "Pregnancy, last pregnancy
    # 2022" keeps the first one).
    names_the_concept: bool = False
    # Only when nothing but marks comes before the phrase since the text starts, a comma
    # or a terminator: a heading that opens its clause ("Negative: hypokalemia"), not a
    # test's result that ends in the same words ("HCV Ab negative: cirrhosis").
    starts_clause: bool = False
    # With ``starts_clause``: the words of a section label that may come before the
    # heading, with marks ("Pertinent negatives:", "ROS - negative:", "Neuro: negative:",
    # "Review of systems - negative:"); a test's name ("HCV Ab negative:") is none of them.
    # With ``terminated_mid_clause_by``: words that may stand before the phrase while it
    # still opens its clause ("Patient's mother, has diabetes").
    after_heading_words: list[NonEmpty] = []
    # Words that undo the rule when the entry goes on to say them after the concept and the
    # phrase, before the clause ends at a comma or a terminator; one may start with that
    # comma (the next answer of a field): "prior Lasix dose reduced to 20 mg" is taken
    # ("prior HCTZ, dose unknown" is not), "sciatica (past), now flaring" is current.
    unless_followed_by: list[NonEmpty] = []
    # ``unless_followed_by`` undoes only a phrase said after the concept: "Hypokalemia\nmother
    # has it too" is the patient's own, "Sister has hypothyroidism and brother has it too" is
    # still the sister's (review42 G6).
    unless_followed_by_only_after: bool = False
    # Words that undo the rule only right after the concept (a strength between allowed):
    # "Prior Lasix dose reduced to 20 mg", "prior HCTZ 25 mg dose" are taken, while
    # "Prior atorvastatin with increased CK" is a past drug.
    unless_right_after: list[NonEmpty] = []
    # Said after the drug and its strength, with a strength right after it, the phrase
    # names a past dose, not a past drug ("atorvastatin 40 mg, previously on 20 mg").
    not_between_doses: bool = False
    # Like ``unless_right_after``, but only with a dose right after the words: "atorvastatin
    # previously on 20 mg, now 40 mg" is taken; "HCTZ - was on, currently none" and "HCTZ -
    # previously on, now chlorthalidone" are not.
    unless_right_after_with_a_dose: list[NonEmpty] = []
    # Only for these conditions (ids): "precautions" is an order for a patient at risk of
    # an episode ("hypoglycemia precautions"), while "dialysis precautions" are ordered
    # because the patient has the condition.
    only_for: list[NonEmpty] = []
    # Not for these conditions (ids): "FH" after a lipid diagnosis names familial
    # hypercholesterolemia, not a relative's (review32 R5).
    not_for: list[NonEmpty] = []
    # Words that undo the rule right before the phrase: "Type 2 diabetes, strong family
    # history" is the patient's diabetes and a family history besides (review32 R5).
    unless_right_before: list[NonEmpty] = []
    # (medications, kind ``current``) The phrase applies only after a "stopped" phrase
    # that reaches the drug, and then whatever its distance to the drug: the later event
    # wins ("Lasix 40 mg\nstopped by patient, restarted 1/2025", "stopped; restarted").
    # ``scope`` counts the words from the stop to it, on the stop's line or the next, with
    # no other concept in between nor right after it (review35 R8).
    after_a_stop: bool = False
    # Not the phrase when a concept or one of these words follows it directly: the "no"
    # of "CKD? no dialysis" negates the dialysis, and "Hypokalemia? no idea" is no answer
    # (review35 R11, O3); the shorter phrases inside it are read instead.
    not_before_a_concept: bool = False
    not_before: list[NonEmpty] = []
    # Not the phrase when a number follows it directly: "past 2 weeks" is a recent time,
    # not a past condition ("Muscle cramps past 2 weeks, hypokalemia").
    not_before_a_number: bool = False
    # Not the phrase when a concept ends right before it: "neuropathy absent, hypokalemia"
    # is the answer about the neuropathy, not a denial of the hypokalemia after it.
    not_after_a_concept: bool = False
    # Only for a concept named by one of these terms (synonyms, as written in
    # ``datasets/conditions``): "previously on hemodialysis" ends the dialysis, while
    # "history of ESRD" stays current; a kidney transplant treats the "ESRD" named with
    # it, not the "on HD" said of the same patient (a failed graft).
    only_for_terms: list[NonEmpty] = []
    # (``direction`` backward) Only for the concept right before the phrase, not across
    # another concept named between them: "HCTZ stopped - Lasix 40 mg started" starts the
    # Lasix only, "Stopped Lasix, torsemide started" leaves the Lasix stopped.
    not_across_a_concept: bool = False
    # (medications, ``direction`` backward or both) Said after the drug with nothing but a
    # date after it, the phrase reaches back past the drug's own start (a medication
    # terminator with only dates and marks between it and the phrase, no other drug
    # between): "Lasix started 2019, stopped 2021" is stopped (read53).
    over_its_own_start: bool = False
    # (with ``ends_clause``) A date or year may stand after the phrase before its clause
    # ends (an optional "in"/"since"/"on" first): "Lasix stopped 2019, started 2021" is
    # taken again, the later event (read54).
    dated: bool = False
    # (``direction`` forward) Only when nothing but marks follows the concept on its line:
    # "history of dialysis" alone is a past treatment, as "dialysis history" is, while
    # "history of dialysis - current", "history of hemodialysis since 2018" stay current
    # (read54).
    concept_ends_entry: bool = False
    sources: SourceIds


class ObstetricNotation(_Strict, frozen=True, kw_only=True):
    """Gravida/para notation ("G2P1", "G2 P1", "G4P3003", "G2P1A0") followed by a current
    gestational age ("G2P1 at 30 weeks", "G3P2 currently 28 wks"): the patient is pregnant
    now (``condition``). The notation alone ("G2P2") is an obstetric history, and an age
    followed by one of ``after_delivery_words`` ("G2P1, 30 weeks postpartum") is not a
    pregnancy (read56). Only when gravida exceeds the pregnancies already ended (para,
    plus abortions; term + preterm + abortions for "G4P3003") and no year is written in
    the entry (fix57g)."""

    condition: Id
    # Words that may stand between the notation and the age (at most two: "at", "currently").
    links: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+$")]]
    # The unit after the number ("30 weeks", "28 wks"; "30wk" written as one word too).
    week_words: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z]+$")]]
    # A gestational age is read in this range of weeks only.
    min_weeks: Annotated[int, msgspec.Meta(ge=1)]
    max_weeks: Annotated[int, msgspec.Meta(le=45)]
    # Any of these in the entry (before the notation, or after it outside a part that
    # starts with one of ``history_words``): the weeks count from a delivery or a loss, or
    # the patient is not pregnant now ("G2P1 at 30 weeks, currently postpartum"; fix57g).
    after_delivery_words: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+$")]]
    # Before the notation: a past pregnancy ("History: G2P1 at 30 weeks"); starting a part
    # after the age: the history told there ("..., hx of preterm delivery") (fix57g).
    history_words: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+$")]] = []
    # After "weeks of": what makes the weeks a gestational age ("30 weeks of gestation");
    # anything else is how long something lasted ("6 weeks of leg cramps"; fix57g).
    gestation_words: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+$")]] = []
    sources: SourceIds


class Qualifiers(_Strict, frozen=True, kw_only=True):
    """Qualifier rules (first match in file order wins a tie in distance) and the words
    and marks that end a qualifier's scope (for conditions, for medications)."""

    terminators: list[NonEmpty]
    medication_terminators: list[NonEmpty] = []
    # Words that keep a condition current beside the operation that would cure it
    # (``Condition.cured_by``): it persists or recurred ("persistent", "recurrent"), the
    # operation was not the curative one ("bilateral" disease, "partial"), or is still to
    # come ("awaiting", "planned").
    not_cured_words: list[NonEmpty] = []
    # A medication entry that ends with one of these is not current ("; Status: Stopped",
    # "(old med)", "dc 2/2023"): nothing after it can revive the drug. "{date}" stands for
    # a month/year or a full date.
    medication_stopped_at_end: list[NonEmpty] = []
    # A condition entry that is a condition's name and then one of these, nothing between
    # ("hypokalemia (-)", "hypokalemia: denied"), is absent.
    condition_negated_after: list[NonEmpty] = []
    # Who said or did it, in a coded drug's text that is only a mark ("Patient not
    # taking", "Discontinued by patient", "not taking per pt"): still only the mark.
    mark_subject_words: list[NonEmpty] = []
    # A condition abbreviation with several meanings ("ms": multiple sclerosis, mitral
    # stenosis, morphine sulfate) -> what it may mean. An entry naming only it is not read
    # as any of them; stated absent ("MS ruled out by MRI") it is recognized as absent.
    ambiguous_condition_abbreviations: dict[str, NonEmpty] = {}
    obstetric_notation: ObstetricNotation | None = None
    # Condition id -> its complications (words or phrases): a denial after the condition
    # and a separator that lists only these reaches past a comma ("Diabetes: no
    # retinopathy, neuropathy": both denied; read56), while on a problem list what follows
    # the comma is the next problem ("CKD 4 - no dialysis, hypocalcemia"; review42 G4).
    complications_denied_together: dict[Id, list[NonEmpty]] = {}
    rule: Annotated[list[QualifierRule], msgspec.Meta(min_length=1)]
    sources: SourceIds


class EffectInfo(_Strict, frozen=True, kw_only=True):
    """How an effect kind is named, and which analytes show it (worth measuring)."""

    kind: EffectKind
    label: NonEmpty
    checks: list[Id] = []
    # The result that shows the effect (``analyte:state``), for drug classes
    # ``listed_only_when_shown``.
    shown_by: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+:(low|high)$")] | None = None


class LabTest(_Strict, frozen=True, kw_only=True):
    """A lab test the service knows but does not check (creatinine, BUN, a digoxin level):
    an input naming it is ``recognized`` with ``not_checked_because``, never flagged, and
    its value and unit are not read (never a unit or plausibility error).

    Read by one of its LOINC codes, or only as a lab's whole name, with nothing around it but
    normalization.lab_context_words ("serum creatinine", "digoxin level"); an analyte the
    service checks always wins, and no name may also be an analyte's, unless a word of
    another test (normalization.other_lab_test_words) keeps it from being one ("HbA1c")."""

    id: Id
    name: NonEmpty
    synonyms: list[NonEmpty] = []
    abbreviations: list[NonEmpty] = []
    # LOINC codes of the test: a result coded so is this test, as its name would be (an
    # analyte's code is read first; no code may be an analyte's).
    loinc: list[LoincCode] = []
    not_checked_because: NonEmpty
    sources: SourceIds


class LabOrder(_Strict, frozen=True, kw_only=True):
    """A lab test a CDS card may propose, for findings that make its analytes worth
    measuring."""

    id: Id
    label: NonEmpty
    loinc: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,7}-[0-9]$")]
    display: NonEmpty
    text: NonEmpty
    for_analytes: Annotated[list[Id], msgspec.Meta(min_length=1)]
    sources: SourceIds


class Texts(_Strict, frozen=True, kw_only=True):
    """Clinician-facing fixed text and templates used to render findings and the note."""

    # Every evidence level (the loader checks that none is missing).
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
    lab_test: list[LabTest] = []
    rule: list[CombinationRule] = []
    drug_group: list[DrugGroup] = []
    effect: list[EffectInfo] = []
    lab_order: list[LabOrder] = []
    normalization: Normalization | None = None
    qualifiers: Qualifiers | None = None
    texts: Texts | None = None
