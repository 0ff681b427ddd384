"""Statin interaction partners that are not drugs of a statin rule's usual lists: letermovir
(PREVYMIS), systemic fusidic acid (MHRA) and grapefruit juice, as the engine renders them.
Each is recognized on its own and joins a statin only where its source says so."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations


@pytest.mark.parametrize(
    ("statin", "partner", "fired"),
    [
        (
            "atorvastatin 40 mg",
            "letermovir 480 mg daily",
            "atorvastatin_above_20_mg_with_letermovir",
        ),
        ("atorvastatin 20 mg", "Prevymis 480 mg daily", None),
        (
            "pitavastatin 2 mg",
            "Prevymis 480 mg daily",
            "simvastatin_or_pitavastatin_with_letermovir",
        ),
        ("simvastatin 20 mg", "letermovir 480 mg", "simvastatin_or_pitavastatin_with_letermovir"),
        ("pravastatin 40 mg", "letermovir 480 mg", None),
        ("rosuvastatin 10 mg", "fusidic acid 500 mg TID", "statin_with_systemic_fusidic_acid"),
        (
            "atorvastatin 20 mg",
            "sodium fusidate 250 mg tablets",
            "statin_with_systemic_fusidic_acid",
        ),
        ("simvastatin 40 mg", "Fucidin cream BID", None),
        ("simvastatin 40 mg", "fusidic acid 2% cream", None),
        (
            "simvastatin 40 mg",
            "grapefruit juice daily",
            "simvastatin_or_lovastatin_with_grapefruit_juice",
        ),
        ("lovastatin 20 mg", "grapefruit juice", "simvastatin_or_lovastatin_with_grapefruit_juice"),
        ("rosuvastatin 10 mg", "grapefruit juice", None),
    ],
)
def test_statin_with_a_partner(
    checker: Checker, statin: str, partner: str, fired: str | None
) -> None:
    report = checker(medications=[{"text": statin}, {"text": partner}])
    assert shown_combinations(report) == ([f"combination/{fired}"] if fired else [])
    assert report.medications[1].status == ("flagged" if fired else "recognized")


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Prevymis 240 mg daily", "letermovir"),
        ("fusidic acid 500 mg TID", "fusidic acid"),
        ("Fucidin cream", "fusidic acid"),
        ("grapefruit juice", "grapefruit juice"),
    ],
)
def test_a_partner_alone_is_recognized_only(checker: Checker, text: str, concept: str) -> None:
    report = checker(medications=[{"text": text}])
    assert (report.medications[0].status, report.medications[0].concept) == (
        "recognized",
        concept,
    )
    assert report.findings == []


def test_systemic_fusidic_acid_with_a_statin_is_high(checker: Checker) -> None:
    report = checker(medications=[{"text": "atorvastatin 40 mg"}, {"text": "Fucidin 500 mg TDS"}])
    found = next(f for f in report.findings if f.kind == "combination")
    assert (found.severity, found.basis, report.risk) == ("high", "contraindicated", "high")
    assert "7 days" in found.management[0]


def test_grapefruit_juice_with_simvastatin_stays_low(checker: Checker) -> None:
    report = checker(medications=[{"text": "simvastatin 40 mg"}, {"text": "grapefruit juice"}])
    assert report.risk == "low"


def test_simvastatin_with_letermovir_and_cyclosporine_is_one_contraindication(
    checker: Checker,
) -> None:
    """The letermovir label contraindicates simvastatin and pitavastatin only when cyclosporine
    is given too; the one finding joins all three (the statin-cyclosporine pair and the
    letermovir pair are not shown twice)."""
    for statin in ("simvastatin 20 mg", "pitavastatin 2 mg"):
        report = checker(
            medications=[
                {"text": statin},
                {"text": "letermovir 240 mg daily"},
                {"text": "cyclosporine 100 mg BID"},
            ]
        )
        assert shown_combinations(report) == [
            "combination/simvastatin_or_pitavastatin_with_letermovir_and_cyclosporine"
        ]
        found = next(f for f in report.findings if f.kind == "combination")
        assert {i.index for i in found.inputs} == {0, 1, 2}
        assert report.risk == "high"


def test_simvastatin_with_cyclosporine_alone_is_still_contraindicated(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "simvastatin 20 mg"}, {"text": "cyclosporine 100 mg BID"}]
    )
    assert shown_combinations(report) == [
        "combination/simvastatin_with_gemfibrozil_cyclosporine_or_danazol"
    ]
