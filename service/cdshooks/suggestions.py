"""Card suggestions (lab orders) and override reasons.

Lab order codes (LOINC), checked against more than one independent source:
- 51990-0 "Basic metabolic panel - Blood" (the panel Synthea records; potassium, sodium,
  calcium, glucose, creatinine).
- 19123-9 "Magnesium [Mass/volume] in Serum or Plasma" (also in datasets/labs.toml).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from service.cdshooks.grouping import Group
from service.cdshooks.models import Action, Suggestion

LOINC = "http://loinc.org"
OVERRIDE_SYSTEM = "urn:cramp-checker:cds-hooks:override-reason"


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str


@dataclass(frozen=True, slots=True)
class LabOrder:
    label: str
    code: Code
    text: str


BMP = LabOrder(
    "Order a basic metabolic panel (potassium, sodium, calcium, glucose, creatinine)",
    Code(LOINC, "51990-0", "Basic metabolic panel - Blood"),
    "Basic metabolic panel",
)
MAGNESIUM = LabOrder(
    "Order a serum magnesium level",
    Code(LOINC, "19123-9", "Magnesium [Mass/volume] in Serum or Plasma"),
    "Magnesium, serum",
)
OVERRIDE_REASONS: tuple[Code, ...] = (
    Code(OVERRIDE_SYSTEM, "will-monitor", "Will monitor electrolytes and symptoms"),
    Code(OVERRIDE_SYSTEM, "benefit-outweighs-risk", "Benefit outweighs the risk of cramps"),
    Code(OVERRIDE_SYSTEM, "already-replacing", "Already on potassium or magnesium replacement"),
    Code(OVERRIDE_SYSTEM, "recent-labs-normal", "Recent electrolytes are normal"),
    Code(OVERRIDE_SYSTEM, "not-applicable", "Not applicable to this patient"),
)
# What each effect or lab result makes worth measuring.
_BMP_EFFECTS = {"lowers_potassium", "lowers_calcium", "volume_depletion"}
_MAGNESIUM_EFFECTS = {"lowers_potassium", "lowers_magnesium"}
_BMP_LABS = ("potassium", "calcium", "sodium")
_MAGNESIUM_LABS = ("potassium", "magnesium")


def _mentions(group: Group, labs: tuple[str, ...]) -> bool:
    """A lab finding of one of `labs`, or a combination rule about one of them."""
    for finding in group.findings:
        if (
            finding.kind == "lab"
            and finding.id.split("/")[1:2]
            and finding.id.split("/")[1] in labs
        ):
            return True
        if finding.kind == "combination" and any(lab in finding.id for lab in labs):
            return True
    return False


def _wanted(group: Group) -> list[LabOrder]:
    effects = {e.kind for f in group.findings for e in f.effects}
    orders = []
    if effects & _BMP_EFFECTS or _mentions(group, _BMP_LABS):
        orders.append(BMP)
    if effects & _MAGNESIUM_EFFECTS or _mentions(group, _MAGNESIUM_LABS):
        orders.append(MAGNESIUM)
    return orders


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
                    "system": order.code.system,
                    "code": order.code.code,
                    "display": order.code.display,
                }
            ],
            "text": order.text,
        },
        "subject": {"reference": f"Patient/{patient_id}"},
    }


def lab_suggestions(group: Group, patient_id: str) -> list[Suggestion]:
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
        for order in _wanted(group)
    ]
