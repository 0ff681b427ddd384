"""Vocabulary review 11: inputs that were "Could not check" (or read as part of what they
name) are recognized as the intended concept, through the real engine."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("Unasyn 3 g IV q6h", ["ampicillin", "sulbactam"]),
        ("E-Mycin 250 mg", ["erythromycin"]),
        ("CsA 100 mg bid", ["cyclosporine"]),
        ("FK506 2 mg bid", ["tacrolimus"]),
        ("pentoxifylline 400 mg tid", ["pentoxifylline"]),
        ("Natpara", ["parathyroid hormone"]),
        ("Yorvipath", ["palopegteriparatide"]),
        ("palopegteriparatide", ["palopegteriparatide"]),
        ("Hypericum perforatum", ["Hypericum perforatum"]),
        ("Symfi", ["efavirenz", "lamivudine", "tenofovir disoproxil"]),
        ("cidofovir", ["cidofovir"]),
        ("Firdapse", ["amifampridine"]),
        ("amifampridine", ["amifampridine"]),
        ("chloroquine phosphate 500 mg", ["chloroquine"]),
        ("penicillamine", ["penicillamine"]),
        ("Mylanta 30 mL", ["calcium carbonate", "magnesium hydroxide", "simethicone"]),
        ("MgOx 400 mg", ["magnesium oxide"]),
        ("MgSO4 2 g IV", ["magnesium sulfate"]),
        ("KDur 20 meq", ["potassium chloride"]),
        ("milk of magnesia", ["magnesium hydroxide"]),
        # Vocabulary review 12.
        ("metyrapone 250 mg", ["metyrapone"]),
        ("Isturisa 2 mg bid", ["osilodrostat"]),
        ("Korlym 300 mg daily", ["mifepristone"]),
        ("Fycompa 4 mg qhs", ["perampanel"]),
        ("Motegrity 2 mg daily", ["prucalopride"]),
        ("fosaprepitant 150 mg IV", ["fosaprepitant"]),
        ("Emend IV 150 mg", ["fosaprepitant"]),
        ("Akynzeo", ["netupitant", "palonosetron"]),
        ("netupitant/palonosetron", ["netupitant", "palonosetron"]),
        ("Lotemax 0.5% 1 drop OU QID", ["loteprednol"]),
        ("Durezol 1 drop OD QID", ["difluprednate"]),
        ("Proctofoam HC rectal foam", ["hydrocortisone", "pramoxine"]),
        ("menthol topical", ["menthol"]),
        ("creatine monohydrate 5 g daily", ["creatine"]),
        ("botulinum toxin q3 months", ["botulinum toxin"]),
        ("Botox 200 units IM", ["botulinum toxin"]),
        ("Xeomin 100 units", ["botulinum toxin"]),
        ("Mycolog-II cream bid", ["nystatin", "triamcinolone"]),
        ("Oncaspar", ["pegaspargase"]),
        ("RYR 1200 mg", ["red yeast rice"]),
        ("grapefruit", ["grapefruit juice"]),
        ("FOLFOX", ["leucovorin", "fluorouracil", "oxaliplatin"]),
        ("mFOLFOX6", ["leucovorin", "fluorouracil", "oxaliplatin"]),
        ("FOLFIRI", ["leucovorin", "fluorouracil", "irinotecan"]),
        ("R-CHOP", ["rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"]),
        # Vocabulary review 13.
        ("clofazimine 100 mg", ["clofazimine"]),
        ("Lamprene 50 mg", ["clofazimine"]),
        ("Rifater 5 tablets daily", ["rifampin", "isoniazid", "pyrazinamide"]),
        ("Rifamate 2 capsules daily", ["rifampin", "isoniazid"]),
        ("Icy Hot patch", ["menthol"]),
        ("Biofreeze gel", ["menthol"]),
        ("menthol cough drops", ["menthol"]),
        ("pickle juice", ["pickle juice"]),
    ],
)
def test_a_medication_is_recognized_as_its_concept(
    checker: Checker, text: str, concepts: list[str]
) -> None:
    status = checker.med(text).medications[0]
    assert status.status in ("recognized", "flagged")
    assert list(status.concepts) == concepts


@pytest.mark.parametrize(
    ("abbreviation", "name"),
    [("CsA 100 mg bid", "cyclosporine 100 mg bid"), ("FK506 2 mg bid", "tacrolimus 2 mg bid")],
)
def test_an_abbreviation_is_flagged_as_its_drug_is(
    checker: Checker, abbreviation: str, name: str
) -> None:
    by_abbreviation = checker.med(abbreviation)
    by_name = checker.med(name)
    assert [f.id for f in by_abbreviation.findings] == [f.id for f in by_name.findings]


def test_e_mycin_keeps_erythromycins_interaction(checker: Checker) -> None:
    """E-Mycin is the erythromycin concept, so its CYP3A4 interaction with simvastatin is
    the one erythromycin has."""
    brand = checker(medications=[{"text": "E-Mycin 250 mg"}, {"text": "simvastatin 40 mg"}])
    generic = checker(medications=[{"text": "erythromycin 250 mg"}, {"text": "simvastatin 40 mg"}])
    assert [f.id for f in brand.findings] == [f.id for f in generic.findings]
    assert any(f.id.startswith("combination/") for f in generic.findings)


@pytest.mark.parametrize(
    ("text", "concept", "status"),
    [
        # Diarrhea defines them: read as the diarrhea contributor.
        ("gastroenteritis", "diarrhea", "flagged"),
        ("C diff colitis", "diarrhea", "flagged"),
        ("Clostridioides difficile colitis", "diarrhea", "flagged"),
        ("heat exhaustion", "dehydration", "flagged"),
        ("HHS", "diabetes mellitus", "flagged"),
        ("hyperosmolar hyperglycemic state", "diabetes mellitus", "flagged"),
        ("ileostomy", "ileostomy", "recognized"),
        ("periodic limb movement disorder", "periodic limb movement disorder", "recognized"),
        ("tardive dyskinesia", "tardive dyskinesia", "recognized"),
        ("cor pulmonale", "cor pulmonale", "recognized"),
        ("cryptococcal meningitis", "cryptococcal meningitis", "recognized"),
        # Vocabulary review 12.
        ("norovirus", "diarrhea", "flagged"),
        ("food poisoning", "diarrhea", "flagged"),
        ("gastroparesis", "gastroparesis", "recognized"),
        ("neuroleptic malignant syndrome", "neuroleptic malignant syndrome", "recognized"),
        ("serotonin syndrome", "serotonin syndrome", "recognized"),
        ("tremor", "tremor (not essential tremor)", "recognized"),
        ("myoclonus", "myoclonus", "recognized"),
        ("akathisia", "akathisia", "recognized"),
        ("extrapyramidal symptoms", "extrapyramidal symptoms (type not stated)", "recognized"),
        ("psychogenic polydipsia", "psychogenic (primary) polydipsia", "recognized"),
        ("lithium toxicity", "lithium toxicity", "recognized"),
        ("EHS", "heat stroke", "recognized"),
        ("shin splints", "shin splints (medial tibial stress syndrome)", "recognized"),
        ("frequent falls", "falls (repeated or history of falling)", "recognized"),
        (
            "familial Mediterranean fever",
            "familial Mediterranean fever (periodic fever syndrome)",
            "recognized",
        ),
        ("salt-wasting CAH", "congenital adrenal hyperplasia", "recognized"),
        ("transverse myelitis", "transverse myelitis", "recognized"),
        ("G-tube dependent", "gastrostomy (G-tube) status", "recognized"),
        ("gastric band removed", "gastric band removed (status after removal)", "recognized"),
        ("gastric bypass reversal", "gastric bypass reversal (status after)", "recognized"),
        (
            "Roux-en-Y gastric bypass reversal",
            "gastric bypass reversal (status after)",
            "recognized",
        ),
        ("binge eating disorder", "binge eating disorder", "recognized"),
        ("acute lymphoblastic leukemia", "acute lymphoblastic leukemia", "recognized"),
        # Vocabulary review 13.
        ("exercise-induced bronchospasm", "exercise-induced bronchospasm", "recognized"),
        ("ketogenic diet", "ketogenic diet", "recognized"),
        ("bile acid malabsorption", "bile acid malabsorption", "recognized"),
        ("esophageal varices", "esophageal varices", "recognized"),
        ("sinus bradycardia", "bradycardia", "recognized"),
        ("nursing home resident", "nursing home resident (status)", "recognized"),
        ("falls asleep easily", "daytime sleepiness (somnolence)", "recognized"),
        ("falls asleep at the wheel", "daytime sleepiness (somnolence)", "recognized"),
        ("excessive daytime sleepiness", "daytime sleepiness (somnolence)", "recognized"),
        ("falls", "falls (repeated or history of falling)", "recognized"),
    ],
)
def test_a_condition_is_recognized_as_its_concept(
    checker: Checker, text: str, concept: str, status: str
) -> None:
    found = checker.cond(text).conditions[0]
    assert (found.status, found.concept) == (status, concept)


def test_a_past_c_diff_colitis_is_not_current_diarrhea(checker: Checker) -> None:
    report = checker.cond("h/o C diff colitis")
    assert report.findings == []


def test_bare_gravida_para_is_still_not_a_current_pregnancy(checker: Checker) -> None:
    report = checker.cond("gravida 2 para 1")
    assert report.conditions[0].concept != "pregnancy"
    assert report.findings == []


# ---- Vocabulary review 12


@pytest.mark.parametrize("text", ["Lotemax 0.5% 1 drop OU QID", "Durezol 1 drop OD QID"])
def test_an_ophthalmic_steroid_is_not_a_potassium_lowering_steroid(
    checker: Checker, text: str
) -> None:
    """Lotemax was offered as sodium zirconium cyclosilicate; an eye drop steroid is not
    the systemic corticosteroid class and adds nothing to a diuretic's potassium loss."""
    report = checker(medications=[{"text": text}, {"text": "furosemide 40 mg daily"}])
    assert report.medications[0].status == "recognized"
    assert [f.id for f in report.findings] == ["medication/furosemide"]


def test_fosaprepitant_does_not_join_the_colchicine_moderate_inhibitor_rule(
    checker: Checker,
) -> None:
    """A single 150 mg dose is a weak CYP3A4 inhibitor (not the label's moderate
    aprepitant regimen): colchicine with it is colchicine alone."""
    with_fos = checker(medications=[{"text": "Emend IV 150 mg"}, {"text": "colchicine 0.6 mg bid"}])
    alone = checker(medications=[{"text": "colchicine 0.6 mg bid"}])
    assert [f.id for f in with_fos.findings] == [f.id for f in alone.findings]


def test_a_gastric_bypass_reversal_does_not_join_a_low_calcium(checker: Checker) -> None:
    labs = [{"text": "calcium", "value": 7.9, "unit": "mg/dL"}]
    bypass = checker(conditions=[{"text": "gastric bypass"}], labs=labs)
    reversal = checker(conditions=[{"text": "gastric bypass reversal"}], labs=labs)
    assert any(f.id.startswith("combination/") for f in bypass.findings)
    assert not any(f.id.startswith("combination/") for f in reversal.findings)


def test_binge_eating_is_not_an_eating_disorder_in_remission(checker: Checker) -> None:
    found = checker.cond("binge eating disorder").conditions[0]
    assert found.concept == "binge eating disorder"
    assert checker.cond("binge eating disorder").findings == []


@pytest.mark.parametrize("text", ["all", "ALL", "all of the above"])
def test_the_word_all_is_not_a_leukemia(checker: Checker, text: str) -> None:
    assert checker.cond(text).conditions[0].concept != "acute lymphoblastic leukemia"


def test_a_tacrolimus_level_is_a_known_lab_not_checked(checker: Checker) -> None:
    report = checker(labs=[{"text": "tacrolimus level", "value": 8.2, "unit": "ng/mL"}])
    assert report.labs[0].status == "recognized"
    assert report.labs[0].concept == "tacrolimus level"
    assert report.findings == []


def test_diabetic_gastroparesis_keeps_the_diabetes_it_names(checker: Checker) -> None:
    report = checker.cond("diabetic gastroparesis")
    assert list(report.conditions[0].concepts) == ["diabetes mellitus", "gastroparesis"]
    assert [f.id for f in report.findings] == ["condition/diabetes"]


def test_mycolog_is_a_topical_steroid_not_a_systemic_one(checker: Checker) -> None:
    assert checker.med("Mycolog-II cream bid").findings == []


# ---- Vocabulary review 13


@pytest.mark.parametrize("text", ["menthol cough drops", "menthol lozenge", "Icy Hot patch"])
def test_menthols_reason_fits_a_lozenge_and_a_rub(checker: Checker, text: str) -> None:
    """The menthol reason said only 'rubbed on sore muscles', shown for a cough drop too."""
    status = checker.med(text).medications[0]
    assert "cough drops" in (status.reason or "")
    assert "rubbed on sore muscles" in (status.reason or "")
    assert checker.med(text).findings == []


def test_clofazimine_is_not_offered_as_clomiphene_or_clonidine(checker: Checker) -> None:
    status = checker.med("clofazimine 100 mg").medications[0]
    assert status.status == "recognized"
    assert "clomiphene" not in (status.reason or "")


def test_exercise_induced_bronchospasm_coded_is_not_asthma(checker: Checker) -> None:
    coded = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J45.990"}]}
    assert checker(conditions=[coded]).conditions[0].concept == "exercise-induced bronchospasm"
    asthma = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J45.909"}]}
    assert checker(conditions=[asthma]).conditions[0].concept == "asthma"


def test_bare_eps_is_left_unread(checker: Checker) -> None:
    """'EPS' is also an electrophysiology study and encapsulating peritoneal sclerosis (a
    peritoneal dialysis complication): not read as extrapyramidal symptoms."""
    assert checker.cond("EPS").conditions[0].status == "unrecognized"
