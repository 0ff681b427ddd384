"""Findings, labs with unit conversion, combinations, risk and the chart note."""

from __future__ import annotations

import pytest

from tests.conftest import Checker

LOINC = "http://loinc.org"


def lab(code: str, value: float, unit: str) -> dict[str, object]:
    return {"coding": [{"system": LOINC, "code": code}], "value": value, "unit": unit}


def test_empty_request_has_no_risk(checker: Checker) -> None:
    report = checker()
    assert report.risk == "none"
    assert report.findings == []
    # Review 21 C5: not "no checked medication ... is a contributor" when nothing was sent.
    assert "Nothing was sent to check" in report.note
    checked = checker(medications=[{"text": "lisinopril 10 mg daily"}])
    assert "No checked medication, condition or lab is a known contributor" in checked.note


@pytest.mark.parametrize(
    ("item", "flagged"),
    [
        (lab("2823-3", 3.1, "mmol/L"), True),
        (lab("6298-4", 3.1, "mEq/L"), True),
        (lab("2823-3", 4.2, "mmol/L"), False),
        (lab("2601-3", 0.55, "mmol/L"), True),  # 1.34 mg/dL
        (lab("19123-9", 2.1, "mg/dL"), False),
        (lab("17861-6", 7.9, "mg/dL"), True),
        (lab("17861-6", 2.35, "mmol/L"), False),  # 9.4 mg/dL
        (lab("2345-7", 3.0, "mmol/L"), True),  # 54 mg/dL
        (lab("3016-3", 12, "mIU/L"), True),
        (lab("3016-3", 2.0, "uIU/mL"), False),
        ({"text": "potassium", "value": 2.9, "unit": "mEq/L"}, True),
    ],
)
def test_labs_convert_units_and_compare_with_limits(
    checker: Checker, item: dict[str, object], flagged: bool
) -> None:
    report = checker(labs=[item])
    assert report.labs[0].status == ("flagged" if flagged else "recognized")


def test_hemoglobin_limits_depend_on_sex(checker: Checker) -> None:
    hb = lab("718-7", 12.5, "g/dL")
    assert checker(patient={"sex": "male"}, labs=[hb]).labs[0].status == "flagged"
    assert checker(patient={"sex": "female"}, labs=[hb]).labs[0].status == "recognized"
    assert checker(labs=[lab("718-7", 105, "g/L")]).labs[0].status == "flagged"


def test_tsh_upper_limit_is_lower_in_pregnancy(checker: Checker) -> None:
    """ATA 2017: without a pregnancy-specific range, about 4.0 mIU/L in pregnancy."""
    tsh = lab("3016-3", 4.2, "mIU/L")
    pregnant = {"sex": "female", "pregnant": True}
    assert checker(patient=pregnant, labs=[tsh]).labs[0].status == "flagged"
    assert checker(patient={"sex": "female"}, labs=[tsh]).labs[0].status == "recognized"
    own_range = {**tsh, "reference_range": {"low": 0.1, "high": 4.5}}
    assert checker(patient=pregnant, labs=[own_range]).labs[0].status == "recognized"


def test_a_pregnancy_among_the_conditions_sets_the_pregnancy_limits(checker: Checker) -> None:
    """As ``patient.pregnant`` does (and as a FHIR pregnancy Condition does), unless the
    patient field says otherwise; a pregnancy in the past does not."""
    tsh, hb = lab("3016-3", 4.2, "mIU/L"), lab("718-7", 11.5, "g/dL")
    pregnancy = [{"text": "pregnancy, 24 weeks"}]
    report = checker(patient={"sex": "female"}, conditions=pregnancy, labs=[tsh, hb])
    assert [s.status for s in report.labs] == ["flagged", "recognized"]
    assert checker(conditions=pregnancy, labs=[tsh]).labs[0].status == "flagged"
    stated = checker(patient={"sex": "female", "pregnant": False}, conditions=pregnancy, labs=[hb])
    assert stated.labs[0].status == "flagged"
    past = checker(patient={"sex": "female"}, conditions=[{"text": "no pregnancy"}], labs=[tsh])
    assert past.labs[0].status == "recognized"


@pytest.mark.parametrize(
    ("other", "contraindicated"),
    [
        ("ketoconazole 200 mg tablet daily", True),
        ("erythromycin 500 mg po qid", True),
        ("cyclosporine 100 mg bid", True),
        ("ketoconazole 2% shampoo twice weekly", False),
        ("ketoconazole 2% cream apply bid", False),
        ("erythromycin 0.5% ophthalmic ointment", False),
        ("Restasis 0.05% 1 drop OU bid", False),
    ],
)
def test_an_interaction_needs_the_drug_to_reach_the_circulation(
    checker: Checker, other: str, contraindicated: bool
) -> None:
    """A shampoo, a cream or eye drops are not the labels' contraindicated pairs."""
    report = checker(medications=[{"text": "simvastatin 40 mg daily"}, {"text": other}])
    bases = {f.basis for f in report.findings}
    assert ("contraindicated" in bases) is contraindicated, report.findings
    assert report.medications[1].status == ("flagged" if contraindicated else "recognized")


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("Magnesium, urine", 1.0, "mg/dL"),  # read as serum: a severe low magnesium
        ("Sodium, urine", 18.0, "mmol/L"),  # read as serum: an impossible value, a 400
        ("CSF glucose", 40.0, "mg/dL"),
        ("Fecal calcium", 5.0, "mg/dL"),
        ("CK-MB", 12.0, "U/L"),
        ("Glycated albumin", 17.0, "%"),
    ],
)
def test_another_sample_or_test_of_an_analyte_is_not_checked(
    checker: Checker, name: str, value: float, unit: str
) -> None:
    report = checker(labs=[{"text": name, "value": value, "unit": unit}])
    assert report.findings == []
    status = report.labs[0]
    assert status.status == "unrecognized"
    assert status.reason is not None
    assert "not checked" in status.reason


@pytest.mark.parametrize(
    ("name", "value", "unit", "analyte"),
    [
        ("Mg", 1.1, "mg/dL", "magnesium"),
        ("Mg++", 1.1, "mg/dL", "magnesium"),
        ("serum Mg", 1.1, "mg/dL", "magnesium"),
        ("K", 2.9, "mmol/L", "potassium"),
        ("K+", 2.9, "mmol/L", "potassium"),
        ("K, whole blood", 2.9, "mmol/L", "potassium"),
        ("Ca", 6.9, "mg/dL", "calcium"),
        ("Ca++", 6.9, "mg/dL", "calcium"),
        ("Na", 120.0, "mmol/L", "sodium"),
        ("Na+ (serum)", 120.0, "mmol/L", "sodium"),
    ],
)
def test_a_lab_named_only_by_its_abbreviation_is_that_analyte(
    checker: Checker, name: str, value: float, unit: str, analyte: str
) -> None:
    report = checker(labs=[{"text": name, "value": value, "unit": unit}])
    assert report.labs[0].status == "flagged"
    assert report.labs[0].concept == checker.kb.analytes[analyte].name
    assert report.risk == "high"


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("vitamin K", 0.5, "ng/mL"),
        ("Vitamin K1", 0.5, "nmol/L"),
        ("CA 19-9", 30.0, "U/mL"),
        ("Ca-125", 30.0, "U/mL"),
        ("CA 15-3", 20.0, "U/mL"),
        # Read as sodium, 12 mmol/L was an impossible value: a 400 for the whole request.
        ("Anion gap (Na - Cl - HCO3)", 12.0, "mmol/L"),
        ("Phos", 2.0, "mg/dL"),  # a known test not checked, never read as another analyte
    ],
)
def test_an_abbreviation_inside_another_lab_name_is_not_that_analyte(
    checker: Checker, name: str, value: float, unit: str
) -> None:
    report = checker(labs=[{"text": name, "value": value, "unit": unit}])
    assert report.labs[0].status in ("unrecognized", "recognized")
    assert report.labs[0].concept in (None, "phosphate (phosphorus)")
    assert report.findings == []


def test_a_blood_test_code_wins_over_its_text(checker: Checker) -> None:
    potassium = {**lab("2823-3", 3.1, "mmol/L"), "text": "potassium (not urine)"}
    assert checker(labs=[potassium]).labs[0].status == "flagged"
    assert (
        checker(labs=[{"text": "Magnesium, serum", "value": 1.0, "unit": "mg/dL"}]).risk == "high"
    )


def test_total_calcium_is_corrected_for_albumin(checker: Checker) -> None:
    calcium = lab("17861-6", 8.0, "mg/dL")
    assert checker(labs=[calcium]).labs[0].status == "flagged"
    corrected = checker(labs=[calcium, lab("1751-7", 2.5, "g/dL")])  # 8.0 + 1.2 = 9.2
    assert corrected.labs[0].status == "recognized"


def test_unknown_unit_is_reported_not_guessed(checker: Checker) -> None:
    report = checker(labs=[lab("2823-3", 3.1, "furlongs")])
    assert report.labs[0].status == "unrecognized"
    assert "furlongs" in (report.labs[0].reason or "")


def test_loop_plus_thiazide_joins_both(checker: Checker) -> None:
    report = checker(medications=[{"text": "furosemide 40 mg"}, {"text": "metolazone 5 mg"}])
    combos = [f for f in report.findings if f.kind == "combination"]
    assert [f.id for f in combos] == ["combination/loop_plus_thiazide"]
    assert {(r.list, r.index) for r in combos[0].inputs} == {("medications", 0), ("medications", 1)}


def test_potassium_lowering_drug_with_low_potassium_is_high(checker: Checker) -> None:
    report = checker(medications=[{"text": "bumetanide 1 mg"}], labs=[lab("2823-3", 2.9, "mmol/L")])
    assert report.risk == "high"
    combo = next(f for f in report.findings if f.kind == "combination")
    assert {(r.list, r.index) for r in combo.inputs} == {("medications", 0), ("labs", 0)}


def test_duplicate_entries_of_one_drug_make_one_finding(checker: Checker) -> None:
    report = checker(medications=[{"text": "Lasix 40 mg"}, {"text": "furosemide"}])
    meds = [f for f in report.findings if f.kind == "medication"]
    assert len(meds) == 1
    assert len(meds[0].inputs) == 2


@pytest.mark.parametrize(
    ("first", "second", "duplicate"),
    [
        ("furosemide 40 mg every morning", "furosemide 20 mg at 2 pm", False),
        ("insulin NPH 20 units qAM", "insulin NPH 10 units qPM", False),
        ("furosemide 40 mg daily", "Lasix 40 mg daily", True),
        ("furosemide 40 mg every morning", "Lasix 20 mg qam", True),
        ("furosemide 40 mg bid", "furosemide 40 mg morning and evening", True),
        # A drug named in another entry's instructions is a timing reference.
        ("lasix 40 bid", "metolazone 2.5 mg 30 min before lasix", False),
        ("furosemide 40 mg bid", "metolazone 2.5 mg 30 min prior to furosemide", False),
        ("furosemide 40 mg", "potassium chloride 20 mEq with furosemide", False),
        ("simvastatin 20 mg", "amlodipine 5 mg (take with simvastatin)", False),
        ("simvastatin 20 mg", "Zocor 40 mg", True),
        ("hydrochlorothiazide 25 mg", "lisinopril with hydrochlorothiazide", True),
        # One entry says it is a part of one regimen with the other.
        ("Humalog 5 units tid ac", "Humalog correction scale", False),
        ("insulin lispro 4 units with meals", "insulin lispro sliding scale", False),
        ("prednisone 5 mg daily", "prednisone 1 mg daily (with 5 mg for 6 mg total)", False),
        # Taper steps over two entries, and one drug's inpatient and discharge orders.
        (
            "prednisone 40 mg daily x 3 days, then 20 mg daily x 3 days",
            "prednisone 10 mg daily x 3 days then stop",
            False,
        ),
        ("furosemide 40 mg IV bid (inpatient)", "furosemide 40 mg PO daily (discharge)", False),
        # While on a drug: what the entry is taken with (review9).
        ("Lasix 40 mg daily", "KCl 20 mEq daily while on lasix", False),
        ("prednisone 40 mg daily", "omeprazole 20 mg daily while on prednisone", False),
        # An extended-release dose at one time of day beside the immediate-release doses
        # (sustained-release pyridostigmine at night) is one regimen; the same form twice,
        # or an extended-release entry at no single time of day, is two orders.
        ("pyridostigmine 60 mg three times daily", "Mestinon Timespan 180 mg at bedtime", False),
        ("pyridostigmine ER 180 mg qhs", "pyridostigmine 60 mg q4h while awake", False),
        ("pyridostigmine 60 mg tid", "pyridostigmine 60 mg at bedtime", True),
        ("pyridostigmine ER 180 mg qhs", "Mestinon Timespan 180 mg at bedtime", True),
        ("pyridostigmine ER 180 mg daily", "pyridostigmine 60 mg tid", True),
    ],
)
def test_duplicate_therapy_is_two_orders_of_one_drug_not_a_split_dose_or_a_reference(
    checker: Checker, first: str, second: str, duplicate: bool
) -> None:
    report = checker(medications=[{"text": first}, {"text": second}])
    found = [f.id for f in report.findings if f.id.startswith("combination/same_drug_twice/")]
    assert bool(found) == duplicate


def test_finding_carries_evidence_and_monitoring(checker: Checker) -> None:
    report = checker.med("hydrochlorothiazide 25 mg")
    finding = report.findings[0]
    assert finding.evidence and all(e.citation and e.url for e in finding.evidence)
    assert finding.monitoring
    assert finding.evidence_grade in {"A", "B", "C"}
    assert "may contribute" in finding.title
    assert len(finding.detail) <= 400


def test_safe_drugs_are_recognized_without_findings(checker: Checker) -> None:
    report = checker(
        medications=[
            {"text": t}
            for t in (
                "cetirizine 10 mg",
                "warfarin 5 mg",
                "amoxicillin-clavulanate 875 mg",
                "Zyrtec",
            )
        ]
    )
    assert report.findings == []
    assert [m.status for m in report.medications] == ["recognized"] * 4
    assert report.risk == "none"


def test_note_lists_unrecognized_inputs_with_suggestions(checker: Checker) -> None:
    # A misspelling one edit away is read (and the note says so), not left unchecked.
    corrected = checker(medications=[{"text": "Lasix 40 mg"}, {"text": "furosemidd 20 mg"}])
    assert corrected.medications[1].match == "spelling"
    assert corrected.medications[1].read_as == "furosemide"
    assert 'Read as: "furosemidd 20 mg" as furosemide' in corrected.note
    assert "Could not check" not in corrected.note
    # Too far from any name to guess: unrecognized, with close names offered.
    unknown = checker(medications=[{"text": "furosmdde 5 mg"}, {"text": "qwerty 5 mg"}])
    assert [m.status for m in unknown.medications] == ["unrecognized", "unrecognized"]
    assert "furosemide" in unknown.medications[0].suggestions
    assert 'medications[0] "furosmdde 5 mg" (did you mean furosemide' in unknown.note
    assert 'medications[1] "qwerty 5 mg"' in unknown.note


def test_pregnancy_flag_on_patient_is_a_contributor(checker: Checker) -> None:
    report = checker(patient={"pregnant": True})
    assert any(r.list == "patient" for f in report.findings for r in f.inputs)


def test_check_is_deterministic(checker: Checker) -> None:
    body = {
        "medications": [{"text": "Lasix"}, {"text": "omeprazole"}],
        "conditions": [{"text": "diabetes"}],
        "labs": [lab("2823-3", 3.0, "mmol/L")],
    }
    assert checker(**body) == checker(**body)


@pytest.mark.parametrize(
    ("ck", "sex", "rule", "severity"),
    [
        # EAS 2015 Table 1: under 4 times the limit without symptoms, a watch point
        # (pharmacist review 24 #3; it was moderate).
        (350, "male", "statin_with_mildly_raised_ck", "low"),  # just above 308 U/L
        (1200, "male", "statin_with_mildly_raised_ck", "low"),  # just under 4 times
        (1300, "male", "statin_with_raised_ck", "moderate"),  # over 4 times
        (3500, "male", "statin_with_raised_ck", "high"),  # above 10 times: the labels' myopathy
        (2000, "female", "statin_with_raised_ck", "high"),  # above 10 times the women's 192 U/L
        (250, "male", None, None),  # normal for a man
    ],
)
def test_statin_with_raised_ck_is_banded_at_four_and_ten_times_the_limit(
    checker: Checker, ck: float, sex: str, rule: str | None, severity: str | None
) -> None:
    report = checker(
        patient={"sex": sex},
        medications=[{"text": "atorvastatin 40 mg PO nightly"}],
        labs=[lab("2157-6", ck, "U/L")],
    )
    found = [f for f in report.findings if f.kind == "combination" and not f.absorbed_by]
    if rule is None:
        assert found == []
        return
    assert [(f.id, f.severity) for f in found] == [(f"combination/{rule}", severity)]
    if severity == "high":
        # Above 10 times the limit the labels say to stop the statin.
        assert found[0].management[0].startswith("Stop the statin now")
    elif severity == "low":
        # EAS 2015: under 4 times the limit without symptoms the statin can usually continue.
        assert found[0].management[0].startswith("The statin can usually continue")


@pytest.mark.parametrize(
    ("simvastatin", "severity"),
    [
        ({"text": "simvastatin 20 mg, take 2 tablets at bedtime"}, "moderate"),
        ({"text": "simvastatin 40 mg 1/2 tab"}, None),
        ({"text": "Zocor 80"}, "moderate"),
        (
            {
                "coding": [
                    {
                        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                        "code": "476351",
                        "display": "ezetimibe 10 MG / simvastatin 40 MG Oral Tablet",
                    }
                ]
            },
            "moderate",
        ),
    ],
)
def test_a_dose_limit_reads_the_daily_dose_of_the_limited_drug(
    checker: Checker, simvastatin: dict[str, object], severity: str | None
) -> None:
    report = checker(medications=[simvastatin, {"text": "amlodipine 10 mg"}])
    rule = "combination/simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine"
    found = {f.id: f.severity for f in report.findings}
    assert found.get(rule) == severity


def test_the_note_checks_every_step_of_a_severe_problem_once(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "digoxin 0.125 mg daily"}, {"text": "furosemide 40 mg"}],
        labs=[lab("2823-3", 3.2, "mmol/L"), lab("19123-9", 1.5, "mg/dL")],
    )
    check_line = next(line for line in report.note.splitlines() if line.startswith("Check:"))
    assert check_line == "Check: Potassium and magnesium now; A digoxin level and an ECG."
    severe = checker(medications=[{"text": "HCTZ 25 mg"}], labs=[lab("2823-3", 2.9, "mmol/L")])
    assert "An ECG (potassium below 3.0 mmol/L)" in severe.note


def test_an_ecg_is_asked_for_only_when_potassium_is_severely_low(checker: Checker) -> None:
    def ecg_lines(value: float) -> list[str]:
        report = checker(
            medications=[{"text": "HCTZ 25 mg"}], labs=[lab("2823-3", value, "mmol/L")]
        )
        return [m for f in report.findings for m in f.monitoring if "ECG" in m]

    assert ecg_lines(3.4) == []
    assert ecg_lines(2.9) == ["An ECG (potassium below 3.0 mmol/L)"] * 2  # the rule and the lab


@pytest.mark.parametrize(("value", "severity"), [(1.7, "moderate"), (1.55, "high"), (1.1, "high")])
def test_digoxin_with_low_magnesium_is_high_only_below_every_laboratory_limit(
    checker: Checker, value: float, severity: str
) -> None:
    report = checker(
        medications=[{"text": "digoxin 0.125 mg daily"}], labs=[lab("19123-9", value, "mg/dL")]
    )
    found = {f.id: f.severity for f in report.findings}
    assert found["combination/digoxin_with_low_magnesium"] == severity


@pytest.mark.parametrize(
    "inhaler", ["Symbicort 160/4.5 2 puffs bid", "Breo Ellipta 1 puff daily", "Advair 250/50 bid"]
)
def test_a_maintenance_inhaler_does_not_add_up_with_a_diuretic(
    checker: Checker, inhaler: str
) -> None:
    report = checker(medications=[{"text": inhaler}, {"text": "hydrochlorothiazide 25 mg daily"}])
    assert report.risk == "low"
    assert {f.kind for f in report.findings} == {"medication"}
    scheduled_nebulizer = checker(
        medications=[{"text": "albuterol neb 2.5 mg q6h"}, {"text": "hydrochlorothiazide 25 mg"}]
    )
    assert "combination/several_potassium_lowering_drugs" in {
        f.id for f in scheduled_nebulizer.findings
    }


@pytest.mark.parametrize(
    ("medications", "labs", "rule"),
    [
        (
            ["digoxin 0.125 mg daily", "furosemide 40 mg daily"],
            [lab("2823-3", 3.3, "mmol/L")],
            "digoxin_with_low_potassium_and_a_potassium_lowering_drug",
        ),
        (
            ["digoxin 0.125 mg daily", "omeprazole 40 mg daily"],
            [lab("19123-9", 1.5, "mg/dL")],
            "digoxin_with_low_magnesium_and_a_magnesium_lowering_drug",
        ),
    ],
)
def test_digoxin_a_low_result_and_the_drug_lowering_it_are_one_problem(
    checker: Checker, medications: list[str], labs: list[dict[str, object]], rule: str
) -> None:
    report = checker(medications=[{"text": m} for m in medications], labs=labs)
    shown = [f.id for f in report.findings if f.absorbed_by is None]
    assert shown == [f"combination/{rule}"]
    assert report.risk == "high"
    assert len([line for line in report.note.splitlines() if line.startswith("- ")]) == 1


@pytest.mark.parametrize(
    ("pregnant", "value", "reference", "cites_pregnancy_guideline"),
    [
        (False, 5.3, "(reference 0.4-4.5 mIU/L)", False),
        (True, 4.3, "(reference up to about 4.0 mIU/L in pregnancy", True),
    ],
)
def test_a_tsh_shows_the_limit_and_source_of_its_own_band(
    checker: Checker, pregnant: bool, value: float, reference: str, cites_pregnancy_guideline: bool
) -> None:
    report = checker(
        patient={"pregnant": pregnant}, labs=[{"text": "TSH", "value": value, "unit": "mIU/L"}]
    )
    finding = next(f for f in report.findings if f.id == "lab/tsh/high")
    assert reference in finding.detail
    assert "pregnancy" not in finding.detail or pregnant
    cited = any("pregnancy" in e.citation for e in finding.evidence)
    assert cited is cites_pregnancy_guideline


def test_a_potassium_labelled_mg_per_dl_is_not_converted_into_a_critical_value(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "hydrochlorothiazide 25 mg"}], labs=[lab("2823-3", 3.1, "mg/dL")]
    )
    assert report.risk == "low"
    assert report.labs[0].status == "unrecognized"
    assert "mg/dL" in (report.labs[0].reason or "")


@pytest.mark.parametrize(
    ("sex", "ck", "severity"),
    [("male", 1900.0, "moderate"), ("male", 2600.0, "high"), ("female", 2600.0, "high")],
)
def test_daptomycin_with_a_ck_above_the_labels_stop_limit_is_high(
    checker: Checker, sex: str, ck: float, severity: str
) -> None:
    report = checker(
        patient={"sex": sex},
        medications=[{"text": "daptomycin 500 mg IV daily"}],
        labs=[{"text": "CK", "value": ck, "unit": "U/L"}],
    )
    found = {f.id: f.severity for f in report.findings}
    assert found["combination/daptomycin_with_raised_ck"] == severity


@pytest.mark.parametrize(
    ("ppi", "joined"),
    [
        ("omeprazole 20 mg daily", True),
        ("omeprazole 20 mg prn heartburn", False),
        ("Prilosec OTC 20 mg occasionally", False),
    ],
)
def test_an_as_needed_ppi_does_not_join_a_low_magnesium(
    checker: Checker, ppi: str, joined: bool
) -> None:
    report = checker(medications=[{"text": ppi}], labs=[lab("19123-9", 1.6, "mg/dL")])
    ids = {f.id for f in report.findings}
    assert ("combination/magnesium_lowering_drug_with_low_magnesium" in ids) is joined


ALBUMIN_LOW = {"text": "albumin", "value": 25, "unit": "g/L"}


@pytest.mark.parametrize(
    "calcium",
    [
        {"text": "corrected calcium", "value": 2.0, "unit": "mmol/L"},
        {"text": "albumin-corrected calcium", "value": 7.9, "unit": "mg/dL"},
        {"text": "Ca corr", "value": 7.9, "unit": "mg/dL"},
        {
            "coding": [{"system": "http://loinc.org", "code": "29265-6"}],
            "value": 2.0,
            "unit": "mmol/L",
        },
    ],
)
def test_a_calcium_the_laboratory_corrected_is_not_corrected_again(
    checker: Checker, calcium: dict[str, object]
) -> None:
    report = checker(medications=[{"text": "Prolia 60 mg"}], labs=[calcium, ALBUMIN_LOW])
    assert "lab/calcium/low" in {f.id for f in report.findings}
    assert report.risk == "moderate"
    # A total calcium of the same value is corrected with the albumin: 8.1 + 0.8 x 1.5.
    total = checker(
        medications=[{"text": "Prolia 60 mg"}],
        labs=[{"text": "calcium", "value": 8.1, "unit": "mg/dL"}, ALBUMIN_LOW],
    )
    assert total.risk == "low"


@pytest.mark.parametrize(("ionized", "risk"), [(1.18, "low"), (1.0, "moderate"), (None, "high")])
def test_an_ionized_calcium_decides_over_a_total_calcium(
    checker: Checker, ionized: float | None, risk: str
) -> None:
    labs: list[dict[str, object]] = [{"text": "calcium", "value": 7.2, "unit": "mg/dL"}]
    if ionized is not None:
        labs.append({"text": "ionized calcium", "value": ionized, "unit": "mmol/L"})
    report = checker(medications=[{"text": "Prolia 60 mg"}], labs=labs)
    assert report.risk == risk
    assert ("lab/calcium/low" in {f.id for f in report.findings}) is (ionized is None)


KIDNEY = "combination/statin_with_colchicine_in_kidney_disease"
KIDNEY_DOSE = "combination/colchicine_above_0_3_mg_in_severe_kidney_impairment"


@pytest.mark.parametrize(
    ("extra", "risk", "shown"),
    [
        ({}, "low", ["combination/statin_with_colchicine"]),
        (
            {"labs": [{"text": "eGFR", "value": 25, "unit": "mL/min/1.73m2"}]},
            "moderate",
            [KIDNEY],
        ),
        ({"conditions": [{"text": "CKD stage 4"}]}, "moderate", [KIDNEY]),
    ],
)
def test_a_statin_with_colchicine_is_moderate_only_in_advanced_kidney_disease(
    checker: Checker, extra: dict[str, object], risk: str, shown: list[str]
) -> None:
    """In advanced kidney disease the statin-with-colchicine problem gives the label's
    starting dose (0.3 mg a day) itself: the starting-dose caution is not a second line for
    one colchicine problem (pharmacist review 24 #4; a dose above 0.6 mg a day keeps its own
    line, review 14)."""
    meds = [{"text": "atorvastatin 40 mg"}, {"text": "colchicine 0.5 mg daily (Lodoco)"}]
    report = checker(medications=meds, **extra)
    assert report.risk == risk
    assert [f.id for f in report.findings if f.kind == "combination" and not f.absorbed_by] == (
        shown
    )
    if shown == [KIDNEY]:
        kidney = next(f for f in report.findings if f.id == KIDNEY)
        assert "0.3 mg a day" in kidney.monitoring[0]
        assert "0.3 mg a day" in report.note  # the label dose stays in view (review 14)
        assert KIDNEY_DOSE not in {f.id for f in report.findings}


@pytest.mark.parametrize(
    ("product", "partner", "rule"),
    [
        (
            "Vytorin 10/40",
            "amlodipine 10 mg",
            "simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine",
        ),
        (
            "Vytorin 10 mg-40 mg tablet",
            "amlodipine 5 mg",
            "simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine",
        ),
        (
            "simvastatin/ezetimibe 40/10",
            "amlodipine 5 mg",
            "simvastatin_above_20_mg_with_amiodarone_amlodipine_or_ranolazine",
        ),
        (
            "Caduet 10/80",
            "clarithromycin 500 mg bid",
            "atorvastatin_above_20_mg_with_interacting_drug",
        ),
        (
            "atorvastatin/amlodipine 80/10",
            "clarithromycin 500 mg bid",
            "atorvastatin_above_20_mg_with_interacting_drug",
        ),
        (
            "Roszet 20 mg/10 mg",
            "cyclosporine 100 mg bid",
            "rosuvastatin_above_5_mg_with_cyclosporine",
        ),
        ("Roszet 40/10 mg", "cyclosporine 100 mg bid", "rosuvastatin_above_5_mg_with_cyclosporine"),
    ],
)
def test_a_statin_strength_in_a_product_pair_is_read_for_its_dose_limit(
    checker: Checker, product: str, partner: str, rule: str
) -> None:
    report = checker(medications=[{"text": product}, {"text": partner}])
    assert {f.id: f.severity for f in report.findings}.get(f"combination/{rule}") == "moderate"


@pytest.mark.parametrize(
    ("product", "partner"),
    [("Caduet 5/20", "clarithromycin 500 mg bid"), ("Vytorin 10/10", "diltiazem 120 mg")],
)
def test_a_statin_strength_in_a_product_within_its_limit_adds_nothing(
    checker: Checker, product: str, partner: str
) -> None:
    report = checker(medications=[{"text": product}, {"text": partner}])
    assert [f for f in report.findings if f.kind == "combination"] == []


def _check_line(note: str) -> str:
    return next(line for line in note.splitlines() if line.startswith("Check:"))


def test_the_note_says_each_check_once_however_the_rules_word_it(checker: Checker) -> None:
    meds = ["atorvastatin 80 mg", "fenofibrate 145 mg", "colchicine 0.6 mg daily", "niacin 1500 mg"]
    report = checker(medications=[{"text": m} for m in meds])
    assert _check_line(report.note) == "Check: Muscle symptoms; CK and creatinine if any."


@pytest.mark.parametrize(
    ("medications", "lab_item", "check"),
    [
        (
            ["hydrochlorothiazide 25 mg"],
            lab("2823-3", 2.6, "mmol/L"),
            "Check: Potassium and magnesium now; An ECG (potassium below 3.0 mmol/L).",
        ),
        (
            ["hydrochlorothiazide 25 mg", "sertraline 50 mg"],
            lab("2951-2", 122, "mmol/L"),
            "Check: Sodium now, with potassium; Volume status and fluid intake.",
        ),
        (
            ["hydrochlorothiazide 25 mg"],
            lab("2823-3", 3.3, "mmol/L"),
            "Check: Potassium and magnesium within days.",
        ),
    ],
)
def test_a_severe_result_is_checked_now_not_within_days(
    checker: Checker, medications: list[str], lab_item: dict[str, object], check: str
) -> None:
    report = checker(medications=[{"text": m} for m in medications], labs=[lab_item])
    assert _check_line(report.note) == check


@pytest.mark.parametrize(
    ("medications", "shown"),
    [
        (
            ["simvastatin 40 mg", "amlodipine 10 mg", "diltiazem ER 240 mg"],
            "simvastatin_above_10_mg_with_verapamil_diltiazem_or_dronedarone",
        ),
        (
            ["simvastatin 40 mg", "clarithromycin 500 mg bid", "amlodipine 10 mg", "diltiazem 240"],
            "simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor",
        ),
        (
            ["lovastatin 80 mg", "amiodarone 200 mg", "verapamil 120 mg"],
            "lovastatin_above_20_mg_with_danazol_diltiazem_dronedarone_or_verapamil",
        ),
    ],
)
def test_one_statin_gets_its_strictest_limit_not_one_finding_per_limit(
    checker: Checker, medications: list[str], shown: str
) -> None:
    report = checker(medications=[{"text": m} for m in medications])
    assert [f.id for f in report.findings if f.kind == "combination"] == [f"combination/{shown}"]


@pytest.mark.parametrize(
    ("simvastatin", "fired"),
    [
        ("simvastatin 10 mg x2", True),
        ("simvastatin 10 mg x 2 qhs", True),
        ("simvastatin 10 mg", False),
        ("simvastatin 10 mg x 2 weeks", False),
        ("simvastatin 10 mg x2 days", False),
    ],
)
def test_a_count_written_x2_after_the_strength_is_two_tablets(
    checker: Checker, simvastatin: str, fired: bool
) -> None:
    report = checker(medications=[{"text": simvastatin}, {"text": "diltiazem 120 mg"}])
    ids = {f.id for f in report.findings}
    rule = "combination/simvastatin_above_10_mg_with_verapamil_diltiazem_or_dronedarone"
    assert (rule in ids) is fired


def test_a_raised_tsh_on_record_asks_for_free_t4_not_another_tsh(checker: Checker) -> None:
    raised = checker(
        medications=[{"text": "atorvastatin 40 mg"}],
        labs=[{"text": "TSH", "value": 14, "unit": "mIU/L"}],
    )
    assert _check_line(raised.note).startswith("Check: Free T4")
    diagnosis_only = checker(
        medications=[{"text": "atorvastatin 40 mg"}], conditions=[{"text": "hypothyroidism"}]
    )
    assert _check_line(diagnosis_only.note) == "Check: TSH to confirm the thyroid is controlled."


def test_a_measured_ck_leaves_one_muscle_symptom_check(checker: Checker) -> None:
    """With a CK sent, the interaction's checks were "Muscle symptoms" and "Ask about muscle
    pain, weakness and dark urine": the same check twice in the note."""
    ck = {"text": "CK", "value": 100, "unit": "U/L"}
    meds = [{"text": "simvastatin 40 mg"}, {"text": "clarithromycin 500 mg bid"}]
    report = checker(medications=meds, labs=[ck])
    assert _check_line(report.note) == "Check: Ask about muscle pain, weakness and dark urine."
