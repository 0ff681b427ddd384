"""What a card says: one problem's monitoring and management, unrepeated, within a length;
which cards each hook shows (CRAMP_CDS_*_MIN_INDICATOR)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.app import create_app
from service.cdshooks.cards import DETAIL_MAX
from service.cdshooks.checks import MAX_ADDED
from service.settings import ConfigurationError, Settings
from tests.cdshooks.conftest import ORDER_SIGN, PATIENT_VIEW, Client, make_client
from tests.cdshooks.records import chart, elderly_chart
from tests.cdshooks.test_service_calls import cards_of


def section(detail: str, heading: str) -> list[str]:
    if f"**{heading}**" not in detail:
        return []
    body = detail.split(f"**{heading}**\n", 1)[1].split("\n\n", 1)[0]
    return [line.removeprefix("- ") for line in body.splitlines()]


def key(line: str) -> str:
    return " ".join(re.sub(r"\W+", " ", line.casefold()).split())


def lead_finding(client: Client, card: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    """The engine's finding a card is about, from the REST API for the same chart."""
    response = client.post("/v1/check", json=rest)
    assert response.status_code == 200, response.text
    topic = card["source"]["topic"]["code"]
    found: dict[str, Any] = next(f for f in response.json()["findings"] if f["id"] == topic)
    return found


def rest_request(meds: list[str], labs: list[tuple[str, float, str]]) -> dict[str, Any]:
    loinc = {"potassium": "2823-3", "magnesium": "19123-9"}
    return {
        "patient": {"age": 70, "sex": "female"},
        "medications": [{"text": m} for m in meds],
        "labs": [
            {"coding": [{"system": "loinc", "code": loinc[a]}], "value": v, "unit": u}
            for a, v, u in labs
        ],
    }


def test_a_card_gives_its_problems_own_checks_then_a_few_unrepeated(cds: Client) -> None:
    """Potassium 3.4 on furosemide: the card listed both findings' "ECG if potassium is below
    3.0" lines and every absorbed finding's whole lists (an ECG is asked for only below 3.0)."""
    meds, labs = ["furosemide 40 mg daily"], [("potassium", 3.4, "mmol/L")]
    cards = cards_of(cds, PATIENT_VIEW, chart(meds, labs))
    card = next(c for c in cards if "low potassium" in c["summary"])
    lead = lead_finding(cds, card, rest_request(meds, labs))
    monitoring = section(card["detail"], "Monitoring")
    management = section(card["detail"], "Management")
    assert monitoring[: len(lead["monitoring"])] == lead["monitoring"]
    assert len(monitoring) <= len(lead["monitoring"]) + MAX_ADDED
    assert management[: len(lead["management"])] == lead["management"]
    assert sum("ECG" in line for line in monitoring) == 0
    for lines in (monitoring, management):
        assert len({key(line) for line in lines}) == len(lines)
    # The absorbed drug finding's cramp self-care is not what to do about this problem.
    assert not any("stretch" in line.lower() for line in management)


def test_a_card_asks_for_a_check_once_whatever_its_timing(cds: Client) -> None:
    """Potassium 3.2 on furosemide and prednisone: the card said "Potassium and magnesium
    within days" (its problem's own check) and then "Potassium and magnesium in 1-2 weeks"
    (the absorbed diuretic-with-corticosteroid finding's)."""
    meds = ["furosemide 40 mg daily", "prednisone 20 mg daily"]
    cards = cards_of(cds, PATIENT_VIEW, chart(meds, [("potassium", 3.2, "mmol/L")]))
    card = next(c for c in cards if "low potassium" in c["summary"].lower())
    monitoring = section(card["detail"], "Monitoring")
    assert "Potassium and magnesium within days" in monitoring
    assert not any(
        "1-2 weeks" in line and line.startswith("Potassium and magnesium in") for line in monitoring
    )


def test_a_contraindicated_pair_card_has_no_self_care_advice(cds: Client) -> None:
    meds = ["simvastatin 40 mg daily", "clarithromycin 500 mg twice daily"]
    cards = cards_of(cds, PATIENT_VIEW, chart(meds))
    card = next(c for c in cards if c["indicator"] == "critical")
    lead = lead_finding(cds, card, rest_request(meds, []))
    management = section(card["detail"], "Management")
    assert management == lead["management"]
    assert "stretch the calf" not in card["detail"]
    assert len(card["detail"]) <= DETAIL_MAX


def test_magnesium_card_lists_each_check_once(cds: Client) -> None:
    meds = [
        "omeprazole 40 mg daily",
        "pantoprazole 40 mg daily",
        "furosemide 40 mg daily",
        "hydrochlorothiazide 25 mg daily",
    ]
    cards = cards_of(cds, PATIENT_VIEW, chart(meds, [("magnesium", 1.4, "mg/dL")]))
    card = next(c for c in cards if "magnesium" in c["summary"].lower())
    monitoring = section(card["detail"], "Monitoring")
    assert len({key(line) for line in monitoring}) == len(monitoring)
    assert sum(line.lower().startswith("magnesium") for line in monitoring) <= 2


def test_card_detail_is_capped(cds: Client) -> None:
    body = elderly_chart()
    statements = body["prefetch"]["medicationStatements"]["entry"]
    # Unrecognized drugs with very long EHR texts: named, cut, within the cap.
    for i in range(8):
        statements.append(
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": f"ms-unknown-{i}",
                    "status": "active",
                    "subject": {"reference": "Patient/rec-1"},
                    "medicationCodeableConcept": {"text": f"Zyxoflam{i} " + "extract " * 400},
                }
            }
        )
    cards = cards_of(cds, PATIENT_VIEW, body)
    # Digoxin with the low potassium and magnesium is one card (one problem), not two.
    assert len(cards) >= 3
    disclaimer = cards[0]["detail"].rsplit("\n", 1)[1]
    for card in cards:
        detail = card["detail"]
        assert len(detail) <= DETAIL_MAX, (card["summary"], len(detail))
        assert detail.endswith(disclaimer)
        assert detail.startswith("**")
        assert "**Monitoring**" in detail


def test_order_hooks_leave_out_info_cards_by_default(request_body: Any) -> None:
    """A new statin with nothing abnormal is one low contributor: order hooks stay quiet
    (CRAMP_CDS_ORDER_MIN_INDICATOR=warning); patient-view still lists it."""
    order = chart(hook="order-sign", drafts=["atorvastatin 20 mg daily"])
    quiet, chatty, strict = (
        make_client(),
        make_client(cds_order_min_indicator="info"),
        make_client(cds_order_min_indicator="critical", cds_patient_view_min_indicator="warning"),
    )
    try:
        assert cards_of(quiet, ORDER_SIGN, order) == []
        assert [c["indicator"] for c in cards_of(chatty, ORDER_SIGN, order)] == ["info"]
        view = chart(["atorvastatin 20 mg daily"])
        assert [c["indicator"] for c in cards_of(quiet, PATIENT_VIEW, view)] == ["info"]
        assert cards_of(strict, PATIENT_VIEW, view) == []
        # A new thiazide with low potassium (warning) is shown by default, not at critical.
        signed = request_body("cds_order_sign.json")
        assert "warning" in {c["indicator"] for c in cards_of(quiet, ORDER_SIGN, signed)}
        assert cards_of(strict, ORDER_SIGN, signed) == []
        # A contraindicated new order is critical: always shown.
        pair = chart(
            ["clarithromycin 500 mg twice daily"],
            hook="order-sign",
            drafts=["simvastatin 40 mg daily"],
        )
        assert [c["indicator"] for c in cards_of(strict, ORDER_SIGN, pair)] == ["critical"]
    finally:
        for client in (quiet, chatty, strict):
            client.__exit__(None, None, None)


@pytest.mark.parametrize(
    "variable", ["CRAMP_CDS_ORDER_MIN_INDICATOR", "CRAMP_CDS_PATIENT_VIEW_MIN_INDICATOR"]
)
def test_a_bad_min_indicator_stops_the_start(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, "loud")
    with pytest.raises(ConfigurationError) as raised:
        create_app()
    assert raised.value.variable == variable
    assert raised.value.reason == "must be info, warning or critical"
    monkeypatch.setenv(variable, "critical")
    assert Settings.from_env().cds_min_indicator(orders="ORDER" in variable) == "critical"


def test_a_ucum_unit_code_reads_as_clinicians_write_it(cds: Client) -> None:
    """FHIR results carry the UCUM code (`m[IU]/L`); card summaries name `mIU/L`. (The
    engine's finding title still echoes the unit as received: see the report.)"""
    body = chart(
        ["albuterol inhaler as needed"], [("tsh", 6.2, "m[IU]/L")], birth_date="1955-03-14"
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any("TSH 6.2 mIU/L" in s for s in summaries), summaries
    assert not any("[IU]" in s for s in summaries)


def test_an_egfr_ucum_code_with_an_annotation_reads_as_clinicians_write_it(cds: Client) -> None:
    """Most EHRs send eGFR as `mL/min/{1.73_m2}`: the card shows `mL/min/1.73m2`
    (pharmacist review 11, item 5)."""
    body = chart(
        ["denosumab 60 mg subcut every 6 months"],
        [("calcium", 8.0, "mg/dL"), ("egfr", 25, "mL/min/{1.73_m2}")],
    )
    cards = cards_of(cds, PATIENT_VIEW, body)
    summaries = [c["summary"] for c in cards]
    assert any("eGFR 25.0 mL/min/1.73m2" in s for s in summaries), summaries
    assert not any("{" in summary for summary in summaries)
    # With the unit written for people sent too, the card's list of what it is based on
    # shows that unit (review 13), not the escaped UCUM code.
    observations = body["prefetch"]["observations"]["entry"]
    observations[1]["resource"]["valueQuantity"]["unit"] = "mL/min/1.73m2"
    details = [c["detail"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any("25.0 mL/min/1.73m2 (Observation/obs-1)" in d for d in details), details
    assert not any("1.73\\_m2" in d for d in details)


def test_a_long_summary_keeps_the_result_and_names_what_does_not_fit(cds: Client) -> None:
    """Acetazolamide added to five potassium-lowering drugs with a potassium of 2.8: the
    summary was cut mid-word and lost the value."""
    meds = [
        "furosemide 40 mg daily",
        "hydrochlorothiazide 25 mg daily",
        "prednisone 20 mg daily",
        "albuterol nebulizer 2.5 mg every 6 hours",
        "amphotericin B 50 mg IV daily",
    ]
    body = chart(
        meds, [("potassium", 2.8, "mmol/L")], hook="order-sign", drafts=["acetazolamide 250 mg"]
    )
    card = next(c for c in cards_of(cds, ORDER_SIGN, body) if c["indicator"] == "critical")
    summary = card["summary"]
    assert len(summary) <= 139
    assert summary.startswith("Adding acetazolamide: ")
    assert "potassium 2.8 mmol/L" in summary
    assert "more)" in summary and "…" not in summary


def test_a_card_shows_a_bound_with_its_comparator(cds: Client) -> None:
    """review51 D6: a potassium sent as "<2.5" (a bound) was "potassium 2.5 mmol/L" in the
    card's summary and detail."""
    body = chart(["furosemide 40 mg daily"], [("potassium", 2.5, "mmol/L")])
    observation = body["prefetch"]["observations"]["entry"][0]["resource"]
    observation["valueQuantity"]["comparator"] = "<"
    cards = cards_of(cds, PATIENT_VIEW, body)
    card = next(c for c in cards if "potassium" in c["summary"])
    assert "potassium <2.5 mmol/L" in card["summary"], card["summary"]
    assert "2.5 mmol/L" not in card["detail"].replace("<2.5 mmol/L", "")
