"""The CDS services this server offers and the prefetch templates they declare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from msgspec import UNSET

from service.cdshooks.models import Discovery, ServiceDefinition
from service.knowledge import KnowledgeBase

PATIENT_KEY = "patient"
DATA_KEYS = ("medicationRequests", "medicationStatements", "conditions", "observations")
ALL_KEYS = (PATIENT_KEY, *DATA_KEYS)
# Search templates restricted to what CDS Hooks recommends (token equality, _count, _sort).
TEMPLATES: dict[str, str] = {
    PATIENT_KEY: "Patient/{{context.patientId}}",
    "medicationRequests": (
        "MedicationRequest?patient={{context.patientId}}&status=active,on-hold&_count=100"
    ),
    "medicationStatements": (
        "MedicationStatement?patient={{context.patientId}}&status=active,intended&_count=100"
    ),
    "conditions": (
        "Condition?patient={{context.patientId}}"
        "&clinical-status=active,recurrence,relapse&_count=100"
    ),
}
# The single resource a prefetch key may hold instead of a Bundle (DSTU2 MedicationOrder).
KEY_TYPES: dict[str, tuple[str, ...]] = {
    PATIENT_KEY: ("Patient",),
    "medicationRequests": ("MedicationRequest", "MedicationOrder"),
    "medicationStatements": ("MedicationStatement",),
    "conditions": ("Condition",),
    "observations": ("Observation",),
}
# Used only when this service fetches for itself: Medication resources named by reference.
# What each key holds, as the cards say it when that data could not all be read.
KEY_LABELS = {
    PATIENT_KEY: "demographics",
    "medicationRequests": "medication orders",
    "medicationStatements": "medication statements",
    "conditions": "problem list",
    "observations": "lab results",
}
INCLUDES: dict[str, str] = {
    "medicationRequests": "_include=MedicationRequest:medication",
    "medicationStatements": "_include=MedicationStatement:medication",
}
LOINC = "http://loinc.org"

DraftSource = Literal["draftOrders", "medications"]


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    # Where the hook's context carries the new orders (None: patient-view).
    drafts: DraftSource | None = None
    usage: str | None = None

    @property
    def orders(self) -> bool:
        return self.drafts is not None


_COMMON = (
    "Reads the patient's active medications, problem list and most recent potassium, "
    "magnesium, calcium, glucose, TSH and hemoglobin"
)
PATIENT_VIEW = Service(
    id="cramp-risk-patient-view",
    hook="patient-view",
    title="Leg cramp and spasm risk",
    description=(
        f"{_COMMON}, and returns one card per clinically distinct contributor to leg "
        "cramps and muscle spasms (drugs, conditions, electrolyte results), with evidence "
        "and what to monitor."
    ),
)
ORDER_SELECT = Service(
    id="cramp-risk-order-select",
    hook="order-select",
    title="Leg cramp risk of the selected medication order",
    description=(
        f"{_COMMON}, and says what the selected new medication adds to the patient's risk "
        "of leg cramps (electrolyte loss, known cramp effect, combinations)."
    ),
    drafts="draftOrders",
)
ORDER_SIGN = Service(
    id="cramp-risk-order-sign",
    hook="order-sign",
    title="Leg cramp risk of the medication orders being signed",
    description=(
        f"{_COMMON}, and says what the new medication orders add to the patient's risk of "
        "leg cramps (electrolyte loss, known cramp effect, combinations)."
    ),
    drafts="draftOrders",
)
MEDICATION_PRESCRIBE = Service(
    id="cramp-risk-medication-prescribe",
    hook="medication-prescribe",
    title="Leg cramp risk of the prescribed medication (deprecated hook)",
    description=(
        f"{_COMMON}, and says what the prescribed medication adds to the patient's risk of "
        "leg cramps. The medication-prescribe hook is deprecated in favour of order-select "
        "and order-sign; this service exists for demo EHRs that still fire it."
    ),
    drafts="medications",
    usage="Deprecated hook; prefer cramp-risk-order-select or cramp-risk-order-sign.",
)
SERVICES: tuple[Service, ...] = (PATIENT_VIEW, ORDER_SELECT, ORDER_SIGN, MEDICATION_PRESCRIBE)
BY_ID: dict[str, Service] = {s.id: s for s in SERVICES}


def observation_codes(kb: KnowledgeBase) -> list[str]:
    """Every LOINC code of every analyte the knowledge base checks, in a stable order."""
    return list(dict.fromkeys(code for analyte in kb.analytes.values() for code in analyte.loinc))


def templates(kb: KnowledgeBase) -> dict[str, str]:
    # `system|code` percent-encoded (`http%3A%2F%2Floinc.org%7C2823-3`): servers on Tomcat
    # and others refuse a raw `|` in a query; commas stay, they separate the codes.
    codes = ",".join(quote(f"{LOINC}|{code}", safe="") for code in observation_codes(kb))
    return {
        **TEMPLATES,
        "observations": (
            f"Observation?patient={{{{context.patientId}}}}&code={codes}&_sort=-date&_count=100"
        ),
    }


def discovery(kb: KnowledgeBase) -> Discovery:
    prefetch = templates(kb)
    return Discovery(
        services=[
            ServiceDefinition(
                hook=s.hook,
                title=s.title,
                description=s.description,
                id=s.id,
                prefetch=prefetch,
                usage_requirements=s.usage if s.usage is not None else UNSET,
            )
            for s in SERVICES
        ]
    )


def render(template: str, patient_id: str) -> str:
    """The relative FHIR URL of a template for this patient (the only token we use)."""
    return template.replace("{{context.patientId}}", patient_id)
