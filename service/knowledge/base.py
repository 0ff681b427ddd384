"""The immutable, indexed knowledge base the engine matches against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service.knowledge.codes import RxNormEntry
from service.knowledge.schema import (
    Analyte,
    CombinationRule,
    Condition,
    Drug,
    DrugClass,
    DrugGroup,
    EffectInfo,
    LabOrder,
    LabTest,
    Normalization,
    Qualifiers,
    Route,
    RxNormCode,
    SnomedCode,
    Source,
    Texts,
)

# (first letter, length, edits) -> the terms of that first letter whose length is within
# ``edits`` of that length, in their sorted order (``loader.near_terms``).
NearTerms = dict[tuple[str, int, int], tuple[str, ...]]
# Words said in the text that keep a term from being read, and phrases that take them back.
TermsUnless = tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class DrugTerm:
    """What a normalized drug phrase names: one ingredient, or several for a product."""

    drug_ids: tuple[str, ...]
    route: Route | None
    default_route: Route | None
    # What kind of name it is: a generic name or synonym, a brand, a combination
    # product's name, or a listed misspelling.
    how: Literal["name", "brand", "product", "spelling"] = "name"


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The validated datasets and their indexes; immutable, built once by the loader."""

    version: str
    sources: dict[str, Source]
    classes: dict[str, DrugClass]
    drugs: dict[str, Drug]
    conditions: dict[str, Condition]
    analytes: dict[str, Analyte]
    # Labs known but not checked (recognized, never flagged, their values not read).
    lab_tests: dict[str, LabTest]
    rules: tuple[CombinationRule, ...]
    drug_groups: dict[str, DrugGroup]
    effects: dict[str, EffectInfo]
    lab_orders: tuple[LabOrder, ...]
    normalization: Normalization
    qualifiers: Qualifiers
    texts: Texts
    # Indexes: every look-up below is a dictionary hit.
    drug_terms: dict[str, DrugTerm]
    # First word of a term -> the most words any term starting with it has.
    drug_words_from: dict[str, int]
    # RxCUI -> ingredients (and a product's route): the drugs' codes and the code table.
    drug_by_rxcui: dict[str, RxNormEntry]
    rxnorm_codes: dict[str, RxNormCode]
    # ATC code -> its drugs (a combination product's code names each ingredient) and the
    # route the code implies (``Drug.atc_routes``).
    drug_by_atc: dict[str, RxNormEntry]
    # Fuzzy-match candidates grouped by first letter (misspellings keep the first letter),
    # each group sorted.
    fuzzy_drug_words: dict[str, tuple[str, ...]]
    # The same candidates as ``NearTerms``: a fuzzy match scores only those whose length
    # allows it (a term within n edits of a word is within n letters of its length).
    near_drug_words: NearTerms
    # Drug terms of several words, as ``NearTerms``: a name with one word misspelled
    # ("insulin asprt", "potassium citrat") is read as the whole name.
    near_drug_phrases: NearTerms
    # Every word a drug text can contain that the knowledge base knows (term words and
    # dose, form, route and salt words).
    drug_vocabulary: frozenset[str]
    condition_terms: dict[str, tuple[str, ...]]
    condition_words_from: dict[str, int]
    # Condition terms with a type word (``Condition.type_words``) -> the word sequences
    # that, said in the same text, keep them from being read, and the phrases that take
    # those back (``Condition.type_words_unless_not_in``).
    condition_terms_unless: dict[str, TermsUnless]
    # Condition terms read only when no mark stands between their words
    # (``Condition.unbroken_synonyms``).
    condition_terms_unbroken: frozenset[str]
    conditions_by_icd_prefix: dict[str, tuple[str, ...]]
    # Compact ICD prefix -> conditions it must not match (the entries' icd10cm_exclude).
    icd_exclusions: dict[str, frozenset[str]]
    # The conditions' own SNOMED CT codes and those of the code table.
    conditions_by_snomed: dict[str, tuple[str, ...]]
    snomed_codes: dict[str, SnomedCode]
    fuzzy_condition_terms: dict[str, tuple[str, ...]]
    # The same as ``NearTerms``.
    near_condition_terms: NearTerms
    condition_vocabulary: frozenset[str]
    analyte_by_loinc: dict[str, str]
    # A product name (words joined by spaces) -> its ingredients in the order its strengths
    # are written (``Product.strength_order``).
    strength_orders: dict[str, tuple[str, ...]]
    analyte_terms: dict[str, str]
    # Abbreviations read only as a lab's whole name (without lab_context_words).
    analyte_abbreviations: dict[str, str]
    lab_context_words: frozenset[str]
    # A known-but-unchecked lab's name, synonym or abbreviation (whole lab names only,
    # without lab_context_words) -> its id.
    lab_test_terms: dict[str, str]
    # A known-but-unchecked lab's LOINC code -> its id.
    lab_test_by_loinc: dict[str, str]
    unit_factors: dict[str, dict[str, float]]
    ignored_tokens: frozenset[str]
    salt_tokens: frozenset[str]
    reference_words: frozenset[str]
    # Normalization.cause_words, cause_link_words, cause_after_words.
    cause_words: frozenset[str]
    cause_link_words: frozenset[str]
    cause_after_words: frozenset[str]
    cause_words_not_after: frozenset[str]
    # The ingredients of each combination product a term names.
    products: frozenset[frozenset[str]]
    route_tokens: dict[str, Route]
    route_parents: dict[Route, Route]
    site_routes: frozenset[Route]
    # Dose-form words whose route gives way to a route word in the same text.
    dose_form_route_words: frozenset[str]
    route_links: frozenset[str]
    route_fillers: frozenset[str]
    local_routes: frozenset[Route]
    prn_tokens: frozenset[str]
    never_fuzzy: frozenset[str]
    other_lab_test_words: frozenset[str]
    # A drug's one-word name that is also a route or dose word (``Drug.route_word_names``)
    # -> the drug: read as it only when a text starts with it and names no other drug.
    drug_by_route_word: dict[str, str]

    def counts(self) -> dict[str, int]:
        return {
            "drugs": len(self.drugs),
            "drug_classes": len(self.classes),
            "conditions": len(self.conditions),
            "analytes": len(self.analytes),
            "combination_rules": len(self.rules),
            "sources": len(self.sources),
            "rxnorm_codes": len(self.drug_by_rxcui),
            "snomed_codes": len(self.conditions_by_snomed),
            "drug_terms": len(self.drug_terms),
            "condition_terms": len(self.condition_terms),
        }
