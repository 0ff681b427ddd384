"""A coded condition and a current result that shows it are one problem when the condition
is that result (hypokalemia) or what it measures (hypothyroidism, a high TSH): one lab
finding listing both inputs. A disease that is one cause among others keeps its own
finding, and a result that does not show the condition outranks it."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


def _lab(text: str, value: float, unit: str) -> dict[str, object]:
    return {"text": text, "value": value, "unit": unit}


@pytest.mark.parametrize(
    ("condition", "lab", "finding"),
    [
        ("hypokalemia", _lab("potassium", 3.2, "mmol/L"), "lab/potassium/low"),
        ("hyponatremia", _lab("sodium", 131, "mmol/L"), "lab/sodium/low"),
        ("hypomagnesemia", _lab("magnesium", 1.5, "mg/dL"), "lab/magnesium/low"),
        ("hypocalcemia", _lab("calcium", 7.9, "mg/dL"), "lab/calcium/low"),
        ("hypoglycemia", _lab("glucose", 52, "mg/dL"), "lab/glucose/low"),
        ("hypothyroidism", _lab("TSH", 9.0, "mIU/L"), "lab/tsh/high"),
        ("iron deficiency anemia", _lab("hemoglobin", 9.1, "g/dL"), "lab/hemoglobin/low"),
    ],
)
def test_a_coded_condition_a_result_shows_is_one_finding(
    checker: Checker, condition: str, lab: dict[str, object], finding: str
) -> None:
    report = checker(conditions=[{"text": condition}], labs=[lab])
    assert [f.id for f in report.findings] == [finding]
    assert {(i.list, i.index) for i in report.findings[0].inputs} == {
        ("labs", 0),
        ("conditions", 0),
    }
    assert report.conditions[0].status == "flagged"


def test_a_disease_that_is_one_cause_keeps_its_finding(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "renal tubular acidosis type 1"}],
        labs=[_lab("potassium", 3.1, "mmol/L")],
    )
    ids = {f.id for f in report.findings}
    assert {"lab/potassium/low", "condition/hypokalemic_renal_tubular_acidosis"} <= ids
    potassium = next(f for f in report.findings if f.id == "lab/potassium/low")
    assert [i.list for i in potassium.inputs] == ["labs"]


def test_a_high_tsh_on_thyroid_hormone_asks_about_the_replacement(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "levothyroxine 50 mcg daily"}],
        conditions=[{"text": "hypothyroidism"}],
        labs=[_lab("TSH", 9.0, "mIU/L")],
    )
    (finding,) = report.findings
    assert finding.title == "High TSH (possible or undertreated hypothyroidism): 9.0 mIU/L"
    assert "dose, timing and adherence" in finding.monitoring[0]


def test_a_result_that_does_not_show_it_still_outranks_it(checker: Checker) -> None:
    report = checker(conditions=[{"text": "hypokalemia"}], labs=[_lab("K", 4.1, "mmol/L")])
    assert report.findings == []
    assert report.conditions[0].status != "flagged"


def test_the_combination_still_absorbs_the_lab_finding(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}],
        conditions=[{"text": "hypokalemia"}],
        labs=[_lab("potassium", 3.2, "mmol/L")],
    )
    shown = [f.id for f in report.findings if f.absorbed_by is None]
    assert shown == ["combination/potassium_lowering_drug_with_low_potassium"]
