"""A note with only low contributors shows each one's check that asks for something new.

Before, such a note showed the first contributor's check only, in input order: a statin
listed first hid denosumab's pre-dose calcium and a thiazide's electrolytes, and a drug
listed before a CPT2 deficiency hid its urgent sign (dark urine). Now the first check of
each low contributor is shown when it asks for a result not asked yet, or for no result (a
question to ask, a sign to act on); one that asks only for results asked already is left
out, whatever its timing. Notes with a moderate or high problem are unchanged: their
checks are the problems'.
"""

from __future__ import annotations

from tests.conftest import Checker


def _check_line(note: str | None) -> str:
    assert note is not None
    return note.split("Check: ")[1].split("\n", maxsplit=1)[0].lower()


def test_each_low_contributors_own_check_is_shown(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "atorvastatin 40 mg daily"},
            {"text": "denosumab 60 mg every 6 months"},
            {"text": "hydrochlorothiazide 25 mg daily"},
        ]
    )
    assert report.risk == "low"
    line = _check_line(report.note)
    assert line.startswith("ck if there are muscle symptoms")
    assert "calcium, magnesium, phosphate, vitamin d and kidney function before each dose" in line
    assert "potassium and sodium at baseline" in line  # magnesium asked already


def test_a_conditions_urgent_sign_is_not_hidden_by_a_drug_listed_first(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "ethacrynic acid 50 mg daily"}],
        conditions=[{"text": "CPT2 deficiency"}],
    )
    line = _check_line(report.note)
    assert line.startswith("potassium and magnesium at baseline")
    assert "dark urine needs urgent review" in line


def test_a_check_asking_only_for_results_asked_already_is_left_out(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "denosumab 60 mg every 6 months"}, {"text": "omeprazole 20 mg daily"}]
    )
    omeprazole = next(f for f in report.findings if f.id == "medication/omeprazole")
    assert omeprazole.monitoring[0].lower().startswith("magnesium before long-term treatment")
    assert _check_line(report.note) == (
        "calcium, magnesium, phosphate, vitamin d and kidney function before each dose."
    )


def test_a_moderate_problem_keeps_only_its_own_checks(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "hydrochlorothiazide 25 mg daily"},
            {"text": "atorvastatin 40 mg daily"},
            {"text": "omeprazole 20 mg daily"},
        ]
    )
    assert report.risk == "moderate"
    assert _check_line(report.note) == "magnesium and potassium now and every 6-12 months."


def test_kidney_function_asked_covers_a_later_creatinine(checker: Checker) -> None:
    """Zoledronic acid's "Calcium, vitamin D and creatinine before each infusion" asks for
    nothing denosumab's check has not (kidney function is creatinine; review57c R4)."""
    report = checker(
        medications=[
            {"text": "denosumab 60 mg every 6 months"},
            {"text": "zoledronic acid 5 mg yearly"},
        ]
    )
    assert _check_line(report.note) == (
        "calcium, magnesium, phosphate, vitamin d and kidney function before each dose."
    )


def test_a_later_result_list_asks_only_for_what_is_new(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "denosumab 60 mg every 6 months"}, {"text": "furosemide 40 mg daily"}]
    )
    assert _check_line(report.note) == (
        "calcium, magnesium, phosphate, vitamin d and kidney function before each dose; "
        "potassium at baseline, 1-2 weeks after starting or a dose change, then periodically."
    )


def test_a_result_the_narrowing_does_not_know_is_still_new(checker: Checker) -> None:
    """Ifosfamide's bicarbonate and its timing are its own beside a low eGFR's check."""
    report = checker(
        medications=[{"text": "ifosfamide"}],
        labs=[{"text": "eGFR", "value": 28.5, "unit": "mL/min/1.73m2"}],
    )
    line = _check_line(report.note)
    assert "bicarbonate" in line
    assert line.startswith("calcium, phosphate, potassium and magnesium with kidney function")
