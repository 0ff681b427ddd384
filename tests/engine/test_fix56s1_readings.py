"""rv56s D1, D2, D9: a screening or test named after a condition, a past statin
intolerance's reaction, and a drug allergy written on the problem list.

Each row names a condition text and how it is read; near texts keep their earlier reading.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker

POSSIBLE = "stated as possible or to be ruled out, not established"
ABSENT = "stated as absent or ruled out"
PAST = "stated as past (an episode that has ended)"
ALLERGY = "allergy status (drug, food or other substance)"


@pytest.mark.parametrize(
    ("text", "concepts", "flagged", "reason"),
    [
        # D1. A screening or test named after the condition looked for: not established.
        ("diabetes screening", ["diabetes mellitus"], False, POSSIBLE),
        ("Diabetes screening: A1c 5.4", ["diabetes mellitus"], False, POSSIBLE),
        ("diabetes screening due", ["diabetes mellitus"], False, POSSIBLE),
        ("screening - diabetes", ["diabetes mellitus"], False, POSSIBLE),
        ("PAD screening, ABI ordered", ["peripheral artery disease"], False, POSSIBLE),
        ("hypothyroidism screening", ["hypothyroidism"], False, POSSIBLE),
        ("anemia screen", ["anemia"], False, POSSIBLE),
        ("anemia screen: Hb 9.1", ["anemia"], False, POSSIBLE),
        # "Pregnancy test +" reads as "pregnancy test": it stays a pregnancy.
        ("pregnancy test", ["pregnancy"], True, None),
        ("Pregnancy screening", ["pregnancy"], False, POSSIBLE),
        # Near: a positive test is the condition; a negative one is read as before.
        ("positive pregnancy test", ["pregnancy"], True, None),
        ("pregnancy test positive", ["pregnancy"], True, None),
        ("pregnancy test: positive", ["pregnancy"], True, None),
        ("Pregnancy test was negative", ["pregnancy"], False, ABSENT),
        ("Diabetes test was negative", ["diabetes mellitus"], False, ABSENT),
        ("Diabetes screening: negative", ["diabetes mellitus"], False, ABSENT),
        # Near: a complication screened for is the diabetes's; a mark between, or a word.
        ("diabetes, screening for retinopathy", ["diabetes mellitus"], True, None),
        ("Diabetic retinopathy screening", ["diabetes mellitus"], True, None),
        ("Diabetic retinopathy screening: done", ["diabetes mellitus"], True, None),
        ("diabetic foot screening", ["diabetes mellitus"], True, None),
        ("Diabetes - annual foot screen", ["diabetes mellitus"], True, None),
        ("Diabetes - screening labs", ["diabetes mellitus"], True, None),
        # D2. A past statin intolerance's reaction is an episode that has ended.
        ("history of myalgia on atorvastatin", ["myalgia"], False, PAST),
        ("Intolerance to atorvastatin (myalgia)", ["myalgia"], False, PAST),
        ("Allergies: simvastatin (myalgia)", ["myalgia"], False, PAST),
        # Near: a symptom intolerance; a comma ends the note's reach.
        ("Cold intolerance - hypothyroidism", ["hypothyroidism"], True, None),
        ("allergic to sulfa, hypokalemia", ["hypokalemia"], True, None),
        # D9. A drug or class allergy on the problem list: the allergy status.
        ("statin allergy", [ALLERGY], False, None),
        ("allergy to statins", [ALLERGY], False, None),
        ("allergy to hydrochlorothiazide", [ALLERGY], False, None),
        ("lisinopril allergy", [ALLERGY], False, None),
        ("intolerant to atorvastatin", [ALLERGY], False, None),
        ("HCTZ - allergic", [ALLERGY], False, None),
        ("ACE inhibitor allergy", [ALLERGY], False, None),
        ("Sulfa allergy", [ALLERGY], False, None),
        # rv57r R1, R2: a pregnancy test with a result, a GDM screen, prenatal labs.
        ("Pregnancy test (+)", ["pregnancy"], True, None),
        ("pregnancy test +ve", ["pregnancy"], True, None),
        ("pregnancy test; positive", ["pregnancy"], True, None),
        ("Gestational diabetes screening failed", ["pregnancy"], True, None),
        ("GDM screen failed", ["pregnancy"], True, None),
        ("GDM screen", ["pregnancy"], True, None),
        ("Pregnancy screening labs", ["pregnancy"], True, None),
        # rv57r R5, R6: "test"/"testing" of another condition, a screening with a result.
        ("Diabetes test strips", ["diabetes mellitus"], True, None),
        ("IDDM testing QID", ["diabetes mellitus"], True, None),
        ("Diabetes (testing sugars BID)", ["diabetes mellitus"], True, None),
        ("Diabetes screening eye exam due", ["diabetes mellitus"], True, None),
        ("Diabetes mellitus screening A1c 9.2", ["diabetes mellitus"], True, None),
        ("Hypothyroid screen TSH 8", ["hypothyroidism"], True, None),
        ("PAD screening ABI 0.6", ["peripheral artery disease"], True, None),
        ("Anemia test +ve", ["anemia"], True, None),
        ("Type 2 diabetes test (+)", ["diabetes mellitus"], True, None),
        ("Hypokalemia test K 2.9", ["hypokalemia"], True, None),
        # rv57r R3, R7: the allergy note ends at a dash, "and", ";"; muscle reactions only.
        ("Allergies: latex - pregnancy 20 weeks", ["pregnancy"], True, None),
        ("Allergy to lisinopril and hypokalemia", ["hypokalemia"], True, None),
        ("Allergy: sulfa - hypokalemia", ["hypokalemia"], True, None),
        # Only a statin intolerance's muscle symptoms are its past reaction: an electrolyte
        # named beside an allergy is the patient's, as before rv56s.
        ("Intolerance to HCTZ (hypokalemia)", ["hypokalemia"], True, None),
        (
            "Allergy to penicillin hypokalemia",
            ["allergy status (drug, food or other substance)", "hypokalemia"],
            True,
            None,
        ),
        (
            "Allergic to sulfa drugs hypokalemia",
            ["allergy status (drug, food or other substance)", "hypokalemia"],
            True,
            None,
        ),
        # rv57r R10: myalgia in the last weeks is current; other conditions so dated, past.
        ("myalgia 2 weeks ago", ["myalgia"], False, None),
        ("myalgia 3 months ago", ["myalgia"], False, PAST),
        ("hypokalemia 2 weeks ago", ["hypokalemia"], False, PAST),
    ],
)
def test_condition_reading(
    checker: Checker, text: str, concepts: list[str], flagged: bool, reason: str | None
) -> None:
    status = checker.status("conditions", text)
    assert status.concepts == concepts, text
    assert status.status == ("flagged" if flagged else "recognized"), text
    assert status.reason == reason, text


def test_drug_taken_on_the_problem_list_stays_unread(checker: Checker) -> None:
    """A drug named as taken is no allergy: the condition text stays unknown."""
    assert checker.status("conditions", "hydrochlorothiazide").status == "unrecognized"
    assert checker.status("conditions", "allergy to HCTZ, on lisinopril").status == ("unrecognized")


def test_pregnancy_screening_keeps_adult_limits(checker: Checker) -> None:
    """rv56s-D1h: "Pregnancy screening" is no pregnancy; a TSH of 4.3 is inside the adult
    limit, a hemoglobin of 11.5 below a non-pregnant woman's."""
    report = checker(
        patient={"sex": "female", "age": 34},
        conditions=[{"text": "Pregnancy screening"}],
        labs=[
            {"text": "TSH", "value": 4.3, "unit": "mIU/L"},
            {"text": "hemoglobin", "value": 11.5, "unit": "g/dL"},
        ],
    )
    assert report.labs[0].status == "recognized"
    assert report.labs[1].status == "flagged"


@pytest.mark.parametrize(
    "condition", ["history of myalgia on atorvastatin", "Intolerance to atorvastatin (myalgia)"]
)
def test_past_statin_intolerance_is_no_current_symptom(checker: Checker, condition: str) -> None:
    """rv56s-D2: rosuvastatin with a CK of 400 U/L and a past intolerance of another statin:
    the low watch point, not the moderate problem with muscle symptoms."""
    report = checker(
        patient={"sex": "male"},
        medications=[{"text": "rosuvastatin 5 mg"}],
        conditions=[{"text": condition}],
        labs=[{"text": "CK", "value": 400, "unit": "U/L"}],
    )
    assert report.risk == "low"
    ids = [f.id for f in report.findings if f.absorbed_by is None]
    assert "combination/statin_with_mildly_raised_ck" in ids
    assert "combination/statin_with_raised_ck_and_muscle_symptoms" not in ids
    # Near: a current myalgia on the statin keeps the moderate problem.
    now = checker(
        patient={"sex": "male"},
        medications=[{"text": "rosuvastatin 5 mg"}],
        conditions=[{"text": "myalgia"}],
        labs=[{"text": "CK", "value": 400, "unit": "U/L"}],
    )
    assert now.risk == "moderate"
