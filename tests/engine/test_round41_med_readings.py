"""Round 41 medication readings (review41 #3, #4, #5, #11, #13, #15; the "HCTZ + no KCl"
left over from round 40)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

SAME_DRUG_TWICE = "combination/same_drug_twice/"
STOPPED = "stated as stopped or not taken"
NEGATED = "stated as absent or ruled out"
K_32 = {"text": "potassium", "value": 3.2, "unit": "mmol/L"}


def _duplicates(checker: Checker, first: str, second: str) -> list[str]:
    report = checker(medications=[{"text": first}, {"text": second}])
    return [f.id for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]


# --- review41 #3: a clock time written as one word ("2pm", "8am") ---


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("furosemide 40 mg every morning", "furosemide 40 mg at 2pm"),
        ("furosemide 40 mg 8am", "furosemide 40 mg 2pm"),
        ("furosemide 40 mg qAM", "furosemide 40 mg at 2pm"),
        ("furosemide 40 mg at 8AM", "furosemide 20 mg at 2PM"),
        # Already read before: the time written with a space, or as words.
        ("furosemide 40 mg every morning", "furosemide 40 mg at 2 pm"),
        ("furosemide 40 mg qAM", "furosemide 40 mg qPM"),
        ("furosemide 40 mg in the morning", "furosemide 40 mg at noon"),
    ],
)
def test_a_dose_split_over_the_day_is_no_duplicate(
    checker: Checker, first: str, second: str
) -> None:
    assert _duplicates(checker, first, second) == [], (first, second)
    report = checker(medications=[{"text": first}, {"text": second}])
    assert report.risk == "low"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Two orders at one time of day, or with no time: still the same drug twice.
        ("furosemide 40 mg 8am", "furosemide 40 mg 9am"),
        ("furosemide 40 mg at 2pm", "furosemide 20 mg at 2 pm"),
        ("furosemide 40 mg", "furosemide 20 mg"),
        ("furosemide 40 mg daily", "furosemide 40 mg at 2pm"),
    ],
)
def test_the_same_time_or_no_time_is_still_a_duplicate(
    checker: Checker, first: str, second: str
) -> None:
    assert _duplicates(checker, first, second) == [SAME_DRUG_TWICE + "furosemide"]


def test_a_one_time_dose_beside_a_regular_order_is_still_no_duplicate(checker: Checker) -> None:
    assert _duplicates(checker, "furosemide 40 mg x1 now", "furosemide 40 mg daily") == []
    assert _duplicates(checker, "Prednisone 40 mg once in ED", "prednisone 5 mg daily") == []


# --- review41 #4, #5, #13: not taken ---


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # review41 #4: a reconciliation answer.
        ("Lasix: N", NEGATED),
        ("Lasix? N", NEGATED),
        ("Lasix - N", NEGATED),
        ("Taking? N - hydrochlorothiazide 12.5 mg", STOPPED),
        ("Taking: N | hydrochlorothiazide 12.5 mg", STOPPED),
        ("Taking: No - furosemide 20 mg", STOPPED),
        ("hydrochlorothiazide 12.5 mg  Taking: No", STOPPED),
        ("hydrochlorothiazide 12.5 mg  Taking: N", STOPPED),
        # Already read before.
        ("Lasix: none", NEGATED),
        ("Lasix: no", NEGATED),
        ("No HCTZ", NEGATED),
        # review41 #5: the patient's report of non-use.
        ("Lasix 20 mg PRN swelling - not using", STOPPED),
        ("Furosemide 20mg; pt states not taking x 2 months", STOPPED),
        ("HCTZ 12.5 mg daily\nPatient reports: not taking", STOPPED),
        ("Lasix 40 mg; patient not taking", STOPPED),
        ("Lasix 40 mg, not using", STOPPED),
        # Already read before.
        ("Lasix - not taking", STOPPED),
        ("Lasix 40 mg daily\nstopped by cardiology 3/2024", STOPPED),
        ("Lasix 40 mg - pt says not taking", STOPPED),
    ],
)
def test_not_taken(checker: Checker, text: str, reason: str) -> None:
    report = checker(medications=[{"text": text}], labs=[K_32])
    status = report.medications[0]
    assert status.status == "recognized", text
    assert status.reason == reason, text
    assert report.risk == "low", text  # the low potassium alone


@pytest.mark.parametrize(
    "text",
    [
        "Taking: Y | hydrochlorothiazide 12.5 mg",
        "Taking? Y - hydrochlorothiazide 12.5 mg",
        "Lasix: yes",
        "Lasix: N/A",
        "HCTZ 25 mg hold if SBP<100",
        "predniSONE 5 mg daily (hold parameters: none)",
        "predniSONE 5 mg daily (hold parameters: SBP<90)",
        "prednisone 5 mg daily - hold parameters - none",
        "Lasix 40 mg daily - using it every day",
    ],
)
def test_still_taken(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "flagged", text
    assert status.reason is None, text


def test_a_not_taken_clarithromycin_fills_no_interaction(checker: Checker) -> None:
    """review41 #4 (rv41-07): "Taking: N |" before the drug."""
    report = checker(
        medications=[
            {"text": "Taking: Y | atorvastatin 40 mg"},
            {"text": "Taking: N | clarithromycin 500 mg bid"},
        ]
    )
    assert report.risk == "low"
    assert report.medications[0].status == "flagged"
    assert report.medications[1].status == "recognized"
    assert report.medications[1].reason == STOPPED
    taken = checker(
        medications=[
            {"text": "Taking: Y | atorvastatin 40 mg"},
            {"text": "Taking: Y | clarithromycin 500 mg bid"},
        ]
    )
    assert taken.risk == "moderate"


def test_hold_parameters_none_keeps_the_drug_in_the_potassium_finding(checker: Checker) -> None:
    """review41 #11 (rv41-22): read as the plain order is. At 5 mg prednisone is flagged
    on its own and joins no potassium rule, written either way; at 20 mg it joins."""
    for dose in ("5", "20"):
        plain, held = (
            checker(
                medications=[{"text": f"predniSONE {dose} mg daily{tail}"}, {"text": "HCTZ 25 mg"}],
                labs=[K_32],
            )
            for tail in ("", " (hold parameters: none)")
        )
        assert held.medications == plain.medications
        assert [f.id for f in held.findings] == [f.id for f in plain.findings]
    report = checker(
        medications=[
            {"text": "predniSONE 20 mg daily (hold parameters: none)"},
            {"text": "HCTZ 25 mg daily"},
        ],
        labs=[K_32],
    )
    assert report.medications[0].status == "flagged"
    finding = next(f for f in report.findings if f.absorbed_by is None)
    assert {(i.list, i.index) for i in finding.inputs} == {
        ("medications", 0),
        ("medications", 1),
        ("labs", 0),
    }


def test_a_drug_removed_from_a_combination_is_stopped_the_other_stays(checker: Checker) -> None:
    """review41 #13 (rv41-23)."""
    status = checker.med("Lisinopril 10 mg - HCTZ removed from combo").medications[0]
    assert status.status == "recognized"
    assert status.concepts == ["lisinopril"]
    assert status.reason == "hydrochlorothiazide: " + STOPPED
    assert checker.med("HCTZ 25 mg removed").medications[0].status == "flagged"
    assert checker.med("lisinopril-HCTZ 20-25 mg").medications[0].status == "flagged"


@pytest.mark.parametrize(
    ("text", "concepts", "reason"),
    [
        ("HCTZ + no KCl", ["hydrochlorothiazide"], "potassium chloride: " + NEGATED),
        ("HCTZ, no KCl", ["hydrochlorothiazide"], "potassium chloride: " + NEGATED),
        ("HCTZ + KCl", ["hydrochlorothiazide", "potassium chloride"], None),
    ],
)
def test_plus_no_negates_the_drug_after_it(
    checker: Checker, text: str, concepts: list[str], reason: str | None
) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "flagged"
    assert status.concepts == concepts
    assert status.reason == reason


# --- review41 #15: a diuretic renogram is a test ---


@pytest.mark.parametrize(
    "text", ["Lasix renal scan scheduled", "Lasix renogram", "renogram with Lasix"]
)
def test_a_diuretic_renogram_is_no_furosemide_order(checker: Checker, text: str) -> None:
    report = checker.med(text)
    assert report.risk == "none"
    status = report.medications[0]
    assert status.status == "recognized"
    assert status.concept == "furosemide"


@pytest.mark.parametrize(
    "text", ["Lasix 40 mg daily", "Lasix 40 mg daily - renal scan next week", "Lasix 40 mg IV x1"]
)
def test_furosemide_with_other_words_is_still_an_order(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].status == "flagged"


# --- review42: "not using", "; pt (states) not taking" read only where they end the clause ---


@pytest.mark.parametrize(
    "text",
    [
        # G1 (rv42-01..03): an object or a manner after "not using".
        "Lasix 20 mg PRN, not using compression stockings",
        "HCTZ 25 mg daily; not using sunscreen",
        "Lasix 40 mg daily - not using compression socks",
        "Lasix - not using more than prescribed",
        "HCTZ - not using as directed",
        "Lasix PRN - not using often",
        # G3 (rv42-06..08): how the drug is taken, not that it is stopped.
        "Furosemide 20 mg; pt states not taking it regularly",
        "Furosemide 20 mg; pt not taking with food",
        "Furosemide; pt states not taking as prescribed, takes twice daily",
        "Furosemide 20 mg; pt states not taking on weekends",
        "Furosemide 20 mg; pt not taking extra doses",
        "Furosemide 20 mg. Pt reports not taking as often",
        "Furosemide 20 mg; pt states not taking with meals",
    ],
)
def test_not_using_something_else_or_not_as_prescribed_keeps_the_drug(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}], labs=[K_32])
    status = report.medications[0]
    assert status.status == "flagged", text
    assert status.reason is None, text
    assert report.risk == "moderate", text


def test_not_using_salt_substitute_keeps_the_diuretic(checker: Checker) -> None:
    """rv42-02 (the salt substitute itself is read as sodium chloride: left as it was)."""
    report = checker(
        medications=[{"text": "Lasix 40 mg daily. Not using salt substitute"}], labs=[K_32]
    )
    status = report.medications[0]
    assert status.status == "flagged"
    assert status.concepts == ["furosemide"]
    assert report.risk == "moderate"


@pytest.mark.parametrize(
    ("text", "taken", "not_taken"),
    [
        # G2 (rv42-04, -05): the drug after "not taking" is the one not taken.
        ("HCTZ; pt not taking KCl", "hydrochlorothiazide", "potassium chloride"),
        ("HCTZ 25mg; Pt not taking Lasix", "hydrochlorothiazide", "furosemide"),
        ("Lasix 40 mg; pt not taking KCl", "furosemide", "potassium chloride"),
        (
            "HCTZ; patient not taking potassium supplement",
            "hydrochlorothiazide",
            "potassium chloride",
        ),
        ("HCTZ 25mg; not using Lasix", "hydrochlorothiazide", "furosemide"),
    ],
)
def test_not_taking_before_a_second_drug_stops_that_drug(
    checker: Checker, text: str, taken: str, not_taken: str
) -> None:
    report = checker(medications=[{"text": text}], labs=[K_32])
    status = report.medications[0]
    assert status.status == "flagged", text
    assert status.concepts == [taken], text
    assert status.reason == f"{not_taken}: {STOPPED}", text
    assert report.risk == "moderate", text
    finding = next(f for f in report.findings if f.absorbed_by is None)
    assert {(i.list, i.index) for i in finding.inputs} == {("medications", 0), ("labs", 0)}


@pytest.mark.parametrize(
    "text",
    [
        # Kept from fix41c (review41 #5): the phrase ends the clause, or only how long follows.
        "furosemide 20 mg PRN swelling - not using",
        "Furosemide 20mg; pt states not taking x 2 months",
        "Furosemide 20mg; pt states not taking since 3/2024",
        "Furosemide 20mg; pt states not taking for 2 weeks",
        "Lasix 40 mg - not using since 2023",
        "Lasix 40 mg\nPatient reports: not taking",
        "Lasix 40 mg; pt states not taking, BP ok",
        "Lasix - not taking",
        "Lasix - not using",
        "Lasix; not using",
        "Lasix (not using)",
        "Lasix - no longer using",
        "Not using: Lasix",
        "Patient reports: not taking Lasix",
        "Furosemide 20 mg; pt not taking",
    ],
)
def test_not_using_at_the_end_still_stops_the_drug(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}], labs=[K_32])
    status = report.medications[0]
    assert status.status == "recognized", text
    assert status.reason == STOPPED, text
    assert report.risk == "low", text
