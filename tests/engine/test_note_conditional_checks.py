"""CK is asked for once in the note's check line with three drugs (ck55).

A statin, a drug that adds muscle toxicity (colchicine, daptomycin) and a drug that raises
the statin's level made two rules each ask for CK: "Muscle symptoms; CK if any; CK at least
weekly during daptomycin ...", "...; CK if any; ...; CK and creatinine if any". A later list
with a condition of whether ("CK and creatinine if any") asks only for the results not asked
yet ("Creatinine if any"); a scheduled check ("CK at least weekly during daptomycin") is
stricter than an earlier "CK if any" for the same result, which it replaces (in the first
two checks, which a note always shows).
"""

from __future__ import annotations

import re

import pytest

from service.engine.note import narrowed
from tests.conftest import Checker


@pytest.mark.parametrize(
    ("clause", "measured", "expected"),
    [
        ("CK and creatinine if any", {"ck"}, "Creatinine if any"),
        ("CK and blood count if any", {"ck", "creatinine"}, "Blood count if any"),
        # Nothing, or everything, asked already: the clause is left as it is.
        ("CK and creatinine if any", set(), None),
        ("CK and creatinine if any", {"ck", "creatinine"}, None),
        # A condition that is not only whether: left as it is.
        ("CK and creatinine if on dialysis", {"ck"}, None),
    ],
)
def test_a_conditional_list_keeps_only_results_not_asked(
    clause: str, measured: set[str], expected: str | None
) -> None:
    assert narrowed(clause, frozenset(measured)) == expected


def _checks(checker: Checker, *meds: str) -> str:
    report = checker(medications=[{"text": m} for m in meds])
    return report.note.split("Check: ")[1].split("\n")[0]


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        (
            ("simvastatin 40 mg daily", "daptomycin IV", "clarithromycin 500 mg bid"),
            "Muscle symptoms; CK at least weekly during daptomycin",
        ),
        (
            ("atorvastatin 40 mg daily", "daptomycin IV", "cyclosporine 100 mg bid"),
            "Muscle symptoms; CK at least weekly during daptomycin",
        ),
        (
            ("simvastatin 40 mg daily", "colchicine 0.6 mg bid", "clarithromycin 500 mg bid"),
            "Muscle symptoms; CK if any; Kidney function (eGFR) and liver function now; "
            "Creatinine if any",
        ),
        (
            ("atorvastatin 40 mg daily", "colchicine 0.6 mg bid", "ranolazine 500 mg bid"),
            "CK and creatinine if any; Muscle pain or weakness, numbness, diarrhea or "
            "vomiting; Blood count if any",
        ),
    ],
)
def test_three_drugs_ask_for_ck_once(
    checker: Checker, meds: tuple[str, ...], expected: str
) -> None:
    checks = _checks(checker, *meds)
    assert expected in checks, checks
    assert len(re.findall(r"\bCK\b", checks)) == 1, checks
