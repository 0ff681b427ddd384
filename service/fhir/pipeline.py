"""FHIR R4 record -> report: the one pipeline behind ``POST /v1/check/fhir``, CDS Hooks
and batch Bundle files (read the resources, convert them, check, attach the sources)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import msgspec

from service.engine import Knowledge, Report, check
from service.engine.combinations import daily_mg, dose_text, split_over_the_day
from service.engine.errors import implausible_values
from service.engine.findings import PREGNANCY_CONDITION, lab_results
from service.engine.matching import match_condition, match_lab, match_medication
from service.engine.models import ConditionInput, LabInput, MedicationInput, Patient
from service.fhir.convert import MedKey, Options, convert
from service.fhir.models import Conversion, FhirReport, Ignored
from service.fhir.read import Budget, Document, Entry, FhirReadError, read
from service.fhir.references import PatientFilter, choose_patient
from service.settings import FhirSettings


@dataclass(frozen=True, slots=True)
class CheckedRecord:
    """A record's conversion (request, the resource behind each item, what was left out)
    and the engine's report on it."""

    conversion: Conversion
    report: Report
    # Why the record read may be incomplete (pages or keys cut short).
    incomplete: tuple[str, ...] = ()
    # Draft orders (indexes in the request) that change the dose of a current order,
    # which was left out (``without_orders_a_draft_changes``).
    dose_changes: frozenset[int] = frozenset()
    # Draft orders that renew a current order (same drug, same daily dose or none given):
    # left out of the request, so the drug is counted once (their references).
    renewals: frozenset[str] = frozenset()

    def fhir_report(self) -> FhirReport:
        return with_sources(self.report, self.conversion, self.incomplete)


def read_bundle(data: bytes | bytearray, budget: Budget) -> Document:
    """A Bundle body or file, already charged to ``budget``: ``FhirReadError`` (with its
    pointer) when it is not a Bundle, ``TooLargeError`` beyond the budget."""
    document = read(data, budget, strict=True)
    if document.resource_type != "Bundle":
        raise FhirReadError("/resourceType", "Expected `'Bundle'`")
    return document


def check_record(
    record: Sequence[Entry],
    knowledge: Knowledge,
    settings: FhirSettings,
    *,
    patient: PatientFilter,
    drafts: Sequence[Entry] = (),
    today: date | None = None,
    incomplete: Sequence[str] = (),
    server: str | None = None,
) -> CheckedRecord:
    """Check one patient's record (and, for order hooks, the draft orders); ``server``:
    the CDS Hooks call's ``fhirServer``, the base of its local references."""

    def is_pregnancy(item: ConditionInput) -> bool:
        return PREGNANCY_CONDITION in match_condition(item, knowledge).condition_ids

    def is_episode(item: ConditionInput) -> bool:
        found = match_condition(item, knowledge).condition_ids
        conditions = knowledge.kb.conditions
        return bool(found) and all(
            conditions[c].acute and not conditions[c].may_persist for c in found
        )

    def lab_analyte(item: LabInput) -> str | None:
        return match_lab(item, knowledge).analyte_id

    def lab_states(item: LabInput, person: Patient | None) -> frozenset[str]:
        result = lab_results([item], [match_lab(item, knowledge)], person, knowledge)[0]
        return frozenset(result.states) if result is not None else frozenset()

    def med_key(item: MedicationInput) -> MedKey:
        match = match_medication(item, knowledge)
        drugs = sorted({hit.drug_id for hit in match.hits})
        text = dose_text(item, knowledge)
        doses = tuple(daily_mg(text, drug) for drug in drugs)
        return frozenset(drugs), doses, match.prn

    def lab_value(item: LabInput, person: Patient | None) -> float | None:
        result = lab_results([item], [match_lab(item, knowledge)], person, knowledge)[0]
        return result.value if result is not None else None

    options = Options(
        today=today or datetime.now(UTC).date(),
        patient=patient,
        analyte_by_loinc=knowledge.kb.analyte_by_loinc,
        lab_max_age_days=settings.lab_age_limit,
        pregnancy=is_pregnancy,
        episode=is_episode,
        lab_analyte=lab_analyte,
        lab_states=lab_states,
        lab_value=lab_value,
        med_key=med_key,
        corrected_by={
            aid: analyte.corrected.by
            for aid, analyte in knowledge.kb.analytes.items()
            if analyte.corrected is not None
        },
        outranked_by={
            aid: analyte.outranked_by
            for aid, analyte in knowledge.kb.analytes.items()
            if analyte.outranked_by is not None
        },
        split_dose=lambda texts: split_over_the_day(texts, knowledge),
        server=server,
    )
    conversion = without_impossible_labs(convert(record, options, drafts=drafts), knowledge)
    dose_changes: frozenset[int] = frozenset()
    renewals: frozenset[str] = frozenset()
    if drafts:
        conversion, dose_changes = without_orders_a_draft_changes(conversion, knowledge)
        renewals = frozenset(
            item.reference for item in conversion.ignored if item.reason.startswith(RENEWS)
        )
    return CheckedRecord(
        conversion,
        check(conversion.request, knowledge, conversion.lab_comparators),
        tuple(incomplete),
        dose_changes,
        renewals,
    )


DOSE_CHANGED_REASON = "replaced by a draft order of the same drug at another dose (a dose change)"
RENEWS = "renews the current order"
RENEWAL_REASON = (
    RENEWS + " {current} (the same drug at the same daily dose, or no dose given):"
    " the drug is counted once"
)
SWITCHED_REASON = "replaced by the draft order {draft}, which names it as its priorPrescription"


def without_orders_a_draft_changes(
    conversion: Conversion, knowledge: Knowledge
) -> tuple[Conversion, frozenset[int]]:
    """Draft orders of a drug the patient already takes, at a daily dose the texts give and
    the current orders do not (another dose, or none read), are a dose change: the current
    orders are left out, so the drafts' dose is checked in their place (simvastatin 20 mg
    to 40 mg beside amlodipine). Drafts at the same dose, or whose dose cannot be read, are
    a renewal: the drafts are left out (listed in ``ignored``), so that the drug is
    counted once (a renewal is not duplicate therapy), and the order hooks treat them as
    adding nothing new. The
    orders of the drug count together, current and draft (20 mg in the morning and 20 mg
    at night renewed as 40 mg is no change; moved from the morning to bedtime is none
    either); a draft of several drugs (a switch to a combination product) or taken as
    needed beside a scheduled order (or the reverse) is an addition, not a dose change.
    A current order that a draft of other drugs names as its priorPrescription is
    switched: left out (simvastatin to atorvastatin is not two statins); one of the same
    drug is read as above (a renewal or a dose change).
    Returns the conversion and the drafts that change a dose (their indexes after the
    removal)."""
    request, sources = conversion.request, conversion.sources
    matches = [match_medication(item, knowledge) for item in request.medications]
    drugs = [{hit.drug_id for hit in match.hits} for match in matches]
    items = request.medications
    replaced: set[int] = set()
    position = {ref.reference: i for i, ref in enumerate(sources.medications) if ref.draft}
    switched: dict[int, str] = {}
    for i, ref in enumerate(sources.medications):
        draft = position.get(conversion.prior_of.get(ref.reference, ""))
        if not ref.draft and draft is not None and drugs[i] != drugs[draft]:
            switched[i] = sources.medications[draft].reference
    replaced.update(switched)
    changing: set[int] = set()
    # Drafts that renew a current order -> that order.
    renewed: dict[int, str] = {}
    # The drafts of one drug (taken as needed or not), and the current orders beside them.
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, ref in enumerate(sources.medications):
        if ref.draft and len(drugs[i]) == 1:
            groups.setdefault((next(iter(drugs[i])), matches[i].prn), []).append(i)
    for (drug, prn), drafts in groups.items():
        current = [
            i
            for i, ref in enumerate(sources.medications)
            if not ref.draft and drugs[i] == {drug} and matches[i].prn == prn
        ]
        if not current:
            continue
        new_doses = [daily_mg(dose_text(items[d], knowledge), drug) for d in drafts]
        doses = [daily_mg(dose_text(items[i], knowledge), drug) for i in current]
        if None not in new_doses and (
            None in doses
            or abs(sum(dose or 0.0 for dose in doses) - sum(dose or 0.0 for dose in new_doses))
            > 1e-9
        ):
            replaced.update(current)
            changing.update(drafts)
        else:
            for d in drafts:
                renewed[d] = sources.medications[current[0]].reference
    replaced.update(renewed)
    if not replaced:
        return conversion, frozenset(changing)
    keep = [i for i in range(len(request.medications)) if i not in replaced]
    changed = frozenset(keep.index(d) for d in changing)
    return msgspec.structs.replace(
        conversion,
        request=msgspec.structs.replace(
            request, medications=[request.medications[i] for i in keep]
        ),
        sources=msgspec.structs.replace(
            sources, medications=[sources.medications[i] for i in keep]
        ),
        ignored=[
            *conversion.ignored,
            *(
                Ignored(
                    ref.reference,
                    ref.resource_type,
                    SWITCHED_REASON.format(draft=switched[i])
                    if i in switched
                    else RENEWAL_REASON.format(current=renewed[i])
                    if i in renewed
                    else DOSE_CHANGED_REASON,
                )
                for i, ref in enumerate(sources.medications)
                if i in replaced
            ),
        ],
    ), changed


def without_impossible_labs(conversion: Conversion, knowledge: Knowledge) -> Conversion:
    """A record's lab values that no patient can have are entry errors: left out, listed
    with the reason, never checked (a REST request with one gets a 400 instead)."""
    request = conversion.request
    matches = [match_lab(lab, knowledge) for lab in request.labs]
    problems = dict(implausible_values(request.labs, matches, knowledge.kb))
    if not problems:
        return conversion
    keep = [i for i in range(len(request.labs)) if f"/labs/{i}/value" not in problems]
    left_out = [
        Ignored(ref.reference, ref.resource_type, problems[f"/labs/{i}/value"])
        for i, ref in enumerate(conversion.sources.labs)
        if i not in keep
    ]
    return msgspec.structs.replace(
        conversion,
        request=msgspec.structs.replace(request, labs=[request.labs[i] for i in keep]),
        sources=msgspec.structs.replace(
            conversion.sources, labs=[conversion.sources.labs[i] for i in keep]
        ),
        lab_comparators=[
            conversion.lab_comparators[i] for i in keep if i < len(conversion.lab_comparators)
        ],
        ignored=[*conversion.ignored, *left_out],
    )


def check_bundle(
    bundle: Document, knowledge: Knowledge, settings: FhirSettings, patient_id: str | None = None
) -> CheckedRecord:
    """Check a Bundle of one patient's data.

    Raises ``PatientChoiceError`` when the Bundle holds several patients' data and
    ``patient_id`` does not say whose to check."""
    items = bundle.entries
    incomplete = ("the Bundle links to a next page, which was not read",) if bundle.next else ()
    return check_record(
        items,
        knowledge,
        settings,
        patient=choose_patient(items, patient_id),
        incomplete=incomplete,
    )


def with_sources(
    report: Report, conversion: Conversion, incomplete: Sequence[str] = ()
) -> FhirReport:
    """The REST report plus the resource behind each item and the resources left out."""
    return FhirReport(
        **msgspec.structs.asdict(report),
        sources=conversion.sources,
        ignored=conversion.ignored,
        deceased=conversion.deceased,
        incomplete=list(incomplete),
    )
