"""Every code in datasets/ is real, and a wrong one is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
import simple_icd_10_cm as icd

from service.engine import Knowledge
from service.engine.matching import match_condition
from service.engine.models import Coding, ConditionInput
from service.knowledge import KnowledgeBase, default_datasets_dir, load_knowledge
from service.knowledge.codes import product_route
from service.knowledge.loader import KnowledgeError
from service.knowledge.schema import RxNormCode
from tests.knowledge.codes import (
    code_problems,
    icd10cm_ok,
    loinc_ok,
    obstetric_concept,
    rxnorm_problems,
    snomed_concept_ok,
    snomed_problems,
)


def test_every_code_in_the_datasets_is_real(kb: KnowledgeBase) -> None:
    assert code_problems(kb) == []


@pytest.mark.parametrize("code", ["2823-3", "6298-4", "19123-9", "2601-3", "718-7", "3016-3"])
def test_loinc_check_digit_accepts_known_codes(code: str) -> None:
    assert loinc_ok(code)


@pytest.mark.parametrize("code", ["2823-4", "6298-0", "19123", "abc-1"])
def test_loinc_check_digit_rejects_wrong_codes(code: str) -> None:
    assert not loinc_ok(code)


def test_snomed_check_digit_and_partition() -> None:
    for sctid in ("44054006", "73211009", "24700007", "368581000119106"):
        assert snomed_concept_ok(sctid), sctid
    assert not snomed_concept_ok("44054007")  # check digit
    assert not snomed_concept_ok("44054016")  # partition 01 is a description id


def test_icd10cm_against_the_official_code_set() -> None:
    assert icd10cm_ok("E11.9") and icd10cm_ok("M48.061") and icd10cm_ok("G35")
    assert not icd10cm_ok("E12")  # there is no E12 category
    assert not icd10cm_ok("K74.7")


@pytest.mark.parametrize(
    ("needle", "replacement", "problem"),
    [
        ('"E13"', '"E12"', "ICD-10-CM E12"),
        ('"44054006"', '"44054007"', "SNOMED CT 44054007"),
        ('"2823-3"', '"2823-4"', "LOINC 2823-4"),
    ],
)
def test_a_deliberately_wrong_code_is_caught(
    tmp_path: Path, needle: str, replacement: str, problem: str
) -> None:
    copy = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), copy)
    changed = False
    for path in copy.rglob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if needle in text:
            path.write_text(text.replace(needle, replacement, 1), encoding="utf-8")
            changed = True
            break
    assert changed, f"{needle} is not in the datasets"
    problems = code_problems(load_knowledge(copy))
    assert any(problem in p for p in problems), problems


# RxNorm ------------------------------------------------------------------------------


def test_every_rxnorm_code_is_proven_by_its_name(knowledge: Knowledge) -> None:
    assert len(knowledge.kb.rxnorm_codes) > 5000
    assert rxnorm_problems(knowledge) == []


def _corrupt(row: RxNormCode, **changes: object) -> RxNormCode:
    return msgspec.structs.replace(row, **changes)


def test_a_deliberately_wrong_rxnorm_entry_fails_its_proof(knowledge: Knowledge) -> None:
    kb = knowledge.kb
    hctz = kb.rxnorm_codes["310798"]  # hydrochlorothiazide 25 MG Oral Tablet
    assert rxnorm_problems(knowledge, [hctz]) == []
    wrong_drug = _corrupt(hctz, ingredients=["furosemide"])
    wrong_name = _corrupt(hctz, name="furosemide 40 MG Oral Tablet")
    partial = _corrupt(
        kb.rxnorm_codes["896209"], ingredients=["fluticasone"]
    )  # fluticasone / salmeterol inhaler listed as fluticasone alone
    unknown_part = _corrupt(hctz, name="hydrochlorothiazide 25 MG / sulbactam 5 MG Oral Tablet")
    misspelt = _corrupt(hctz, name="hydrochlorthiazid 25 MG Oral Tablet")
    wrong_tty = _corrupt(hctz, tty="SBD")
    for row in (wrong_drug, wrong_name, partial, unknown_part, misspelt, wrong_tty):
        assert rxnorm_problems(knowledge, [row]), row


def test_a_wrong_ingredient_code_on_a_drug_is_caught(tmp_path: Path) -> None:
    copy = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), copy)
    path = copy / "drugs" / "contributors.toml"
    text = path.read_text(encoding="utf-8")
    assert 'rxcui = ["4603"]' in text  # furosemide
    path.write_text(
        text.replace('rxcui = ["4603"]', 'rxcui = ["4603", "9997"]', 1), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="RxCUI 9997"):  # spironolactone's code
        load_knowledge(copy)


def test_a_broken_table_row_is_a_load_error(tmp_path: Path) -> None:
    copy = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), copy)
    table = copy / "rxnorm" / "codes.tsv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("\t", "\tXYZ\t", 1)
    table.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"codes\.tsv"):
        load_knowledge(copy)


@pytest.mark.parametrize(
    ("name", "route"),
    [
        ("Budesonide 0.25 MG/ML Inhalation Suspension [Pulmicort]", "inhaled"),
        ("Budesonide 3 MG 24 HR Extended Release Oral Capsule [Entocort]", "oral"),
        ("fluticasone propionate 0.05 MG/ACTUAT Nasal Spray", "nasal"),
        ("10 ML furosemide 10 MG/ML Injection", "parenteral"),
        ("insulin glargine 100 UNT/ML Pen Injector [Lantus]", "subcutaneous"),
        ("{21 (A 1 MG Oral Tablet) / 7 (inert ingredients 1 MG Oral Tablet) } Pack", "oral"),
        ("hydrochlorothiazide 25 MG", None),
        ("Spironolactone", None),
        ("budesonide Dry Powder Inhaler", "inhaled"),
        ("Budesonide Inhalant Powder", "inhaled"),
    ],
)
def test_a_product_code_takes_its_route_from_the_dose_form(
    kb: KnowledgeBase, name: str, route: str | None
) -> None:
    assert product_route(name, kb.route_tokens) == route


# SNOMED CT ---------------------------------------------------------------------------


def test_every_snomed_code_of_the_table_is_proven(knowledge: Knowledge) -> None:
    assert len(knowledge.kb.snomed_codes) > 1000
    assert snomed_problems(knowledge) == []


@pytest.mark.parametrize(
    ("code", "condition"),
    [
        ("87522002", "anemia"),  # iron deficiency anemia
        ("422034002", "diabetes"),  # retinopathy due to type 2 diabetes
        ("1551000119108", "diabetes"),  # nonproliferative retinopathy, type 2 diabetes
        ("433146000", "ckd_stage_4_5"),  # chronic kidney disease stage 5
        ("46177005", "eskd_dialysis"),
        ("19169002", "pregnancy_loss"),  # miscarriage in first trimester
    ],
)
def test_records_snomed_codes_are_known(kb: KnowledgeBase, code: str, condition: str) -> None:
    assert condition in kb.conditions_by_snomed[code]


def test_a_deliberately_wrong_snomed_entry_fails_its_proof(knowledge: Knowledge) -> None:
    row = knowledge.kb.snomed_codes["87522002"]  # Iron deficiency anemia
    assert snomed_problems(knowledge, [row]) == []
    wrong_digit = msgspec.structs.replace(row, code="87522003")
    wrong_condition = msgspec.structs.replace(row, conditions=["diabetes"])
    history = msgspec.structs.replace(row, name="History of iron deficiency anemia")
    procedure = msgspec.structs.replace(row, name="Iron deficiency anemia screening (procedure)")
    for wrong in (wrong_digit, wrong_condition, history, procedure):
        assert snomed_problems(knowledge, [wrong]), wrong


# ICD-10-CM: the obstetric chapter and Parkinson disease -------------------------------


def _icd_concepts(knowledge: Knowledge, code: str) -> tuple[str, ...]:
    item = ConditionInput(coding=[Coding(system="icd10cm", code=code)])
    return match_condition(item, knowledge).condition_ids


OBSTETRIC = {
    "pregnancy", "postpartum", "pregnancy_loss", "pregnancy_history", "ectopic_pregnancy",
    "obstetric_condition",
}  # fmt: skip


def test_every_obstetric_code_matches_its_rule(knowledge: Knowledge) -> None:
    roots = ["O00-O08", "O09", "O10-O16", "O20-O29", "O30-O48", "O60-O77", "O80-O82"]
    roots += ["O85-O92", "O94-O9A", "Z3A", "Z33", "Z34", "Z39", "Z87.5"]
    leaves = [d for r in roots for d in icd.get_descendants(r) if icd.is_leaf(d)]
    assert len(leaves) > 2400
    wrong = {}
    for code in leaves:
        expected = obstetric_concept(code)
        found = OBSTETRIC & set(_icd_concepts(knowledge, code))
        if found != {expected}:
            wrong[code] = (expected, sorted(found))
    assert wrong == {}


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("O03.9", "pregnancy_loss"),  # complete or unspecified spontaneous abortion
        ("O10.02", "postpartum"),  # pre-existing hypertension complicating childbirth
        ("O10.011", "pregnancy"),  # ... first trimester
        ("O60.03", "pregnancy"),  # preterm labor without delivery
        ("O60.14", "postpartum"),  # preterm labor with preterm delivery
        ("O80", "postpartum"),  # full-term uncomplicated delivery
        ("O94", "pregnancy_history"),
        ("Z87.51", "pregnancy_history"),
        ("Z39.2", "postpartum"),
        ("Z3A.20", "pregnancy"),
        ("Z33.1", "pregnancy"),
        ("Z34.83", "pregnancy"),
    ],
)
def test_a_pregnancy_that_is_over_does_not_flag_pregnancy(
    knowledge: Knowledge, code: str, concept: str
) -> None:
    assert icd10cm_ok(code)
    assert obstetric_concept(code) == concept
    assert OBSTETRIC & set(_icd_concepts(knowledge, code)) == {concept}


@pytest.mark.parametrize("code", ["G20", "G20.A1", "G20.A2", "G20.B1", "G20.B2", "G20A1"])
def test_parkinson_disease_codes_old_and_new(knowledge: Knowledge, code: str) -> None:
    assert _icd_concepts(knowledge, code) == ("parkinson_disease",)


def test_parkinsonism_unspecified_is_not_parkinson_disease(knowledge: Knowledge) -> None:
    assert _icd_concepts(knowledge, "G20.C") == ("parkinsonism",)
