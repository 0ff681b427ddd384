"""Round 33 readings (review32 R1, R3, R4, R5, O7): a line break inside one entry is
wrapping unless the phrase's line names something else; relatives written as the subject
keep their condition; a modifier before "family history" keeps the patient's diagnosis;
a Y/N answer followed by a comment is still the answer; a bare "(N)" is no answer."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "labs"),
    [
        ("Lasix 40 mg daily\nstopped by cardiology 3/2024", [("potassium", 3.2, "mmol/L")]),
        ("Lasix 40 mg daily\nstopped 3/1/2024", [("potassium", 3.2, "mmol/L")]),
        ("Furosemide 20 mg\nheld for AKI", [("potassium", 3.2, "mmol/L")]),
        ("Simvastatin 40 mg\npt stopped taking 2 weeks ago", [("CK", 900, "U/L")]),
        ("Hydrochlorothiazide 25 mg\nDiscontinued due to hyponatremia", []),
        ("Hydrochlorothiazide 25 mg\n(discontinued 2023)", []),
        ("Simvastatin 40 mg qhs\nnot taking per patient", []),
        ("Discontinued 01/2024:\nHydrochlorothiazide 25 mg", []),
        ("Hydrochlorothiazide 25 mg - not\ntaking", []),
        ("Hydrochlorothiazide 25 mg - not\r\ntaking", []),
    ],
)
def test_a_stop_on_another_line_of_one_entry_still_applies(
    checker: Checker, text: str, labs: list[tuple[str, float, str]]
) -> None:
    report = checker(
        medications=[{"text": text}],
        labs=[{"text": name, "value": value, "unit": unit} for name, value, unit in labs],
    )
    assert report.medications[0].status == "recognized", report.medications[0]
    # The lab alone is at most a low finding; the drug with it was moderate.
    assert report.risk == ("low" if labs else "none")


@pytest.mark.parametrize(
    "text",
    [
        "Hypokalemia 2019\nresolved after KCl",
        "Hypokalemia\nresolved 2019",
        "Hypokalemia\r\nresolved 2019",
        "Hypothyroidism - ruled\nout",
        "Diabetes mellitus -\nresolved after bariatric surgery",
        "Denies chest pain, palpitations,\nor hypothyroidism",
        "Family\nhistory of diabetes",
        "FHx: mother and father\ndiabetes",
        "Diabetes\nmother and sister",
    ],
)
def test_a_condition_qualifier_on_another_line_of_one_entry_still_applies(
    checker: Checker, text: str
) -> None:
    report = checker.cond(text)
    assert report.risk == "none"
    assert all(item.status != "flagged" for item in report.conditions)


@pytest.mark.parametrize(
    "text",
    [
        "Pertinent negatives: no chest pain\nHypokalemia",
        "Pertinent negatives: no chest pain\n\nHypokalemia",
        "Pertinent negatives: no fever\r\nHypokalemia",
        "ROS - Negative: chest pain\nAssessment: hypokalemia",
        "ROS - Negative: chest pain\nhypokalemia",
        "No diabetes\nhypokalemia",
        "No known allergies\nHypokalemia",
        "Denies pain\nhypokalemia",
        "Hypokalemia\nROS: negative",
        "Hypokalemia\nmother - diabetes",
    ],
)
def test_a_line_naming_something_else_still_ends_the_scope(checker: Checker, text: str) -> None:
    report = checker(
        conditions=[{"text": text}], medications=[{"text": "hydrochlorothiazide 25 mg daily"}]
    )
    assert report.conditions[0].status == "flagged"
    assert "hypokalemia" in report.conditions[0].concepts


def test_a_heading_alone_on_its_line_still_heads_the_lines_after(checker: Checker) -> None:
    assert checker.cond("Negatives:\nchest pain\nhypokalemia").risk == "none"
    report = checker.med("STOP taking these medications:\nHCTZ\nLasix")
    assert report.medications[0].status == "recognized"
    assert report.risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Mother, has diabetes",
        "Brother, has CKD stage 4",
        "Sister, now has hypothyroidism",
        "Father, also has diabetes",
        "Father living with diabetes",
        "Patient's mother living with type 2 diabetes",
        "Mother - lives with patient, has diabetes",
    ],
)
def test_a_relative_that_opens_the_entry_has_the_condition(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none"
    assert report.conditions[0].status != "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "lives with sister, has diabetes",
        "Diabetes, lives with sister",
        "Diabetes, caregiver for mother",
        "Type 2 diabetes, positive family history",
        "Type 2 diabetes, strong family history",
        "Diabetes mellitus type 2, also family history",
        "Diabetes mellitus type 2 (N)",
        "Hypokalemia (n)",
    ],
)
def test_the_patients_own_condition_stays_flagged(checker: Checker, text: str) -> None:
    assert checker.cond(text).conditions[0].status == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "lives with daughter who has dementia",
        "Family history: sister living with CKD",
        "FHx: father, has diabetes",
        "Diabetes, family history",
        "diabetes (FH)",
    ],
)
def test_a_relatives_condition_stays_the_relatives(checker: Checker, text: str) -> None:
    status = checker.status("conditions", text)
    assert status.status != "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "Familial hypercholesterolemia (FH)",
        "Hyperlipidemia - FH",
        "Hypokalemic periodic paralysis, family history",
    ],
)
def test_fh_after_a_lipid_or_heritable_diagnosis_names_the_patients_own(
    checker: Checker, text: str
) -> None:
    status = checker.status("conditions", text)
    assert status.concepts
    assert status.reason is None  # current, not "a relative's"


@pytest.mark.parametrize(
    "text",
    [
        "Hypothyroidism? N - TSH normal",
        "Hypothyroidism? no - TSH 2.1",
        "Diabetes? N (diet controlled)",
        "Diabetes? y/n: n",
        "Diabetes? (N)",
    ],
)
def test_a_form_answer_no_with_a_comment_is_not_flagged(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none"
    assert report.conditions[0].status != "flagged"
