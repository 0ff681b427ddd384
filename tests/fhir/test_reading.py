"""How FHIR records are read, through `POST /v1/check/fhir`: history is not read as
current (pregnancy above all), a deceased patient is said to be so, lab values are found
in panels, integers and numeric strings, and drugs in Medication ingredients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings
from tests.fhir.builders import check, finding_ids, order, reasons

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
TODAY = datetime.now(UTC).date()
SUBJECT = {"reference": "Patient/p1"}
ACTIVE = {"coding": [{"code": "active"}]}

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def rest() -> Iterator[Client]:
    with TestClient(create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))) as client:
        yield client


def years_ago(years: int, days: int = 0) -> str:
    return (TODAY - timedelta(days=365 * years + years // 4 + days)).isoformat()


def patient(birth: str, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": birth, **extra}


def condition(rid: str, code: str, display: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": ACTIVE,
        "subject": SUBJECT,
        "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
        **extra,
    }


def threatened_miscarriage(rid: str, **extra: Any) -> dict[str, Any]:
    """A pregnancy-related condition (an ongoing pregnancy), by its text only."""
    found = condition(rid, "", "", **extra)
    found["code"] = {"text": "Threatened miscarriage"}
    return found


def observation(rid: str, **values: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": SUBJECT,
        "effectiveDateTime": (TODAY - timedelta(days=3)).isoformat(),
        **values,
    }


def coded(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}]}


POTASSIUM = coded("2823-3", "Potassium [Moles/volume] in Serum or Plasma")
GLUCOSE = coded("2345-7", "Glucose [Mass/volume] in Serum or Plasma")


def test_a_recent_pregnancy_is_read(rest: Client) -> None:
    report = check(
        rest,
        patient(years_ago(31)),
        condition("preg", "72892002", "Normal pregnancy", onsetDateTime=years_ago(0, 60)),
    )
    assert "condition/pregnancy" in finding_ids(report)
    assert report["deceased"] is False


def test_an_old_pregnancy_left_open_is_history(rest: Client) -> None:
    report = check(
        rest,
        patient(years_ago(38)),
        condition("preg", "72892002", "Normal pregnancy", onsetDateTime=years_ago(6)),
        # Left active for two years without an abatement (Synthea does this).
        threatened_miscarriage("misc", recordedDate=years_ago(2)),
        # A miscarriage ends a pregnancy: recognized, and never read as one.
        condition("loss", "19169002", "Miscarriage in first trimester"),
    )
    assert "condition/pregnancy" not in finding_ids(report)
    why = reasons(report)
    assert "more than 300 days ago, not a current pregnancy" in why["Condition/preg"]
    assert why["Condition/misc"].startswith("pregnancy-related, recorded")
    assert "Condition/loss" not in why
    assert [c["status"] for c in report["conditions"]] == ["recognized"]


def test_a_deceased_woman_of_100_is_not_pregnant(rest: Client) -> None:
    report = check(
        rest,
        patient(years_ago(100), deceasedDateTime=years_ago(0, 20)),
        threatened_miscarriage("misc", onsetDateTime="1958-04-02"),
        order("furo", "p1", medicationCodeableConcept={"text": "furosemide 40 mg"}),
    )
    assert report["deceased"] is True
    assert "condition/pregnancy" not in finding_ids(report)
    assert reasons(report)["Condition/misc"] == "pregnancy-related, and the patient is deceased"
    # The record itself is still read and reported.
    assert "medication/furosemide" in finding_ids(report)


def test_an_undated_pregnancy_is_not_read_outside_childbearing_age(rest: Client) -> None:
    undated = condition("preg", "72892002", "Normal pregnancy")
    assert "condition/pregnancy" in finding_ids(check(rest, patient(years_ago(29)), undated))
    old = check(rest, patient(years_ago(72)), undated)
    assert "condition/pregnancy" not in finding_ids(old)
    assert reasons(old)["Condition/preg"] == "pregnancy-related, and the patient is 72 years old"


def test_abated_conditions_are_history_unless_they_came_back(rest: Client) -> None:
    hypothyroidism = condition("hypo", "40930008", "Hypothyroidism")
    past = check(rest, {**hypothyroidism, "abatementDateTime": "2019-05-01"})
    assert past["conditions"] == []
    assert reasons(past)["Condition/hypo"] == "abated (2019-05-01)"
    ahead = (TODAY + timedelta(days=30)).isoformat()
    assert check(rest, {**hypothyroidism, "abatementDateTime": ahead})["conditions"]
    relapse = {"coding": [{"code": "relapse"}]}
    back = {**hypothyroidism, "clinicalStatus": relapse, "abatementDateTime": "2019-05-01"}
    assert "condition/hypothyroidism" in finding_ids(check(rest, back))


def test_potassium_in_a_panel_component_is_read(rest: Client) -> None:
    panel = observation(
        "bmp",
        code=coded("51990-0", "Basic metabolic panel - Blood"),
        component=[
            {"code": GLUCOSE, "valueQuantity": {"value": 96, "unit": "mg/dL"}},
            {
                "code": POTASSIUM,
                "valueQuantity": {
                    "value": 2.9,
                    "unit": "mmol/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "mmol/L",
                },
            },
        ],
    )
    report = check(rest, panel)
    assert "lab/potassium/low" in finding_ids(report)
    displays = [s["display"] for s in report["sources"]["labs"]]
    assert "Potassium [Moles/volume] in Serum or Plasma 2.9 mmol/L" in displays
    assert {s["reference"] for s in report["sources"]["labs"]} == {"Observation/bmp"}


def test_numbers_written_as_strings_and_integers_are_read(rest: Client) -> None:
    in_mmol = {"low": {"value": 3.5, "unit": "mmol/L"}, "high": {"value": 5.1, "unit": "mmol/L"}}
    bare = observation("k-text", code=POTASSIUM, valueString="3.1", referenceRange=[in_mmol])
    report = check(rest, bare)
    assert "lab/potassium/low" in finding_ids(report)
    assert report["sources"]["labs"][0]["display"].endswith(" 3.1 mmol/L")
    with_unit = observation("k-text", code=POTASSIUM, valueString=" 3.1 mmol/L")
    assert "lab/potassium/low" in finding_ids(check(rest, with_unit))
    # A comparator is a bound, not a value; a number without any unit cannot be read.
    for value in ("<3.0", "3.1"):
        left_out = check(rest, observation("k-text", code=POTASSIUM, valueString=value))
        assert left_out["labs"] == [], value
    glucose = observation(
        "glu",
        code=GLUCOSE,
        valueInteger=52,
        referenceRange=[{"low": {"value": 70, "unit": "mg/dL"}}],
    )
    assert "lab/glucose/low" in finding_ids(check(rest, glucose))


def test_values_and_units_pass_through_unchanged(rest: Client) -> None:
    calcium = observation(
        "ca",
        code=coded("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
        valueQuantity={"value": 9.20, "unit": "mg/dL"},
    )
    albumin = observation(
        "alb",
        code=coded("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),
        valueQuantity={"value": 2.1, "unit": "g/dL"},
    )
    report = check(rest, calcium, albumin)
    displays = sorted(s["display"] for s in report["sources"]["labs"])
    assert displays == [
        "Albumin [Mass/volume] in Serum or Plasma 2.1 g/dL",
        "Calcium [Mass/volume] in Serum or Plasma 9.2 mg/dL",
    ]


@pytest.mark.parametrize(("albumin_days_ago", "corrected"), [(3, True), (4, True), (300, False)])
def test_albumin_corrects_only_a_calcium_drawn_near_it(
    rest: Client, albumin_days_ago: int, corrected: bool
) -> None:
    calcium = observation(
        "ca",
        code=coded("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
        valueQuantity={"value": 8.1, "unit": "mg/dL"},
        effectiveDateTime=(TODAY - timedelta(days=1)).isoformat(),
    )
    albumin = observation(
        "alb",
        code=coded("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),
        valueQuantity={"value": 3.0, "unit": "g/dL"},
        effectiveDateTime=(TODAY - timedelta(days=albumin_days_ago)).isoformat(),
    )
    report = check(rest, calcium, albumin)
    # Corrected: 8.1 + 0.8 x (4.0 - 3.0) = 8.9 mg/dL, normal; read as measured, 8.1 is low.
    assert ("lab/calcium/low" not in finding_ids(report)) is corrected
    left_out = reasons(report).get("Observation/alb", "")
    assert ("from the calcium it would correct" in left_out) is not corrected


def medication_order(rid: str, medication: str) -> dict[str, Any]:
    return order(rid, "p1", medicationReference={"reference": f"Medication/{medication}"})


def test_medication_ingredients_name_the_drug(rest: Client) -> None:
    no_code = {
        "resourceType": "Medication",
        "id": "compounded",
        "ingredient": [
            {
                "itemCodeableConcept": {
                    "coding": [{"system": RXNORM, "code": "4603", "display": "furosemide"}]
                },
                "isActive": True,
            },
            {"itemCodeableConcept": {"text": "purified water"}, "isActive": False},
        ],
    }
    unknown_code = {
        "resourceType": "Medication",
        "id": "local",
        "code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.999", "code": "X-17"}]},
        "ingredient": [{"itemCodeableConcept": {"text": "hydrochlorothiazide 25 mg"}}],
    }
    report = check(
        rest,
        no_code,
        unknown_code,
        medication_order("mr1", "compounded"),
        medication_order("mr2", "local"),
    )
    concepts = {m["concept"] for m in report["medications"]}
    assert {"furosemide", "hydrochlorothiazide"} <= concepts
    assert "combination/loop_plus_thiazide" in finding_ids(report)
    assert report["sources"]["medications"][0]["display"] == "furosemide"


def test_a_ucum_code_is_shown_as_the_ehr_writes_the_same_unit(rest: Client) -> None:
    """Review 14 #13: the code "meq/L" with the unit "mEq/L" reads and shows as "mEq/L"."""
    quantity = {"value": 2.9, "unit": "mEq/L", "system": "http://unitsofmeasure.org"}
    potassium = observation("k", code=POTASSIUM, valueQuantity={**quantity, "code": "meq/L"})
    report = check(rest, potassium)
    finding = next(f for f in report["findings"] if f["id"] == "lab/potassium/low")
    assert "2.9 mEq/L" in finding["title"]
    assert "meq/L" not in report["note"]
