"""Items left open by reviews 21 and 22 (clin24).

1. A drug class's monitoring line that asks for a test the request already carries reads
   it instead (``DrugClass.monitoring_when_measured``, as the rules' and analytes'): quinine
   and a platelet count, a statin and a CK, theophylline and a potassium or level.
2. A current thrombocytopenia on the problem list fills the quinine-with-low-platelets rule
   as a low count does (moderate: only a measured low count raises it to high).
3. A condition named with the operation that cured it (primary aldosteronism s/p
   adrenalectomy) is not current; a condition the operation causes stays current.
5. "Seromycin" is cycloserine; "INH" is isoniazid when a text starts with it and names no
   other drug, and stays the inhaled route beside another drug.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.engine.models import Report
from tests.conftest import Checker
from tests.knowledge.rendered import result

QUININE = [{"text": "quinine sulfate 324 mg at bedtime for leg cramps"}]
PLATELET_RULE = "combination/quinine_with_low_platelet_count"
NOT_SENT = "Ask why quinine is taken; platelet count and kidney function if it continues"


def _finding(report: Report, finding_id: str) -> Any:
    return next(f for f in report.findings if f.id == finding_id)


# 1. A class's monitoring reads a result sent --------------------------------------------


@pytest.mark.parametrize(
    ("labs", "line"),
    [
        ([], NOT_SENT),
        (
            [result("platelet count", 250, "10^9/L")],
            "Ask why quinine is taken; read the platelet count sent; kidney function, and"
            " the platelet count again, if it continues",
        ),
        (
            [result("PLT", 250, "10*3/uL"), {"text": "creatinine", "value": 1.0, "unit": "mg/dL"}],
            "Ask why quinine is taken; read the platelet count and kidney function sent, and"
            " repeat them if it continues",
        ),
        (
            [result("eGFR", 72, "mL/min/1.73m2")],
            "Ask why quinine is taken; read the kidney function sent; a platelet count, and"
            " kidney function again, if it continues",
        ),
    ],
)
def test_quinine_line_reads_the_platelet_count_sent(
    checker: Checker, labs: list[dict[str, Any]], line: str
) -> None:
    report = checker(medications=QUININE, labs=labs)
    finding = _finding(report, "medication/quinine")
    assert finding.monitoring == [line]
    assert not finding.absorbed_by  # a count that is not low: no platelet rule
    assert "normal" not in line


def test_quinine_line_with_a_low_count_is_spoken_for_by_the_rule(checker: Checker) -> None:
    report = checker(medications=QUININE, labs=[result("platelets", 95, "10*3/uL")])
    assert _finding(report, PLATELET_RULE).severity == "high"
    finding = _finding(report, "medication/quinine")
    assert finding.absorbed_by == PLATELET_RULE
    assert "read the platelet count sent" in finding.monitoring[0]


def test_statin_line_reads_the_ck_sent(checker: Checker) -> None:
    meds = [{"text": "atorvastatin 40 mg daily"}]
    without = _finding(checker(medications=meds), "medication/atorvastatin")
    assert without.monitoring[0] == "CK if there are muscle symptoms (pain, weakness, cramps)"
    report = checker(medications=meds, labs=[result("CK", 150, "U/L")])
    finding = _finding(report, "medication/atorvastatin")
    assert finding.monitoring == [
        "Read the CK sent against any muscle symptoms (pain, weakness, cramps)",
        "Check for interacting drugs, hypothyroidism and low vitamin D when muscle symptoms appear",
    ]


@pytest.mark.parametrize(
    ("labs", "line"),
    [
        (
            [],
            "Potassium and a theophylline level, especially after dose changes or"
            " interacting drugs",
        ),
        (
            [result("potassium", 4.1, "mmol/L")],
            "Read the potassium sent; a theophylline level, and both again after dose"
            " changes or interacting drugs",
        ),
        (
            [{"text": "theophylline level", "value": 12, "unit": "mcg/mL"}],
            "Potassium; read the theophylline level sent, and both again after dose changes"
            " or interacting drugs",
        ),
        (
            [
                result("potassium", 4.1, "mmol/L"),
                {"text": "theophylline level", "value": 12, "unit": "mcg/mL"},
            ],
            "Read the potassium and theophylline level sent; both again after dose changes"
            " or interacting drugs",
        ),
    ],
)
def test_theophylline_line_reads_what_was_sent(
    checker: Checker, labs: list[dict[str, Any]], line: str
) -> None:
    report = checker(medications=[{"text": "theophylline ER 300 mg bid"}], labs=labs)
    assert _finding(report, "medication/theophylline").monitoring == [line]


# 2. A coded thrombocytopenia joins the quinine rule -------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        {"text": "thrombocytopenia"},
        {"text": "low platelets"},
        {"text": "ITP"},
        {"text": "immune thrombocytopenia"},
        {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "D69.6"}]},
    ],
)
def test_a_current_thrombocytopenia_fills_the_quinine_rule(
    checker: Checker, condition: dict[str, Any]
) -> None:
    report = checker(medications=QUININE, conditions=[condition])
    finding = _finding(report, PLATELET_RULE)
    assert finding.severity == "moderate"  # only a measured low count is high
    assert {(ref.list, ref.index) for ref in finding.inputs} == {
        ("medications", 0),
        ("conditions", 0),
    }
    assert _finding(report, "medication/quinine").absorbed_by == PLATELET_RULE


def test_a_low_count_with_the_condition_is_high(checker: Checker) -> None:
    report = checker(
        medications=QUININE,
        conditions=[{"text": "thrombocytopenia"}],
        labs=[result("platelets", 95, "10*3/uL")],
    )
    assert _finding(report, PLATELET_RULE).severity == "high"
    assert report.conditions[0].status == "flagged"


@pytest.mark.parametrize(
    ("conditions", "labs"),
    [
        # A count that is not low outranks the coded condition.
        ([{"text": "thrombocytopenia"}], [result("platelets", 250, "10*3/uL")]),
        # An episode that ended.
        ([{"text": "history of thrombocytopenia"}], []),
        # Quinine taken for malaria is its labeled use, not the cramp treatment.
        ([{"text": "falciparum malaria"}, {"text": "thrombocytopenia"}], []),
    ],
)
def test_no_platelet_rule(
    checker: Checker, conditions: list[dict[str, Any]], labs: list[dict[str, Any]]
) -> None:
    meds = QUININE
    if len(conditions) == 2:
        meds = [{"text": "quinine sulfate 648 mg every 8 hours x 7 days"}]
    report = checker(medications=meds, conditions=conditions, labs=labs)
    assert PLATELET_RULE not in {f.id for f in report.findings}


def test_outranking_count_says_so(checker: Checker) -> None:
    report = checker(
        medications=QUININE,
        conditions=[{"text": "thrombocytopenia"}],
        labs=[result("platelets", 250, "10*3/uL")],
    )
    status = report.conditions[0]
    assert status.status == "recognized"
    assert status.reason is not None and "platelet count" in status.reason


# 3. A condition cured by the operation named with it ------------------------------------

HCTZ = [{"text": "hydrochlorothiazide 25 mg daily"}]
LOW_K = [result("potassium", 3.3, "mmol/L")]
BOTH_CAUSES = "combination/drug_and_condition_with_low_potassium"


@pytest.mark.parametrize(
    "text",
    [
        "primary aldosteronism status post adrenalectomy",
        "history of primary aldosteronism, s/p adrenalectomy",
        "Conn's syndrome s/p left adrenalectomy",
        "hyperaldosteronism, post adrenalectomy",
    ],
)
def test_primary_aldosteronism_cured_by_adrenalectomy_is_not_current(
    checker: Checker, text: str
) -> None:
    # With a normal potassium: a low one says the operation did not cure it (PASO), so the
    # condition is current again (tests/knowledge/test_review25_followup.py).
    normal_k = [{**LOW_K[0], "value": 4.2}]
    report = checker(medications=HCTZ, conditions=[{"text": text}], labs=normal_k)
    ids = {f.id for f in report.findings}
    assert BOTH_CAUSES not in ids
    assert "condition/primary_aldosteronism" not in ids
    status = report.conditions[0]
    assert status.status == "recognized"
    assert status.concepts == ["adrenalectomy (status after)"]
    assert status.reason is not None and status.reason.startswith("primary aldosteronism: ")


@pytest.mark.parametrize(
    "text",
    [
        "primary aldosteronism",
        "persistent primary aldosteronism after adrenalectomy",
        "recurrent hyperaldosteronism s/p adrenalectomy",
        "bilateral hyperaldosteronism s/p adrenalectomy",
        "primary aldosteronism, awaiting adrenalectomy",
        "primary aldosteronism, no adrenalectomy",
    ],
)
def test_primary_aldosteronism_not_cured_stays_current(checker: Checker, text: str) -> None:
    report = checker(medications=HCTZ, conditions=[{"text": text}], labs=LOW_K)
    assert BOTH_CAUSES in {f.id for f in report.findings}


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        # The operation causes these: they stay current beside it.
        ("s/p partial thyroidectomy, hypothyroidism", "hypothyroidism"),
        ("hypothyroidism s/p total thyroidectomy", "hypothyroidism"),
        ("hypocalcemia s/p parathyroidectomy", "hypocalcemia"),
        ("hungry bone syndrome after parathyroidectomy", None),
    ],
)
def test_what_an_operation_causes_stays_current(
    checker: Checker, text: str, condition: str | None
) -> None:
    report = checker(conditions=[{"text": text}])
    status = report.conditions[0]
    if condition is not None:
        assert f"condition/{condition}" in {f.id for f in report.findings}
        assert status.status == "flagged"
    assert status.reason is None or "operation" not in status.reason


# 5. Seromycin and INH --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("Seromycin 250 mg bid", "cycloserine"),
        ("INH 300 mg daily", "isoniazid"),
        ("INH 300 mg PO daily x 9 months", "isoniazid"),
        ("isoniazid 300 mg daily", "isoniazid"),
    ],
)
def test_tb_names_are_read(checker: Checker, text: str, drug: str) -> None:
    report = checker(medications=[{"text": text}])
    status = report.medications[0]
    assert status.concepts == [drug]
    assert status.status == "recognized"  # neither is a cramp contributor
    assert not report.findings


@pytest.mark.parametrize(
    "text", ["albuterol 2 puffs inh q4h", "inh albuterol 2 puffs q4h prn", "albuterol inh"]
)
def test_inh_beside_a_drug_stays_the_inhaled_route(checker: Checker, text: str) -> None:
    report = checker(medications=[{"text": text}])
    assert report.medications[0].concepts == ["albuterol"]


def test_inhaled_albuterol_reads_as_before(checker: Checker) -> None:
    """The route "inh" still gives the inhaled albuterol finding (not an oral one)."""
    inh = checker(medications=[{"text": "albuterol 2 puffs inh q4h"}])
    inhaled = checker(medications=[{"text": "albuterol 2 puffs inhaled q4h"}])
    assert [f.id for f in inh.findings] == [f.id for f in inhaled.findings]
    assert [f.detail for f in inh.findings] == [f.detail for f in inhaled.findings]


def test_isoniazid_with_rifampin_list(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "INH 300 mg po daily"}, {"text": "rifampin 600 mg daily"}]
    )
    assert [m.concepts for m in report.medications] == [["isoniazid"], ["rifampin"]]
