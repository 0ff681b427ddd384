"""Round 32 conditions: cramp- and spasm-relevant diagnoses that were unread before.

CPT2 deficiency (a metabolic myopathy like McArdle disease), tetanus and hyperventilation
flag (low alone); myotonia congenita, mitochondrial myopathy, lymphedema and Paget disease
of bone are recognized but not flagged. A tetanus vaccination is not tetanus, and "DM1" /
"DM2" next to "myotonic dystrophy" name its type, not diabetes. Codes are ICD-10-CM FY2026
(simple-icd-10-cm 1.5.0); sources are in datasets/conditions/sources.toml."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def _icd(code: str) -> list[dict[str, str]]:
    return [{"system": ICD, "code": code}]


@pytest.mark.parametrize(
    ("text", "code", "concept"),
    [
        ("CPT2 deficiency", "E71.314", "cpt2_deficiency"),
        ("carnitine palmitoyltransferase II deficiency", None, "cpt2_deficiency"),
        ("CPT II deficiency", None, "cpt2_deficiency"),
        ("generalized tetanus", "A35", "tetanus"),
        ("lockjaw", None, "tetanus"),
        ("hyperventilation syndrome", "R06.4", "hyperventilation"),
    ],
)
def test_new_contributors_flag_low_alone(
    checker: Checker, text: str, code: str | None, concept: str
) -> None:
    inputs = [{"text": text}] + ([{"coding": _icd(code)}] if code else [])
    for item in inputs:
        report = checker(patient={"age": 45, "sex": "female"}, conditions=[item])
        assert report.risk == "low", item
        assert [f.id for f in report.findings] == [f"condition/{concept}"], item
        assert report.conditions[0].status == "flagged"


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("myotonia congenita", "G71.12", "myotonia congenita (Thomsen or Becker)"),
        ("Thomsen disease", None, "myotonia congenita (Thomsen or Becker)"),
        ("mitochondrial myopathy", "G71.3", "mitochondrial myopathy or mitochondrial disease"),
        ("MELAS", "E88.41", "mitochondrial myopathy or mitochondrial disease"),
        ("lymphedema of legs", "I89.0", "lymphedema"),
        ("postmastectomy lymphedema", "I97.2", "lymphedema"),
        ("Paget's disease of bone", "M88.9", "Paget disease of bone (osteitis deformans)"),
        ("osteitis deformans", None, "Paget disease of bone (osteitis deformans)"),
        ("tetanus booster", "Z23", None),
        ("Tdap vaccine", None, None),
    ],
)
def test_recognized_not_flagged(
    checker: Checker, text: str, code: str | None, name: str | None
) -> None:
    inputs = [{"text": text}] + ([{"coding": _icd(code)}] if code else [])
    for item in inputs:
        report = checker(patient={"age": 45, "sex": "female"}, conditions=[item])
        assert report.risk == "none", item
        assert report.findings == [], item
        status = report.conditions[0]
        assert status.status == "recognized", item
        if name is not None:
            assert status.concepts == [name]


@pytest.mark.parametrize(
    "text",
    [
        "myotonic dystrophy type 1 (DM1)",
        "DM1 myotonic dystrophy",
        "DM2 (myotonic dystrophy type 2)",
        "myotonic dystrophy DM2",
    ],
)
def test_dm1_next_to_myotonic_dystrophy_is_not_diabetes(checker: Checker, text: str) -> None:
    status = checker.status("conditions", text)
    assert status.status == "recognized"
    assert status.concepts == ["myotonic dystrophy"]


def test_dm1_alone_is_still_diabetes(checker: Checker) -> None:
    report = checker.cond("DM1")
    assert [f.id for f in report.findings] == ["condition/diabetes"]


def test_history_of_tetanus_is_not_current(checker: Checker) -> None:
    report = checker.cond("history of tetanus")
    assert report.risk == "none"
    assert report.findings == []


def test_hyperventilation_with_respiratory_alkalosis_is_one_finding(checker: Checker) -> None:
    report = checker.cond("hyperventilation with respiratory alkalosis")
    assert report.risk == "low"
    assert [f.id for f in report.findings] == ["condition/alkalosis"]


@pytest.mark.parametrize("text", ["Paget disease", "RTA", "renal tubular acidosis"])
def test_ambiguous_names_stay_unread(checker: Checker, text: str) -> None:
    assert checker.status("conditions", text).status == "unrecognized"
