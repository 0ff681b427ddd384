"""Hidden-style cases for ``POST /v1/check/fhir`` (round 31): Synthea-style R4 resources
(RxNorm SCD codes of datasets/rxnorm/codes.tsv with their names as displays, LOINC results,
SNOMED CT or text conditions), each with why it should read so and its source."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.fhir.builders import check
from tests.fhir.test_record_cases import (
    RXNORM,
    SUBJECT,
    ago,
    condition,
    observation,
    patient,
    request,
    statement,
)

RISKS = ["none", "low", "moderate", "high"]
VELTRI = "Veltri KT, Mason C. Medication-induced hypokalemia. P T 2015;40(3):185-190. PMID 25798039"
ZOCOR = "ZOCOR (simvastatin) US prescribing information, Contraindications and Drug Interactions"
POLICY = "docs/clinical-policy.md Severity; docs/cds-hooks.md Reading"
FHIR_R4 = "FHIR R4 value sets medicationrequest-status, observation-status, condition-clinical"


def rx(rid: str, code: str, name: str, **fields: Any) -> dict[str, Any]:
    return request(rid, name, code, **fields)


def k(rid: str, value: float, days: float = 1, loinc: str = "2823-3", **f: Any) -> dict[str, Any]:
    return observation(rid, loinc, value, "mmol/L", days=days, **f)


HCTZ = ("310798", "hydrochlorothiazide 25 MG Oral Tablet")
FURO = ("313988", "furosemide 40 MG Oral Tablet")
SIMVA40 = ("198211", "simvastatin 40 MG Oral Tablet")
CLARI = ("197517", "clarithromycin 500 MG Oral Tablet")
DIGOXIN = ("197604", "digoxin 0.125 MG Oral Tablet")
PREDNISONE = ("312615", "prednisone 20 MG Oral Tablet")
OMEPRAZOLE = ("198051", "omeprazole 20 MG Delayed Release Oral Capsule")
ATORVA = ("617311", "atorvastatin 40 MG Oral Tablet")
LISINOPRIL = ("314076", "lisinopril 10 MG Oral Tablet")
METFORMIN = ("861007", "metformin hydrochloride 500 MG Oral Tablet")

# (id, why, source, resources, expect)
CASES: list[tuple[str, str, str, list[dict[str, Any]], dict[str, Any]]] = [
    (
        "hctz-whole-blood-k",
        "HCTZ with a whole-blood potassium (LOINC 6298-4, as Synthea sends it) of 3.3: a"
        " contributor with a mild low of what it lowers",
        VELTRI,
        [rx("m1", *HCTZ), k("o1", 3.3, loinc="6298-4")],
        {"risk": "moderate", "has": ["combination/potassium_lowering_drug_with_low_potassium"]},
    ),
    (
        "loop-plus-thiazide-normal-k",
        "furosemide with HCTZ and a normal potassium: two classes on one electrolyte",
        VELTRI,
        [rx("m1", *FURO), rx("m2", *HCTZ), k("o1", 4.2)],
        {"risk": "moderate", "has": ["combination/loop_plus_thiazide"]},
    ),
    (
        "simva40-clarithromycin",
        "simvastatin with clarithromycin, a strong CYP3A4 inhibitor: contraindicated",
        ZOCOR,
        [rx("m1", *SIMVA40), rx("m2", *CLARI)],
        {"risk": "high"},
    ),
    (
        "simva-stopped-clarithromycin",
        "a stopped simvastatin order beside clarithromycin: no contraindicated pair",
        f"{ZOCOR}; {FHIR_R4}",
        [rx("m1", *SIMVA40, status="stopped"), rx("m2", *CLARI)],
        {"risk_max": "low", "ignored": {"MedicationRequest/m1": "status stopped"}},
    ),
    (
        "digoxin-furosemide-mild-low-k",
        "any low potassium with digoxin is high (toxicity risk)",
        f"{VELTRI}; {POLICY}",
        [rx("m1", *DIGOXIN), rx("m2", *FURO), k("o1", 3.3)],
        {"risk": "high"},
    ),
    (
        "statement-not-taken",
        "a MedicationStatement not-taken furosemide: the low potassium alone",
        FHIR_R4,
        [statement("s1", "furosemide 40 mg tablet daily", status="not-taken"), k("o1", 3.2)],
        {"risk": "low", "not": ["combination/potassium_lowering_drug_with_low_potassium"]},
    ),
    (
        "refuted-hypokalemia",
        "a refuted hypokalemia beside HCTZ is not a second factor",
        FHIR_R4,
        [
            rx("m1", *HCTZ),
            condition(
                "c1",
                "Hypokalemia",
                verificationStatus={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "refuted",
                        }
                    ]
                },
            ),
        ],
        {"risk": "low"},
    ),
    (
        "bmp-panel-component-k",
        "a basic metabolic panel whose potassium is a component (2.8 mmol/L) with HCTZ",
        f"{VELTRI}; docs/cds-hooks.md Reading (components)",
        [
            rx("m1", *HCTZ),
            observation(
                "panel",
                "51990-0",
                None,
                None,
                component=[
                    {
                        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
                        "valueQuantity": {
                            "value": 2.8,
                            "system": "http://unitsofmeasure.org",
                            "code": "mmol/L",
                        },
                    }
                ],
            ),
        ],
        {"risk": "high"},
    ),
    (
        "ucum-code-without-unit",
        "valueQuantity with the UCUM code and no unit text is read in that unit",
        "FHIR R4 Quantity: code is the coded form of the unit (UCUM)",
        [
            rx("m1", *HCTZ),
            observation(
                "o1",
                "2823-3",
                None,
                None,
                valueQuantity={
                    "value": 3.2,
                    "system": "http://unitsofmeasure.org",
                    "code": "mmol/L",
                },
            ),
        ],
        {"risk": "moderate"},
    ),
    (
        "data-absent-latest",
        "the latest potassium has no value (dataAbsentReason): the earlier 3.1 is read",
        "FHIR R4 Observation.dataAbsentReason: why the result is missing",
        [
            rx("m1", *HCTZ),
            k("o-old", 3.1, days=5),
            observation(
                "o-new",
                "2823-3",
                None,
                None,
                days=1,
                dataAbsentReason={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                            "code": "error",
                        }
                    ]
                },
            ),
        ],
        {"risk": "moderate", "ignored": {"Observation/o-new": "no result (dataAbsentReason)"}},
    ),
    (
        "lab-own-range",
        "a potassium of 3.4 where the lab's own range starts at 3.3 is normal there",
        "docs/clinical-policy.md: the lab's own reference range replaces the usual limit",
        [
            rx("m1", *HCTZ),
            k(
                "o1",
                3.4,
                referenceRange=[
                    {
                        "low": {"value": 3.3, "unit": "mmol/L"},
                        "high": {"value": 5.1, "unit": "mmol/L"},
                    }
                ],
            ),
        ],
        {"risk": "low", "not": ["lab/potassium/low"]},
    ),
    (
        "entered-in-error-latest",
        "the latest potassium (2.5) was entered in error: the final 4.2 before it is read",
        FHIR_R4,
        [rx("m1", *HCTZ), k("o-old", 4.2, days=3), k("o-err", 2.5, status="entered-in-error")],
        {"risk": "low", "ignored": {"Observation/o-err": "status entered-in-error"}},
    ),
    (
        "newest-k-wins",
        "an old 2.9 and this week's 3.8: the newest result is the patient's state",
        "docs/cds-hooks.md Reading: only the most recent result per analyte",
        [rx("m1", *HCTZ), k("o-new", 3.8, days=2), k("o-old", 2.9, days=60)],
        {"risk": "low"},
    ),
    (
        "allergy-not-a-drug",
        "an AllergyIntolerance to furosemide is never a drug taken",
        "FHIR R4 AllergyIntolerance: a propensity to an adverse reaction, not a use",
        [
            {
                "resourceType": "AllergyIntolerance",
                "id": "a1",
                "patient": SUBJECT,
                "code": {"coding": [{"system": RXNORM, "code": "4603", "display": "furosemide"}]},
            },
            k("o1", 3.4),
        ],
        {"risk": "low", "meds": 0},
    ),
    (
        "administration-not-current",
        "an inpatient IV furosemide dose (MedicationAdministration) is not a drug taken now",
        "docs/cds-hooks.md Reading: MedicationAdministration never read",
        [
            {
                "resourceType": "MedicationAdministration",
                "id": "ma1",
                "status": "completed",
                "subject": SUBJECT,
                "medicationCodeableConcept": {"text": "furosemide 40 mg IV"},
                "effectiveDateTime": ago(2),
            },
            k("o1", 3.2),
        ],
        {"risk": "low", "meds": 0},
    ),
    (
        "plan-intent-not-taken",
        "a MedicationRequest of intent plan (not reported) authorizes nobody: not taken",
        "FHIR R4 value set medicationrequest-intent",
        [rx("m1", *HCTZ, intent="plan"), k("o1", 3.2)],
        {"risk": "low", "meds": 0},
    ),
    (
        "on-hold-prednisone",
        "prednisone on hold beside HCTZ: no diuretic with corticosteroid",
        FHIR_R4,
        [rx("m1", *PREDNISONE, status="on-hold"), rx("m2", *HCTZ)],
        {"risk": "low", "not": ["combination/diuretic_plus_corticosteroid"]},
    ),
    (
        "prednisone-hctz",
        "prednisone 20 mg with HCTZ: two potassium-lowering classes",
        VELTRI,
        [rx("m1", *PREDNISONE), rx("m2", *HCTZ)],
        {"risk": "moderate", "has": ["combination/diuretic_plus_corticosteroid"]},
    ),
    (
        "resolved-hypomagnesemia-ppi",
        "omeprazole with a resolved hypomagnesemia: the PPI alone",
        FHIR_R4,
        [
            rx("m1", *OMEPRAZOLE),
            condition(
                "c1",
                "Hypomagnesemia",
                clinicalStatus={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "resolved",
                        }
                    ]
                },
            ),
        ],
        {"risk_max": "low", "ignored": {"Condition/c1": "clinical status resolved"}},
    ),
    (
        "ppi-severe-low-mg",
        "omeprazole with a magnesium of 1.1 mg/dL: a severe low (below 1.2 mg/dL)",
        "FDA Drug Safety Communication 2011: PPIs and low magnesium; " + POLICY,
        [rx("m1", *OMEPRAZOLE), observation("o1", "19123-9", 1.1, "mg/dL")],
        {"risk": "high"},
    ),
    (
        "value-string-k",
        "a potassium written in valueString '3.1 mmol/L' with furosemide",
        "docs/cds-hooks.md Reading (valueString)",
        [rx("m1", *FURO), observation("o1", "2823-3", None, None, valueString="3.1 mmol/L")],
        {"risk": "moderate"},
    ),
    (
        "contained-medication",
        "an order naming a contained Medication (furosemide 40 mg) with a potassium of 3.2",
        "FHIR R4 MedicationRequest.medicationReference; contained resources",
        [
            {
                "resourceType": "MedicationRequest",
                "id": "m1",
                "status": "active",
                "intent": "order",
                "subject": SUBJECT,
                "contained": [
                    {
                        "resourceType": "Medication",
                        "id": "med",
                        "code": {"coding": [{"system": RXNORM, "code": FURO[0]}]},
                    }
                ],
                "medicationReference": {"reference": "#med"},
            },
            k("o1", 3.2),
        ],
        {"risk": "moderate"},
    ),
    (
        "meq-critical-k",
        "a potassium of 2.7 mEq/L (the same as mmol/L) is severely low",
        POLICY,
        [observation("o1", "2823-3", 2.7, "meq/L")],
        {"risk": "high"},
    ),
    (
        "not-contributors-recognized",
        "lisinopril, metformin and a type 2 diabetes: recognized; the diabetes alone is low",
        "docs/clinical-policy.md: a single condition is low",
        [
            rx("m1", *LISINOPRIL),
            rx("m2", *METFORMIN),
            condition(
                "c1",
                "Diabetes mellitus type 2 (disorder)",
                code={
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "44054006",
                            "display": "Diabetes mellitus type 2 (disorder)",
                        }
                    ]
                },
            ),
        ],
        {"risk": "low"},
    ),
    (
        "atorva-unconfirmed-hypothyroid",
        "atorvastatin with a provisional hypothyroidism: not established, the statin alone",
        FHIR_R4,
        [
            rx("m1", *ATORVA),
            condition(
                "c1",
                "Hypothyroidism",
                verificationStatus={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "provisional",
                        }
                    ]
                },
            ),
        ],
        {"risk": "low"},
    ),
]


@pytest.mark.parametrize(
    ("resources", "expect"),
    [pytest.param(c[3], c[4], id=c[0]) for c in CASES],
)
def test_record_case(
    client: TestClient[Litestar], resources: list[dict[str, Any]], expect: dict[str, Any]
) -> None:
    report = check(client, patient(), *resources)
    risk = RISKS.index(report["risk"])
    if "risk" in expect:
        assert report["risk"] == expect["risk"], report["note"]
    if "risk_max" in expect:
        assert risk <= RISKS.index(expect["risk_max"]), report["note"]
    found = {f["id"] for f in report["findings"] if not f.get("absorbed_by")}
    every = {f["id"] for f in report["findings"]}
    for fid in expect.get("has", []):
        assert fid in found, sorted(found)
    for fid in expect.get("not", []):
        assert fid not in every, sorted(every)
    left_out = {i["reference"]: i["reason"] for i in report["ignored"]}
    for ref, reason in expect.get("ignored", {}).items():
        assert left_out.get(ref) == reason, left_out
    if "meds" in expect:
        assert len(report["medications"]) == expect["meds"]


def test_every_case_says_why_and_where_from() -> None:
    assert len({c[0] for c in CASES}) == len(CASES) >= 20
    assert all(c[1] and c[2] for c in CASES)
