"""Common problem-list conditions (codes29): ICD-10-CM codes and clinicians' phrasings that
came back "unrecognized" are recognized, not flagged, and read as the concept their title
names; a category (H81.1-, H93.1-, M35.0-, Z96.6-) is matched by prefix, and no category
hides a code that a contributor maps."""

from __future__ import annotations

import pytest

from service.engine.matching import icd_prefixes
from tests.conftest import Checker

ICD = "http://hl7.org/fhir/sid/icd-10-cm"

# Entries added by codes29 (datasets/conditions/common.toml, "vocabulary review 29").
# fmt: off
CODES29 = [
    "heart_valve_disease", "cardiomyopathy", "cardiac_arrhythmia_other", "heart_murmur",
    "pericardial_disease", "aortic_disease", "thrombophlebitis", "hyperuricemia",
    "coagulation_disorder", "leukocytosis", "mgus", "essential_thrombocythemia",
    "interstitial_lung_disease", "bronchiectasis", "respiratory_failure", "pleural_disease",
    "lung_nodule", "nasal_or_tonsil_disorder", "gallbladder_disease", "abdominal_hernia",
    "esophageal_disorder", "lower_gi_bleeding", "anal_fissure", "dysphagia", "bloating",
    "weight_loss", "urinary_symptoms", "kidney_cyst", "abnormal_uterine_bleeding",
    "uterine_fibroids", "ovarian_cyst", "vaginitis", "benign_breast_condition",
    "thoracic_back_pain", "spondylosis", "spondylolisthesis", "spinal_curvature", "limb_pain",
    "meralgia_paresthetica", "sjogren_syndrome", "giant_cell_arteritis", "systemic_sclerosis",
    "ankylosing_spondylitis", "connective_tissue_disease_unspecified", "other_muscle_disorder",
    "joint_contracture", "foot_deformity", "dupuytren_contracture", "coccydynia",
    "somatic_dysfunction", "tmj_disorder", "mild_cognitive_impairment",
    "hypersomnia_narcolepsy", "hydrocephalus", "gait_abnormality", "bppv", "meniere_disease",
    "vertigo", "paresthesia", "frailty", "adjustment_disorder",
    "obsessive_compulsive_disorder", "personality_disorder", "autism_spectrum_disorder",
    "cannabis_use", "stimulant_use_disorder", "dry_eye", "refractive_error", "vision_loss",
    "vitreous_floaters", "tinnitus", "cerumen_impaction", "otitis_externa", "ear_pain",
    "seborrheic_dermatitis", "keratosis", "skin_cyst", "skin_infection", "ingrown_nail",
    "fungal_skin_infection", "pruritus", "urticaria", "hair_loss", "vitiligo",
    "pressure_ulcer", "chronic_leg_ulcer", "corns_calluses", "benign_skin_lesion",
    "benign_brain_or_pituitary_tumor", "history_of_colon_polyps", "history_of_cancer",
    "personal_history_other", "joint_replacement_status", "cardiac_device_or_graft_status",
    "postprocedural_status_other", "device_dependence", "allergy_status", "nonadherence",
    "family_history", "social_circumstance", "cancer", "muscle_cramps_complaint",
]
# fmt: on


def _coded(code: str) -> dict[str, object]:
    return {"coding": [{"system": ICD, "code": code}]}


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        # Muscle spasm reads as M62.831 (and R25.2) does: the complaint, not a contributor.
        ("M62.830", "existing complaint of muscle cramps"),
        ("M62.838", "existing complaint of muscle cramps"),
        ("M62.831", "existing complaint of muscle cramps"),
        ("M62.89", "other specified disorder of muscle"),
        ("H81.10", "benign paroxysmal positional vertigo"),
        ("H81.13", "benign paroxysmal positional vertigo"),
        ("H93.19", "tinnitus"),
        ("H93.13", "tinnitus"),
        ("M35.00", "Sjogren syndrome"),
        ("M35.01", "Sjogren syndrome"),
        ("Z96.651", "joint replacement (presence of artificial joint)"),
        ("Z96.642", "joint replacement (presence of artificial joint)"),
        ("Z86.010", "personal history of colon polyps"),
        ("Z86.0101", "personal history of colon polyps"),
        ("R26.89", "abnormality of gait (unsteady gait, difficulty walking)"),
        ("R26.81", "abnormality of gait (unsteady gait, difficulty walking)"),
        ("I34.0", "heart valve disease (regurgitation, prolapse, sclerosis)"),
        ("I20.9", "coronary artery disease"),
        ("I71.4", "aortic aneurysm or aortic atherosclerosis"),
        ("K80.20", "gallstones or cholecystitis"),
        ("C50.919", "cancer (malignant neoplasm)"),
        ("Z85.3", "personal history of cancer"),
        ("Z95.1", "cardiac device, stent, bypass graft or valve replacement"),
        ("Z99.81", "dependence on oxygen, ventilator, wheelchair or other device"),
        ("Z88.0", "allergy status (drug, food or other substance)"),
        ("Z80.0", "family history of a condition"),
        ("Z87.442", "personal history of a resolved condition (not a current contributor)"),
        ("L03.116", "cellulitis or skin abscess"),
    ],
)
def test_a_problem_list_code_is_recognized(checker: Checker, code: str, concept: str) -> None:
    report = checker(conditions=[_coded(code)])
    assert report.conditions[0].status == "recognized"
    assert report.conditions[0].concept == concept
    assert report.findings == [] or all(f.kind != "condition" for f in report.findings)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("BPPV", "benign paroxysmal positional vertigo"),
        ("tinnitus", "tinnitus"),
        ("Sjogren syndrome", "Sjogren syndrome"),
        ("Sjogren's syndrome", "Sjogren syndrome"),
        ("s/p knee replacement", "joint replacement (presence of artificial joint)"),
        ("s/p TKA", "joint replacement (presence of artificial joint)"),
        ("back spasm", "existing complaint of muscle cramps"),
        ("muscle spasm of back", "existing complaint of muscle cramps"),
        ("personal history of colonic polyps", "personal history of colon polyps"),
        ("unsteady gait", "abnormality of gait (unsteady gait, difficulty walking)"),
        ("Meniere's disease", "Meniere disease"),
        ("mitral regurgitation", "heart valve disease (regurgitation, prolapse, sclerosis)"),
        ("AAA", "aortic aneurysm or aortic atherosclerosis"),
        ("s/p CABG", "cardiac device, stent, bypass graft or valve replacement"),
        ("hiatal hernia", "hernia (hiatal, inguinal, umbilical, ventral)"),
        ("MCI", "mild cognitive impairment"),
        ("cerumen impaction", "impacted cerumen"),
        ("onychomycosis", "fungal skin or nail infection (tinea, onychomycosis)"),
        ("family history of colon cancer", "family history of a condition"),
    ],
)
def test_a_problem_list_phrase_is_recognized(checker: Checker, text: str, concept: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].status == "recognized"
    assert report.conditions[0].concept == concept


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        # A broad category never hides the more specific contributor under it.
        ("M62.82", "condition/rhabdomyolysis"),
        ("Z99.2", "condition/eskd_dialysis"),
        ("Z91.151", "condition/eskd_dialysis"),
        ("I70.211", "condition/peripheral_artery_disease"),
        ("M21.41", "condition/flat_feet"),
        ("M47.12", "condition/cervical_thoracic_spinal_stenosis"),
        ("M50.00", "condition/cervical_thoracic_spinal_stenosis"),
    ],
)
def test_a_contributor_under_a_new_category_stays_flagged(
    checker: Checker, code: str, finding: str
) -> None:
    report = checker(conditions=[_coded(code)])
    assert report.conditions[0].status == "flagged"
    assert [f.id for f in report.findings] == [finding]


@pytest.mark.parametrize(
    "code",
    [
        "Z86.12",  # history of poliomyelitis: post-polio syndrome is a contributor
        "Z86.39",  # history of other endocrine disease: may be a current one
        "Z96.41",  # insulin pump: names a diabetes
        "Z98.0",  # intestinal bypass: malabsorption
        "R35.8",  # polyuria
        "K92.0",  # hematemesis: vomiting is a contributor
    ],
)
def test_a_code_that_may_stand_for_a_contributor_is_not_checked_off(
    checker: Checker, code: str
) -> None:
    report = checker(conditions=[_coded(code)])
    assert report.conditions[0].status != "recognized"


def test_no_codes29_category_covers_a_contributor_code(checker: Checker) -> None:
    kb = checker.knowledge.kb
    contributor_keys = {
        key: [cid for cid in ids if kb.conditions[cid].contributes]
        for key, ids in kb.conditions_by_icd_prefix.items()
    }
    clashes = []
    for cid in CODES29:
        for code in kb.conditions[cid].icd10cm:
            compact = code.replace(".", "")
            for key, others in contributor_keys.items():
                if not others:
                    continue
                if key.startswith(compact) or compact.startswith(key):
                    # Left out by this entry's icd10cm_exclude?
                    if any(cid in kb.icd_exclusions.get(p, ()) for p in icd_prefixes(key)):
                        continue
                    clashes.append((cid, code, key, others))
    assert clashes == []


@pytest.mark.parametrize(
    "text", ["status post fall", "s/p fall", "recent falls", "mechanical fall"]
)
def test_a_fall_is_recognized_not_suggested_as_a_cardiac_device(
    checker: Checker, text: str
) -> None:
    """ "status post fall" was 'did you mean cardiac device ...' (1.3% of the sample)."""
    status = checker.cond(text).conditions[0]
    assert status.status == "recognized"
    assert status.concept == "falls (repeated or history of falling)"
