"""Order hooks: a draft of a drug the patient already takes, at another dose, is a dose
change (review14 #1). The current order is left out and the draft's dose is checked in its
place; a draft at the same dose, or whose dose is not given, is a renewal and adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cdshooks.conftest import ORDER_SELECT, ORDER_SIGN, PATIENT_VIEW, Client
from tests.cdshooks.records import PATIENT_ID, chart
from tests.cdshooks.test_service_calls import cards_of

AMLODIPINE = "amlodipine 10 mg daily"


def test_raising_a_dose_past_a_label_limit_is_a_new_dose(cds: Client) -> None:
    body = chart(
        ["simvastatin 20 mg daily", AMLODIPINE],
        drafts=["simvastatin 40 mg daily"],
        hook="order-sign",
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    assert [c["summary"] for c in cards] == [
        "New dose of simvastatin: simvastatin above 20 mg with amiodarone, amlodipine or"
        " ranolazine (simvastatin, amlodipine)"
    ]
    assert cards[0]["indicator"] == "warning"
    # The replaced order is not "duplicate therapy" with its own new dose.
    assert "Duplicate" not in cards[0]["detail"]


def test_a_dose_change_on_dialysis_is_checked_at_the_new_dose(cds: Client) -> None:
    body = chart(
        ["colchicine 0.3 mg twice a week after dialysis"],
        conditions=["end-stage renal disease on hemodialysis"],
        drafts=["colchicine 0.6 mg twice daily"],
        hook="order-sign",
    )
    summaries = [c["summary"] for c in cards_of(cds, ORDER_SIGN, body)]
    assert summaries and summaries[0].startswith("New dose of colchicine: colchicine above 0.3 mg")


@pytest.mark.parametrize(
    "draft",
    [
        "simvastatin 40 mg daily",  # the same dose: a renewal
        "simvastatin",  # no dose given: nothing to compare
    ],
)
def test_a_renewal_adds_nothing(cds: Client, draft: str) -> None:
    body = chart(["simvastatin 40 mg daily", AMLODIPINE], drafts=[draft], hook="order-sign")
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_lowering_a_dose_under_the_limit_says_nothing(cds: Client) -> None:
    body = chart(
        ["simvastatin 40 mg daily", AMLODIPINE],
        drafts=["simvastatin 20 mg daily"],
        hook="order-sign",
    )
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_a_new_drug_beside_a_dose_change_is_still_adding(cds: Client) -> None:
    body = chart(
        ["simvastatin 20 mg daily"],
        drafts=["simvastatin 40 mg daily", AMLODIPINE],
        hook="order-sign",
    )
    summaries = [c["summary"] for c in cards_of(cds, ORDER_SIGN, body)]
    assert summaries == [
        "Adding amlodipine; New dose of simvastatin: simvastatin above 20 mg with amiodarone,"
        " amlodipine or ranolazine (simvastatin, amlodipine)"
    ]


def test_an_as_needed_draft_does_not_replace_a_scheduled_order(cds: Client) -> None:
    """Review 16 #4: before, "New dose of furosemide" for an extra as-needed order."""
    body = chart(
        ["furosemide 40 mg twice daily"],
        labs=[("potassium", 3.2, "mmol/L")],
        drafts=["furosemide 40 mg once daily as needed for weight gain"],
        hook="order-sign",
    )
    assert not any("New dose" in c["summary"] for c in cards_of(cds, ORDER_SIGN, body))


def test_a_switch_to_a_combination_product_is_not_a_new_dose(cds: Client) -> None:
    """Review 16 #4: before, "New dose of amlodipine + atorvastatin: duplicate therapy"."""
    body = chart(
        ["atorvastatin 40 mg daily", "amlodipine 10 mg daily"],
        drafts=["amlodipine 5 mg / atorvastatin 40 mg tablet daily"],
        hook="order-sign",
    )
    assert not any("New dose" in c["summary"] for c in cards_of(cds, ORDER_SIGN, body))


def test_a_draft_coded_only_by_rxnorm_is_read_at_its_code_s_strength(cds: Client) -> None:
    """Review 16 #5: the dose of a code-only draft is its RxNorm name's (198211: simvastatin
    40 MG Oral Tablet; the current order is 312961, 20 MG)."""
    body = chart(["amlodipine 10 mg daily"], hook="order-sign")
    coded = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    current = {
        **coded,
        "id": "simva-20",
        "medicationCodeableConcept": {"coding": [{"system": rxnorm, "code": "312961"}]},
    }
    draft = {
        **coded,
        "id": "simva-40",
        "status": "draft",
        "medicationCodeableConcept": {"coding": [{"system": rxnorm, "code": "198211"}]},
    }
    body["prefetch"]["medicationRequests"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": current}],
    }
    body["context"]["draftOrders"] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": draft}],
    }
    summaries = [c["summary"] for c in cards_of(cds, ORDER_SIGN, body)]
    assert any(s.startswith("New dose of simvastatin") for s in summaries), summaries


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _simvastatin_20(ident: str, directions: str, status: str = "active") -> dict[str, object]:
    """An order of simvastatin 20 MG Oral Tablet (RxNorm 312961) with its directions."""
    concept: dict[str, object] = {
        "coding": [{"system": RXNORM, "code": "312961", "display": "simvastatin 20 MG Oral Tablet"}]
    }
    return _order(ident, concept, status, dosageInstruction=[{"text": directions}])


def _order(
    ident: str, medication: str | dict[str, object], status: str = "active", **more: object
) -> dict[str, object]:
    """A MedicationRequest of this patient naming ``medication`` (a text, or a concept)."""
    concept = {"text": medication} if isinstance(medication, str) else medication
    return {
        "resourceType": "MedicationRequest",
        "id": ident,
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": concept,
        **more,
    }


def _with_orders(
    body: dict[str, Any], current: list[dict[str, object]], drafts: list[dict[str, object]]
) -> dict[str, Any]:
    """The chart with ``current`` as its MedicationRequests and ``drafts`` added."""
    body["prefetch"]["medicationRequests"] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in current],
    }
    if drafts:
        body["context"]["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in drafts],
        }
    return body


def test_two_orders_of_one_product_at_two_times_of_day_are_one_split_dose(cds: Client) -> None:
    """Review 16 #4: the evening order was dropped as "same medication" as the morning
    one, so 20 mg + 20 mg beside amlodipine was never added up (no card)."""
    body = _with_orders(
        chart([AMLODIPINE]),
        [
            _simvastatin_20("am", "1 tablet every morning"),
            _simvastatin_20("pm", "1 tablet every evening"),
        ],
        [],
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert summaries[0].startswith("Simvastatin above 20 mg with amiodarone"), summaries


@pytest.mark.parametrize(
    ("current", "draft", "said"),
    [
        # Review 18 A1: a draft at another time replaces the current order; before, it was
        # read as a part added to it ("New dose ... 40 mg", "60 mg").
        (["1 tablet every morning"], ("1", "1 tablet at bedtime"), None),
        (["1 tablet every morning", "1 tablet every evening"], ("1", "1 tablet at bedtime"), None),
        (["1 tablet every morning"], ("2", "2 tablets at bedtime"), "40 mg a day"),
    ],
)
def test_a_draft_at_another_time_of_day_replaces_the_current_order(
    cds: Client, current: list[str], draft: tuple[str, str], said: str | None
) -> None:
    body = _with_orders(
        chart([AMLODIPINE], hook="order-sign"),
        [_simvastatin_20(f"c{i}", text) for i, text in enumerate(current)],
        [_simvastatin_20(f"d{draft[0]}", draft[1], status="draft")],
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    if said is None:
        assert cards == []
    else:
        assert [c["summary"].split(":")[0] for c in cards] == ["New dose of simvastatin"]
        assert f"Simvastatin {said} is above the 20 mg limit" in cards[0]["detail"]


@pytest.mark.parametrize(
    "second",
    [
        "Take 1 tablet by mouth nightly",  # the same order reworded (bedtime, nightly)
        "1 tablet in the evening",  # evening and bedtime are one half of the day
        "1 tablet in the morning if LDL above goal",  # a condition, not a part
    ],
)
def test_an_order_repeated_in_other_words_is_read_once(cds: Client, second: str) -> None:
    """Review 18 A2, C1: a renewal left active in other words was summed as a split dose
    (a dose-limit warning beside amlodipine) or read as duplicate therapy."""
    body = _with_orders(
        chart([AMLODIPINE]),
        [_simvastatin_20("first", "1 tablet at bedtime"), _simvastatin_20("second", second)],
        [],
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert not any("above 20 mg" in s or "Duplicate" in s for s in summaries), summaries


def test_a_split_dose_renewed_as_one_order_at_the_same_total_adds_nothing(cds: Client) -> None:
    """Review 16 #4: before, "New dose of simvastatin" for 20 mg + 20 mg renewed as 40 mg."""
    body = _with_orders(
        chart([AMLODIPINE], hook="order-sign", drafts=["simvastatin 40 mg daily"]),
        [
            _simvastatin_20("am", "1 tablet every morning"),
            _simvastatin_20("pm", "1 tablet every evening"),
        ],
        [],
    )
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_a_new_dose_split_over_two_drafts_names_the_drug_once(cds: Client) -> None:
    """20 mg taken, drafts of 20 mg every morning and 20 mg every evening: 40 mg a day."""
    body = _with_orders(
        chart([AMLODIPINE], hook="order-sign"),
        [_simvastatin_20("now", "1 tablet daily")],
        [
            _simvastatin_20("am", "1 tablet every morning", status="draft"),
            _simvastatin_20("pm", "1 tablet every evening", status="draft"),
        ],
    )
    summaries = [c["summary"] for c in cards_of(cds, ORDER_SIGN, body)]
    assert summaries == [
        "New dose of simvastatin: simvastatin above 20 mg with amiodarone, amlodipine or"
        " ranolazine (simvastatin, amlodipine)"
    ]


def test_coded_phosphate_and_vitamin_d_results_are_read(cds: Client) -> None:
    """Review 19 B1: FHIR left out Observations of these analytes coded by LOINC."""
    body = chart(labs=[("phosphate", 0.8, "mg/dL")], conditions=["refeeding syndrome"])
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any(s.startswith("Refeeding syndrome with a low phosphate") for s in summaries), (
        summaries
    )
    body = chart(labs=[("calcium", 7.6, "mg/dL"), ("vitamin_d", 12, "ng/mL")])
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert any(s.startswith("Low calcium with a low vitamin D") for s in summaries), summaries


EHR = "https://ehr.example/fhir"
OTHER = "https://other.example/fhir"


def _on_server(
    body: dict[str, Any], server: str | None, full_urls: str | None = None
) -> dict[str, Any]:
    """The call naming ``server`` as its fhirServer (every prefetch key filled, so nothing
    is fetched), and its orders and drafts given ``fullUrl``s on ``full_urls`` (a base, or
    ``urn:uuid`` for ``urn:uuid:<id>``)."""
    if server is not None:
        body["fhirServer"] = server
        for key, value in body["prefetch"].items():
            if value is None:
                body["prefetch"][key] = {"resourceType": "Bundle", "type": "searchset"}
    if full_urls is not None:
        bundles = [body["prefetch"]["medicationRequests"], body["context"].get("draftOrders")]
        for entry in (e for b in bundles if b for e in b.get("entry", [])):
            resource = entry["resource"]
            entry["fullUrl"] = (
                f"urn:uuid:{resource['id']}"
                if full_urls == "urn:uuid"
                else f"{full_urls}/{resource['resourceType']}/{resource['id']}"
            )
    return body


@pytest.mark.parametrize(
    ("prior", "server", "full_urls"),
    [
        ("MedicationRequest/simva", None, None),
        ("MedicationRequest/simva/_history/3", None, None),
        ("MedicationRequest/simva", OTHER, OTHER),  # relative: the server the EHR named
        # Absolute, on the fhirServer's base (written another way) ...
        (f"{EHR}/MedicationRequest/simva", EHR + "/", None),
        ("HTTPS://EHR.example:443/fhir/MedicationRequest/simva/_history/2", EHR, None),
        # ... or the order's fullUrl (a searchset's entries carry one), or on the base of
        # the draft's own fullUrl.
        (f"{EHR}/MedicationRequest/simva", None, EHR),
        (f"{OTHER}/MedicationRequest/simva", EHR, OTHER),
        ("urn:uuid:simva", None, "urn:uuid"),
    ],
)
def test_a_draft_naming_its_prior_prescription_is_a_switch(
    cds: Client, prior: str, server: str | None, full_urls: str | None
) -> None:
    """Before, a switch from simvastatin to atorvastatin that names the simvastatin order
    as its priorPrescription was "duplicate therapy: two statins" and named simvastatin on
    the raised-CK card."""
    body = _with_orders(
        chart(labs=[("ck", 2500, "U/L")], hook="order-sign"),
        [_order("simva", "simvastatin 40 mg at bedtime")],
        [
            _order(
                "atorva",
                "atorvastatin 40 mg at bedtime",
                status="draft",
                priorPrescription={"reference": prior},
            )
        ],
    )
    summaries = [
        c["summary"] for c in cards_of(cds, ORDER_SIGN, _on_server(body, server, full_urls))
    ]
    assert summaries == [
        "Adding atorvastatin: statin with a raised CK (atorvastatin, creatine kinase (CK) 2500 U/L)"
    ]


@pytest.mark.parametrize(
    ("more", "server", "full_urls"),
    [
        ({}, None, None),  # no prior named: both statins stand
        ({"priorPrescription": {"reference": "MedicationRequest/other"}}, None, None),
        ({"priorPrescription": "MedicationRequest/simva"}, None, None),  # not a Reference
        # Review 22 C1: another server's order with the same id is another order; before,
        # it was taken for the local simvastatin, which was dropped without a card.
        ({"priorPrescription": {"reference": f"{OTHER}/MedicationRequest/simva"}}, EHR, None),
        ({"priorPrescription": {"reference": f"{OTHER}/MedicationRequest/simva"}}, EHR, EHR),
        ({"priorPrescription": {"reference": f"{OTHER}/MedicationRequest/simva"}}, None, EHR),
        ({"priorPrescription": {"reference": f"{EHR}/other/MedicationRequest/simva"}}, EHR, EHR),
        # With no fhirServer and no fullUrl nothing says which server it names.
        ({"priorPrescription": {"reference": f"{EHR}/MedicationRequest/simva"}}, None, None),
        ({"priorPrescription": {"reference": "urn:uuid:simva"}}, EHR, EHR),
    ],
)
def test_without_a_prior_prescription_naming_it_the_current_order_stays(
    cds: Client, more: dict[str, object], server: str | None, full_urls: str | None
) -> None:
    body = _with_orders(
        chart(hook="order-sign"),
        [_order("simva", "simvastatin 40 mg at bedtime")],
        [_order("atorva", "atorvastatin 40 mg at bedtime", status="draft", **more)],
    )
    summaries = [
        c["summary"] for c in cards_of(cds, ORDER_SIGN, _on_server(body, server, full_urls))
    ]
    assert summaries == [
        "Adding atorvastatin: duplicate therapy: two statins (atorvastatin, simvastatin)"
    ]


def test_a_renewal_naming_its_prior_prescription_still_adds_nothing(cds: Client) -> None:
    body = _with_orders(
        chart([AMLODIPINE], hook="order-sign"),
        [_order("simva", "simvastatin 40 mg at bedtime")],
        [
            _order(
                "renewal",
                "simvastatin 40 mg at bedtime",
                status="draft",
                priorPrescription={"reference": "MedicationRequest/simva"},
            )
        ],
    )
    assert cards_of(cds, ORDER_SIGN, body) == []


def test_an_active_order_named_as_prior_by_another_active_order_is_superseded(
    cds: Client,
) -> None:
    """Review 22 B7: patient-view read both of two active orders when the later names the
    earlier as its priorPrescription (a switch the EHR left active): two statins."""
    body = _with_orders(
        chart(),
        [
            _order("simva", "simvastatin 40 mg at bedtime"),
            _order(
                "atorva",
                "atorvastatin 40 mg at bedtime",
                priorPrescription={"reference": "MedicationRequest/simva"},
            ),
        ],
        [],
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, body)]
    assert not any("two statins" in s for s in summaries), summaries
    unlinked = _with_orders(
        chart(),
        [
            _order("simva", "simvastatin 40 mg at bedtime"),
            _order("atorva", "atorvastatin 40 mg at bedtime"),
        ],
        [],
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, unlinked)]
    assert any("two statins" in s for s in summaries), summaries
    # Review 22 C1: an order on another server with the same id is not this one.
    elsewhere = _on_server(
        _with_orders(
            chart(),
            [
                _order("simva", "simvastatin 40 mg at bedtime"),
                _order(
                    "atorva",
                    "atorvastatin 40 mg at bedtime",
                    priorPrescription={"reference": f"{OTHER}/MedicationRequest/simva"},
                ),
            ],
            [],
        ),
        EHR,
        EHR,
    )
    summaries = [c["summary"] for c in cards_of(cds, PATIENT_VIEW, elsewhere)]
    assert any("two statins" in s for s in summaries), summaries


def test_a_renewal_beside_a_new_drug_counts_the_renewed_drug_once(cds: Client) -> None:
    """Round 31 #1: a draft renewing a current order (the same drug and dose) stayed in the
    request beside it, so the drug was counted twice: the "Based on" lines named the renewal
    as a new order and the engine saw the same drug twice (duplicate therapy). The renewal
    is left out; the current order speaks for the drug."""
    body = chart(
        ["hydrochlorothiazide 25 mg daily"],
        labs=[("potassium", 3.2, "mmol/L")],
        drafts=["hydrochlorothiazide 25 mg daily", "furosemide 20 mg daily"],
        hook="order-sign",
    )
    cards = cards_of(cds, ORDER_SIGN, body)
    assert [c["summary"] for c in cards] == [
        "Adding furosemide: potassium-lowering drug with low potassium"
        " (furosemide, hydrochlorothiazide, potassium 3.2 mmol/L)"
    ]
    detail = cards[0]["detail"]
    based_on = detail.split("**Based on**", 1)[1].split("\n\n", 1)[0]
    assert based_on.count("hydrochlorothiazide:") == 1, based_on
    assert "MedicationRequest/draft-0" not in detail
    assert "MedicationStatement/ms-0" in based_on
    assert "Duplicate" not in detail


def test_a_selected_renewal_does_not_announce_the_other_drafts(cds: Client) -> None:
    """order-select naming only the renewal: it adds nothing, and the other draft (not
    selected, and without an id a selection could name) is not announced either."""
    body = chart(
        ["hydrochlorothiazide 25 mg daily"],
        labs=[("potassium", 3.2, "mmol/L")],
        drafts=["hydrochlorothiazide 25 mg daily", "furosemide 20 mg daily"],
        hook="order-select",
    )
    del body["context"]["draftOrders"]["entry"][1]["resource"]["id"]
    body["context"]["selections"] = ["MedicationRequest/draft-0"]
    assert cards_of(cds, ORDER_SELECT, body) == []


def test_a_preliminary_critical_potassium_reaches_the_patient_view_card(cds: Client) -> None:
    """Round 31 #2: a preliminary Observation was left out of CDS Hooks calls; the card now
    shows it, marked preliminary."""
    body = chart(["hydrochlorothiazide 25 mg daily"], labs=[("potassium", 2.4, "mmol/L")])
    body["prefetch"]["observations"]["entry"][0]["resource"]["status"] = "preliminary"
    cards = cards_of(cds, PATIENT_VIEW, body)
    assert cards and cards[0]["indicator"] == "critical"
    assert "2.4 mmol/L \\(preliminary\\) (Observation/obs-0)" in cards[0]["detail"]
