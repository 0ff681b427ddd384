"""One drug's problems on one card (review14 #11, #8; ``grouping.join_same_drug``).

A low-dose thiazide with a low potassium and a low sodium was two interruptive warning
cards, each with its own panel order and override; atorvastatin above its limit with
boosted darunavir and the raised CK on it were two cards that talked past each other (the
first said "CK if any" though a raised CK was sent)."""

from __future__ import annotations

import re
from typing import Any

from tests.cdshooks.conftest import ORDER_SIGN, PATIENT_VIEW, Client
from tests.cdshooks.records import chart
from tests.cdshooks.test_service_calls import assert_valid_card, cards_of

BMP = "Order a basic metabolic panel"
CK = "Order a creatine kinase (CK)"


def section(card: dict[str, Any], heading: str) -> list[str]:
    """The bullet lines under a ``**heading**`` of a card's detail."""
    lines = card["detail"].split("\n")
    start = lines.index(f"**{heading}**") + 1
    items: list[str] = []
    for line in lines[start:]:
        if not line.startswith("- "):
            break
        items.append(line[2:])
    return items


def labels(card: dict[str, Any]) -> list[str]:
    return [s["label"] for s in card.get("suggestions", [])]


def test_a_thiazide_with_low_potassium_and_low_sodium_is_one_warning_card(cds: Client) -> None:
    cards = cards_of(
        cds,
        PATIENT_VIEW,
        chart(
            ["hydrochlorothiazide 12.5 mg daily"],
            [("potassium", 3.4, "mmol/L"), ("sodium", 134, "mmol/L")],
        ),
    )
    assert [c["indicator"] for c in cards] == ["warning"]
    (card,) = cards
    assert_valid_card(card)
    assert card["summary"] == (
        "Potassium-lowering drug with low potassium (hydrochlorothiazide, potassium 3.4 mmol/L),"
        " with low sodium 134 mmol/L"
    )
    # Both problems, with their own detail, monitoring and management, each line once.
    assert (
        "**Thiazide diuretic with low sodium (hydrochlorothiazide, sodium 134 mmol/L)**"
        " (moderate). A thiazide" in card["detail"]
    )
    monitoring, management = section(card, "Monitoring"), section(card, "Management")
    assert monitoring[:2] == [
        "Potassium and magnesium within days",
        "Sodium within days",  # its potassium is asked for on the line before
    ]
    assert any(line.startswith("Replace potassium") for line in management)
    assert any(line.startswith("Evaluate the hyponatremia") for line in management)
    assert len(set(monitoring)) == len(monitoring) and len(set(management)) == len(management)
    evidence = section(card, "Evidence")
    assert any(line.startswith("Thiazide diuretic with low sodium") for line in evidence)
    assert any("Thiazide-induced hyponatremia" in line for line in evidence)
    # The panel offered once, one set of override reasons; the topic stays the lead's.
    assert sum(label.startswith(BMP) for label in labels(card)) == 1
    assert (
        card["source"]["topic"]["code"] == "combination/potassium_lowering_drug_with_low_potassium"
    )


def test_a_statin_above_its_limit_with_a_raised_ck_is_one_card_that_reads_right(
    cds: Client,
) -> None:
    cards = cards_of(
        cds,
        PATIENT_VIEW,
        chart(
            ["darunavir 800 mg / cobicistat 150 mg daily", "atorvastatin 80 mg daily"],
            [("ck", 1000, "U/L")],  # over 4 times the upper limit: a problem, not a watch point
        ),
    )
    assert [c["indicator"] for c in cards] == ["warning"]
    (card,) = cards
    assert_valid_card(card)
    assert "darunavir + cobicistat" in card["summary"] and "raised CK 1000 U/L" in card["summary"]
    assert (
        "**Statin with a raised CK (atorvastatin, creatine kinase (CK) 1000 U/L)**"
        " (moderate). A CK over 4 times the upper limit" in card["detail"]
    )
    monitoring = section(card, "Monitoring")
    # The raised CK answers the interaction's "Muscle pain or weakness; CK if any".
    assert not any(re.search(r"\bCK if any\b", line) for line in monitoring), monitoring
    assert monitoring[0] == "Repeat CK with creatinine and TSH"
    assert any(line.startswith("Atorvastatin dose: 20 mg a day at most") for line in monitoring)
    management = section(card, "Management")
    assert any(line.startswith("Lower atorvastatin to 20 mg a day") for line in management)
    assert any(line.startswith("Hold the statin if CK is above 10 times") for line in management)
    assert labels(card) == [CK]
    # Both problems' first sources are the card's links.
    assert [link["url"] for link in card["links"]] == [
        "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=LIPITOR",
        "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=ZOCOR",
    ]


def test_problems_of_different_drugs_stay_cards_of_their_own(cds: Client) -> None:
    cards = cards_of(
        cds,
        PATIENT_VIEW,
        chart(
            ["hydrochlorothiazide 12.5 mg daily", "atorvastatin 40 mg daily"],
            [("ck", 1000, "U/L"), ("sodium", 133, "mmol/L")],
        ),
    )
    assert sorted(c["summary"].split(" (")[0] for c in cards) == [
        "Statin with a raised CK",
        "Thiazide diuretic with low sodium",
    ]


def test_a_critical_problem_is_not_joined_to_a_warning_of_the_same_drug(cds: Client) -> None:
    cards = cards_of(
        cds,
        PATIENT_VIEW,
        chart(
            ["hydrochlorothiazide 25 mg daily"],
            [("potassium", 2.8, "mmol/L"), ("sodium", 133, "mmol/L")],
        ),
    )
    assert [(c["indicator"], c["summary"].split(" (")[0]) for c in cards] == [
        ("critical", "Potassium-lowering drug with low potassium"),
        ("warning", "Thiazide diuretic with low sodium"),
    ]


def test_an_order_card_joined_stays_about_the_drafted_order(cds: Client) -> None:
    cards = cards_of(
        cds,
        ORDER_SIGN,
        chart(
            [],
            [("potassium", 3.4, "mmol/L"), ("sodium", 134, "mmol/L")],
            drafts=["hydrochlorothiazide 12.5 mg daily"],
            hook="order-sign",
        ),
    )
    assert [c["summary"] for c in cards] == [
        "Adding hydrochlorothiazide: potassium-lowering drug with low potassium"
        " (potassium 3.4 mmol/L), with low sodium 134 mmol/L"
    ]


def test_a_joined_result_is_said_without_its_band_aside(cds: Client) -> None:
    """Review 18 D3: "with raised CK (over 2,000 U/L) 2500 U/L" read oddly."""
    body = chart(
        ["simvastatin 40 mg daily", "amlodipine 10 mg daily"],
        labs=[("ck", 2500, "U/L")],  # about 8 times a man's upper limit: a warning
        gender="male",
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any(s.endswith(", with raised CK 2500 U/L") for s in summaries), summaries
