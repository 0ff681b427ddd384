"""Clinical content of the datasets as the engine renders it: each spinal level has its own
finding, PBC is not cirrhosis unless staged so, and rule and class texts fit every drug
that can reach them."""

from __future__ import annotations

import re

import pytest

from service.engine.models import Finding
from service.knowledge import KnowledgeBase
from tests.conftest import Checker
from tests.knowledge.rendered import combinations, shown_combinations

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"


def icd(code: str) -> dict[str, object]:
    return {"coding": [{"system": ICD, "code": code}]}


def finding_ids(checker: Checker, **body: object) -> set[str]:
    return {f.id for f in checker(**body).findings}


def test_lumbar_and_cervical_stenosis_are_two_findings(checker: Checker) -> None:
    report = checker(conditions=[{"text": "lumbar spinal stenosis"}, {"text": "cervical stenosis"}])
    by_input = {(f.inputs[0].index, f.id) for f in report.findings if f.kind == "condition"}
    assert by_input == {
        (0, "condition/spinal_stenosis"),
        (1, "condition/cervical_thoracic_spinal_stenosis"),
    }
    lumbar, cervical = (f for f in sorted(report.findings, key=lambda f: f.inputs[0].index))
    assert "nerve roots" in lumbar.detail and "spinal cord" in cervical.detail


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("M48.061", "condition/spinal_stenosis"),
        ("M99.33", "condition/spinal_stenosis"),
        ("M48.02", "condition/cervical_thoracic_spinal_stenosis"),
        ("M48.04", "condition/cervical_thoracic_spinal_stenosis"),
        ("M47.12", "condition/cervical_thoracic_spinal_stenosis"),
        ("M50.021", "condition/cervical_thoracic_spinal_stenosis"),
    ],
)
def test_each_stenosis_code_reaches_its_own_level(
    checker: Checker, code: str, finding: str
) -> None:
    assert finding_ids(checker, conditions=[icd(code)]) == {finding}


@pytest.mark.parametrize(
    "item", [{"text": "primary biliary cholangitis"}, {"text": "PBC"}, icd("K74.3")]
)
def test_pbc_is_recognized_but_not_cirrhosis(checker: Checker, item: dict[str, object]) -> None:
    report = checker(conditions=[item])
    assert report.conditions[0].status == "recognized"
    assert report.findings == []


@pytest.mark.parametrize("item", [{"text": "PBC with cirrhosis"}, icd("K74.5")])
def test_staged_pbc_is_cirrhosis(checker: Checker, item: dict[str, object]) -> None:
    assert finding_ids(checker, conditions=[item]) == {"condition/cirrhosis"}


def test_teriparatide_is_graded_from_its_placebo_table(checker: Checker) -> None:
    finding = checker.med("teriparatide 20 mcg SC daily").findings[0]
    assert finding.evidence_grade == "A"
    assert "placebo" in finding.detail


def test_cinacalcet_does_not_quote_etelcalcetide_trials(checker: Checker) -> None:
    cinacalcet = checker.med("cinacalcet 30 mg").findings[0]
    assert "64%" not in cinacalcet.detail and "etelcalcetide" not in cinacalcet.detail.lower()
    assert "hypocalcemia" in cinacalcet.detail
    etelcalcetide = checker.med("Parsabiv").findings[0]
    assert "64% vs 10%" in etelcalcetide.detail


def drug_with_low_lab(checker: Checker, drug: str, loinc: str, value: float, rule: str) -> Finding:
    """The combination finding ``rule`` for ``drug`` with a low ``loinc`` result in mg/dL."""
    lab = {
        "coding": [{"system": "http://loinc.org", "code": loinc}],
        "value": value,
        "unit": "mg/dL",
    }
    report = checker(medications=[{"text": drug}], labs=[lab])
    return next(f for f in report.findings if f.id == f"combination/{rule}")


def test_magnesium_rule_advice_fits_cisplatin_and_ppi_advice_stays_on_ppis(
    checker: Checker,
) -> None:
    rule = drug_with_low_lab(
        checker, "cisplatin", "19123-9", 1.3, "magnesium_lowering_drug_with_low_magnesium"
    )
    assert not any("H2" in m for m in rule.management)
    ppi = checker.med("omeprazole 20 mg").findings[0]
    assert any("H2" in m for m in ppi.management)


def test_calcium_rule_cites_a_general_review_not_the_denosumab_communication(
    checker: Checker,
) -> None:
    rule = drug_with_low_lab(
        checker, "zoledronic acid 5 mg IV", "17861-6", 7.2, "calcium_lowering_drug_with_low_calcium"
    )
    citations = " ".join(e.citation for e in rule.evidence)
    assert "drug-induced hypocalcemia" in citations and "Prolia" not in citations


def test_no_rendered_medication_text_reads_a_before_a_vowel(
    kb: KnowledgeBase, checker: Checker
) -> None:
    flagged = [d.name for d in kb.drugs.values() if d.classes]
    report = checker(medications=[{"text": name} for name in flagged])
    vowel_sound = re.compile(r"\ba (?!one|uni|use|usu|eu)[aeiou]", re.IGNORECASE)
    bad = [f.detail for f in report.findings if vowel_sound.search(f.detail)]
    assert bad == []


def test_every_source_id_year_is_the_papers_year(kb: KnowledgeBase) -> None:
    wrong = []
    for source in kb.sources.values():
        year = re.search(r"(?:19|20)\d\d", source.id)
        if year and year.group(0) not in re.findall(r"\b(?:19|20)\d\d\b", source.citation):
            wrong.append(source.id)
    assert wrong == []


def test_abiraterone_lowers_potassium_but_not_with_the_prednisone_it_is_given_with(
    checker: Checker,
) -> None:
    alone = checker(medications=[{"text": "Zytiga 1000 mg daily"}])
    assert [f.id for f in alone.findings] == ["medication/abiraterone"]
    regimen = [{"text": "abiraterone 1000 mg daily"}, {"text": "prednisone 5 mg bid"}]
    assert combinations(checker(medications=regimen)) == []
    low_k = {"coding": [{"system": LOINC, "code": "2823-3"}], "value": 3.2, "unit": "mmol/L"}
    confirmed = checker(medications=regimen, labs=[low_k])
    assert combinations(confirmed) == ["combination/potassium_lowering_drug_with_low_potassium"]
    assert confirmed.risk == "moderate"
    with_loop = checker(medications=[{"text": "abiraterone"}, {"text": "furosemide 40 mg"}])
    assert combinations(with_loop) == ["combination/several_potassium_lowering_drugs"]


def test_daptomycin_is_checked_and_a_statin_with_it_is_an_interaction(checker: Checker) -> None:
    alone = checker(medications=[{"text": "daptomycin 500 mg IV q24h"}])
    assert alone.medications[0].status == "recognized" and alone.findings == []
    both = checker(medications=[{"text": "Cubicin 6 mg/kg IV daily"}, {"text": "atorvastatin 40"}])
    assert combinations(both) == ["combination/statin_with_daptomycin"]
    assert both.risk == "moderate"


def test_bempedoic_acid_is_a_low_cramp_contributor_alone_and_in_its_product(
    checker: Checker,
) -> None:
    for text in ("Nexletol 180 mg daily", "Nexlizet 180-10 mg"):
        report = checker(medications=[{"text": text}])
        assert [f.id for f in report.findings] == ["medication/bempedoic_acid"]
        assert report.findings[0].severity == "low" and report.findings[0].evidence_grade == "C"


@pytest.mark.parametrize(
    ("statin", "fires"),
    [
        ("simvastatin 40 mg", "combination/simvastatin_above_20_mg_with_bempedoic_acid"),
        ("simvastatin 20 mg", None),
        ("pravastatin 80 mg", "combination/pravastatin_above_40_mg_with_bempedoic_acid"),
        ("pravastatin 40 mg", None),
    ],
)
def test_bempedoic_acid_limits_simvastatin_and_pravastatin(
    checker: Checker, statin: str, fires: str | None
) -> None:
    report = checker(medications=[{"text": "Nexletol 180 mg daily"}, {"text": statin}])
    assert combinations(report) == ([fires] if fires else [])


COLCHICINE_BID = {"text": "colchicine 0.6 mg PO BID"}
EGFR_25 = {"coding": [{"system": LOINC, "code": "98979-8"}], "value": 25, "unit": "mL/min/1.73m2"}
WITH_STRONG = "combination/colchicine_with_strong_cyp3a4_or_pgp_inhibitor"
WITH_MODERATE = "combination/colchicine_above_0_6_mg_with_moderate_cyp3a4_inhibitor"
IN_IMPAIRMENT = f"{WITH_STRONG}_in_kidney_or_liver_impairment"
# Kidney function not sent: high above the label's 0.3 mg a day (review31 D1).
STRONG_KIDNEY_UNKNOWN = f"{WITH_STRONG}_kidney_function_unknown"
# A P-gp inhibitor's own rule (the label's stricter flare course with it: a single 0.6 mg).
PGP_KIDNEY_UNKNOWN = "combination/colchicine_with_pgp_inhibitor_kidney_function_unknown"


@pytest.mark.parametrize(
    ("other", "fires"),
    [
        ("clarithromycin 500 mg PO BID", STRONG_KIDNEY_UNKNOWN),
        ("itraconazole 200 mg daily", STRONG_KIDNEY_UNKNOWN),
        ("Paxlovid", STRONG_KIDNEY_UNKNOWN),
        ("cyclosporine 100 mg BID", PGP_KIDNEY_UNKNOWN),
        ("ranolazine 500 mg BID", PGP_KIDNEY_UNKNOWN),
        ("verapamil ER 240 mg daily", WITH_MODERATE),
        ("erythromycin 500 mg QID", WITH_MODERATE),
        # Azithromycin needs no colchicine change (Terkeltaub 2011); a cream is not systemic.
        ("azithromycin 250 mg daily", None),
        ("ketoconazole 2% cream", None),
    ],
)
def test_colchicine_with_a_cyp3a4_or_pgp_inhibitor_is_an_interaction(
    checker: Checker, other: str, fires: str | None
) -> None:
    report = checker(medications=[COLCHICINE_BID, {"text": other}])
    assert combinations(report) == ([fires] if fires else [])
    high = fires in (STRONG_KIDNEY_UNKNOWN, PGP_KIDNEY_UNKNOWN)
    risk = "high" if high else "moderate" if fires else "none"
    assert report.risk == risk
    assert [m.status for m in report.medications] == ["flagged" if fires else "recognized"] * 2


@pytest.mark.parametrize(
    ("colchicine", "severity"),
    [
        # 0.6 mg a day: a low "confirm the dose" (the label halves 0.6 mg once a day to
        # 0.3 mg once a day: review31 D2).
        ("colchicine 0.6 mg PO daily", "low"),
        ("colchicine 0.6 mg BID", "moderate"),
        ("Colcrys", "low"),
    ],
)
def test_colchicine_with_diltiazem_is_flagged_above_the_labels_dose(
    checker: Checker, colchicine: str, severity: str | None
) -> None:
    report = checker(medications=[{"text": colchicine}, {"text": "diltiazem ER 240 mg daily"}])
    found = [f for f in report.findings if f.kind == "combination"]
    assert [f.severity for f in found] == ([severity] if severity else [])
    if severity == "low" and colchicine == "Colcrys":
        assert "dose was not given" in found[0].detail


@pytest.mark.parametrize(
    ("conditions", "labs", "severity"),
    [
        # The COLCRYS contraindication, whatever the impairment (pharmacist review 24 #2).
        ([{"text": "CKD stage 3"}], [], "high"),
        ([{"text": "cirrhosis"}], [], "high"),
        ([icd("N18.4")], [], "high"),
        ([], [EGFR_25], "high"),
    ],
)
def test_colchicine_with_a_strong_inhibitor_in_kidney_or_liver_impairment(
    checker: Checker,
    conditions: list[dict[str, object]],
    labs: list[dict[str, object]],
    severity: str,
) -> None:
    meds = [COLCHICINE_BID, {"text": "clarithromycin 500 mg BID"}]
    report = checker(medications=meds, conditions=conditions, labs=labs)
    found = [f for f in report.findings if f.kind == "combination"]
    assert [f.id for f in found] == [IN_IMPAIRMENT]  # the pair's own rule is suppressed by it
    assert found[0].severity == severity == report.risk
    assert len(found[0].inputs) == 3
    without_inhibitor = checker(
        medications=[COLCHICINE_BID, {"text": "azithromycin 250 mg"}], conditions=conditions
    )
    # Without the inhibitor, only a dose above the label's for severe kidney disease is
    # (0.6 mg twice a day: above 0.6 mg a day).
    severe_kidney = conditions == [icd("N18.4")]
    expected = ["combination/colchicine_above_0_6_mg_in_severe_kidney_impairment"]
    assert combinations(without_inhibitor) == (expected if severe_kidney else [])


@pytest.mark.parametrize(
    ("item", "status", "concept"),
    [
        ({"text": "myasthenia gravis"}, "recognized", "myasthenia_gravis"),
        ({"text": "Myasthenia gravis with acute exacerbation"}, "recognized", "myasthenia_gravis"),
        (icd("G70.01"), "recognized", "myasthenia_gravis"),
        ({"text": "Duchenne"}, "flagged", "muscular_dystrophy"),
        ({"text": "spinal muscular atrophy type 3"}, "recognized", "spinal_muscular_atrophy"),
        ({"text": "spastic hemiplegia"}, "flagged", "spastic_hemiplegia"),
        (icd("G81.13"), "flagged", "spastic_hemiplegia"),
        ({"text": "right hemiparesis"}, "recognized", "hemiplegia"),
        (icd("G81.91"), "recognized", "hemiplegia"),
        (
            {"text": "distal renal tubular acidosis"},
            "flagged",
            "hypokalemic_renal_tubular_acidosis",
        ),
        ({"text": "type 4 RTA"}, "recognized", "hyperkalemic_renal_tubular_acidosis"),
        ({"text": "chronic liver failure"}, "flagged", "cirrhosis"),
        (icd("K72.10"), "flagged", "cirrhosis"),
        ({"text": "acute liver failure"}, "recognized", "acute_liver_failure"),
        ({"text": "nephrotic syndrome"}, "recognized", "nephrotic_syndrome"),
        ({"text": "pheochromocytoma"}, "recognized", "pheochromocytoma"),
        ({"text": "ruptured Baker's cyst"}, "recognized", "bakers_cyst"),
        ({"text": "chronic exertional compartment syndrome"}, "recognized", "compartment_syndrome"),
        (icd("M79.A21"), "recognized", "compartment_syndrome"),
        ({"text": "piriformis syndrome"}, "recognized", "piriformis_syndrome"),
        ({"text": "sarcopenia"}, "recognized", "sarcopenia"),
    ],
)
def test_neuromuscular_renal_and_mimic_conditions_are_read_as_themselves(
    checker: Checker, kb: KnowledgeBase, item: dict[str, object], status: str, concept: str
) -> None:
    read = checker(conditions=[item]).conditions[0]
    assert (read.status, read.concept) == (status, kb.conditions[concept].name)


@pytest.mark.parametrize("text", ["renal tubular acidosis", "radiculopathy", "liver failure"])
def test_a_condition_whose_type_decides_is_left_to_be_stated(checker: Checker, text: str) -> None:
    """Type 4 RTA raises potassium, a cervical radiculopathy is no leg problem, and acute
    liver failure is not cirrhosis: without the type the condition is not checked."""
    assert checker(conditions=[{"text": text}]).conditions[0].status == "unrecognized"


def test_distal_rta_is_not_counted_with_a_normal_potassium(checker: Checker) -> None:
    k = {"coding": [{"system": LOINC, "code": "2823-3"}], "value": 4.1, "unit": "mmol/L"}
    report = checker(conditions=[{"text": "distal RTA"}], labs=[k])
    assert report.conditions[0].status == "recognized" and report.findings == []


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("dasatinib 100 mg PO daily", "dasatinib"),
        ("Sprycel 140 mg daily", "dasatinib"),
        ("Phyrago 100 mg", "dasatinib"),
        ("bosutinib 400 mg daily with food", "bosutinib"),
        ("Bosulif 500 mg", "bosutinib"),
    ],
)
def test_dasatinib_and_bosutinib_may_lower_calcium(checker: Checker, text: str, drug: str) -> None:
    """Both labels report a fall in calcium (dasatinib: grade 3-4, usually corrected with
    oral calcium; bosutinib: 53% below baseline): a low, grade C contributor on its own and
    a second factor with a low calcium."""
    alone = checker.med(text)
    assert [f.id for f in alone.findings] == [f"medication/{drug}"]
    finding = alone.findings[0]
    assert (finding.severity, finding.evidence_grade) == ("low", "C")
    assert [e.kind for e in finding.effects] == ["lowers_calcium"]
    assert "calcium" in finding.detail and "may lower calcium" in finding.detail
    low_calcium = drug_with_low_lab(
        checker, text, "17861-6", 7.8, "calcium_lowering_drug_with_low_calcium"
    )
    assert low_calcium.severity == "moderate"


@pytest.mark.parametrize(
    "text", ["cytarabine 100 mg/m2 IV continuous infusion", "Ara-C 3 g/m2 IV q12h"]
)
def test_cytarabine_is_checked_and_not_a_cramp_contributor(checker: Checker, text: str) -> None:
    report = checker.med(text)
    assert report.medications[0].status == "recognized" and report.findings == []
    assert "cytarabine syndrome" in str(report.medications[0].reason)


def test_ibrutinib_cites_its_us_label_and_its_eu_leaflet(checker: Checker) -> None:
    finding = checker.med("Imbruvica 420 mg PO daily").findings[0]
    assert finding.id == "medication/ibrutinib" and finding.severity == "low"
    citations = " ".join(e.citation for e in finding.evidence)
    assert "US prescribing information" in citations and "EU product information" in citations
    assert "graft versus host disease" in finding.detail


def test_cabozantinib_lowers_magnesium_graded_from_its_comparator_trial(checker: Checker) -> None:
    finding = checker.med("Cabometyx 60 mg PO daily").findings[0]
    assert finding.id == "medication/cabozantinib"
    assert (finding.severity, finding.evidence_grade) == ("low", "A")
    assert [e.kind for e in finding.effects] == ["lowers_magnesium"]
    assert "31%" in finding.detail and "everolimus" in finding.detail
    rule = drug_with_low_lab(
        checker, "Cometriq 140 mg", "19123-9", 1.4, "magnesium_lowering_drug_with_low_magnesium"
    )
    assert rule.severity == "moderate"


@pytest.mark.parametrize(
    ("statin", "partner", "fired"),
    [
        (
            "pitavastatin 2 mg daily",
            "erythromycin 500 mg PO QID",
            "pitavastatin_above_1_mg_with_erythromycin",
        ),
        ("pitavastatin 1 mg daily", "erythromycin 500 mg PO QID", None),
        (
            "pitavastatin 4 mg daily",
            "rifampin 600 mg daily",
            "pitavastatin_above_2_mg_with_rifampin",
        ),
        ("pitavastatin 2 mg daily", "rifampin 600 mg daily", None),
        (
            "atorvastatin 40 mg",
            "Paxlovid 300 mg/100 mg BID x 5 days",
            "atorvastatin_or_rosuvastatin_with_nirmatrelvir_ritonavir",
        ),
        (
            "rosuvastatin 10 mg",
            "Paxlovid",
            "atorvastatin_or_rosuvastatin_with_nirmatrelvir_ritonavir",
        ),
        ("pravastatin 40 mg", "Paxlovid", None),
        (
            "atorvastatin 10 mg",
            "Mavyret 3 tablets daily",
            "atorvastatin_with_tipranavir_or_glecaprevir",
        ),
        (
            "atorvastatin 10 mg",
            "tipranavir 500 mg BID",
            "atorvastatin_with_tipranavir_or_glecaprevir",
        ),
        (
            "atorvastatin 80 mg",
            "nelfinavir 1250 mg BID",
            "atorvastatin_above_40_mg_with_nelfinavir",
        ),
        ("atorvastatin 40 mg", "nelfinavir 1250 mg BID", None),
        ("atorvastatin 40 mg", "Kaletra 400/100 mg BID", "atorvastatin_with_lopinavir_ritonavir"),
        ("pravastatin 20 mg", "Kaletra 400/100 mg BID", None),
    ],
)
def test_statin_with_an_interacting_drug_at_its_label_limit(
    checker: Checker, statin: str, partner: str, fired: str | None
) -> None:
    """LIVALO: at most 1 mg a day with erythromycin, 2 mg with rifampin. LIPITOR: avoid
    tipranavir and glecaprevir/pibrentasvir, at most 40 mg with nelfinavir, the lowest dose
    with lopinavir/ritonavir. PAXLOVID: consider pausing atorvastatin or rosuvastatin."""
    report = checker(medications=[{"text": statin}, {"text": partner}])
    expected = [f"combination/{fired}"] if fired else []
    assert combinations(report) == expected


def test_pitavastatin_with_rifampin_names_the_2_mg_limit(checker: Checker) -> None:
    report = checker(medications=[{"text": "Livalo 4 mg"}, {"text": "rifampin 600 mg daily"}])
    found = next(f for f in report.findings if f.kind == "combination")
    assert "2 mg" in found.detail and "1 mg" not in found.detail


@pytest.mark.parametrize("text", ["EES 400 mg PO QID", "E.E.S. 400 mg PO QID", "e.e.s. 400 mg"])
def test_ees_with_simvastatin(checker: Checker, text: str) -> None:
    """EES (erythromycin ethylsuccinate) is erythromycin, contraindicated with simvastatin;
    dotted single letters are read as the word they spell."""
    report = checker(medications=[{"text": "simvastatin 20 mg"}, {"text": text}])
    assert report.medications[1].concept == "erythromycin"
    assert combinations(report) == [
        "combination/simvastatin_or_lovastatin_with_strong_cyp3a4_inhibitor"
    ]


@pytest.mark.parametrize(
    ("niacin", "fired"),
    [
        ("niacin 500 mg daily", False),
        ("niacin 500 mg BID", True),
        ("Niaspan 1000 mg at bedtime", True),
        ("niacin ER 2 g nightly", True),
        ("niacin", True),
    ],
)
def test_niacin_adds_to_a_statin_from_1_g_a_day(checker: Checker, niacin: str, fired: bool) -> None:
    """The statin labels' caution is for lipid-modifying niacin (1 g a day or more); a
    supplement dose is not it, and an unread dose is flagged with the dose to check."""
    report = checker(medications=[{"text": "simvastatin 20 mg"}, {"text": niacin}])
    expected = ["combination/statin_with_lipid_modifying_niacin"] if fired else []
    assert combinations(report) == expected
    if fired and niacin == "niacin":
        assert "The dose was not given" in report.findings[0].detail


@pytest.mark.parametrize(
    ("hydrocortisone", "several"),
    [
        ("hydrocortisone 10 mg am, 5 mg pm", False),
        ("Cortef 20 mg daily", False),
        ("hydrocortisone 20 mg am, 20 mg pm", True),
        ("hydrocortisone 20 mg BID", True),
        ("hydrocortisone", True),
    ],
)
def test_replacement_hydrocortisone_does_not_add_up_with_fludrocortisone(
    checker: Checker, hydrocortisone: str, several: bool
) -> None:
    """Adrenal insufficiency replacement (hydrocortisone 15-25 mg a day with
    fludrocortisone, Bornstein 2016) restores normal hormone levels; above 30 mg a day,
    or at an unread dose, the two count as several potassium-lowering drugs."""
    report = checker(
        medications=[{"text": hydrocortisone}, {"text": "fludrocortisone 0.1 mg daily"}],
        conditions=[{"text": "Addison disease"}],
    )
    expected = ["combination/several_potassium_lowering_drugs"] if several else []
    assert combinations(report) == expected
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    ("prednisone", "partner", "combination"),
    [
        ("prednisone 5 mg daily", "fludrocortisone 0.05 mg daily", None),
        ("prednisolone 2.5 mg bid", "fludrocortisone 0.1 mg daily", None),
        ("prednisone 5mg/day", "hydrochlorothiazide 25 mg daily", None),
        (
            "prednisone 7.5 mg daily",
            "fludrocortisone 0.1 mg daily",
            "several_potassium_lowering_drugs",
        ),
        ("prednisone 10 mg qam", "hydrochlorothiazide 25 mg daily", "diuretic_plus_corticosteroid"),
        # A strength alone is a tablet, not a daily dose: tapers are written in 5 mg tablets.
        (
            "predniSONE 5 MG Oral Tablet",
            "fludrocortisone 0.1 mg daily",
            "several_potassium_lowering_drugs",
        ),
        ("prednisone 5 mg tablet", "furosemide 40 mg daily", "diuretic_plus_corticosteroid"),
    ],
)
def test_prednisone_at_replacement_dose_does_not_add_up(
    checker: Checker, prednisone: str, partner: str, combination: str | None
) -> None:
    """Prednisolone 3-5 mg a day is the guideline's alternative replacement (Bornstein
    2016), with less mineralocorticoid effect than replacement hydrocortisone: at a daily
    dose the text gives of 5 mg or less it does not add up with another potassium-lowering
    drug; a higher or unread dose does."""
    report = checker(medications=[{"text": prednisone}, {"text": partner}])
    assert combinations(report) == ([f"combination/{combination}"] if combination else [])
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    ("diuretic", "condition", "fired"),
    [
        ("spironolactone 100 mg daily", "alcoholic cirrhosis with ascites", True),
        ("furosemide 40 mg daily", "NASH cirrhosis", True),
        ("furosemide 40 mg daily", "fatty liver disease", False),
        ("stopped furosemide", "cirrhosis", False),
    ],
)
def test_a_diuretic_in_cirrhosis_is_one_problem(
    checker: Checker, diuretic: str, condition: str, fired: bool
) -> None:
    """Cramps are a listed complication of diuretic treatment of ascites (EASL 2018): the
    diuretic and the cirrhosis are one moderate problem, not two low ones."""
    report = checker(medications=[{"text": diuretic}], conditions=[{"text": condition}])
    expected = ["combination/diuretic_with_cirrhosis"] if fired else []
    assert combinations(report) == expected
    assert report.risk == ("moderate" if fired else "low")


@pytest.mark.parametrize(
    ("medications", "lab", "rule"),
    [
        (["omeprazole 20 mg", "HCTZ 12.5 mg"], ("magnesium", 2.1, "mg/dL"), "ppi_plus_diuretic"),
        (
            ["HCTZ 25 mg", "prednisone 20 mg"],
            ("potassium", 4.3, "mmol/L"),
            "diuretic_plus_corticosteroid",
        ),
        (
            ["albuterol neb 2.5 mg q6h", "chlorthalidone 25 mg"],
            ("potassium", 4.1, "mmol/L"),
            "several_potassium_lowering_drugs",
        ),
    ],
)
def test_a_predicted_deficit_with_a_normal_latest_result_is_low(
    checker: Checker, medications: list[str], lab: tuple[str, float, str], rule: str
) -> None:
    """A rule that predicts a low potassium or magnesium is a watch point, not a current
    problem, when the latest result is normal; without a result it stays moderate."""
    text, value, unit = lab
    meds = [{"text": m} for m in medications]
    normal = checker(medications=meds, labs=[{"text": text, "value": value, "unit": unit}])
    found = next(f for f in normal.findings if f.id == f"combination/{rule}")
    assert (found.severity, normal.risk) == ("low", "low")
    assert "is not low" in found.detail
    unmeasured = checker(medications=meds)
    assert next(f for f in unmeasured.findings if f.id == found.id).severity == "moderate"


@pytest.mark.parametrize(
    ("conditions", "tsh", "severity"),
    [
        ([], 4.6, "low"),
        ([], 12.0, "moderate"),
        (["hypothyroidism"], 6.0, "moderate"),
        (["hypothyroidism"], None, "low"),
    ],
)
def test_a_statin_with_a_raised_tsh_is_moderate_only_when_uncontrolled(
    checker: Checker, conditions: list[str], tsh: float | None, severity: str
) -> None:
    """Uncontrolled hypothyroidism (the statin labels' risk factor): a diagnosis with a
    raised TSH, or a TSH of 10 or more; a mildly raised TSH alone is subclinical."""
    labs = [] if tsh is None else [{"text": "TSH", "value": tsh, "unit": "mIU/L"}]
    report = checker(
        medications=[{"text": "atorvastatin 10 mg"}],
        conditions=[{"text": c} for c in conditions],
        labs=labs,
    )
    found = next(f for f in report.findings if f.id == "combination/statin_with_hypothyroidism")
    assert (found.severity, found.basis) == (severity, "second_factor")


def test_atorvastatin_with_posaconazole_is_contraindicated(checker: Checker) -> None:
    """NOXAFIL contraindicates the CYP3A4-metabolized statins, atorvastatin included."""
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}, {"text": "posaconazole 300 mg daily"}]
    )
    assert combinations(report) == ["combination/atorvastatin_with_posaconazole"]
    assert report.risk == "high"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("hypoK", "hypokalemia"),
        ("hypoMg", "hypomagnesemia"),
        ("low Mg", "hypomagnesemia"),
        ("L4-L5 stenosis", "lumbar spinal stenosis"),
        ("on PD", "end-stage kidney disease or dialysis"),
    ],
)
def test_problem_list_shorthand_is_read(checker: Checker, text: str, concept: str) -> None:
    status = checker(conditions=[{"text": text}]).conditions[0]
    assert (status.status, status.concept) == ("flagged", concept)


def test_a_one_letter_e_is_not_erythromycin(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "vitamin E 400 IU daily"}, {"text": "simvastatin 20 mg"}]
    )
    assert combinations(report) == []


def _ck(value: float) -> dict[str, object]:
    return {"coding": [{"system": LOINC, "code": "2157-6"}], "value": value, "unit": "U/L"}


@pytest.mark.parametrize(
    ("drug", "rule"),
    [
        ("daptomycin 500 mg IV daily", "daptomycin_with_raised_ck"),
        ("colchicine 0.6 mg PO BID", "colchicine_with_raised_ck"),
    ],
)
def test_a_raised_ck_joins_daptomycin_and_colchicine(
    checker: Checker, drug: str, rule: str
) -> None:
    """Both labels name myopathy and rhabdomyolysis: a raised CK with either is a second
    factor (moderate); a normal CK adds nothing and the drug alone is not flagged."""
    report = checker(medications=[{"text": drug}], labs=[_ck(1900)], patient={"sex": "male"})
    found = next(f for f in report.findings if f.id == f"combination/{rule}")
    assert (found.severity, found.basis) == ("moderate", "second_factor")
    assert len(found.inputs) == 2
    normal = checker(medications=[{"text": drug}], labs=[_ck(150)])
    assert normal.findings == [] and normal.medications[0].status == "recognized"


def test_daptomycin_with_ck_above_ten_times_the_limit_is_high_and_quotes_the_label(
    checker: Checker,
) -> None:
    report = checker(medications=[{"text": "Cubicin 6 mg/kg IV q24h"}], labs=[_ck(3500)])
    found = next(f for f in report.findings if f.id == "combination/daptomycin_with_raised_ck")
    assert (found.severity, found.basis) == ("high", "measured_abnormality")
    assert "1,000 U/L" in found.detail and "2,000 U/L" in found.detail


def test_colchicine_with_ck_has_no_label_escalation_below_the_rhabdomyolysis_range(
    checker: Checker,
) -> None:
    marked = checker(medications=[{"text": "colchicine 0.6 mg daily"}], labs=[_ck(3500)])
    assert {f.id: f.severity for f in marked.findings}["combination/colchicine_with_raised_ck"] == (
        "moderate"
    )
    rhabdo = checker(medications=[{"text": "colchicine 0.6 mg daily"}], labs=[_ck(15000)])
    assert {f.id: f.severity for f in rhabdo.findings}["combination/colchicine_with_raised_ck"] == (
        "high"
    )


def test_atorvastatin_with_lopinavir_is_a_low_caution(checker: Checker) -> None:
    report = checker(medications=[{"text": "atorvastatin 40 mg"}, {"text": "Kaletra"}])
    found = next(f for f in report.findings if f.kind == "combination")
    assert (found.severity, found.basis) == ("low", "interaction")


@pytest.mark.parametrize(
    ("meds", "fired"),
    [
        (["omeprazole 20 mg daily", "tacrolimus 2 mg BID"], "several_magnesium_lowering_drugs"),
        (
            ["pantoprazole 40 mg daily", "cyclosporine 100 mg BID"],
            "several_magnesium_lowering_drugs",
        ),
        (["omeprazole 20 mg daily", "furosemide 40 mg daily"], "ppi_plus_diuretic"),
        (
            ["omeprazole 20 mg daily", "pantoprazole 40 mg daily"],
            "duplicate_proton_pump_inhibitors",
        ),
    ],
)
def test_two_magnesium_lowering_classes(checker: Checker, meds: list[str], fired: str) -> None:
    """Two classes acting on magnesium are a second factor; a PPI with a diuretic keeps its
    own rule, and two PPIs are one class (duplicate therapy only)."""
    report = checker(medications=[{"text": t} for t in meds])
    assert combinations(report) == [f"combination/{fired}"]


def test_magnesium_pair_that_also_lowers_potassium_is_one_problem(checker: Checker) -> None:
    report = checker(medications=[{"text": "furosemide 40 mg"}, {"text": "gentamicin 5 mg/kg IV"}])
    shown = [f.id for f in report.findings if f.kind == "combination" and not f.absorbed_by]
    assert shown == ["combination/several_potassium_lowering_drugs"]


@pytest.mark.parametrize(
    ("partner", "shown"),
    [
        (
            "daptomycin 500 mg IV daily",
            ["combination/daptomycin_with_raised_ck", "combination/statin_with_daptomycin"],
        ),
        (
            "colchicine 0.6 mg PO BID",
            ["combination/statin_with_colchicine", "combination/statin_with_raised_ck"],
        ),
    ],
)
def test_a_raised_ck_with_a_statin_and_another_myotoxic_drug_is_one_ck_finding(
    checker: Checker, partner: str, shown: list[str]
) -> None:
    """One CK rule, with the interaction: daptomycin's (its label's stop limits) replaces
    the statin's; with colchicine the statin's stays and colchicine's is not reported."""
    report = checker(
        medications=[{"text": "atorvastatin 40 mg"}, {"text": partner}], labs=[_ck(2500)]
    )
    assert sorted(combinations(report)) == shown


@pytest.mark.parametrize(
    ("kidney", "calcium", "severity"),
    [
        (
            {"conditions": [{"text": "CKD stage 4"}]},
            {"text": "calcium", "value": 7.9, "unit": "mg/dL"},
            "high",
        ),
        (
            {"labs": [{"text": "eGFR", "value": 25, "unit": "mL/min/1.73m2"}]},
            {"text": "ionized calcium", "value": 0.98, "unit": "mmol/L"},
            "high",
        ),
        ({"conditions": [{"text": "ESRD on hemodialysis"}]}, {"text": "hypocalcemia"}, "moderate"),
    ],
)
def test_denosumab_in_advanced_kidney_disease_with_low_calcium_is_one_problem(
    checker: Checker,
    kidney: dict[str, list[dict[str, object]]],
    calcium: dict[str, object],
    severity: str,
) -> None:
    """The boxed warning's severe hypocalcemia under way: denosumab, advanced kidney disease
    and a low calcium are one finding (high with a measured result), not a kidney finding
    beside a calcium finding."""
    labs = list(kidney.get("labs", []))
    conditions = list(kidney.get("conditions", []))
    (labs if "value" in calcium else conditions).append(calcium)
    report = checker(
        medications=[{"text": "Prolia 60 mg SC every 6 months"}], conditions=conditions, labs=labs
    )
    assert shown_combinations(report) == [
        "combination/denosumab_in_advanced_kidney_disease_with_low_calcium"
    ]
    (joint,) = [f for f in report.findings if f.kind == "combination" and not f.absorbed_by]
    assert joint.severity == report.risk == severity
    assert len(joint.inputs) == 3


def test_denosumab_in_advanced_kidney_disease_without_low_calcium_keeps_its_own_finding(
    checker: Checker,
) -> None:
    report = checker(
        medications=[{"text": "Prolia 60 mg SC every 6 months"}],
        conditions=[{"text": "CKD stage 4"}],
        labs=[{"text": "calcium", "value": 9.1, "unit": "mg/dL"}],
    )
    assert shown_combinations(report) == ["combination/denosumab_in_advanced_kidney_disease"]
