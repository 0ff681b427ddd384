"""Signal review sig30: nifedipine's labeled muscle cramps.

The PROCARDIA capsule label's controlled trials report muscle cramps (with tremor) in 8% vs
3% on placebo, and the PROCARDIA XL label names leg cramps as the only uncommon reaction
more frequent than placebo: a labeled adverse effect with a comparator, as raloxifene's and
donepezil's are. Nifedipine by mouth is one low contributor; amlodipine (cramps only among
the label's uncommon events, no placebo figure) and a topical nifedipine stay unflagged.
"""

from __future__ import annotations

import pytest

from tests.conftest import Checker

NIFEDIPINE_BY_MOUTH = [
    "nifedipine 10 mg capsule tid",
    "Procardia XL 60 mg daily",
    "NIFEdipine ER 30 mg daily",
]


@pytest.mark.parametrize("text", NIFEDIPINE_BY_MOUTH)
def test_nifedipine_by_mouth_is_one_low_cramp_contributor(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}])
    assert report.risk == "low"
    assert report.medications[0].status == "flagged"
    (finding,) = report.findings
    assert finding.severity == "low"
    assert "cramps" in finding.detail
    assert "placebo" in finding.detail
    assert len(finding.detail) <= 450


def test_amlodipine_and_topical_nifedipine_are_not_flagged(checker: Checker) -> None:
    medications = [
        {"text": "amlodipine 10 mg daily"},
        {"text": "nifedipine 0.3% ointment topically bid"},
    ]
    report = checker(medications=medications)
    assert report.risk == "none"
    assert [m.status for m in report.medications] == ["recognized", "recognized"]
