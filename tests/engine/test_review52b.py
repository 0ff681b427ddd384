"""review52 R2-R4 and salt substitutes: the text's route over an ATC code's, the automatic
"not flagged alone" reason (each title once, most important first, capped), REST pregnancy
ages in completed years, and "avoid X" / herb seasonings read as no potassium chloride."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest

from service.engine import Knowledge
from service.engine.matches import DrugHit
from service.engine.matching.drugs import match_medication
from service.engine.models import MedicationInput
from service.engine.prepared import rule_ranks
from service.knowledge import KnowledgeError, default_datasets_dir, load_knowledge
from service.knowledge.schema import REASON_MAX_CHARS
from service.knowledge.severity import SEVERITY_RANK
from tests.conftest import Checker

ATC = "http://www.whocc.no/atc"
TSH = {"coding": [{"system": "http://loinc.org", "code": "3016-3"}], "unit": "mIU/L"}


def _ids(report: Any) -> dict[str, str]:
    return {f.id: f.severity for f in report.findings}


def _hit_route(knowledge: Knowledge, text: str | None, code: str, route: str | None = None) -> Any:
    item = msgspec.convert(
        {
            **({"text": text} if text else {}),
            "coding": [{"system": ATC, "code": code}],
            **({"route": route} if route else {}),
        },
        MedicationInput,
    )
    match = match_medication(item, knowledge)
    assert len(match.hits) == 1, (text, code)
    return match.hits[0].route


# R2: the route the text says wins over the route an ATC code implies ------------------------


def test_the_budesonide_case_of_the_audit(checker: Checker) -> None:
    report = checker(
        medications=[{"coding": [{"system": ATC, "code": "A07EA06"}], "text": "budesonide inhaled"}]
    )
    status = report.medications[0]
    assert status.status == "recognized"
    assert status.reason == "budesonide by the inhaled route is not a systemic corticosteroid"
    assert report.risk == "none"


def _coded_routes(knowledge: Knowledge) -> list[tuple[str, str, str]]:
    return [
        (drug.id, code, route)
        for drug in knowledge.kb.drugs.values()
        for code, route in drug.atc_routes.items()
    ]


def test_every_coded_route_gives_way_to_the_text(knowledge: Knowledge) -> None:
    """For each ``atc_routes`` code (A07EA06, J01XC01, R03CB03, R03CC07, R03BA0x...): no
    route word, the code's route; a route word in the text, the text's; the route field,
    the field's."""
    cases = _coded_routes(knowledge)
    assert {code for _, code, _ in cases} >= {"A07EA06", "J01XC01", "R03CB03", "R03CC07"}
    assert any(code.startswith("R03BA") for _, code, _ in cases)
    words = {"oral": "oral", "inhaled": "inhaled", "topical": "cream"}
    for drug_id, code, route in cases:
        name = knowledge.kb.drugs[drug_id].name
        assert _hit_route(knowledge, name, code) == route, code
        assert _hit_route(knowledge, None, code) == route, code
        for said, word in words.items():
            if said == route:
                continue
            assert _hit_route(knowledge, f"{name} {word}", code) == said, (code, word)
            assert _hit_route(knowledge, f"{name} {words[route]}", code, route=said) == said


def test_fusidic_acid_cream_coded_as_the_systemic_code_is_no_statin_interaction(
    checker: Checker,
) -> None:
    cream = checker(
        medications=[
            {"coding": [{"system": ATC, "code": "J01XC01"}], "text": "fusidic acid cream"},
            {"text": "simvastatin 40 mg"},
        ]
    )
    assert "combination/statin_with_systemic_fusidic_acid" not in _ids(cream)
    coded = checker(
        medications=[
            {"coding": [{"system": ATC, "code": "J01XC01"}]},
            {"text": "simvastatin 40 mg"},
        ]
    )
    assert _ids(coded)["combination/statin_with_systemic_fusidic_acid"] == "high"


# R3: the automatic reason: each title once, most important first, capped ------------------


def _names(knowledge: Knowledge) -> list[str]:
    kb = knowledge.kb
    products = [term for term, found in kb.drug_terms.items() if found.how == "product"]
    return sorted({d.name for d in kb.drugs.values()} | set(products))


def _title_counts(reason: str, titles: set[str]) -> dict[str, int]:
    """How often each title stands as a whole item of the reason (a title that begins a
    longer one is not counted inside it)."""
    counts = {}
    for title in titles:
        n = len(re.findall(re.escape(title) + r"(?=;|$| and \d+ more)", reason))
        if n:
            counts[title] = n
    return counts


def test_no_reason_is_too_long_or_repeats_a_rule(checker: Checker, knowledge: Knowledge) -> None:
    """A sweep of every drug name and product name: every reason fits ``REASON_MAX_CHARS``
    and names a rule title at most once."""
    titles = {rule.title for rule in knowledge.kb.rules}
    too_long, repeated = [], []
    names = _names(knowledge)
    assert len(names) > 1000
    for name in names:
        reason = checker.med(name).medications[0].reason
        if reason is None:
            continue
        if len(reason) > REASON_MAX_CHARS:
            too_long.append((name, len(reason)))
        if any(n > 1 for n in _title_counts(reason, titles).values()):
            repeated.append(name)
    assert too_long == []
    assert repeated == []


def test_an_overlong_hand_written_reason_is_rejected(tmp_path: Path) -> None:
    """The cap is about the longest hand-written reasons (302 characters before review52);
    the loader holds every ``not_flagged_because`` to it."""
    assert REASON_MAX_CHARS == 300
    datasets = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), datasets)
    common = datasets / "drugs" / "common.toml"
    long = "x" * (REASON_MAX_CHARS + 1)
    common.write_text(
        common.read_text(encoding="utf-8")
        + f'\n[[drug]]\nid = "zz_test"\nname = "zz"\nnot_flagged_because = "{long}"\n'
        + 'sources = ["rxnorm"]\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"zz_test'. not_flagged_because is longer than 300"):
        load_knowledge(datasets)


@pytest.mark.parametrize("text", ["Kaletra", "lopinavir/ritonavir", "Paxlovid", "Evotaz"])
def test_a_product_shares_its_ingredients_rules_once(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    reason = status.reason
    assert status.status == "recognized" and reason is not None
    assert len(reason) <= REASON_MAX_CHARS
    assert reason.count("Not flagged alone") == 1
    # Both ingredients named once, before the one reason they share.
    assert reason.index(": Not flagged alone") > reason.index(", ")
    first = "Contraindicated: simvastatin or lovastatin with a strong CYP3A4 inhibitor"
    assert reason.count(first) == 1


def test_a_product_joins_its_ingredients_with_an_own_reason(checker: Checker) -> None:
    reason = checker.med("Exforge").medications[0].reason
    assert reason is not None
    assert reason.startswith("amlodipine: Not flagged alone; flagged only in a combination: ")
    assert "valsartan: Angiotensin receptor blocker" in reason


def test_ingredients_that_do_not_fit_are_named_at_the_end(checker: Checker) -> None:
    reason = checker.med("Trikafta").medications[0].reason
    assert reason is not None and len(reason) <= REASON_MAX_CHARS
    assert reason.endswith("also not flagged alone: ivacaftor")
    assert reason.startswith("elexacaftor: CFTR corrector")


def test_the_most_severe_rules_come_first(checker: Checker) -> None:
    clarithromycin = checker.med("clarithromycin").medications[0].reason
    assert clarithromycin is not None
    assert clarithromycin.startswith(
        "Not flagged alone; flagged only in a combination: Contraindicated: simvastatin or"
        " lovastatin with a strong CYP3A4 inhibitor; Colchicine with a strong CYP3A4"
    )
    assert "Red yeast rice" not in clarithromycin
    for moderate_inhibitor in ("verapamil", "ranolazine"):
        reason = checker.med(moderate_inhibitor).medications[0].reason
        assert reason is not None and "Colchicine" in reason, moderate_inhibitor


def test_each_drugs_rules_are_ranked_by_severity(knowledge: Knowledge) -> None:
    """The ranks ``rule_ranks`` gives put every more severe rule (its escalations
    counted) before every less severe one; each drug's ranked titles are in rank order."""
    kb = knowledge.kb
    ranks = rule_ranks(kb)

    def severity(i: int) -> int:
        rule = kb.rules[i]
        return max(SEVERITY_RANK[s] for s in (rule.severity, *(e.severity for e in rule.escalate)))

    order = sorted(range(len(kb.rules)), key=ranks.__getitem__)
    assert [severity(i) for i in order] == sorted((severity(i) for i in order), reverse=True)
    for drug_id in kb.drugs:
        titles = knowledge.drugs_at_route[DrugHit(drug_id, None)].in_rules
        assert list(titles) == sorted(titles)
        assert len({t for _, t in titles}) == len(titles)


# R4: REST pregnancy ages in completed years ---------------------------------------------------


@pytest.mark.parametrize("age", [10, 10.0, 59.99, 60, 60.4, 60.5, 60.9])
def test_a_pregnancy_at_60_and_some_months_is_read(checker: Checker, age: float) -> None:
    report = checker(
        patient={"age": age, "sex": "female", "pregnant": True},
        medications=[{"text": "nifedipine 30 mg"}],
    )
    assert "condition/pregnancy" in _ids(report)
    assert "patient.pregnant (not read" not in report.note


@pytest.mark.parametrize("age", [9.9, 61, 61.2])
def test_a_pregnancy_outside_10_to_60_completed_years_is_not_read(
    checker: Checker, age: float
) -> None:
    report = checker(patient={"age": age, "sex": "female", "pregnant": True})
    assert "condition/pregnancy" not in _ids(report)
    assert (
        f"patient.pregnant (not read: the patient's age is {age:g} years, and a pregnancy is"
        " read only at ages 10 to 60 (completed years))"
    ) in report.note


def test_a_pregnancy_condition_is_read_whatever_the_sex(checker: Checker) -> None:
    """Documented in docs/api.md: with ``sex`` male, ``pregnant`` true is not read, while a
    pregnancy among the conditions is, with the pregnancy TSH limit (4.0)."""
    report = checker(
        patient={"age": 30, "sex": "male", "pregnant": True},
        conditions=[{"text": "pregnancy"}],
        labs=[{**TSH, "value": 4.2}],
    )
    assert "condition/pregnancy" in _ids(report)
    assert report.labs[0].status == "flagged"
    unsexed = checker(patient={"age": 30, "pregnant": True}, labs=[{**TSH, "value": 4.2}])
    assert "condition/pregnancy" in _ids(unsexed)


# Salt substitutes: "avoid X" is advice, a herb seasoning is not potassium chloride -------------


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("avoid salt substitutes", "potassium chloride"),
        ("Avoid potassium supplements", "potassium chloride"),
        ("avoid furosemide", "furosemide"),
        ("Avoid taking ibuprofen", "ibuprofen"),
        ("HCTZ 25 mg; avoid Lasix", "hydrochlorothiazide"),
    ],
)
def test_avoid_is_advice_not_a_drug_taken(checker: Checker, text: str, concept: str) -> None:
    report = checker.med(text)
    status = report.medications[0]
    if concept == "hydrochlorothiazide":
        assert status.status == "flagged"
        assert status.reason == "furosemide: stated as stopped or not taken"
        assert "medication/furosemide" not in _ids(report)
        return
    assert status.status == "recognized"
    assert status.concept == concept
    assert status.reason == "stated as stopped or not taken"
    assert report.risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Lasix 40 mg daily, avoid NSAIDs",
        "avoid salt, Lasix 40 mg daily",
        "avoid NSAIDs with furosemide 40 mg",
        "avoid alcohol while on furosemide 40 mg",
    ],
)
def test_avoid_keeps_a_drug_it_does_not_reach(checker: Checker, text: str) -> None:
    report = checker.med(text)
    assert "medication/furosemide" in _ids(report)
    assert report.medications[0].status == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        "salt substitute herbal (Mrs. Dash)",
        "Mrs. Dash",
        "herbal salt substitute",
        "salt-free seasoning",
        "potassium-free salt substitute",
    ],
)
def test_a_herb_seasoning_is_not_potassium_chloride(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized"
    assert status.concepts == ["herb and spice seasoning (salt-free)"]
    assert status.reason is not None and "not a potassium chloride salt substitute" in status.reason


@pytest.mark.parametrize(
    "text", ["salt substitute", "potassium salt substitute", "salt substitute (potassium chloride)"]
)
def test_a_salt_substitute_is_still_potassium_chloride(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.concepts == ["potassium chloride"]


def test_herbal_salt_is_not_the_herb_seasoning(checker: Checker) -> None:
    """Herb salts (sea salt with herbs) are salt: only "salt substitute" names say herbal."""
    status = checker.med("herbal salt").medications[0]
    assert status.concepts != ["herb and spice seasoning (salt-free)"]
