"""A low potassium or magnesium while the patient takes a supplement of it: the findings on
that result say so first (check adherence and the dose), with the line's source, instead
of only "replace potassium"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result

LOW_K = result("potassium", 3.3, "mmol/L")
LOW_MG = result("magnesium", 1.5, "mg/dL")


def _management(
    checker: Checker, meds: list[str], labs: list[dict[str, Any]]
) -> dict[str, list[str]]:
    report = checker(medications=[{"text": m} for m in meds], labs=labs)
    return {f.id: f.management for f in report.findings}


def test_a_low_potassium_on_potassium_chloride_asks_about_adherence_and_dose(
    checker: Checker,
) -> None:
    found = _management(checker, ["furosemide 40 mg daily", "Klor-Con M20 1 tab daily"], [LOW_K])
    for fid in ("lab/potassium/low", "combination/potassium_lowering_drug_with_low_potassium"):
        assert found[fid][1].startswith("Potassium is low on potassium chloride: check adherence")
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}, {"text": "KCl 20 mEq daily"}],
        labs=[LOW_K],
    )
    lab = next(f for f in report.findings if f.id == "lab/potassium/low")
    assert any("MSD Manual" in e.citation for e in lab.evidence)


def test_both_supplements_are_named_on_the_joint_finding(checker: Checker) -> None:
    found = _management(
        checker,
        ["furosemide 40 mg daily", "potassium chloride 20 mEq bid", "Mag-Ox 400 mg daily"],
        [LOW_K, LOW_MG],
    )
    joint = found["combination/drug_with_low_potassium_and_low_magnesium"]
    assert joint[0].startswith("Replace magnesium as well as potassium")
    assert joint[1].startswith("Potassium is low on potassium chloride")
    assert joint[2].startswith("Magnesium is low on magnesium oxide")


@pytest.mark.parametrize(
    "meds",
    [
        ["furosemide 40 mg daily"],  # no supplement
        ["furosemide 40 mg daily", "magnesium oxide 400 mg daily"],  # another analyte's
        ["furosemide 40 mg daily", "potassium chloride 20 mEq daily as needed for cramps"],
        # Review 22 A7: a one-off IV dose repletes once; K-Phos is a phosphate supplement.
        ["furosemide 40 mg daily", "potassium chloride 10 mEq IV x4"],
        ["furosemide 40 mg daily", "K-Phos Neutral 250 mg tid"],
    ],
)
def test_without_a_scheduled_supplement_of_it_the_advice_is_unchanged(
    checker: Checker, meds: list[str]
) -> None:
    found = _management(checker, meds, [LOW_K])
    assert not any(
        line.startswith("Potassium is low on") for lines in found.values() for line in lines
    )


def test_a_normal_result_on_a_supplement_adds_nothing(checker: Checker) -> None:
    found = _management(
        checker,
        ["furosemide 40 mg daily", "potassium chloride 20 mEq daily"],
        [result("potassium", 4.1, "mmol/L")],
    )
    assert not any("is low on" in line for lines in found.values() for line in lines)
