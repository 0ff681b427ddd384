"""Vocabulary review 11: inputs that were "Could not check" (or read as part of what they
name) are recognized as the intended concept, through the real engine."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Unasyn 3 g IV q6h", ["ampicillin", "sulbactam"]),
        ("E-Mycin 250 mg", ["erythromycin"]),
        ("CsA 100 mg bid", ["cyclosporine"]),
        ("FK506 2 mg bid", ["tacrolimus"]),
        ("pentoxifylline 400 mg tid", ["pentoxifylline"]),
        ("Natpara", ["parathyroid hormone"]),
        ("Yorvipath", ["palopegteriparatide"]),
        ("palopegteriparatide", ["palopegteriparatide"]),
        ("Hypericum perforatum", ["Hypericum perforatum"]),
        ("Symfi", ["efavirenz", "lamivudine", "tenofovir disoproxil"]),
        ("cidofovir", ["cidofovir"]),
        ("Firdapse", ["amifampridine"]),
        ("amifampridine", ["amifampridine"]),
        ("chloroquine phosphate 500 mg", ["chloroquine"]),
        ("penicillamine", ["penicillamine"]),
        ("Mylanta 30 mL", ["calcium carbonate", "magnesium hydroxide", "simethicone"]),
        ("MgOx 400 mg", ["magnesium oxide"]),
        ("MgSO4 2 g IV", ["magnesium sulfate"]),
        ("KDur 20 meq", ["potassium chloride"]),
        ("milk of magnesia", ["magnesium hydroxide"]),
    ],
)
def test_a_medication_is_recognized_as_its_concept(
    checker: Checker, text: str, concepts: list[str]
) -> None:
    status = checker.med(text).medications[0]
    assert status.status in ("recognized", "flagged")
    assert list(status.concepts) == concepts


@pytest.mark.parametrize(
    ("abbreviation", "name"),
    [("CsA 100 mg bid", "cyclosporine 100 mg bid"), ("FK506 2 mg bid", "tacrolimus 2 mg bid")],
)
def test_an_abbreviation_is_flagged_as_its_drug_is(
    checker: Checker, abbreviation: str, name: str
) -> None:
    by_abbreviation = checker.med(abbreviation)
    by_name = checker.med(name)
    assert [f.id for f in by_abbreviation.findings] == [f.id for f in by_name.findings]


def test_e_mycin_keeps_erythromycins_interaction(checker: Checker) -> None:
    """E-Mycin is the erythromycin concept, so its CYP3A4 interaction with simvastatin is
    the one erythromycin has."""
    brand = checker(medications=[{"text": "E-Mycin 250 mg"}, {"text": "simvastatin 40 mg"}])
    generic = checker(medications=[{"text": "erythromycin 250 mg"}, {"text": "simvastatin 40 mg"}])
    assert [f.id for f in brand.findings] == [f.id for f in generic.findings]
    assert any(f.id.startswith("combination/") for f in generic.findings)


@pytest.mark.parametrize(
    ("text", "concept", "status"),
    [
        # Diarrhea defines them: read as the diarrhea contributor.
        ("gastroenteritis", "diarrhea", "flagged"),
        ("C diff colitis", "diarrhea", "flagged"),
        ("Clostridioides difficile colitis", "diarrhea", "flagged"),
        ("heat exhaustion", "dehydration", "flagged"),
        ("HHS", "diabetes mellitus", "flagged"),
        ("hyperosmolar hyperglycemic state", "diabetes mellitus", "flagged"),
        ("ileostomy", "ileostomy", "recognized"),
        ("periodic limb movement disorder", "periodic limb movement disorder", "recognized"),
        ("tardive dyskinesia", "tardive dyskinesia", "recognized"),
        ("cor pulmonale", "cor pulmonale", "recognized"),
        ("cryptococcal meningitis", "cryptococcal meningitis", "recognized"),
    ],
)
def test_a_condition_is_recognized_as_its_concept(
    checker: Checker, text: str, concept: str, status: str
) -> None:
    found = checker.cond(text).conditions[0]
    assert (found.status, found.concept) == (status, concept)


def test_a_past_c_diff_colitis_is_not_current_diarrhea(checker: Checker) -> None:
    report = checker.cond("h/o C diff colitis")
    assert report.findings == []


def test_bare_gravida_para_is_still_not_a_current_pregnancy(checker: Checker) -> None:
    report = checker.cond("gravida 2 para 1")
    assert report.conditions[0].concept != "pregnancy"
    assert report.findings == []
