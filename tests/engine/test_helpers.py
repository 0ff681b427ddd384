"""The small pieces of the engine on their own: slot filling, lab bands, doses, absorption."""

from __future__ import annotations

import msgspec
import pytest

from service.engine.check import absorb
from service.engine.combinations import daily_mg, distinct_fill
from service.engine.findings import bands_for
from service.engine.models import Finding, InputRef, Patient
from service.knowledge.base import KnowledgeBase


def test_distinct_fill_needs_a_different_input_per_slot() -> None:
    a, b, c = (0, 0), (0, 1), (2, 0)
    assert distinct_fill([[a], [b]])
    assert not distinct_fill([[a], [a]])
    assert distinct_fill([[a, b], [a]])  # b fills the first slot, a the second
    assert distinct_fill([[a, b], [a, b], [c]])
    assert not distinct_fill([[a, b], [a, b], [a, b]])  # three slots, two inputs


def test_daily_dose_is_read_from_the_strength_and_frequency() -> None:
    assert daily_mg("simvastatin 40 mg qhs") == 40
    assert daily_mg("simvastatin 20 mg bid") == 40
    assert daily_mg("Simvastatin 20 MG Oral Tablet") == 20
    assert daily_mg("simvastatin") is None
    assert daily_mg(None) is None


@pytest.mark.parametrize(
    ("text", "dose"),
    [
        ("simvastatin 20 mg, take 2 tablets at bedtime", 40),
        ("simvastatin 40 mg 1/2 tab", 20),
        ("simvastatin 20 mg 2 tabs bid", 80),
        ("colchicine 0.6 mg one tablet twice a day", 1.2),
        ("simvastatin 10 mg tablet, 1 tablet daily", 10),
        # A product's strengths: the one after this drug's name.
        ("ezetimibe 10 MG / simvastatin 40 MG Oral Tablet", 40),
        # A strength without its unit right after the name.
        ("Zocor 80", 80),
        ("Lipitor 40 1 tab daily", 40),
        # Not a strength in mg: a ratio, or another unit.
        ("Vytorin 10/40", None),
        ("Humalog 10 units", None),
        # A count or a duration after the name is not a strength.
        ("simvastatin 1 tab BID", None),
        ("Zocor 2 tablets at bedtime", None),
        ("cortisone 1 tab BID", None),
        # Grams, and frequencies written with dots.
        ("niacin ER 2 g nightly", 2000),
        ("niacin 500 mg b.i.d.", 1000),
        # A strength per body weight or surface is not a daily dose (review 11).
        ("prednisolone 2 mg/kg daily", None),
        ("hydrocortisone 2 mg / kg q6h IV", None),
        ("cisplatin 75 mg/m2 IV", None),
        ("dexamethasone 10 mg per m\u00b2", None),
        # A frequency per week or every other day, not a duration (review 13).
        ("colchicine 0.3 mg twice a week", pytest.approx(0.6 / 7)),
        ("simvastatin 80 mg every other day", 40),
        ("simvastatin 40 mg daily x 2 weeks", 40),
    ],
)
def test_daily_dose_counts_tablets_and_finds_the_drugs_own_strength(
    text: str, dose: float | None
) -> None:
    drug = "colchicine" if "colchicine" in text else "simvastatin"
    assert daily_mg(text, drug) == dose


def test_sex_and_pregnancy_bands_replace_the_general_band(kb: KnowledgeBase) -> None:
    hemoglobin = kb.analytes["hemoglobin"]

    def low_limit(patient: Patient | None) -> float | None:
        return next(b.below for b in bands_for(hemoglobin, patient) if b.name == "low")

    assert low_limit(None) == 12.0
    assert low_limit(Patient(sex="male")) == 13.0
    assert low_limit(Patient(sex="female")) == 12.0
    assert low_limit(Patient(sex="female", pregnant=True)) == 11.0
    ck = kb.analytes["ck"]
    assert {b.above for b in bands_for(ck, Patient(sex="female")) if b.name == "high"} == {192}
    assert {b.above for b in bands_for(ck, None) if b.name == "high"} == {308}


def _finding(ident: str, kind: str, severity: str, *refs: tuple[str, int]) -> Finding:
    return msgspec.convert(
        {
            "id": ident,
            "kind": kind,
            "severity": severity,
            "title": ident,
            "detail": "",
            "monitoring": [],
            "management": [],
            "evidence": [],
            "inputs": [{"list": lst, "index": i} for lst, i in refs],
            "evidence_level": "expert_consensus",
            "evidence_grade": "C",
            "basis": "second_factor" if kind == "combination" else "single_contributor",
        },
        Finding,
    )


def test_a_combination_absorbs_what_it_joins_and_nothing_more_severe() -> None:
    drug = _finding("medication/a", "medication", "low", ("medications", 0))
    other = _finding("medication/b", "medication", "low", ("medications", 1))
    lab = _finding("lab/k/low", "lab", "high", ("labs", 0))
    pair = _finding("combination/p", "combination", "moderate", ("medications", 0), ("labs", 0))
    out = {f.id: f.absorbed_by for f in absorb([pair, drug, other, lab])}
    assert out == {
        "combination/p": None,
        "medication/a": "combination/p",
        "medication/b": None,  # not joined
        "lab/k/low": None,  # more severe than the combination: a problem of its own
    }
    assert InputRef("labs", 0) in pair.inputs


# A count written before the strength it multiplies (review56 D5). "2 x" right before a
# strength is the dose's count ("2x20mg" read as two 20 mg tablets, or as 20 mg twice a
# day: 40 mg either way); a frequency or a course written elsewhere is not ("2 x daily"
# after the strength is the frequency, "x 2 weeks" a course, "x2 doses" a course of two
# doses: one dose a day, as before); a count after the strength is the dose's own.
@pytest.mark.parametrize(
    ("text", "dose"),
    [
        ("simvastatin 2x20mg", 40),
        ("simvastatin 2 x 10 mg", 20),
        ("simvastatin 2 \u00d7 20 mg daily", 40),
        ("simvastatin two 20 mg tablets daily", 40),
        ("simvastatin take 2 20 mg tabs qhs", 40),
        ("colchicine 2 x 0.6 mg bid", 2.4),
        ("simvastatin 1x20mg", 20),
        # Already read: a count after the strength, and not read twice with one before.
        ("simvastatin 20 mg x 2 tabs", 40),
        ("simvastatin 2 x 20 mg, take 2 tabs", 40),
        # Not multiplied: frequency, course, quantity, a count without a tablet word.
        ("simvastatin 20 mg 2 x daily", 40),
        ("simvastatin 20 mg x 2 weeks", 20),
        ("simvastatin 20 mg x2 doses", 20),
        ("simvastatin 2 x daily 20 mg", 20),
        ("simvastatin 30 x 20 mg tablets", 20),
        ("simvastatin two 20 mg", 20),
        ("simvastatin 2 20 mg tablets", 20),
    ],
)
def test_a_count_written_before_the_strength_multiplies_it(text: str, dose: float) -> None:
    drug = "colchicine" if "colchicine" in text else "simvastatin"
    assert daily_mg(text, drug) == pytest.approx(dose)
