"""Through `POST /v1/check/fhir`: a finished course, an expired prescription, a plan and
an old episode left open are not read as current; each is listed in `ignored`. A coded
medication's dosage text is read with it (dose, hold)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings
from tests.fhir.builders import check, finding_ids, order, reasons

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
ORDER_SIGN = "/cds-services/cramp-risk-order-sign"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
# The documented limit (docs/cds-hooks.md) on an episode that ends.
EPISODE_DAYS = 90
TODAY = datetime.now(UTC).date()
CONTRAINDICATED = "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor"
SIMVASTATIN = {"text": "simvastatin 40 mg tablet"}
CLARITHROMYCIN = {"text": "clarithromycin 500 mg tablet"}

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def rest() -> Iterator[Client]:
    with TestClient(create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))) as client:
        yield client


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def simvastatin() -> dict[str, Any]:
    return order("simva", "p1", medicationCodeableConcept=SIMVASTATIN)


def clarithromycin(**extra: Any) -> dict[str, Any]:
    return {**order("clari", "p1", medicationCodeableConcept=CLARITHROMYCIN), **extra}


def bounded(**bounds: Any) -> dict[str, Any]:
    return {"timing": {"repeat": bounds}, "text": "500 mg twice a day"}


def statement(rid: str, medication: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": medication,
        **extra,
    }


def test_the_interaction_is_found_while_the_course_runs(rest: Client) -> None:
    running = clarithromycin(
        authoredOn=days_ago(3),
        dosageInstruction=[bounded(boundsPeriod={"start": days_ago(3), "end": days_ago(-4)})],
        dispenseRequest={"validityPeriod": {"start": days_ago(3), "end": days_ago(-30)}},
    )
    report = check(rest, simvastatin(), running)
    assert CONTRAINDICATED in finding_ids(report)
    assert report["ignored"] == []
    # A course with one open-ended dosage (a taper's last step) is still taken.
    tapering = clarithromycin(
        dosageInstruction=[bounded(boundsPeriod={"end": days_ago(20)}), bounded()],
    )
    assert CONTRAINDICATED in finding_ids(check(rest, simvastatin(), tapering))


@pytest.mark.parametrize(
    ("finished", "reason"),
    [
        (
            {
                "dosageInstruction": [
                    bounded(boundsPeriod={"start": "2025-03-01", "end": "2025-03-10"})
                ]
            },
            "course ended 2025-03-10 (boundsPeriod.end): not taken now",
        ),
        (
            {
                "authoredOn": "2025-03-01T09:30:00-05:00",
                "dosageInstruction": [
                    bounded(
                        boundsDuration={
                            "value": 10,
                            "unit": "days",
                            "system": "http://unitsofmeasure.org",
                            "code": "d",
                        }
                    )
                ],
            },
            "course ended (boundsDuration 10 d from authoredOn 2025-03-01T09:30:00-05:00): "
            "not taken now",
        ),
        (
            {
                "dosageInstruction": [
                    bounded(
                        boundsPeriod={"start": "2025-03-01"},
                        boundsDuration={"value": 2, "unit": "wk"},
                    )
                ]
            },
            "course ended (boundsDuration 2 wk from boundsPeriod.start 2025-03-01): not taken now",
        ),
        (
            {"dispenseRequest": {"validityPeriod": {"start": "2025-03-01", "end": "2025-04-01"}}},
            "prescription valid until 2025-04-01 (dispenseRequest.validityPeriod.end): "
            "not taken now",
        ),
    ],
)
def test_a_finished_order_still_active_is_not_current(
    rest: Client, finished: dict[str, Any], reason: str
) -> None:
    report = check(rest, simvastatin(), clarithromycin(**finished))
    assert CONTRAINDICATED not in finding_ids(report)
    assert [m["concept"] for m in report["medications"]] == ["simvastatin"]
    assert reasons(report) == {"MedicationRequest/clari": reason}


def test_a_finished_statement_is_not_current(rest: Client) -> None:
    ended = statement(
        "st-clari", CLARITHROMYCIN, effectivePeriod={"start": "2025-03-01", "end": "2025-03-10"}
    )
    report = check(rest, simvastatin(), ended)
    assert CONTRAINDICATED not in finding_ids(report)
    assert reasons(report) == {
        "MedicationStatement/st-clari": (
            "course ended 2025-03-10 (effectivePeriod.end): not taken now"
        )
    }
    # Only an end closes it: a start, a date taken, or an end ahead keep it current.
    for current in (
        {"effectivePeriod": {"start": "2025-03-01"}},
        {"effectiveDateTime": "2025-03-01"},
        {"effectivePeriod": {"start": days_ago(2), "end": days_ago(-5)}},
    ):
        kept = check(rest, simvastatin(), statement("st-clari", CLARITHROMYCIN, **current))
        assert CONTRAINDICATED in finding_ids(kept), current


def test_an_end_today_or_yesterday_is_not_over_everywhere(rest: Client) -> None:
    """A date without a time ends at midnight of the latest time zone (UTC-12): a course
    ending yesterday may still be running for the patient; the day before is over."""
    for days, over in ((0, False), (1, False), (2, True)):
        dosage = bounded(boundsPeriod={"end": days_ago(days)})
        report = check(rest, simvastatin(), clarithromycin(dosageInstruction=[dosage]))
        assert (CONTRAINDICATED not in finding_ids(report)) is over, days
    # A dateTime with its zone is exact.
    hour_ago = (datetime.now(UTC) - timedelta(days=1, hours=1)).isoformat()
    dosage = bounded(boundsPeriod={"end": hour_ago})
    report = check(rest, simvastatin(), clarithromycin(dosageInstruction=[dosage]))
    assert CONTRAINDICATED not in finding_ids(report)


@pytest.mark.parametrize("intent", ["plan", "proposal", "option"])
def test_a_plan_or_proposal_is_not_an_order_taken(rest: Client, intent: str) -> None:
    report = check(rest, simvastatin(), clarithromycin(intent=intent))
    assert CONTRAINDICATED not in finding_ids(report)
    assert reasons(report) == {"MedicationRequest/clari": f"intent {intent}: not an order"}


@pytest.mark.parametrize(
    "intent", ["order", "original-order", "reflex-order", "filler-order", "instance-order"]
)
def test_orders_of_every_kind_are_read(rest: Client, intent: str) -> None:
    assert CONTRAINDICATED in finding_ids(check(rest, simvastatin(), clarithromycin(intent=intent)))


@pytest.mark.parametrize("intent", ["proposal", "plan", "order"])
def test_a_draft_order_is_the_order_being_signed_whatever_its_intent(
    rest: Client, intent: str
) -> None:
    body = json.loads((FIXTURES / "cds_order_sign.json").read_text(encoding="utf-8"))
    for entry in body["context"]["draftOrders"]["entry"]:
        entry["resource"]["intent"] = intent
    response = rest.post(ORDER_SIGN, json=body)
    assert response.status_code == 200, response.text
    summaries = [c["summary"] for c in response.json()["cards"]]
    assert any(s.startswith("Adding hydrochlorothiazide:") for s in summaries), summaries


def condition(rid: str, code: str, display: str, **dates: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
        **dates,
    }


def test_an_old_episode_left_open_is_not_current(rest: Client) -> None:
    report = check(
        rest,
        order("furo", "p1", medicationCodeableConcept={"text": "furosemide 40 mg"}),
        condition("dehydr", "34095006", "Dehydration", recordedDate="2023-06-12"),
        condition("hypogly", "302866003", "Hypoglycemia", onsetDateTime="2022-02-03"),
        condition("hypok", "43339004", "Hypokalemia", onsetPeriod={"start": "2021-09-01"}),
        # Chronic: recorded once, true for good.
        condition("hypothyroid", "40930008", "Hypothyroidism", recordedDate="2019-05-01"),
        # Acute for "history of", but often lasting (may_persist): still counted.
        condition("sciatica", "23056005", "Sciatica", recordedDate="2020-03-01"),
    )
    ids = finding_ids(report)
    assert "combination/diuretic_with_dehydration" not in ids
    assert not any("hypokalemia" in i or "dehydration" in i for i in ids), ids
    assert {"condition/hypothyroidism", "condition/sciatica"} <= set(ids)
    assert [c["concept"] for c in report["conditions"]] == [
        "hypothyroidism",
        "sciatica or lumbosacral radiculopathy",
    ]
    window = f"more than {EPISODE_DAYS} days ago, not current"
    assert reasons(report) == {
        "Condition/dehydr": f"an episode that ends, last dated 2023-06-12: {window}",
        "Condition/hypogly": f"an episode that ends, last dated 2022-02-03: {window}",
        "Condition/hypok": f"an episode that ends, last dated 2021-09-01: {window}",
    }


def test_a_recent_or_undated_episode_is_current(rest: Client) -> None:
    furosemide = order("furo", "p1", medicationCodeableConcept={"text": "furosemide 40 mg"})
    for dates in (
        {"recordedDate": days_ago(EPISODE_DAYS - 1)},
        # Begun long ago, recorded again lately: the latest date counts.
        {"onsetDateTime": "2021-01-01", "recordedDate": days_ago(10)},
        {},
    ):
        report = check(rest, furosemide, condition("dehydr", "34095006", "Dehydration", **dates))
        assert "combination/diuretic_with_dehydration" in finding_ids(report), dates
        assert report["ignored"] == []


SIMVASTATIN_20 = {
    "coding": [{"system": RXNORM, "code": "312961", "display": "Simvastatin 20 MG Oral Tablet"}]
}
AMLODIPINE = {"text": "amlodipine 5 mg tablet"}
ABOVE_20_MG = "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine"


def simvastatin_20(dosage_text: str | None, kind: str = "MedicationRequest") -> dict[str, Any]:
    use = order("simva", "p1", medicationCodeableConcept=SIMVASTATIN_20)
    if kind == "MedicationStatement":
        use = statement("simva", SIMVASTATIN_20)
    if dosage_text is not None:
        key = "dosage" if kind == "MedicationStatement" else "dosageInstruction"
        use[key] = [{"text": dosage_text}]
    return use


@pytest.mark.parametrize("kind", ["MedicationRequest", "MedicationStatement"])
def test_the_dosage_text_gives_the_dose(rest: Client, kind: str) -> None:
    amlodipine = order("amlo", "p1", medicationCodeableConcept=AMLODIPINE)
    one = check(rest, simvastatin_20(None, kind), amlodipine)
    assert ABOVE_20_MG not in finding_ids(one)
    two = check(rest, simvastatin_20("Take 2 tablets by mouth at bedtime", kind), amlodipine)
    assert ABOVE_20_MG in finding_ids(two)
    assert {f["id"]: f["severity"] for f in two["findings"]}[ABOVE_20_MG] == "moderate"
    # The item is still the coded product, read by its code, shown by its display.
    assert two["medications"][0]["match"] == "code"
    assert two["sources"]["medications"][0]["display"] == "Simvastatin 20 MG Oral Tablet"


def test_a_hold_in_the_dosage_text_is_read(rest: Client) -> None:
    held = check(rest, simvastatin_20("HOLD"))
    assert held["medications"][0]["status"] == "recognized"
    assert held["findings"] == []
    # A hold on a condition is an instruction, not a hold.
    taken = check(rest, simvastatin_20("Take 1 tablet daily. Hold if muscle pain"))
    assert taken["medications"][0]["status"] == "flagged"


def test_a_dosage_text_naming_another_drug_adds_no_ingredient(rest: Client) -> None:
    text_only = order("furo", "p1", medicationCodeableConcept={"text": "furosemide 40 mg"})
    text_only["dosageInstruction"] = [{"text": "Take with potassium chloride"}]
    report = check(rest, text_only)
    assert report["medications"][0]["concepts"] == ["furosemide"]


def potassium(rid: str, when: str, value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "mmol/L"},
    }


def test_a_result_dated_in_the_future_is_an_entry_error(rest: Client) -> None:
    """Review 20 B9: a potassium of 2.0 dated 2099 (a year typed wrong) replaced the real
    latest result (4.2, last week) and gave "severely low potassium"."""
    patient = {"resourceType": "Patient", "id": "p1"}
    real = potassium("real", days_ago(7), 4.2)
    for when in ("2099-01-01", (TODAY + timedelta(days=3)).isoformat()):
        report = check(rest, patient, real, potassium("future", when, 2.0))
        assert report["risk"] == "none", report["findings"]
        assert reasons(report)["Observation/future"] == "dated in the future: an entry error"
        assert "Observation/real" not in reasons(report)
    # Today and tomorrow (another time zone, a clock ahead) are not the future.
    for when in (TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat()):
        report = check(rest, patient, real, potassium("soon", when, 2.0))
        assert "Observation/soon" not in reasons(report)
        assert reasons(report)["Observation/real"].startswith("a more recent result is used")
