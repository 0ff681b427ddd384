"""Which result of a lab a patient-view card is based on (review56f D1, D2): a stale
ionized calcium never silences today's low total calcium, and a corrected potassium of the
same time replaces the original, whatever the order of the prefetch Bundle."""

from __future__ import annotations

from typing import Any

from tests.cdshooks.conftest import PATIENT_VIEW, Client
from tests.cdshooks.records import PATIENT_ID, chart
from tests.cdshooks.test_record_cases import bundle, coded_order
from tests.cdshooks.test_service_calls import cards_of

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def result(
    rid: str, loinc: str, value: float, unit: str, when: str, **fields: Any
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        **fields,
    }


def summaries(cds: Client, *observations: dict[str, Any], meds: Any = None) -> str:
    body = chart()
    body["prefetch"]["observations"] = bundle(*observations)
    body["prefetch"]["medicationRequests"] = meds
    cards = cards_of(cds, PATIENT_VIEW, body)
    return " ".join(c["summary"] + " " + c.get("detail", "") for c in cards).lower()


def test_a_stale_ionized_calcium_does_not_silence_a_low_total_calcium(cds: Client) -> None:
    text = summaries(
        cds,
        result("ca", "17861-6", 6.4, "mg/dL", "2026-11-20"),
        result("ica", "1994-3", 1.22, "mmol/L", "2026-01-10"),
    )
    assert "calcium" in text and "6.4" in text


def test_a_same_day_ionized_calcium_still_decides(cds: Client) -> None:
    """Near case: drawn the same day, the normal ionized calcium decides (no card)."""
    text = summaries(
        cds,
        result("ca", "17861-6", 7.6, "mg/dL", "2026-11-20"),
        result("ica", "1994-3", 1.22, "mmol/L", "2026-11-20"),
    )
    assert "calcium" not in text


def test_a_corrected_potassium_replaces_the_original_in_either_order(cds: Client) -> None:
    at = "2026-11-20T08:00:00Z"
    original = result("k1", "2823-3", 2.9, "mmol/L", at, issued="2026-11-20T09:00:00Z")
    fixed = result(
        "k2", "2823-3", 4.1, "mmol/L", at, status="corrected", issued="2026-11-20T11:00:00Z"
    )
    furosemide = bundle(coded_order("furo", "313988", "Furosemide 40 MG Oral Tablet"))
    for ordered in ((original, fixed), (fixed, original)):
        text = summaries(cds, *ordered, meds=furosemide)
        assert "furosemide" in text
        assert "2.9" not in text
