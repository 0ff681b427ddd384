"""Hidden-style CDS Hooks cases (round 31): Synthea-style prefetch and draft orders over
HTTP; each says what the clinician should see and why."""

from __future__ import annotations

from typing import Any

from tests.cdshooks.conftest import ORDER_SELECT, ORDER_SIGN, PATIENT_VIEW, Client
from tests.cdshooks.records import PATIENT_ID, chart
from tests.cdshooks.test_service_calls import cards_of

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def coded_order(rid: str, code: str, name: str, status: str = "active") -> dict[str, Any]:
    """A MedicationRequest as Synthea writes one (RxNorm SCD code with its name)."""
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": name}],
            "text": name,
        },
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def test_adding_clarithromycin_to_simvastatin_is_a_critical_card(cds: Client) -> None:
    """ZOCOR label: simvastatin with a strong CYP3A4 inhibitor is contraindicated."""
    body = chart(hook="order-sign")
    body["prefetch"]["medicationRequests"] = bundle(
        coded_order("simva", "198211", "simvastatin 40 MG Oral Tablet")
    )
    body["context"]["draftOrders"] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": coded_order("d1", "197517", "clarithromycin 500 MG Oral Tablet", "draft")}
        ],
    }
    cards = cards_of(cds, ORDER_SIGN, body)
    assert [c["indicator"] for c in cards] == ["critical"]
    assert cards[0]["summary"].startswith("Adding clarithromycin")


def test_a_draft_also_sent_in_prefetch_is_one_order(cds: Client) -> None:
    """Round 31 #1: the draft furosemide order, also returned by the EHR's prefetch (the
    same resource id), is one new order: one card, one "Based on" line for it."""
    body = chart(labs=[("potassium", 3.2, "mmol/L")], hook="order-sign")
    draft = coded_order("d1", "313988", "furosemide 40 MG Oral Tablet", "draft")
    body["prefetch"]["medicationRequests"] = bundle(dict(draft))
    body["context"]["draftOrders"] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": draft}],
    }
    cards = cards_of(cds, ORDER_SIGN, body)
    assert len(cards) == 1 and cards[0]["summary"].startswith("Adding furosemide")
    assert cards[0]["detail"].count("(MedicationRequest/d1)") == 1


def test_a_renewal_alone_is_no_card(cds: Client) -> None:
    """Re-signing the current HCTZ at the same dose adds no risk (even with a low K)."""
    body = chart(
        ["hydrochlorothiazide 25 mg daily"],
        labs=[("potassium", 3.2, "mmol/L")],
        drafts=["hydrochlorothiazide 25 mg daily"],
        hook="order-sign",
    )
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_order_select_of_prednisone_beside_hctz_is_a_warning(cds: Client) -> None:
    """A corticosteroid added to a thiazide: two potassium-lowering classes (moderate)."""
    body = chart(
        ["hydrochlorothiazide 25 mg daily"],
        drafts=["prednisone 20 mg daily", "lisinopril 10 mg daily"],
        hook="order-select",
    )
    body["context"]["selections"] = ["MedicationRequest/draft-0"]
    cards = cards_of(cds, ORDER_SELECT, body)
    assert [c["indicator"] for c in cards] == ["warning"]
    assert cards[0]["summary"].startswith("Adding prednisone")


def test_an_entered_in_error_critical_potassium_is_no_critical_card(cds: Client) -> None:
    """The 2.5 was entered in error; the final result before it is 4.1."""
    body = chart(
        ["hydrochlorothiazide 25 mg daily"],
        labs=[("potassium", 4.1, "mmol/L"), ("potassium", 2.5, "mmol/L")],
    )
    entries = body["prefetch"]["observations"]["entry"]
    entries[0]["resource"]["effectiveDateTime"] = "2026-11-01T09:30:00Z"
    entries[1]["resource"]["status"] = "entered-in-error"
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert all(c["indicator"] != "critical" for c in cards)
    assert not any("2.5" in c["summary"] for c in cards)


def test_a_statement_of_the_order_is_not_duplicate_therapy_on_a_card(cds: Client) -> None:
    """Round 31 #1: the order and the patient's statement based on it are one drug."""
    body = chart(labs=[("potassium", 3.2, "mmol/L")])
    body["prefetch"]["medicationRequests"] = bundle(
        coded_order("mr-furo", "313988", "furosemide 40 MG Oral Tablet")
    )
    body["prefetch"]["medicationStatements"] = bundle(
        {
            "resourceType": "MedicationStatement",
            "id": "ms-furo",
            "status": "active",
            "subject": {"reference": f"Patient/{PATIENT_ID}"},
            "medicationCodeableConcept": {"text": "Lasix 40 mg daily"},
            "basedOn": [{"reference": "MedicationRequest/mr-furo"}],
        }
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert cards and not any("Duplicate" in c["detail"] for c in cards)
    assert not any("MedicationStatement/ms-furo" in c["detail"] for c in cards)
