"""The "did you mean" of an unrecognized condition: names the text could be a typo of, or
the types of a condition named without its type; never a known name that merely shares
many letters with an unrelated term ("spina bifida" is not a sprain, "myelopathy" is not
myeloma)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    "text",
    [
        "spina bifida",
        "myelopathy",
        "acute psychosis",
        "hypertensive retinopathy of the left eye with features",
        "chronic",
    ],
)
def test_an_unrelated_term_gets_no_suggestion(checker: Checker, text: str) -> None:
    read = checker(conditions=[{"text": text}]).conditions[0]
    assert read.status in ("unrecognized", "recognized")
    assert read.suggestions == []


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("diabtis", "diabetes mellitus"),
        ("siatca", "sciatica or lumbosacral radiculopathy"),
        ("perpheral neuropthy", "peripheral neuropathy"),
        ("multipel sclerosis", "multiple sclerosis"),
        ("parkinsns disese", "Parkinson disease"),
        ("cirosis of livr", "cirrhosis of the liver"),
    ],
)
def test_a_misspelling_too_far_to_read_is_suggested(
    checker: Checker, text: str, suggested: str
) -> None:
    read = checker(conditions=[{"text": text}]).conditions[0]
    assert read.status == "unrecognized"
    assert read.suggestions[0] == suggested


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("hypokalaemia", "hypokalemia"),
        ("hypokalemai", "hypokalemia"),
        ("sciatia", "sciatica or lumbosacral radiculopathy"),
        ("diabetis", "diabetes mellitus"),
        ("hypothyriodism", "hypothyroidism"),
    ],
)
def test_a_near_misspelling_is_still_read(checker: Checker, text: str, read_as: str) -> None:
    read = checker(conditions=[{"text": text}]).conditions[0]
    assert read.status == "flagged"
    assert read.concept == read_as


def test_a_condition_without_its_type_suggests_the_types(checker: Checker) -> None:
    read = checker(conditions=[{"text": "renal tubular acidosis"}]).conditions[0]
    assert read.status == "unrecognized"
    assert set(read.suggestions) == {
        "distal or proximal renal tubular acidosis (hypokalemic)",
        "type 4 (hyperkalemic) renal tubular acidosis",
    }


def test_the_note_offers_no_nonsense(checker: Checker) -> None:
    report = checker(conditions=[{"text": "spina bifida"}, {"text": "siatca"}])
    assert "sprain" not in report.note
    assert "did you mean sciatica" in report.note
