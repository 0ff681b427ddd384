"""Answer one CDS Hooks service call: gather FHIR data, convert, check, build cards."""

from __future__ import annotations

from service.cdshooks.cards import CardInput, build_cards, new_medications
from service.cdshooks.feedback import FeedbackLog
from service.cdshooks.gather import gather
from service.cdshooks.models import (
    CdsResponse,
    HookRequest,
    MedicationPrescribeRequest,
    OrderSelectRequest,
    OrderSignRequest,
)
from service.cdshooks.services import DATA_KEYS, Service, templates
from service.engine import Knowledge
from service.fhir import PatientFilter, entries
from service.fhir.bundles import Entry
from service.fhir.pipeline import check_record
from service.settings import FhirSettings


class DataUnavailableError(Exception):
    """Neither prefetch nor the FHIR server gave any of the patient's data (CDS Hooks: 412)."""

    def __init__(self, reasons: dict[str, str]) -> None:
        listed = "; ".join(f"{key}: {why}" for key, why in reasons.items() if key in DATA_KEYS)
        super().__init__(
            f"The patient's FHIR data could not be obtained from prefetch or fhirServer ({listed})."
        )


def _drafts(body: HookRequest) -> list[Entry]:
    if isinstance(body, OrderSelectRequest | OrderSignRequest):
        return entries(body.context.draft_orders)
    if isinstance(body, MedicationPrescribeRequest):
        medications = body.context.medications
        items = medications if isinstance(medications, list) else [medications]
        return [entry for item in items for entry in entries(item)]
    return []


async def respond(
    service: Service,
    body: HookRequest,
    knowledge: Knowledge,
    settings: FhirSettings,
    feedback: FeedbackLog,
) -> CdsResponse:
    patient_id = body.context.patient_id
    token = body.fhir_authorization.access_token if body.fhir_authorization else None
    gathered = await gather(
        body.prefetch, body.fhir_server, token, patient_id, templates(knowledge.kb), settings
    )
    if not gathered.has_patient_data:
        raise DataUnavailableError(gathered.missing)
    record = gathered.record()
    checked = check_record(
        record,
        knowledge,
        settings,
        patient=PatientFilter.of(patient_id, (e for e in record if e.resource_type == "Patient")),
        drafts=_drafts(body) if service.orders else (),
    )
    conversion, report = checked.conversion, checked.report
    new = None
    if service.orders:
        selections = body.context.selections if isinstance(body, OrderSelectRequest) else []
        new = new_medications(report, conversion.sources, selections)
    issued = build_cards(
        CardInput(
            service=service,
            request=conversion.request,
            report=report,
            sources=conversion.sources,
            kb=knowledge.kb,
            patient_id=patient_id,
            new_medications=new,
        )
    )
    for item in issued:
        feedback.issued(item.card.uuid, item.finding_ids)
    return CdsResponse(cards=[item.card for item in issued])
