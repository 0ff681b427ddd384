"""The immutable, indexed knowledge base the engine matches against."""

from __future__ import annotations

from collections.abc import Mapping
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
    Normalization,
    Qualifiers,
    Route,
    RxNormCode,
    SnomedCode,
    Source,
    Texts,
)


@dataclass(frozen=True, slots=True)
class DrugTerm:
    """What a normalized drug phrase names: one ingredient, or several for a product."""

    drug_ids: tuple[str, ...]
    route: Route | None
    default_route: Route | None
    # What kind of name it is: a generic name or synonym, a brand, a combination
    # product's name, or a listed misspelling.
    how: Literal["name", "brand", "product", "spelling"] = "name"


@dataclass(frozen=True, slots=True, eq=False)
class KnowledgeBase:
    """The validated datasets and their indexes; immutable, built once by the loader."""

    version: str
    sources: Mapping[str, Source]
    classes: Mapping[str, DrugClass]
    drugs: Mapping[str, Drug]
    conditions: Mapping[str, Condition]
    analytes: Mapping[str, Analyte]
    rules: tuple[CombinationRule, ...]
    drug_groups: Mapping[str, DrugGroup]
    effects: Mapping[str, EffectInfo]
    lab_orders: tuple[LabOrder, ...]
    normalization: Normalization
    qualifiers: Qualifiers
    texts: Texts
    # Indexes: every look-up below is a dictionary hit.
    drug_terms: Mapping[str, DrugTerm]
    # First word of a term -> the most words any term starting with it has.
    drug_words_from: Mapping[str, int]
    # RxCUI -> ingredients (and a product's route): the drugs' codes and the code table.
    drug_by_rxcui: Mapping[str, RxNormEntry]
    rxnorm_codes: Mapping[str, RxNormCode]
    drug_by_atc: Mapping[str, str]
    # Fuzzy-match candidates grouped by first letter (misspellings keep the first letter).
    fuzzy_drug_words: Mapping[str, tuple[str, ...]]
    # Every word a drug text can contain that the knowledge base knows (term words and
    # dose, form, route and salt words).
    drug_vocabulary: frozenset[str]
    condition_terms: Mapping[str, tuple[str, ...]]
    condition_words_from: Mapping[str, int]
    conditions_by_icd_prefix: Mapping[str, tuple[str, ...]]
    # Compact ICD prefix -> conditions it must not match (the entries' icd10cm_exclude).
    icd_exclusions: Mapping[str, frozenset[str]]
    # The conditions' own SNOMED CT codes and those of the code table.
    conditions_by_snomed: Mapping[str, tuple[str, ...]]
    snomed_codes: Mapping[str, SnomedCode]
    fuzzy_condition_terms: Mapping[str, tuple[str, ...]]
    condition_vocabulary: frozenset[str]
    analyte_by_loinc: Mapping[str, str]
    analyte_terms: Mapping[str, str]
    # Abbreviations read only as a lab's whole name (without lab_context_words).
    analyte_abbreviations: Mapping[str, str]
    lab_context_words: frozenset[str]
    unit_factors: Mapping[str, Mapping[str, float]]
    ignored_tokens: frozenset[str]
    salt_tokens: frozenset[str]
    route_tokens: Mapping[str, Route]
    route_parents: Mapping[Route, Route]
    site_routes: frozenset[Route]
    local_routes: frozenset[Route]
    prn_tokens: frozenset[str]
    never_fuzzy: frozenset[str]
    other_lab_test_words: frozenset[str]

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
