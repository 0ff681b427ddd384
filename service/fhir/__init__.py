"""FHIR R4 -> the engine's CheckRequest: bounded reading and pure conversion, no I/O."""

from service.fhir.convert import Options, convert
from service.fhir.models import Conversion, FhirReport, Ignored, ResourceRef, Sources
from service.fhir.read import Budget, Document, Entry, FhirReadError, TooLargeError, entries, read
from service.fhir.references import (
    PatientChoiceError,
    PatientFilter,
    PatientNotFoundError,
    choose_patient,
)

__all__ = [
    "Budget",
    "Conversion",
    "Document",
    "Entry",
    "FhirReadError",
    "FhirReport",
    "Ignored",
    "Options",
    "PatientChoiceError",
    "PatientFilter",
    "PatientNotFoundError",
    "ResourceRef",
    "Sources",
    "TooLargeError",
    "choose_patient",
    "convert",
    "entries",
    "read",
]
