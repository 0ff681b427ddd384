"""Matching of free text, brands, misspellings, combinations, routes and codes."""

from __future__ import annotations

import pytest

from service.engine.models import Report
from service.knowledge.text import clause_tokens, drug_key_tokens, tokens, unit_key
from tests.conftest import Checker

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"


def concepts(report: Report, lst: str = "medications") -> list[str]:
    return list(getattr(report, lst)[0].concepts)


def status(report: Report, lst: str = "medications") -> str:
    return str(getattr(report, lst)[0].status)


def test_tokens_drop_dose_and_keep_words() -> None:
    assert drug_key_tokens("Lasix 40mg PO BID") == ["lasix", "po", "bid"]
    assert drug_key_tokens("HCTZ 12.5 mg") == ["hctz", "mg"]
    assert tokens("Ménière's") == ["meniere", "s"]
    assert unit_key("m[IU]/L") == "miu/l"
    assert unit_key("µIU/mL") == "uiu/ml"


def test_dotted_single_letters_read_as_the_word_they_spell() -> None:
    assert drug_key_tokens("E.E.S. 400 mg p.o. q.i.d.") == ["ees", "mg", "po", "qid"]
    assert clause_tokens("lasix p.o.; held") == ["lasix", "po", ";", "held"]
    # A lone letter with a dot is an abbreviation's end, not a spelled word.
    assert clause_tokens("Vit. D") == ["vit", ".", "d"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lasix 40 mg PO daily", ["furosemide"]),
        ("furosemide 20 mg PO BID", ["furosemide"]),
        ("HCTZ 25mg tab", ["hydrochlorothiazide"]),
        ("Microzide 12.5 mg", ["hydrochlorothiazide"]),
        ("insulin glargine 20 units qhs", ["insulin glargine"]),
        ("Ventolin HFA 90 mcg 2 puffs q4h prn", ["albuterol"]),
        ("methylprednisolone 4 mg dose pack", ["methylprednisolone"]),
        ("bumetanide 1 mg", ["bumetanide"]),
    ],
)
def test_free_text_with_dose_route_frequency_is_flagged(
    checker: Checker, text: str, expected: list[str]
) -> None:
    report = checker.med(text)
    assert concepts(report) == expected
    assert status(report) == "flagged"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenalog-40 40 mg IM", ["triamcinolone"]),
        ("lasix40mg daily", ["furosemide"]),
        ("B-12 1000 mcg", ["cyanocobalamin"]),  # "b12" is a word of its own
        ("Klor-Con M20", ["potassium chloride"]),
    ],
)
def test_a_name_with_its_strength_glued_on_is_read_as_the_name(
    checker: Checker, text: str, expected: list[str]
) -> None:
    report = checker.med(text)
    assert concepts(report) == expected
    assert report.medications[0].match != "spelling"


def test_misspelling_from_the_dataset_and_fuzzy_fallback(checker: Checker) -> None:
    assert concepts(checker.med("furosimide 40 mg")) == ["furosemide"]
    assert concepts(checker.med("hydroclorothiazide 25 mg")) == ["hydrochlorothiazide"]


def test_fuzzy_never_turns_nonsense_into_a_drug(checker: Checker) -> None:
    for text in ("qwerty 5 mg", "zorblax 10 mg", "xyzzy", "see attached list"):
        report = checker.med(text)
        assert status(report) == "unrecognized", text
        assert report.findings == []


def test_combination_product_by_hyphen_and_by_brand(checker: Checker) -> None:
    generic = checker.med("lisinopril-hydrochlorothiazide 20-25 mg")
    assert set(concepts(generic)) == {"lisinopril", "hydrochlorothiazide"}
    assert status(generic) == "flagged"
    brand = checker.med("Hyzaar 50-12.5 mg")
    assert set(concepts(brand)) == {"losartan", "hydrochlorothiazide"}


@pytest.mark.parametrize(
    ("text", "drugs"),
    [
        ("metolazone 2.5 mg 30 min before lasix", ["metolazone"]),
        ("metolazone 2.5 mg 30 min prior to furosemide", ["metolazone"]),
        ("metolazone 30 min before each dose of lasix", ["metolazone"]),
        ("potassium chloride 20 mEq with furosemide", ["potassium chloride"]),
        ("amlodipine 5 mg (take with simvastatin)", ["amlodipine"]),
        # Drugs that together are a product are its ingredients.
        ("lisinopril with hydrochlorothiazide", ["lisinopril", "hydrochlorothiazide"]),
        ("amlodipine with benazepril", ["amlodipine", "benazepril"]),
        ("Tylenol with codeine", ["acetaminophen", "codeine"]),
        ("lisinopril-HCTZ 20-12.5 mg", ["lisinopril", "hydrochlorothiazide"]),
        ("amlodipine/benazepril 5/20 mg", ["amlodipine", "benazepril"]),
    ],
)
def test_a_drug_named_in_the_instructions_is_a_timing_reference_not_an_ingredient(
    checker: Checker, text: str, drugs: list[str]
) -> None:
    assert sorted(concepts(checker.med(text))) == sorted(drugs)


def test_a_correction_scale_is_an_insulin_order_word_not_a_misspelled_laxative(
    checker: Checker,
) -> None:
    # "correction" is one letter from Correctol (bisacodyl).
    assert concepts(checker.med("Humalog correction scale")) == ["insulin lispro"]


def test_salt_words_do_not_become_a_second_drug(checker: Checker) -> None:
    assert concepts(checker.med("losartan potassium 50 mg")) == ["losartan"]
    assert concepts(checker.med("metoprolol succinate ER 50 mg daily")) == ["metoprolol"]


def test_route_decides_for_corticosteroids(checker: Checker) -> None:
    nasal = checker.med("fluticasone nasal spray")
    assert status(nasal) == "recognized"
    eye = checker.med("prednisolone acetate 1% eye drops")
    assert status(eye) == "recognized"
    assert eye.medications[0].reason
    oral = checker.med("prednisolone 5 mg PO daily")
    assert status(oral) == "flagged"
    cream = checker.med("hydrocortisone 1% cream")
    assert status(cream) == "recognized"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("methylprednisolone 80 mg intra-articular injection left knee", "recognized"),
        ("Depo-Medrol 40 mg injection intra-articular R knee", "recognized"),
        ("triamcinolone 40 mg epidural steroid injection L4-5", "recognized"),
        ("triamcinolone inj knee", "recognized"),
        ("Kenalog 40 mg knee injection", "recognized"),
        ("methylprednisolone 80 mg injection to R knee", "recognized"),
        ("Depo-Medrol 40 mg inj into the left shoulder", "recognized"),
        ("methylprednisolone 80 mg IM injection, right knee pain", "flagged"),
        ("Kenalog-40 40 mg IM", "flagged"),
        ("Solu-Medrol 125 mg IV", "flagged"),
    ],
)
def test_a_corticosteroid_injected_into_a_joint_or_the_epidural_space_is_not_systemic(
    checker: Checker, text: str, expected: str
) -> None:
    report = checker.med(text)
    assert status(report) == expected
    if expected == "recognized":
        assert "route is not a systemic corticosteroid" in str(report.medications[0].reason)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("tonic water", "at most 83 parts per million (21 CFR 172.575)"),
        ("alendronate 70 mg weekly", "a concern with IV bisphosphonates"),
        ("gabapentin 300 mg tid", "only as 'reported'"),
        ("lisinopril 10 mg daily", "raises rather than lowers potassium"),
        ("metformin 500 mg bid", None),  # no dataset reason: none shown
    ],
)
def test_a_drug_deliberately_not_flagged_says_why_on_its_status(
    checker: Checker, text: str, why: str | None
) -> None:
    report = checker.med(text)
    assert status(report) == "recognized"
    reason = report.medications[0].reason
    if why is None:
        assert reason is None
    else:
        assert reason is not None and why in reason


def test_a_product_gives_the_reason_of_each_ingredient_that_has_one(checker: Checker) -> None:
    report = checker.med("amlodipine and benazepril")
    assert status(report) == "recognized"
    assert concepts(report) == ["amlodipine", "benazepril"]
    # Amlodipine alone takes part only in a rule (review51 D8): that is its reason.
    assert report.medications[0].reason == (
        "amlodipine: Not flagged alone; flagged only in a combination: Simvastatin above 20 mg"
        " with amiodarone, amlodipine or ranolazine; benazepril: ACE inhibitor: raises rather"
        " than lowers potassium; no established cramp association."
    )


@pytest.mark.parametrize(
    ("text", "concept", "local_route"),
    [
        ("Kenalog 10 mg/mL intralesional", "triamcinolone", "intralesional"),
        ("triamcinolone 10 mg/mL injected into keloid", "triamcinolone", "intralesional"),
        ("Kenalog-10 injection intra-lesional to scalp", "triamcinolone", "intralesional"),
        ("triamcinolone injection 4 mg intravitreal", "triamcinolone", "intravitreal"),
        ("amphotericin B 50 mg/L bladder irrigation", "amphotericin B", "intravesical"),
        ("gentamicin 80 mg bladder instillation daily", "gentamicin", "intravesical"),
        ("gentamicin 80 mg in 50 mL NS intravesical", "gentamicin", "intravesical"),
        ("hydrocortisone 15 mg intrathecal", "hydrocortisone", "intrathecal"),
        ("amphotericin B 0.5 mg intrathecally twice weekly", "amphotericin B", "intrathecal"),
        ("gentamicin 5 mg preservative-free intrathecal injection", "gentamicin", "intrathecal"),
        # "IT" is the pronoun as often as intrathecal: never read as a route.
        ("prednisone 10 mg, take it with food", "prednisone", None),
        ("prednisolone acetate 1% 1 drop OS QID", "prednisolone", "ophthalmic"),  # left eye
        ("dexamethasone 4 mg per os daily", "dexamethasone", None),  # "per os": by mouth
        ("gentamicin 5 mg/kg IV q24h", "gentamicin", None),
        ("amphotericin B liposomal 3 mg/kg IV daily", "amphotericin B", None),
    ],
)
def test_a_drug_injected_into_a_lesion_or_instilled_into_the_bladder_is_local(
    checker: Checker, text: str, concept: str, local_route: str | None
) -> None:
    report = checker.med(text)
    assert concepts(report) == [concept]
    assert status(report) == ("recognized" if local_route else "flagged")
    if local_route:
        assert f"by the {local_route} route is not a systemic" in str(report.medications[0].reason)
        assert report.findings == []


@pytest.mark.parametrize(
    ("text", "concept", "expected"),
    [
        ("castor oil pack to abdomen nightly", "castor oil", "recognized"),
        ("castor oil 15 mL PO once", "castor oil", "flagged"),
        ("Fleet enema PR once", "sodium phosphate", "recognized"),
        ("Fleet Bisacodyl enema", "bisacodyl", "flagged"),
        ("Fleet Phospho-soda 45 mL PO", "sodium phosphate", "flagged"),
        ("sodium phosphate 15 mmol IV over 4 hours", "sodium phosphate", "recognized"),
    ],
)
def test_a_product_name_implies_its_route(
    checker: Checker, text: str, concept: str, expected: str
) -> None:
    report = checker.med(text)
    assert concepts(report) == [concept]
    assert status(report) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Enteric-coated or delayed-release budesonide is the oral capsule (Entocort EC,
        # Uceris), not the inhaled default: flagged, its potassium effect weak.
        ("budesonide EC 9 mg daily", "flagged"),
        ("budesonide enteric coated 3 mg capsules", "flagged"),
        ("budesonide delayed release 9 mg", "flagged"),
        ("budesonide 0.5 mg/2 mL neb BID", "recognized"),
        # No route words: a strength of 3 mg or more is a capsule or tablet dose, a smaller
        # one the inhaled default.
        ("budesonide 9 mg", "flagged"),
        ("budesonide 3 mg 3 capsules daily", "flagged"),
        ("budesonide 1 mg", "recognized"),
        ("budesonide 180 mcg 2 puffs BID", "recognized"),
        ("budesonide 9 mg inhaled", "recognized"),
        ("Pulmicort 9 mg", "recognized"),  # the brand says inhaled, whatever the strength
    ],
)
def test_enteric_coated_delayed_release_and_oral_strengths_are_oral(
    checker: Checker, text: str, expected: str
) -> None:
    report = checker.med(text)
    assert concepts(report) == ["budesonide"]
    assert status(report) == expected


@pytest.mark.parametrize("text", ["Fleet", "Fleet mineral oil enema"])
def test_a_maker_name_alone_names_no_product(checker: Checker, text: str) -> None:
    assert status(checker.med(text)) == "unrecognized"


def test_explicit_route_field_is_honoured(checker: Checker) -> None:
    assert status(checker.med("dexamethasone", route="ophthalmic")) == "recognized"
    assert status(checker.med("dexamethasone", route="PO")) == "flagged"
    # SNOMED CT 72607000 Intrathecal route (DICOM CID 11), and the word itself.
    for route in ("72607000", "Intrathecal"):
        report = checker.med("hydrocortisone 15 mg", route=route)
        assert status(report) == "recognized"
        assert "by the intrathecal route" in str(report.medications[0].reason)


def test_rxnorm_ingredient_code(checker: Checker) -> None:
    report = checker.med(coding=[{"system": RXNORM, "code": "4603"}])
    assert concepts(report) == ["furosemide"]
    alias = checker.med(coding=[{"system": "rxnorm", "code": "4603"}])
    assert concepts(alias) == ["furosemide"]


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("475342", "dasatinib"),  # IN, PEDSnet codeset (OMOP vocabulary)
        ("1045404", "dasatinib"),  # SBD dasatinib 140 MG Oral Tablet [Sprycel]
        ("1442981", "ibrutinib"),  # IN, PEDSnet codeset
        ("662281", "nilotinib"),  # IN, CPIC drug table
    ],
)
def test_kinase_inhibitor_codes_from_the_rebuilt_table(
    checker: Checker, code: str, concept: str
) -> None:
    report = checker.med(coding=[{"system": RXNORM, "code": code}])
    assert concepts(report) == [concept]
    assert status(report) == "flagged"


def test_unknown_clinical_drug_code_falls_back_to_display(checker: Checker) -> None:
    report = checker.med(
        coding=[{"system": RXNORM, "code": "316049", "display": "Hydrochlorothiazide 25 MG"}]
    )
    assert concepts(report) == ["hydrochlorothiazide"]
    assert status(report) == "flagged"


def test_unknown_code_without_display_is_unrecognized(checker: Checker) -> None:
    report = checker.med(coding=[{"system": RXNORM, "code": "999999999"}])
    assert status(report) == "unrecognized"
    assert "999999999" in (report.medications[0].reason or "")


@pytest.mark.parametrize("code", ["E11", "E11.9", "E119", "e11.9", "E11.65", "E11.649"])
def test_icd10cm_at_any_depth_with_or_without_dot(checker: Checker, code: str) -> None:
    report = checker.cond(coding=[{"system": ICD, "code": code}])
    assert "diabetes mellitus" in concepts(report, "conditions")
    assert status(report, "conditions") == "flagged"


def test_icd_alias_and_snomed(checker: Checker) -> None:
    assert (
        status(checker.cond(coding=[{"system": "icd10cm", "code": "M48.061"}]), "conditions")
        == "flagged"
    )
    assert (
        status(checker.cond(coding=[{"system": SNOMED, "code": "44054006"}]), "conditions")
        == "flagged"
    )
    assert (
        status(checker.cond(coding=[{"system": ICD, "code": "I10"}]), "conditions") == "recognized"
    )


@pytest.mark.parametrize(
    "text",
    [
        "lumbar spinal stenosis",
        "sciatica",
        "multiple sclerosis",
        "Duchenne muscular dystrophy",
        "hypothyroidism",
        "peripheral artery disease",
        "type 2 diabetes mellitus",
    ],
)
def test_condition_text_is_flagged(checker: Checker, text: str) -> None:
    assert status(checker.cond(text), "conditions") == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "family history of diabetes",
        "no history of diabetes",
        "diabetes insipidus",
        "hyperthyroidism",
        "hyperkalemia",
        "essential hypertension",
    ],
)
def test_condition_traps_are_recognized_not_flagged(checker: Checker, text: str) -> None:
    report = checker.cond(text)
    assert status(report, "conditions") == "recognized", text
    assert report.findings == []


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("cough", "cough (symptom)"),
        ("vasovagal syncope", "syncope (fainting)"),
        ("dizziness", "dizziness (symptom)"),
        ("knee pain", "joint pain"),
        ("cervicalgia", "neck pain"),
    ],
)
def test_a_symptom_is_recognized_as_itself(checker: Checker, text: str, concept: str) -> None:
    # Not as a group of unrelated symptoms ("chest pain, palpitations, ... or syncope").
    report = checker.cond(text)
    assert status(report, "conditions") == "recognized"
    assert concepts(report, "conditions") == [concept]


def test_unknown_condition_is_unrecognized(checker: Checker) -> None:
    report = checker.cond("blorf disease")
    assert status(report, "conditions") == "unrecognized"
    assert "blorf disease" in report.note


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("spinal stenossis", "lumbar spinal stenosis"),
        ("chronic kidney diseas", "chronic kidney disease stage 2-3 or stage not stated"),
        ("poorly controlled diabetis", "diabetes mellitus"),
    ],
)
def test_a_misspelled_word_of_a_known_term_is_read(
    checker: Checker, text: str, concept: str
) -> None:
    condition = checker.cond(text).conditions[0]
    assert (condition.match, condition.concepts) == ("spelling", [concept])


@pytest.mark.parametrize(
    "text",
    [
        # One word like a known term beside an unknown one: a name the service does not
        # know, never the look-alike ("gravis" is one edit from "gravid").
        "myasthenia gravis",
        "gravida 2 para 1",
        "diabetis per Dr Zhivago",
        # Two edits in a word of eight letters: further than a misspelling is read.
        "multipel sclerosis",
    ],
)
def test_a_look_alike_word_in_an_unknown_name_is_not_read_as_a_term(
    checker: Checker, text: str
) -> None:
    condition = checker.cond(text).conditions[0]
    assert condition.match != "spelling", text
    assert "pregnancy" not in condition.concepts


# Real drug names that are easy to confuse with a known one by spelling. Each must come
# back as itself (when the vocabulary knows it) or unrecognized, never as another drug.
LOOKALIKES = [
    "tamoxifen",
    "hydroxyzine",
    "hydralazine",
    "clonidine",
    "clozapine",
    "quetiapine",
    "olanzapine",
    "sumatriptan",
    "zolmitriptan",
    "prednisone",
    "primidone",
    "metolazone",
    "methimazole",
    "trazodone",
    "tramadol",
    "lamotrigine",
    "lamivudine",
    "carbamazepine",
    "oxcarbazepine",
    "risperidone",
    "ropinirole",
    "pramipexole",
    "paroxetine",
    "fluoxetine",
    "duloxetine",
    "atomoxetine",
    "glipizide",
    "glyburide",
    "nifedipine",
    "nicardipine",
    "celecoxib",
    "cefuroxime",
    "cefdinir",
    "ceftriaxone",
    "amiodarone",
    "amlodipine",
    "ranolazine",
    "dofetilide",
    "ivabradine",
    "dapagliflozin",
    "canagliflozin",
    "empagliflozin",
    "torsemide",
    "tolterodine",
    "tizanidine",
    "tiagabine",
    "bupropion",
    "buspirone",
    "acyclovir",
    "valacyclovir",
    "famciclovir",
    "ondansetron",
    "granisetron",
]


@pytest.mark.parametrize("name", LOOKALIKES)
def test_a_real_drug_is_never_read_as_another(checker: Checker, name: str) -> None:
    report = checker.med(f"{name} 10 mg")
    got = report.medications[0]
    assert got.status == "unrecognized" or got.concepts == [name], got


def test_the_match_memo_keeps_no_patient_text(checker: Checker) -> None:
    checker(
        medications=[{"text": "furosemide 40 mg for John Q Public DOB 1950-02-03"}],
        conditions=[{"text": "diabetes per Dr Zhivago"}],
    )
    checker(medications=[{"text": "Lasix 40 mg PO daily"}])
    memos = (checker.knowledge.drug_phrases, checker.knowledge.condition_phrases)
    words = {w for memo in memos for key in memo for w in key}
    assert {"john", "public", "1950", "zhivago"}.isdisjoint(words)
    assert "lasix" in words


def test_a_misspelling_read_by_the_fuzzy_fallback_is_not_reused_for_another_word(
    checker: Checker,
) -> None:
    # Both texts key the memo as ("no", "?"): only the match found without the unknown
    # word may be kept, never one that the fuzzy fallback read from it.
    first = checker.cond("no diabetis").conditions[0]
    assert (first.status, first.concept) == ("recognized", "diabetes mellitus")
    other = checker.cond("no zzzzzzzz").conditions[0]
    assert (other.status, other.concept) == ("unrecognized", None)
    again = checker.cond("no diabetis").conditions[0]
    assert (again.status, again.concept) == ("recognized", "diabetes mellitus")


def test_sig_words_and_intervals_are_known_so_no_fuzzy_look_up_runs_on_them(
    checker: Checker,
) -> None:
    assert drug_key_tokens("2 puffs q4h prn x5 days, q12hr") == ["puffs", "prn", "days"]
    assert drug_key_tokens("coenzyme Q10 100 mg") == ["coenzyme", "mg"]
    assert checker.med("coenzyme Q10 100 mg").medications[0].concepts == ["coenzyme Q10"]
    assert {"breakfast", "bedtime", "wheeze", "pain", "sleep"} <= checker.kb.drug_vocabulary
    report = checker.med("albuterol HFA 90 mcg 2 puffs inhaled q4h prn wheeze x5 days")
    assert report.medications[0].concepts == ["albuterol"]


def test_a_one_letter_name_after_a_drug_is_not_read_as_another_drug(checker: Checker) -> None:
    # "K" is a name of potassium chloride (K-Tab) only where no drug was named before it.
    assert concepts(checker.med("Lasix 20 mg, hold when K < 3.5")) == ["furosemide"]
    assert concepts(checker.med("K-Tab 20 mEq daily")) == ["potassium chloride"]


# Real names the knowledge base does not know (WHO Model List of Essential Medicines,
# VSAC/PEDSnet RxNorm ingredients; see docs) that the fuzzy fallback used to "correct" into
# another drug: each must stay unread, never the look-alike.
@pytest.mark.parametrize(
    ("text", "not_this"),
    [
        # Two edits that change consonants: another name of the family, not a typo.
        ("gliclazide MR 60 mg", "glipizide"),
        ("streptozocin 1 g IV", "streptomycin"),
        ("pentobarbital sodium 100 mg", "phenobarbital"),
        # One letter from a short brand: another real word (Retin-A, Cholac).
        ("rutin 500 mg", "tretinoin"),
        ("cholic acid 250 mg", "lactulose"),
        # With another unknown word: a name the service does not know (Bentyl, Retin-A).
        ("benzyl benzoate 25% lotion", "dicyclomine"),
        ("podophyllum resin 25%", "tretinoin"),
        ("juglans regia leaf extract", "naltrexone"),
    ],
)
def test_a_real_name_not_known_is_not_corrected_into_another_drug(
    checker: Checker, text: str, not_this: str
) -> None:
    got = checker.med(text).medications[0]
    assert not_this not in got.concepts, got
    assert got.match != "spelling", got


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("amitriptylene 25 mg", "amitriptyline"),
        ("atorvastain 20 mg", "atorvastatin"),
        # One edit from the short brand Digox, and from digoxin: read as digoxin.
        ("digoxn 0.125 mg", "digoxin"),
        # Two edits that keep the consonants: still a misspelling.
        ("hydrochlorthiazid 25 mg", "hydrochlorothiazide"),
        # A doubled letter in a short brand's name.
        ("nimbbex 2 mg/mL", "cisatracurium"),
        ("pepcidd 20 mg", "famotidine"),
        ("diovann 80 mg", "valsartan"),
        ("lipitorr 20 mg", "atorvastatin"),
    ],
)
def test_a_genuine_misspelling_is_still_corrected(
    checker: Checker, text: str, concept: str
) -> None:
    got = checker.med(text).medications[0]
    assert (got.match, got.concepts) == ("spelling", [concept])


def test_the_inn_phytomenadione_is_phytonadione_by_name(checker: Checker) -> None:
    # WHO Model List of Essential Medicines names vitamin K1 phytomenadione (the INN).
    got = checker.med("phytomenadione 10 mg").medications[0]
    assert (got.match, got.concepts) == ("name", ["phytonadione"])


@pytest.mark.parametrize(
    ("text", "not_this"),
    [
        # A one-letter word is not misspelled: vitamin A is not vitamin D.
        ("Vitamin A deficiency", "vitamin D deficiency"),
        # Another ending, another word: nephritic (nephritis) is not nephrotic.
        ("Acute nephritic syndrome", "nephrotic syndrome"),
        ("Chronic nephritic syndrome", "nephrotic syndrome"),
    ],
)
def test_a_condition_is_not_corrected_into_another(
    checker: Checker, text: str, not_this: str
) -> None:
    got = checker.cond(text).conditions[0]
    assert not_this not in got.concepts, got
    assert got.match != "spelling", got
