"""Card suggestions (lab orders) and override reasons.

The lab orders are data (``datasets/lab_orders.toml``: LOINC code, label, the analytes
each test measures); a card proposes the orders whose analytes its findings say are
worth measuring (``Finding.labs_to_check``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from service.cdshooks.grouping import Group
from service.cdshooks.models import Action, Suggestion
from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import LabOrder

LOINC = "http://loinc.org"
OVERRIDE_SYSTEM = "urn:cramp-checker:cds-hooks:override-reason"


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str


OVERRIDE_REASONS: tuple[Code, ...] = (
    Code(OVERRIDE_SYSTEM, "will-monitor", "Will monitor electrolytes and symptoms"),
    Code(OVERRIDE_SYSTEM, "benefit-outweighs-risk", "Benefit outweighs the risk of cramps"),
    Code(OVERRIDE_SYSTEM, "already-replacing", "Already on potassium or magnesium replacement"),
    Code(OVERRIDE_SYSTEM, "recent-labs-normal", "Recent electrolytes are normal"),
    Code(OVERRIDE_SYSTEM, "not-applicable", "Not applicable to this patient"),
)


def wanted_orders(group: Group, kb: KnowledgeBase) -> list[LabOrder]:
    """The lab orders that measure something the group's findings say to check."""
    checks = {aid for finding in group.findings for aid in finding.labs_to_check}
    return [order for order in kb.lab_orders if checks.intersection(order.for_analytes)]


def _service_request(order: LabOrder, patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "108252007",
                        "display": "Laboratory procedure",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": LOINC,
                    "code": order.loinc,
                    "display": order.display,
                }
            ],
            "text": order.text,
        },
        "subject": {"reference": f"Patient/{patient_id}"},
    }


def lab_suggestions(group: Group, kb: KnowledgeBase, patient_id: str) -> list[Suggestion]:
    return [
        Suggestion(
            label=order.label,
            uuid=str(uuid.uuid4()),
            actions=[
                Action(
                    type="create",
                    description=f"Propose a {order.text.lower()} order",
                    resource=_service_request(order, patient_id),
                )
            ],
        )
        for order in wanted_orders(group, kb)
    ]
