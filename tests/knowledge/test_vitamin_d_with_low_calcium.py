"""A measured 25-hydroxy vitamin D below 20 ng/mL (50 nmol/L) is vitamin D deficiency: it
joins a low calcium as its cause, as a coded deficiency does (pharmacist review 13), and is
never a finding of its own (vitamin D deficiency alone is not a cramp contributor)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

RULE = "combination/low_vitamin_d_with_low_calcium"
LOW_CALCIUM = result("calcium", 7.9, "mg/dL")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("25-OH vitamin D", 12, "ng/mL"),
        ("vitamin D", 30, "nmol/L"),  # 12 ng/mL
        ("25(OH)D", 19.9, "ug/L"),
    ],
)
def test_a_measured_low_vitamin_d_joins_a_low_calcium(
    checker: Checker, text: str, value: float, unit: str
) -> None:
    report = checker(labs=[LOW_CALCIUM, result(text, value, unit)])
    assert shown_combinations(report) == [RULE]
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "moderate"
    assert [ref.index for ref in finding.inputs if ref.list == "labs"] == [0, 1]
    assert report.labs[1].status == "flagged"
    # Vitamin D was sent: the check does not ask for it again.
    assert "Check: Calcium (corrected or ionized) and magnesium." in report.note


def test_a_coded_deficiency_without_a_result_still_asks_for_vitamin_d(checker: Checker) -> None:
    report = checker(conditions=[{"text": "vitamin D deficiency"}], labs=[LOW_CALCIUM])
    assert shown_combinations(report) == ["combination/condition_with_low_calcium"]
    assert "Check: Calcium (corrected or ionized), magnesium, vitamin D." in report.note


@pytest.mark.parametrize(("value", "unit"), [(20, "ng/mL"), (32, "ng/mL"), (75, "nmol/L")])
def test_a_vitamin_d_of_20_ng_ml_or_more_does_not_join(
    checker: Checker, value: float, unit: str
) -> None:
    report = checker(labs=[LOW_CALCIUM, result("vitamin D", value, unit)])
    assert shown_combinations(report) == []
    assert [f.id for f in report.findings] == ["lab/calcium/low"]
    assert report.labs[1].status == "recognized"


@pytest.mark.parametrize("calcium", [None, 9.3])
def test_a_low_vitamin_d_is_never_a_finding_of_its_own(
    checker: Checker, calcium: float | None
) -> None:
    labs = [result("vitamin D", 8, "ng/mL")]
    if calcium is not None:
        labs.append(result("calcium", calcium, "mg/dL"))
    report = checker(labs=labs)
    assert report.findings == []
    assert report.risk == "none"
    assert report.labs[0].status == "recognized"
    assert "Could not check" not in report.note


def test_a_lab_range_printing_a_sufficiency_target_is_not_deficiency(checker: Checker) -> None:
    """Many laboratories print 30-100 ng/mL: 25 ng/mL is below that target, not deficient."""
    vitamin_d = result("vitamin D", 25, "ng/mL") | {"reference_range": {"low": 30, "high": 100}}
    report = checker(labs=[LOW_CALCIUM, vitamin_d])
    assert shown_combinations(report) == []


BOTH = "combination/low_magnesium_and_calcium_with_causes_of_both"
LOW_MAGNESIUM = result("magnesium", 1.3, "mg/dL")
LOW_VITAMIN_D = result("vitamin D", 12, "ng/mL")


@pytest.mark.parametrize(
    ("medications", "conditions"),
    [
        (["omeprazole 40 mg daily"], []),  # a drug lowering magnesium
        ([], ["alcohol use disorder"]),  # a condition lowering magnesium
    ],
)
def test_a_cause_of_each_with_low_magnesium_and_calcium_is_one_problem(
    checker: Checker, medications: list[str], conditions: list[str]
) -> None:
    """Before, a PPI with a low vitamin D, low magnesium and low calcium was two moderate
    problems, the calcium in both: the PPI's magnesium-and-calcium rule and the vitamin D's."""
    report = checker(
        medications=[{"text": m} for m in medications],
        conditions=[{"text": c} for c in conditions],
        labs=[LOW_MAGNESIUM, LOW_CALCIUM, LOW_VITAMIN_D],
    )
    assert shown_combinations(report) == [BOTH]
    assert report.note.count("\n- ") == 1
    finding = next(f for f in report.findings if f.id == BOTH)
    assert finding.severity == "moderate"
    assert "correct vitamin D" in finding.management[0]
    # Vitamin D was sent: not asked for again.
    assert "Vitamin D" not in finding.monitoring


def test_with_a_low_potassium_the_calcium_cause_joins_the_one_problem(checker: Checker) -> None:
    """Review41 item 10: the drugs' potassium-magnesium-calcium rule and the low vitamin D's
    calcium rule both named the one low calcium; the calcium cause now joins the one problem."""
    report = checker(
        medications=[{"text": "omeprazole 40 mg daily"}, {"text": "hydrochlorothiazide 25 mg"}],
        labs=[result("potassium", 3.2, "mmol/L"), LOW_MAGNESIUM, LOW_CALCIUM, LOW_VITAMIN_D],
    )
    assert shown_combinations(report) == [
        "combination/low_potassium_magnesium_and_calcium_with_causes_of_both"
    ]
    finding = next(f for f in report.findings if not f.absorbed_by)
    assert len(finding.inputs) == 6  # both drugs and the four results


def test_the_loinc_name_of_total_25_hydroxy_vitamin_d_is_read(checker: Checker) -> None:
    """Review 18 B3: FHIR results name it "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or
    Plasma"; D3 alone is a part of the total, not read as it."""
    name = "25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma"
    report = checker(labs=[LOW_CALCIUM, result(name, 12, "ng/mL")])
    assert shown_combinations(report) == [RULE]
    d3 = checker(
        labs=[result("25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma", 12, "ng/mL")]
    )
    assert d3.labs[0].status == "unrecognized"


def test_a_condition_losing_potassium_magnesium_and_calcium_joins_the_low_vitamin_d(
    checker: Checker,
) -> None:
    """Review 18 C2: short bowel syndrome with all four low named calcium and magnesium in
    two problems. Review41 item 10: the vitamin D's calcium line named the calcium again; as
    with a drug, the low vitamin D now joins the one potassium-magnesium-calcium problem."""
    report = checker(
        conditions=[{"text": "short bowel syndrome"}],
        labs=[LOW_CALCIUM, LOW_VITAMIN_D, LOW_MAGNESIUM, result("potassium", 3.0, "mmol/L")],
    )
    assert shown_combinations(report) == [
        "combination/low_potassium_magnesium_and_calcium_with_causes_of_both"
    ]
