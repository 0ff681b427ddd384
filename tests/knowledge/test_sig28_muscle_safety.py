"""Signal review sig28: the muscle-safety gaps its label-sourced cases found.

- Digoxin with a high calcium (LANOXIN: "hypercalcemia from any cause predisposes the patient
  to digitalis toxicity"): a coded or measured hypercalcemia joins digoxin, moderate; a total
  calcium of 12 mg/dL or more (moderate hypercalcemia) is severe. A high calcium is no
  finding of its own (joins this rule only), and a current normal calcium outranks a coded
  hypercalcemia.
- Colchicine with a fibrate (COLCRYS 5.3: fibrates, like statins, may potentiate colchicine
  myopathy): a low watch point, as the statin pair is.
- VOQUEZNA TRIPLE PAK carries clarithromycin: simvastatin with it is contraindicated.
"""

from __future__ import annotations

import pytest

from service.engine.models import Report
from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

DIGOXIN_CA = "combination/digoxin_with_high_calcium"
COLCH_FIBRATE = "combination/colchicine_with_fibrate"
DIGOXIN = {"text": "digoxin 0.125 mg daily"}


def _finding(report, rule_id: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.findings if f.id == rule_id)


@pytest.mark.parametrize(
    ("lab", "severity"),
    [
        (result("calcium", 11.2, "mg/dL"), "moderate"),
        (result("calcium", 12.6, "mg/dL"), "high"),
        (result("calcium", 3.1, "mmol/L"), "high"),  # 12.4 mg/dL
        (result("ionized calcium", 1.45, "mmol/L"), "moderate"),
    ],
)
def test_digoxin_with_a_measured_high_calcium(
    checker: Checker, lab: dict[str, object], severity: str
) -> None:
    report = checker(medications=[DIGOXIN], labs=[lab])
    assert shown_combinations(report) == [DIGOXIN_CA]
    finding = _finding(report, DIGOXIN_CA)
    assert finding.severity == severity
    assert report.labs[0].status == "flagged"
    assert "toxicity" in finding.detail


def test_digoxin_with_a_coded_hypercalcemia(checker: Checker) -> None:
    report = checker(medications=[DIGOXIN], conditions=[{"text": "hypercalcemia"}])
    assert shown_combinations(report) == [DIGOXIN_CA]
    assert _finding(report, DIGOXIN_CA).severity == "moderate"


@pytest.mark.parametrize(
    "labs",
    [
        [result("calcium", 10.3, "mg/dL")],  # within the MSD limit of 10.4
        [result("calcium", 10.6, "mg/dL"), result("albumin", 4.5, "g/dL")],  # corrects to 10.2
        [result("calcium", 11.2, "mg/dL"), result("ionized calcium", 1.25, "mmol/L")],
    ],
)
def test_no_digoxin_calcium_problem_without_a_high_calcium(
    checker: Checker, labs: list[dict[str, object]]
) -> None:
    report = checker(medications=[DIGOXIN], labs=labs)
    assert shown_combinations(report) == []


def test_a_current_normal_calcium_outranks_a_coded_hypercalcemia(checker: Checker) -> None:
    report = checker(
        medications=[DIGOXIN],
        conditions=[{"text": "hypercalcemia"}],
        labs=[result("calcium", 9.5, "mg/dL")],
    )
    assert shown_combinations(report) == []


def test_a_high_calcium_alone_is_no_finding(checker: Checker) -> None:
    report = checker(labs=[result("calcium", 12.6, "mg/dL")])
    assert report.findings == []
    assert report.risk == "none"


@pytest.mark.parametrize(
    "fibrate", ["gemfibrozil 600 mg bid", "Trilipix 135 mg", "fenofibrate 145 mg"]
)
def test_colchicine_with_a_fibrate_is_a_low_watch_point(checker: Checker, fibrate: str) -> None:
    report = checker(medications=[{"text": "colchicine 0.6 mg daily"}, {"text": fibrate}])
    assert shown_combinations(report) == [COLCH_FIBRATE]
    assert _finding(report, COLCH_FIBRATE).severity == "low"
    assert report.risk == "low"


def test_voquezna_triple_pak_carries_clarithromycin(checker: Checker) -> None:
    report = checker(medications=[{"text": "simvastatin 20 mg"}, {"text": "Voquezna Triple Pak"}])
    assert report.medications[1].concept == "vonoprazan + amoxicillin + clarithromycin"
    finding = _finding(report, "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor")
    assert finding.severity == "high"
    assert report.risk == "high"


def test_vonoprazan_alone_is_recognized_not_a_ppi(checker: Checker) -> None:
    report = checker(medications=[{"text": "Voquezna 20 mg daily"}, {"text": "omeprazole 20 mg"}])
    assert report.medications[0].status == "recognized"
    assert shown_combinations(report) == []


def test_an_ionized_calcium_within_adult_ranges_is_no_digoxin_signal(checker: Checker) -> None:
    """1.31 mmol/L is within many labs' adult range (1.16-1.32, Davis); 1.35 is above it."""

    def with_ionized(value: float) -> Report:
        return checker(
            medications=[{"text": "digoxin 0.125 mg daily"}],
            labs=[
                {
                    "coding": [{"system": "http://loinc.org", "code": "1994-3"}],
                    "value": value,
                    "unit": "mmol/L",
                }
            ],
        )

    assert with_ionized(1.31).risk == "none"
    assert with_ionized(1.35).risk == "moderate"


def _coded(loinc: str, value: float, unit: str, low: float, high: float) -> dict[str, object]:
    return {
        "coding": [{"system": "http://loinc.org", "code": loinc}],
        "value": value,
        "unit": unit,
        "reference_range": {"low": low, "high": high},
    }


@pytest.mark.parametrize(
    ("lab", "shown"),
    [
        # review27 O1: normal by the lab's own range, so no hypercalcemia to join digoxin.
        (_coded("17861-6", 10.7, "mg/dL", 8.6, 10.8), []),
        (_coded("1994-3", 1.34, "mmol/L", 1.15, 1.40), []),
        # Above the lab's own upper limit, although within the usual 10.4 / 1.32.
        (_coded("17861-6", 10.3, "mg/dL", 8.5, 10.2), [DIGOXIN_CA]),
        (_coded("1994-3", 1.31, "mmol/L", 1.12, 1.30), [DIGOXIN_CA]),
        # Above the lab's own limit: joins as without a range; 12 mg/dL stays severe.
        (_coded("17861-6", 11.0, "mg/dL", 8.6, 10.8), [DIGOXIN_CA]),
    ],
)
def test_the_digoxin_calcium_limit_follows_the_labs_own_range(
    checker: Checker, lab: dict[str, object], shown: list[str]
) -> None:
    report = checker(medications=[DIGOXIN], labs=[lab])
    assert shown_combinations(report) == shown
    assert report.risk == ("moderate" if shown else "none")  # digoxin alone is no finding


def test_a_calcium_of_12_is_severe_whatever_the_labs_range(checker: Checker) -> None:
    report = checker(medications=[DIGOXIN], labs=[_coded("17861-6", 12.2, "mg/dL", 8.6, 12.5)])
    assert _finding(report, DIGOXIN_CA).severity == "high"


@pytest.mark.parametrize(
    "text",
    [
        "digoxin immune fab 40 mg IV",
        "DigiFab 40 mg",
        "Digibind 38 mg IV",
        "digoxin immune fab (ovine)",
    ],
)
def test_digoxin_immune_fab_is_the_antidote_not_digoxin(checker: Checker, text: str) -> None:
    # review27 O2: the antidote (DIGIFAB label) was read as digoxin and joined a high calcium.
    report = checker(medications=[{"text": text}], labs=[result("calcium", 11.0, "mg/dL")])
    assert report.medications[0].status == "recognized"
    assert report.medications[0].concept == "digoxin immune fab"
    assert "antidote" in (report.medications[0].reason or "")
    assert shown_combinations(report) == []
    assert report.risk == "none"
    # Beside digoxin itself, digoxin still joins the high calcium.
    both = checker(medications=[DIGOXIN, {"text": text}], labs=[result("calcium", 11.0, "mg/dL")])
    assert shown_combinations(both) == [DIGOXIN_CA]
    assert [
        ref.index for ref in _finding(both, DIGOXIN_CA).inputs if ref.list == "medications"
    ] == [0]
