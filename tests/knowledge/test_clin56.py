"""clin56: potassium binders are not a second potassium-lowering risk beside a diuretic (#1);
a short-acting beta-2 agonist listed twice gets its class's checks (#3); an enzyme-inducing
antiepileptic beside a calcium-lowering drug (and a loop diuretic) is named in the one
low-calcium problem (#4). Torsemide and ethacrynic acid stay out of the loop diuretics'
calcium rules (#2: no label text names a calcium effect)."""

from __future__ import annotations

import pytest

from service.knowledge import KnowledgeBase
from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

SEVERAL_K = "combination/several_potassium_lowering_drugs"
SEVERAL_MG = "combination/several_magnesium_lowering_drugs"
K_WITH_LOW_K = "combination/potassium_lowering_drug_with_low_potassium"


def _meds(*texts: str) -> list[dict[str, object]]:
    return [{"text": t} for t in texts]


def test_the_binders_are_excepted_from_several_potassium_lowering_drugs_only(
    kb: KnowledgeBase,
) -> None:
    excepted = {
        r.id for r in kb.rules for s in r.slots if "potassium_binder" in s.except_drug_class
    }
    assert excepted == {"several_potassium_lowering_drugs"}


@pytest.mark.parametrize(
    "binder", ["patiromer 8.4 g daily", "Lokelma 10 g daily", "Kayexalate 15 g daily"]
)
@pytest.mark.parametrize(
    "diuretics", [("furosemide 40 mg daily",), ("furosemide 40 mg daily", "HCTZ 25 mg daily")]
)
def test_a_binder_is_not_a_second_potassium_lowering_drug(
    checker: Checker, binder: str, diuretics: tuple[str, ...]
) -> None:
    report = checker(medications=_meds(*diuretics, binder))
    ids = {f.id for f in report.findings}
    assert SEVERAL_K not in ids
    # The binder is still flagged on its own (its overshoot is labeled).
    binder_at = len(diuretics)
    own = [f for f in report.findings if f.kind == "medication" and f.inputs[0].index == binder_at]
    assert own and own[0].severity == "low"


def test_a_binder_still_joins_a_low_potassium_and_its_magnesium_rules(checker: Checker) -> None:
    report = checker(
        medications=_meds("Lokelma 10 g daily"), labs=[result("potassium", 3.1, "mmol/L")]
    )
    assert shown_combinations(report) == [K_WITH_LOW_K]
    # Patiromer's labeled magnesium loss still adds up with a loop diuretic's.
    report = checker(medications=_meds("furosemide 40 mg daily", "patiromer 8.4 g daily"))
    assert shown_combinations(report) == [SEVERAL_MG]


def test_two_non_binder_potassium_lowering_drugs_still_add_up(checker: Checker) -> None:
    report = checker(medications=_meds("furosemide 40 mg daily", "albuterol 2.5 mg neb q4h"))
    assert shown_combinations(report) == [SEVERAL_K]


def test_a_short_acting_beta2_agonist_listed_twice_gets_its_checks(checker: Checker) -> None:
    report = checker(medications=_meds("albuterol HFA 2 puffs q4h", "albuterol 2.5 mg neb q6h"))
    dup = next(f for f in report.findings if f.id == "combination/same_drug_twice/albuterol")
    assert dup.severity == "moderate"
    assert dup.monitoring[0].startswith("Confirm the intended total dose; Potassium with")
    assert any("intended plan" in line for line in dup.management)
    cited = " ".join(e.citation for e in dup.evidence)
    assert "VENTOLIN" in cited and "XOPENEX" in cited
    # No diuretic advice for a reliever.
    assert not any("sodium" in line.lower() for line in dup.monitoring)


def test_an_as_needed_reliever_beside_its_nebulizer_is_not_a_duplicate(checker: Checker) -> None:
    report = checker(
        medications=_meds("albuterol HFA 2 puffs q4h prn wheeze", "albuterol 2.5 mg neb q6h")
    )
    assert not [f for f in report.findings if f.id.startswith("combination/same_drug_twice/")]


CALCIUM_LOW = result("calcium", 7.6, "mg/dL")
DRUG_AND_AED = (
    "combination/calcium_lowering_drug_and_enzyme_inducing_antiepileptic_with_low_calcium"
)
LOOP_DRUG_AND_AED = (
    "combination/loop_diuretic_calcium_lowering_drug_and_enzyme_inducing_antiepileptic"
    "_with_low_calcium"
)


@pytest.mark.parametrize(
    ("meds", "shown"),
    [
        (("phenytoin 300 mg daily", "zoledronic acid 4 mg IV"), DRUG_AND_AED),
        (("carbamazepine 200 mg twice daily", "denosumab 60 mg every 6 months"), DRUG_AND_AED),
        (
            ("furosemide 40 mg daily", "phenytoin 300 mg daily", "zoledronic acid 4 mg IV"),
            LOOP_DRUG_AND_AED,
        ),
        (
            ("furosemide 40 mg daily", "phenytoin 300 mg daily", "denosumab 60 mg every 6 months"),
            LOOP_DRUG_AND_AED,
        ),
    ],
)
def test_the_antiepileptic_is_named_in_the_low_calcium_problem(
    checker: Checker, meds: tuple[str, ...], shown: str
) -> None:
    report = checker(medications=_meds(*meds), labs=[CALCIUM_LOW])
    assert shown_combinations(report) == [shown]
    assert report.risk == "moderate"
    problems = [f for f in report.findings if not f.absorbed_by]
    assert len(problems) == 1
    named = {(i.list, i.index) for i in problems[0].inputs}
    assert named == {("medications", i) for i in range(len(meds))} | {("labs", 0)}
    # Every medication is flagged, none left as "recognized".
    assert all(s.status == "flagged" for s in report.medications)


def test_a_calcium_that_is_not_low_joins_nothing(checker: Checker) -> None:
    report = checker(
        medications=_meds("phenytoin 300 mg daily", "zoledronic acid 4 mg IV"),
        labs=[result("calcium", 9.2, "mg/dL")],
    )
    ids = {f.id for f in report.findings}
    assert not ids & {DRUG_AND_AED, LOOP_DRUG_AND_AED}


def test_torsemide_stays_out_of_the_loop_diuretic_calcium_rules(checker: Checker) -> None:
    report = checker(
        medications=_meds(
            "torsemide 20 mg daily", "phenytoin 300 mg daily", "zoledronic acid 4 mg IV"
        ),
        labs=[CALCIUM_LOW],
    )
    assert shown_combinations(report) == [DRUG_AND_AED]
