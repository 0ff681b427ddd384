"""What a card offers, chosen by what it is about (review14 #3, #10, #12, #13): override
reasons that fit the problem, "Not checked" said once, each lab order offered once per
answer, and units as clinicians write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from service.cdshooks.suggestions import OVERRIDE_REASONS, OVERRIDE_SYSTEM
from tests.cdshooks.conftest import (
    MEDICATION_PRESCRIBE,
    ORDER_SELECT,
    ORDER_SIGN,
    PATIENT_VIEW,
    Client,
)
from tests.cdshooks.records import PATIENT_ID, chart
from tests.cdshooks.test_feedback import overridden
from tests.cdshooks.test_service_calls import cards_of

DOCS = Path(__file__).parents[2] / "docs" / "cds-hooks.md"
ELECTROLYTE_REASONS = [
    "will-monitor",
    "benefit-outweighs-risk",
    "already-replacing",
    "recent-labs-normal",
    "not-applicable",
]
NOT_CHECKED = "**Not checked** (not recognized)"
BMP = "Order a basic metabolic panel"
MAGNESIUM = "Order a serum magnesium level"
CK = "Order a creatine kinase (CK)"


def codes(card: dict[str, Any]) -> list[str]:
    return [r["code"] for r in card.get("overrideReasons", [])]


def labels(card: dict[str, Any]) -> list[str]:
    return [s["label"] for s in card.get("suggestions", [])]


def with_ck(body: dict[str, Any], value: float) -> dict[str, Any]:
    """The chart with one CK result (LOINC 2157-6) as its only Observation."""
    body["prefetch"]["observations"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "obs-ck",
                    "status": "final",
                    "subject": {"reference": f"Patient/{PATIENT_ID}"},
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2157-6"}]},
                    "effectiveDateTime": "2026-11-02T09:30:00Z",
                    "valueQuantity": {
                        "value": value,
                        "unit": "U/L",
                        "system": "http://unitsofmeasure.org",
                        "code": "U/L",
                    },
                }
            }
        ],
    }
    return body


# Override reasons (review14 #3) ----------------------------------------------------------


def test_a_contraindicated_statin_pair_offers_no_electrolyte_reasons(cds: Client) -> None:
    """Adding clarithromycin to simvastatin: the card offered "Recent electrolytes are
    normal" and "Already on potassium or magnesium replacement"."""
    body = chart(
        ["simvastatin 40 mg daily"],
        drafts=["clarithromycin 500 mg twice daily"],
        hook="order-select",
    )
    card = cards_of(cds, ORDER_SELECT, body)[0]
    assert card["indicator"] == "critical" and "contraindicated" in card["summary"]
    assert codes(card) == [
        "will-hold-one-drug",
        "benefit-outweighs-risk-monitor-ck",
        "not-applicable",
    ]
    displays = [r["display"] for r in card["overrideReasons"]]
    assert "Will hold or stop one of the drugs for the course" in displays
    assert "Benefit outweighs the risk; will monitor (CK, symptoms)" in displays
    assert {r["system"] for r in card["overrideReasons"]} == {OVERRIDE_SYSTEM}


def test_a_dose_limit_card_offers_reducing_the_dose(cds: Client) -> None:
    cards = cards_of(
        cds, PATIENT_VIEW, chart(["simvastatin 40 mg daily", "amlodipine 10 mg daily"])
    )
    card = next(c for c in cards if "Simvastatin above 20 mg" in c["summary"])
    assert codes(card) == [
        "will-hold-one-drug",
        "dose-to-label-limit",
        "benefit-outweighs-risk-monitor-ck",
        "not-applicable",
    ]


def test_a_raised_ck_card_offers_muscle_reasons_not_electrolyte_ones(cds: Client) -> None:
    body = with_ck(chart(["atorvastatin 40 mg daily"]), 900)
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if c["indicator"] != "info")
    assert "raised CK" in card["summary"]
    assert codes(card) == ["benefit-outweighs-risk-monitor-ck", "not-applicable"]


def test_electrolyte_cards_keep_the_electrolyte_reasons(cds: Client) -> None:
    cards = cards_of(
        cds, PATIENT_VIEW, chart(["furosemide 40 mg daily"], [("potassium", 3.2, "mmol/L")])
    )
    card = next(c for c in cards if "low potassium" in c["summary"].lower())
    assert codes(card) == ELECTROLYTE_REASONS
    # A low glucose is an electrolyte card too.
    cards = cards_of(
        cds, PATIENT_VIEW, chart(["glipizide 10 mg daily"], [("glucose", 58, "mg/dL")])
    )
    card = next(c for c in cards if "low blood sugar" in c["summary"])
    assert codes(card) == ELECTROLYTE_REASONS


def test_new_reasons_are_counted_by_code_and_unknown_ones_as_other(cds: Client) -> None:
    body = chart(
        ["simvastatin 40 mg daily"],
        drafts=["clarithromycin 500 mg twice daily"],
        hook="order-sign",
    )
    card = cards_of(cds, ORDER_SIGN, body)[0]
    feedback = {
        "feedback": [
            overridden(card["uuid"], "will-hold-one-drug"),
            overridden(card["uuid"], "benefit-outweighs-risk-monitor-ck"),
            overridden(card["uuid"], "held statin for 7 days"),
        ]
    }
    path = f"{ORDER_SIGN}/feedback"
    before = cds.get(f"{path}/summary").json()["overrideReasons"]
    assert cds.post(path, json=feedback).json() == {"received": 3}
    after = cds.get(f"{path}/summary").json()["overrideReasons"]
    for code in ("will-hold-one-drug", "benefit-outweighs-risk-monitor-ck", "other"):
        assert after[code] == before.get(code, 0) + 1
    assert "held statin for 7 days" not in after


def test_every_override_reason_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for reason in OVERRIDE_REASONS:
        assert f"`{reason.code}`" in docs and reason.display in docs, reason.code


# "Not checked" said once (review14 #10) ----------------------------------------------------


def test_patient_view_says_not_checked_once_on_the_info_card(cds: Client) -> None:
    body = chart(
        ["furosemide 40 mg daily", "hydrochlorothiazide 25 mg daily", "simvastatin 20 mg daily"],
        [("potassium", 3.1, "mmol/L"), ("sodium", 131, "mmol/L")],
        ["Mal de debarquement syndrome", "type 2 diabetes mellitus"],
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    # The low sodium is on the thiazide's low-potassium card (one drug's problems, one card).
    assert len(cards) >= 2 and cards[-1]["indicator"] == "info"
    carrying = [c for c in cards if NOT_CHECKED in c["detail"]]
    assert carrying == [cards[-1]]
    assert "Mal de debarquement syndrome (Condition/cond-0)" in cards[-1]["detail"]


def test_patient_view_without_an_info_card_says_it_on_the_last(cds: Client) -> None:
    body = chart(
        ["furosemide 40 mg daily", "simvastatin 40 mg daily", "amlodipine 10 mg daily"],
        [("potassium", 3.1, "mmol/L")],
        ["Mal de debarquement syndrome"],
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert len(cards) >= 2 and all(c["indicator"] != "info" for c in cards)
    assert [NOT_CHECKED in c["detail"] for c in cards] == [False] * (len(cards) - 1) + [True]


def test_order_hooks_leave_unrecognized_record_items_off_their_cards(cds: Client) -> None:
    """Adding daptomycin to atorvastatin for an MRSA bacteremia: the order-sign warning said
    "Not checked (not recognized): MRSA bacteremia", the drug's indication, as a gap."""
    body = chart(
        ["atorvastatin 40 mg daily"],
        conditions=["MRSA bacteremia"],
        drafts=["daptomycin 500 mg IV daily"],
        hook="order-sign",
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    assert cards and "daptomycin" in cards[0]["summary"]
    assert not any(NOT_CHECKED in c["detail"] for c in cards)


def test_order_hooks_name_a_new_order_they_could_not_read(cds: Client) -> None:
    body = chart(
        ["simvastatin 40 mg daily"],
        conditions=["Mal de debarquement syndrome"],
        drafts=["clarithromycin 500 mg twice daily", "Zyxoflam 5 mg daily"],
        hook="order-sign",
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    assert [NOT_CHECKED in c["detail"] for c in cards] == [False] * (len(cards) - 1) + [True]
    assert "Zyxoflam 5 mg daily (MedicationRequest/draft-1)" in cards[-1]["detail"]
    assert "debarquement" not in cards[-1]["detail"]
    # Only an unreadable order: one info card says so (not an empty answer).
    body = chart(["simvastatin 40 mg daily"], drafts=["Zyxoflam 5 mg daily"], hook="order-sign")
    cards = cards_of(cds, ORDER_SIGN, body)
    assert [(c["indicator"], c["summary"]) for c in cards] == [
        ("info", "New order not checked for leg cramp risk: not recognized")
    ]
    assert "Zyxoflam 5 mg daily (MedicationRequest/draft-0)" in cards[0]["detail"]


# Lab orders once per answer (review14 #12) ------------------------------------------------


def test_each_lab_order_is_offered_once_on_the_most_severe_card(cds: Client) -> None:
    """Hydrochlorothiazide with potassium 3.4 and sodium 134: both warnings offered a basic
    metabolic panel and a magnesium level; an EHR could create two panel orders."""
    body = chart(
        ["hydrochlorothiazide 12.5 mg daily"],
        [("potassium", 3.4, "mmol/L"), ("sodium", 134, "mmol/L"), ("calcium", 8.4, "mg/dL")],
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    offered = [label for card in cards for label in labels(card)]
    assert sum(label.startswith(BMP) for label in offered) == 1
    assert sum(label == MAGNESIUM for label in offered) == 1
    assert any(label.startswith(BMP) for label in labels(cards[0]))
    for card in cards:
        if card.get("suggestions"):
            assert card["selectionBehavior"] == "any"
        else:
            assert "selectionBehavior" not in card


def test_a_low_glucose_card_offers_no_magnesium_order(cds: Client) -> None:
    """Insulin glargine with glucose 58 mg/dL: the card offered a serum magnesium level,
    from insulin's own potassium and magnesium checks (a finding the card absorbed)."""
    body = chart(["insulin glargine 20 units at bedtime"], [("glucose", 58, "mg/dL")])
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "low blood sugar" in c["summary"])
    assert MAGNESIUM not in labels(card)
    assert any(label.startswith(BMP) for label in labels(card))


def test_a_contraindicated_pair_card_offers_no_magnesium_order(cds: Client) -> None:
    body = chart(
        ["simvastatin 20 mg daily"], drafts=["cyclosporine 100 mg twice daily"], hook="order-sign"
    )
    card = cards_of(cds, ORDER_SIGN, body)[0]
    assert "contraindicated" in card["summary"]
    # Removing the draft, not cyclosporine's magnesium (nor a CK: "CK if any" symptoms).
    assert labels(card) == ["Remove the draft order of cyclosporine"]


# Units (review14 #13) ---------------------------------------------------------------------


def test_summaries_spell_units_as_clinicians_do(cds: Client) -> None:
    body = chart(
        ["omeprazole 40 mg daily", "furosemide 40 mg daily"], [("magnesium", 1.1, "meq/L")]
    )
    quantity = body["prefetch"]["observations"]["entry"][0]["resource"]["valueQuantity"]
    quantity["unit"] = "mEq/L"  # the UCUM code stays meq/L, as in review14's p34
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "magnesium" in c["summary"])
    assert "magnesium 1.1 mEq/L" in card["summary"], card["summary"]
    assert "meq/L" not in card["summary"]
    assert card["detail"].startswith("**Magnesium-lowering drug with low magnesium")
    assert "1.1 mEq/L" in card["detail"].split("\n", 1)[0]
    assert "meq/L" not in card["detail"].split("**Evidence**", 1)[1]
    # A unit written meq/L as its human text too (p13), on a card whose summary is cut.
    body = chart(
        ["pantoprazole 40 mg daily", "indapamide 2.5 mg daily"],
        [("magnesium", 0.55, "mmol/L"), ("potassium", 3.3, "meq/L")],
    )
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "potassium" in c["summary"])
    assert "potassium 3.3 mEq/L" in card["summary"] and "meq/L" not in card["summary"]


def test_an_added_check_for_a_result_the_card_already_asks_for_is_left_out(
    cds: Client,
) -> None:
    """Review 14 #7: the daptomycin card asked for "CK at least weekly" and then "CK if
    there are muscle symptoms"."""
    body = chart(
        ["atorvastatin 40 mg daily"], drafts=["daptomycin 500 mg IV daily"], hook="order-sign"
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    detail = next(c["detail"] for c in cards if "daptomycin" in c["summary"])
    monitoring = detail.split("**Monitoring**", 1)[1].split("**", 1)[0]
    assert "CK at least weekly" in monitoring
    assert "CK if there are muscle symptoms" not in monitoring


def test_a_result_months_old_is_dated_in_the_summary(cds: Client) -> None:
    """Review 14 #6: a potassium taken months ago was shown as today's state."""
    body = chart(["hydrochlorothiazide 25 mg daily"], labs=[("potassium", 3.1, "mmol/L")])
    taken = datetime.now(UTC).date() - timedelta(days=120)
    observations = body["prefetch"]["observations"]["entry"]
    observations[0]["resource"]["effectiveDateTime"] = f"{taken.isoformat()}T09:30:00Z"
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any(f"potassium 3.1 mmol/L from {taken.strftime('%b %Y')}" in s for s in summaries)
    recent = chart(["hydrochlorothiazide 25 mg daily"], labs=[("potassium", 3.1, "mmol/L")])
    said = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, recent)]
    assert any("potassium 3.1 mmol/L" in s for s in said)
    assert not any("potassium 3.1 mmol/L from" in s for s in said)


# Suggestions that do what the card says (review14 #12) ------------------------------------


def test_cards_that_ask_for_a_ck_offer_a_ck_order(cds: Client) -> None:
    """The daptomycin card said "CK at least weekly during daptomycin" and the statin-CK
    card "Repeat CK", yet only a basic metabolic panel or a magnesium level was ever
    offered (review14 #12)."""
    body = chart(
        ["atorvastatin 40 mg daily"], drafts=["daptomycin 500 mg IV daily"], hook="order-sign"
    )
    card = next(c for c in cards_of(cds, ORDER_SIGN, body) if "daptomycin" in c["summary"])
    assert "CK at least weekly" in card["detail"]
    assert labels(card) == [CK] and card["selectionBehavior"] == "any"
    action = card["suggestions"][0]["actions"][0]
    assert action["type"] == "create"
    assert action["description"] == "Propose a creatine kinase (CK) order"
    assert action["resource"]["resourceType"] == "ServiceRequest"
    assert action["resource"]["status"] == "draft" and action["resource"]["intent"] == "proposal"
    assert action["resource"]["code"]["coding"] == [
        {
            "system": "http://loinc.org",
            "code": "2157-6",
            "display": "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma",
        }
    ]
    assert action["resource"]["subject"] == {"reference": f"Patient/{PATIENT_ID}"}
    # A raised CK on a statin: repeat it.
    body = with_ck(chart(["atorvastatin 40 mg daily"]), 900)
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "raised CK" in c["summary"])
    assert CK in labels(card)
    # A dose-limit card asks for a CK only if there are symptoms ("CK if any"): no order.
    body = chart(["simvastatin 40 mg daily", "amlodipine 10 mg daily"])
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "above 20 mg" in c["summary"])
    assert CK not in labels(card)


def test_a_ck_order_is_offered_once_and_only_where_asked(cds: Client) -> None:
    # Daptomycin with a statin and a raised CK: two cards ask for a CK; the first offers it.
    body = with_ck(chart(["atorvastatin 40 mg daily", "daptomycin 500 mg IV daily"]), 900)
    cards = cards_of(cds, PATIENT_VIEW, body)
    offering = [c for c in cards if CK in labels(c)]
    assert offering == [cards[0]], [c["summary"] for c in cards]
    # Cards that do not ask for a CK outright: a low potassium, a statin alone (minor
    # card), a rule that says "CK if any" muscle symptoms (statin with fenofibrate; a
    # contraindicated pair).
    for body in (
        chart(["hydrochlorothiazide 25 mg daily"], [("potassium", 3.1, "mmol/L")]),
        chart(["atorvastatin 40 mg daily"]),
        chart(["atorvastatin 20 mg daily", "fenofibrate 145 mg daily"]),
        chart(["simvastatin 40 mg daily", "clarithromycin 500 mg bid"]),
    ):
        cards = cards_of(cds, PATIENT_VIEW, body)
        assert cards and not any(CK in labels(c) for c in cards), [c["summary"] for c in cards]


def removals(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        action
        for suggestion in card.get("suggestions", [])
        for action in suggestion["actions"]
        if action["type"] == "delete"
    ]


def test_a_contraindicated_draft_can_be_removed_from_the_order(cds: Client) -> None:
    """Adding clarithromycin to simvastatin: the critical card had no action to remove
    the draft (CDS Hooks 2.0 Action `delete` with `resourceId`, review14 #12)."""
    for path, hook in ((ORDER_SELECT, "order-select"), (ORDER_SIGN, "order-sign")):
        body = chart(
            ["simvastatin 40 mg daily"], drafts=["clarithromycin 500 mg twice daily"], hook=hook
        )
        card = cards_of(cds, path, body)[0]
        assert "contraindicated" in card["summary"]
        remove = card["suggestions"][0]
        assert remove["label"] == "Remove the draft order of clarithromycin" and remove["uuid"]
        assert remove["actions"] == [
            {
                "type": "delete",
                "description": "Remove the draft order of clarithromycin",
                "resourceId": "MedicationRequest/draft-0",
            }
        ]
        # The removal only: the card asks for a CK only if there are muscle symptoms.
        assert labels(card) == ["Remove the draft order of clarithromycin"]
        assert card["selectionBehavior"] == "any"
    # Both drugs new: either draft may be removed; never a current order.
    body = chart(
        drafts=["simvastatin 40 mg daily", "clarithromycin 500 mg twice daily"], hook="order-sign"
    )
    card = cards_of(cds, ORDER_SIGN, body)[0]
    assert sorted(a["resourceId"] for a in removals(card)) == [
        "MedicationRequest/draft-0",
        "MedicationRequest/draft-1",
    ]


def test_no_removal_where_there_is_no_draft_to_point_at(cds: Client) -> None:
    # Patient-view: the pair is the patient's current orders.
    body = chart(["simvastatin 40 mg daily", "clarithromycin 500 mg twice daily"])
    card = next(c for c in cards_of(cds, PATIENT_VIEW, body) if "ontraindicated" in c["summary"])
    assert removals(card) == [] and CK not in labels(card)
    # A draft without an id.
    body = chart(
        ["simvastatin 40 mg daily"], drafts=["clarithromycin 500 mg twice daily"], hook="order-sign"
    )
    del body["context"]["draftOrders"]["entry"][0]["resource"]["id"]
    card = cards_of(cds, ORDER_SIGN, body)[0]
    assert "contraindicated" in card["summary"] and removals(card) == []
    # Not contraindicated (an interaction to monitor): nothing to remove.
    body = chart(
        ["atorvastatin 40 mg daily"], drafts=["daptomycin 500 mg IV daily"], hook="order-sign"
    )
    assert not any(removals(c) for c in cards_of(cds, ORDER_SIGN, body))
    # medication-prescribe (the deprecated hook, no `draftOrders`): no delete.
    body = chart(
        ["simvastatin 40 mg daily"], drafts=["clarithromycin 500 mg twice daily"], hook="order-sign"
    )
    body["hook"] = "medication-prescribe"
    body["context"]["medications"] = body["context"].pop("draftOrders")
    card = cards_of(cds, MEDICATION_PRESCRIBE, body)[0]
    assert "contraindicated" in card["summary"] and removals(card) == []
