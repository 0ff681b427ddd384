"""One FHIR R4 Bundle file -> one batch result, through the FHIR pipeline that
``POST /v1/check/fhir`` and CDS Hooks use (``service.fhir.pipeline``): the same bounded
reader, resources read, patient choice and lab age limit. The report is a ``FhirReport``:
the REST report plus the resource behind each item and the resources left out.
"""

from __future__ import annotations

from service.batch.lines import Line, LineChecker, LineTooLong
from service.batch.models import BatchResult, LineId
from service.batch.problems import invalid
from service.fhir import Budget, FhirReadError, PatientChoiceError, TooLargeError, choose_patient
from service.fhir.pipeline import check_record, read_bundle
from service.limits import MAX_FILE_BUNDLE_ENTRIES, MAX_FILE_BYTES, MAX_FILE_OBJECTS


def bundle_result(checker: LineChecker, data: Line, name: LineId) -> BatchResult:
    """The result for one Bundle file; ``name`` (the file name) is its id."""
    if isinstance(data, LineTooLong):
        return checker.result(data, name)
    budget = Budget(
        max_bytes=MAX_FILE_BYTES, max_objects=MAX_FILE_OBJECTS, max_entries=MAX_FILE_BUNDLE_ENTRIES
    )
    try:
        budget.charge(data)
        bundle = read_bundle(data, budget)
    except TooLargeError as exc:
        return checker.problem(
            name, invalid([("", f"the file has {exc.detail}")], "The file is too large")
        )
    except FhirReadError as exc:
        return checker.problem(
            name, invalid([(exc.pointer, exc.detail)], "The file is not a FHIR R4 Bundle")
        )
    items = bundle.entries
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
