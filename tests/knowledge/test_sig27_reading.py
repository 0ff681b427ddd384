"""Signal review 27: a condition term with one word misspelled is read as that term, not as
the shorter term it contains, and a total calcium in the normal mmol/L range sent as mg/dL is
an entry error.

- "autonomc neuropathy" named peripheral neuropathy, a contributor, through the word
  "neuropathy" (`match` "name"): autonomic neuropathy is recognized and not a contributor;
  "periferal neuropathy" was read silently. Both are now read by their spelling, with
  ``read_as`` (docs/clinical-policy.md: a condition text of several words is read as a known
  term of as many words with one word misspelled; a correction is never silent).
- A total calcium of 2.3 "mg/dL" is 2.3 mmol/L (9.2 mg/dL, normal) with the wrong unit; read
  as mg/dL it was a severe hypocalcemia (`high`). The lowest total calcium found reported in a
  survivor is 3.5 mg/dL (Bansal 2014, PMID 24840807), so the plausible floor is 3.0 mg/dL.
"""

from __future__ import annotations

import pytest

from service.engine.errors import ImplausibleValueError
from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concept", "flagged"),
    [
        ("autonomc neuropathy", "autonomic neuropathy", False),
        ("periferal neuropathy", "peripheral neuropathy", True),
    ],
)
def test_a_misspelled_term_is_not_the_shorter_term_inside_it(
    checker: Checker, text: str, concept: str, flagged: bool
) -> None:
    report = checker.cond(text)
    status = report.conditions[0]
    assert status.concept == concept
    assert status.match == "spelling"
    assert (status.status == "flagged") is flagged


def test_the_words_beside_the_misspelled_term_are_still_read(checker: Checker) -> None:
    report = checker.cond("type 2 diabetes with periferal neuropathy")
    assert report.conditions[0].match == "spelling"
    ids = {i.list for f in report.findings for i in f.inputs}
    assert ids == {"conditions"}
    assert {f.id for f in report.findings} >= {
        "condition/diabetes",
        "condition/peripheral_neuropathy",
    }


def test_an_unknown_word_beside_a_term_that_misspells_nothing_keeps_the_term(
    checker: Checker,
) -> None:
    status = checker.cond("chemo neuropathy").conditions[0]
    assert (status.concept, status.match, status.status) == (
        "peripheral neuropathy",
        "name",
        "flagged",
    )


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # a short unknown word is too often another word: not "pregnancy loss"
        ("third trimester pregnancy less than 36 weeks", "pregnancy"),
        # two unknown words name something not known: the misspelling is not guessed
        ("diabetic neuropathic arthropathy", "diabetes mellitus"),
    ],
)
def test_no_term_is_guessed_around_a_short_or_second_unknown_word(
    checker: Checker, text: str, concept: str
) -> None:
    status = checker.cond(text).conditions[0]
    assert status.concept == concept
    assert status.match == "name"


@pytest.mark.parametrize("value", [2.3, 2.0, 2.9])
def test_a_normal_mmol_calcium_sent_as_mg_dl_is_an_entry_error(
    checker: Checker, value: float
) -> None:
    with pytest.raises(ImplausibleValueError) as raised:
        checker(
            labs=[
                {
                    "coding": [{"system": "loinc", "code": "17861-6"}],
                    "value": value,
                    "unit": "mg/dL",
                }
            ]
        )
    assert raised.value.problems[0][0] == "/labs/0/value"


def test_a_survived_severe_hypocalcemia_is_still_read(checker: Checker) -> None:
    report = checker(
        labs=[{"coding": [{"system": "loinc", "code": "17861-6"}], "value": 3.5, "unit": "mg/dL"}]
    )
    assert report.risk == "high"


@pytest.mark.parametrize(
    ("text", "drug", "flagged"),
    [
        # a potassium binder: a potassium-lowering drug, missed when misspelled
        ("sodium polystyrene sulfonat 15 g daily", "sodium polystyrene sulfonate", True),
        # read silently as potassium chloride (by the word "potassium") before
        ("potassium citrat 10 mEq bid", "potassium citrate", False),
        # read silently as "insulin" before
        ("insulin asprt 5 units with meals", "insulin aspart", True),
    ],
)
def test_a_drug_name_of_several_words_with_one_misspelled_is_read_whole(
    checker: Checker, text: str, drug: str, flagged: bool
) -> None:
    status = checker.med(text).medications[0]
    assert status.concept == drug
    assert status.match == "spelling"
    assert (status.status == "flagged") is flagged


def test_two_unknown_words_are_not_guessed_into_a_drug_name(checker: Checker) -> None:
    status = checker.med("sodium polystyren sulfonat").medications[0]
    assert status.status == "unrecognized"
