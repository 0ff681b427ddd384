"""The reading regressions review27 found in qual27 and sig27, fixed narrowly: each current
problem or drug below was dropped (or misread) after those changes, and each reading qual27
meant to add beside it must stay as it is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FUROSEMIDE_20 = [{"system": RXNORM, "code": "310429", "display": "Furosemide 20 MG Oral Tablet"}]


def _icd(code: str) -> list[dict[str, str]]:
    return [{"system": ICD10CM, "code": code}]


# R1: "<test> negative: <problem>" gives the test's result; the problem is the patient's,
# coded or not (only a "Negative:" heading that opens its clause negates what follows).
@pytest.mark.parametrize(
    ("text", "coding", "concept"),
    [
        ("HCV Ab negative: cirrhosis", _icd("K74.60"), "cirrhosis of the liver"),
        ("Coombs negative: anemia", _icd("D64.9"), "anemia"),
        ("Rh negative: pregnancy", _icd("Z34.90"), "pregnancy"),
        ("B12 negative: peripheral neuropathy", _icd("G62.9"), "peripheral neuropathy"),
        ("GAD antibody negative: type 2 diabetes", _icd("E11.9"), "diabetes mellitus"),
        ("HCV Ab negative: cirrhosis", None, "cirrhosis of the liver"),
        ("Rh negative: pregnancy 28 weeks", None, "pregnancy"),
        ("Coombs negative: anemia", None, "anemia"),
        ("HIV negative: peripheral neuropathy", None, "peripheral neuropathy"),
        ("TB negative: ESRD on hemodialysis", None, "end-stage kidney disease or dialysis"),
        ("Hep C antibody negative: cirrhosis", None, "cirrhosis of the liver"),
    ],
)
def test_a_tests_negative_result_keeps_the_problem_after_it(
    checker: Checker, text: str, coding: Any, concept: str
) -> None:
    item = checker.status("conditions", text, coding)
    assert item.status == "flagged", (text, item.status, item.reason)
    assert concept in item.concepts, (text, item.concepts)


@pytest.mark.parametrize(
    "text",
    [
        "Negative: hypokalemia",
        "ROS: Negative: hypokalemia",
        "Review of systems: negative: hypokalemia",
        "ROS negative: hypokalemia",
    ],
)
def test_a_negative_heading_that_opens_the_entry_still_negates(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized", (text, item.status)
    assert item.reason == checker.kb.texts.templates["negated"], (text, item.reason)


@pytest.mark.parametrize(
    "text",
    ["Positive: sciatica. Negative: hypokalemia", "Positive: sciatica, Negative: hypokalemia"],
)
def test_a_negative_heading_after_another_clause_still_negates(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "flagged"
    assert item.concepts == ["sciatica or lumbosacral radiculopathy"], item.concepts


def test_a_coded_condition_under_its_own_negative_heading_is_still_absent(
    checker: Checker,
) -> None:
    item = checker.status("conditions", "Negative: cirrhosis", _icd("K74.60"))
    assert item.status == "recognized"
    assert item.reason == checker.kb.texts.templates["negated"]


# R2: "prior"/"previous" with a drug continued, taken again or re-dosed; a combination
# product after "prior" is past as a whole.
@pytest.mark.parametrize(
    "text",
    [
        "Continue prior furosemide 40 mg daily",
        "Continue prior Lasix",
        "resume prior HCTZ 25 mg",
        "restart previous atorvastatin 40 mg",
        "continue previous insulin glargine 20 units",
        "Prior Lasix dose reduced to 20 mg",
        "Home med (prior): hydrochlorothiazide 25 mg",
    ],
)
def test_a_prior_drug_continued_or_redosed_is_taken(checker: Checker, text: str) -> None:
    item = checker.status("medications", text)
    assert item.status == "flagged", (text, item.status, item.reason)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("prior HCTZ", "hydrochlorothiazide"),
        ("prior HCTZ, dose unknown", "hydrochlorothiazide"),
        ("Prior lisinopril-HCTZ", "lisinopril + hydrochlorothiazide"),
        ("Prior lisinopril-HCTZ, now lisinopril 20 mg", "lisinopril + hydrochlorothiazide"),
        ("prior lisinopril/HCTZ 20-25 mg", "lisinopril + hydrochlorothiazide"),
        ("tried lisinopril-HCTZ in the past", "lisinopril + hydrochlorothiazide"),
    ],
)
def test_a_prior_drug_or_combination_is_past(checker: Checker, text: str, concept: str) -> None:
    item = checker.status("medications", text)
    assert item.status == "recognized", (text, item.status, item.reason)
    assert item.concept == concept, (text, item.concept)
    assert item.reason == checker.kb.texts.templates["stopped"], (text, item.reason)


def test_drugs_listed_apart_are_not_one_product(checker: Checker) -> None:
    item = checker.status("medications", "prior lisinopril, HCTZ 25 mg")
    assert item.status == "flagged"
    assert item.concept == "hydrochlorothiazide"


# R4: "(past)" then a recurrence.
@pytest.mark.parametrize(
    "text",
    [
        "sciatica (past), recurrent",
        "hypokalemia (past), recurrent",
        "Sciatica (past), current flare",
        "Sciatica - past, now flaring",
        "Hypomagnesemia - past, recurring",
        "prior sciatica, recurring",
    ],
)
def test_a_past_episode_that_recurs_is_current(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "flagged", (text, item.status, item.reason)


@pytest.mark.parametrize("text", ["hypokalemia (past)", "hypokalemia (past); recurrent?"])
def test_a_past_episode_alone_stays_past(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized", (text, item.status)


# R5: precautions for a condition the patient has.
@pytest.mark.parametrize(
    "text",
    [
        "Diabetic foot precautions",
        "Peripheral neuropathy precautions",
        "Neuropathy precautions",
        "Dialysis precautions",
        "Diabetic precautions",
    ],
)
def test_precautions_for_a_chronic_condition_keep_it_current(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "flagged", (text, item.status, item.reason)


@pytest.mark.parametrize(
    "text", ["hypoglycemia precautions", "seizure precautions", "hypokalemia precautions"]
)
def test_precautions_against_an_episode_are_not_the_episode(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized", (text, item.status)
    assert item.reason == checker.kb.texts.templates["hypothetical"], (text, item.reason)


# R6: the cause is presumed, not the condition.
@pytest.mark.parametrize(
    "text",
    [
        "Presumed NASH cirrhosis",
        "Presumed alcoholic cirrhosis",
        "presumed iron deficiency anemia",
        "Presumed autoimmune hypothyroidism",
    ],
)
def test_a_presumed_cause_keeps_the_condition_current(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "flagged", (text, item.status, item.reason)


@pytest.mark.parametrize(
    "text", ["presumed hypothyroidism", "presumed NASH", "presumed iron deficiency"]
)
def test_a_presumed_condition_stays_possible(checker: Checker, text: str) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized", (text, item.status)
    assert item.reason == checker.kb.texts.templates["hypothetical"], (text, item.reason)


# R3: a coded drug whose text is about something else.
@pytest.mark.parametrize(
    "text", ["Adverse reaction: none", "intolerance to spironolactone", "Allergy: none"]
)
def test_a_coded_drug_with_a_text_about_something_else_is_taken(
    checker: Checker, text: str
) -> None:
    item = checker.status("medications", text, FUROSEMIDE_20)
    assert item.status == "flagged", (text, item.status, item.reason)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Allergy", "allergy"),
        ("Allergies", "allergy"),
        ("intolerance", "allergy"),
        ("Not taking", "stopped"),
        ("discontinued 3/2024", "stopped"),
        ("denies taking", "negated"),
    ],
)
def test_a_coded_drug_with_only_a_mark_is_not_taken(checker: Checker, text: str, kind: str) -> None:
    item = checker.status("medications", text, FUROSEMIDE_20)
    assert item.status == "recognized", (text, item.status)
    assert item.reason == checker.kb.texts.templates[kind], (text, item.reason)


# R7: a misspelling one edit from one term and two from another of another condition.
def test_diabetic_nefropathy_is_not_corrected_to_a_neuropathy(checker: Checker) -> None:
    item = checker.status("conditions", "diabetic nefropathy")
    assert item.concepts == ["diabetes mellitus"], item.concepts
    assert item.match != "spelling"


@pytest.mark.parametrize(
    ("lst", "text", "concept"),
    [
        ("conditions", "periferal neuropathy", "peripheral neuropathy"),
        ("conditions", "autonomc neuropathy", "autonomic neuropathy"),
        ("conditions", "diabetes insipidis", "diabetes insipidus"),
        ("medications", "sodium polystyrene sulfonat", "sodium polystyrene sulfonate"),
        ("medications", "potassium citrat", "potassium citrate"),
        ("medications", "insulin asprt", "insulin aspart"),
    ],
)
def test_the_sig27_spelling_corrections_stay(
    checker: Checker, lst: str, text: str, concept: str
) -> None:
    item = checker.status(lst, text)
    assert item.concept == concept, (text, item.concept)
    assert item.match == "spelling", (text, item.match)


# O3: a form's question not answered.
def test_an_unanswered_question_is_not_current(checker: Checker) -> None:
    item = checker.status("conditions", "Hypokalemia? y/n")
    assert item.status == "recognized"
    assert item.reason == checker.kb.texts.templates["hypothetical"]


@pytest.mark.parametrize("text", ["Hypokalemia? y", "Pregnant? Y", "diabetes? yes"])
def test_an_answered_question_stays_current(checker: Checker, text: str) -> None:
    assert checker.status("conditions", text).status == "flagged", text
