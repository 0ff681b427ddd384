"""Card building over real engine reports: grouping, summaries, indicators, Markdown safety."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from service.cdshooks.cards import (
    PROBLEM_SYSTEM,
    SUMMARY_MAX,
    CardInput,
    Issued,
    build_cards,
    escape,
    fit,
    new_medications,
    short_citation,
)
from service.cdshooks.services import ORDER_SIGN, PATIENT_VIEW, Service
from service.engine import CheckRequest, Knowledge, check
from service.fhir import ResourceRef, Sources

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MEDS: dict[str, dict[str, Any]] = {
    "hctz": {
        "coding": [{"system": RXNORM, "code": "316049", "display": "Hydrochlorothiazide 25 MG"}]
    },
    "furosemide": {"text": "furosemide 40 mg oral tablet"},
    "prednisone": {
        "coding": [{"system": RXNORM, "code": "312617", "display": "predniSONE 5 MG Oral Tablet"}]
    },
    "albuterol": {
        "coding": [
            {
                "system": RXNORM,
                "code": "745679",
                "display": "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
            }
        ]
    },
    "simvastatin": {"text": "Simvastatin 20 MG Oral Tablet"},
    "omeprazole": {"text": "Prilosec OTC 20 mg daily"},
    "lisinopril": {"text": "lisinopril 10 MG Oral Tablet"},
}
CONDITIONS: dict[str, dict[str, Any]] = {
    "diabetes": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
    "hypothyroidism": {"coding": [{"system": "http://snomed.info/sct", "code": "83664006"}]},
}
LABS: dict[str, dict[str, Any]] = {
    "k_low": {
        "coding": [{"system": "http://loinc.org", "code": "6298-4"}],
        "value": 3.1,
        "unit": "mmol/L",
    },
    "mg_low": {
        "coding": [{"system": "http://loinc.org", "code": "19123-9"}],
        "value": 1.4,
        "unit": "mg/dL",
    },
}
RANK = {"info": 1, "warning": 2, "critical": 3}
SEVERITY = {"low": 1, "moderate": 2, "high": 3}


def run(
    knowledge: Knowledge,
    meds: Sequence[str],
    conditions: Sequence[str] = (),
    labs: Sequence[str] = (),
    *,
    drafts: frozenset[str] = frozenset(),
    service: Service = PATIENT_VIEW,
) -> tuple[list[Issued], Any]:
    request = msgspec.convert(
        {
            "medications": [MEDS[m] for m in meds],
            "conditions": [CONDITIONS[c] for c in conditions],
            "labs": [LABS[lab] for lab in labs],
        },
        CheckRequest,
    )
    report = check(request, knowledge)
    sources = Sources(
        medications=[
            ResourceRef(f"MedicationRequest/{m}", "MedicationRequest", m in drafts, m) for m in meds
        ],
        conditions=[ResourceRef(f"Condition/{c}", "Condition", display=c) for c in conditions],
        labs=[ResourceRef(f"Observation/{lab}", "Observation", display=lab) for lab in labs],
    )
    new = new_medications(report, sources) if service.orders else None
    issued = build_cards(
        CardInput(service, request, report, sources, knowledge.kb, "p1", new_medications=new)
    )
    return issued, report


def test_a_combination_card_absorbs_the_findings_it_joins(knowledge: Knowledge) -> None:
    issued, _report = run(knowledge, ["hctz", "furosemide"], labs=["k_low"])
    lead = issued[0]
    assert lead.card.indicator == "warning"  # K 3.1 mmol/L is mild: a warning, not critical
    assert lead.finding_ids[0] == "combination/potassium_lowering_drug_with_low_potassium"
    assert {"medication/hydrochlorothiazide", "medication/furosemide", "lab/potassium/low"} <= set(
        lead.finding_ids
    )
    summary = lead.card.summary
    assert "hydrochlorothiazide" in summary and "furosemide" in summary and "3.1 mmol/L" in summary
    assert len(issued) == 1


def test_low_contributors_share_one_info_card(knowledge: Knowledge) -> None:
    issued, _ = run(knowledge, ["albuterol", "simvastatin"], conditions=["diabetes"])
    assert [i.card.indicator for i in issued] == ["info"]
    summary = issued[0].card.summary
    assert "albuterol" in summary and "simvastatin" in summary and "diabetes" in summary
    assert not issued[0].card.override_reasons


def test_every_finding_is_on_exactly_one_card_and_indicators_follow_severity(
    knowledge: Knowledge,
) -> None:
    pools = (list(MEDS), list(CONDITIONS), list(LABS))
    for size in (2, 3, 4):
        for meds in itertools.combinations(pools[0], size):
            for labs in ([], ["k_low"], ["k_low", "mg_low"]):
                issued, report = run(knowledge, list(meds), ["diabetes"], labs)
                ids = [f for i in issued for f in i.finding_ids]
                assert sorted(ids) == sorted(f.id for f in report.findings), meds
                by_id = {f.id: f for f in report.findings}
                for item in issued:
                    worst = max(SEVERITY[by_id[f].severity] for f in item.finding_ids)
                    assert RANK[item.card.indicator] == worst
                    assert len(item.card.summary) <= SUMMARY_MAX
                assert len({i.card.uuid for i in issued}) == len(issued)
                # The topic names the problem: the card's lead finding.
                for item in issued:
                    topic = item.card.source.topic
                    assert not isinstance(topic, msgspec.UnsetType)
                    assert (topic.system, topic.code) == (PROBLEM_SYSTEM, item.finding_ids[0])
                # The low contributors share one info card; a low problem of its own (a
                # combination: a dose to check, a watch point) is a card of its own.
                minor = [i for i in issued if not i.finding_ids[0].startswith("combination/")]
                assert sum(i.card.indicator == "info" for i in minor) <= 1


def test_order_cards_involve_a_new_drug(knowledge: Knowledge) -> None:
    issued, _ = run(
        knowledge,
        ["hctz", "furosemide", "lisinopril"],
        ["diabetes"],
        ["k_low"],
        drafts=frozenset({"furosemide"}),
        service=ORDER_SIGN,
    )
    assert issued
    for item in issued:
        assert item.card.summary.startswith(("Adding furosemide", "New order"))
        assert "diabetes" not in item.card.summary
    issued, _ = run(
        knowledge, ["hctz", "lisinopril"], drafts=frozenset({"lisinopril"}), service=ORDER_SIGN
    )
    assert issued == []


def test_renewing_a_current_drug_is_not_new(knowledge: Knowledge) -> None:
    meds = ["hctz", "hctz"]
    request = msgspec.convert({"medications": [MEDS[m] for m in meds]}, CheckRequest)
    report = check(request, knowledge)
    sources = Sources(
        medications=[
            ResourceRef("MedicationRequest/a", "MedicationRequest"),
            ResourceRef("MedicationRequest/b", "MedicationRequest", draft=True),
        ]
    )
    assert new_medications(report, sources) == frozenset()


def test_summaries_fit_and_say_how_many_more() -> None:
    names = [f"drugname{i:02d}" for i in range(40)]
    text = fit("Possible minor cramp contributors: ", names)
    assert len(text) <= SUMMARY_MAX
    assert text.endswith(" more")
    assert fit("x" * 200, []).endswith("…")
    assert len(fit("x" * 200, [])) == SUMMARY_MAX


def test_ehr_text_is_inert_in_markdown() -> None:
    assert escape("**bold** [link](http://x) <script>") == (
        r"\*\*bold\*\* \[link\]\(http://x\) \<script\>"
    )
    assert escape("two\nlines") == "two lines"


def test_card_and_suggestion_uuids_are_random_uuid4_and_topics_stable(
    knowledge: Knowledge,
) -> None:
    meds, labs = ["hctz", "furosemide", "omeprazole"], ["k_low"]
    first, _ = run(knowledge, meds, ["diabetes"], labs)
    second, _ = run(knowledge, meds, ["diabetes"], labs)
    ids = [
        value
        for issued in (first, second)
        for item in issued
        for value in (item.card.uuid, *(s.uuid for s in item.card.suggestions))
    ]
    assert any(item.card.suggestions for item in first)
    assert len(ids) == len(set(ids))
    for value in ids:
        assert isinstance(value, str)
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, value)
    assert [i.card.source.topic for i in first] == [i.card.source.topic for i in second]


def test_source_label_and_detail_text() -> None:
    citation = "Veltri KT, Mason C. Medication-induced hypokalemia. P T 2015;40(3)."
    assert short_citation(citation) == "Veltri et al. 2015"
