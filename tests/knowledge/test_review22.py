"""Review 22 (audit of the review 21 changes): the regressions and misses it found."""

from __future__ import annotations

import pytest

from service.engine.combinations import daily_mg
from tests.conftest import Checker
from tests.knowledge.rendered import result

K_PHOS_LOW = [result("potassium", 3.2, "mmol/L"), result("phosphate", 2.0, "mg/dL")]


@pytest.mark.parametrize("condition", ["severe malaria", "falciparum malaria", "babesiosis"])
def test_quinine_with_a_current_malaria_is_its_labeled_use(
    checker: Checker, condition: str
) -> None:
    """A2: IV quinine for severe malaria with a low platelet count was 'stop quinine now'."""
    report = checker(
        medications=[{"text": "quinine dihydrochloride 20 mg/kg IV loading then 10 mg/kg q8h"}],
        conditions=[{"text": condition}],
        labs=[{"text": "platelets", "value": 45, "unit": "10^9/L"}],
    )
    assert report.risk == "none"
    assert report.medications[0].status == "recognized"
    assert "malaria" in (report.medications[0].reason or "")


@pytest.mark.parametrize(("value", "unit"), [(95000, "/uL"), (95, "10³/µL"), (95000, "cells/mcL")])
def test_a_platelet_count_per_microliter_is_read(checker: Checker, value: float, unit: str) -> None:
    """B1, C7: 95,000 /uL was 'could not check', so quinine's low-platelet problem was missed."""
    report = checker(
        medications=[{"text": "quinine sulfate 324 mg at bedtime for leg cramps"}],
        labs=[{"text": "platelet count", "value": value, "unit": unit}],
    )
    assert report.risk == "high"


def test_tenofovir_without_its_salt_is_not_the_disoproxil(checker: Checker) -> None:
    """A5: 'tenofovir 25 mg' (the alafenamide dose) got the disoproxil tubulopathy problem."""
    report = checker(medications=[{"text": "tenofovir 25 mg daily"}], labs=K_PHOS_LOW)
    assert not any("tenofovir" in f.id for f in report.findings)
    assert report.medications[0].concept == "tenofovir (salt not stated)"
    viread = checker(medications=[{"text": "Viread 300 mg daily"}], labs=K_PHOS_LOW)
    assert any("tenofovir_disoproxil" in f.id for f in viread.findings)


def test_chronic_hepatitis_b_is_not_read_as_hepatitis_c(checker: Checker) -> None:
    report = checker(conditions=[{"text": "chronic hepatitis B"}])
    assert report.conditions[0].concept == "hepatitis B"


def test_alcohol_use_disorder_joins_a_drug_for_low_potassium_and_magnesium(
    checker: Checker,
) -> None:
    """B2: IV pantoprazole with alcohol use disorder named only the PPI once K was low too."""
    report = checker(
        medications=[{"text": "pantoprazole 40 mg IV daily"}],
        conditions=[{"text": "alcohol use disorder"}],
        labs=[result("magnesium", 1.3, "mg/dL"), result("potassium", 3.2, "mmol/L")],
    )
    shown = [f for f in report.findings if f.absorbed_by is None and f.kind == "combination"]
    assert [f.id for f in shown] == [
        "combination/drug_and_condition_with_low_potassium_and_low_magnesium"
    ]
    assert "alcohol use disorder" in shown[0].title


@pytest.mark.parametrize(
    ("text", "mg_a_day"),
    [
        ("simvastatin 20 mg 1 tab daily and 2 tabs at bedtime", 60),  # B6
        ("simvastatin 20 mg daily and 1 tab at bedtime if needed", 20),
        ("simvastatin 20 mg daily", 20),
    ],
)
def test_a_daily_dose_and_more_at_a_time_is_added_up(text: str, mg_a_day: float) -> None:
    assert daily_mg(text, "simvastatin") == pytest.approx(mg_a_day)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("cystic fibrosis", "cystic fibrosis"),
        ("exocrine pancreatic insufficiency", "chronic pancreatitis"),
        ("hepatorenal syndrome", "hepatorenal syndrome"),
        ("HELLP syndrome", "pregnancy"),
    ],
)
def test_conditions_met_in_review_21_are_recognized(
    checker: Checker, text: str, concept: str
) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].concept == concept
