"""A statin with rhabdomyolysis on the problem list (signal24 case s24-code-rhabdo-statin).

The labels say to stop a statin when myopathy is diagnosed or suspected; rhabdomyolysis is
its severe form. Without a CK, the diagnosis and the statin are one moderate problem that
says to hold the statin; with a raised CK the CK rules speak for it (the condition is that
result), and a past episode is history.
"""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import result

RULE = "combination/statin_with_rhabdomyolysis"
STATIN = {"text": "rosuvastatin 20 mg daily"}
CODED = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M62.82"}]}


def test_a_coded_rhabdomyolysis_on_a_statin_is_one_moderate_problem(checker: Checker) -> None:
    report = checker(medications=[STATIN], conditions=[CODED])
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.severity == "moderate"
    assert {(r.list, r.index) for r in finding.inputs} == {("medications", 0), ("conditions", 0)}
    assert finding.management[0].startswith("Hold the statin while rhabdomyolysis is current")
    assert report.risk == "moderate"


def test_a_raised_ck_speaks_for_it(checker: Checker) -> None:
    report = checker(
        medications=[STATIN],
        conditions=[{"text": "rhabdomyolysis"}],
        labs=[result("ck", 5000, "U/L")],
    )
    ids = {f.id for f in report.findings}
    assert "combination/statin_with_raised_ck" in ids and RULE not in ids
    assert report.risk == "high"


def test_a_ck_sent_is_read_not_asked_for(checker: Checker) -> None:
    report = checker(
        medications=[STATIN],
        conditions=[{"text": "rhabdomyolysis"}],
        labs=[result("ck", 400, "U/L")],
    )
    finding = next(f for f in report.findings if f.id == RULE)
    assert finding.monitoring[0].startswith("Creatinine, potassium, calcium and phosphate now")


def test_a_past_episode_is_history(checker: Checker) -> None:
    report = checker(medications=[STATIN], conditions=[{"text": "history of rhabdomyolysis"}])
    assert RULE not in {f.id for f in report.findings}
    assert report.risk == "low"
