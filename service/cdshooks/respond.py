"""Answer one CDS Hooks service call: gather FHIR data, convert, check, build cards."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping

import msgspec
from msgspec import UNSET

from service.cdshooks.cards import SOURCE_LABEL, CardInput, build_cards, new_medications
from service.cdshooks.feedback import FeedbackLog
from service.cdshooks.gather import gather, read_strictly
from service.cdshooks.models import (
    Card,
    CardSource,
    CdsResponse,
    HookRequest,
    MedicationPrescribeRequest,
    OrderSelectRequest,
    OrderSignRequest,
)
from service.cdshooks.services import DATA_KEYS, KEY_LABELS, Service, templates
from service.engine import Knowledge
from service.errors import CrampError
from service.fhir import PatientFilter
from service.fhir.convert import MEDICATION_TYPES
from service.fhir.pipeline import CheckedRecord, check_record
from service.fhir.read import Budget, Entry
from service.knowledge.severity import Indicator
from service.settings import FhirSettings

log = logging.getLogger(__name__)
# The whole 412 answer: the same words whatever happened, so that a caller cannot use
# this service to probe hosts; the reason goes to the log.
DATA_UNAVAILABLE = "The patient's FHIR data could not be obtained from prefetch or from fhirServer."


class DataUnavailableError(CrampError):
    """Neither prefetch nor the FHIR server gave any of the patient's data (CDS Hooks: 412)."""

    def __init__(self, reasons: dict[str, str]) -> None:
        super().__init__(DATA_UNAVAILABLE)
        self.reasons = {key: why for key, why in reasons.items() if key in DATA_KEYS}


def _drafts(body: HookRequest, budget: Budget) -> list[Entry]:
    """The new orders, read strictly (``FhirReadError`` with the body's pointer: a key
    written twice, say, would silently lose its first value)."""
    if isinstance(body, OrderSelectRequest | OrderSignRequest):
        value, pointer = body.context.draft_orders, "/context/draftOrders"
    elif isinstance(body, MedicationPrescribeRequest):
        value, pointer = body.context.medications, "/context/medications"
    else:
        return []
    return read_strictly(value, budget, pointer).entries


def _has_orders(drafts: list[Entry]) -> bool:
    """Whether the new orders include a medication order or statement to check."""
    return any(entry.resource_type in MEDICATION_TYPES for entry in drafts)


def _record_not_read(texts: Mapping[str, str]) -> str:
    """What the cards say when only the new orders could be read."""
    keys = [KEY_LABELS[key] for key in DATA_KEYS]
    return texts["card_record_not_read"].format(keys=", ".join(keys))


async def respond(
    service: Service,
    body: HookRequest,
    knowledge: Knowledge,
    settings: FhirSettings,
    feedback: FeedbackLog,
    budget: Budget,
    *,
    min_indicator: Indicator = "info",
    run: Callable[[Callable[[], CheckedRecord]], Awaitable[CheckedRecord]] | None = None,
) -> CdsResponse:
    """The cards for one call, none below ``min_indicator``. ``TooLargeError`` when the
    request's FHIR data passes the budget; ``FhirReadError`` (a pointer into the body)
    when a prefetch value or the new orders are not FHIR JSON as ``/v1/check/fhir`` reads
    it; ``DataUnavailableError`` when none of the patient's data could be had. ``run``
    runs the conversion and check (CPU-bound) off the event loop (``service.web.cpu``);
    without it they run here."""
    patient_id = body.context.patient_id
    token = body.fhir_authorization.access_token if body.fhir_authorization else None
    drafts = _drafts(body, budget) if service.orders else []
    gathered = await gather(
        body.prefetch,
        body.fhir_server,
        token,
        patient_id,
        templates(knowledge.kb),
        settings,
        budget,
    )
    incomplete = gathered.incomplete()
    if not gathered.has_patient_data:
        error = DataUnavailableError(gathered.missing)
        reasons = "; ".join(f"{key}: {why}" for key, why in error.reasons.items())
        if not _has_orders(drafts):
            log.info("CDS call answered 412: %s", reasons)
            raise error
        # An order hook whose new orders are in its context: those are the data the check
        # needs (CDS Hooks answers 412 when the service cannot obtain *required* data);
        # the record adds to them. The drafts are checked, and every card says the record
        # was not read, in the same words whatever the target did (as the 412's).
        log.info("CDS call answered from the new orders only: %s", reasons)
        incomplete = [_record_not_read(knowledge.kb.texts.templates)]
    record = gathered.record()
    patient = PatientFilter.of(patient_id, (e for e in record if e.resource_type == "Patient"))

    def work() -> CheckedRecord:
        return check_record(
            record,
            knowledge,
            settings,
            patient=patient,
            drafts=drafts,
            incomplete=incomplete,
            server=body.fhir_server,
        )

    checked = await run(work) if run is not None else work()
    conversion, report = checked.conversion, checked.report
    if conversion.deceased:
        return CdsResponse(cards=[_deceased_card(knowledge.kb.texts.templates)])
    new = None
    if service.orders:
        selections = body.context.selections if isinstance(body, OrderSelectRequest) else []
        new = new_medications(
            report, conversion.sources, selections, checked.dose_changes, checked.renewals
        )
    issued = build_cards(
        CardInput(
            service=service,
            request=conversion.request,
            report=report,
            sources=conversion.sources,
            kb=knowledge.kb,
            patient_id=patient_id,
            new_medications=new,
            dose_changes=checked.dose_changes,
            min_indicator=min_indicator,
            lab_comparators=conversion.lab_comparators,
        )
    )
    for item in issued:
        feedback.issued(item.card.uuid, item.finding_ids)
    cards = [item.card for item in issued]
    texts = knowledge.kb.texts.templates
    return CdsResponse(cards=_noting_gaps(cards, incomplete, texts) if incomplete else cards)


def _deceased_card(texts: Mapping[str, str]) -> Card:
    return Card(
        uuid=str(uuid.uuid4()),
        summary=texts["card_deceased_summary"],
        indicator="info",
        source=CardSource(label=SOURCE_LABEL),
        detail=texts["card_deceased_detail"],
    )


def _noting_gaps(cards: list[Card], incomplete: list[str], texts: Mapping[str, str]) -> list[Card]:
    """Say on every card that part of the record was not read; with no card, one card
    says it, so that an empty answer is not taken for "nothing found"."""
    line = texts["card_incomplete_line"].format(gaps="; ".join(incomplete))
    if not cards:
        return [
            Card(
                uuid=str(uuid.uuid4()),
                summary=texts["card_incomplete_summary"],
                indicator="info",
                source=CardSource(label=SOURCE_LABEL),
                detail=line,
            )
        ]
    return [
        msgspec.structs.replace(
            card, detail=f"{card.detail}\n\n{line}" if card.detail is not UNSET else line
        )
        for card in cards
    ]
