"""A combination names a corrected result by the value its rule read (calcium corrected for
albumin), as the lab's own finding does (pharmacist review 10, item 12): with cinacalcet
the label acts on the corrected calcium, so "calcium 8.0" beside "8.4 corrected" misled."""

from __future__ import annotations

from tests.conftest import Checker


def test_the_combination_title_shows_the_corrected_calcium(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "cinacalcet 60 mg daily"}],
        labs=[
            {"text": "calcium", "value": 8.0, "unit": "mg/dL"},
            {"text": "albumin", "value": 3.5, "unit": "g/dL"},
        ],
    )
    combo = next(f for f in report.findings if f.kind == "combination")
    assert combo.title.endswith("(cinacalcet, calcium (total) 8.4 mg/dL corrected for albumin)")
    lab = next(f for f in report.findings if f.kind == "lab")
    assert "8.4 mg/dL corrected for albumin (measured 8.0 mg/dL)" in lab.title


def test_an_uncorrected_calcium_is_named_as_measured(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "cinacalcet 60 mg daily"}],
        labs=[{"text": "calcium", "value": 8.0, "unit": "mg/dL"}],
    )
    combo = next(f for f in report.findings if f.kind == "combination")
    assert combo.title.endswith("(cinacalcet, calcium (total) 8.0 mg/dL)")
