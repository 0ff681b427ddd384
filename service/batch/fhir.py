"""One FHIR R4 Bundle file -> one batch result, through ``service.fhir`` (the converter
``POST /v1/check/fhir`` and CDS Hooks use): same resources read, same patient choice,
same lab age limit (``CRAMP_FHIR_LAB_MAX_AGE_DAYS``). The report is a ``FhirReport``: the
REST report plus the resource behind each item and the resources left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import msgspec

from service.batch.lines import DECODE_ERRORS, LineChecker
from service.batch.models import BatchResult, LineId
from service.batch.problems import decode_problem, invalid
from service.cdshooks.settings import FhirSettings
from service.engine import Report
from service.fhir import (
    Entry,
    FhirBundle,
    FhirReport,
    Options,
    PatientChoiceError,
    choose_patient,
    convert,
)
from service.fhir.bundles import is_resource

_decode_bundle = msgspec.json.Decoder(FhirBundle).decode


@cache
def _lab_max_age_days() -> int | None:
    return FhirSettings.from_env().lab_max_age_days or None


def bundle_result(checker: LineChecker, data: bytes, name: LineId) -> BatchResult:
    """The result for one Bundle file; ``name`` (the file name) is its id."""
    try:
        bundle = _decode_bundle(data)
    except DECODE_ERRORS as exc:
        return checker.problem(name, decode_problem(exc))
    items = [
        Entry(e.resource, e.full_url)
        for e in bundle.entry
        if e.resource is not None and is_resource(e.resource)
    ]
    try:
        chosen = choose_patient(items)
    except PatientChoiceError as exc:
        return checker.problem(
            name, invalid("/entry", str(exc), "The Bundle does not say whose data to check")
        )
    conversion = convert(
        items,
        Options(
            today=datetime.now(UTC).date(),
            patient=chosen,
            analyte_by_loinc=checker.kb.analyte_by_loinc,
            lab_max_age_days=_lab_max_age_days(),
        ),
    )

    def with_sources(report: Report) -> Report:
        return FhirReport(
            **msgspec.structs.asdict(report),
            sources=conversion.sources,
            ignored=conversion.ignored,
        )

    return checker.checked(name, conversion.request, with_sources)
