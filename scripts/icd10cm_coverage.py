"""How much of published ICD-10-CM frequency lists the service recognizes.

The lists (below, with their sources) rank the most common diagnosis codes of US primary
care (by share of all primary-care diagnoses) and of US hospital outpatient claims (by
number of diagnoses). Each code is sent as a coding alone to
the real matcher; a code is covered when it matches a concept (a contributor or a
recognized condition). Prints the covered share by count and weighted by frequency.

    python scripts/icd10cm_coverage.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.engine import load
from service.engine.matching import match_condition
from service.engine.models import Coding, ConditionInput

# (source, [(code, description, frequency)]): frequency is % of all diagnoses or a count.
LISTS: list[tuple[str, list[tuple[str, str, float]]]] = [
    (
        "Definitive Healthcare, 'Most common primary care diagnoses and procedures in the "
        "U.S.' (Atlas All-Payor Claims, 2022; % of all primary-care diagnoses): "
        "https://blog.definitivehc.com/10-most-common-diagnoses-in-primary-care",
        [
            ("I10", "Essential (primary) hypertension", 5.5),
            ("E78.5", "Hyperlipidemia, unspecified", 2.4),
            (
                "Z00.00",
                "Encounter for general adult medical examination w/o abnormal findings",
                2.0,
            ),
            ("Z23", "Encounter for immunization", 1.6),
            ("E11.9", "Type 2 diabetes mellitus without complications", 1.6),
            ("E78.2", "Mixed hyperlipidemia", 1.3),
            ("E03.9", "Hypothyroidism, unspecified", 1.2),
            ("K21.9", "Gastro-esophageal reflux disease without esophagitis", 1.1),
            ("E55.9", "Vitamin D deficiency, unspecified", 1.0),
            ("Z20.822", "Contact with and (suspected) exposure to COVID-19", 0.9),
        ],
    ),
    (
        "Definitive Healthcare, 'Top outpatient diagnoses by ICD-10 code' (hospital "
        "outpatient, Medicare SAF January-June 2018; number of diagnoses): "
        "https://www.definitivehc.com/blog/top-outpatient-diagnoses-by-icd-10-code",
        [
            (
                "Z12.31",
                "Encounter for screening mammogram for malignant neoplasm of breast",
                7875119,
            ),
            ("I10", "Essential (primary) hypertension", 5405727),
            ("Z23", "Encounter for immunization", 3219586),
            (
                "Z00.00",
                "Encounter for general adult medical examination w/o abnormal findings",
                3132463,
            ),
            ("E11.9", "Type 2 diabetes mellitus without complications", 2869831),
            ("N39.0", "Urinary tract infection, site not specified", 2502306),
            ("M54.5", "Low back pain", 2350906),
            ("J06.9", "Acute upper respiratory infection, unspecified", 2293088),
            ("Z01.818", "Encounter for other preprocedural examination", 2116159),
            ("Z79.899", "Other long term (current) drug therapy", 2018463),
        ],
    ),
]


def main() -> int:
    knowledge = load()
    for source, codes in LISTS:
        covered = weight = total = 0.0
        for code, description, frequency in codes:
            item = ConditionInput(coding=[Coding(system="icd10cm", code=code)])
            concepts = match_condition(item, knowledge).condition_ids
            total += frequency
            if concepts:
                covered += 1
                weight += frequency
            print(f"{code:8} {', '.join(concepts) or 'NOT RECOGNIZED':28} {description}")
        print(f"source: {source}")
        print(
            f"recognized: {covered:.0f} of {len(codes)} codes ({covered / len(codes):.0%}), "
            f"{weight / total:.0%} weighted by frequency\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
