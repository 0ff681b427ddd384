"""Desmopressin with a loop diuretic or a systemic or inhaled glucocorticoid (the nocturia
labels' contraindication, NOCDURNA): one moderate problem, high with a measured low sodium,
and a nasal or topical glucocorticoid is not one of them."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import shown_combinations, sodium

LOINC = "http://loinc.org"
PAIR = "combination/desmopressin_with_loop_diuretic_or_glucocorticoid"
WITH_LOW_SODIUM = "combination/desmopressin_with_loop_diuretic_or_glucocorticoid_and_low_sodium"


@pytest.mark.parametrize(
    "partner",
    [
        "furosemide 40 mg daily",
        "Bumex 1 mg",
        "prednisone 10 mg daily",
        "Flovent HFA 110 mcg 2 puffs BID",
        "Qvar 80 mcg 2 puffs BID",
        "Advair Diskus 250/50 1 puff BID",
    ],
)
def test_desmopressin_with_a_loop_diuretic_or_glucocorticoid(
    checker: Checker, partner: str
) -> None:
    report = checker(medications=[{"text": "Nocdurna 50 mcg SL qhs"}, {"text": partner}])
    assert shown_combinations(report) == [PAIR]
    found = next(f for f in report.findings if f.id == PAIR)
    assert (found.severity, report.risk) == ("moderate", "moderate")
    assert {i.index for i in found.inputs} == {0, 1}


@pytest.mark.parametrize(
    "partner",
    ["Flonase 2 sprays daily", "Nasonex 2 sprays", "hydrocortisone 1% cream", "Elocon ointment"],
)
def test_a_nasal_or_topical_glucocorticoid_is_not_a_partner(checker: Checker, partner: str) -> None:
    report = checker(medications=[{"text": "desmopressin 0.2 mg qhs"}, {"text": partner}])
    assert shown_combinations(report) == []
    assert report.risk == "none"


def test_a_measured_low_sodium_makes_it_one_high_problem(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Nocdurna 25 mcg"}, {"text": "Lasix 40 mg"}], labs=[sodium(132)]
    )
    assert shown_combinations(report) == [WITH_LOW_SODIUM]
    found = next(f for f in report.findings if f.id == WITH_LOW_SODIUM)
    assert found.severity == "high"
    assert {(i.list, i.index) for i in found.inputs} == {
        ("medications", 0),
        ("medications", 1),
        ("labs", 0),
    }


def test_a_coded_hyponatremia_without_a_result_stays_moderate(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Nocdurna 25 mcg"}, {"text": "Lasix 40 mg"}],
        conditions=[{"text": "hyponatremia"}],
    )
    assert shown_combinations(report) == [WITH_LOW_SODIUM]
    assert report.risk == "moderate"


def test_a_normal_sodium_leaves_the_contraindicated_pair(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "Nocdurna 25 mcg"}, {"text": "Lasix 40 mg"}], labs=[sodium(140)]
    )
    assert shown_combinations(report) == [PAIR]


def test_desmopressin_alone_is_recognized(checker: Checker) -> None:
    report = checker(medications=[{"text": "DDAVP 0.2 mg qhs"}])
    assert report.medications[0].status == "recognized"
    assert report.findings == []


@pytest.mark.parametrize(
    "spray",
    [
        "desmopressin nasal spray 10 mcg BID",
        "DDAVP nasal spray 1 spray each nostril qhs",
        {"text": "desmopressin 10 mcg", "route": "nasal"},
        "Noctiva 1.66 mcg intranasal qhs",
    ],
)
def test_desmopressin_by_nasal_spray_reaches_the_circulation(
    checker: Checker, spray: str | dict[str, str]
) -> None:
    # A nasal route is local for other drugs (a nasal corticosteroid, above); desmopressin
    # nasal spray is absorbed and retains water as the tablets do (NOCTIVA label).
    item = {"text": spray} if isinstance(spray, str) else spray
    report = checker(medications=[item, {"text": "furosemide 20 mg daily"}])
    assert shown_combinations(report) == [PAIR]
    with_sodium = checker(
        medications=[item, {"text": "furosemide 20 mg daily"}], labs=[sodium(130)]
    )
    assert shown_combinations(with_sodium) == [WITH_LOW_SODIUM]
    assert with_sodium.risk == "high"


def test_a_nasal_corticosteroid_still_does_not_pair_with_nasal_desmopressin(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "DDAVP nasal spray 10 mcg"}, {"text": "Flonase 2 sprays"}]
    )
    assert shown_combinations(report) == []
