"""Label citations checked against the stored label text (src41): the duplicate LABA,
potassium-sparing and colchicine findings cite what the labels say, with the page read."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker

LABA = "combination/duplicate_long_acting_beta2_agonists"
K_SPARING = "combination/duplicate_potassium_sparing_diuretics"
MRA = "combination/duplicate_mineralocorticoid_antagonists"
COLCHICINE_CI = (
    "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
)


def _finding(report: Any, rule: str) -> Any:
    return next(f for f in report.findings if f.id == rule)


def test_duplicate_laba_says_what_the_labels_say(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "Advair Diskus 250/50 1 inh bid"},
            {"text": "Symbicort 160/4.5 2 puffs bid"},
        ]
    )
    finding = _finding(report, LABA)
    assert finding.severity == "moderate"
    # The labels say "not ... additional LABA"; "overdose may result" and "no added benefit"
    # were not found in the label text read.
    assert "additional long-acting beta-2 agonist" in finding.detail
    assert "overdose" not in finding.detail
    assert "benefit" not in finding.detail
    cited = " ".join(e.citation for e in finding.evidence)
    assert "should not use additional LABA for any reason" in cited
    assert "do not use any additional long-acting beta2-agonists" in cited


def test_eplerenone_with_amiloride_rests_on_the_amiloride_label(checker: Checker) -> None:
    """The US eplerenone label contraindicates potassium-sparing diuretics for hypertension
    only; the amiloride label contraindicates any other potassium-conserving agent."""
    report = checker(
        medications=[{"text": "eplerenone 25 mg daily"}, {"text": "amiloride 5 mg daily"}]
    )
    finding = _finding(report, K_SPARING)
    assert finding.severity == "moderate"
    cited = " ".join(e.citation for e in finding.evidence)
    assert "should not be given to patients receiving other potassium-conserving agents" in cited
    assert "for the treatment of hypertension" in cited


def test_spironolactone_with_eplerenone_cites_the_spironolactone_contraindication(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "spironolactone 25 mg daily"}, {"text": "eplerenone 25 mg daily"}]
    )
    finding = _finding(report, MRA)
    urls = [e.url for e in finding.evidence]
    assert (
        "http://www.drugs.com/labeling-changes/June-2013/aldactone-spironolactone-2697.html" in urls
    )
    assert any("concomitant use of eplerenone" in e.citation for e in finding.evidence)


def test_colchicine_contraindication_cites_the_label_page_read(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg daily"}, {"text": "clarithromycin 500 mg bid"}],
        conditions=[{"text": "CKD stage 4"}],
    )
    finding = _finding(report, COLCHICINE_CI)
    colcrys = next(e for e in finding.evidence if e.citation.startswith("COLCRYS"))
    assert colcrys.url == "https://www.goutrx.com/crx/prevention-dosing/"
    assert "should not be given COLCRYS in conjunction with P-gp or strong CYP3A4" in (
        colcrys.citation
    )
