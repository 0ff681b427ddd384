"""Build ``datasets/snomed/codes.tsv``: SNOMED CT disorders that mean a known condition.

A code is kept when two things agree: a published code set says what it is (a VSAC value
set of the CMS eCQMs, or a PEDSnet OMOP codeset, mapped below to the condition it
defines), and its name, read by the service's own condition matcher (exact words, no
spelling correction), names that condition. Codes of Synthea's records, which carry the
full SNOMED CT name with its semantic tag, are kept on their name alone. Every kept code
passes its Verhoeff check digit, and nothing in its name says it is not the patient's
current condition (a history, a screening, the mother or the fetus, a pregnancy that is
over: ``tests.knowledge.codes.snomed_name_problem``). The test suite re-proves every row.

    python scripts/build_snomed_codes.py --mirrors DIR [--rejected FILE]

``DIR`` as for ``build_rxnorm_codes.py`` (the same pinned commits).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_rxnorm_codes import SOURCES, Source, _blobs, _concepts, _omop_concepts  # noqa: E402

from service.engine import prepare  # noqa: E402
from service.knowledge import load_knowledge  # noqa: E402
from service.knowledge.codes import SNOMED_COLUMNS  # noqa: E402
from service.knowledge.text import tokens  # noqa: E402
from tests.knowledge.codes import snomed_concept_ok, snomed_name_problem  # noqa: E402

TABLE = ROOT / "datasets" / "snomed" / "codes.tsv"
_TAGGED = re.compile(r"\((disorder|finding)\)\s*$")
_TAG = re.compile(r"\s*\([a-z /]+\)\s*$")
_PROCEDURE = re.compile(
    r"\b(removal|insertion|revision|repair|excision|biopsy|injection|therapy|dialysis|"
    r"hemodialysis|haemodialysis|transplant|transplantation|surgery|operation|procedure|"
    r"care|counseling|counselling|management|diet|test|measurement|catheter|shunt|fistula|"
    r"cannulation|\w+ectomy|\w+otomy|\w+ostomy|\w+plasty)\b",
    re.IGNORECASE,
)
SCT = "http://snomed.info/sct"
VSAC = "http://cts.nlm.nih.gov/fhir/ValueSet/"

# Code set -> the condition its members are (the name must read as it too). A VSAC value
# set is named by its OID, a PEDSnet codeset by its file name.
CODE_SETS: dict[str, str] = {
    VSAC + "2.16.840.1.113883.3.464.1003.103.12.1001": "diabetes",  # Diabetes
    VSAC + "2.16.840.1.113883.3.464.1003.103.12.1020": "diabetes",  # Type 1 Diabetes
    VSAC + "2.16.840.1.113883.3.526.3.327": "diabetes",  # Diabetic Retinopathy
    VSAC + "2.16.840.1.113883.3.526.2.80": "diabetes",  # Diabetic Retinopathy
    VSAC + "2.16.840.1.113883.3.464.1003.109.12.1004": "diabetes",  # Diabetic Nephropathy
    VSAC + "2.16.840.1.113883.3.526.3.353": "eskd_dialysis",  # End Stage Renal Disease
    VSAC + "2.16.840.1.113883.3.526.2.590": "eskd_dialysis",  # End Stage Renal Disease
    VSAC + "2.16.840.1.113883.3.526.3.1002": "ckd_stage_4_5",  # CKD, Stage 5
    VSAC + "2.16.840.1.113883.3.526.2.1037": "ckd_stage_4_5",  # CKD, Stage 5
    VSAC + "2.16.840.1.113762.1.4.1047.21": "peripheral_artery_disease",  # Atherosclerosis and PAD
    VSAC + "2.16.840.1.113883.3.526.3.378": "pregnancy",  # Pregnancy
    VSAC + "2.16.840.1.113883.3.526.2.532": "pregnancy",  # Pregnancy
    VSAC + "2.16.840.1.113883.3.464.1003.117.12.1015": "hyperthyroidism",  # Hyperthyroidism
    VSAC + "2.16.840.1.113883.3.526.3.369": "coronary_artery_disease",  # CAD No MI
    VSAC + "2.16.840.1.113883.3.526.2.120": "coronary_artery_disease",  # CAD No MI
    "dx_2022_03_Anemia_V1.csv": "anemia",
    "dx_anemia.csv": "anemia",
    "dx_2021_12_Hypothyroidism_V1.csv": "hypothyroidism",
    "dx_2021_11_Diabetes_V1.csv": "diabetes",
    "dx_diabetes.csv": "diabetes",
    "dx_2022_03_CKDAllStages_V1.csv": "ckd_stage_1_3",
    "dx_ckd_allstages.csv": "ckd_stage_1_3",
    "dx_2021_11_CKDStage23_V1.csv": "ckd_stage_1_3",
    "dx_ckd_stage23.csv": "ckd_stage_1_3",
    "dx_2021_11_KidneyDialysis_V1.csv": "eskd_dialysis",
    "dx_2022_05_MultipleSclerosis_V1.csv": "multiple_sclerosis",
    "dx_2022_08_PeripheralNeuropathy_V1.csv": "peripheral_neuropathy",
    "dx_2023_10_Pregnancy_V1.csv": "pregnancy",
    "dx_2022_01_Hypertension_V1.csv": "hypertension",
    "dx_2022_03_Asthma_V1.csv": "asthma",
    "dx_2023_01_Depression_V2.csv": "depression",
    "dx_2023_05_Anxiety_V1.csv": "anxiety",
    "dx_2021_12_Obesity_V2.csv": "obesity",
    "dx_2023_Stroke_V1.csv": "stroke",
    "dx_2023_02_DeepVeinThrombosis_V1.csv": "deep_vein_thrombosis",
    "dx_2021_09_EsophagealReflux_V1.csv": "gerd",
    "dx_2022_04_Hypotension_V1.csv": "hypotension",
    "dx_2021_11_AddisonsDisease_V1.csv": "adrenal_insufficiency",
    "dx_2021_12_FluidElectrolyteDisturbance_V1.csv": "hypokalemia",
}
# The SNOMED International IPS Free Set (HL7 IPS guide, FSH expansion, SNOMED CT
# 2022-07-31; source ``snomed_ips_free_set``): only these of its codes are read, each with
# the condition it is (its name must read as that condition too). Added in review 51 for
# problem lists coded without a display.
IPS = Source(
    "snomed_ips_free_set",
    "HL7/fhir-ips",
    "57c3299fe9759f9be7c7b6976ce61f57ef9a7bd1",
    "fsh_valueset",
    "input/fsh/valuesets/ProblemsSnomedCtIpsFreeSet.fsh",
)
IPS_CODES = {
    "76107001": "spinal_stenosis",  # Spinal stenosis
    "18347007": "spinal_stenosis",  # Spinal stenosis of lumbar region
    "370471003": "spinal_stenosis",  # Spinal stenosis of lumbosacral region
    "83561009": "cervical_thoracic_spinal_stenosis",  # Spinal stenosis in cervical region
    "302226006": "peripheral_neuropathy",  # Peripheral nerve disease
    "386033004": "peripheral_neuropathy",  # Neuropathy
    # Review 54 (D3, D4 and a sweep of the contributors' concepts): problem lists coded
    # without a display. A history ("H/O: ...") or a code that may be after the pregnancy
    # (pre-eclampsia) is not read.
    "89627008": "hyponatremia",  # Hyponatremia
    "267447008": "hyponatremia",  # Hypo-osmolality and or hyponatremia
    "36976004": "hypoparathyroidism",  # Hypoparathyroidism
    "230572002": "peripheral_neuropathy",  # Neuropathy due to diabetes mellitus
    "424736006": "peripheral_neuropathy",  # Diabetic peripheral neuropathy
    "22722001": "peripheral_neuropathy",  # Idiopathic peripheral neuropathy
    "95662005": "peripheral_neuropathy",  # Sensory neuropathy
    "95663000": "peripheral_neuropathy",  # Peripheral motor neuropathy
    "385006": "peripheral_neuropathy",  # Secondary peripheral neuropathy
    "32914008": "restless_legs_syndrome",  # Restless legs
    "66931009": "hypercalcemia",  # Hypercalcemia
    "235595009": "gerd",  # Gastroesophageal reflux disease
    "396275006": "osteoarthritis",  # Osteoarthritis
    "13645005": "copd",  # Chronic obstructive lung disease
    "34713006": "vitamin_d_deficiency",  # Vitamin D deficiency
    "11530004": "diabetes",  # Brittle diabetes mellitus
    "443694000": "diabetes",  # Type II diabetes mellitus uncontrolled
    "444073006": "diabetes",  # Type 1 diabetes mellitus uncontrolled
    "420868002": "diabetes",  # Disorder due to type 1 diabetes mellitus
    "74627003": "diabetes",  # Complication due to diabetes mellitus
    "190447002": "diabetes",  # Steroid-induced diabetes
    "422088007": "diabetes",  # Disorder of nervous system due to diabetes mellitus
    "421895002": "diabetes",  # Peripheral vascular disorder due to diabetes mellitus
    "127014009": "diabetes",  # Peripheral angiopathy due to diabetes mellitus
    "310387003": "diabetes",  # Intracapillary glomerulosclerosis of kidney due to DM
    "420422005": "diabetes",  # Diabetic ketoacidosis
    "420270002": "diabetes",  # Ketoacidosis due to type 1 diabetes mellitus
    "237632004": "diabetes",  # Hypoglycemic event due to diabetes
    "230577008": "diabetes",  # Diabetic mononeuropathy
    "50620007": "diabetes",  # Autonomic neuropathy due to diabetes mellitus
    "111566002": "hypothyroidism",  # Acquired hypothyroidism
    "54823002": "hypothyroidism",  # Subclinical hypothyroidism
    "82598004": "hypothyroidism",  # Secondary hypothyroidism
    "88273006": "hypothyroidism",  # Iatrogenic hypothyroidism
    "27059002": "hypothyroidism",  # Postoperative hypothyroidism
    "237527007": "hypothyroidism",  # Postablative hypothyroidism
    "190279008": "hypothyroidism",  # Iodine hypothyroidism
    "234347009": "anemia",  # Anemia of chronic disease
    "234348004": "anemia",  # Anemia of renal disease
    "310647000": "anemia",  # Anemia secondary to renal failure
    "49708008": "anemia",  # Anemia of chronic renal failure
    "413532003": "anemia",  # Anemia due to blood loss
    "413533008": "anemia",  # Anemia due to chronic blood loss
    "83414005": "anemia",  # Macrocytic anemia
    "234349007": "anemia",  # Microcytic anemia
    "300980002": "anemia",  # Normocytic anemia
    "44666001": "anemia",  # Microcytic hypochromic anemia
    "191268006": "anemia",  # Chronic anemia
    "428383000": "anemia",  # Anemia due to medication
    "767657005": "anemia",  # Anemia due to and following chemotherapy
    "306058006": "anemia",  # Aplastic anemia
    "61261009": "anemia",  # Hemolytic anemia
    "267513007": "anemia",  # Deficiency anemias
    "27342004": "anemia",  # Anemia of pregnancy
    "266468003": "cirrhosis",  # Cirrhosis - non-alcoholic
    "419728003": "cirrhosis",  # Portal cirrhosis
    "428171009": "peripheral_artery_disease",  # Peripheral vascular disease with rest pain
    "2415007": "sciatica",  # Lumbosacral radiculopathy
    "128196005": "sciatica",  # Lumbar radiculopathy
    "46578006": "sciatica",  # Lumbosacral radiculitis
    "303081002": "spinal_stenosis",  # Neurogenic claudication
    "816082000": "dehydration",  # Hypovolemia
    "34842007": "pregnancy",  # Antepartum hemorrhage
    "90325002": "pregnancy",  # Vomiting of pregnancy
    "609496007": "pregnancy",  # Complication occurring during pregnancy
    "191811004": "alcohol_use_disorder",  # Continuous chronic alcoholism
    "191812006": "alcohol_use_disorder",  # Episodic chronic alcoholism
    "284591009": "alcohol_use_disorder",  # Persistent alcohol abuse
    "191882002": "alcohol_use_disorder",  # Nondependent alcohol abuse, continuous
    "191883007": "alcohol_use_disorder",  # Nondependent alcohol abuse, episodic
    "191480000": "alcohol_use_disorder",  # Alcohol withdrawal syndrome
    "32798002": "parkinsonism",  # Parkinsonism
}
# PEDSnet condition codesets written without a ``vocabulary_id`` column (OMOP condition
# concepts; the generic reader skips them): only these of their codes are read, each with
# the codeset that holds it (review 54 D3).
PEDSNET_UNLABELLED = {
    "111552007": "conditions/dx_2021_11_Diabetes_V1.csv",  # Diabetes mellitus without complication
}
_FSH_MEMBER = re.compile(r'code = #(\d+)\n\* \^expansion\.contains\[=\]\.display = "([^"]+)"')


def ips_codes(mirrors: Path) -> dict[str, str]:
    """{code: name} of the ``IPS_CODES`` as the pinned IPS Free Set expansion names them."""
    mirror = mirrors / IPS.repo.replace("/", "+") / "repo"
    fsh = subprocess.run(
        ["git", "-C", str(mirror), "show", f"{IPS.commit}:{IPS.under}"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    members = dict(_FSH_MEMBER.findall(fsh))
    return {code: members[code] for code in IPS_CODES if code in members}


def pedsnet_unlabelled(source: Source, mirrors: Path) -> dict[str, tuple[str, str]]:
    """{code: (name, codeset file name)} of the ``PEDSNET_UNLABELLED`` codes at the pin."""
    mirror = mirrors / source.repo.replace("/", "+") / "repo"
    found: dict[str, tuple[str, str]] = {}
    for code, path in PEDSNET_UNLABELLED.items():
        raw = subprocess.run(
            ["git", "-C", str(mirror), "show", f"{source.commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8-sig")
        for record in csv.DictReader(io.StringIO(raw)):
            if record.get("concept_code", "").strip() == code:
                found[code] = (record["concept_name"].strip(), path.rsplit("/", 1)[-1])
    return found


# Names the condition matcher reads as a condition they are not (issue 13: primary biliary
# cholangitis is not cirrhosis unless staged so; Hashimoto hyperthyroidism is not
# hypothyroidism): such a name is not proof of that condition.
NOT_PROOF = {
    "cirrhosis": re.compile(r"cholangitis", re.IGNORECASE),
    "hypothyroidism": re.compile(r"hyperthyroidism", re.IGNORECASE),
}
# The CKD codesets hold every stage: a code of stage 4 or 5 there is kept as that stage.
SAME_SET = {
    "ckd_stage_1_3": {"ckd_stage_4_5", "eskd_dialysis"},
    "ckd_stage_4_5": {"eskd_dialysis"},
    # The fluid and electrolyte codeset holds each disturbance: read by the name.
    "hypokalemia": {"hypomagnesemia", "hypocalcemia", "hyponatremia", "dehydration"},
}


def code_sets(source: Source, mirrors: Path) -> dict[str, dict[str, str]]:
    """Code set name -> {SNOMED CT code: name} of a source; sets not in CODE_SETS as "other"."""
    mirror = mirrors / source.repo.replace("/", "+") / "repo"
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path, raw in _blobs(mirror, source.commit, source.under):
        if source.kind == "omop_csv":
            key = path.rsplit("/", 1)[-1]
            found[key if key in CODE_SETS else "other"].update(_omop_concepts(raw, "SNOMED"))
        elif source.kind == "valueset" and b'"ValueSet"' in raw and b"sct" in raw:
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            url = data.get("url") if isinstance(data, dict) else None
            members = _concepts(data.get("expansion", {}), SCT)
            found[url if url in CODE_SETS else "other"].update(members)
        elif source.kind == "synthea":
            data = json.loads(raw)
            conditions = [
                e["resource"]
                for e in data.get("entry", ())
                if e.get("resource", {}).get("resourceType") == "Condition"
            ]
            found["synthea"].update(_concepts(conditions, SCT))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, help="write the rejected codes here")
    args = parser.parse_args(argv)
    # code -> source id -> (name, conditions the source's code sets say)
    claims: dict[str, dict[str, tuple[str, set[str]]]] = defaultdict(dict)
    for source in SOURCES:
        if source.kind not in ("valueset", "omop_csv", "synthea"):
            continue
        for key, members in code_sets(source, args.mirrors).items():
            for code, name in members.items():
                _, said = claims[code].setdefault(source.id, (name, set()))
                said.update({CODE_SETS[key]} if key in CODE_SETS else set())
        print(f"{source.id}: read")
    for code, name in ips_codes(args.mirrors).items():
        _, said = claims[code].setdefault(IPS.id, (name, set()))
        said.add(IPS_CODES[code])
    print(f"{IPS.id}: read")
    pedsnet = next(source for source in SOURCES if source.id == "pedsnet_codesets")
    for code, (name, codeset) in pedsnet_unlabelled(pedsnet, args.mirrors).items():
        _, said = claims[code].setdefault(pedsnet.id, (name, set()))
        said.add(CODE_SETS[codeset])
    kb = load_knowledge()
    knowledge = prepare(kb)
    rows: list[str] = []
    rejected: list[str] = []
    for code, by_source in sorted(claims.items(), key=lambda item: int(item[0])):
        name = next(iter(by_source.values()))[0]
        said = set().union(*(s for _, s in by_source.values()))
        if not snomed_concept_ok(code):
            rejected.append(f"{code}\t{name}\tcheck digit or partition")
            continue
        problem, conditions = snomed_name_problem(name, None, knowledge)
        allowed = said | {c for s in said for c in SAME_SET.get(s, ())}
        if not problem and said and not allowed & set(conditions):
            problem = f"the code set says {sorted(said)}, the name reads {list(conditions)}"
        # A name that is itself a term of the condition ("Multiple sclerosis (disorder)")
        # says what the code is without a code set.
        exact = " ".join(tokens(_TAG.sub("", name))) in kb.condition_terms
        if not problem and not said and not exact and "synthea_r4_records" not in by_source:
            problem = "no code set says what it is"
        tagged = any(_TAGGED.search(n) for n, _ in by_source.values())
        if not problem and not tagged and _PROCEDURE.search(name):
            # Without its semantic tag a name may be a procedure ("Hemodialysis").
            problem = "no semantic tag, and the name may be a procedure"
        wrong = [c for c in conditions if c in NOT_PROOF and NOT_PROOF[c].search(name)]
        if not problem and wrong:
            problem = f"the name is no proof of {wrong}"
        if problem:
            rejected.append(f"{code}\t{name}\t{problem}")
            continue
        rows.append(f"{code}\t{name}\t{' '.join(conditions)}\t{' '.join(by_source)}\n")
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    TABLE.write_text("\t".join(SNOMED_COLUMNS) + "\n" + "".join(rows), encoding="utf-8")
    print(f"accepted {len(rows)} SNOMED CT codes; rejected {len(rejected)}")
    if args.rejected:
        args.rejected.write_text("\n".join(rejected) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
