"""Review28 fixes (fix28b): an infant sent as ``age: 0``, "negative:" headings, answered
form questions, coded-drug texts and past drugs, the statin myopathy rule, and codes."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import LOINC, result

TSH = {"coding": [{"system": LOINC, "code": "3016-3"}]}
CK = {"coding": [{"system": LOINC, "code": "2157-6"}]}


def _ids(report: object) -> list[str]:
    return [f.id for f in report.findings]  # type: ignore[attr-defined]


def test_an_infant_sent_as_age_0_is_not_read_as_a_newborn_of_hours(checker: Checker) -> None:
    """A whole-year age of 0 is any infant under 12 months: the first-day, first-week and
    first-month bands apply only to a fractional age (review28 R3)."""
    for sex in ("male", "female"):
        tsh = checker(patient={"age": 0, "sex": sex}, labs=[{**TSH, "value": 30, "unit": "mIU/L"}])
        assert "lab/tsh/high" in _ids(tsh)
        ck = checker(patient={"age": 0, "sex": sex}, labs=[{**CK, "value": 2500, "unit": "U/L"}])
        assert "lab/ck/high" in _ids(ck)
    hypothyroid = checker(
        patient={"age": 0, "sex": "female"},
        medications=[{"text": "levothyroxine 25 mcg daily"}],
        conditions=[{"text": "congenital hypothyroidism"}],
        labs=[{**TSH, "value": 12, "unit": "mIU/L"}],
    )
    assert "lab/tsh/high" in _ids(hypothyroid)
    calcium = checker(
        patient={"age": 0},
        medications=[{"text": "furosemide 1 mg/kg IV daily"}],
        labs=[result("calcium", 8.2, "mg/dL")],
    )
    assert "lab/calcium/low" in _ids(calcium)
    dapto = checker(
        patient={"age": 0},
        medications=[{"text": "daptomycin 6 mg/kg IV daily"}],
        labs=[{**CK, "value": 2500, "unit": "U/L"}],
    )
    assert dapto.risk == "high"
    # A float that is whole (0.0) is the same whole-year age.
    assert "lab/ck/high" in _ids(
        checker(patient={"age": 0.0}, labs=[{**CK, "value": 2500, "unit": "U/L"}])
    )
    # A fractional age still reads the newborn bands; the 1-month-to-3-years TSH band
    # stays for age 0.
    assert _ids(checker(patient={"age": 0.01}, labs=[{**CK, "value": 2500, "unit": "U/L"}])) == []
    assert _ids(checker(patient={"age": 0}, labs=[{**TSH, "value": 6.5, "unit": "mIU/L"}])) == []


HCTZ_CODED = {
    "coding": [
        {
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
            "code": "310798",
            "display": "Hydrochlorothiazide 25 MG Oral Tablet",
        }
    ]
}
K_LOW = {"coding": [{"system": LOINC, "code": "2823-3"}], "value": 3.2, "unit": "mmol/L"}


def test_a_negative_heading_after_a_section_label_negates(checker: Checker) -> None:
    """review28 R4: "Pertinent negatives:", "ROS - Negative:", "Neuro: negative:" are
    headings; a test's result before "negative:" is not."""
    for text in (
        "Pertinent negatives: sciatica, spinal stenosis",
        "Pertinent negative: hypokalemia",
        "ROS negatives: diabetes",
        "ROS - Negative: diabetes",
        "Endo ROS - negative: polyuria, diabetes",
        "Review of systems - negative: neuropathy",
        "ROS: neuro negative: neuropathy",
        "Neuro: negative: neuropathy",
        "Constitutional: negative. Endocrine: negative: diabetes",
        "Endocrine ROS negative: diabetes",
    ):
        report = checker.cond(text)
        assert report.conditions[0].status == "recognized", text
        assert report.conditions[0].reason == "stated as absent or ruled out", text
    for text in ("HCV Ab negative: cirrhosis", "Rh negative: pregnancy 28 weeks"):
        assert checker.cond(text).conditions[0].status == "flagged", text


def test_a_form_question_answered_yes_is_current(checker: Checker) -> None:
    """review28 R5: "? y/n" unanswered is possible; answered "y"/"yes" it is current."""
    for text in (
        "Diabetes? y/n: y",
        "Diabetes? Y/N Y",
        "Diabetes? yes/no - yes",
        "Diabetes? Yes/No: Yes",
        "Neuropathy? y/n - y",
    ):
        assert checker.cond(text).conditions[0].status == "flagged", text
    assert checker.cond("Hypokalemia? y/n").conditions[0].status == "recognized"


def test_a_coded_drug_marked_not_taken_by_the_patient_is_not_taken(checker: Checker) -> None:
    """review28 R6: who said it ("Patient", "Pt", "per", "by") does not make the mark a
    sentence about something else."""
    for text in (
        "Patient not taking",
        "Pt not taking",
        "not taking per patient",
        "patient stopped",
        "Patient has stopped",
        "Pt stopped taking",
        "stopped by patient",
        "Discontinued by patient",
        "Patient discontinued",
    ):
        report = checker(medications=[{**HCTZ_CODED, "text": text}], labs=[K_LOW])
        assert report.medications[0].status == "recognized", text
        assert report.risk == "low", text
    for text in ("Adverse reaction: none", "intolerance to spironolactone"):
        report = checker(medications=[{**HCTZ_CODED, "text": text}], labs=[K_LOW])
        assert report.medications[0].status == "flagged", text


def test_prior_drug_is_past_unless_its_dose_follows_it(checker: Checker) -> None:
    """review28 R7: "dose" counts right after the drug only; "do not resume prior" is not
    a resumed drug; ", now off" ends the entry as a past drug."""
    for text in (
        "Do not resume prior HCTZ",
        "Do not restart previous simvastatin",
        "Previous HCTZ caused increased glucose",
        "Prior atorvastatin with increased CK",
        "previous simvastatin (CK increased)",
        "Prior HCTZ: sodium decreased",
        "prior HCTZ increased calcium",
        "Previous furosemide dose increased for edema, now off",
    ):
        assert checker.med(text).medications[0].status == "recognized", text
    for text in (
        "Prior Lasix dose reduced to 20 mg",
        "Prior lasix 40 mg dose reduced",
        "Continue prior furosemide",
        "resume prior HCTZ",
    ):
        assert checker.med(text).medications[0].status == "flagged", text


def test_statin_myopathy_rule_needs_a_statin_myopathy(checker: Checker) -> None:
    """review28 O1: a steroid myopathy, SAMS (symptoms) and a statin myopathy followed by a
    statin now tolerated do not make a statin a moderate myopathy problem."""
    rule = "combination/statin_with_drug_induced_myopathy"
    for text in (
        "steroid myopathy",
        "steroid induced myopathy",
        "SAMS",
        "statin associated muscle symptoms",
        "statin-induced myopathy on atorvastatin 2019, now tolerating rosuvastatin 5 mg",
    ):
        report = checker(
            medications=[{"text": "rosuvastatin 5 mg daily"}], conditions=[{"text": text}]
        )
        assert rule not in _ids(report), text
        assert report.risk == "low", text
    steroid = checker.cond("steroid myopathy")
    assert steroid.conditions[0].concept == "steroid-induced myopathy"
    for text in ("statin myopathy", "statin-induced myopathy", "drug-induced myopathy"):
        report = checker(
            medications=[{"text": "rosuvastatin 5 mg daily"}], conditions=[{"text": text}]
        )
        assert rule in _ids(report), text
    # SAMS with a raised CK is the EAS muscle-symptoms rule.
    sams_ck = checker(
        medications=[{"text": "rosuvastatin 5 mg daily"}],
        conditions=[{"text": "SAMS"}],
        labs=[result("CK", 400, "U/L")],
    )
    assert "combination/statin_with_raised_ck_and_muscle_symptoms" in _ids(sams_ck)


def test_peripheral_angioplasty_status_is_no_cardiac_device(checker: Checker) -> None:
    """review28 R8: Z98.62 and Z95.820 record a treated peripheral artery disease; they are
    left unrecognized (asked about), while Z98.61 and Z95.5 stay the cardiac category."""
    for code in ("Z98.62", "Z95.820"):
        status = checker.cond(coding=[{"system": "icd10cm", "code": code}]).conditions[0]
        assert status.concept != "cardiac device, stent, bypass graft or valve replacement"
        assert status.status == "unrecognized", code
    for code in ("Z98.61", "Z95.5"):
        status = checker.cond(coding=[{"system": "icd10cm", "code": code}]).conditions[0]
        assert status.concept == "cardiac device, stent, bypass graft or valve replacement"


def test_a_fall_in_a_result_is_not_falls(checker: Checker) -> None:
    """review28 O4: "recent fall" and "history of fall" were synonyms of falls."""
    falls = "falls (repeated or history of falling)"
    for text in (
        "Recent fall in sodium",
        "history of fall in blood pressure",
        "recent fall in hemoglobin, anemia",
        "Recent fall in eGFR, CKD stage 4",
    ):
        report = checker.cond(text)
        assert falls not in (report.conditions[0].concepts or []), text
        assert report.conditions[0].concept != falls, text
    assert checker.cond("s/p fall").conditions[0].concept == falls
