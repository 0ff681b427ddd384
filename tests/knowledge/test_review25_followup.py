"""Review 25 follow-up: a bare "INH" with inhaler words is an unnamed inhaler, not
isoniazid; troponin, natriuretic peptides and CRP are recognized tests, not "could not
check"."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize("text", ["INH 2 puffs", "INH 2 puffs q4h prn"])
def test_inh_with_inhaler_words_is_not_isoniazid(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.concept != "isoniazid"
    assert status.status == "unrecognized"


@pytest.mark.parametrize("text", ["INH 300 mg daily", "INH 300 mg po daily"])
def test_inh_with_a_dose_is_isoniazid(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].concept == "isoniazid"


@pytest.mark.parametrize(
    ("text", "unit", "concept"),
    [
        ("troponin I", "ng/mL", "troponin"),
        ("hs-TnT", "ng/L", "troponin"),
        ("BNP", "pg/mL", "natriuretic peptide (BNP or NT-proBNP)"),
        ("NT-proBNP", "pg/mL", "natriuretic peptide (BNP or NT-proBNP)"),
        ("CRP", "mg/L", "C-reactive protein (CRP)"),
        ("hs-CRP", "mg/L", "C-reactive protein (CRP)"),
    ],
)
def test_cardiac_and_inflammation_tests_are_recognized(
    checker: Checker, text: str, unit: str, concept: str
) -> None:
    report = checker(labs=[{"text": text, "value": 1.0, "unit": unit}])
    status = report.labs[0]
    assert (status.status, status.concept) == ("recognized", concept)
    assert "Could not check" not in report.note


@pytest.mark.parametrize(
    "text", ["Bavencio 800 mg IV q2w", "toripalimab 240 mg IV", "Imjudo 300 mg IV"]
)
def test_more_checkpoint_inhibitors_join_a_raised_ck(checker: Checker, text: str) -> None:
    report = checker(
        medications=[{"text": text}], labs=[{"text": "CK", "value": 3500, "unit": "U/L"}]
    )
    finding = next(
        f for f in report.findings if f.id == "combination/checkpoint_inhibitor_with_raised_ck"
    )
    assert finding.severity == "high"


@pytest.mark.parametrize(("value", "current"), [(3.2, True), (4.2, False)])
def test_a_low_potassium_after_adrenalectomy_is_not_a_cure(
    checker: Checker, value: float, current: bool
) -> None:
    """PASO: a persisting low potassium is absent biochemical success."""
    report = checker(
        conditions=[{"text": "primary aldosteronism s/p adrenalectomy"}],
        labs=[{"text": "potassium", "value": value, "unit": "mmol/L"}],
    )
    ids = {f.id for f in report.findings}
    assert ("combination/condition_with_low_potassium" in ids) is current
    assert (report.conditions[0].status == "flagged") is current


def test_with_a_thiazide_a_low_potassium_after_adrenalectomy_names_both_causes(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "hydrochlorothiazide 25 mg daily"}],
        conditions=[{"text": "Conn's syndrome s/p left adrenalectomy"}],
        labs=[{"text": "potassium", "value": 3.3, "unit": "mmol/L"}],
    )
    ids = {f.id for f in report.findings}
    assert "combination/drug_and_condition_with_low_potassium" in ids
