"""A CK in the rhabdomyolysis range is one urgent problem (pharmacist review 11, item 2):
on a statin the advice is to stop it now (the statin labels), never the mild-CK "it can
usually continue"; a coded rhabdomyolysis is that result, not a minor contributor."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

STATIN_CK = "combination/statin_with_raised_ck"


def test_a_statin_with_a_markedly_raised_ck_says_stop_it_now(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "atorvastatin 80 mg"}],
        conditions=[{"text": "rhabdomyolysis"}],
        labs=[result("CK", 25000, "U/L")],
    )
    assert shown_combinations(report) == [STATIN_CK]
    finding = next(f for f in report.findings if f.id == STATIN_CK)
    assert finding.severity == "high"
    assert finding.management[0].startswith("Stop the statin now")
    assert not any("can usually continue" in line for line in finding.management)
    assert "myoglobin" in finding.monitoring[0]
    assert "Also may contribute" not in report.note  # the rhabdomyolysis is this result


def test_a_mild_ck_keeps_the_mild_advice(checker: Checker) -> None:
    """Under 4 times the upper limit (a man: 308 U/L) without muscle symptoms: the EAS 2015
    watch point (pharmacist review 24 #3; it was the moderate CK rule). With no sex sent the
    4 times band is the women's 768 U/L (pharmacist review 25 #1)."""
    report = checker(
        patient={"age": 60, "sex": "male"},
        medications=[{"text": "atorvastatin 80 mg"}],
        labs=[result("CK", 900, "U/L")],
    )
    finding = next(f for f in report.findings if f.id == "combination/statin_with_mildly_raised_ck")
    assert finding.severity == "low"
    assert any("can usually continue" in line for line in finding.management)


def test_without_a_statin_the_rhabdomyolysis_range_asks_for_prompt_care(
    checker: Checker,
) -> None:
    report = checker(
        conditions=[{"text": "exertional rhabdomyolysis"}], labs=[result("CK", 25000, "U/L")]
    )
    shown = [f for f in report.findings if not f.absorbed_by]
    assert [(f.id, f.severity) for f in shown] == [("lab/ck/high", "high")]
    assert "prompt medical care" in shown[0].management[0]
    assert "Also may contribute" not in report.note


def test_a_normal_ck_now_means_the_coded_episode_is_over(checker: Checker) -> None:
    report = checker(conditions=[{"text": "rhabdomyolysis"}], labs=[result("CK", 150, "U/L")])
    assert report.risk == "none"
