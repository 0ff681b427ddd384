"""Round 31 (helper sig31): drug and drug-drug muscle-safety rules.

#3 a checkpoint inhibitor and a statin with a raised CK are one problem naming both;
#2 pravastatin with glecaprevir/pibrentasvir or voxilaprevir (exposure about doubled);
#4 a coded neuroleptic malignant syndrome: advice conditional on a current episode;
#6 nifedipine's cramp evidence is grade C (no cramp-only incidence with a comparator).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Checker

MAN = {"age": 68, "sex": "male"}


def _meds(*texts: str) -> list[dict[str, Any]]:
    return [{"text": text} for text in texts]


def _ck(value: float) -> list[dict[str, Any]]:
    return [{"text": "CK", "value": value, "unit": "U/L"}]


def _combos(report: Any) -> dict[str, Any]:
    return {f.id: f for f in report.findings if f.kind == "combination"}


@pytest.mark.parametrize(("ck", "severity"), [(4000, "high"), (900, "moderate")])
def test_checkpoint_inhibitor_and_statin_with_raised_ck_is_one_problem(
    checker: Checker, ck: float, severity: str
) -> None:
    report = checker(
        patient=MAN, medications=_meds("nivolumab 480 mg", "atorvastatin 40 mg"), labs=_ck(ck)
    )
    combos = _combos(report)
    assert list(combos) == ["combination/checkpoint_inhibitor_and_statin_with_raised_ck"]
    found = combos["combination/checkpoint_inhibitor_and_statin_with_raised_ck"]
    assert found.severity == severity == report.risk
    assert "nivolumab" in found.title and "atorvastatin" in found.title


def test_statin_and_checkpoint_alone_keep_their_own_ck_rules(checker: Checker) -> None:
    statin = _combos(checker(patient=MAN, medications=_meds("atorvastatin 40 mg"), labs=_ck(4000)))
    assert list(statin) == ["combination/statin_with_raised_ck"]
    ici = _combos(checker(patient=MAN, medications=_meds("nivolumab"), labs=_ck(4000)))
    assert list(ici) == ["combination/checkpoint_inhibitor_with_raised_ck"]


@pytest.mark.parametrize("antiviral", ["Mavyret", "glecaprevir/pibrentasvir", "Vosevi"])
def test_pravastatin_with_glecaprevir_or_voxilaprevir_is_a_low_dose_caution(
    checker: Checker, antiviral: str
) -> None:
    report = checker(patient=MAN, medications=_meds(antiviral, "pravastatin 40 mg daily"))
    found = _combos(report)["combination/pravastatin_with_glecaprevir_or_voxilaprevir"]
    assert found.severity == "low" == report.risk
    assert any("lower pravastatin dose" in line for line in found.management)


@pytest.mark.parametrize("antiviral", ["Zepatier", "Epclusa", "Harvoni"])
def test_pravastatin_with_other_hepatitis_c_antivirals_is_not_an_interaction(
    checker: Checker, antiviral: str
) -> None:
    report = checker(patient=MAN, medications=_meds(antiviral, "pravastatin 40 mg daily"))
    assert "combination/pravastatin_with_glecaprevir_or_voxilaprevir" not in _combos(report)


def test_coded_nms_advice_is_conditional_and_stays_moderate(checker: Checker) -> None:
    report = checker(
        patient=MAN,
        medications=_meds("haloperidol 5 mg bid"),
        conditions=[{"text": "neuroleptic malignant syndrome"}],
    )
    found = _combos(report)["combination/dopamine_blocker_with_neuroleptic_malignant_syndrome"]
    assert found.severity == "moderate"
    assert found.management[0].startswith("If the episode is current")
    assert any(line.startswith("CK now") for line in found.monitoring)


def test_nifedipine_cramp_evidence_is_grade_c(checker: Checker) -> None:
    report = checker(patient=MAN, medications=_meds("nifedipine ER 30 mg daily"))
    (found,) = [f for f in report.findings if f.id == "medication/nifedipine"]
    assert found.evidence_grade == "C"
