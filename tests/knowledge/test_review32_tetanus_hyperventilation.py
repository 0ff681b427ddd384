"""Review32 O3/O4: a tetanus vaccination, tetanus immune globulin or tetanus immunization
status is not tetanus, and hyperventilation set on a ventilator is not the overbreathing
episodes of the hyperventilation concept. Tetanus itself and hyperventilation episodes
still flag; "history of tetanus" is not current."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

ENCOUNTER = (
    "health care encounter or status (examination, screening, immunization, exposure, "
    "body mass index, long-term drug therapy)"
)
DEVICE = "dependence on oxygen, ventilator, wheelchair or other device"


@pytest.mark.parametrize(
    "text",
    [
        "Tdap (tetanus) given today",
        "Td booster (tetanus)",
        "Tetanus immune globulin",
        "Tetanus immune globulin 250 units IM",
        "Tetanus status unknown",
        "Tdap vaccine (tetanus, diphtheria, pertussis)",
        "Td (tetanus-diphtheria) vaccine",
    ],
)
def test_tetanus_vaccine_globulin_or_status_is_not_tetanus(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none", text
    assert report.findings == [], text
    status = report.conditions[0]
    assert status.status == "recognized", text
    assert status.concepts == [ENCOUNTER], text


@pytest.mark.parametrize(
    "text",
    ["tetanus", "generalized tetanus", "Tetanus, treated with tetanus immune globulin"],
)
def test_tetanus_still_flags(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "low", text
    assert "condition/tetanus" in [f.id for f in report.findings], text


@pytest.mark.parametrize(
    "text", ["Mechanical hyperventilation (ICU)", "Therapeutic hyperventilation for raised ICP"]
)
def test_ventilator_hyperventilation_is_not_the_syndrome(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert report.risk == "none", text
    assert report.findings == [], text
    assert report.conditions[0].concepts == [DEVICE], text


@pytest.mark.parametrize("text", ["hyperventilation", "hyperventilation episodes"])
def test_hyperventilation_still_flags(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert [f.id for f in report.findings] == ["condition/hyperventilation"], text
