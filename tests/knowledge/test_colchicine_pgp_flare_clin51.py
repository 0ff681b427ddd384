"""clin51: colchicine with a P-gp inhibitor (cyclosporine, ranolazine) follows the COLCRYS
dose table's own P-gp row: a gout flare is a single 0.6 mg dose (not the strong CYP3A4
inhibitors' 0.6 mg then 0.3 mg), prophylaxis at most 0.3 mg a day."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

PGP = "combination/colchicine_with_pgp_inhibitor_kidney_function_unknown"
STRONG = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_kidney_function_unknown"
MODERATE = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
IN_IMPAIRMENT = (
    "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor_in_kidney_or_liver_impairment"
)


@pytest.mark.parametrize("inhibitor", ["cyclosporine 100 mg bid", "ranolazine 500 mg bid"])
@pytest.mark.parametrize(
    ("colchicine", "shown", "risk"),
    [
        # Above the P-gp row's single 0.6 mg flare dose: high while kidney function is unknown.
        ("colchicine 0.9 mg for gout flare", PGP, "high"),
        ("colchicine 0.6 mg then 0.3 mg in 1 hour", PGP, "high"),
        ("colchicine 1.2 mg x1 for flare", PGP, "high"),
        ("colchicine 0.6 mg daily", PGP, "high"),
        # Near-misses: the label's own P-gp flare dose and prophylaxis limit stay moderate.
        ("colchicine 0.6 mg single dose for flare", MODERATE, "moderate"),
        ("colchicine 0.3 mg daily", MODERATE, "moderate"),
        ("colchicine", MODERATE, "moderate"),
    ],
)
def test_pgp_inhibitor_flare_course_is_a_single_0_6_mg(
    checker: Checker, inhibitor: str, colchicine: str, shown: str, risk: str
) -> None:
    report = checker(medications=[{"text": colchicine}, {"text": inhibitor}])
    assert shown_combinations(report) == [shown]
    assert report.risk == risk


def test_pgp_flare_finding_names_the_pgp_limit_not_the_strong_inhibitor_course(
    checker: Checker,
) -> None:
    report = checker(
        medications=[
            {"text": "colchicine 1.2 mg x1 for flare"},
            {"text": "cyclosporine 100 mg bid"},
        ]
    )
    (finding,) = [f for f in report.findings if f.id == PGP]
    assert "above the 0.6 mg the label allows for a flare with cyclosporine" in finding.detail
    assert "0.9 mg" not in finding.detail


def test_strong_cyp3a4_inhibitor_keeps_its_0_9_mg_flare_course(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": "colchicine 0.6 mg then 0.3 mg in 1 hour"},
            {"text": "clarithromycin 500 mg bid"},
        ]
    )
    assert shown_combinations(report) == [MODERATE]


def test_strong_and_pgp_inhibitor_together_is_one_problem_at_the_stricter_limit(
    checker: Checker,
) -> None:
    report = checker(
        medications=[
            {"text": "colchicine 0.6 mg daily"},
            {"text": "clarithromycin 500 mg bid"},
            {"text": "cyclosporine 100 mg bid"},
        ]
    )
    assert shown_combinations(report) == [PGP]
    assert STRONG not in {f.id for f in report.findings}


@pytest.mark.parametrize(
    ("egfr", "shown", "risk"),
    [(75, MODERATE, "moderate"), (45, IN_IMPAIRMENT, "high")],
)
def test_sent_egfr_decides_as_for_strong_inhibitors(
    checker: Checker, egfr: float, shown: str, risk: str
) -> None:
    report = checker(
        medications=[
            {"text": "colchicine 0.9 mg for gout flare"},
            {"text": "cyclosporine 100 mg bid"},
        ],
        labs=[result("eGFR", egfr, "mL/min/1.73m2")],
    )
    assert shown_combinations(report) == [shown]
    assert report.risk == risk
