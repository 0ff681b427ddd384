"""A record sent as FHIR means what the same data means as a plain REST request.

Each test sends a FHIR R4 Bundle to `POST /v1/check/fhir` and, where the REST contract
can say the same thing, the plain request to `POST /v1/check`, and compares the findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ALBUTEROL = {"system": RXNORM, "code": "745679", "display": "Albuterol 0.09 MG/ACTUAT Inhaler"}
FUROSEMIDE = {"system": RXNORM, "code": "310429", "display": "Furosemide 20 MG Oral Tablet"}
POTASSIUM = {"system": LOINC, "code": "2823-3", "display": "Potassium"}
TSH = {"system": LOINC, "code": "3016-3", "display": "TSH"}
HYPOTHYROIDISM = {"system": SNOMED, "code": "40930008", "display": "Hypothyroidism"}
PREGNANCY = {"system": SNOMED, "code": "77386006", "display": "Pregnancy"}

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # Lab dates in these records are recent; no age limit keeps the tests date-free.
    app = create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))
    with TestClient(app) as test_client:
        yield test_client


def days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def bundle(*resources: dict[str, Any], birth: str = "1990-05-01") -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": birth}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (patient, *resources)],
    }


def order(rid: str, coding: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"coding": [coding]},
        **fields,
    }


def lab(rid: str, code: dict[str, str], value: float, unit: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "category": [{"coding": [{"code": "laboratory"}]}],
        "code": {"coding": [code]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": days_ago(3),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        **fields,
    }


def condition(rid: str, coding: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [coding]},
        "subject": {"reference": "Patient/p1"},
        **fields,
    }


def fhir(client: Client, *resources: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/check/fhir", json=bundle(*resources))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def plain(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/check", json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def findings(report: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(f["id"], f["severity"], f["absorbed_by"]) for f in report["findings"]]


def ignored(report: dict[str, Any]) -> dict[str, str]:
    return {i["reference"]: i["reason"] for i in report["ignored"]}


def range_of(low: float, high: float, unit: str = "mmol/L", **fields: Any) -> dict[str, Any]:
    return {
        "low": {"value": low, "unit": unit, "system": UCUM, "code": unit},
        "high": {"value": high, "unit": unit, "system": UCUM, "code": unit},
        **fields,
    }


def test_the_labs_own_reference_range_is_used_as_in_rest(client: Client) -> None:
    """A potassium of 3.5 below the lab's own 3.6-5.2 is low; 3.4 within the lab's 3.0-5.0
    is not: as the REST `reference_range` says (the FHIR range was read for its unit only)."""
    furosemide = order("m1", FUROSEMIDE)
    for value, low, high, flagged in ((3.5, 3.6, 5.2, True), (3.4, 3.0, 5.0, False)):
        observation = lab("k1", POTASSIUM, value, "mmol/L", referenceRange=[range_of(low, high)])
        report = fhir(client, furosemide, observation)
        rest = plain(
            client,
            {
                "medications": [{"coding": [FUROSEMIDE]}],
                "labs": [
                    {
                        "coding": [POTASSIUM],
                        "value": value,
                        "unit": "mmol/L",
                        "reference_range": {"low": low, "high": high},
                    }
                ],
            },
        )
        assert findings(report) == findings(rest)
        assert ("lab/potassium/low" in {f[0] for f in findings(report)}) is flagged


def test_a_reference_range_that_is_not_the_patients_normal_range_is_not_used(
    client: Client,
) -> None:
    furosemide = order("m1", FUROSEMIDE)
    not_for_everyone = [
        range_of(3.0, 5.0, appliesTo=[{"text": "children"}]),
        range_of(3.0, 5.0, type={"coding": [{"code": "therapeutic"}]}),
        range_of(3.0, 5.0, unit="mg/dL"),
    ]
    for ranges in ([r] for r in not_for_everyone):
        report = fhir(
            client, furosemide, lab("k1", POTASSIUM, 3.4, "mmol/L", referenceRange=ranges)
        )
        assert "lab/potassium/low" in {f[0] for f in findings(report)}, ranges
    both = [range_of(3.0, 5.0), range_of(3.6, 5.2)]
    report = fhir(client, furosemide, lab("k1", POTASSIUM, 3.4, "mmol/L", referenceRange=both))
    assert "lab/potassium/low" in {f[0] for f in findings(report)}


def test_an_as_needed_order_is_read_as_prn_as_in_rest(client: Client) -> None:
    """A PRN beta-2 agonist's transient potassium shift does not add up with a diuretic
    and a low potassium (`additive_when_prn = false`); FHIR says PRN in `asNeeded[x]`."""
    low_k = lab("k1", POTASSIUM, 3.3, "mmol/L")
    rest = plain(
        client,
        {
            "medications": [
                {"coding": [ALBUTEROL], "text": "albuterol inhaler 2 puffs q4h prn"},
                {"coding": [FUROSEMIDE]},
            ],
            "labs": [{"coding": [POTASSIUM], "value": 3.3, "unit": "mmol/L"}],
        },
    )
    assert ("medication/albuterol", "low", None) in findings(rest)
    for as_needed in ({"asNeededBoolean": True}, {"asNeededCodeableConcept": {"text": "wheeze"}}):
        dosage = [{"text": "2 puffs every 4 hours as needed", **as_needed}]
        report = fhir(
            client, order("m1", ALBUTEROL, dosageInstruction=dosage), order("m2", FUROSEMIDE), low_k
        )
        assert findings(report) == findings(rest), as_needed
        assert report["sources"]["medications"][0]["display"] == ALBUTEROL["display"]
    # Scheduled as well as as needed: not PRN, so it adds up.
    scheduled = [
        {"text": "2 puffs twice daily"},
        {"text": "2 puffs as needed", "asNeededBoolean": True},
    ]
    report = fhir(
        client, order("m1", ALBUTEROL, dosageInstruction=scheduled), order("m2", FUROSEMIDE), low_k
    )
    assert ("medication/albuterol", "low", None) not in findings(report)


def test_an_unconfirmed_diagnosis_is_not_flagged_as_in_rest(client: Client) -> None:
    rest = plain(client, {"conditions": [{"text": "possible hypothyroidism"}]})
    assert rest["risk"] == "none"
    for status in ("unconfirmed", "provisional", "differential"):
        verification = {"coding": [{"code": status}]}
        report = fhir(client, condition("c1", HYPOTHYROIDISM, verificationStatus=verification))
        assert report["risk"] == "none", status
        assert ignored(report) == {"Condition/c1": f"verification status {status}: not established"}
    confirmed = {"coding": [{"code": "confirmed"}]}
    report = fhir(client, condition("c1", HYPOTHYROIDISM, verificationStatus=confirmed))
    assert report["risk"] == "low"


def test_a_proposed_order_is_not_a_drug_the_patient_takes(client: Client) -> None:
    for intent in ("proposal", "option"):
        report = fhir(client, order("m1", FUROSEMIDE, intent=intent))
        assert report["risk"] == "none"
        assert ignored(report) == {"MedicationRequest/m1": f"intent {intent}: not an order"}
    planned = fhir(client, order("m1", FUROSEMIDE, intent="plan"))
    assert planned["risk"] == "none"
    assert ignored(planned) == {"MedicationRequest/m1": "intent plan: not an order"}
    # A plan reported by the patient or self-prescribed is a drug taken (US Core).
    for reported in (
        {"reportedBoolean": True},
        {"reportedReference": {"reference": "Patient/p1"}},
        {"requester": {"reference": "Patient/p1", "display": "self-prescribed"}},
    ):
        report = fhir(client, order("m1", FUROSEMIDE, intent="plan", **reported))
        assert report["risk"] == "low", reported
    assert (
        fhir(client, order("m1", FUROSEMIDE, intent="proposal", reportedBoolean=True))["risk"]
        == "none"
    )


def pregnancy_status(rid: str, answer: dict[str, str], days: int) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "82810-3", "display": "Pregnancy status"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": days_ago(days),
        "valueCodeableConcept": {"coding": [answer]},
    }


PREGNANT = {"system": SNOMED, "code": "77386006", "display": "Pregnant"}
NOT_PREGNANT = {"system": LOINC, "code": "LA26683-5", "display": "Not pregnant"}


def test_a_current_pregnancy_is_the_rest_pregnant_flag(client: Client) -> None:
    """A TSH of 4.2 mIU/L is high in pregnancy (limit 4.0); the REST request says pregnant
    with `patient.pregnant`, FHIR with a Condition or a pregnancy status Observation."""
    tsh = lab("t1", TSH, 4.2, "mIU/L")
    rest = plain(
        client,
        {
            "patient": {"age": 36, "sex": "female", "pregnant": True},
            "labs": [{"coding": [TSH], "value": 4.2, "unit": "mIU/L"}],
        },
    )
    assert {"lab/tsh/high", "condition/pregnancy"} <= {f[0] for f in findings(rest)}
    by_condition = fhir(client, tsh, condition("c1", PREGNANCY, onsetDateTime=days_ago(60)))
    assert findings(by_condition) == findings(rest)
    by_status = fhir(client, tsh, pregnancy_status("s1", PREGNANT, 20))
    assert findings(by_status) == findings(rest)
    assert "Observation/s1" not in ignored(by_status)


def test_a_pregnancy_status_is_read_with_the_pregnancy_rules(client: Client) -> None:
    tsh = lab("t1", TSH, 4.2, "mIU/L")
    old = fhir(client, tsh, pregnancy_status("s1", PREGNANT, 400))
    assert old["risk"] == "none"
    assert ignored(old)["Observation/s1"].endswith("not a current pregnancy")
    # "Not pregnant" after the pregnancy Condition began closes it.
    closed = fhir(
        client,
        tsh,
        condition("c1", PREGNANCY, onsetDateTime=days_ago(200)),
        pregnancy_status("s1", NOT_PREGNANT, 10),
    )
    assert closed["risk"] == "none"
    assert "later pregnancy status says not pregnant" in ignored(closed)["Condition/c1"]
    # A pregnancy Condition after a "not pregnant" status is a pregnancy.
    pregnant = fhir(
        client,
        tsh,
        pregnancy_status("s1", NOT_PREGNANT, 100),
        condition("c1", PREGNANCY, onsetDateTime=days_ago(30)),
    )
    assert {"lab/tsh/high", "condition/pregnancy"} <= {f[0] for f in findings(pregnant)}


def test_the_most_recent_result_wins_across_loinc_and_local_codes(client: Client) -> None:
    """An old low potassium under its LOINC code and a newer normal one under the lab's
    local code are one analyte: only the newer is used."""
    old = lab("k-old", POTASSIUM, 3.0, "mmol/L", effectiveDateTime=days_ago(90))
    new = lab(
        "k-new", {"system": "urn:oid:1.2.3.4", "code": "K", "display": "Potassium"}, 4.2, "mmol/L"
    )
    new["code"]["text"] = "Potassium"
    report = fhir(client, order("m1", FUROSEMIDE), old, new)
    assert [s["reference"] for s in report["sources"]["labs"]] == ["Observation/k-new"]
    assert ignored(report) == {
        "Observation/k-old": "a more recent result is used (Observation/k-new)"
    }
    assert "lab/potassium/low" not in {f[0] for f in findings(report)}


def test_a_result_written_as_a_bound_says_so(client: Client) -> None:
    observation = lab("g1", {"system": LOINC, "code": "19123-9"}, 1.0, "mg/dL")
    observation["valueQuantity"]["comparator"] = "<"
    report = fhir(client, observation)
    assert report["sources"]["labs"][0]["display"] == "19123-9 <1.0 mg/dL"


@pytest.mark.parametrize("resource_type", ["MedicationRequest", "MedicationStatement"])
def test_a_drug_on_hold_is_not_taken_now_as_in_plain_json(
    client: Client, resource_type: str
) -> None:
    held = order("m1", FUROSEMIDE, status="on-hold")
    if resource_type == "MedicationStatement":
        held = {k: v for k, v in held.items() if k != "intent"}
        held["resourceType"] = resource_type
    report = fhir(client, held, lab("k1", POTASSIUM, 3.1, "mmol/L"))
    rest = plain(
        client,
        {
            "medications": [{"text": "furosemide 20 mg oral tablet (on hold)"}],
            "labs": [{"coding": [POTASSIUM], "value": 3.1, "unit": "mmol/L"}],
        },
    )
    assert findings(report) == findings(rest) == [("lab/potassium/low", "low", None)]
    assert rest["medications"][0]["status"] == "recognized"
    assert ignored(report) == {f"{resource_type}/m1": "status on-hold: held, not taken now"}


def test_a_whole_number_result_reads_the_same_in_sources_and_findings(client: Client) -> None:
    report = fhir(client, lab("k1", POTASSIUM, 3, "mmol/L"))
    assert report["sources"]["labs"][0]["display"] == "Potassium 3.0 mmol/L"
    assert "3.0 mmol/L" in report["findings"][0]["title"]


CK = {"system": LOINC, "code": "2157-6", "display": "Creatine kinase"}
SIMVASTATIN = {"system": RXNORM, "code": "36567", "display": "simvastatin"}


@pytest.mark.parametrize(
    ("comparator", "value", "used"),
    [
        ("<", 2.5, True),  # every potassium below 2.5 is low: read as 2.5
        ("<=", 3.4, True),
        ("<", 3.5, True),  # just under the lower limit is low
        ("<", 4.0, False),  # 3.2 or 3.9: may be normal
        (">", 3.0, False),
        (">=", 6.0, False),  # no high potassium band here: nothing to read it as
    ],
)
def test_a_bound_is_read_as_its_number_only_when_every_value_within_it_is_abnormal(
    client: Client, comparator: str, value: float, used: bool
) -> None:
    observation = lab("k1", POTASSIUM, value, "mmol/L")
    observation["valueQuantity"]["comparator"] = comparator
    report = fhir(client, order("m1", FUROSEMIDE), observation)
    sources = [s["reference"] for s in report["sources"].get("labs", [])]
    if used:
        assert sources == ["Observation/k1"]
        assert "lab/potassium/low" in {f[0] for f in findings(report)}
    else:
        assert sources == []
        assert ignored(report)["Observation/k1"] == (
            f"a bound ({comparator}{value:.1f} mmol/L), not a measured value, and it may be "
            "normal: not checked"
        )
        assert not any(f[0].startswith("lab/") for f in findings(report))


def test_a_newer_bound_that_may_be_normal_is_not_replaced_by_an_older_value(
    client: Client,
) -> None:
    """A CK "<200" today says more than a CK of 5000 three months ago: the old value is not
    brought back as the most recent one."""
    old = lab("ck-old", CK, 5000, "U/L", effectiveDateTime=days_ago(90))
    new = lab("ck-new", CK, 200, "U/L")
    new["valueQuantity"]["comparator"] = "<"
    report = fhir(client, order("m1", SIMVASTATIN), old, new)
    assert "labs" not in report["sources"]
    assert ignored(report) == {
        "Observation/ck-old": "a more recent result is used (Observation/ck-new)",
        "Observation/ck-new": (
            "a bound (<200 U/L), not a measured value, and it may be normal: not checked"
        ),
    }
    assert [f[0] for f in findings(report)] == ["medication/simvastatin"]


@pytest.mark.parametrize(("code", "status"), [("54485002", "recognized"), ("26643006", "flagged")])
def test_a_route_coded_without_words_is_read_by_its_code(
    client: Client, code: str, status: str
) -> None:
    """Dexamethasone eye drops are not a systemic corticosteroid, whether the route comes as
    words or as a SNOMED CT code alone (it was dropped, and the drug read as by mouth)."""
    text = "dexamethasone 0.1 % solution, 1 drop"
    request = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": text},
        "dosageInstruction": [{"route": {"coding": [{"system": SNOMED, "code": code}]}}],
    }
    report = fhir(client, request)
    rest = plain(client, {"medications": [{"text": text, "route": code}]})
    assert [m["status"] for m in report["medications"]] == [status]
    assert [m["status"] for m in rest["medications"]] == [status]
    assert findings(report) == findings(rest)


ADMINISTERED = "a dose given (MedicationAdministration): not read as a drug taken now"


def test_a_dose_given_is_listed_as_not_read(client: Client) -> None:
    given = order("a1", FUROSEMIDE, effectiveDateTime=days_ago(2))
    del given["intent"]
    given["resourceType"] = "MedicationAdministration"
    given["status"] = "completed"
    elsewhere = {**given, "id": "a2", "subject": {"reference": "Patient/p2"}}
    report = fhir(client, given, elsewhere, lab("k1", POTASSIUM, 3.1, "mmol/L"))
    assert report["medications"] == []
    assert findings(report) == [("lab/potassium/low", "low", None)]
    assert ignored(report) == {
        "MedicationAdministration/a1": ADMINISTERED,
        "MedicationAdministration/a2": "belongs to another patient",
    }


def test_a_condition_closed_without_a_clinical_status_is_not_current(client: Client) -> None:
    closed = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [HYPOTHYROIDISM]},
        "abatementDateTime": days_ago(30),
    }
    report = fhir(client, closed)
    assert report["conditions"] == []
    assert ignored(report) == {"Condition/c1": f"abated ({days_ago(30)})"}


@pytest.mark.parametrize(
    ("code", "value", "unit", "comparator", "shown"),
    [
        (POTASSIUM, 2.5, "mmol/L", "<", "potassium <2.5 mmol/L"),
        (POTASSIUM, 3.0, "mmol/L", "<=", "potassium <=3.0 mmol/L"),
        (CK, 10000, "U/L", ">", "creatine kinase (CK) >10000 U/L"),
    ],
)
def test_a_bound_read_as_its_number_is_shown_with_its_comparator(
    client: Client, code: dict[str, str], value: float, unit: str, comparator: str, shown: str
) -> None:
    """review51 D6: a bound read as its number ("<2.5") was shown as the exact value
    ("potassium 2.5 mmol/L") in titles, details and the note, a value the lab did not
    report."""
    observation = lab("b1", code, value, unit)
    observation["valueQuantity"]["comparator"] = comparator
    drug = FUROSEMIDE if code is POTASSIUM else SIMVASTATIN
    report = fhir(client, order("m1", drug), observation)
    lead = report["findings"][0]
    assert shown in lead["title"], lead["title"]
    assert shown in report["note"]
    number = f"{value:.1f}" if value < 100 else f"{value:g}"
    assert f" {number} {unit}" not in report["note"]
    lab_finding = next(f for f in report["findings"] if f["kind"] == "lab")
    assert f"{comparator}{number} {unit}" in lab_finding["title"]
    assert f"{comparator}{number} {unit}" in lab_finding["detail"]
