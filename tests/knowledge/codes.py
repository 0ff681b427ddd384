"""Proof that every code in the knowledge base is a real code of its system.

ICD-10-CM against the official tabular list (the ``simple-icd-10-cm`` package, CDC
FY2026 release); SNOMED CT by Verhoeff check digit and partition; LOINC by its mod-10
check digit; RxNorm by form. Each function returns the problems it found.
"""

from __future__ import annotations

import simple_icd_10_cm as icd

from service.knowledge import KnowledgeBase

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
# Partition identifiers of concept ids: 00 (short format) and 10 (long, namespaced).
_CONCEPT_PARTITIONS = {"00", "10"}


def verhoeff_ok(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def snomed_concept_ok(sctid: str) -> bool:
    return (
        sctid.isdigit()
        and 6 <= len(sctid) <= 18
        and sctid[0] != "0"
        and sctid[-3:-1] in _CONCEPT_PARTITIONS
        and verhoeff_ok(sctid)
    )


def loinc_ok(code: str) -> bool:
    body, _, check = code.partition("-")
    if not (body.isdigit() and check.isdigit() and len(check) == 1):
        return False
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10 == int(check)


def icd10cm_ok(code: str) -> bool:
    return bool(icd.is_valid_item(code))


def code_problems(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    for cond in kb.conditions.values():
        problems += [
            f"condition {cond.id}: ICD-10-CM {c} is not in the code set"
            for c in cond.icd10cm
            if not icd10cm_ok(c)
        ]
        problems += [
            f"condition {cond.id}: SNOMED CT {s} fails check digit or partition"
            for s in cond.snomed
            if not snomed_concept_ok(s)
        ]
    for analyte in kb.analytes.values():
        problems += [
            f"analyte {analyte.id}: LOINC {c} fails its check digit"
            for c in analyte.loinc
            if not loinc_ok(c)
        ]
    for drug in kb.drugs.values():
        problems += [
            f"drug {drug.id}: RxCUI {r} is not numeric" for r in drug.rxcui if not r.isdigit()
        ]
    return problems
