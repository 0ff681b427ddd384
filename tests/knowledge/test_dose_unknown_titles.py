"""A dose-limit rule whose dose the text does not give says "dose to check", not "above"
(review 17 #11: "Colchicine above the 0.3 mg a day starting dose in severe kidney
impairment" when the detail says "The dose was not given")."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result


@pytest.mark.parametrize(
    ("body", "rule", "title"),
    [
        (
            {"medications": [{"text": "colchicine"}], "labs": [result("eGFR", 25, "mL/min")]},
            "combination/colchicine_above_0_3_mg_in_severe_kidney_impairment",
            "Colchicine dose to check in severe kidney impairment (eGFR below 30 or dialysis):"
            " the label starts at 0.3 mg a day (colchicine, eGFR 25.0 mL/min)",
        ),
        (
            {"medications": [{"text": "colchicine"}, {"text": "diltiazem 120 mg daily"}]},
            "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor",
            "Colchicine dose to check with a moderate CYP3A4 inhibitor: 0.6 mg a day at most"
            " (colchicine, diltiazem)",
        ),
        (
            {"medications": [{"text": "simvastatin"}, {"text": "diltiazem 120 mg daily"}]},
            "combination/simvastatin_above_10_mg_with_verapamil_diltiazem_or_dronedarone",
            "Simvastatin dose to check with verapamil, diltiazem or dronedarone: 10 mg a day at"
            " most (simvastatin, diltiazem)",
        ),
    ],
)
def test_an_unread_dose_is_a_dose_to_check(
    checker: Checker, body: dict[str, list[dict[str, object]]], rule: str, title: str
) -> None:
    report = checker(**body)
    finding = next(f for f in report.findings if f.id == rule)
    assert finding.title == title
    assert "above" not in finding.title
    assert "The dose was not given" in finding.detail
    assert "dose to check" in report.note


def test_a_dose_read_above_the_limit_keeps_the_rule_title(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "simvastatin 40 mg daily"}, {"text": "diltiazem 120 mg daily"}]
    )
    rule = "combination/simvastatin_above_10_mg_with_verapamil_diltiazem_or_dronedarone"
    finding = next(f for f in report.findings if f.id == rule)
    assert finding.title.startswith("Simvastatin above 10 mg with verapamil")


def test_every_rule_an_unread_dose_fills_has_a_dose_to_check_title(checker: Checker) -> None:
    missing = []
    for rule in checker.kb.rules:
        unread_fills = not rule.one_input and any(
            limit is not None and not slot.needs_dose
            for slot in rule.slots
            for limit in (slot.above_mg, slot.above_mg_a_week)
        )
        if unread_fills and (rule.title_dose_unknown is None or "above" in rule.title_dose_unknown):
            missing.append(rule.id)
    assert missing == []
