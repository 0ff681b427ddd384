"""Negation and time in free text: the qualifier rules (datasets/qualifiers.toml) read
through the real engine, and the scope logic of ``service.engine.qualifiers`` alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.engine import Knowledge
from service.engine.qualifiers import QualifierIndex
from service.knowledge.schema import Qualifiers
from service.knowledge.text import DATE, clause_tokens, dated_clause_tokens
from tests.conftest import Checker

PHRASINGS = json.loads(
    (Path(__file__).parent / "data" / "qualifier_phrasings.json").read_text(encoding="utf-8")
)


def _current(checker: Checker, row: dict[str, Any]) -> bool:
    kb = checker.kb
    table = kb.conditions if row["list"] == "conditions" else kb.drugs
    name = table[row["target"]].name
    status = getattr(checker(**{row["list"]: [{"text": row["text"]}]}), row["list"])[0]
    if name not in status.concepts or status.status == "unrecognized":
        return False
    reason = status.reason or ""
    if row["list"] == "medications":
        return not reason.startswith(f"{name}:") and not (
            len(status.concepts) == 1 and reason in kb.texts.templates.values()
        )
    return status.status == "flagged" or not reason


def test_the_table_has_both_directions_and_enough_rows() -> None:
    assert len(PHRASINGS) >= 100
    assert {row["current"] for row in PHRASINGS} == {True, False}
    assert {row["list"] for row in PHRASINGS} == {"conditions", "medications"}


@pytest.mark.parametrize("row", PHRASINGS, ids=[f"{r['list']}:{r['text']}" for r in PHRASINGS])
def test_phrasing(checker: Checker, row: dict[str, Any]) -> None:
    assert _current(checker, row) == row["current"], row["why"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("no fever but sciatica", True),
        ("denies chest pain; has diabetes", True),
        ("denies chest pain, has diabetes", True),
        ("no diabetes", False),
        ("diabetes: no", False),
        ("diabetes: yes", True),
        ("mother has hypothyroidism", False),
        ("hypothyroidism (mother)", False),
        ("hypothyroidism on levothyroxine", True),
        ("history of diabetes", True),
        ("history of dehydration", False),
        ("sciatica (resolved)", False),
        ("cirrhosis in remission", False),
        ("hypothyroidism ruled out", False),
        ("r/o hypothyroidism", False),
        ("hypothyroidism?", False),
        # An exposure is not the illness (review15 #11); an illness named with it is.
        ("norovirus exposure", False),
        ("exposure to norovirus", False),
        ("exposed to C diff", False),
        ("exposure to norovirus, now with diarrhea", True),
        ("norovirus exposure with diarrhea", True),
        ("C diff contact precautions", True),
    ],
)
def test_condition_examples(checker: Checker, text: str, flagged: bool) -> None:
    assert (checker.cond(text).conditions[0].status == "flagged") is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Lasix (discontinued)", False),
        ("stopped HCTZ in 2019", False),
        ("stopped HCTZ in 2019, restarted in 2023", True),
        ("no longer taking atorvastatin", False),
        ("furosemide d/c'd 3/2024", False),
        ("metolazone - stopped last month", False),
        ("furosemide 40 mg daily, hold if SBP < 90", True),
        ("furosemide allergy", False),
        ("HOLD lisinopril-HCTZ", False),  # a held order, as "(on hold)"
        ("lisinopril-HCTZ 20-12.5 mg HOLD", False),
        ("furosemide 40 mg daily (hold for SBP<90)", True),  # hold parameters: current
        ("furosemide 40 mg daily - do not hold", True),
        ("furosemide 40 mg daily - don't hold", True),
        ("Lasix 40 mg PO daily", True),
    ],
)
def test_medication_examples(checker: Checker, text: str, flagged: bool) -> None:
    assert (checker.med(text).medications[0].status == "flagged") is flagged


def _index(**rule: Any) -> QualifierIndex:
    data = {"terminators": [";", "but"], "sources": ["x"], "rule": [{"sources": ["x"], **rule}]}
    return QualifierIndex.compile(msgspec.convert(data, Qualifiers))


def _kinds(index: QualifierIndex, text: str, concept: str) -> str | None:
    tokens = clause_tokens(text)
    at = tokens.index(concept)
    return index.conditions.qualify(tokens, [(at, at + 1)])[0]


def test_scope_is_counted_in_words_and_ends_at_a_terminator() -> None:
    index = _index(kind="negated", direction="forward", scope=2, phrases=["no"])
    assert _kinds(index, "no sciatica", "sciatica") == "negated"
    assert _kinds(index, "no back pain sciatica", "sciatica") == "negated"
    assert _kinds(index, "no back pain or sciatica", "sciatica") is None  # 3 words away
    assert _kinds(index, "no fever; sciatica", "sciatica") is None
    assert _kinds(index, "no fever but sciatica", "sciatica") is None
    assert _kinds(index, "sciatica no", "sciatica") is None  # forward only


def test_direction_both_and_backward() -> None:
    both = _index(kind="family_history", direction="both", scope=3, phrases=["mother"])
    assert _kinds(both, "mother has diabetes", "diabetes") == "family_history"
    assert _kinds(both, "diabetes (mother)", "diabetes") == "family_history"
    back = _index(kind="negated", direction="backward", scope=3, phrases=[": no"])
    assert _kinds(back, "diabetes: no", "diabetes") == "negated"
    assert _kinds(back, "no: diabetes", "diabetes") is None


def test_a_phrase_inside_a_longer_phrase_does_not_count(knowledge: Knowledge) -> None:
    rules = knowledge.qualifiers.medications
    tokens = clause_tokens("stopped taking atorvastatin")
    assert rules.qualify(tokens, [(2, 3)]) == ["stopped"]  # not "taking" (current)


@pytest.mark.parametrize(
    "text", ["furosemide allergy", "allergic to sulfa - furosemide", "intolerant of atorvastatin"]
)
def test_an_allergy_says_so_rather_than_absent(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized"
    assert status.reason == checker.kb.texts.templates["allergy"]
    assert "allergy" in str(status.reason)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("quinine for malaria", False),
        ("Qualaquin 324 mg q8h x7 days for malaria", False),
        ("quinine 324 mg qhs for leg cramps", True),
        ("quinine sulfate 324 mg", True),
    ],
)
def test_quinine_taken_for_malaria_is_not_the_cramp_treatment_the_fda_warns_against(
    checker: Checker, text: str, flagged: bool
) -> None:
    report = checker.med(text)
    assert (report.medications[0].status == "flagged") == flagged
    if not flagged:
        assert report.medications[0].reason == checker.kb.texts.templates["other_use"]


def test_words_every_sig_has_do_not_send_a_medication_text_to_the_qualifier_scan(
    checker: Checker,
) -> None:
    # The scan is needed only when a phrase's own word is there: "with meals", "take 1
    # tablet", "for pain" and "in the morning" are instructions, not qualifiers.
    triggers = checker.knowledge.qualifiers.medications.words
    assert {"with", "take", "for", "in", "on", "then", "after", "use"}.isdisjoint(triggers)
    assert {"stopped", "hold", "do", "malaria", "allergy"} <= triggers


def test_a_pseudo_phrase_qualifies_nothing_and_hides_the_word_inside_it() -> None:
    data = {
        "terminators": [";"],
        "sources": ["x"],
        "rule": [
            {"sources": ["x"], "kind": "family_history", "direction": "both", "phrases": ["child"]},
            {"sources": ["x"], "kind": "pseudo", "direction": "both", "phrases": ["child b"]},
        ],
    }
    index = QualifierIndex.compile(msgspec.convert(data, Qualifiers))
    assert _kinds(index, "cirrhosis child b", "cirrhosis") is None
    assert _kinds(index, "cirrhosis child", "cirrhosis") == "family_history"


def test_cirrhosis_with_its_child_pugh_class_joins_the_diuretics(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "spironolactone 100 mg"}, {"text": "furosemide 40 mg"}],
        conditions=[{"text": "cirrhosis, Child-Pugh B"}],
    )
    cirrhosis = [f for f in report.findings if f.id == "combination/diuretic_with_cirrhosis"]
    assert [f.severity for f in cirrhosis] == ["moderate"]
    assert report.conditions[0].status == "flagged"


def test_a_switch_stops_the_old_drug_only_when_a_new_one_follows() -> None:
    data = {
        "terminators": [";"],
        "sources": ["x"],
        "rule": [
            {
                "sources": ["x"],
                "kind": "stopped",
                "direction": "backward",
                "phrases": ["switched to"],
                "needs_a_later_concept": True,
            }
        ],
    }
    rules = QualifierIndex.compile(msgspec.convert(data, Qualifiers)).conditions
    tokens = clause_tokens("simvastatin switched to pravastatin")
    assert rules.qualify(tokens, [(0, 1), (3, 4)]) == ["stopped", None]
    assert rules.qualify(clause_tokens("lasix switched to iv"), [(0, 1)]) == [None]


@pytest.mark.parametrize(
    "text",
    [
        "simvastatin -> switched to pravastatin",
        "changed simvastatin to rosuvastatin 10 mg",
        "simvastatin 40 mg - resume after antibiotic",
    ],
)
def test_a_switched_or_held_statin_is_not_contraindicated_with_clarithromycin(
    checker: Checker, text: str
) -> None:
    report = checker(medications=[{"text": text}, {"text": "clarithromycin 500 mg bid"}])
    assert report.risk != "high"
    assert not [f.id for f in report.findings if "simvastatin" in f.id]


def test_a_written_date_is_one_token_and_a_tablet_fraction_is_not_a_date() -> None:
    assert dated_clause_tokens("restart 11/30") == ["restart", DATE]
    assert dated_clause_tokens("restart {date}") == ["restart", DATE]
    assert dated_clause_tokens("on 2026-11-30, 11/30/2026") == ["on", DATE, ",", DATE]
    assert dated_clause_tokens("restart 1/2 tab") == ["restart", "1", "2", "tab"]
    assert dated_clause_tokens("13/40 mg") == clause_tokens("13/40 mg")


# Round 31 (qual31): how a problem-list or medication-list entry is read. ``None``: current
# (flagged); otherwise the template of the reason the input is not current.
@pytest.mark.parametrize(
    ("lst", "text", "kind"),
    [
        # review29 R6: a line break ends a heading's scope once its line has said something.
        ("conditions", "Pertinent negatives: no chest pain\nHypokalemia", None),
        ("conditions", "Pertinent negatives: no chest pain\n\nHypokalemia", None),
        ("conditions", "Pertinent negatives: no fever\r\nHypokalemia", None),
        ("conditions", "ROS - Negative: chest pain\nAssessment: hypokalemia", None),
        ("conditions", "ROS - Negative: chest pain\nhypokalemia", None),
        ("conditions", "Pertinent negatives: chest pain, hypokalemia", "negated"),
        ("conditions", "Negatives:\nhypokalemia", "negated"),
        ("conditions", "Negatives:\nchest pain\nhypokalemia", "negated"),
        ("conditions", "no fever\nhypokalemia", None),
        ("conditions", "denies chest pain\nhypokalemia", None),
        ("conditions", "Hypokalemia\nDiabetes: no", None),
        ("conditions", "FH: diabetes\nhypokalemia", None),
        ("conditions", "Hypokalemia\nResolved", "resolved"),
        ("medications", "Discontinued: HCTZ\nLasix 40 mg", None),
        ("medications", "STOP taking these medications:\nHCTZ\nLasix 40 mg", "stopped"),
        ("medications", "Lasix 40 mg\nStopped", "stopped"),
        # A form's yes/no question answered no is absent; answered yes, current; a question
        # about something else ("insulin?") leaves the problem current.
        ("conditions", "Diabetes? y/n: n", "negated"),
        ("conditions", "Diabetes (Y/N): N", "negated"),
        ("conditions", "Diabetes: no", "negated"),
        ("conditions", "Hypothyroidism - N", "negated"),
        ("conditions", "Diabetes? N", "negated"),
        ("conditions", "Diabetes? y/n: y", None),
        ("conditions", "Diabetes (Y/N): Y", None),
        ("conditions", "Diabetes: yes", None),
        ("conditions", "Diabetes (Y/N):", "hypothetical"),
        ("conditions", "DM2 - insulin? no", None),
        ("conditions", "Hypokalemia - symptomatic? n", None),
        ("conditions", "Diabetes mellitus - in error? no, confirmed", None),
        ("conditions", "Diabetes (Y/N): N/A", None),
        # A relative's condition; a relative named for where or with whom the patient lives.
        ("conditions", "sister with multiple sclerosis", "family_history"),
        ("conditions", "mother has diabetes", "family_history"),
        ("conditions", "FH: hypothyroidism", "family_history"),
        ("conditions", "family history of ALS", "family_history"),
        ("conditions", "Family hx - father: PAD", "family_history"),
        ("conditions", "lives with daughter who has dementia", "family_history"),
        ("conditions", "lives with sister, has diabetes", None),
        ("conditions", "Diabetes, lives with sister", None),
        ("conditions", "Diabetes, caregiver for mother", None),
        ("conditions", "MGM with diabetes", "family_history"),
        ("conditions", "Hypokalemia - family hx", "family_history"),
        ("conditions", "diabetes (FH)", "family_history"),
        ("conditions", "T2DM - FH of DM", None),
        ("conditions", "No known history of hypokalemia", "negated"),
        # Precautions: against an episode (not established) or for the patient's condition.
        ("conditions", "pregnancy precautions", "hypothetical"),
        ("conditions", "hypoglycemia precautions", "hypothetical"),
        ("conditions", "Diabetic foot precautions", None),
        ("conditions", "preterm labor precautions", None),
        # Discharge "dc home", a past dose, an expired order.
        ("medications", "Lasix 40 mg - dc home", None),
        ("medications", "HCTZ 25 mg; DC to home", None),
        ("medications", "Lasix 40 mg - DC", "stopped"),
        ("medications", "DC home lasix", "stopped"),
        ("medications", "atorvastatin previously on 20 mg, now 40 mg", None),
        ("medications", "atorvastatin previously on 20 mg", "stopped"),
        ("medications", "previously on lasix", "stopped"),
        ("medications", "was on lasix, now off", "stopped"),
        ("medications", "furosemide 40 mg - Expired", None),
        ("medications", "furosemide 40 mg - Not dispensed", None),
        ("medications", "furosemide 40 mg - Active - not taking", "stopped"),
        ("medications", "furosemide 40 mg, Active, not taking", "stopped"),
    ],
)
def test_round31_readings(checker: Checker, lst: str, text: str, kind: str | None) -> None:
    item = checker.status(lst, text)
    templates = checker.kb.texts.templates
    if kind is None:
        assert item.status == "flagged", (text, item.status, item.reason)
    else:
        assert item.status == "recognized", (text, item.status, item.reason)
        assert (item.reason or "").endswith(templates[kind]), (text, item.reason)
