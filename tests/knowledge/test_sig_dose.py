"""A coded product's name with its dosage text ("Colchicine 0.6 MG Oral Tablet; 1.2 mg then
0.6 mg in 1 hour", as the FHIR reader writes an order): a strength the dosage text gives is
the dose taken, not the tablet's (pharmacist review 14 #9)."""

from __future__ import annotations

import pytest

from service.engine.combinations import daily_mg
from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations

COLCHICINE_LIMIT = "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor"
SIMVASTATIN_LIMIT = "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine"


@pytest.mark.parametrize(
    "sig",
    [
        "Colchicine 0.6 MG Oral Tablet; 1.2 mg then 0.6 mg in 1 hour",
        "Colchicine 0.6 MG Oral Tablet; 1.2 mg now, then 0.6 mg in 1 hour",
    ],
)
def test_a_flare_dose_in_the_sig_is_read(checker: Checker, sig: str) -> None:
    report = checker(medications=[{"text": sig}, {"text": "verapamil ER 240 mg daily"}])
    assert shown_combinations(report) == [COLCHICINE_LIMIT]


def test_the_tablet_strength_with_a_sig_of_tablets_is_still_read(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "Simvastatin 20 MG Oral Tablet; Take 2 tablets by mouth at bedtime"},
            {"text": "amlodipine 10 mg daily"},
        ]
    )
    assert SIMVASTATIN_LIMIT in shown_combinations(report)


@pytest.mark.parametrize(
    "sig",
    [
        "Simvastatin 20 MG Oral Tablet; take with aspirin 81 mg",
        "Simvastatin 20 MG Oral Tablet; 20 mg at bedtime",
        "Simvastatin 20 MG Oral Tablet; may increase to 40 mg",  # a plan, not the dose
        "Simvastatin 20 MG Oral Tablet; max 40 mg",
    ],
)
def test_another_drug_named_in_the_sig_is_not_the_dose(checker: Checker, sig: str) -> None:
    report = checker(medications=[{"text": sig}, {"text": "amlodipine 10 mg daily"}])
    assert SIMVASTATIN_LIMIT not in shown_combinations(report)


@pytest.mark.parametrize(
    "sig",
    [
        "Simvastatin 40 MG Oral Tablet; take 1 tablet daily; do not exceed 20 mg with amlodipine",
        "Simvastatin 40 MG Oral Tablet; 1 tab daily (previously 20 mg)",
        "Simvastatin 40 MG Oral Tablet; was 20 mg",
        "Simvastatin 40 MG Oral Tablet; LDL 120 mg/dL",
    ],
)
def test_a_note_after_the_directions_is_not_the_dose(checker: Checker, sig: str) -> None:
    """Review 16 #2: the 40 mg tablet is the dose; the note's 20 mg is not."""
    report = checker(medications=[{"text": sig}, {"text": "amlodipine 10 mg daily"}])
    assert SIMVASTATIN_LIMIT in shown_combinations(report)


def test_a_taper_step_is_not_the_dose_frequency() -> None:
    """Review 16 #6: "taper by 10 mg weekly" made 60 mg a day read as 8.6 mg a day."""
    assert daily_mg("prednisone 60 mg daily, taper by 10 mg weekly", "prednisone") == 60


@pytest.mark.parametrize(
    ("text", "drug", "mg_a_day"),
    [
        # Epic's echoed counts and totals (review 17 #1, #2)
        (
            "Colchicine 0.6 MG Oral Tablet; Take 1 tablet (0.6 mg total) by mouth"
            " 2 (two) times daily.",
            "colchicine",
            1.2,
        ),
        (
            "Simvastatin 20 MG Oral Tablet; Take 1 tablet by mouth every 12 (twelve) hours",
            "simvastatin",
            40,
        ),
        # Days apart and days of the week (review 17 #6)
        ("rosuvastatin 10 mg MWF", "rosuvastatin", 30 / 7),
        ("colchicine 0.6 mg M-W-F", "colchicine", 1.8 / 7),
        ("colchicine 0.6 mg q48h", "colchicine", 0.3),
        ("colchicine 0.6 mg every 72 hours", "colchicine", 0.2),
        ("rosuvastatin 20 mg every 3 days", "rosuvastatin", 20 / 3),
        ("rosuvastatin 10 mg q other day", "rosuvastatin", 5),
        ("colchicine 0.5 mg bd", "colchicine", 1.0),
        ("simvastatin 40 mg ii tabs qhs", "simvastatin", 80),
        # "four" was matched as a count but not converted: an error, not a dose.
        ("simvastatin 10 mg four tabs qhs", "simvastatin", 40),
        # A thousands separator (review 17 #7) and a change written as an arrow (#10)
        ("niacin ER 1,000 mg qhs", "niacin", 1000),
        ("atorvastatin 40 mg daily -> 20 mg daily since starting Prezcobix", "atorvastatin", 20),
        # A note after free text is not a product's directions (review 16, 17 #10)
        ("prednisone 5 mg daily; 20 mg for flare", "prednisone", 5),
        ("Niacin ER 500 MG; 1000 mg at bedtime", "niacin", 1000),
    ],
)
def test_doses_as_ehrs_and_prescribers_write_them(text: str, drug: str, mg_a_day: float) -> None:
    assert daily_mg(text, drug) == pytest.approx(mg_a_day)


def test_an_echoed_total_is_not_a_second_dose(checker: Checker) -> None:
    """Review 17 #2: "(0.6 mg total)" made the labeled single flare dose on dialysis 1.2 mg."""
    report = checker(
        medications=[
            {
                "text": "Colchicine 0.6 MG Oral Tablet; Take 1 tablet (0.6 mg total) once"
                " for gout flare"
            }
        ],
        conditions=[{"text": "ESRD on hemodialysis"}],
    )
    assert "combination/colchicine_above_label_dose_on_dialysis" not in shown_combinations(report)
