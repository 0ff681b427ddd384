"""Every code in datasets/ is real, and a wrong one is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.knowledge import KnowledgeBase, default_datasets_dir, load_knowledge
from tests.knowledge.codes import code_problems, icd10cm_ok, loinc_ok, snomed_concept_ok


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
