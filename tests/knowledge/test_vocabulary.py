"""Vocabulary breadth: the top-300 outpatient drug list is recognized, and nothing in it
is flagged unless the datasets cite why."""

from __future__ import annotations

from pathlib import Path

import msgspec

from service.engine import CheckRequest, Knowledge, check

TOP300 = Path(__file__).resolve().parents[1] / "data" / "top300_drugs.txt"


def top300() -> list[tuple[str, set[str]]]:
    rows = []
    for line in TOP300.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, expected = line.partition("\t")
        rows.append((name.strip(), set(expected.strip().split("+"))))
    return rows


def test_at_least_95_percent_of_the_top300_list_is_recognized(knowledge: Knowledge) -> None:
    kb = knowledge.kb
    rows = top300()
    assert len(rows) >= 300
    missed = []
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        body = msgspec.convert({"medications": [{"text": n} for n, _ in chunk]}, CheckRequest)
        report = check(body, knowledge)
        for (name, expected), status in zip(chunk, report.medications, strict=True):
            ids = {kb_id for kb_id, drug in kb.drugs.items() if drug.name in status.concepts}
            if status.status == "unrecognized" or not expected <= ids:
                missed.append(f"{name}: got {status.status} {status.concepts}")
    share = 1 - len(missed) / len(rows)
    assert share >= 0.95, f"{share:.1%} recognized; missed:\n" + "\n".join(missed)


def test_a_drug_deliberately_not_flagged_is_never_flagged(knowledge: Knowledge) -> None:
    """`not_flagged_because` documents an alert-fatigue decision: such a drug has no
    contributing class, so checking it by name gives no finding."""
    chosen = [d for d in knowledge.kb.drugs.values() if d.not_flagged_because]
    assert len(chosen) >= 10
    for start in range(0, len(chosen), 200):  # a request takes at most 200 medications
        names = [{"text": d.name} for d in chosen[start : start + 200]]
        report = check(msgspec.convert({"medications": names}, CheckRequest), knowledge)
        assert report.findings == []
        assert {s.status for s in report.medications} == {"recognized"}


def test_a_tuberculosis_regimen_is_recognized_and_not_flagged(knowledge: Knowledge) -> None:
    """RIPE and the other antituberculosis and antimalarial drugs were "Could not check"
    (pyrazinamide was even offered as lisinopril with hydrochlorothiazide)."""
    texts = [
        "rifampin 600 mg daily",
        "isoniazid 300 mg daily",
        "pyrazinamide 1500 mg daily",
        "ethambutol 1200 mg daily",
        "rifapentine 900 mg weekly",
        "Sirturo 200 mg",
        "dapsone 100 mg daily",
        "mefloquine 250 mg weekly",
        "primaquine 30 mg daily",
    ]
    body = {"medications": [{"text": t} for t in texts], "conditions": [{"text": "TB"}]}
    report = check(msgspec.convert(body, CheckRequest), knowledge)
    assert [m.status for m in report.medications] == ["recognized"] * len(texts)
    assert report.conditions[0].concept == "tuberculosis"
    assert report.findings == []


def test_an_intensive_care_medication_list_is_recognized(knowledge: Knowledge) -> None:
    """Inpatient and ICU drugs sent through CDS Hooks were "Could not check" (meropenem was
    offered as morphine, propofol as propranolol)."""
    texts = [
        "meropenem 1 g IV q8h",
        "cefepime 2 g IV q8h",
        "imipenem-cilastatin 500 mg IV q6h",
        "norepinephrine drip",
        "vasopressin 0.03 units/min",
        "propofol infusion",
        "Precedex",
        "midazolam 2 mg IV prn",
        "rocuronium",
        "sugammadex 200 mg",
        "fondaparinux 2.5 mg SC daily",
        "albumin 25% 25 g IV",
        "D5W at 75 mL/h",
        "Lactated Ringer's 1000 mL",
        "hypertonic saline 3%",
        "mexiletine 150 mg tid",
    ]
    body = {"medications": [{"text": t} for t in texts]}
    report = check(msgspec.convert(body, CheckRequest), knowledge)
    assert [m.status for m in report.medications] == ["recognized"] * len(texts)
    assert [m.concept for m in report.medications][:3] == ["meropenem", "cefepime", "imipenem"]


def test_electrolyte_products_are_named_for_what_they_are(knowledge: Knowledge) -> None:
    """Magnesium sulfate was shown as magnesium oxide, K-Phos as potassium chloride, and
    "monacolin K" (the lovastatin of red yeast rice) as potassium chloride (review 10)."""
    texts = {
        "magnesium sulfate 2 g IV x1": "magnesium sulfate",
        "MgSO4 2 g IV": "magnesium sulfate",
        "milk of magnesia 30 mL prn": "magnesium hydroxide",
        "K-Phos Neutral 250 mg bid": "potassium phosphate",
        "KDur 20 mEq": "potassium chloride",
        "MgOx 400 mg": "magnesium oxide",
        "Starlix 60 mg tid": "nateglinide",
        "monacolin K 10 mg": "lovastatin",
    }
    body = {"medications": [{"text": t} for t in texts]}
    report = check(msgspec.convert(body, CheckRequest), knowledge)
    assert [m.concept for m in report.medications] == list(texts.values())


def test_nateglinide_joins_a_low_glucose_like_the_other_secretagogues(
    knowledge: Knowledge,
) -> None:
    body = {
        "medications": [{"text": "nateglinide 120 mg tid"}],
        "labs": [{"text": "glucose", "value": 48, "unit": "mg/dL"}],
    }
    report = check(msgspec.convert(body, CheckRequest), knowledge)
    assert report.risk == "high"
    assert [f.id for f in report.findings if not f.absorbed_by] == [
        "combination/glucose_lowering_drug_with_low_glucose"
    ]
