"""Cushing syndrome drugs whose labels name hypokalemia (lead request, rules18).

- Osilodrostat (ISTURISA) blocks 11-beta-hydroxylase; 11-deoxycorticosterone builds up and
  wastes potassium. It is a potassium-lowering drug like fludrocortisone: one `low`
  finding alone, `moderate` with a low potassium.
- Mifepristone at a Cushing syndrome dose (KORLYM, 300 mg a day or more) warns of
  hypokalemia in 44% of patients. The same drug as a single 200 mg dose ends a pregnancy
  (Mifeprex), so only a dose the text gives at 300 mg a day or more is flagged.
- Metyrapone (METOPIRONE): its labels name hypertension from 11-deoxycorticosterone, not
  hypokalemia, and it is mostly a one-night diagnostic test: recognized, not flagged.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

ALONE = "combination/mifepristone_cushing_dose_lowers_potassium"
WITH_LOW_K = "combination/mifepristone_cushing_dose_with_low_potassium"


@pytest.mark.parametrize("text", ["mifepristone 300 mg daily", "Korlym 600 mg daily"])
def test_mifepristone_at_a_cushing_dose_is_one_low_potassium_finding(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}])
    assert shown_combinations(report) == [ALONE]
    finding = next(f for f in report.findings if f.id == ALONE)
    assert (finding.severity, finding.basis) == ("low", "single_contributor")
    assert "mineralocorticoid receptor" in finding.detail
    assert report.medications[0].status == "flagged"
    assert report.risk == "low"


def test_mifepristone_with_a_normal_potassium_is_a_watch_point(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "mifepristone 300 mg daily"}],
        labs=[result("potassium", 4.1, "mmol/L")],
    )
    finding = next(f for f in report.findings if f.id == ALONE)
    assert finding.severity == "low"
    assert "is not low, so this is a watch point" in finding.detail


@pytest.mark.parametrize(("value", "severity"), [(3.1, "moderate"), (2.8, "high")])
def test_mifepristone_with_a_low_potassium_is_one_problem(
    checker: Checker, value: float, severity: str
) -> None:
    report = checker(
        medications=[{"text": "mifepristone 300 mg daily"}],
        labs=[result("potassium", value, "mmol/L")],
    )
    assert shown_combinations(report) == [WITH_LOW_K]
    finding = next(f for f in report.findings if f.id == WITH_LOW_K)
    assert finding.severity == severity
    assert report.risk == severity
    assert "Mifepristone at a Cushing syndrome dose (Korlym) with low potassium" in report.note


@pytest.mark.parametrize("text", ["mifepristone 200 mg", "Mifeprex 200 mg once", "mifepristone"])
def test_mifepristone_to_end_a_pregnancy_or_without_a_dose_is_not_flagged(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}], labs=[result("potassium", 3.1, "mmol/L")])
    assert shown_combinations(report) == []
    status = report.medications[0]
    assert (status.status, status.concept) == ("recognized", "mifepristone")
    assert status.reason is not None and "Mifeprex" in status.reason


@pytest.mark.parametrize("text", ["osilodrostat 2 mg bid", "Isturisa 5 mg twice daily"])
def test_osilodrostat_is_a_potassium_lowering_drug(checker: Checker, text: str) -> None:
    alone = checker(medications=[{"text": text}])
    finding = next(f for f in alone.findings if f.id == "medication/osilodrostat")
    assert finding.severity == "low"
    assert "11-deoxycorticosterone" in finding.detail
    assert [e.kind for e in finding.effects] == ["lowers_potassium"]

    low_k = checker(medications=[{"text": text}], labs=[result("potassium", 3.2, "mmol/L")])
    assert shown_combinations(low_k) == ["combination/potassium_lowering_drug_with_low_potassium"]
    assert low_k.risk == "moderate"


def test_metyrapone_is_recognized_not_flagged(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "metyrapone 750 mg"}], labs=[result("potassium", 3.2, "mmol/L")]
    )
    assert shown_combinations(report) == []
    status = report.medications[0]
    assert status.status == "recognized"
    assert status.reason is not None and "deoxycorticosterone" in status.reason


@pytest.mark.parametrize(
    "text", ["mifepristone 600 mg once", "mifepristone 200 mg, 3 tablets orally once"]
)
def test_a_single_dose_of_mifepristone_is_not_a_cushing_regimen(
    checker: Checker, text: str
) -> None:
    """Review 18 C4: the older single 600 mg dose that ends a pregnancy is not Korlym."""
    report = checker(
        medications=[{"text": text}], labs=[{"text": "potassium", "value": 3.1, "unit": "mmol/L"}]
    )
    assert not any("mifepristone" in f.id for f in report.findings)


def test_korlym_by_brand_with_a_count_is_a_cushing_dose(checker: Checker) -> None:
    """Review 19 B3: Korlym is 300 mg tablets only; "Korlym 1 tab daily" gave no finding."""
    report = checker(
        medications=[{"text": "Korlym 1 tab daily"}],
        labs=[{"text": "potassium", "value": 3.1, "unit": "mmol/L"}],
    )
    assert "combination/mifepristone_cushing_dose_with_low_potassium" in [
        f.id for f in report.findings
    ]
