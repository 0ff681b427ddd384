"""Inputs pharmacist review 11 found unread or misread: phosphate and PTH results (asked
for by the service's own checks), "HypoCa", "relapsing MS", "s/p renal tx", and viral
myositis, which is not polymyositis; and the quinine warning's wording."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("phosphorus", "phosphate (phosphorus)"),
        ("Phos", "phosphate (phosphorus)"),
        ("PO4", "phosphate (phosphorus)"),
        ("PTH", "parathyroid hormone (PTH)"),
        ("intact PTH", "parathyroid hormone (PTH)"),
    ],
)
def test_phosphate_and_pth_are_known_labs_not_checked(
    checker: Checker, text: str, concept: str
) -> None:
    report = checker(labs=[{"text": text, "value": 6.8, "unit": "mg/dL"}])
    assert (report.labs[0].status, report.labs[0].concept) == ("recognized", concept)
    assert "Could not check" not in report.note


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("HypoCa", "hypocalcemia"),
        ("relapsing MS", "multiple sclerosis"),
        ("s/p renal tx", "solid organ transplant recipient"),
        ("viral myositis", "acute viral myositis (benign acute childhood myositis)"),
        ("influenza myositis", "acute viral myositis (benign acute childhood myositis)"),
        ("myositis", "inflammatory myopathy (polymyositis or dermatomyositis)"),
    ],
)
def test_problem_list_terms(checker: Checker, text: str, concept: str) -> None:
    report = checker.cond(text)
    assert report.conditions[0].concept == concept


def test_the_quinine_warning_asserts_no_indication_the_text_does_not_give(
    checker: Checker,
) -> None:
    report = checker.med("quinine 324 mg tid x 7 days")
    finding = next(f for f in report.findings if f.basis == "treatment_safety")
    assert finding.title == "Quinine: FDA boxed warning against its use for leg cramps"
    assert "modest benefit" not in finding.detail
    assert "outweigh any potential benefit" in finding.detail


@pytest.mark.parametrize(
    ("condition", "joins"),
    [
        ("s/p Roux-en-Y gastric bypass", True),
        ("vitamin D deficiency", True),
        ("sleeve gastrectomy", False),  # not malabsorptive: the low calcium stays its own line
    ],
)
def test_a_low_calcium_joins_gastric_bypass_and_vitamin_d_deficiency(
    checker: Checker, condition: str, joins: bool
) -> None:
    report = checker(
        conditions=[{"text": condition}],
        labs=[{"text": "calcium", "value": 7.8, "unit": "mg/dL"}],
    )
    joined = [f.id for f in report.findings if f.id == "combination/condition_with_low_calcium"]
    assert joined == (["combination/condition_with_low_calcium"] if joins else [])


@pytest.mark.parametrize(
    "cause", ["multiple sclerosis", "spinal cord injury", "cerebral palsy", "spastic hemiplegia"]
)
def test_spasticity_beside_its_cause_is_that_cause(checker: Checker, cause: str) -> None:
    report = checker(conditions=[{"text": cause}, {"text": "spasticity"}])
    shown = [f for f in report.findings if not f.absorbed_by]
    assert len(shown) == 1
    assert {(ref.list, ref.index) for ref in shown[0].inputs} == {
        ("conditions", 0),
        ("conditions", 1),
    }
