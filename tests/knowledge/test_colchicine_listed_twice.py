"""Colchicine in two regular entries is a possible double dose of a drug whose
neuromuscular toxicity is dose-related (COLCRYS label): a duplicate-therapy problem of its
own, since colchicine alone is not a cramp contributor and ``same_drug_twice`` takes only
contributors. One regimen written as two orders (morning and bedtime) or an as-needed
flare order beside the daily one is not a duplicate."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

RULE = "combination/colchicine_listed_twice/colchicine"


@pytest.mark.parametrize(
    "medications",
    [
        ["colchicine 0.6 mg daily", "Mitigare 0.6 mg daily"],
        ["probenecid-colchicine 500-0.5 mg bid", "colchicine 0.6 mg daily"],
    ],
)
def test_colchicine_in_two_entries_is_one_moderate_problem(
    checker: Checker, medications: list[str]
) -> None:
    report = checker(medications=[{"text": t} for t in medications])
    assert [f.id for f in report.findings if f.severity == "moderate"] == [RULE]
    assert report.risk == "moderate"


@pytest.mark.parametrize(
    "medications",
    [
        ["colchicine 0.6 mg daily"],
        ["colchicine 0.6 mg in the morning", "colchicine 0.6 mg at bedtime"],
        ["colchicine 0.6 mg prn gout flare", "Colcrys 0.6 mg daily"],
    ],
)
def test_one_colchicine_regimen_is_no_duplicate(checker: Checker, medications: list[str]) -> None:
    report = checker(medications=[{"text": t} for t in medications])
    assert all(not f.id.startswith("combination/colchicine_listed_twice") for f in report.findings)


@pytest.mark.parametrize(
    "medications",
    [
        ["Colchicine 1.2 mg at first sign of flare", "Colchicine 0.6 mg one hour later"],
        ["colchicine 1.2 mg po x1 now", "colchicine 0.6 mg po in 1 hour x1"],
        ["colchicine 0.6 mg daily", "colchicine 1.2 mg x1 for flare"],
    ],
)
def test_the_labeled_flare_dose_in_two_entries_is_no_duplicate(
    checker: Checker, medications: list[str]
) -> None:
    """1.2 mg then 0.6 mg an hour later is the one labeled flare dose (COLCRYS), however it
    is split into entries; a one-time dose beside the daily order is no second regimen
    (review32 O2)."""
    report = checker(medications=[{"text": t} for t in medications])
    assert all(not f.id.startswith("combination/colchicine_listed_twice") for f in report.findings)


@pytest.mark.parametrize(
    ("medications", "rule"),
    [
        (["Simvastatin 40 mg daily, refills x1", "Simvastatin 20 mg daily"], "same_drug_twice"),
        (["Simvastatin 40 mg daily x1 month", "Simvastatin 20 mg daily"], "same_drug_twice"),
        (["Colchicine 0.6 mg daily", "Colchicine 0.6 mg bid x1 month"], "colchicine_listed_twice"),
        (
            [
                "Colchicine 0.6 mg daily",
                "Colchicine 0.6 mg bid at first sign of flare until resolved",
            ],
            "colchicine_listed_twice",
        ),
    ],
)
def test_a_refill_count_or_a_course_is_no_one_time_dose(
    checker: Checker, medications: list[str], rule: str
) -> None:
    """review33 R4: "x1" in a refill count or a course length, and a flare course with a
    frequency, are regimens: the duplicate stands."""
    report = checker(medications=[{"text": t} for t in medications])
    assert any(f.id.startswith(f"combination/{rule}/") for f in report.findings)


def test_a_one_time_dose_is_no_class_duplicate(checker: Checker) -> None:
    """review33 O2: bumetanide IV once beside daily furosemide is no second loop diuretic."""
    meds = [{"text": "furosemide 40 mg daily"}, {"text": "bumetanide 1 mg IV once"}]
    report = checker(medications=meds)
    assert all(f.basis != "duplicate_therapy" for f in report.findings)


@pytest.mark.parametrize(
    "second",
    [
        "Torsemide 20 mg once at night",
        "Torsemide 20 mg once in AM",
        "Torsemide 20 mg x1 for 5 days",
    ],
)
def test_once_in_a_schedule_is_no_one_time_dose(checker: Checker, second: str) -> None:
    """review35 R2: "once at night", "once in AM" and a course "x1 for 5 days" are regimens."""
    report = checker(medications=[{"text": "furosemide 40 mg daily"}, {"text": second}])
    assert any(f.basis == "duplicate_therapy" for f in report.findings)


@pytest.mark.parametrize(
    "second",
    [
        "Furosemide 40 mg IV once in ED",
        "Furosemide 40 mg once tonight",
        "Furosemide 40 mg once - ED",
        "Furosemide 40 mg once for edema",
        "Furosemide 40 mg once prior to CT",
    ],
)
def test_a_one_time_dose_said_with_its_occasion_is_no_duplicate(
    checker: Checker, second: str
) -> None:
    """review36 R7: "once" with the occasion of the one dose is still one dose."""
    report = checker(medications=[{"text": "torsemide 20 mg daily"}, {"text": second}])
    assert all(f.basis != "duplicate_therapy" for f in report.findings)
