"""Proof that every code in the knowledge base is a real code of its system.

ICD-10-CM against the official tabular list (the ``simple-icd-10-cm`` package, CDC
FY2026 release); SNOMED CT by Verhoeff check digit and partition; LOINC by its mod-10
check digit; RxNorm by provenance: each code of the RxNorm table names, read by the
service's own text matcher, exactly the drugs the table lists (every ingredient of the
name known), and every RxCUI on a drug entry is such a code of the table. Each function
returns the problems it found.
"""

from __future__ import annotations

import functools
import re

import simple_icd_10_cm as icd

from service.engine import Knowledge
from service.engine.matching import match_condition, match_medication, resolve_words
from service.engine.models import ConditionInput, MedicationInput
from service.knowledge import KnowledgeBase
from service.knowledge.codes import RXNORM_COLUMNS
from service.knowledge.schema import RxNormCode, SnomedCode
from service.knowledge.text import drug_key_tokens, tokens

__all__ = ["RXNORM_COLUMNS", "rxnorm_name_problem", "rxnorm_problems", "rxnorm_tty"]

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
# Partition identifiers of concept ids: 00 (short format) and 10 (long, namespaced).
_CONCEPT_PARTITIONS = {"00", "10"}


def verhoeff_ok(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def snomed_concept_ok(sctid: str) -> bool:
    return (
        sctid.isdigit()
        and 6 <= len(sctid) <= 18
        and sctid[0] != "0"
        and sctid[-3:-1] in _CONCEPT_PARTITIONS
        and verhoeff_ok(sctid)
    )


_ATC = re.compile(r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")


def loinc_ok(code: str) -> bool:
    body, _, check = code.partition("-")
    if not (body.isdigit() and check.isdigit() and len(check) == 1):
        return False
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10 == int(check)


def icd10cm_ok(code: str) -> bool:
    return bool(icd.is_valid_item(code))


def code_problems(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    for cond in kb.conditions.values():
        problems += [
            f"condition {cond.id}: ICD-10-CM {c} is not in the code set"
            for c in cond.icd10cm
            if not icd10cm_ok(c)
        ]
        problems += [
            f"condition {cond.id}: SNOMED CT {s} fails check digit or partition"
            for s in cond.snomed
            if not snomed_concept_ok(s)
        ]
    for analyte in kb.analytes.values():
        problems += [
            f"analyte {analyte.id}: LOINC {c} fails its check digit"
            for c in analyte.loinc
            if not loinc_ok(c)
        ]
    for test in kb.lab_tests.values():
        problems += [
            f"lab test {test.id}: LOINC {c} fails its check digit"
            for c in test.loinc
            if not loinc_ok(c)
        ]
    for drug in kb.drugs.values():
        problems += [
            f"drug {drug.id}: RxCUI {r} is not numeric" for r in drug.rxcui if not r.isdigit()
        ]
        problems += [
            f"drug {drug.id}: ATC {a} is not a seven-character substance code"
            for a in drug.atc
            if not _ATC.match(a)
        ]
    return problems


# RxNorm ------------------------------------------------------------------------------

_BRAND = re.compile(r"\s*\[([^\]]*)\]\s*$")
_PACK_PART = re.compile(r"\(([^()]*)\)")
# Inert tablets of a pack ("7 (inert ingredients 1 MG Oral Tablet)") name no drug.
_INERT = re.compile(r"\binert\b", re.IGNORECASE)
# A pack part's size ("1 (118 ML) (A 1 MG/ML Oral Solution)") names no drug either.
_QUANTITY = re.compile(r"^[0-9.]+ [A-Z]+$")


def rxnorm_components(name: str) -> list[str]:
    """The ingredient parts of an RxNorm name: ``A 10 MG / B 5 MG Oral Tablet`` -> A, B.

    A pack's parts are its parenthesized drugs; inert tablets are no part.
    """
    plain = _BRAND.sub("", name)
    drugs = _PACK_PART.findall(plain) if plain.startswith("{") else [plain]
    return [
        part.strip()
        for drug in drugs
        for part in drug.split(" / ")
        if part.strip() and not _INERT.search(part) and not _QUANTITY.match(part.strip())
    ]


_DOSE_FORM_TEXT = (
    "tablet tablets capsule solution suspension injection injectable spray inhaler inhalant "
    "cream ointment gel lotion foam patch system powder syrup elixir suppository enema drops "
    "lozenge film granules pen syringe cartridge injector implant insert ring shampoo paste "
    "wafer pellet kit strip gum troche oil liquid emulsion aerosol jelly pad tape product "
    "pack bar soap chewable release oral topical nasal ophthalmic otic rectal vaginal "
    "transdermal inhalation sublingual buccal prefilled packet concentrate tincture douche "
    "irrigation mouthwash dentifrice swab sponge stick sheet pill"
)
_DOSE_FORM_WORDS = frozenset(_DOSE_FORM_TEXT.split())


@functools.cache
def _brand_and_drug_names(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    brands = {" ".join(tokens(b)) for d in kb.drugs.values() for b in d.brands}
    return frozenset(brands), frozenset(" ".join(tokens(d.name)) for d in kb.drugs.values())


def rxnorm_tty(name: str, kb: KnowledgeBase) -> str:
    """The RxNorm term type that a name's form shows (value sets carry none).

    ``{...} Pack`` GPCK (BPCK with a [brand]); a strength then a dose form SCD (SBD); a
    strength alone SCDC (SBDC); a dose form alone SCDF (SBDF), SCDG (SBDG) for a
    "... Product" group; a brand name alone BN; several ingredients MIN; an ingredient
    with its salt PIN; else IN.
    """
    branded = bool(_BRAND.search(name))
    plain = _BRAND.sub("", name)
    if plain.startswith("{"):
        return "BPCK" if branded else "GPCK"
    words = plain.split()
    numbers = [i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)]
    if numbers:
        form = [w for w in words[numbers[-1] + 1 :] if not _is_unit(w)]
        if form:
            return "SBD" if branded else "SCD"
        return "SBDC" if branded else "SCDC"
    lower = [w.lower() for w in words]
    if _DOSE_FORM_WORDS.intersection(lower):
        group = lower[-1] == "product"
        return ("SBDG" if group else "SBDF") if branded else ("SCDG" if group else "SCDF")
    if branded:
        return "SBDF"
    if " / " in plain:
        return "MIN"
    key = " ".join(tokens(plain))
    brands, canonical = _brand_and_drug_names(kb)
    if key in brands:
        return "BN"
    if len(lower) > 1 and lower[-1] in kb.salt_tokens and key not in canonical:
        return "PIN"  # "Enalapril Maleate", not "Potassium Chloride" (a drug's own name)
    return "IN"


def _fuse_name_numbers(name: str) -> str:
    """Join a number that is no strength (no unit follows) to the word before it."""
    words = name.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        bare_number = word.replace(".", "").isdigit() and not (
            following.startswith("(")
            or (following and not following[0].isdigit() and _is_unit(following))
        )
        if bare_number and out and out[-1][-1:].isalpha():
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


def _is_unit(word: str) -> bool:
    return word.upper() == word or word.lower() in {"mg", "mcg", "ml", "unt", "meq", "hr"}


def rxnorm_name_problem(
    name: str, expected: tuple[str, ...] | None, knowledge: Knowledge
) -> tuple[str | None, tuple[str, ...]]:
    """(problem or None, the drugs the name names, sorted); ``expected`` None: any."""
    read = match_medication(MedicationInput(text=name), knowledge)
    found = tuple(sorted(h.drug_id for h in read.hits))
    if not found:
        return "name names no known drug", found
    plain = _BRAND.sub("", name)
    corrected = resolve_words(drug_key_tokens(plain), knowledge.kb)[1]
    if corrected:
        # A spelling correction is a guess: a code is proven by a name read as written.
        return f"read only with a spelling correction to {list(corrected)}", found
    if plain != name:
        generic = match_medication(MedicationInput(text=plain), knowledge).hits
        if tuple(sorted(h.drug_id for h in generic)) != found:
            return "the [brand] names other drugs than the generic name", found
    for part in rxnorm_components(name):
        if not match_medication(MedicationInput(text=part), knowledge).hits:
            return f"ingredient not known: {part!r}", found
    fused = _fuse_name_numbers(name)
    if fused != name:
        # "Vitamin B 12": the matcher skips numbers, so it would read "vitamin B"; the
        # name is proven only if reading the number as part of the word changes nothing.
        again = match_medication(MedicationInput(text=fused), knowledge).hits
        if again and tuple(sorted(h.drug_id for h in again)) != found:
            return f"a number is part of the name: {fused!r} names another drug", found
    if expected is not None and found != tuple(sorted(expected)):
        return f"the name names {list(found)}, the table says {list(expected)}", found
    return None, found


def rxnorm_problems(knowledge: Knowledge, rows: list[RxNormCode] | None = None) -> list[str]:
    """Every table code is proven by its name; every drug RxCUI is a proven ingredient code."""
    kb = knowledge.kb
    problems: list[str] = []
    table = list(kb.rxnorm_codes.values()) if rows is None else rows
    for row in table:
        problem, _ = rxnorm_name_problem(row.name, tuple(row.ingredients), knowledge)
        if problem:
            problems.append(f"RxCUI {row.code} {row.name!r}: {problem}")
        if row.tty != rxnorm_tty(row.name, kb):
            shown = rxnorm_tty(row.name, kb)
            problems.append(f"RxCUI {row.code} {row.name!r}: tty {row.tty}, the name shows {shown}")
    for drug in kb.drugs.values():
        for code in drug.rxcui:
            entry = kb.rxnorm_codes.get(code)
            if entry is None or entry.ingredients != [drug.id] or entry.tty not in {"IN", "PIN"}:
                problems.append(
                    f"drug {drug.id}: RxCUI {code} is not a proven ingredient code of it"
                )
    return problems


# SNOMED CT ---------------------------------------------------------------------------

# Semantic tags of concepts that are not a condition of the patient.
_OTHER_TAGS = frozenset(
    {
        "procedure", "regime/therapy", "event", "substance", "qualifier value", "situation",
        "physical object", "environment", "severity modifier", "occupation", "person",
        "morphologic abnormality", "organism", "product", "medicinal product", "category",
        "assessment scale", "record artifact", "observable entity", "body structure",
        "attribute", "specimen", "staging scale", "tumor staging", "social concept",
        "navigational concept", "environment / location", "geographic location",
        "administrative concept", "cell", "cell structure", "disposition", "role",
    }
)  # fmt: skip
_TAG = re.compile(r"\(([a-z /]+)\)\s*$")
# Words that make a name something other than the patient having the condition now: a
# history, a screening or a risk, another person (mother, fetus, newborn), or a pregnancy
# that is over (the ICD-10-CM rules of datasets/conditions say the same for O codes).
_NOT_THE_CONDITION = re.compile(
    r"\b(history|family|screening|suspected|risk|fear|education|monitoring|referral|"
    r"assessment|examination|mother|maternal|fetus|fetal|newborn|neonatal|neonate|infant|"
    r"resolved|remission|childbirth|puerperium|puerperal|postpartum|delivery|delivered|"
    r"labor|labour|abortion|miscarriage|lactation|complicating|retinal dialysis|absent|"
    r"excluded|carrier|trait|status post|after|category|declined|scale|score|"
    r"terminations?|previous|molar|ectopic|tubal|fallopian|ovarian pregnancy|hydatidiform|"
    r"stillbirth|intrauterine death|retained products)\b",
    re.IGNORECASE,
)


def snomed_name_problem(
    name: str, expected: tuple[str, ...] | None, knowledge: Knowledge
) -> tuple[str | None, tuple[str, ...]]:
    """(problem or None, the conditions the name names); ``expected`` None: any."""
    tag = _TAG.search(name)
    if tag and tag.group(1) in _OTHER_TAGS:
        return f"a {tag.group(1)}, not a disorder", ()
    other = _NOT_THE_CONDITION.search(name)
    if other:
        return f"{other.group(0)!r}: not the patient's current condition", ()
    match = match_condition(ConditionInput(text=_TAG.sub("", name)), knowledge)
    found = tuple(sorted(match.condition_ids))
    if match.excluded or not found or match.how == "spelling":
        return "the name names no known condition", found
    if expected is not None and found != tuple(sorted(expected)):
        return f"the name names {list(found)}, the table says {list(expected)}", found
    return None, found


def snomed_problems(knowledge: Knowledge, rows: list[SnomedCode] | None = None) -> list[str]:
    problems: list[str] = []
    for row in list(knowledge.kb.snomed_codes.values()) if rows is None else rows:
        if not snomed_concept_ok(row.code):
            problems.append(f"SNOMED CT {row.code} fails check digit or partition")
        problem, _ = snomed_name_problem(row.name, tuple(row.conditions), knowledge)
        if problem:
            problems.append(f"SNOMED CT {row.code} {row.name!r}: {problem}")
    return problems


# ICD-10-CM chapter 15 (pregnancy, childbirth and the puerperium) -----------------------

_AFTER_DELIVERY = re.compile(
    r"childbirth|puerper|postpartum|lactation|(complicating|during) labor", re.I
)
_LABOR_AND_AFTER = (
    "O6",
    "O7",
    "O80",
    "O82",
    "O85",
    "O86",
    "O87",
    "O88",
    "O89",
    "O90",
    "O91",
    "O92",
)


def obstetric_concept(code: str) -> str:
    """The concept an obstetric ICD-10-CM code (O00-O9A, Z3A, Z33, Z34, Z39, Z87.5) must
    match, by the code's block and its official description (simple-icd-10-cm):

    - ``pregnancy`` only when the code says the patient is pregnant now;
    - O00 ectopic pregnancy; O01-O08 and Z33.2 a pregnancy with abortive outcome
      (``pregnancy_loss``); O94 sequelae and Z87.5 history (``pregnancy_history``);
    - labor, delivery and the puerperium (O60-O92, Z39, and any code "complicating
      childbirth" or "the puerperium") ``postpartum``, except preterm labor without
      delivery and breast disorders "associated with pregnancy" in a trimester;
    - a code for pregnancy, childbirth and the puerperium alike, or "unspecified as to
      time period", ``obstetric_condition`` (recognized: the timing is not coded).
    """
    # "[pregnancy-induced] hypertension ... complicating childbirth" is about childbirth.
    description = re.sub(r"\[[^\]]*\]", "", icd.get_description(code))
    if code.startswith("O00"):
        return "ectopic_pregnancy"
    if code[:3] in {"O01", "O02", "O03", "O04", "O07", "O08"} or code.startswith("Z33.2"):
        return "pregnancy_loss"
    if code.startswith(("O94", "Z87.5")):
        return "pregnancy_history"
    if code.startswith("Z39"):
        return "postpartum"
    if code.startswith(("Z3A", "Z33", "Z34")):
        return "pregnancy"
    during = "pregnancy" in description.lower()
    after = bool(_AFTER_DELIVERY.search(description))
    if "without delivery" in description or (
        "associated with pregnancy" in description and "trimester" in description
    ):
        return "pregnancy"
    if "unspecified as to time period" in description or (
        during and after and "trimester" not in description
    ):
        return "obstetric_condition"
    if code.startswith(_LABOR_AND_AFTER) or after:
        return "postpartum"
    return "pregnancy"
