"""Round 32 readings (review31 D3, D4, D10): a switch entry beside the new drug's own
entry is no second order; a drug named as the cause in an indication is not an
ingredient; an ambiguous abbreviation stated absent is no gap in the note."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

SAME_DRUG_TWICE = "combination/same_drug_twice/"


@pytest.mark.parametrize(
    ("switch", "current", "drug"),
    [
        (
            "simvastatin 40 mg - switched to rosuvastatin 6/2025",
            "rosuvastatin 10 mg daily",
            "rosuvastatin",
        ),
        ("changed from Lasix to torsemide 1/2025", "torsemide 20 mg daily", "torsemide"),
        ("atorvastatin 40 mg (replaced by pravastatin)", "pravastatin 40 mg", "pravastatin"),
        ("Lasix stopped, now on torsemide 20 mg", "torsemide 20 mg", "torsemide"),
    ],
)
def test_a_switch_entry_beside_the_new_drugs_own_entry_is_no_duplicate(
    checker: Checker, switch: str, current: str, drug: str
) -> None:
    report = checker(medications=[{"text": switch}, {"text": current}])
    assert not [f.id for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]
    assert report.risk == "low"
    first, second = report.medications
    assert first.status == "recognized"
    assert first.reason is not None
    assert f"{drug}: named as the drug switched to" in first.reason
    assert second.status == "flagged"
    assert second.concept == drug


def test_a_switch_entry_alone_keeps_the_new_drug_current(checker: Checker) -> None:
    status = checker.med("simvastatin switched to rosuvastatin").medications[0]
    assert status.status == "flagged"
    assert status.concept == "rosuvastatin"
    assert status.reason == "simvastatin: stated as stopped or not taken"


def test_two_plain_entries_of_one_drug_are_still_a_duplicate(checker: Checker) -> None:
    report = checker(medications=[{"text": "furosemide 40 mg"}, {"text": "furosemide 20 mg"}])
    assert any(f.id == SAME_DRUG_TWICE + "furosemide" for f in report.findings)


CAUSES = [
    ("Mag-Ox 400 mg for low Mg from omeprazole", "magnesium oxide", "omeprazole"),
    ("ondansetron 4 mg prn nausea from metformin", "ondansetron", "metformin"),
    ("KCl 20 mEq for HCTZ-induced hypokalemia", "potassium chloride", "hydrochlorothiazide"),
    (
        "magnesium oxide 400 mg for hypomagnesemia due to long-term pantoprazole use",
        "magnesium oxide",
        "pantoprazole",
    ),
    ("KCl 10 mEq daily, low K caused by furosemide", "potassium chloride", "furosemide"),
    ("Potassium 20 mEq due to lasix 40 mg bid", "potassium chloride", "furosemide"),
    (
        "KCl 20 mEq daily (hypokalemia from chlorthalidone 25 mg daily)",
        "potassium chloride",
        "chlorthalidone",
    ),
]


@pytest.mark.parametrize(("text", "concept", "cause"), CAUSES)
def test_a_drug_named_as_a_cause_and_listed_elsewhere_is_not_read_twice(
    checker: Checker, text: str, concept: str, cause: str
) -> None:
    report = checker(medications=[{"text": text}, {"text": f"{cause} 20 mg daily"}])
    first, second = report.medications
    assert first.concept == concept
    assert first.reason is not None
    assert f"{cause}: named as the cause of what another drug treats" in first.reason
    assert second.concept == cause
    assert not [f.id for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]


@pytest.mark.parametrize(("text", "concept", "cause"), CAUSES)
def test_a_drug_named_as_a_cause_alone_is_read_as_taken(
    checker: Checker, text: str, concept: str, cause: str
) -> None:
    """review32 R6: with no entry of its own the cause drug is still taken (the supplement
    treats its ongoing effect), as before round 32."""
    status = checker.med(text).medications[0]
    assert status.concept == f"{concept} + {cause}"
    assert status.reason is None


def test_a_cause_drug_with_its_dose_and_low_potassium_is_moderate(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Potassium 20 mEq due to lasix 40 mg bid"}],
        labs=[{"text": "potassium", "value": 3.3, "unit": "mmol/L"}],
    )
    assert report.risk == "moderate"
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("KCl 20 mEq daily while on furosemide", "potassium chloride"),
        ("KCl (take with Lasix)", "potassium chloride"),
        ("lisinopril stopped due to cough; losartan 50 mg", "losartan"),
        ("lisinopril/HCTZ 20/12.5", "lisinopril + hydrochlorothiazide"),
        ("Hyzaar 50/12.5", "losartan + hydrochlorothiazide"),
    ],
)
def test_a_drug_named_as_a_reference_is_not_an_ingredient(
    checker: Checker, text: str, concept: str
) -> None:
    assert checker.med(text).medications[0].concept == concept


def test_the_cause_named_in_an_indication_is_no_duplicate(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "Mag-Ox 400 mg for low Mg from omeprazole"},
            {"text": "omeprazole 20 mg"},
        ]
    )
    assert not [f.id for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]
    assert report.risk == "low"


@pytest.mark.parametrize("text", ["MS ruled out by MRI", "no MS", "MS (mother)"])
def test_an_ambiguous_abbreviation_stated_absent_is_no_gap(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    status = report.conditions[0]
    assert status.status == "recognized"
    assert status.concept is None
    assert "Could not check" not in report.note


@pytest.mark.parametrize("text", ["MS", "history of MS"])
def test_an_ambiguous_abbreviation_alone_is_not_read(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    status = report.conditions[0]
    assert status.status == "unrecognized"
    assert status.reason is not None
    assert "multiple sclerosis, mitral stenosis" in status.reason
    assert "Could not check" in report.note


def test_ms_in_a_known_term_is_still_multiple_sclerosis(checker: Checker) -> None:
    assert checker.cond("MS spasticity").conditions[0].concept == "multiple sclerosis"


def test_switched_from_still_names_the_stopped_drug(checker: Checker) -> None:
    status = checker.med("rosuvastatin 20 mg daily (switched from atorvastatin)").medications[0]
    assert status.concept == "rosuvastatin"
    assert status.reason == "atorvastatin: stated as stopped or not taken"


def test_a_relative_word_on_the_next_line_keeps_to_its_own_condition(checker: Checker) -> None:
    # qual31 leftover: "mother" on the next line names the diabetes after it, not the
    # patient's hypokalemia above.
    status = checker.cond("Hypokalemia\nmother - diabetes").conditions[0]
    assert status.status == "flagged"
    assert status.concepts == ["hypokalemia"]


def test_a_relative_word_alone_on_its_line_still_heads_the_line_above(checker: Checker) -> None:
    status = checker.cond("diabetes\nmother").conditions[0]
    assert status.status == "recognized"
    assert status.reason == "family history, not the patient's own condition"


@pytest.mark.parametrize(
    "text",
    ["atorvastatin 40 mg, previously on 20 mg", "atorvastatin previously on 20 mg, now 40 mg"],
)
def test_a_past_dose_after_the_dose_now_keeps_the_drug_current(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "flagged"
    assert status.reason is None


@pytest.mark.parametrize("text", ["HCTZ 25 mg - was on, stopped 2022", "Lasix, was on 40 mg bid"])
def test_was_on_after_the_drug_is_still_a_past_drug(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].reason == "stated as stopped or not taken"
