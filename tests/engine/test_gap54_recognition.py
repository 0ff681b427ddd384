"""gap54: drugs a recognition sweep found unread or silent against their labels.

conivaptan (VAPRISOL label: hypokalemia 10-22% vs 3% with placebo; a potent CYP3A
inhibitor), tolcapone (TASMAR label: muscle cramps above placebo), opicapone, safinamide and
istradefylline (recognized only: their US tables list no cramps), and "Epsom salt", which
fuzzy matching read as sodium chloride. Sources: label_vaprisol, label_tasmar,
label_ongentys, label_xadago, label_nourianz in datasets/."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concept", "status"),
    [
        ("Vaprisol 20 mg/100 mL IV over 24 h", "conivaptan", "flagged"),
        ("conivaptan hydrochloride infusion", "conivaptan", "flagged"),
        ("Tasmar 100 mg tid", "tolcapone", "flagged"),
        ("tolcapone 100 mg three times daily", "tolcapone", "flagged"),
        ("Ongentys 50 mg at bedtime", "opicapone", "recognized"),
        ("opicapone 50 mg", "opicapone", "recognized"),
        ("Xadago 50 mg daily", "safinamide", "recognized"),
        ("Nourianz 20 mg daily", "istradefylline", "recognized"),
        ("entacapone 200 mg with each levodopa dose", "entacapone", "recognized"),
        ("Epsom salt 2 tsp in water", "magnesium sulfate", "recognized"),
        ("Epsom salts", "magnesium sulfate", "recognized"),
    ],
)
def test_the_drug_is_read_and_flagged_only_against_its_label(
    checker: Checker, text: str, concept: str, status: str
) -> None:
    entry = checker.med(text).medications[0]
    assert list(entry.concepts) == [concept]
    assert entry.status == status


def test_conivaptan_lowers_potassium_and_volume_by_its_label(checker: Checker) -> None:
    result = checker.med("Vaprisol 20 mg IV")
    finding = next(f for f in result.findings if f.id == "medication/conivaptan")
    assert finding.severity == "low"
    assert [e.kind for e in finding.effects] == ["lowers_potassium", "volume_depletion"]


def test_conivaptan_is_a_strong_cyp3a4_inhibitor_for_simvastatin(checker: Checker) -> None:
    result = checker(
        medications=[{"text": "conivaptan 20 mg IV infusion"}, {"text": "simvastatin 40 mg nightly"}]
    )
    ids = [f.id for f in result.findings]
    assert "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor" in ids


def test_conivaptan_does_not_join_a_statin_without_a_cyp3a4_label_limit(checker: Checker) -> None:
    result = checker(
        medications=[{"text": "conivaptan 20 mg IV infusion"}, {"text": "pravastatin 40 mg"}]
    )
    assert not [f for f in result.findings if f.id.startswith("combination/")]
