"""FHIR R4 -> CheckRequest: status and patient filtering, references, labs, limits."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.engine import Knowledge, check
from service.fhir import (
    Conversion,
    Entry,
    Options,
    PatientChoiceError,
    PatientFilter,
    choose_patient,
    convert,
    entries,
)
from service.fhir.dates import age_on, parse_instant
from service.knowledge import KnowledgeBase
from service.limits import MAX_MEDICATIONS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "fhir"
TODAY = date(2026, 11, 24)
SYNTHEA_PATIENT = "8c1f3d2a-5b7e-4c2d-9a61-3f0e2b7d4c15"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def synthea(kb: KnowledgeBase, **options: Any) -> Conversion:
    items = entries(load("synthea_transaction.json"))
    return convert(
        items,
        Options(
            today=TODAY,
            patient=choose_patient(items),
            analyte_by_loinc=kb.analyte_by_loinc,
            **options,
        ),
    )


def ignored(conversion: Conversion) -> dict[str, str]:
    return {i.reference: i.reason for i in conversion.ignored}


def test_synthea_bundle_keeps_only_the_patients_current_state(kb: KnowledgeBase) -> None:
    conversion = synthea(kb)
    request = conversion.request
    meds = [m.coding[0].code for m in request.medications if m.coding]
    assert meds == ["316049", "312961", "966222", "314076", "860975"]
    assert [c.coding[0].code for c in request.conditions if c.coding] == [
        "38341003",
        "44054006",
        "83664006",
    ]
    left_out = ignored(conversion)
    assert left_out["MedicationRequest/mr-hctz-625"] == "status stopped"
    assert left_out["MedicationRequest/mr-albuterol"] == "status stopped"
    assert left_out["MedicationRequest/mr-other-furosemide"] == "belongs to another patient"
    assert left_out["Condition/c-asthma"] == "clinical status resolved"
    assert left_out["Condition/c-anemia-error"] == "verification status entered-in-error"
    assert left_out["Condition/c-other-patient"] == "belongs to another patient"
    # Without the engine's lab states (these Options), no preliminary result is abnormal:
    # it never replaces a final one (the app's pipeline: tests/fhir/test_record_cases.py).
    assert left_out["Observation/o-k-prelim"].startswith("preliminary and not abnormal")
    assert left_out["Observation/o-k-other"] == "belongs to another patient"
    assert left_out["Observation/o-bmi"].startswith("not a lab this service checks")
    assert left_out["Observation/o-creatinine"].startswith("not a lab this service checks")
    assert left_out["Observation/o-k-old"] == "a more recent result is used (Observation/o-k-new)"
    # Resource types the service does not read are not listed.
    assert not any(ref.startswith(("Claim/", "Encounter/")) for ref in left_out)


def test_displays_and_units_pass_through(kb: KnowledgeBase) -> None:
    request = synthea(kb).request
    hctz = request.medications[0]
    assert hctz.coding and hctz.coding[0].display == "Hydrochlorothiazide 25 MG"
    assert hctz.coding[0].system == RXNORM
    potassium = request.labs[0]
    assert (potassium.value, potassium.unit) == (3.2, "mmol/L")
    assert potassium.coding and potassium.coding[0].code == "6298-4"


def test_patient_demographics(kb: KnowledgeBase) -> None:
    conversion = synthea(kb)
    assert conversion.request.patient is not None
    assert conversion.request.patient.sex == "male"
    assert conversion.request.patient.age == 68
    assert conversion.sources.patient is not None
    assert conversion.sources.patient.reference == f"Patient/{SYNTHEA_PATIENT}"


def test_sources_point_back_at_each_resource(kb: KnowledgeBase) -> None:
    sources = synthea(kb).sources
    assert sources.medications[0].reference == "MedicationRequest/mr-hctz-25"
    assert sources.medications[0].display == "Hydrochlorothiazide 25 MG"
    assert sources.labs[0].reference == "Observation/o-k-new"
    assert sources.labs[0].date == "2026-06-02T09:15:00-04:00"


def test_the_engine_flags_the_synthea_patient_by_display_text(knowledge: Knowledge) -> None:
    conversion = synthea(knowledge.kb)
    report = check(conversion.request, knowledge)
    flagged = {s.concept for s in report.medications if s.status == "flagged"}
    assert {"hydrochlorothiazide", "simvastatin"} <= flagged
    ids = {f.id for f in report.findings}
    assert "combination/potassium_lowering_drug_with_low_potassium" in ids
    assert "condition/hypothyroidism" in ids


def test_lab_age_limit(kb: KnowledgeBase) -> None:
    conversion = synthea(kb, lab_max_age_days=90)
    assert conversion.request.labs == []
    assert ignored(conversion)["Observation/o-k-new"] == "older than 90 days"
    assert len(synthea(kb, lab_max_age_days=365).request.labs) == 5


def entry(resource: dict[str, Any], full_url: str | None = None) -> Entry:
    """One resource read as the service reads it (the bounded reader)."""
    found = entries(
        {"resourceType": "Bundle", "entry": [{"resource": resource, "fullUrl": full_url}]}
    )
    assert len(found) == 1
    return found[0]


def _request(resource: dict[str, Any], *extra: dict[str, Any]) -> Conversion:
    return convert(
        [entry(resource), *(entry(e, e.get("fullUrl")) for e in extra)],
        Options(today=TODAY, patient=PatientFilter.of("p1")),
    )


def _med_request(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        **fields,
    }


def test_contained_medication_reference() -> None:
    conversion = _request(
        _med_request(
            contained=[
                {
                    "resourceType": "Medication",
                    "id": "m1",
                    "code": {
                        "coding": [
                            {
                                "system": RXNORM,
                                "code": "312617",
                                "display": "predniSONE 5 MG Oral Tablet",
                            }
                        ]
                    },
                }
            ],
            medicationReference={"reference": "#m1"},
        )
    )
    med = conversion.request.medications[0]
    assert med.coding and med.coding[0].display == "predniSONE 5 MG Oral Tablet"


def test_bundled_medication_reference_by_absolute_url() -> None:
    medication = {
        "resourceType": "Medication",
        "id": "furo",
        "code": {
            "coding": [
                {
                    "system": RXNORM,
                    "code": "1719286",
                    "display": "10 ML Furosemide 10 MG/ML Injection",
                }
            ]
        },
    }
    conversion = _request(
        _med_request(
            medicationReference={"reference": "https://ehr.example.org/fhir/Medication/furo"}
        ),
        medication,
    )
    med = conversion.request.medications[0]
    assert med.coding and med.coding[0].code == "1719286"


def test_unresolvable_reference_uses_its_display_or_is_ignored() -> None:
    named = _request(
        _med_request(medicationReference={"reference": "Medication/x", "display": "Lasix 40 mg"})
    )
    assert named.request.medications[0].text == "Lasix 40 mg"
    unnamed = _request(_med_request(medicationReference={"reference": "Medication/x"}))
    assert unnamed.request.medications == []
    assert "no code, text or resolvable reference" in unnamed.ignored[0].reason


def test_do_not_perform_and_statuses() -> None:
    assert (
        _request(_med_request(doNotPerform=True, medicationCodeableConcept={"text": "warfarin"}))
        .ignored[0]
        .reason
        == "a do-not-perform order"
    )
    draft = _med_request(status="draft", medicationCodeableConcept={"text": "furosemide"})
    assert _request(draft).ignored[0].reason == "status draft"
    as_order = convert(
        [], Options(today=TODAY, patient=PatientFilter.of("p1")), drafts=[entry(draft)]
    )
    assert as_order.sources.medications[0].draft is True
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ms1",
        "status": "intended",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "omeprazole 20 mg"},
    }
    assert _request(statement).request.medications[0].text == "omeprazole 20 mg"
    assert _request({**statement, "status": "not-taken"}).ignored[0].reason == "status not-taken"


def test_stu3_condition_status_strings_and_abatement() -> None:
    base = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"text": "hypothyroidism"},
    }
    assert _request({**base, "clinicalStatus": "active"}).request.conditions
    assert (
        _request({**base, "clinicalStatus": "resolved"}).ignored[0].reason
        == "clinical status resolved"
    )
    assert _request({**base, "abatementDateTime": "2020-01-01"}).request.conditions == []
    assert _request({**base, "verificationStatus": "refuted"}).request.conditions == []


def test_malformed_resources_are_ignored_not_fatal() -> None:
    conversion = _request(_med_request(medicationCodeableConcept={"coding": "not a list"}))
    assert conversion.request.medications == []
    assert conversion.ignored[0].reason.startswith("not a valid FHIR R4 MedicationRequest")
    observation = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"text": "potassium"},
        "valueQuantity": {"value": 1e300, "unit": "mmol/L"},
    }
    assert _request(observation).ignored[0].reason == "result out of range"
    no_unit = {**observation, "valueQuantity": {"value": 3.0}}
    assert _request(no_unit).ignored[0].reason == "result has no unit"


def test_limits_are_respected() -> None:
    many = [
        entry(_med_request(id=f"mr{i}", medicationCodeableConcept={"text": f"drug {i}"}))
        for i in range(MAX_MEDICATIONS + 5)
    ]
    conversion = convert(many, Options(today=TODAY, patient=PatientFilter.of("p1")))
    assert len(conversion.request.medications) == MAX_MEDICATIONS
    assert sum("beyond the limit" in i.reason for i in conversion.ignored) == 5


def test_duplicate_orders_of_the_same_product_are_one_item() -> None:
    concept = {
        "coding": [{"system": RXNORM, "code": "316049", "display": "Hydrochlorothiazide 25 MG"}]
    }
    conversion = convert(
        [
            entry(_med_request(id="a", medicationCodeableConcept=concept)),
            entry(_med_request(id="b", medicationCodeableConcept=concept)),
            entry(
                _med_request(id="a", medicationCodeableConcept=concept)
            ),  # the same resource again
        ],
        Options(today=TODAY, patient=PatientFilter.of("p1")),
    )
    assert len(conversion.request.medications) == 1
    assert [i.reason for i in conversion.ignored] == ["same medication as MedicationRequest/a"]


def test_choose_patient() -> None:
    def cond(subject: str) -> Entry:
        return entry({"resourceType": "Condition", "subject": {"reference": subject}})

    with pytest.raises(PatientChoiceError):
        choose_patient([cond("Patient/a"), cond("Patient/b")])
    with pytest.raises(PatientChoiceError):
        choose_patient(
            [
                entry({"resourceType": "Patient", "id": "a"}),
                entry({"resourceType": "Patient", "id": "b"}),
            ]
        )
    assert choose_patient([cond("Patient/a"), cond("Patient/b")], "a").patient_id == "a"
    assert choose_patient([cond("Patient/a")]).patient_id is None
    chosen = choose_patient([entry({"resourceType": "Patient", "id": "a"}, "urn:uuid:a")])
    assert chosen.accepts("urn:uuid:a") and chosen.accepts(
        "https://x.org/fhir/Patient/a/_history/2"
    )
    assert not chosen.accepts("Patient/b")


def test_entries_flattens_bundles_and_drops_search_outcomes() -> None:
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": {"resourceType": "Condition", "id": "c"}, "fullUrl": "urn:uuid:c"},
            {"resource": {"resourceType": "OperationOutcome"}, "search": {"mode": "outcome"}},
            {"resource": "junk"},
            "junk",
        ],
    }
    assert [e.reference for e in entries(bundle)] == ["Condition/c"]
    assert entries(None) == [] and entries({"no": "type"}) == []


def test_dates() -> None:
    assert parse_instant("2026") is not None
    assert parse_instant("2026-06-02T09:15:00-04:00") == parse_instant("2026-06-02T13:15:00Z")
    assert parse_instant("not a date") is None
    assert age_on(date(1958, 3, 14), date(2026, 3, 13)) == 67
    assert age_on(date(1958, 3, 14), date(2026, 3, 14)) == 68
