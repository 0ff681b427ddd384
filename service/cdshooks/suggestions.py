"""Card suggestions (lab orders, removing a draft order) and override reasons.

The lab orders are data (``datasets/lab_orders.toml``: LOINC code, label, the analytes
each test measures); a card proposes the orders whose analytes its findings say are
worth measuring (``Finding.labs_to_check``), or, for CK, that its problem's monitoring
asks for. On order hooks a contraindicated card proposes deleting the draft order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from service.cdshooks.grouping import Group
from service.cdshooks.models import Action, Suggestion
from service.engine.models import Finding
from service.knowledge.base import KnowledgeBase
from service.knowledge.schema import LabOrder

LOINC = "http://loinc.org"
OVERRIDE_SYSTEM = "urn:cramp-checker:cds-hooks:override-reason"


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str


# Every override reason the service offers (the feedback summary counts these codes; any
# other is "other"). Codes are stable: new ones may be added, none is renamed or reused.
OVERRIDE_REASONS: tuple[Code, ...] = (
    # Electrolyte cards (a potassium, magnesium, calcium, sodium or glucose problem).
    Code(OVERRIDE_SYSTEM, "will-monitor", "Will monitor electrolytes and symptoms"),
    Code(OVERRIDE_SYSTEM, "benefit-outweighs-risk", "Benefit outweighs the risk of cramps"),
    Code(OVERRIDE_SYSTEM, "already-replacing", "Already on potassium or magnesium replacement"),
    Code(OVERRIDE_SYSTEM, "recent-labs-normal", "Recent electrolytes are normal"),
    # Every card.
    Code(OVERRIDE_SYSTEM, "not-applicable", "Not applicable to this patient"),
    # Drug-pair cards (an interaction, a duplicate or a contraindicated pair).
    Code(
        OVERRIDE_SYSTEM, "will-hold-one-drug", "Will hold or stop one of the drugs for the course"
    ),
    # Dose-limit cards (a rule that a drug fills only above a daily dose).
    Code(OVERRIDE_SYSTEM, "dose-to-label-limit", "Dose will be reduced to the label limit"),
    # Muscle cards (statin, colchicine, daptomycin, fibrate rules; a raised CK).
    Code(
        OVERRIDE_SYSTEM,
        "benefit-outweighs-risk-monitor-ck",
        "Benefit outweighs the risk; will monitor (CK, symptoms)",
    ),
)
_BY_CODE = {reason.code: reason for reason in OVERRIDE_REASONS}
# The analytes that make a card an electrolyte card (its problem's results or checks).
ELECTROLYTES = frozenset(
    {"potassium", "magnesium", "calcium", "calcium_ionized", "sodium", "glucose"}
)
_DRUG_PAIR = frozenset({"interaction", "duplicate_therapy", "contraindicated"})
# Analytes a card asks for when its problem's own monitoring names them (by the analyte's
# name or a synonym), though no drug effect carries them as a check: the statin,
# colchicine and daptomycin rules say "CK at least weekly during daptomycin" or "Muscle
# symptoms; CK if any" (warning and critical cards only), and a drug's own effects never
# add CK (a statin alone proposes none). Electrolytes are asked for through
# ``labs_to_check`` only.
NAMED_IN_MONITORING = frozenset({"ck"})
ReasonSet = Literal["electrolyte", "muscle", "other"]


def reason_set(group: Group, lab_analytes: Iterable[str]) -> ReasonSet:
    """What a card is about, from its problem (the lead finding): ``electrolyte`` when its
    results or checks are potassium, magnesium, calcium, sodium or glucose (and not CK);
    ``muscle`` for a contraindicated pair, a raised CK, or any other drug-pair or dose rule
    (the statin, colchicine, daptomycin and fibrate rules: none of them checks an
    electrolyte); ``other`` for a single finding that is neither (a drug taken for cramps
    against a warning)."""
    lead = group.findings[0]
    analytes = {*lab_analytes, *lead.labs_to_check}
    if lead.basis == "contraindicated" or "ck" in analytes:
        return "muscle"
    if analytes & ELECTROLYTES:
        return "electrolyte"
    if lead.basis == "duplicate_therapy" and any(
        # The same drug twice checks what that drug's own finding checks (a PPI: magnesium).
        ELECTROLYTES.intersection(f.labs_to_check)
        for f in group.findings
    ):
        return "electrolyte"
    return "muscle" if lead.kind == "combination" else "other"


def override_reasons(
    group: Group, kb: KnowledgeBase, lab_analytes: Iterable[str], medications: int
) -> list[Code]:
    """The override reasons that fit what a card is about (docs/cds-hooks.md): electrolyte
    cards the electrolyte reasons; muscle cards holding one drug (two drugs or more on the
    problem), reducing the dose (a dose-limit rule) and monitoring CK; every card "not
    applicable". A drug pair (interaction, duplicate, contraindicated) offers holding one
    of the drugs whatever its topic."""
    lead = group.findings[0]
    kind = reason_set(group, lab_analytes)
    pair = lead.basis in _DRUG_PAIR and medications >= 2
    if kind == "electrolyte":
        codes = ["will-monitor", "benefit-outweighs-risk", "already-replacing"]
        codes += ["recent-labs-normal", *(["will-hold-one-drug"] if pair else [])]
    elif kind == "muscle":
        codes = ["will-hold-one-drug"] if medications >= 2 else []
        codes += ["dose-to-label-limit"] if _dose_limited(lead, kb) else []
        codes += ["benefit-outweighs-risk-monitor-ck"]
    else:
        codes = ["benefit-outweighs-risk"]
    return [_BY_CODE[code] for code in [*codes, "not-applicable"]]


def _dose_limited(lead: Finding, kb: KnowledgeBase) -> bool:
    """A rule one of whose drugs fills it only above a daily dose (simvastatin above 20 mg
    with amlodipine), not a contraindicated pair (no dose of it is safe)."""
    if lead.kind != "combination" or lead.basis == "contraindicated":
        return False
    rule_id = lead.id.removeprefix("combination/").split("/")[0]
    rule = next((r for r in kb.rules if r.id == rule_id), None)
    return rule is not None and any(slot.above_mg is not None for slot in rule.slots)


def wanted_orders(group: Group, kb: KnowledgeBase) -> list[LabOrder]:
    """The lab orders that measure something the card's problem says to check: the lead
    finding's checks and those of the results on the card; on the minor card, every
    finding's (each is a problem of its own). A drug a combination absorbed does not add
    its own checks: insulin's potassium and magnesium are not what a low glucose card is
    about, nor a magnesium level what a contraindicated statin pair is about. A warning
    or critical rule whose monitoring names CK asks for a CK (``NAMED_IN_MONITORING``).
    Every problem on a card (its lead and those joined to it) speaks as the lead does."""
    leads = group.leads
    rest = group.findings[len(leads) :]
    speaking = (
        group.findings if group.kind == "minor" else (*leads, *(f for f in rest if f.kind == "lab"))
    )
    checks = {aid for finding in speaking for aid in finding.labs_to_check}
    for lead in leads:
        severity = group.severity if lead is leads[0] else lead.severity
        if lead.kind == "combination" and severity != "low":
            # A warning or critical rule's own monitoring (a drug pair or dose limit), not
            # that of a single drug, result or condition: on an info card (a statin with
            # fenofibrate, "CK if any") a CK is for symptoms only, not a test to propose.
            checks.update(a for a in NAMED_IN_MONITORING if _names(kb, a, lead.monitoring))
    return [order for order in kb.lab_orders if checks.intersection(order.for_analytes)]


def _names(kb: KnowledgeBase, analyte_id: str, lines: Sequence[str]) -> bool:
    """Whether a line asks for the analyte outright: a clause naming it as a whole word
    ("CK", not "CKD" or "CK-MB") that does not make it conditional ("CK if any muscle
    symptom" asks for nothing to order now)."""
    analyte = kb.analytes.get(analyte_id)
    if analyte is None:
        return False
    words = sorted({analyte.name, *analyte.synonyms}, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE
    )
    return any(
        pattern.search(clause) and not _CONDITIONAL.search(clause)
        for line in lines
        for clause in line.split("; ")
    )


_CONDITIONAL = re.compile(r"\bif\b", re.IGNORECASE)


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


def lab_suggestions(orders: Iterable[LabOrder], patient_id: str) -> list[Suggestion]:
    return [
        Suggestion(
            label=order.label,
            uuid=str(uuid.uuid4()),
            actions=[
                Action(
                    type="create",
                    description=f"Propose a {_lower_first(order.text)} order",
                    resource=_service_request(order, patient_id),
                )
            ],
        )
        for order in orders
    ]


def _lower_first(text: str) -> str:
    """``Basic metabolic panel`` -> ``basic metabolic panel``; ``Creatine kinase (CK)``
    keeps its ``CK``."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def remove_draft(label: str, reference: str) -> Suggestion:
    """Delete a draft order (CDS Hooks 2.0 Action: ``type`` delete with ``resourceId``,
    "a relative reference to the relevant resource")."""
    return Suggestion(
        label=label,
        uuid=str(uuid.uuid4()),
        actions=[Action(type="delete", description=label, resource_id=reference)],
    )
