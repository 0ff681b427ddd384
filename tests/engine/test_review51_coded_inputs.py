"""Review 51 (D1-D3): inputs sent as codes only are read as their names are.

D1: ATC codes of the interaction partners (WHO ATC/DDD index); a combination product's ATC
code names each ingredient; a topical ketoconazole code is not the systemic antifungal.
D2: SNOMED CT codes of spinal stenosis and peripheral neuropathy (IPS Free Set).
D3: LOINC codes of the routine labs the service recognizes without checking them: a coded
creatinine or digoxin level counts as sent, as its name does.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.engine import Report
from tests.conftest import Checker

ATC = "http://www.whocc.no/atc"
SCT = "http://snomed.info/sct"
LOINC = "http://loinc.org"


def atc(code: str) -> dict[str, Any]:
    return {"coding": [{"system": ATC, "code": code}]}


def summary(report: Report) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Risk, findings (id, severity) and each input's status: what must not depend on
    whether an input came as a code or as text."""
    items = [*report.medications, *report.conditions, *report.labs]
    return (
        report.risk,
        sorted((f.id, f.severity) for f in report.findings),
        [i.status for i in items],
    )


D1_CODES = {
    "J01FA09": "clarithromycin",
    "J01FA01": "erythromycin",
    "J02AC02": "itraconazole",
    "J02AB02": "ketoconazole",
    "H02CA03": "ketoconazole",
    "J02AC04": "posaconazole",
    "J02AC03": "voriconazole",
    "J05AE03": "ritonavir",
    "V03AX03": "cobicistat",
    "N06AX06": "nefazodone",
    "J01XX09": "daptomycin",
    "J01XC01": "fusidic_acid",
    "G03XA01": "danazol",
    "C01EB18": "ranolazine",
    "C01BD07": "dronedarone",
    "J05AF01": "zidovudine",
}


@pytest.mark.parametrize(("code", "drug"), sorted(D1_CODES.items()))
def test_d1_atc_codes_name_their_drug(checker: Checker, code: str, drug: str) -> None:
    entry = checker.kb.drug_by_atc[code]
    assert entry.drug_ids == (drug,)
    [hit] = checker(medications=[atc(code)]).medications
    assert hit.status != "unrecognized", code


def test_a_combination_products_atc_code_names_each_ingredient(checker: Checker) -> None:
    assert set(checker.kb.drug_by_atc["J05AR10"].drug_ids) == {"lopinavir", "ritonavir"}
    assert set(checker.kb.drug_by_atc["J05AE30"].drug_ids) == {"nirmatrelvir", "ritonavir"}


# (ATC codes, the same drugs as text, an extra lab both carry)
PAIRS = [
    (["C10AA01", "J01FA09"], ["simvastatin", "clarithromycin"], None),
    (["C10AA01", "J02AC02"], ["simvastatin", "itraconazole"], None),
    (["C10AA01", "J05AE03"], ["simvastatin", "ritonavir"], None),
    (["C10AA01", "J05AR10"], ["simvastatin", "Kaletra"], None),
    (["C10AA01", "J02AB02"], ["simvastatin", "ketoconazole tablet"], None),
    (["C10AA01", "N06AX06"], ["simvastatin", "nefazodone"], None),
    (["C10AA01", "V03AX03"], ["simvastatin", "cobicistat"], None),
    (["C10AA01", "G03XA01"], ["simvastatin", "danazol"], None),
    (["C10AA01", "C01BD07"], ["simvastatin", "dronedarone"], None),
    (["C10AA01", "C01EB18"], ["simvastatin", "ranolazine"], None),
    (["M04AC01", "J01FA09"], ["colchicine", "clarithromycin"], None),
    (["M04AC01", "J01FA01"], ["colchicine", "erythromycin"], None),
    (["C10AA05", "J01XX09"], ["atorvastatin", "daptomycin"], None),
    (["C10AA05", "J01XC01"], ["atorvastatin", "fusidic acid tablets"], None),
    (
        ["J05AF01"],
        ["zidovudine"],
        {"text": "CK", "value": 2500, "unit": "U/L"},
    ),
]


@pytest.mark.parametrize(("codes", "texts", "lab"), PAIRS)
def test_d1_atc_pairs_give_the_findings_of_their_names(
    checker: Checker, codes: list[str], texts: list[str], lab: dict[str, Any] | None
) -> None:
    labs = [lab] if lab else []
    coded = checker(medications=[atc(c) for c in codes], labs=labs)
    named = checker(medications=[{"text": t} for t in texts], labs=labs)
    assert summary(coded) == summary(named)
    assert all(m.status != "unrecognized" for m in coded.medications)


def test_d1_simvastatin_with_clarithromycin_by_atc_is_the_contraindicated_pair(
    checker: Checker,
) -> None:
    report = checker(medications=[atc("C10AA01"), atc("J01FA09")])
    assert report.risk == "high"
    ids = {f.id for f in report.findings}
    assert "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor" in ids


def test_d1_topical_ketoconazole_code_does_not_join_the_statin_rule(checker: Checker) -> None:
    """Only the systemic ketoconazole codes are known: the cream's D01AC08 (and the
    vaginal G01AF11) is not the CYP3A4 inhibitor."""
    for code in ("D01AC08", "G01AF11"):
        assert code not in checker.kb.drug_by_atc
        report = checker(medications=[atc("C10AA01"), atc(code)])
        assert report.risk == "low"
        assert [f.id for f in report.findings] == ["medication/simvastatin"]


def test_d1_fusidic_acids_systemic_code_is_systemic(checker: Checker) -> None:
    """Fusidic acid's default route is topical (the cream); its J01XC01 is the systemic
    antibacterial, which joins the statin rule."""
    assert checker.kb.drug_by_atc["J01XC01"].route == "oral"
    report = checker(medications=[atc("C10AA01"), atc("J01XC01")])
    assert "combination/statin_with_systemic_fusidic_acid" in {f.id for f in report.findings}


# D2 -----------------------------------------------------------------------------------

SNOMED = {
    "76107001": ("spinal_stenosis", "spinal stenosis"),
    "18347007": ("spinal_stenosis", "lumbar spinal stenosis"),
    "370471003": ("spinal_stenosis", "spinal stenosis of lumbosacral region"),
    "83561009": ("cervical_thoracic_spinal_stenosis", "cervical spinal stenosis"),
    "302226006": ("peripheral_neuropathy", "peripheral neuropathy"),
    "386033004": ("peripheral_neuropathy", "neuropathy"),
}


@pytest.mark.parametrize(("code", "expected"), sorted(SNOMED.items()))
def test_d2_snomed_codes_give_the_findings_of_their_names(
    checker: Checker, code: str, expected: tuple[str, str]
) -> None:
    condition, text = expected
    assert checker.kb.conditions_by_snomed[code] == (condition,)
    coded = checker(conditions=[{"coding": [{"system": SCT, "code": code}]}])
    named = checker(conditions=[{"text": text}])
    assert f"condition/{condition}" in {f.id for f in coded.findings}
    assert summary(coded) == summary(named)


def test_d2_a_cervical_stenosis_display_is_not_lumbar_stenosis(checker: Checker) -> None:
    report = checker(conditions=[{"text": "Spinal stenosis in cervical region"}])
    assert {f.id for f in report.findings} == {"condition/cervical_thoracic_spinal_stenosis"}


# D3 -----------------------------------------------------------------------------------

LAB_CODES = {
    "2160-0": ("creatinine", "creatinine", 1.0, "mg/dL"),
    "3094-0": ("bun", "BUN", 30, "mg/dL"),
    "3024-7": ("free_t4", "free T4", 0.6, "ng/dL"),
    "2028-9": ("bicarbonate", "CO2", 24, "mmol/L"),
    "4544-3": ("hematocrit", "hematocrit", 40, "%"),
    "4548-4": ("hemoglobin_a1c", "HbA1c", 7.1, "%"),
    "10535-3": ("digoxin_level", "digoxin level", 1.2, "ng/mL"),
}


@pytest.mark.parametrize(("code", "lab"), sorted(LAB_CODES.items()))
def test_d3_loinc_codes_of_routine_labs_are_recognized_as_their_names(
    checker: Checker, code: str, lab: tuple[str, str, float, str]
) -> None:
    test_id, text, value, unit = lab
    assert checker.kb.lab_test_by_loinc[code] == test_id
    coded = checker(
        labs=[{"coding": [{"system": LOINC, "code": code}], "value": value, "unit": unit}]
    )
    named = checker(labs=[{"text": text, "value": value, "unit": unit}])
    assert coded.labs[0].status == named.labs[0].status == "recognized"
    assert coded.labs[0].reason == named.labs[0].reason
    assert coded.note == named.note
    assert "Could not check" not in coded.note


def test_d3_hba1c_with_its_loinc_display_is_recognized(checker: Checker) -> None:
    """The LOINC display "Hemoglobin A1c/Hemoglobin.total in Blood" is a blood test, not
    "another sample or test (urine, fluid, stool, CK-MB)", with or without its code."""
    display = "Hemoglobin A1c/Hemoglobin.total in Blood"
    for coding in (
        {"system": LOINC, "code": "4548-4", "display": display},
        {"system": LOINC, "display": display},
    ):
        [lab] = checker(labs=[{"coding": [coding], "value": 7.1, "unit": "%"}]).labs
        assert lab.status == "recognized"
        assert "another sample" not in (lab.reason or "")


@pytest.mark.parametrize(
    ("medication", "code", "value", "unit", "other"),
    [
        ("digoxin 0.125 mg", "10535-3", 1.2, "ng/mL", ("2823-3", 3.3, "mmol/L")),
        ("quinine 324 mg qhs for leg cramps", "2160-0", 1.0, "mg/dL", ("777-3", 250, "10*3/uL")),
    ],
)
def test_d3_a_coded_level_counts_as_sent_in_the_note(
    checker: Checker,
    medication: str,
    code: str,
    value: float,
    unit: str,
    other: tuple[str, float, str],
) -> None:
    """monitoring_when_measured reads a coded creatinine or digoxin level as sent: the note
    reads the result sent instead of asking for it, exactly as with its name."""
    second = {"coding": [{"system": LOINC, "code": other[0]}], "value": other[1], "unit": other[2]}
    text = LAB_CODES[code][1]
    coded = checker(
        medications=[{"text": medication}],
        labs=[{"coding": [{"system": LOINC, "code": code}], "value": value, "unit": unit}, second],
    )
    named = checker(
        medications=[{"text": medication}],
        labs=[{"text": text, "value": value, "unit": unit}, second],
    )
    assert coded.note == named.note
    assert "sent" in coded.note
    assert "A digoxin level and an ECG" not in coded.note
