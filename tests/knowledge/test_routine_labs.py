"""Routine labs the service knows but does not check (pharmacist review item 12): a basic
metabolic panel's creatinine, BUN and CO2, a digoxin level and the like are recognized
with a reason, never flagged, never in the note's "Could not check" list and never an
entry error; FSBG is glucose; and the short names of checked analytes keep their meaning."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.knowledge import KnowledgeError, default_datasets_dir, load_knowledge
from tests.conftest import Checker

BMP: list[dict[str, Any]] = [
    {"text": "K", "value": 3.4, "unit": "mmol/L"},
    {"text": "digoxin level", "value": 2.4, "unit": "ng/mL"},
    {"text": "creatinine", "value": 2.1, "unit": "mg/dL"},
    {"text": "BUN", "value": 40, "unit": "mg/dL"},
    {"text": "CO2", "value": 30, "unit": "mmol/L"},
]
MEDS = [{"text": "digoxin 0.125 mg daily"}, {"text": "furosemide 40 mg bid"}]


def test_a_bmp_reads_its_routine_labs_as_recognized_and_not_as_unchecked(
    checker: Checker,
) -> None:
    report = checker(medications=MEDS, labs=BMP)
    assert [s.status for s in report.labs] == ["flagged"] + ["recognized"] * 4
    assert [s.concept for s in report.labs[1:]] == [
        "digoxin level",
        "creatinine",
        "BUN (blood urea nitrogen)",
        "bicarbonate (total CO2)",
    ]
    assert all(s.reason and "not checked" in s.reason for s in report.labs[1:])
    assert "eGFR" in (report.labs[2].reason or "")
    assert "Could not check" not in report.note


def test_routine_labs_leave_the_potassium_findings_as_they_were(checker: Checker) -> None:
    alone = checker(medications=MEDS, labs=BMP[:1])
    with_bmp = checker(medications=MEDS, labs=BMP)
    assert [(f.id, f.severity, f.title, f.inputs) for f in with_bmp.findings] == [
        (f.id, f.severity, f.title, f.inputs) for f in alone.findings
    ]
    assert "lab/potassium/low" in [f.id for f in with_bmp.findings]
    assert with_bmp.risk == alone.risk == "high"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("creatinine", "creatinine"),
        ("Cr", "creatinine"),
        ("serum creatinine", "creatinine"),
        ("BUN", "BUN (blood urea nitrogen)"),
        ("CO2", "bicarbonate (total CO2)"),
        ("bicarb", "bicarbonate (total CO2)"),
        ("bicarbonate", "bicarbonate (total CO2)"),
        ("Hct", "hematocrit"),
        ("free T4", "free T4"),
        ("T4, free", "free T4"),
        ("digoxin level", "digoxin level"),
        ("lithium level", "lithium level"),
        ("CrCl", "creatinine clearance"),
        ("ferritin", "ferritin"),
        ("B12", "vitamin B12"),
        ("Cl", "chloride"),
        ("HbA1c", "hemoglobin A1c"),
        ("Hgb A1c", "hemoglobin A1c"),
        ("A1C", "hemoglobin A1c"),
        ("glycated hemoglobin", "hemoglobin A1c"),
    ],
)
def test_each_routine_lab_is_recognized_whatever_its_value_and_unit(
    checker: Checker, text: str, concept: str
) -> None:
    # Values and units no analyte would accept: never read, so never a 400.
    for value, unit in [(1.0, "mg/dL"), (-5.0, "furlongs"), (1e8, "%")]:
        report = checker(labs=[{"text": text, "value": value, "unit": unit}])
        status = report.labs[0]
        assert (status.status, status.concept, status.match) == ("recognized", concept, "name")
        assert status.reason
        assert report.findings == []
        assert "Could not check" not in report.note


def test_fsbg_is_glucose(checker: Checker) -> None:
    report = checker(labs=[{"text": "FSBG", "value": 55, "unit": "mg/dL"}])
    assert report.labs[0].status == "flagged"
    assert report.labs[0].concept == "glucose"
    assert [f.id for f in report.findings] == ["lab/glucose/low"]


@pytest.mark.parametrize(
    ("text", "value", "unit", "concept"),
    [
        ("Ca", 7.0, "mg/dL", "calcium (total)"),
        ("CK", 5000, "U/L", "creatine kinase (CK)"),
        ("K", 3.0, "mmol/L", "potassium"),
        ("Mg", 1.4, "mg/dL", "magnesium"),
    ],
)
def test_short_names_of_checked_analytes_keep_their_meaning(
    checker: Checker, text: str, value: float, unit: str, concept: str
) -> None:
    report = checker(labs=[{"text": text, "value": value, "unit": unit}])
    assert (report.labs[0].status, report.labs[0].concept) == ("flagged", concept)


@pytest.mark.parametrize(
    "text",
    ["urine creatinine", "pCO2", "creatinine kinase", "vitamin K", "CA 19-9", "urine A1c"],
)
def test_other_tests_are_not_read_as_a_routine_lab(checker: Checker, text: str) -> None:
    report = checker(labs=[{"text": text, "value": 1.0, "unit": "mg/dL"}])
    assert report.labs[0].status == "unrecognized"


def test_a_routine_lab_that_names_an_analyte_is_refused(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), datasets)
    labs = datasets / "labs.toml"
    labs.write_text(
        labs.read_text(encoding="utf-8")
        + '\n[[lab_test]]\nid = "zz_test"\nname = "zz"\nabbreviations = ["Ca"]\n'
        'not_checked_because = "x"\nsources = ["bozeman_bmp"]\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="lab test 'zz_test': 'Ca' also names analyte"):
        load_knowledge(datasets)


def test_a_bmp_over_http_has_no_unchecked_labs(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/check", json={"medications": MEDS, "labs": BMP})
    assert response.status_code == 200
    body = response.json()
    assert [s["status"] for s in body["labs"]] == ["flagged"] + ["recognized"] * 4
    assert "Could not check" not in body["note"]


def test_hemoglobin_a1c_is_not_hemoglobin(checker: Checker) -> None:
    """An HbA1c of 8% is long-term glucose control, not a hemoglobin of 8 g/dL."""
    report = checker(
        labs=[
            {"text": "hemoglobin A1c", "value": 8.0, "unit": "%"},
            {"text": "hemoglobin", "value": 8.0, "unit": "g/dL"},
        ]
    )
    assert [(s.status, s.concept) for s in report.labs] == [
        ("recognized", "hemoglobin A1c"),
        ("flagged", "hemoglobin"),
    ]
    assert [f.inputs[0].index for f in report.findings if f.kind == "lab"] == [1]
