"""One FHIR R4 Bundle file -> one batch result, through the FHIR pipeline that
``POST /v1/check/fhir`` and CDS Hooks use (``service.fhir.pipeline``): same resources
read, same patient choice, same lab age limit. The report is a ``FhirReport``: the REST
report plus the resource behind each item and the resources left out.
"""

from __future__ import annotations

from service.batch.lines import LineChecker
from service.batch.models import BatchResult, LineId
from service.batch.problems import decode_problem, invalid
from service.decoding import BodyError, StrictDecoder
from service.fhir import FhirBundle, PatientChoiceError, choose_patient
from service.fhir.pipeline import bundle_entries, check_record

_decode_bundle = StrictDecoder(FhirBundle).decode


def bundle_result(checker: LineChecker, data: bytes, name: LineId) -> BatchResult:
    """The result for one Bundle file; ``name`` (the file name) is its id."""
    try:
        bundle = _decode_bundle(data)
    except BodyError as exc:
        return checker.problem(name, decode_problem(exc))
    items = bundle_entries(bundle)
    try:
        patient = choose_patient(items)
    except PatientChoiceError as exc:
        return checker.problem(
            name, invalid([("/entry", str(exc))], "The Bundle does not say whose data to check")
        )
    return checker.run(
        name,
        lambda: check_record(items, checker.knowledge, checker.fhir, patient=patient).fhir_report(),
    )
