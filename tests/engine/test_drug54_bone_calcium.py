"""review54 D5, D7 and minor items (drug54): romosozumab and injected calcitonin salmon
lower calcium (labeled warnings), the nasal spray is recognized and not flagged (a nasal
product, policy "Route"), Entresto's reason names both ingredients, a sent albumin is not
asked for again, and G/P notation alone is no current pregnancy."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

CALCIUM_LOINC = [{"system": "http://loinc.org", "code": "17861-6"}]
CALCIUM_RULE = "combination/calcium_lowering_drug_with_low_calcium"


def _low_calcium(value: float = 7.9) -> dict[str, object]:
    return {"coding": CALCIUM_LOINC, "value": value, "unit": "mg/dL"}


def _ids(report: object) -> dict[str, str]:
    return {f.id: f.severity for f in report.findings}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Evenity 210 mg SC monthly", "romosozumab"),
        ("romosozumab-aqqg 210 mg subcutaneously once a month", "romosozumab"),
        ("calcitonin salmon 100 units SC daily", "calcitonin salmon"),
        ("calcitonin 4 units/kg IM q12h", "calcitonin salmon"),
        ("Miacalcin injection 100 units subcutaneous", "calcitonin salmon"),
    ],
)
def test_calcium_lowering_drug_is_flagged_low(checker: Checker, text: str, concept: str) -> None:
    report = checker.med(text)
    status = report.medications[0]
    assert (status.status, status.concept) == ("flagged", concept)
    assert report.risk == "low"
    finding = report.findings[0]
    assert [e.kind for e in finding.effects] == ["lowers_calcium"]


@pytest.mark.parametrize(
    "text",
    [
        "Evenity 210 mg SC monthly",
        "calcitonin salmon 100 units SC",
        "calcitonin-salmon injection 100 units IM",
    ],
)
def test_with_a_low_calcium_one_moderate_problem(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}], labs=[_low_calcium()])
    assert report.risk == "moderate"
    ids = _ids(report)
    assert ids[CALCIUM_RULE] == "moderate"
    joined = next(f for f in report.findings if f.id == CALCIUM_RULE)
    assert {(i.list, i.index) for i in joined.inputs} == {("medications", 0), ("labs", 0)}


@pytest.mark.parametrize(
    "text",
    [
        "Miacalcin nasal spray 200 units daily",
        "calcitonin nasal 200 IU alternating nostrils daily",
        "Fortical 200 units daily",
        "calcitonin",
        "Miacalcin",
        "salmon calcitonin 200 IU",
    ],
)
def test_nasal_calcitonin_is_recognized_not_flagged(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}], labs=[_low_calcium()])
    status = report.medications[0]
    assert (status.status, status.concept) == ("recognized", "calcitonin salmon")
    assert status.reason is not None and "nasal route" in status.reason
    assert CALCIUM_RULE not in _ids(report)
    assert report.risk == "low"  # the low calcium alone


def test_romosozumab_normal_calcium_stays_low(checker: Checker) -> None:
    report = checker(medications=[{"text": "Evenity"}], labs=[_low_calcium(9.3)])
    assert report.risk == "low"
    assert list(_ids(report)) == ["medication/romosozumab"]


def test_entresto_reason_names_both_ingredients(checker: Checker) -> None:
    for text in ("Entresto 49/51 mg bid", "sacubitril/valsartan 24-26 mg BID"):
        status = checker.status("medications", text)
        assert status.status == "recognized"
        assert status.reason is not None
        assert status.reason.startswith("sacubitril: ")
        assert "valsartan: " in status.reason
        assert ".;" not in status.reason  # one stop between the ingredients' reasons


@pytest.mark.parametrize(
    ("labs", "line"),
    [
        (
            [("albumin", 40, "g/L")],
            "Repeat calcium (or ionized calcium), magnesium and vitamin D",
        ),
        (
            [("albumin", 4.0, "g/dL"), ("magnesium", 2.0, "mg/dL")],
            "Repeat calcium (or ionized calcium) and vitamin D",
        ),
        ([], "Repeat calcium with albumin (or ionized calcium), magnesium and vitamin D"),
        (
            [("magnesium", 2.0, "mg/dL")],
            "Repeat calcium with albumin (or ionized calcium) and vitamin D",
        ),
    ],
)
def test_low_calcium_asks_for_albumin_only_when_not_sent(
    checker: Checker, labs: list[tuple[str, float, str]], line: str
) -> None:
    sent = [{"text": "calcium", "value": 2.0, "unit": "mmol/L"}]
    sent += [{"text": name, "value": value, "unit": unit} for name, value, unit in labs]
    report = checker(labs=sent)
    finding = next(f for f in report.findings if f.id == "lab/calcium/low")
    assert finding.monitoring == [line]


def test_loop_diuretic_low_calcium_does_not_ask_for_a_sent_albumin(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "furosemide 40 mg daily"}],
        labs=[
            {"text": "calcium", "value": 2.0, "unit": "mmol/L"},
            {"text": "albumin", "value": 40, "unit": "g/L"},
        ],
    )
    finding = next(
        f for f in report.findings if f.id == "combination/loop_diuretic_with_low_calcium"
    )
    assert "albumin" not in finding.monitoring[0].replace("corrected for albumin", "")


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("G2P1", False),
        ("G2P1, 30 weeks gestation", True),
        ("30 weeks pregnant", True),
        ("G2P1 at 30 weeks gestation", True),
    ],
)
def test_gravida_para_alone_is_no_current_pregnancy(
    checker: Checker, text: str, flagged: bool
) -> None:
    status = checker.status("conditions", text)
    assert (status.status == "flagged") is flagged, status
