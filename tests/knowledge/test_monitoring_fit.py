"""What a finding asks to check fits the patient it is shown for."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import sodium


def test_basal_insulin_asks_about_hypoglycemia_not_an_insulin_infusion(checker: Checker) -> None:
    report = checker.med("insulin glargine 20 units subcut at bedtime")
    check_line = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "glucose" in check_line.lower()
    assert "intravenous" not in check_line


def test_a_low_sodium_does_not_name_drugs_as_if_they_were_taken(checker: Checker) -> None:
    report = checker(labs=[sodium(131)])
    (finding,) = report.findings
    assert finding.monitoring[0].startswith("Repeat sodium; review drugs that can lower it")


def test_a_ck_over_2000_without_daptomycin_is_not_called_markedly_raised(
    checker: Checker,
) -> None:
    # 2,000 U/L is the daptomycin label's stop limit, about 6.5 times the men's upper limit.
    report = checker(patient={"sex": "male"}, labs=[{"text": "CK", "value": 2500, "unit": "U/L"}])
    (finding,) = report.findings
    assert finding.title.startswith("Raised CK (over 2,000 U/L)")
