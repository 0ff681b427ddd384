"""Pharmacist review 13: each problem's check in the note before a severe one's further
checks; no desmopressin advice without desmopressin; code and glossary sources are not
clinical evidence."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result


def test_a_severe_problem_leaves_room_for_the_others_checks(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "glipizide 10 mg bid"},
            {"text": "hydrochlorothiazide 25 mg daily"},
            {"text": "sertraline 100 mg daily"},
        ],
        labs=[result("glucose", 50, "mg/dL"), result("sodium", 128, "mmol/L")],
    )
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check.startswith("Check: Glucose pattern, including overnight lows; Sodium within days")


def test_the_sodium_check_names_desmopressin_only_in_its_advice(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "venlafaxine 150 mg daily"}],
        labs=[result("sodium", 132, "mmol/L")],
    )
    assert "desmopressin" not in report.note
    finding = next(
        f for f in report.findings if f.id == "combination/sodium_lowering_drug_with_low_sodium"
    )
    assert finding.monitoring[0] == "Sodium within days"


def test_code_and_glossary_sources_are_not_shown_as_evidence(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "insulin glargine 20 units"}],
        labs=[result("FSBS", 48, "mg/dL")],
    )
    cited = [e.citation for f in report.findings for e in f.evidence]
    assert cited
    assert not any("Biology Insights" in c or c.startswith("LOINC") for c in cited)


def test_the_labs_the_antiepileptic_check_asks_for_are_read(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "phenytoin 300 mg daily"}],
        labs=[
            result("calcium", 7.9, "mg/dL"),
            result("Phosphorous", 2.2, "mg/dL"),
            result("Alk Phos", 310, "U/L"),
        ],
    )
    assert [lab.status for lab in report.labs[1:]] == ["recognized", "recognized"]
    assert "Could not check" not in report.note


def test_a_title_names_only_the_concept_that_fills_the_rule(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "colchicine 0.6 mg bid"}],
        conditions=[{"text": "ESRD on hemodialysis"}, {"text": "muscle cramps during dialysis"}],
    )
    finding = next(
        f for f in report.findings if f.id == "combination/colchicine_above_label_dose_on_dialysis"
    )
    assert "complaint" not in finding.title
    assert finding.title.count("end-stage kidney disease or dialysis") == 1


def test_spasticity_after_a_stroke_is_spastic_hemiplegia(checker: Checker) -> None:
    report = checker(conditions=[{"text": "post-stroke spasticity"}])
    assert report.conditions[0].concept != "spasticity (cause not stated)"


@pytest.mark.parametrize(
    "text", ["spasticity secondary to MS", "MS spasticity", "Spasticity in MS - on baclofen"]
)
def test_spasticity_with_ms_in_the_same_text_is_multiple_sclerosis(
    checker: Checker, text: str
) -> None:
    """Review13 #7: the cause stated in the same text; "MS" alone stays unread."""
    assert checker.cond(text).conditions[0].concept == "multiple sclerosis"
    assert checker.cond("MS").conditions[0].status == "unrecognized"


def test_grapefruit_seed_extract_is_not_grapefruit_juice(checker: Checker) -> None:
    """Bare "grapefruit" is the juice (vocab12); the seed extract is a supplement that
    joins no grapefruit interaction."""
    simvastatin = {"text": "simvastatin 40 mg daily"}
    extract = checker(medications=[{"text": "grapefruit seed extract 100 mg"}, simvastatin])
    assert extract.medications[0].concept == "grapefruit seed extract"
    assert not [f for f in extract.findings if f.kind == "combination"]
    juice = checker(medications=[{"text": "grapefruit daily"}, simvastatin])
    assert juice.medications[0].concept == "grapefruit juice"
    assert [f for f in juice.findings if f.kind == "combination"]
