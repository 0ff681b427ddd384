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
        medications=[
            {"text": "conivaptan 20 mg IV infusion"},
            {"text": "simvastatin 40 mg nightly"},
        ]
    )
    ids = [f.id for f in result.findings]
    assert "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor" in ids


def test_conivaptan_does_not_join_a_statin_without_a_cyp3a4_label_limit(checker: Checker) -> None:
    result = checker(
        medications=[{"text": "conivaptan 20 mg IV infusion"}, {"text": "pravastatin 40 mg"}]
    )
    assert not [f for f in result.findings if f.id.startswith("combination/")]


@pytest.mark.parametrize(
    ("text", "concepts", "match"),
    [
        # International brand names of diuretics, a PPI and a statin (intl_brands_*, pil_*).
        ("Torem 10 mg od", ["torsemide"], "brand"),
        ("Spiractin 25 mg", ["spironolactone"], "brand"),
        ("Tecta 40 mg daily", ["pantoprazole"], "brand"),
        ("Lipostat 40 mg nocte", ["pravastatin"], "brand"),
        ("Mykrox 0.5 mg", ["metolazone"], "brand"),
        # Fixed-dose products; Aldactide is hydroflumethiazide, not hydrochlorothiazide.
        ("Aldactide 50 mg", ["spironolactone", "hydroflumethiazide"], "product"),
        ("co-flumactone 25/25", ["spironolactone", "hydroflumethiazide"], "product"),
        ("Lasilactone 20/50 one daily", ["furosemide", "spironolactone"], "product"),
        ("co-triamterzide 50/25", ["triamterene", "hydrochlorothiazide"], "product"),
        ("Atozet 10/40 mg", ["ezetimibe", "atorvastatin"], "product"),
        ("Inderide 40/25", ["propranolol", "hydrochlorothiazide"], "product"),
        ("Uniretic 15/25", ["moexipril", "hydrochlorothiazide"], "product"),
        # Herbal stimulant laxatives.
        ("Swiss Kriss 2 tablets at bedtime", ["senna"], "brand"),
        ("cascara sagrada bark tea nightly", ["cascara sagrada"], "name"),
    ],
)
def test_a_contributor_sent_by_another_name_is_flagged(
    checker: Checker, text: str, concepts: list[str], match: str
) -> None:
    entry = checker.med(text).medications[0]
    assert sorted(entry.concepts) == sorted(concepts)
    assert entry.match == match
    assert entry.status == "flagged"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Relistor 12 mg sc", "methylnaltrexone"),
        ("Movantik 25 mg", "naloxegol"),
        ("Symproic 0.2 mg", "naldemedine"),
        ("Ibsrela 50 mg bid", "tenapanor"),
        ("Intelence 200 mg bid", "etravirine"),
        ("Rukobia 600 mg bid", "fostemsavir"),
        ("Fanapt 12 mg bid", "iloperidone"),
        ("Rezzayo 400 mg weekly", "rezafungin"),
        ("Brexafemme 300 mg", "ibrexafungerp"),
        ("Vivjoa 150 mg", "oteseconazole"),
        ("Lupkynis 23.7 mg bid", "voclosporin"),
        ("Thymoglobulin 1.5 mg/kg", "anti-thymocyte globulin"),
        ("Didronel 400 mg", "etidronate"),
        ("Agamree 6 mg/kg", "vamorolone"),
        ("Kadcyla 3.6 mg/kg", "ado-trastuzumab emtansine"),
        ("Enhertu 5.4 mg/kg", "fam-trastuzumab deruxtecan"),
        ("Zerit 40 mg bid", "stavudine"),
        ("Videx EC 400 mg", "didanosine"),
    ],
)
def test_a_drug_with_no_labeled_cramp_effect_is_recognized_only(
    checker: Checker, text: str, concept: str
) -> None:
    entry = checker.med(text).medications[0]
    assert list(entry.concepts) == [concept]
    assert entry.status == "recognized"


def test_trizivir_is_its_three_ingredients(checker: Checker) -> None:
    entry = checker.med("Trizivir 1 tab bid").medications[0]
    assert sorted(entry.concepts) == ["abacavir", "lamivudine", "zidovudine"]
