"""Reading whether an input is current when the status is written after its name, as a
field or a sign, with a date, or beside a code (signal25: 30 misread chart texts).

Every row goes through the real engine; the guard rows are phrasings that must stay
current (a dose change, a hold parameter, a future stop, a diagnosis date)."""

from __future__ import annotations

import msgspec
import pytest

from service.engine.qualifiers import QualifierIndex
from service.knowledge.schema import Qualifiers
from service.knowledge.text import DATE, YEAR, clause_tokens, dated_clause_tokens
from tests.conftest import Checker

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOW_K = {
    "coding": [{"system": "http://loinc.org", "code": "2823-3"}],
    "value": 3.2,
    "unit": "mmol/L",
}


def _drug_taken(checker: Checker, text: str, drug_id: str) -> bool:
    """Whether the entry reads the drug as taken now: named, and not stated otherwise
    (one drug of several stated otherwise is named in the reason)."""
    kb = checker.kb
    name = kb.drugs[drug_id].name
    status = checker.med(text).medications[0]
    assert status.status != "unrecognized", (text, status)
    reason = status.reason or ""
    return (
        name in status.concepts
        and not reason.startswith(f"{name}:")
        and not (len(status.concepts) == 1 and reason in kb.texts.templates.values())
    )


def _condition_current(checker: Checker, text: str, condition_id: str) -> bool:
    name = checker.kb.conditions[condition_id].name
    status = checker.cond(text).conditions[0]
    assert status.status != "unrecognized", (text, status)
    return status.status == "flagged" and name in status.concepts


@pytest.mark.parametrize(
    ("text", "drug_id"),
    [
        ("prior HCTZ", "hydrochlorothiazide"),
        ("previous HCTZ 25 mg", "hydrochlorothiazide"),
        ("was on HCTZ", "hydrochlorothiazide"),
        ("HCTZ 25 mg: previously", "hydrochlorothiazide"),
        ("furosemide 40mg taken previously", "furosemide"),
        ("tried chlorthalidone in the past", "chlorthalidone"),
        ("HCTZ 25 mg (tried)", "hydrochlorothiazide"),
        ("HCTZ - entered in error", "hydrochlorothiazide"),
        ("HCTZ (old med)", "hydrochlorothiazide"),
        ("simvastatin 40 mg dc 2/2023", "simvastatin"),
        ("simvastatin 40 mg dc in 2021", "simvastatin"),
        # An EHR export row: the ";" before a field of the same row does not end it.
        ("furosemide 40 mg tablet; Status: Stopped", "furosemide"),
        ("furosemide 40 mg; status=inactive", "furosemide"),
        ("furosemide 40 mg | Status: On hold", "furosemide"),
        ("furosemide 40 mg. Status: Completed", "furosemide"),
        ("HCTZ 25 mg [Discontinued]", "hydrochlorothiazide"),
        ("HCTZ (2018-2020)", "hydrochlorothiazide"),
        ("HCTZ (cancelled)", "hydrochlorothiazide"),
        ("HCTZ 25 mg (off since 2022)", "hydrochlorothiazide"),
        ("HCTZ 25mg, prior", "hydrochlorothiazide"),
        ("Inactive meds: HCTZ", "hydrochlorothiazide"),
        ("Home med (stopped): HCTZ", "hydrochlorothiazide"),
        ("furosemide 40 mg daily DC", "furosemide"),
        ("past HCTZ", "hydrochlorothiazide"),
        ("tried and failed HCTZ", "hydrochlorothiazide"),
        ("furosemide 40 mg daily - tried in past", "furosemide"),
        ("simvastatin 40 mg qhs (intolerance)", "simvastatin"),
        ("simvastatin 40 mg -> pravastatin 40 mg", "simvastatin"),
        ("simvastatin \u2192 atorvastatin", "simvastatin"),
    ],
)
def test_a_past_or_stopped_medication_is_not_taken(
    checker: Checker, text: str, drug_id: str
) -> None:
    assert not _drug_taken(checker, text, drug_id)


@pytest.mark.parametrize(
    ("text", "drug_id"),
    [
        # A dose change, not a stop.
        ("atorvastatin previously on 20 mg, now 40 mg", "atorvastatin"),
        ("atorvastatin 40 mg (previously on 20 mg)", "atorvastatin"),
        ("atorvastatin 40 mg daily, previously 20 mg", "atorvastatin"),
        ("simvastatin 20 mg - prior dose 40 mg", "simvastatin"),
        # Continued, resumed, hold parameters, a stop still to come.
        ("continue HCTZ 25 mg daily", "hydrochlorothiazide"),
        ("resume HCTZ 25 mg daily", "hydrochlorothiazide"),
        ("restart HCTZ 25 mg", "hydrochlorothiazide"),
        ("HCTZ 25 mg daily, hold if SBP<100", "hydrochlorothiazide"),
        ("HCTZ 25 mg daily - dc when K normal", "hydrochlorothiazide"),
        ("furosemide 40 mg, d/c once euvolemic", "furosemide"),
        # "prior" that is not past use.
        ("prior to admission: HCTZ 25 mg daily", "hydrochlorothiazide"),
        ("HCTZ 25 mg - prior auth approved", "hydrochlorothiazide"),
        ("HCTZ 25 mg daily; Status: Active", "hydrochlorothiazide"),
        # The drug named before a past one.
        ("lasix 40 mg daily (previously on HCTZ)", "furosemide"),
        ("Lasix 40 mg - tried Bumex previously", "furosemide"),
        ("atorvastatin 80 mg (failed simvastatin)", "atorvastatin"),
        # A dose with four digits is no year.
        ("metformin 2000 mg daily, dc when eGFR < 30", "metformin"),
        ("HCTZ 25 mg since 2018", "hydrochlorothiazide"),
        ("HCTZ 25mg, prior auth pending", "hydrochlorothiazide"),
        ("HCTZ 25 mg, take with food, off label use", "hydrochlorothiazide"),
        ("dc meds: HCTZ 25 mg daily", "hydrochlorothiazide"),
        ("for the past 2 weeks on lasix 40 mg daily", "furosemide"),
        ("previous K 3.0 on HCTZ 25 mg daily", "hydrochlorothiazide"),
        ("past HCTZ, now chlorthalidone 25 mg", "chlorthalidone"),
        ("HCTZ 25 mg daily - continue at dc", "hydrochlorothiazide"),
        ("simvastatin 40 mg -> pravastatin 40 mg", "pravastatin"),
        ("lasix 20 -> 40 mg daily", "furosemide"),
        ("HCTZ 25 mg daily, hold if K > 5.0", "hydrochlorothiazide"),
    ],
)
def test_a_current_medication_stays_taken(checker: Checker, text: str, drug_id: str) -> None:
    assert _drug_taken(checker, text, drug_id)


def test_the_past_drug_beside_a_current_one_is_the_one_stopped(checker: Checker) -> None:
    assert not _drug_taken(checker, "lasix 40 mg daily (previously on HCTZ)", "hydrochlorothiazide")
    assert not _drug_taken(checker, "Lasix 40 mg - tried Bumex previously", "bumetanide")


def test_a_stopped_simvastatin_makes_no_contraindication_with_clarithromycin(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "simvastatin 40 mg dc 2/2023"}, {"text": "clarithromycin 500 mg bid"}]
    )
    assert report.risk in ("none", "low")
    current = checker(
        medications=[{"text": "simvastatin 40 mg qhs"}, {"text": "clarithromycin 500 mg bid"}]
    )
    assert current.risk == "high"


@pytest.mark.parametrize(
    ("text", "condition_id"),
    [
        ("hypokalemia: denied", "hypokalemia"),
        ("hypokalemia (-)", "hypokalemia"),
        ("hypothyroidism (-)", "hypothyroidism"),
        ("diabetes? no", "diabetes"),
        ("hypokalemia (past)", "hypokalemia"),
        ("sciatica (past)", "sciatica"),
        ("hypokalemia - entered in error", "hypokalemia"),
        ("Negative: hypokalemia. Positive: sciatica", "hypokalemia"),
        ("Negative: hypokalemia, hypothyroidism", "hypothyroidism"),
        ("gestational diabetes with last pregnancy", "pregnancy"),
        ("anemia during a previous pregnancy", "anemia"),
        ("anemia of pregnancy, 2015", "anemia"),
        ("anemia of pregnancy, 2015", "pregnancy"),
        ("pregnancy (miscarriage 2022)", "pregnancy"),
        ("hypoglycemia in 2019", "hypoglycemia"),
        ("rhabdomyolysis 2/2023", "rhabdomyolysis"),
        ("hypoglycemia precautions", "hypoglycemia"),
        ("hypoglycemia protocol", "hypoglycemia"),
        ("presumed hypothyroidism", "hypothyroidism"),
        ("hypothyroidism, presumed", "hypothyroidism"),
        ("hypothyroidism; Status: Inactive", "hypothyroidism"),
        ("hypokalemia [-]", "hypokalemia"),
        ("hypokalemia (FHx)", "hypokalemia"),
        ("prior pregnancy with gestational diabetes", "pregnancy"),
        ("monitor for hypoglycemia", "hypoglycemia"),
        ("PMH: hypokalemia", "hypokalemia"),
        ("Hypokalemia: Hx", "hypokalemia"),
        ("hypothyroidism - r/o", "hypothyroidism"),
        ("hypokalemia (rule out)", "hypokalemia"),
    ],
)
def test_a_negated_past_or_possible_condition_is_not_current(
    checker: Checker, text: str, condition_id: str
) -> None:
    assert not _condition_current(checker, text, condition_id)


@pytest.mark.parametrize(
    ("text", "condition_id"),
    [
        ("diabetes? yes", "diabetes"),
        ("neuropathy (+)", "peripheral_neuropathy"),
        ("prior sciatica, recurrent", "sciatica"),
        ("Negative: hypokalemia. Positive: sciatica", "sciatica"),
        ("Negative: fever, Positive: sciatica", "sciatica"),
        # A chronic condition with a year is current; so is one dated from its diagnosis.
        ("diabetes since 2015", "diabetes"),
        ("type 2 diabetes 2015", "diabetes"),
        ("sciatica since 2019", "sciatica"),
        ("anemia dx 2015", "anemia"),
        # A current pregnancy written with its dates.
        ("pregnancy, EDD 3/15/2027", "pregnancy"),
        ("pregnant, LMP 9/1/2026", "pregnancy"),
        ("pregnancy, first trimester", "pregnancy"),
        # A recent span is not the past.
        ("hypoglycemia in the past 2 weeks", "hypoglycemia"),
        ("low back pain with sciatica, past 2 weeks", "sciatica"),
        # Isolation for an infection is no order for a patient at risk.
        ("C diff contact precautions", "diarrhea"),
        ("hypothyroidism; Status: Active", "hypothyroidism"),
        ("hypothyroidism on levothyroxine", "hypothyroidism"),
        ("prior pregnancy, now 20 weeks pregnant", "pregnancy"),
        # A full date may be today's: only a year (or a month and year) dates the past.
        ("hypokalemia 11/28", "hypokalemia"),
        ("hypokalemia on 11/28/2026", "hypokalemia"),
        ("Diabetes Yes", "diabetes"),
        ("PMH: diabetes", "diabetes"),
    ],
)
def test_a_current_condition_stays_current(checker: Checker, text: str, condition_id: str) -> None:
    assert _condition_current(checker, text, condition_id)


@pytest.mark.parametrize(
    ("code", "text", "flagged"),
    [
        ("E11.9", "Type 2 diabetes - ruled out", False),
        ("E11.9", "possible type 2 diabetes", False),
        ("E11.9", "ruled out", False),
        ("E87.6", "family history of hypokalemia", False),
        ("E87.6", "hypokalemia (past)", False),
        ("E11.9", "Type 2 diabetes", True),
        ("E11.9", "history of type 2 diabetes", True),  # chronic: "history of" is current
        ("E87.6", "low potassium", True),
        # A text about another condition says nothing of the coded one.
        ("E87.6", "family history of diabetes", True),
    ],
)
def test_a_coded_condition_is_read_with_what_its_own_text_says(
    checker: Checker, code: str, text: str, flagged: bool
) -> None:
    status = checker.cond(coding=[{"system": ICD10CM, "code": code}], text=text).conditions[0]
    assert (status.status == "flagged") is flagged, status
    assert status.match == "code"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Allergy", False),
        ("Stopped", False),
        ("Inactive", False),
        ("entered in error", False),
        ("furosemide 40 mg - discontinued", False),
        ("Active", True),
        ("furosemide 40 mg daily", True),
        ("continue", True),
        # A text about another drug says nothing of the coded one.
        ("stopped HCTZ", True),
    ],
)
def test_a_coded_medication_is_read_with_a_status_only_text(
    checker: Checker, text: str, flagged: bool
) -> None:
    item = {"coding": [{"system": RXNORM, "code": "4603"}], "text": text}
    report = checker(medications=[item], labs=[LOW_K])
    assert (report.medications[0].status == "flagged") is flagged, report.medications[0]


def test_years_dates_and_signs_are_tokens() -> None:
    assert dated_clause_tokens("hypoglycemia in 2019") == ["hypoglycemia", "in", YEAR]
    assert dated_clause_tokens("dc 2/2023") == ["dc", YEAR]
    assert dated_clause_tokens("dc 11/30/2026") == ["dc", DATE]
    assert dated_clause_tokens("anemia (2015)") == ["anemia", "(", YEAR, ")"]
    # Doses with four digits are no years, nor are fractions dates.
    assert dated_clause_tokens("metformin 2000 mg") == ["metformin", "2000", "mg"]
    assert dated_clause_tokens("vitamin D 1000 units") == ["vitamin", "d", "1000", "units"]
    assert dated_clause_tokens("restart 1/2 tab") == ["restart", "1", "2", "tab"]
    assert clause_tokens("hypokalemia (-)") == ["hypokalemia", "(", "-", ")"]
    assert clause_tokens("neuropathy (+)") == ["neuropathy", "(", "+", ")"]
    assert clause_tokens("K+ 3.2") == ["k", "3.2"]
    assert clause_tokens("x-ray") == ["x", "ray"]


def _index(field_labels: list[str], **rule: object) -> QualifierIndex:
    data = {
        "terminators": [";"],
        "field_labels": field_labels,
        "sources": ["x"],
        "rule": [{"sources": ["x"], **rule}],
    }
    return QualifierIndex.compile(msgspec.convert(data, Qualifiers))


def _kind(index: QualifierIndex, text: str, concept: str) -> str | None:
    tokens = dated_clause_tokens(text)
    at = tokens.index(concept)
    return index.conditions.qualify(tokens, [(at, at + 1)])[0]


def test_a_field_label_keeps_the_terminator_before_it_from_ending_the_scope() -> None:
    rule = {"kind": "resolved", "direction": "backward", "scope": 6, "phrases": ["inactive"]}
    labelled = _index(["status :"], **rule)
    assert _kind(labelled, "gout; status: inactive", "gout") == "resolved"
    assert _kind(labelled, "gout; inactive", "gout") is None
    assert _kind(_index([], **rule), "gout; status: inactive", "gout") is None


def test_a_phrase_that_names_the_concept_qualifies_it() -> None:
    named = _index(
        [],
        kind="historical",
        direction="backward",
        scope=2,
        phrases=["last pregnancy"],
        names_the_concept=True,
    )
    assert _kind(named, "last pregnancy", "pregnancy") == "historical"
    assert _kind(named, "anemia with last pregnancy", "anemia") == "historical"
    plain = _index([], kind="historical", direction="backward", scope=2, phrases=["last pregnancy"])
    assert _kind(plain, "last pregnancy", "pregnancy") is None


def test_a_number_in_a_phrase_stands_for_any_number() -> None:
    rule = {"kind": "negated", "direction": "backward", "scope": 4}
    index = _index([], phrases=["previously {number}"], **rule)
    assert _kind(index, "gout previously 20 mg", "gout") == "negated"
    assert _kind(index, "gout previously 12.5 mg", "gout") == "negated"
    assert _kind(index, "gout previously on", "gout") is None
    with pytest.raises(ValueError, match="cannot start"):
        _index([], phrases=["{number} mg"], **rule)
