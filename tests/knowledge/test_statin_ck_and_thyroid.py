"""A raised CK on a statin with hypothyroidism or a raised TSH is one problem, and no check
asks for a TSH the request already carries (pharmacist review 10, item 6; EAS 2015: a
raised CK on a statin is read with thyroid function)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

JOINT = "combination/statin_with_raised_ck_and_hypothyroidism"
CK_ALONE = "combination/statin_with_raised_ck"
THYROID_ALONE = "combination/statin_with_hypothyroidism"


def _problem_lines(note: str) -> list[str]:
    return [line for line in note.splitlines() if line.startswith("- ")]


def test_a_raised_ck_and_a_raised_tsh_on_a_statin_are_one_problem(checker: Checker) -> None:
    report = checker(
        patient={"sex": "female"},
        medications=[{"text": "atorvastatin 40 mg qhs"}, {"text": "levothyroxine 50 mcg"}],
        conditions=[{"text": "hypothyroidism"}, {"text": "myalgia"}],
        labs=[result("CK", 650, "U/L"), result("TSH", 7.8, "mIU/L")],
    )
    assert shown_combinations(report) == [JOINT]
    assert report.risk == "moderate"
    assert len(_problem_lines(report.note)) == 1
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "free T4" in check
    assert "TSH" not in check  # it was sent with the request


def test_a_diagnosis_without_a_tsh_joins_and_asks_for_one(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "simvastatin 20 mg"}],
        conditions=[{"text": "hypothyroidism"}],
        labs=[result("CK", 650, "U/L")],
    )
    assert shown_combinations(report) == [JOINT]
    assert "Check: Repeat CK with creatinine and TSH" in report.note


def test_a_tsh_that_is_not_raised_leaves_the_ck_problem_alone_and_asks_no_tsh(
    checker: Checker,
) -> None:
    """A normal TSH shows the hypothyroidism controlled: no joint problem, and the CK
    finding does not ask to repeat the TSH just measured."""
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": "hypothyroidism"}],
        # Over 4 times the limit (pharmacist review 24 #3: under it, the watch point).
        labs=[result("CK", 1500, "U/L"), result("TSH", 2.1, "mIU/L")],
    )
    assert shown_combinations(report) == [CK_ALONE]
    ck = next(f for f in report.findings if f.id == CK_ALONE)
    assert ck.monitoring[0] == "Repeat CK with creatinine"
    assert not any("TSH" in line for line in ck.monitoring)


@pytest.mark.parametrize(("ck", "severity"), [(650, "moderate"), (4000, "high")])
def test_the_joint_problem_keeps_the_ck_rules_severity(
    checker: Checker, ck: float, severity: str
) -> None:
    report = checker(
        patient={"sex": "female"},
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": "hypothyroidism"}],
        labs=[result("CK", ck, "U/L")],
    )
    joint = next(f for f in report.findings if f.id == JOINT)
    assert joint.severity == severity
    assert not any(f.id in (CK_ALONE, THYROID_ALONE) for f in report.findings)


def test_without_a_raised_ck_the_thyroid_risk_factor_stays_its_own_line(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}], labs=[result("TSH", 7.8, "mIU/L")]
    )
    assert shown_combinations(report) == [THYROID_ALONE]
