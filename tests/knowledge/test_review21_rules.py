"""Pharmacist review 21: rules and condition/analyte semantics."""

from __future__ import annotations

from tests.conftest import Checker


def _ids(report: object) -> list[str]:
    return [f.id for f in report.findings]  # type: ignore[attr-defined]


def test_hypoparathyroidism_with_a_normal_corrected_calcium_is_not_a_contributor(
    checker: Checker,
) -> None:
    """Review 21 A4: a controlled hypoparathyroidism (corrected calcium 9.0) was a
    low contributor; cramps come from the low calcium (measured_by calcium:low)."""
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[
            {"text": "calcium", "value": 9.0, "unit": "mg/dL"},
            {"text": "albumin", "value": 4.0, "unit": "g/dL"},
        ],
    )
    assert report.risk == "none"
    assert report.findings == []
    status = report.conditions[0]
    assert (status.status, status.concept) == ("recognized", "hypoparathyroidism")
    assert status.reason is not None and "calcium" in status.reason


def test_hypoparathyroidism_with_a_normal_ionized_calcium_is_not_a_contributor(
    checker: Checker,
) -> None:
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[{"text": "ionized calcium", "value": 1.2, "unit": "mmol/L"}],
    )
    assert report.findings == []


def test_hypoparathyroidism_still_joins_a_low_calcium(checker: Checker) -> None:
    report = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[
            {"text": "calcium", "value": 7.3, "unit": "mg/dL"},
            {"text": "magnesium", "value": 1.5, "unit": "mg/dL"},
        ],
    )
    assert report.risk == "high"
    assert "combination/condition_with_low_calcium_and_low_magnesium" in _ids(report)
    moderate = checker(
        conditions=[{"text": "hypoparathyroidism"}],
        labs=[{"text": "calcium", "value": 7.9, "unit": "mg/dL"}],
    )
    assert moderate.risk == "moderate"
    assert "combination/condition_with_low_calcium" in _ids(moderate)


def test_hypoparathyroidism_without_a_calcium_is_still_listed(checker: Checker) -> None:
    report = checker(conditions=[{"text": "hypoparathyroidism"}])
    assert _ids(report) == ["condition/hypoparathyroidism"]


QUININE = {"text": "quinine sulfate 324 mg qhs for leg cramps"}


def _platelets(
    value: float, unit: str = "10*3/uL", text: str = "platelet count"
) -> dict[str, object]:
    return {"text": text, "value": value, "unit": unit}


def test_quinine_with_a_low_platelet_count_is_one_high_problem(checker: Checker) -> None:
    """Review 21 B1: the quinine card asked for a platelet count, then said 'Could not
    check' for a count of 62; the boxed warning names thrombocytopenia and HUS/TTP."""
    report = checker(medications=[QUININE], labs=[_platelets(62)])
    assert report.risk == "high"
    open_ = [f for f in report.findings if f.absorbed_by is None]
    assert [f.id for f in open_] == ["combination/quinine_with_low_platelet_count"]
    problem = open_[0]
    assert "stop quinine" in problem.title.lower()
    assert any("HUS/TTP" in line and "smear" in line for line in problem.monitoring)
    assert problem.management[0].startswith("Stop quinine")
    quinine = next(f for f in report.findings if f.id == "medication/quinine")
    assert quinine.absorbed_by == "combination/quinine_with_low_platelet_count"
    assert report.labs[0].status == "flagged"
    assert "Could not check" not in report.note
    assert sum(line.startswith("- ") for line in report.note.splitlines()) == 1
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "platelet count" not in check.lower()


def test_platelet_names_and_units(checker: Checker) -> None:
    for text, unit in [
        ("PLT", "K/uL"),
        ("platelets", "10^9/L"),
        ("Platelet count", "x10^9/L"),
        ("Platelets [#/volume] in Blood by Automated count", "10*3/uL"),
    ]:
        report = checker(medications=[QUININE], labs=[_platelets(110, unit, text)])
        assert report.risk == "high", (text, unit)


def test_a_normal_platelet_count_leaves_the_quinine_finding(checker: Checker) -> None:
    report = checker(medications=[QUININE], labs=[_platelets(250)])
    assert [f.id for f in report.findings] == ["medication/quinine"]
    assert report.labs[0].status == "recognized"


def test_a_low_platelet_count_alone_is_not_a_finding(checker: Checker) -> None:
    report = checker(labs=[_platelets(62, "K/uL", "PLT")])
    assert report.risk == "none" and report.findings == []
    assert report.labs[0].status == "recognized"


def test_quinine_for_malaria_does_not_fill_the_platelet_rule(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "quinine 648 mg q8h for malaria"}], labs=[_platelets(62)]
    )
    assert report.findings == []


def test_other_platelet_tests_are_not_the_count(checker: Checker) -> None:
    for text, unit in [
        ("mean platelet volume", "fL"),
        ("Platelet [Entitic mean volume] in Blood by Automated count", "fL"),
        ("platelet factor 4 antibody", "U"),
    ]:
        report = checker(medications=[QUININE], labs=[{"text": text, "value": 1.0, "unit": unit}])
        assert report.labs[0].status == "unrecognized", text
        assert [f.id for f in report.findings] == ["medication/quinine"]


def _k_phos(potassium: float, phosphate: float) -> list[dict[str, object]]:
    return [
        {"text": "potassium", "value": potassium, "unit": "mmol/L"},
        {"text": "phosphate", "value": phosphate, "unit": "mg/dL"},
    ]


TDF_RULE = "combination/tenofovir_disoproxil_with_low_potassium_and_phosphate"


def test_tenofovir_df_with_low_potassium_and_phosphate_is_one_problem(checker: Checker) -> None:
    """Review 21 B2: Viread with K 3.0 and phosphate 1.9 gave only 'Low potassium'."""
    report = checker(
        medications=[{"text": "Viread 300 mg daily"}, {"text": "dolutegravir 50 mg daily"}],
        conditions=[{"text": "HIV"}],
        labs=_k_phos(3.0, 1.9),
    )
    assert report.risk == "moderate"
    open_ = [f for f in report.findings if f.absorbed_by is None]
    assert [f.id for f in open_] == [TDF_RULE]
    assert "Fanconi" in open_[0].title
    check = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert "urine glucose and protein" in check
    # A combination product with tenofovir disoproxil fills it too.
    truvada = checker(medications=[{"text": "Truvada 1 tab daily"}], labs=_k_phos(3.2, 1.9))
    assert TDF_RULE in {f.id for f in truvada.findings}


def test_tenofovir_df_needs_both_results_low(checker: Checker) -> None:
    viread = [{"text": "Viread 300 mg daily"}]
    only_k = checker(medications=viread, labs=[_k_phos(3.2, 3.5)[0]])
    assert TDF_RULE not in {f.id for f in only_k.findings}
    normal_k = checker(medications=viread, labs=_k_phos(4.2, 1.9))
    assert normal_k.findings == []


def test_tenofovir_alafenamide_does_not_fill_it(checker: Checker) -> None:
    for text in ["Vemlidy 25 mg daily", "Descovy 1 tab daily", "Biktarvy 1 tab daily"]:
        report = checker(medications=[{"text": text}], labs=_k_phos(3.2, 1.9))
        assert TDF_RULE not in {f.id for f in report.findings}, text


def test_tenofovir_df_is_high_with_a_severe_result(checker: Checker) -> None:
    viread = [{"text": "Viread 300 mg daily"}]
    phos = checker(medications=viread, labs=_k_phos(3.2, 0.8))
    assert phos.risk == "high"
    potassium = checker(medications=viread, labs=_k_phos(2.8, 2.0))
    assert potassium.risk == "high"
    assert "ECG" in potassium.note


def test_parkinson_disease_does_not_hide_a_dystonia(checker: Checker) -> None:
    """Review 22 A4: Parkinson disease outranking dystonia (review 21 C1) hid the dystonia's
    check for dopamine-blocking drugs with metoclopramide on the list: both stay lines."""
    report = checker(
        medications=[
            {"text": "carbidopa/levodopa 25/100 tid"},
            {"text": "metoclopramide 10 mg tid"},
        ],
        conditions=[{"text": "Parkinson's disease"}, {"text": "dystonia"}],
    )
    ids = [f.id for f in report.findings]
    assert "condition/parkinson_disease" in ids
    assert "condition/dystonia" in ids


def test_an_egfr_below_30_is_not_called_chronic_nor_about_denosumab(checker: Checker) -> None:
    """Review 21 A7: with acute kidney injury coded, an eGFR of 24 was titled 'chronic
    kidney disease stage 4-5' and its detail spoke of denosumab, which was not taken."""
    report = checker(
        conditions=[{"text": "acute kidney injury"}],
        labs=[{"text": "eGFR", "value": 24, "unit": "mL/min/1.73m2"}],
    )
    finding = next(f for f in report.findings if f.id == "lab/egfr/low")
    assert "chronic" not in finding.title.lower()
    assert finding.title.startswith("eGFR below 30")
    assert "denosumab" not in finding.detail.lower()
    # The denosumab rule keeps its own warning.
    prolia = checker(
        medications=[{"text": "Prolia 60 mg every 6 months"}],
        labs=[{"text": "eGFR", "value": 24, "unit": "mL/min/1.73m2"}],
    )
    assert prolia.risk == "high"
    assert "combination/denosumab_in_advanced_kidney_disease" in _ids(prolia)


JAK_RULE = "combination/jak_inhibitor_with_raised_ck"


def _ck(value: float) -> list[dict[str, object]]:
    return [{"text": "CK", "value": value, "unit": "U/L"}]


def test_a_raised_ck_on_tofacitinib_names_the_drug(checker: Checker) -> None:
    """Review 21 B4: Xeljanz with CK 900 gave a lone 'Raised CK' with generic advice; the
    label lists increased blood CPK among its common adverse reactions."""
    report = checker(medications=[{"text": "Xeljanz 10 mg BID"}], labs=_ck(900))
    open_ = [f for f in report.findings if f.absorbed_by is None]
    assert [f.id for f in open_] == [JAK_RULE]
    assert open_[0].severity == "low"
    assert "usually reversible" in open_[0].management[0]
    rinvoq = checker(medications=[{"text": "Rinvoq 15 mg daily"}], labs=_ck(900))
    assert JAK_RULE in _ids(rinvoq)


def test_a_markedly_raised_ck_on_a_jak_inhibitor_is_moderate_and_not_reassured(
    checker: Checker,
) -> None:
    report = checker(medications=[{"text": "Rinvoq 15 mg daily"}], labs=_ck(4000))
    finding = next(f for f in report.findings if f.id == JAK_RULE)
    assert finding.severity == "moderate"
    assert "rhabdomyolysis" in finding.management[0]
    rhabdo = checker(medications=[{"text": "Xeljanz 10 mg BID"}], labs=_ck(15000))
    assert rhabdo.risk == "high"
    assert "myoglobin" in rhabdo.note


def test_a_jak_inhibitor_alone_or_with_a_normal_ck_is_not_flagged(checker: Checker) -> None:
    assert checker(medications=[{"text": "Xeljanz 10 mg BID"}], labs=_ck(100)).findings == []
    assert checker(medications=[{"text": "Xeljanz 10 mg BID"}]).findings == []
