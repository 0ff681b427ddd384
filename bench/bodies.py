"""Request bodies for the HTTP benchmark.

``CHECK_BODY`` is a realistic ``POST /v1/check`` body: 10 medications, 5 conditions and
1 lab, in the shapes integrators send (free text with dose/route/frequency, brand names,
an RxNorm coding with its display, a combination product), ICD-10-CM codes with and
without the dot, free-text problems, and a LOINC potassium result.
"""

from __future__ import annotations

from typing import Any

import msgspec

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"

CHECK_REQUEST: dict[str, Any] = {
    "patient": {"age": 71, "sex": "female", "pregnant": False},
    "medications": [
        {"text": "Lasix 40 mg PO daily"},
        {
            "coding": [
                {
                    "system": RXNORM,
                    "code": "310798",
                    "display": "Hydrochlorothiazide 25 MG Oral Tablet",
                }
            ]
        },
        {"text": "atorvastatin 40mg tablet at bedtime"},
        {"text": "Prilosec 20 mg capsule once daily before breakfast"},
        {"text": "metformin ER 500 mg PO BID with meals"},
        {"text": "Zestoretic 20-12.5 mg tablet daily"},
        {"text": "albuterol HFA 90 mcg 2 puffs inhaled q4h prn wheeze"},
        {"text": "prednisone 10 mg PO qAM x5 days"},
        {"text": "Synthroid 75 mcg PO daily"},
        {"text": "Zyrtec 10 mg daily", "route": "oral"},
    ],
    "conditions": [
        {"coding": [{"system": ICD10CM, "code": "E11.9", "display": "Type 2 diabetes mellitus"}]},
        {"coding": [{"system": "icd10cm", "code": "I10"}]},
        {"text": "lumbar spinal stenosis"},
        {"coding": [{"system": ICD10CM, "code": "E039"}], "text": "hypothyroidism"},
        {"text": "peripheral artery disease of both legs"},
    ],
    "labs": [
        {
            "coding": [{"system": LOINC, "code": "2823-3", "display": "Potassium [Moles/volume]"}],
            "value": 3.1,
            "unit": "mmol/L",
        }
    ],
}

CHECK_BODY: bytes = msgspec.json.encode(CHECK_REQUEST)

__all__ = ["CHECK_BODY", "CHECK_REQUEST"]
