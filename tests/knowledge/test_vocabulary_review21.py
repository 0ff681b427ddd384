"""Vocabulary review 21: inputs met in TB, liver, obstetric, bowel, cystic fibrosis, ALS and
Parkinson's lists that were "Could not check", misread, or offered unrelated names, through
the real engine."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


def test_cycloserine_is_not_read_as_cyclosporine(checker: Checker) -> None:
    # Two letters from cyclosporine, it was spelling-corrected into it and gave a high
    # "contraindicated: simvastatin with cyclosporine" card (review 21 A1).
    report = checker(
        medications=[{"text": "cycloserine 250 mg BID"}, {"text": "simvastatin 20 mg qhs"}]
    )
    cycloserine = report.medications[0]
    assert cycloserine.status == "recognized"
    assert list(cycloserine.concepts) == ["cycloserine"]
    assert cycloserine.match != "spelling"
    assert cycloserine.reason and "cyclosporine" in cycloserine.reason
    assert report.risk == "low"
    assert all(f.severity != "high" for f in report.findings)
    assert not any("cyclosporine" in f.title for f in report.findings)


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("pretomanid 200 mg daily", ["pretomanid"]),
        ("ethionamide 250 mg BID", ["ethionamide"]),
        ("Trecator 250 mg", ["ethionamide"]),
        ("aminosalicylic acid 4 g TID", ["aminosalicylic acid"]),
        ("Paser 4 g TID", ["aminosalicylic acid"]),
        ("Ocaliva 5 mg daily", ["obeticholic acid"]),
        ("obeticholic acid 5 mg daily", ["obeticholic acid"]),
        ("terlipressin 0.85 mg IV q6h", ["terlipressin"]),
        ("Terlivaz 0.85 mg IV q6h", ["terlipressin"]),
        ("PEG 3350 17 g daily", ["polyethylene glycol"]),
        ("oxytocin 10 units IM", ["oxytocin"]),
        ("Pitocin per protocol", ["oxytocin"]),
        ("Gattex 5 mg SC daily", ["teduglutide"]),
        ("teduglutide 5 mg SC daily", ["teduglutide"]),
        ("tincture of opium 10 drops QID", ["morphine"]),
        ("Trikafta 2 tabs qam", ["elexacaftor", "tezacaftor", "ivacaftor"]),
        ("elexacaftor/tezacaftor/ivacaftor", ["elexacaftor", "tezacaftor", "ivacaftor"]),
        ("Kalydeco 150 mg q12h", ["ivacaftor"]),
        ("Pulmozyme 2.5 mg neb daily", ["dornase alfa"]),
        ("Qalsody 100 mg intrathecal", ["tofersen"]),
        ("tofersen 100 mg intrathecal", ["tofersen"]),
        ("Northera 100 mg TID", ["droxidopa"]),
        ("droxidopa 100 mg TID", ["droxidopa"]),
        ("Nuplazid 34 mg daily", ["pimavanserin"]),
    ],
)
def test_a_medication_is_recognized_not_flagged(
    checker: Checker, text: str, concepts: list[str]
) -> None:
    report = checker.med(text)
    status = report.medications[0]
    assert status.status == "recognized"
    assert list(status.concepts) == concepts
    assert report.findings == []


def test_capreomycin_joins_its_low_potassium_magnesium_and_calcium(checker: Checker) -> None:
    # Renal K/Mg/Ca wasting (UK SmPC; Holmes 1970; Shin 2004), in a class of its own: it is
    # not called an aminoglycoside.
    report = checker(
        medications=[{"text": "capreomycin 1 g IM daily"}],
        labs=[
            {"text": "potassium", "value": 3.0, "unit": "mmol/L"},
            {"text": "magnesium", "value": 1.3, "unit": "mg/dL"},
            {"text": "calcium", "value": 7.6, "unit": "mg/dL"},
        ],
    )
    assert report.medications[0].status == "flagged"
    assert report.risk == "moderate"
    joined = [f for f in report.findings if f.kind == "combination"]
    assert joined and all("capreomycin" in f.title for f in joined)
    assert not any("aminoglycoside" in f.title for f in report.findings)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Gitelman's", "Gitelman syndrome"),
        ("Gitelmans", "Gitelman syndrome"),
        ("microscopic colitis", "diarrhea"),
        ("collagenous colitis", "diarrhea"),
        ("lymphocytic colitis", "diarrhea"),
        ("hungry bone syndrome", "hypocalcemia"),
        ("AUD", "alcohol use disorder"),
        ("delirium tremens", "alcohol use disorder"),
        ("alcoholic ketoacidosis", "alcohol use disorder"),
    ],
)
def test_a_condition_is_read_as_the_contributor_it_names(
    checker: Checker, text: str, name: str
) -> None:
    status = checker.cond(text).conditions[0]
    assert status.status == "flagged"
    assert list(status.concepts) == [name]


def test_growing_pains_is_recognized_not_a_contributor(checker: Checker) -> None:
    report = checker.cond("growing pains")
    assert report.conditions[0].status == "recognized"
    assert report.findings == []
    assert report.risk == "none"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ALT", "alanine aminotransferase (ALT)"),
        ("AST", "aspartate aminotransferase (AST)"),
        ("total bilirubin", "bilirubin"),
        ("ammonia", "ammonia"),
        ("INR", "prothrombin time / INR"),
        ("GGT", "gamma-glutamyl transferase (GGT)"),
        ("myoglobin", "myoglobin"),
        ("aldolase", "aldolase"),
        ("ethanol level", "ethanol (blood alcohol)"),
    ],
)
def test_a_lab_test_is_recognized_not_checked(checker: Checker, text: str, name: str) -> None:
    report = checker(labs=[{"text": text, "value": 40.0, "unit": "U/L"}])
    status = report.labs[0]
    assert status.status == "recognized"
    assert list(status.concepts) == [name]
    assert status.reason and status.reason.startswith("not checked for cramp risk here")
    assert "Could not check" not in report.note


def test_an_inhaled_route_word_wins_over_caps(checker: Checker) -> None:
    # Capsules of powder for inhalation (review 21 C2): "caps" no longer makes it oral.
    status = checker.med("TOBI Podhaler 4 caps inhaled BID").medications[0]
    assert status.reason == "tobramycin by the inhaled route is not a systemic aminoglycoside"
    # A capsule with no route word is still oral.
    oral = checker.med("omeprazole 20 mg 1 cap daily").medications[0]
    assert oral.status == "flagged"


@pytest.mark.parametrize(
    ("text", "unrelated"),
    [
        ("Legatrin PM 1 tab qhs", {"norethindrone + ethinyl estradiol"}),
        ("parenteral nutrition", {"prenatal vitamins", "dextroamphetamine"}),
        ("alpha-lipoic acid 600 mg", {"licorice"}),
        ("oxytocinase", {"oxycodone", "oxymetazoline"}),
    ],
)
def test_medication_suggestions_are_only_possible_typos(
    checker: Checker, text: str, unrelated: set[str]
) -> None:
    # "Did you mean" offers names the text could be a typo of, as for conditions, not names
    # that merely share letters (review 21 C3).
    status = checker.med(text).medications[0]
    assert not unrelated & set(status.suggestions)


def test_a_real_misspelling_is_still_suggested(checker: Checker) -> None:
    status = checker.med("furosmdde 5 mg").medications[0]
    assert status.status == "unrecognized"
    assert "furosemide" in status.suggestions
