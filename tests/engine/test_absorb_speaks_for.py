"""fix53: an absorbed finding's concern survives in the absorbing finding's advice.

A rule that predicts a deficit (``measured_by``: several potassium-lowering drugs) is
absorbed only by a combination that speaks for that analyte: its rule joins a result of it
or predicts it, the checks the note shows of it name it, or the request has a result of it.
Before, the low calcium on a loop diuretic and foscarnet (one rule joining both drugs and
the calcium) absorbed "several potassium-lowering drugs", and no potassium was asked for
although two potassium-lowering drugs were taken and none was sent (as at f9b4b49, the
potassium problem keeps its line). Each thing is still asked for once: an untimed list
("Magnesium, potassium and calcium") after some of its results were asked for asks only
for the rest.
"""

from __future__ import annotations

from service.engine.models import Report
from service.engine.note import narrowed
from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

SEVERAL_K = "combination/several_potassium_lowering_drugs"
SEVERAL_MG = "combination/several_magnesium_lowering_drugs"
LOOP_DRUG_CA = "combination/loop_diuretic_and_calcium_lowering_drug_with_low_calcium"
MG_CA_DRUG = "combination/magnesium_lowering_drug_with_low_magnesium_and_low_calcium"


def _check(checker: Checker, meds: list[str], labs: list[dict[str, object]]) -> Report:
    return checker(medications=[{"text": m} for m in meds], labs=labs)


def _absorbed_by(report: Report, finding_id: str) -> str | None:
    (finding,) = [f for f in report.findings if f.id == finding_id]
    return finding.absorbed_by


def _check_line(report: Report) -> str:
    return next(line for line in report.note.splitlines() if line.startswith("Check:"))


def test_low_calcium_on_loop_and_foscarnet_keeps_the_potassium_problem(
    checker: Checker,
) -> None:
    report = _check(checker, ["furosemide 20 mg", "foscarnet"], [result("calcium", 7.12, "mg/dL")])
    assert report.risk == "high"
    assert shown_combinations(report) == [LOOP_DRUG_CA, SEVERAL_K]
    assert _absorbed_by(report, SEVERAL_K) is None
    # Its checks ask for magnesium: it speaks for the magnesium problem.
    assert _absorbed_by(report, SEVERAL_MG) == LOOP_DRUG_CA
    line = _check_line(report).lower()
    assert "potassium" in line and "magnesium" in line
    severity = {f.id: f.severity for f in report.findings}
    assert severity[SEVERAL_K] == "moderate"


def test_a_potassium_sent_is_spoken_for(checker: Checker) -> None:
    """With a potassium in the request the calcium problem speaks for it (the result is
    read with it): one problem, as before."""
    labs = [result("calcium", 7.12, "mg/dL"), result("potassium", 4.2, "mmol/L")]
    report = _check(checker, ["furosemide 20 mg", "foscarnet"], labs)
    assert shown_combinations(report) == [LOOP_DRUG_CA]
    assert _absorbed_by(report, SEVERAL_K) == LOOP_DRUG_CA


def test_an_absorbing_check_that_asks_for_potassium_absorbs(checker: Checker) -> None:
    """Low magnesium and calcium on bumetanide and foscarnet with hypoparathyroidism: the one
    problem's check asks for potassium ("Magnesium, calcium ... and potassium within
    days"), so it still speaks for the potassium problem (review52 R1e)."""
    report = checker(
        patient={"age": 60, "sex": "female"},
        medications=[{"text": "bumetanide 1 mg"}, {"text": "foscarnet"}],
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[result("calcium", 7.6, "mg/dL"), result("magnesium", 1.2, "mg/dL")],
    )
    assert _absorbed_by(report, SEVERAL_K) is not None
    assert "potassium" in _check_line(report).lower()


def test_low_magnesium_and_calcium_asks_for_potassium_once(checker: Checker) -> None:
    labs = [result("calcium", 7.2, "mg/dL"), result("magnesium", 1.5, "mg/dL")]
    # Not a potassium binder: a binder is no second potassium-lowering drug (clin56).
    report = _check(checker, ["furosemide 20 mg", "albuterol 2.5 mg neb q4h"], labs)
    assert shown_combinations(report) == [MG_CA_DRUG, SEVERAL_K]
    assert _check_line(report) == (
        "Check: Magnesium and calcium (corrected or ionized) now; Potassium; An ECG."
    )


def test_no_potassium_problem_no_potassium_line(checker: Checker) -> None:
    """Near miss: zoledronic acid does not lower potassium, so there is no potassium problem
    to keep, and the one calcium problem is unchanged."""
    report = _check(
        checker, ["furosemide 40 mg daily", "zoledronic acid"], [result("calcium", 7.6, "mg/dL")]
    )
    assert shown_combinations(report) == [LOOP_DRUG_CA]
    assert "potassium" not in _check_line(report).lower()


def test_untimed_result_list_is_narrowed() -> None:
    assert narrowed("Magnesium, potassium and calcium", {"magnesium", "calcium"}) == "Potassium"
    assert narrowed("Potassium and magnesium", {"magnesium"}) == "Potassium"
    assert narrowed("Potassium and magnesium", set()) is None
    assert narrowed("Potassium and magnesium", {"potassium", "magnesium"}) is None
    # Timed lists as before; an untimed one that takes a narrower check's place stays whole.
    assert narrowed("Potassium, magnesium, sodium, creatinine in 3-7 days", {"potassium"}) == (
        "Magnesium, sodium and creatinine in 3-7 days"
    )
    assert narrowed("Magnesium, potassium and calcium", {"magnesium"}, untimed=False) is None
