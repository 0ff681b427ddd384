"""A deterministic, realistic batch of patients built from the knowledge base's own names.

For the benchmark (``bench/batch_bench.py``), the tests and trying the batch out
(``python -m service.batch.sample 20000 > patients.ndjson``). Each patient has 1-8
medications (generic names, brands and synonyms as written in prescriptions, with dose
text; some as RxNorm codings; a few misspelled or unknown), 0-4 conditions (names,
synonyms, ICD-10-CM with or without the dot, SNOMED CT) and, for about half, 1-3 labs
(LOINC codes, canonical or alternative units, normal or abnormal values).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from typing import Any

import msgspec

from service.knowledge import KnowledgeBase, load_knowledge

_DOSES = ("", " 10 mg", " 20 mg daily", " 40 mg PO daily", " 25 mg tablet", " 1 tab BID", " 5 mg")
_UNKNOWN_MEDS = ("grandma's herbal tea", "vitamin blend x", "study drug 42", "unknown cream")
_UNKNOWN_CONDITIONS = ("feels tired lately", "status post fall", "follow-up visit")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    drug_names: list[str]
    misspellings: list[str]
    rxcuis: list[str]
    condition_names: list[str]
    icd10: list[str]
    snomed: list[str]
    labs: list[tuple[str, str, float, float, dict[str, float]]]


def _normal_and_abnormal(low: list[float], high: list[float]) -> tuple[float, float]:
    if low:
        return max(low) * 1.12, min(low) * 0.95
    if high:
        return min(high) * 0.5, max(high) * 1.2
    return 4.0, 3.0


def _vocabulary(kb: KnowledgeBase) -> _Vocabulary:
    drugs = list(kb.drugs.values())
    conditions = list(kb.conditions.values())
    labs = []
    for analyte in kb.analytes.values():
        if not analyte.loinc:
            continue
        lows = [b.below for b in analyte.bands if b.state == "low" and b.below is not None]
        highs = [b.above for b in analyte.bands if b.state == "high" and b.above is not None]
        normal, abnormal = _normal_and_abnormal(lows, highs)
        for code in analyte.loinc:
            labs.append((code, analyte.canonical_unit, normal, abnormal, dict(analyte.units)))
    return _Vocabulary(
        drug_names=[n for d in drugs for n in (d.name, *d.brands, *d.synonyms[:2])],
        misspellings=[m for d in drugs for m in d.misspellings],
        rxcuis=[r for d in drugs for r in d.rxcui],
        condition_names=[n for c in conditions for n in (c.name, *c.synonyms[:3])],
        icd10=[code for c in conditions for code in c.icd10cm],
        snomed=[code for c in conditions for code in c.snomed],
        labs=labs,
    )


def _medication(rng: random.Random, vocab: _Vocabulary) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.15 and vocab.rxcuis:
        return {"coding": [{"system": RXNORM, "code": rng.choice(vocab.rxcuis)}]}
    if roll < 0.18 and vocab.misspellings:
        return {"text": rng.choice(vocab.misspellings) + rng.choice(_DOSES)}
    if roll < 0.20:
        return {"text": rng.choice(_UNKNOWN_MEDS)}
    return {"text": rng.choice(vocab.drug_names) + rng.choice(_DOSES)}


def _condition(rng: random.Random, vocab: _Vocabulary) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.30 and vocab.icd10:
        code = rng.choice(vocab.icd10)
        code = code.replace(".", "") if rng.random() < 0.3 else code
        return {"coding": [{"system": rng.choice((ICD10, "icd10cm")), "code": code}]}
    if roll < 0.38 and vocab.snomed:
        return {"coding": [{"system": SNOMED, "code": rng.choice(vocab.snomed)}]}
    if roll < 0.40:
        return {"text": rng.choice(_UNKNOWN_CONDITIONS)}
    return {"text": rng.choice(vocab.condition_names)}


def _lab(rng: random.Random, vocab: _Vocabulary) -> dict[str, Any]:
    code, unit, normal, abnormal, units = rng.choice(vocab.labs)
    value = abnormal if rng.random() < 0.3 else normal * rng.uniform(0.95, 1.1)
    alternatives = [u for u, factor in units.items() if u != unit.lower() and factor > 0]
    if alternatives and rng.random() < 0.2:
        unit = rng.choice(alternatives)
        value /= units[unit]
    return {"coding": [{"system": LOINC, "code": code}], "value": round(value, 2), "unit": unit}


def sample_requests(kb: KnowledgeBase, count: int, seed: int = 20261124) -> list[dict[str, Any]]:
    """``count`` check requests (plain JSON objects); about 1 in 10 has no ``id``."""
    rng = random.Random(seed)
    vocab = _vocabulary(kb)
    out = []
    for number in range(1, count + 1):
        sex = rng.choice(("female", "male"))
        age = rng.randint(18, 95)
        body: dict[str, Any] = {"id": f"p{number:06d}"} if rng.random() >= 0.1 else {}
        body["patient"] = {"age": age, "sex": sex}
        if sex == "female" and age < 45 and rng.random() < 0.05:
            body["patient"]["pregnant"] = True
        body["medications"] = [_medication(rng, vocab) for _ in range(rng.randint(1, 8))]
        conditions = [_condition(rng, vocab) for _ in range(rng.randint(0, 4))]
        if conditions:
            body["conditions"] = conditions
        if vocab.labs and rng.random() < 0.5:
            body["labs"] = [_lab(rng, vocab) for _ in range(rng.randint(1, 3))]
        out.append(body)
    return out


def sample_ndjson(kb: KnowledgeBase, count: int, seed: int = 20261124) -> bytes:
    encoder = msgspec.json.Encoder()
    return b"".join(encoder.encode(body) + b"\n" for body in sample_requests(kb, count, seed))


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sys.stdout.buffer.write(sample_ndjson(load_knowledge(), size))
