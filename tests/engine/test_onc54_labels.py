"""onc54: oncology and antifungal drugs recognized but silent against their labels.

Flagged where the EU package leaflet lists the effect as very common (more than 1 in 10):
arsenic trioxide (low potassium and magnesium; the US boxed warning asks to correct
electrolytes before dosing), carfilzomib (low potassium, muscle spasms), azacitidine
injection (low potassium; the tablets list neither) and anidulafungin (low potassium).
Recognized with a reason where the leaflet lists it as common only (caspofungin,
micafungin, isavuconazonium), as bortezomib. Sources: ema_trisenox,
label_arsenic_trioxide_us, ema_kyprolis, ema_vidaza, ema_onureg, ema_ecalta, ema_cancidas,
ema_mycamine, ema_cresemba in datasets/sources.toml."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

LOINC = "http://loinc.org"


@pytest.mark.parametrize(
    ("text", "concept", "status"),
    [
        ("arsenic trioxide 0.15 mg/kg IV daily", "arsenic trioxide", "flagged"),
        ("Trisenox 10 mg IV", "arsenic trioxide", "flagged"),
        ("Kyprolis 56 mg/m2 IV days 1, 2, 8, 9, 15, 16", "carfilzomib", "flagged"),
        ("Vidaza 75 mg/m2 subcut daily x7", "azacitidine", "flagged"),
        ("azacitidine 75 mg/m2 IV", "azacitidine", "flagged"),
        ("Onureg 300 mg daily", "azacitidine", "recognized"),
        ("anidulafungin 100 mg IV daily", "anidulafungin", "flagged"),
        ("Ecalta 100 mg IV", "anidulafungin", "flagged"),
        ("caspofungin 50 mg IV daily", "caspofungin", "recognized"),
        ("Mycamine 100 mg IV daily", "micafungin", "recognized"),
        ("Cresemba 372 mg daily", "isavuconazonium", "recognized"),
    ],
)
def test_the_drug_is_flagged_only_for_what_its_leaflet_lists_as_very_common(
    checker: Checker, text: str, concept: str, status: str
) -> None:
    entry = checker.med(text).medications[0]
    assert list(entry.concepts) == [concept]
    assert entry.status == status


@pytest.mark.parametrize(
    ("text", "drug_id", "kinds"),
    [
        (
            "arsenic trioxide 0.15 mg/kg IV",
            "arsenic_trioxide",
            ["lowers_potassium", "lowers_magnesium"],
        ),
        ("Kyprolis 27 mg/m2 IV", "carfilzomib", ["lowers_potassium", "causes_cramps"]),
        ("Vidaza 75 mg/m2 subcut", "azacitidine", ["lowers_potassium"]),
        ("Eraxis 100 mg IV", "anidulafungin", ["lowers_potassium"]),
    ],
)
def test_one_drug_alone_is_a_low_labeled_finding(
    checker: Checker, text: str, drug_id: str, kinds: list[str]
) -> None:
    finding = next(f for f in checker.med(text).findings if f.id == f"medication/{drug_id}")
    assert finding.severity == "low"
    assert finding.basis == "single_contributor"
    assert [e.kind for e in finding.effects] == kinds
    assert {e.evidence_level for e in finding.effects} == {"labeled_adverse_effect"}
    assert "may contribute" in finding.title


def test_a_recognized_antifungal_says_why(checker: Checker) -> None:
    for text in ("caspofungin 50 mg IV", "micafungin 100 mg IV", "isavuconazole 200 mg PO"):
        entry = checker.med(text).medications[0]
        assert entry.reason is not None
        assert "common (up to 1 in 10)" in entry.reason


def test_arsenic_trioxide_with_a_low_magnesium_names_the_drug(checker: Checker) -> None:
    result = checker(
        medications=[{"text": "Trisenox 0.15 mg/kg IV daily"}],
        labs=[{"coding": [{"system": LOINC, "code": "19123-9"}], "value": 1.5, "unit": "mg/dL"}],
    )
    rule = next(f for f in result.findings if f.kind == "combination")
    assert rule.id == "combination/magnesium_lowering_drug_with_low_magnesium"
    assert rule.severity == "moderate"
    assert ("medications", 0) in [(i.list, i.index) for i in rule.inputs]


def test_carfilzomib_with_a_low_potassium_names_the_drug(checker: Checker) -> None:
    result = checker(
        medications=[{"text": "carfilzomib 27 mg/m2 IV"}],
        labs=[{"coding": [{"system": LOINC, "code": "2823-3"}], "value": 3.2, "unit": "mmol/L"}],
    )
    ids = [f.id for f in result.findings]
    assert "combination/potassium_lowering_drug_with_low_potassium" in ids


def test_oral_azacitidine_is_not_the_injection(checker: Checker) -> None:
    result = checker.med("Onureg 200 mg PO daily days 1-14")
    assert result.findings == []
