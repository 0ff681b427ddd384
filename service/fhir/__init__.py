"""FHIR R4 -> the engine's CheckRequest: pure conversion, no I/O."""

from service.fhir.bundles import Entry, entries
from service.fhir.convert import Options, convert
from service.fhir.models import Conversion, Ignored, ResourceRef, Sources
from service.fhir.references import PatientFilter

__all__ = [
    "Conversion",
    "Entry",
    "Ignored",
    "Options",
    "PatientFilter",
    "ResourceRef",
    "Sources",
    "convert",
    "entries",
]
