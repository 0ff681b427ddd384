"""Signal round 29: conditions and patient fields that decide the answer.

- Denosumab in hypoparathyroidism: the denosumab monograph names a history of
  hypoparathyroidism among conditions predisposing to hypocalcemia (correct low calcium
  first, use with caution, monitor calcium, phosphorus and magnesium). One problem,
  moderate; a severely low calcium makes it high; a normal calcium on record keeps it off.
- A newborn's CK: term newborns in the first days of life run CK far above adult limits
  (up to 2,667-3,082 U/L, Neurosciences (Riyadh) 2022, PMID 36252976), so a newborn's CK of
  900 U/L is no finding; the adult limits still apply from the second week and when no age
  is sent.
- A newborn's total calcium (hypocalcemia below 8.0 mg/dL in a term newborn, Gomella's
  Neonatology), a child's hemoglobin (WHO 2011 cut-offs by age) and a child's TSH are read
  against the limits for age, not the adult ones."""

from __future__ import annotations

from tests.conftest import Checker
from tests.knowledge.rendered import result, shown_combinations

DENOSUMAB_HYPOPARA = "combination/denosumab_with_hypoparathyroidism"
DENOSUMAB_HYPOPARA_LOW_CA = "combination/denosumab_with_hypoparathyroidism_and_low_calcium"


def _icd(code: str) -> dict[str, object]:
    return {"coding": [{"system": "icd10cm", "code": code}]}


def test_denosumab_in_hypoparathyroidism_is_one_moderate_problem(checker: Checker) -> None:
    for condition in (_icd("E20.9"), _icd("E89.2"), {"text": "hypoparathyroidism"}):
        report = checker(medications=[{"text": "Prolia 60 mg"}], conditions=[condition])
        assert shown_combinations(report) == [DENOSUMAB_HYPOPARA], condition
        finding = next(f for f in report.findings if f.id == DENOSUMAB_HYPOPARA)
        assert finding.severity == "moderate"
        assert report.risk == "moderate"
        assert len(finding.detail) <= 450


def test_denosumab_hypoparathyroidism_and_a_low_calcium_is_one_finding(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "denosumab 60 mg"}],
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[result("calcium", 2.0, "mmol/L")],
    )
    assert shown_combinations(report) == [DENOSUMAB_HYPOPARA_LOW_CA]
    assert report.risk == "moderate"
    severe = checker(
        medications=[{"text": "denosumab 60 mg"}],
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[result("calcium", 1.7, "mmol/L")],
    )
    assert shown_combinations(severe) == [DENOSUMAB_HYPOPARA_LOW_CA]
    assert severe.risk == "high"


def test_denosumab_in_hypoparathyroidism_with_a_normal_calcium_is_not_joined(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "denosumab 60 mg"}],
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[result("calcium", 2.3, "mmol/L")],
    )
    assert shown_combinations(report) == []
    assert report.risk == "low"


def test_teriparatide_in_hypoparathyroidism_is_not_joined(checker: Checker) -> None:
    """Teriparatide raises calcium: no shared mechanism with hypoparathyroidism."""
    report = checker(
        medications=[{"text": "teriparatide 20 mcg daily"}],
        conditions=[{"text": "hypoparathyroidism"}],
    )
    assert shown_combinations(report) == []
    assert report.risk == "low"


def test_a_newborns_ck_is_read_against_the_newborn_range(checker: Checker) -> None:
    for sex in ("male", "female"):
        report = checker(patient={"age": 0.01, "sex": sex}, labs=[result("CK", 900, "U/L")])
        assert report.findings == [], sex
        assert report.labs[0].status == "recognized"
        report = checker(patient={"age": 0.01, "sex": sex}, labs=[result("CK", 2500, "U/L")])
        assert report.findings == [], sex
    above = checker(patient={"age": 0.01}, labs=[result("CK", 5000, "U/L")])
    assert [(f.id, f.severity) for f in above.findings] == [("lab/ck/high", "low")]
    assert "newborn" in above.findings[0].title


def test_adult_ck_limits_apply_after_the_first_week_and_without_an_age(checker: Checker) -> None:
    for patient in ({"age": 0.5, "sex": "female"}, {"sex": "female"}, None):
        kwargs = {"patient": patient} if patient else {}
        report = checker(labs=[result("CK", 900, "U/L")], **kwargs)
        assert [f.id for f in report.findings] == ["lab/ck/high"], patient


def test_a_childs_hemoglobin_is_read_against_the_who_limits_for_age(checker: Checker) -> None:
    """WHO 2011: anemia below 11.0 g/dL at 6-59 months, 11.5 at 5-11 years, 12.0 at 12-14
    years whatever the sex; adult limits (12.0 women, 13.0 men) from 15."""
    not_anemic: list[tuple[dict[str, object], float]] = [
        ({"age": 4, "sex": "male"}, 11.5),
        ({"age": 13, "sex": "male"}, 12.5),
    ]
    anemic: list[tuple[dict[str, object], float]] = [
        ({"age": 4}, 10.5),
        ({"age": 8, "sex": "female"}, 11.3),
        ({"age": 16, "sex": "male"}, 12.5),
    ]
    for patient, value in not_anemic:
        report = checker(patient=patient, labs=[result("hemoglobin", value, "g/dL")])
        assert report.findings == [], patient
    for patient, value in anemic:
        report = checker(patient=patient, labs=[result("hemoglobin", value, "g/dL")])
        assert [f.id for f in report.findings] == ["lab/hemoglobin/low"], patient
    pregnant_teen = checker(
        patient={"age": 14, "sex": "female", "pregnant": True},
        labs=[result("hemoglobin", 11.5, "g/dL")],
    )
    assert [f.id for f in pregnant_teen.findings] == ["condition/pregnancy"]


def test_a_newborns_calcium_is_read_against_the_newborn_limit(checker: Checker) -> None:
    """Term-newborn hypocalcemia is a total calcium below 8.0 mg/dL (Gomella)."""
    normal = checker(patient={"age": 0.01}, labs=[result("calcium", 8.2, "mg/dL")])
    assert normal.findings == []
    low = checker(patient={"age": 0.01}, labs=[result("calcium", 7.8, "mg/dL")])
    assert [(f.id, f.severity) for f in low.findings] == [("lab/calcium/low", "low")]
    adult = checker(patient={"age": 40}, labs=[result("calcium", 8.2, "mg/dL")])
    assert [f.id for f in adult.findings] == ["lab/calcium/low"]


def test_a_childs_tsh_is_read_against_the_limits_for_age(checker: Checker) -> None:
    """Pediatric TSH limits (Medycyna Praktyczna, Pediatria, Table VI.B.2-5): 16 mIU/L to
    day 30, 7.0 to 3 years, 6.0 at 4-5 years, 5.0 at 6-10 years; adult 4.5 from 11."""
    for age, value in ((0.01, 12.0), (2, 6.5), (4, 5.5)):
        report = checker(patient={"age": age}, labs=[result("TSH", value, "mIU/L")])
        assert report.findings == [], age
    for age, value in ((0.01, 17.0), (4, 6.5), (8, 5.5), (12, 5.5)):
        report = checker(patient={"age": age}, labs=[result("TSH", value, "mIU/L")])
        assert [f.id for f in report.findings] == ["lab/tsh/high"], age
    assert [f.id for f in checker(labs=[result("TSH", 5.5, "mIU/L")]).findings] == ["lab/tsh/high"]


def test_a_statin_with_a_drug_induced_myopathy_on_record_is_one_problem(checker: Checker) -> None:
    """The statin labels: discontinue when myopathy is diagnosed or suspected."""
    for condition in ({"text": "statin myopathy"}, _icd("G72.0")):
        report = checker(medications=[{"text": "atorvastatin 40 mg"}], conditions=[condition])
        assert shown_combinations(report) == ["combination/statin_with_drug_induced_myopathy"]
        assert report.risk == "moderate"
    normal_ck = checker(
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": "statin myopathy"}],
        labs=[result("CK", 100, "U/L")],
    )
    assert normal_ck.risk == "low"
    raised_ck = checker(
        medications=[{"text": "atorvastatin 40 mg"}],
        conditions=[{"text": "statin myopathy"}],
        labs=[result("CK", 4000, "U/L")],
    )
    assert "combination/statin_with_drug_induced_myopathy" not in shown_combinations(raised_ck)
    assert raised_ck.risk == "high"


def test_with_advanced_kidney_disease_the_boxed_warning_speaks_for_denosumab(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "denosumab 60 mg"}],
        conditions=[{"text": "hypoparathyroidism"}, {"text": "CKD stage 5"}],
        labs=[result("calcium", 2.0, "mmol/L")],
    )
    assert shown_combinations(report) == [
        "combination/denosumab_in_advanced_kidney_disease_with_low_calcium"
    ]
    no_lab = checker(
        medications=[{"text": "denosumab 60 mg"}],
        conditions=[{"text": "hypoparathyroidism"}, {"text": "CKD stage 5"}],
    )
    assert shown_combinations(no_lab) == ["combination/denosumab_in_advanced_kidney_disease"]
