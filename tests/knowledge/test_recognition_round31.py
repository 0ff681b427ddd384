"""Round 31 recognition probes: medication-list names from UK, Irish, Australian and US
leaflets (combination products, brands) and problem-list display texts, each read as the
right entry. Before this round "Coversyl Plus" was read as perindopril alone and
"co-amilozide" as amiloride alone (the diuretic that lowers potassium was dropped);
"Chronic obstructive bronchitis (disorder)" was read as an acute lower respiratory
infection. Ambiguous abbreviations stay unread."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Coversyl Plus 5/1.25 mg", ["indapamide", "perindopril"]),
        ("Coversyl Arginine Plus 10mg/2.5mg", ["indapamide", "perindopril"]),
        ("Preterax", ["indapamide", "perindopril"]),
        ("co-amilozide 2.5/25", ["amiloride", "hydrochlorothiazide"]),
        ("co-amilofruse 5/40", ["amiloride", "furosemide"]),
        ("Frumil LS", ["amiloride", "furosemide"]),
        ("co-tenidone 50/12.5", ["atenolol", "chlorthalidone"]),
        ("Tenoret 50", ["atenolol", "chlorthalidone"]),
        ("Teveten HCT 600/25", ["eprosartan", "hydrochlorothiazide"]),
        ("Seretide Accuhaler 250", ["fluticasone", "salmeterol"]),
        ("Fostair 100/6 2 puffs bd", ["beclomethasone", "formoterol"]),
        ("Zituvimet XR 50-1000", ["metformin", "sitagliptin"]),
        ("Adcal-D3 one tablet bd", ["calcium carbonate", "cholecalciferol"]),
        ("Natrilix SR 1.5 mg", ["indapamide"]),
        ("Aprinox 2.5mg od", ["bendroflumethiazide"]),
        ("Inzirqo 10 mg/mL", ["hydrochlorothiazide"]),
        ("Teveten 600 mg", ["eprosartan"]),
        # Still read as before: the brand alone is the single drug.
        ("Coversyl 5 mg", ["perindopril"]),
    ],
)
def test_medication_names_read_as_their_ingredients(
    checker: Checker, text: str, concepts: list[str]
) -> None:
    item = checker.status("medications", text)
    assert item.status != "unrecognized"
    assert sorted(item.concepts or []) == concepts


def test_inhaled_combination_corticosteroid_is_not_systemic(checker: Checker) -> None:
    report = checker.med("Fostair 100/6 2 puffs bd")
    assert [f.id for f in report.findings] == ["medication/formoterol"]


def test_coversyl_plus_carries_the_diuretic_with_low_potassium(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Coversyl Plus 5/1.25 mg once daily"}],
        labs=[{"text": "potassium", "value": 3.1, "unit": "mmol/L"}],
    )
    assert report.risk == "moderate"
    assert "combination/potassium_lowering_drug_with_low_potassium" in [
        f.id for f in report.findings
    ]


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Chronic obstructive bronchitis (disorder)", ["chronic obstructive pulmonary disease"]),
        ("Coronary arteriosclerosis (disorder)", ["coronary artery disease"]),
        ("Coronary arteriosclerosis", ["coronary artery disease"]),
    ],
)
def test_problem_list_display_texts(checker: Checker, text: str, concepts: list[str]) -> None:
    item = checker.status("conditions", text)
    assert item.status == "recognized"
    assert sorted(item.concepts or []) == concepts


def test_snomed_code_of_chronic_obstructive_bronchitis_is_copd(checker: Checker) -> None:
    coding = [{"system": "http://snomed.info/sct", "code": "185086009"}]
    item = checker.status("conditions", "", coding)
    assert item.concepts == ["chronic obstructive pulmonary disease"]


@pytest.mark.parametrize(
    ("lst", "text"), [("medications", "MS 10 mg"), ("conditions", "MS"), ("conditions", "CMT")]
)
def test_ambiguous_abbreviations_stay_unread(checker: Checker, lst: str, text: str) -> None:
    assert checker.status(lst, text).status == "unrecognized"
