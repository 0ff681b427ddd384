"""FHIR records as EHRs send them (Synthea-style resources), checked over HTTP
(``POST /v1/check/fhir``): each case says what a clinician should see and why (round 31)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.fhir.builders import check, finding_ids, reasons

Client = TestClient[Litestar]
PID = "r31-patient"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SUBJECT = {"reference": f"Patient/{PID}"}


def ago(days: float) -> str:
    """A dateTime ``days`` before now (results must be recent to be read)."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def patient(gender: str = "female", birth: str = "1950-04-02") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PID, "gender": gender, "birthDate": birth}


def request(rid: str, text: str, code: str | None = None, **fields: Any) -> dict[str, Any]:
    """An active MedicationRequest (order) as Synthea writes one."""
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": text}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "medicationCodeableConcept": concept,
        "authoredOn": ago(30),
        **fields,
    }


def statement(rid: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": {"text": text},
        **fields,
    }


def observation(
    rid: str, loinc: str, value: float | None, unit: str | None, days: float = 1, **fields: Any
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": SUBJECT,
        "effectiveDateTime": ago(days),
    }
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    resource.update(fields)
    return resource


def condition(rid: str, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "subject": SUBJECT,
        "code": {"text": text},
        "recordedDate": ago(20),
        **fields,
    }


def test_a_statement_based_on_an_order_read_is_that_order_not_a_second_drug(
    client: Client,
) -> None:
    """Round 31 #1: an EHR that lists a patient's medications both as the order
    (MedicationRequest) and as the patient's statement of it (MedicationStatement with
    ``basedOn`` the order) counted furosemide twice: "same drug twice" (duplicate
    therapy, moderate) beside the real problem. The statement is the order's report."""
    report = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
        statement(
            "ms-furo",
            "furosemide 40 mg tablet",
            basedOn=[{"reference": "MedicationRequest/mr-furo"}],
        ),
        observation("k", "2823-3", 3.2, "mmol/L"),
    )
    assert "combination/same_drug_twice/furosemide" not in finding_ids(report)
    assert "combination/potassium_lowering_drug_with_low_potassium" in finding_ids(report)
    assert [m["concept"] for m in report["medications"]] == ["furosemide"]
    assert reasons(report)["MedicationStatement/ms-furo"].startswith(
        "reports on the order MedicationRequest/mr-furo"
    )


def test_a_statement_based_on_an_order_not_read_stays(client: Client) -> None:
    """The order it names was stopped (not read): the patient's statement that they take
    the drug is the only current record of it, and it is read."""
    report = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988", status="stopped"),
        statement(
            "ms-furo",
            "furosemide 40 mg tablet",
            derivedFrom=[{"reference": "MedicationRequest/mr-furo"}],
        ),
    )
    assert [m["concept"] for m in report["medications"]] == ["furosemide"]
    assert report["sources"]["medications"][0]["reference"] == "MedicationStatement/ms-furo"


def test_a_linked_statement_of_another_dose_is_read_in_place_of_the_order(
    client: Client,
) -> None:
    """review32 R11: the patient's statement (basedOn the 20 mg order) says 80 mg: the
    statement is what the patient takes, so the label limit beside amlodipine is checked
    on it (SIMVASTATIN label: no more than 20 mg daily with amlodipine); the order is
    listed, and simvastatin is counted once."""
    report = check(
        client,
        patient(),
        request("mr-simva", "Simvastatin 20 MG Oral Tablet"),
        statement(
            "ms-simva",
            "Simvastatin 80 mg daily",
            basedOn=[{"reference": "MedicationRequest/mr-simva"}],
        ),
        request("mr-amlo", "Amlodipine 10 MG Oral Tablet"),
    )
    ids = finding_ids(report)
    assert "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine" in ids
    assert "combination/same_drug_twice/simvastatin" not in ids
    assert reasons(report)["MedicationRequest/mr-simva"].startswith(
        "the patient's statement MedicationStatement/ms-simva"
    )


def test_a_linked_statement_of_another_drug_is_read(client: Client) -> None:
    """review32 R11: derivedFrom may name any supporting record; a furosemide statement
    derived from a hydrochlorothiazide order is a second drug (loop plus thiazide)."""
    report = check(
        client,
        patient(),
        request("mr-hctz", "Hydrochlorothiazide 25 MG Oral Tablet", "310798"),
        statement(
            "ms-furo",
            "Furosemide 40 mg daily",
            derivedFrom=[{"reference": "MedicationRequest/mr-hctz"}],
        ),
    )
    assert "combination/loop_plus_thiazide" in finding_ids(report)
    assert "MedicationStatement/ms-furo" not in reasons(report)


def test_a_linked_statement_of_a_lower_dose_keeps_the_order(client: Client) -> None:
    """review33 R7: the order is simvastatin 20 mg twice a day (40 mg/day) beside
    amlodipine; the patient's statement basedOn it says 20 mg daily. An unverified report
    may raise a problem, never take one away: the order's higher daily dose is read, so the
    label limit (SIMVASTATIN label: no more than 20 mg daily with amlodipine) stays, and
    simvastatin counts once; the statement is listed with the dose it gives."""
    report = check(
        client,
        patient(),
        request("mr-simva", "Simvastatin 20 mg tablet bid"),
        statement(
            "ms-simva",
            "Simvastatin 20 mg daily",
            basedOn=[{"reference": "MedicationRequest/mr-simva"}],
        ),
        request("mr-amlo", "amlodipine 10 mg"),
    )
    ids = finding_ids(report)
    assert report["risk"] == "moderate"
    assert "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine" in ids
    assert "combination/same_drug_twice/simvastatin" not in ids
    reason = reasons(report)["MedicationStatement/ms-simva"]
    assert reason.startswith("reports on the order MedicationRequest/mr-simva")
    assert "simvastatin 20 mg/day" in reason
    assert "MedicationRequest/mr-simva" not in reasons(report)


def test_a_linked_statement_of_one_ingredient_of_a_combination_order_counts_once(
    client: Client,
) -> None:
    """review33 R7: a statement "Hydrochlorothiazide 25 mg" basedOn the lisinopril-HCTZ
    20-25 order is the patient's report of that order by its diuretic: the order speaks for
    it (no same-drug-twice), and the statement is listed."""
    report = check(
        client,
        patient(),
        request("mr-zestoretic", "Lisinopril-HCTZ 20-25 mg"),
        statement(
            "ms-hctz",
            "Hydrochlorothiazide 25 mg",
            basedOn=[{"reference": "MedicationRequest/mr-zestoretic"}],
        ),
    )
    assert "combination/same_drug_twice/hydrochlorothiazide" not in finding_ids(report)
    assert report["risk"] == "low"
    assert reasons(report)["MedicationStatement/ms-hctz"].startswith(
        "reports on the order MedicationRequest/mr-zestoretic"
    )
    assert [m["reference"] for m in report["sources"]["medications"]] == [
        "MedicationRequest/mr-zestoretic"
    ]


def test_an_unlinked_statement_of_an_order_at_its_dose_is_counted_once(client: Client) -> None:
    """review32 O2: an active order plus the patient's own (unlinked) statement of the same
    drug and dose is one medication, not duplicate therapy; at another dose both are read
    (a real discrepancy to reconcile)."""
    report = check(
        client,
        patient(),
        request("mr-colch", "Colchicine 0.6 MG Oral Tablet"),
        statement("ms-colch", "Colchicine 0.6 mg daily"),
    )
    assert report["risk"] == "none"
    assert reasons(report)["MedicationStatement/ms-colch"].startswith(
        "the patient's statement of the order MedicationRequest/mr-colch (same drug and dose)"
    )
    furosemide = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
        statement("ms-furo", "furosemide"),
    )
    assert "combination/same_drug_twice/furosemide" not in finding_ids(furosemide)
    assert [m["concept"] for m in furosemide["medications"]] == ["furosemide"]
    other_dose = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
        statement("ms-furo", "furosemide 80 mg daily"),
    )
    assert len(other_dose["medications"]) == 2
    assert "MedicationStatement/ms-furo" not in reasons(other_dose)


def test_a_bound_written_in_value_string_is_read_as_a_bound(client: Client) -> None:
    """Round 31 #4: a potassium sent as ``valueString`` "<2.5 mmol/L" (as results converted
    from HL7 v2 carry it) was left out as "no numeric result", so last month's normal
    potassium became the latest and the critical result vanished. It is read as a
    ``valueQuantity`` with comparator "<" is: below 2.5 is low whatever the value."""
    today = observation("k-new", "2823-3", None, None, days=1, valueString="<2.5 mmol/L")
    report = check(
        client,
        patient(),
        observation("k-old", "2823-3", 4.1, "mmol/L", days=30),
        today,
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988"),
    )
    assert report["risk"] == "high"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-new"
    assert report["sources"]["labs"][0]["display"] == "2823-3 <2.5 mmol/L"
    assert "lab/potassium/low" in finding_ids(report)
    assert reasons(report)["Observation/k-old"] == (
        "a more recent result is used (Observation/k-new)"
    )


def test_a_value_string_bound_that_may_be_normal_is_not_checked(client: Client) -> None:
    """A potassium ">3.0" may be normal: not checked, and no older result takes its place."""
    report = check(
        client,
        patient(),
        observation("k-old", "2823-3", 2.9, "mmol/L", days=30),
        observation("k-new", "2823-3", None, None, days=1, valueString=">3.0 mmol/L"),
    )
    assert report["risk"] == "none"
    assert "may be normal" in reasons(report)["Observation/k-new"]


def _potassium(rid: str, value: float, days: float, status: str = "final") -> dict[str, Any]:
    return observation(rid, "2823-3", value, "mmol/L", days=days, status=status)


def test_a_preliminary_critical_potassium_after_a_final_one_is_used(client: Client) -> None:
    """Round 31 #2: the laboratory telephones a potassium of 2.4 before it finalizes it. On
    ``/v1/check`` it was a high finding; on the FHIR path it was left out and last month's
    4.0 was read instead (risk low). It is used, saying it is not final yet."""
    report = check(
        client,
        patient(),
        request("mr-hctz", "Hydrochlorothiazide 25 MG Oral Tablet", "310798"),
        _potassium("k-final", 4.0, days=30),
        _potassium("k-prelim", 2.4, days=0.1, status="preliminary"),
    )
    assert report["risk"] == "high"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-prelim"
    assert report["sources"]["labs"][0]["display"] == "2823-3 2.4 mmol/L (preliminary)"
    assert report["labs"][0]["reason"].startswith("status preliminary: not final yet")
    assert "Not final yet (a preliminary result, used): potassium 2.4 mmol/L" in report["note"]
    assert reasons(report)["Observation/k-final"] == (
        "a more recent result is used (Observation/k-prelim)"
    )


def test_a_final_result_at_the_same_time_or_later_supersedes_a_preliminary_one(
    client: Client,
) -> None:
    """A preliminary 2.6 followed by the corrected 3.9 is not a low potassium (review28 R2,
    read by date)."""
    report = check(
        client,
        patient(),
        request("mr-hctz", "Hydrochlorothiazide 25 MG Oral Tablet", "310798"),
        _potassium("k-prelim", 2.6, days=0.5, status="preliminary"),
        _potassium("k-corrected", 3.9, days=0.2, status="corrected"),
    )
    assert report["risk"] == "low"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-corrected"
    assert reasons(report)["Observation/k-prelim"] == (
        "preliminary; the final result Observation/k-corrected is used"
    )


def test_a_later_normal_preliminary_result_does_not_replace_a_low_final_one(
    client: Client,
) -> None:
    """A preliminary result may raise a problem, never take one away (review28 O2)."""
    report = check(
        client,
        patient(),
        request("mr-hctz", "Hydrochlorothiazide 25 MG Oral Tablet", "310798"),
        _potassium("k-final", 3.1, days=7),
        _potassium("k-prelim", 4.0, days=0.1, status="preliminary"),
    )
    assert report["risk"] == "moderate"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-final"
    assert reasons(report)["Observation/k-prelim"].startswith("preliminary and not abnormal")


def test_a_later_milder_preliminary_result_does_not_replace_a_worse_final_one(
    client: Client,
) -> None:
    """review32 R10: a final K 2.7 then a preliminary 3.4 (abnormal, milder): the
    unverified value must not take the severe hypokalemia down (high -> low)."""
    report = check(
        client,
        patient(),
        _potassium("k-final", 2.7, days=2),
        _potassium("k-prelim", 3.4, days=1, status="preliminary"),
    )
    assert report["risk"] == "high"
    assert report["sources"]["labs"][0]["reference"] == "Observation/k-final"
    assert reasons(report)["Observation/k-prelim"].startswith(
        "preliminary and not worse than the abnormal final result Observation/k-final"
    )
    # Worse the same way, it is used; the other way (a high after a low), it is not.
    worse = check(
        client,
        patient(),
        _potassium("k-final", 3.3, days=2),
        _potassium("k-prelim", 2.6, days=1, status="preliminary"),
    )
    assert worse["sources"]["labs"][0]["reference"] == "Observation/k-prelim"
    assert worse["risk"] == "high"
    other_way = check(
        client,
        patient(),
        _potassium("k-final", 2.7, days=2),
        _potassium("k-prelim", 6.5, days=1, status="preliminary"),
    )
    assert other_way["sources"]["labs"][0]["reference"] == "Observation/k-final"


def test_a_normal_preliminary_result_does_not_clear_a_coded_hypokalemia(client: Client) -> None:
    report = check(
        client,
        patient(),
        condition("c-hypok", "Hypokalemia", onsetDateTime=ago(10)),
        _potassium("k-prelim", 4.0, days=0.1, status="preliminary"),
    )
    assert "condition/hypokalemia" in finding_ids(report)


def test_a_preliminary_pregnancy_status_is_not_read(client: Client) -> None:
    pregnancy = observation(
        "preg",
        "82810-3",
        None,
        None,
        status="preliminary",
        valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA15173-0"}]},
    )
    report = check(client, patient(birth="1995-01-01"), pregnancy)
    assert reasons(report)["Observation/preg"] == "status preliminary"


def test_a_status_in_another_letter_case_reads_as_its_code(client: Client) -> None:
    """Round 31 #3: an EHR writing "Active" or "Final " (FHIR codes are lower case) had the
    order and the result left out ("status Active"); the REST fields read any case."""
    report = check(
        client,
        patient(),
        request("mr-furo", "Furosemide 40 MG Oral Tablet", "313988", status="Active"),
        observation("k", "2823-3", 3.2, "mmol/L", status="Final "),
        statement("ms-pred", "prednisone 20 mg daily", status="Stopped"),
    )
    assert "combination/potassium_lowering_drug_with_low_potassium" in finding_ids(report)
    assert reasons(report) == {"MedicationStatement/ms-pred": "status Stopped"}
