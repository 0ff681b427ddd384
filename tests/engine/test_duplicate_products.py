"""Duplicate therapy of one product entered twice, and advice that fits what is duplicated
(review54 D1, D9): one product under two names is one duplicate problem, not one per
ingredient; the duplicate's checks are those of the repeated drug's class (a statin is no
diuretic); a simvastatin total over the entries of 80 mg a day says the FDA restriction."""

from __future__ import annotations

import pytest

from service.engine import Report
from tests.conftest import Checker

SAME_DRUG_TWICE = "combination/same_drug_twice/"


def _meds(checker: Checker, *texts: str) -> Report:
    return checker(medications=[{"text": t} for t in texts])


def _duplicates(report: Report) -> list[str]:
    return [f.id for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]


def _problems(report: Report) -> list[str]:
    return [f.id for f in report.findings if f.absorbed_by is None]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # One product under two names: one finding for every ingredient it repeats.
        (
            ("Maxzide 75-50 daily", "triamterene/hctz 37.5/25 daily"),
            "triamterene+hydrochlorothiazide",
        ),
        (("triamterene-HCTZ 37.5-25", "Dyazide"), "triamterene+hydrochlorothiazide"),
        # One contributing ingredient repeated: as before.
        (("Hyzaar 50-12.5", "losartan/HCTZ 50/12.5"), "hydrochlorothiazide"),
        (("Symbicort 160/4.5", "budesonide/formoterol 160/4.5"), "formoterol"),
        (("Symbicort 160/4.5", "Dulera 200/5"), "formoterol"),
        (("Vytorin 10/40", "Zetia 10 mg", "simvastatin 40 mg"), "simvastatin"),
        (("furosemide 40 mg", "furosemide 20 mg"), "furosemide"),
    ],
)
def test_one_duplicate_problem_per_set_of_entries(
    checker: Checker, texts: tuple[str, ...], expected: str
) -> None:
    report = _meds(checker, *texts)
    assert _duplicates(report) == [SAME_DRUG_TWICE + expected]
    assert _problems(report) == [SAME_DRUG_TWICE + expected]
    assert report.risk == "moderate"
    lines = report.note.splitlines()
    assert len(lines) == len(set(lines)), report.note


def test_a_product_in_three_entries_and_its_ingredient_alone(checker: Checker) -> None:
    # HCTZ in three entries, triamterene in two: two sets of entries, two findings.
    report = _meds(checker, "Maxzide 37.5-25", "Dyazide", "HCTZ 25 mg daily")
    assert sorted(_duplicates(report)) == [
        SAME_DRUG_TWICE + "hydrochlorothiazide",
        SAME_DRUG_TWICE + "triamterene",
    ]


@pytest.mark.parametrize(
    "texts",
    [
        ("Maxzide 75-50 daily",),
        ("Vytorin 10/40",),
        ("Symbicort 160/4.5",),
        ("Hyzaar 50-12.5",),
    ],
)
def test_one_product_alone_is_no_duplicate(checker: Checker, texts: tuple[str, ...]) -> None:
    report = _meds(checker, *texts)
    assert _duplicates(report) == []
    assert report.risk == "low"


@pytest.mark.parametrize(
    ("texts", "rule"),
    [
        (("atorvastatin 40 mg", "simvastatin 20 mg"), "combination/duplicate_statins"),
        (("furosemide 40 mg", "bumetanide 1 mg"), "combination/duplicate_loop_diuretics"),
        (
            ("Symbicort 160/4.5", "Advair 250/50"),
            "combination/duplicate_long_acting_beta2_agonists",
        ),
    ],
)
def test_two_drugs_of_one_class_keep_the_class_rule(
    checker: Checker, texts: tuple[str, ...], rule: str
) -> None:
    report = _meds(checker, *texts)
    assert _duplicates(report) == []
    assert rule in _problems(report)


@pytest.mark.parametrize(
    ("texts", "says", "not_said"),
    [
        (("Vytorin 10/40", "simvastatin 40 mg"), "muscle pain", "diuretic"),
        (("Symbicort 160/4.5", "Dulera 200/5"), "Heart rate", "diuretic"),
        (("Nexium 40 mg daily", "esomeprazole 40 mg daily"), "Magnesium", "diuretic"),
        (("furosemide 40 mg", "furosemide 20 mg"), "Potassium, sodium and", "muscle pain"),
        (("Maxzide 75-50 daily", "triamterene/hctz 37.5/25"), "high potassium", "muscle pain"),
    ],
)
def test_the_checks_fit_what_is_duplicated(
    checker: Checker, texts: tuple[str, ...], says: str, not_said: str
) -> None:
    report = _meds(checker, *texts)
    (finding,) = [f for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]
    # The first check, which the note shows, says both: the dose and what is repeated.
    assert finding.monitoring[0].startswith("Confirm the intended total dose; ")
    assert says in finding.monitoring[0], finding.monitoring
    assert report.note is not None
    assert says in report.note
    assert not any(not_said in line for line in finding.monitoring), finding.monitoring
    assert finding.severity == "moderate"


def test_the_evidence_is_that_of_the_class(checker: Checker) -> None:
    report = _meds(checker, "Vytorin 10/40", "simvastatin 40 mg")
    (finding,) = [f for f in report.findings if f.id.startswith(SAME_DRUG_TWICE)]
    cited = " ".join(e.citation for e in finding.evidence)
    assert "ZOCOR" in cited
    assert "hypokalemia" not in cited.lower()


@pytest.mark.parametrize(
    ("texts", "total"),
    [
        (("Vytorin 10/40", "simvastatin 40 mg"), "80"),
        (("simvastatin 40 mg daily", "Zocor 40 mg daily"), "80"),
        (("Vytorin 10/80", "simvastatin 40 mg"), "120"),
    ],
)
def test_a_simvastatin_total_of_80_mg_says_the_restriction(
    checker: Checker, texts: tuple[str, ...], total: str
) -> None:
    report = _meds(checker, *texts)
    (finding,) = [f for f in report.findings if f.id == SAME_DRUG_TWICE + "simvastatin"]
    assert f"simvastatin {total} mg a day" in finding.detail
    assert "12 months" in finding.detail
    assert finding.severity == "moderate"  # the restriction does not raise the duplicate


@pytest.mark.parametrize(
    "texts",
    [
        ("Vytorin 10/20", "simvastatin 20 mg daily"),  # 40 mg in all
        ("Vytorin 10/40", "simvastatin"),  # one dose not given: no total
        ("simvastatin 20 mg", "simvastatin 40 mg"),  # 60 mg in all
    ],
)
def test_a_total_below_80_mg_or_unread_says_no_restriction(
    checker: Checker, texts: tuple[str, ...]
) -> None:
    report = _meds(checker, *texts)
    (finding,) = [f for f in report.findings if f.id == SAME_DRUG_TWICE + "simvastatin"]
    assert "12 months" not in finding.detail
    assert not any("FDA Drug Safety" in e.citation for e in finding.evidence)
