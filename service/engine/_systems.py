"""Code-system URIs and the short aliases the contract accepts."""

from __future__ import annotations

from typing import Literal

System = Literal["rxnorm", "icd10cm", "snomed", "loinc", "atc", "ndc"]

_ALIASES: dict[str, System] = {
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "rxnorm": "rxnorm",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10cm",
    "icd10cm": "icd10cm",
    "icd-10-cm": "icd10cm",
    "icd10": "icd10cm",
    "http://snomed.info/sct": "snomed",
    "snomed": "snomed",
    "snomedct": "snomed",
    "sct": "snomed",
    "http://loinc.org": "loinc",
    "loinc": "loinc",
    "http://www.whocc.no/atc": "atc",
    "atc": "atc",
    "http://hl7.org/fhir/sid/ndc": "ndc",
    "ndc": "ndc",
}


def system_of(uri: str | None) -> System | None:
    if not uri:
        return None
    return _ALIASES.get(uri) or _ALIASES.get(uri.strip().rstrip("/").lower())
