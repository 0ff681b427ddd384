"""FHIR R4 -> the engine's CheckRequest: pure conversion, no I/O."""

from service.fhir.bundles import Entry, entries
from service.fhir.convert import Options, convert
from service.fhir.models import Conversion, FhirBundle, FhirReport, Ignored, ResourceRef, Sources
from service.fhir.references import PatientChoiceError, PatientFilter, choose_patient

__all__ = [
    "Conversion",
    "Entry",
    "FhirBundle",
    "FhirReport",
    "Ignored",
    "Options",
    "PatientChoiceError",
    "PatientFilter",
    "ResourceRef",
    "Sources",
    "choose_patient",
    "convert",
    "entries",
]
