"""Loop plus thiazide is a predicted risk of its own (volume and sodium as well as
potassium): a PPI or digoxin beside the diuretics is another problem, and a measured low
potassium on both speaks for it (pharmacist reviews 11 and 13). The note asks for each
thing once, whatever words join a check's items."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

LOOP_THIAZIDE = "combination/loop_plus_thiazide"
DIURETICS = [{"text": "furosemide 40 mg bid"}, {"text": "metolazone 2.5 mg daily"}]


@pytest.mark.parametrize(
    ("other", "with_it"),
    [
        ("omeprazole 20 mg daily", "combination/ppi_plus_diuretic"),
        ("digoxin 0.125 mg daily", "combination/digoxin_with_potassium_wasting_diuretic"),
    ],
)
def test_another_predicted_risk_does_not_speak_for_loop_plus_thiazide(
    checker: Checker, other: str, with_it: str
) -> None:
    report = checker(medications=[*DIURETICS, {"text": other}])
    assert shown_combinations(report) == sorted([LOOP_THIAZIDE, with_it])
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check.startswith("Check: Potassium, magnesium, sodium, creatinine in 3-7 days")
    assert "Potassium and magnesium." not in check  # asked already, in other words


def test_a_measured_low_potassium_on_both_speaks_for_it(checker: Checker) -> None:
    report = checker(medications=DIURETICS, labs=[result("potassium", 3.2, "mmol/L")])
    assert shown_combinations(report) == ["combination/potassium_lowering_drug_with_low_potassium"]


def test_an_urgent_check_keeps_its_place(checker: Checker) -> None:
    report = checker(
        medications=[*DIURETICS, {"text": "digoxin 0.125 mg daily"}],
        labs=[result("potassium", 3.2, "mmol/L")],
    )
    assert "Check: Potassium and magnesium now; A digoxin level and an ECG." in report.note


def test_a_wider_check_of_a_problem_spoken_for_replaces_an_untimed_narrower_one(
    checker: Checker,
) -> None:
    """Furosemide with amphotericin B lowers potassium and magnesium: the several
    magnesium-lowering drugs problem is spoken for by the potassium one, and its check
    (which adds calcium) replaces "Potassium and magnesium" rather than being lost."""
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "amphotericin B 50 mg IV daily"}]
    )
    assert shown_combinations(report) == ["combination/several_potassium_lowering_drugs"]
    assert "Check: Magnesium, potassium and calcium." in report.note
    assert "Potassium and magnesium" not in report.note
