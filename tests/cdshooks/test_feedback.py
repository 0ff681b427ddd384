"""Feedback: accepted, counted by outcome, reason and finding; nothing about the patient kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from service.cdshooks.feedback import FeedbackLog
from service.cdshooks.models import FeedbackItem
from service.cdshooks.suggestions import OVERRIDE_SYSTEM
from tests.cdshooks.conftest import PATIENT_VIEW, TEST_SETTINGS, Client

Body = Callable[[str], dict[str, Any]]
FEEDBACK = f"{PATIENT_VIEW}/feedback"


def overridden(card: str, code: str, comment: str = "") -> dict[str, Any]:
    reason: dict[str, Any] = {"reason": {"code": code, "system": OVERRIDE_SYSTEM}}
    if comment:
        reason["userComment"] = comment
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": reason,
        "outcomeTimestamp": "2026-11-24T10:00:00Z",
    }


def test_feedback_is_counted_per_outcome_reason_and_finding(
    client_with: Callable[..., Client], request_body: Body
) -> None:
    client = client_with(TEST_SETTINGS)
    cards = client.post(PATIENT_VIEW, json=request_body("cds_patient_view.json")).json()["cards"]
    critical = next(c for c in cards if c["indicator"] != "info")
    suggestion = critical["suggestions"][0]["uuid"]
    body = {
        "feedback": [
            overridden(critical["uuid"], "will-monitor", "Mrs Wolf, DOB 1949-07-21, says fine"),
            overridden(critical["uuid"], "free text John Smith"),
            {
                "card": critical["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": suggestion}],
                "outcomeTimestamp": "2026-11-24T10:01:00Z",
            },
        ]
    }
    response = client.post(FEEDBACK, json=body)
    assert response.status_code == 200
    assert response.json() == {"received": 3}
    summary = client.get(f"{FEEDBACK}/summary").json()
    assert summary["accepted"] == 1 and summary["overridden"] == 2
    # Only codes this service offers are kept; anything else is "other".
    assert summary["overrideReasons"] == {"other": 1, "will-monitor": 1}
    finding = "combination/drug_with_low_potassium_and_low_magnesium"
    assert summary["findings"][finding] == {"accepted": 1, "overridden": 2}
    # Counted under the card's problem, the code of its `source.topic`.
    assert critical["source"]["topic"]["code"] == finding
    assert summary["problems"] == {finding: {"accepted": 1, "overridden": 2}}
    text = str(summary)
    for identifying in ("Wolf", "1949", "John", "cdsp-1001", "2026-11-24"):
        assert identifying not in text
    # Counts are per service.
    other = client.get("/cds-services/cramp-risk-order-sign/feedback/summary").json()
    assert other["accepted"] == other["overridden"] == 0


def test_feedback_on_unknown_cards_is_still_counted(cds: Client) -> None:
    response = cds.post(
        "/cds-services/cramp-risk-order-select/feedback",
        json={"feedback": [overridden("not-a-card-we-issued", "not-applicable")]},
    )
    assert response.status_code == 200
    summary = cds.get("/cds-services/cramp-risk-order-select/feedback/summary").json()
    assert summary["overridden"] >= 1 and summary["findings"] == summary["problems"] == {}


def test_bad_feedback_is_400_with_a_pointer(cds: Client) -> None:
    response = cds.post(FEEDBACK, json={"feedback": [{"card": "x", "outcome": "accepted"}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/feedback/0"  # no outcomeTimestamp
    response = cds.post(
        FEEDBACK,
        json={"feedback": [{"card": "x", "outcome": "maybe", "outcomeTimestamp": "t"}]},
    )
    assert response.json()["errors"][0]["pointer"] == "/feedback/0/outcome"


def test_feedback_on_cards_of_different_calls_adds_up_per_problem(
    client_with: Callable[..., Client], request_body: Body
) -> None:
    client = client_with(TEST_SETTINGS)
    calls = [
        client.post(PATIENT_VIEW, json=request_body("cds_patient_view.json")).json()["cards"]
        for _ in range(3)
    ]
    cards = [next(c for c in cards if c["indicator"] != "info") for cards in calls]
    assert len({c["uuid"] for c in cards}) == 3  # a new uuid on every call
    problem = cards[0]["source"]["topic"]["code"]
    assert {c["source"]["topic"]["code"] for c in cards} == {problem}
    reasons = ["will-monitor", "recent-labs-normal", "benefit-outweighs-risk"]
    body = {"feedback": [overridden(c["uuid"], r) for c, r in zip(cards, reasons, strict=True)]}
    assert client.post(FEEDBACK, json=body).json() == {"received": 3}
    summary = client.get(f"{FEEDBACK}/summary").json()
    assert summary["problems"] == {problem: {"overridden": 3}}
    assert summary["overrideReasons"] == dict.fromkeys(sorted(reasons), 1)


def test_the_card_log_is_bounded_and_keeps_only_rule_ids() -> None:
    log = FeedbackLog([], max_cards=2)
    for n in range(3):
        log.issued(f"card-{n}", ["combination/x", f"medication/drug{n}"])
    items = [
        msgspec.convert(overridden(card, "will-monitor"), FeedbackItem)
        for card in ("card-0", "card-2")
    ]
    assert log.record("svc", items) == 2
    summary = log.summary("svc")
    # card-0 was forgotten (the oldest of three, two kept): counted by outcome only.
    assert summary.overridden == 2
    assert summary.problems == {"combination/x": {"overridden": 1}}
    assert summary.findings == {
        "combination/x": {"overridden": 1},
        "medication/drug2": {"overridden": 1},
    }
