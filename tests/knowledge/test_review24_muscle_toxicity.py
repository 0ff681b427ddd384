"""Pharmacist review 24 (items 1, 6, 7, 10 and §E): a raised CK or a recorded muscle
disease with the drug that may have caused it is one problem naming that drug."""

from __future__ import annotations

from typing import Any

from tests.conftest import Checker

WOMAN = {"age": 70, "sex": "female"}


def _meds(*texts: str) -> list[dict[str, Any]]:
    return [{"text": text} for text in texts]


def _conds(*texts: str) -> list[dict[str, Any]]:
    return [{"text": text} for text in texts]


def _ck(value: float) -> list[dict[str, Any]]:
    return [{"text": "CK", "value": value, "unit": "U/L"}]


def _by_id(report: Any) -> dict[str, Any]:
    return {f.id: f for f in report.findings}


# ------------------------------------------------------------------ checkpoint inhibitors


def test_checkpoint_inhibitor_with_a_raised_ck_names_the_drug(checker: Checker) -> None:
    """Review 24 item 1: a CK of 500 on pembrolizumab was a lone low lab line."""
    report = checker(patient=WOMAN, medications=_meds("pembrolizumab 200 mg IV q3w"), labs=_ck(500))
    found = _by_id(report)["combination/checkpoint_inhibitor_with_raised_ck"]
    assert found.severity == "moderate"
    assert "pembrolizumab" in found.title
    assert any("Troponin" in line for line in found.monitoring)
    assert any("ptosis" in line for line in found.monitoring)
    assert any("oncology" in line for line in found.management)
    assert report.risk == "moderate"


def test_checkpoint_inhibitor_with_ck_over_ten_times_is_high_beside_a_statin(
    checker: Checker,
) -> None:
    """Review 24 item 1: with a statin the CK of 3,500 was blamed on the statin alone."""
    report = checker(
        patient=WOMAN,
        medications=_meds("pembrolizumab", "atorvastatin 40 mg daily"),
        labs=_ck(3500),
    )
    # Round 31 #3: one problem naming both possible causes (it was two high problems).
    found = _by_id(report)
    ici = found["combination/checkpoint_inhibitor_and_statin_with_raised_ck"]
    assert ici.severity == "high"
    assert any("Hold the checkpoint inhibitor" in line for line in ici.management)
    assert any("Stop the statin" in line for line in ici.management)
    assert "combination/statin_with_raised_ck" not in found
    assert "combination/checkpoint_inhibitor_with_raised_ck" not in found
    assert report.risk == "high"


def test_checkpoint_inhibitor_with_recorded_myositis_and_myocarditis(checker: Checker) -> None:
    """Review 24 item 1 (`ici_myositis`): risk none; "myocarditis" was unrecognized."""
    report = checker(
        patient=WOMAN,
        medications=_meds("pembrolizumab"),
        conditions=_conds("immune-mediated myositis", "myocarditis"),
    )
    found = _by_id(report)[
        "combination/checkpoint_inhibitor_with_myositis_myocarditis_or_myasthenia"
    ]
    assert found.severity == "moderate"  # the policy: no measured result raises it
    assert "pembrolizumab" in found.title
    assert len(found.inputs) == 3
    assert [c.status for c in report.conditions] == ["flagged", "flagged"]
    assert report.conditions[1].concept == "myocarditis"


def test_checkpoint_inhibitor_with_myasthenia_gravis(checker: Checker) -> None:
    report = checker(
        patient=WOMAN, medications=_meds("nivolumab"), conditions=_conds("myasthenia gravis")
    )
    ids = [f.id for f in report.findings]
    assert ids == ["combination/checkpoint_inhibitor_with_myositis_myocarditis_or_myasthenia"]


def test_checkpoint_inhibitor_myositis_with_a_raised_ck_is_one_problem(checker: Checker) -> None:
    report = checker(
        patient=WOMAN,
        medications=_meds("nivolumab"),
        conditions=_conds("immune checkpoint inhibitor myositis"),
        labs=_ck(4000),
    )
    combos = [f for f in report.findings if f.kind == "combination"]
    assert [f.id for f in combos] == [
        "combination/checkpoint_inhibitor_with_raised_ck_and_myositis_myocarditis_or_myasthenia"
    ]
    assert combos[0].severity == "high"
    moderate = checker(
        patient=WOMAN,
        medications=_meds("nivolumab"),
        conditions=_conds("myocarditis"),
        labs=_ck(400),
    )
    assert moderate.risk == "moderate"


def test_checkpoint_inhibitor_reason_no_longer_claims_a_flag_it_did_not_give(
    checker: Checker,
) -> None:
    """The reason text said myositis "is flagged when coded or measured", which was untrue."""
    drugs = ("pembrolizumab", "nivolumab", "atezolizumab", "durvalumab", "ipilimumab", "cemiplimab")
    for drug in drugs:
        reason = checker(medications=_meds(drug)).medications[0].reason
        assert reason is not None and "myocarditis" in reason, drug
        assert "myositis it can cause is flagged" not in reason


# ------------------------------------------------------------------ other myotoxic drugs


def test_zidovudine_with_a_raised_ck_is_moderate_and_high_over_ten_times(
    checker: Checker,
) -> None:
    """Review 24 item 10: zidovudine was silent (boxed warning: symptomatic myopathy)."""
    report = checker(patient=WOMAN, medications=_meds("zidovudine 300 mg bid"), labs=_ck(900))
    assert _by_id(report)["combination/zidovudine_with_raised_ck"].severity == "moderate"
    high = checker(patient=WOMAN, medications=_meds("Retrovir 300 mg bid"), labs=_ck(2500))
    assert _by_id(high)["combination/zidovudine_with_raised_ck"].severity == "high"
    alone = checker(medications=_meds("zidovudine 300 mg bid"))
    assert alone.findings == []
    assert alone.medications[0].reason is not None
    assert "myopathy" in alone.medications[0].reason


def test_raltegravir_with_a_raised_ck(checker: Checker) -> None:
    report = checker(patient=WOMAN, medications=_meds("raltegravir 400 mg bid"), labs=_ck(600))
    assert _by_id(report)["combination/raltegravir_with_raised_ck"].severity == "low"
    raised = checker(patient=WOMAN, medications=_meds("Isentress 400 mg bid"), labs=_ck(2400))
    assert _by_id(raised)["combination/raltegravir_with_raised_ck"].severity == "moderate"


def test_antimalarial_with_a_raised_ck(checker: Checker) -> None:
    report = checker(
        patient=WOMAN,
        medications=_meds("hydroxychloroquine 200 mg bid"),
        conditions=_conds("systemic lupus erythematosus"),
        labs=_ck(900),
    )
    assert _by_id(report)["combination/antimalarial_with_raised_ck"].severity == "low"
    raised = checker(patient=WOMAN, medications=_meds("chloroquine 250 mg daily"), labs=_ck(2500))
    assert _by_id(raised)["combination/antimalarial_with_raised_ck"].severity == "moderate"
    alone = checker(medications=_meds("Plaquenil 200 mg daily"))
    assert alone.medications[0].reason is not None
    assert "myopathy" in alone.medications[0].reason


def test_normal_ck_joins_none_of_them(checker: Checker) -> None:
    report = checker(
        patient=WOMAN,
        medications=_meds("pembrolizumab", "zidovudine", "raltegravir", "hydroxychloroquine"),
        labs=_ck(120),
    )
    assert report.findings == []


# ------------------------------------------------------------------ neuroleptic malignant syndrome


def test_nms_names_the_antipsychotic(checker: Checker) -> None:
    """Review 24 item 6 (`nms`): olanzapine with NMS gave risk none."""
    report = checker(
        patient=WOMAN,
        medications=_meds("olanzapine 10 mg daily"),
        conditions=_conds("neuroleptic malignant syndrome"),
    )
    found = _by_id(report)["combination/dopamine_blocker_with_neuroleptic_malignant_syndrome"]
    assert found.severity == "moderate"
    assert "olanzapine" in found.title
    # Round 31 #4: the coded diagnosis does not say the episode is current; the advice
    # to stop now is conditional on it (the CK decides the severity).
    assert any("stop the antipsychotic or metoclopramide now" in line for line in found.management)
    assert "if it is current" in found.title


def test_nms_with_a_high_ck_is_one_high_problem_naming_haloperidol(checker: Checker) -> None:
    """Review 24 item 6 (`nms_ck`): the CK card said to stop a statin, not the haloperidol."""
    report = checker(
        patient=WOMAN,
        medications=_meds("haloperidol 5 mg bid"),
        conditions=_conds("NMS"),
        labs=_ck(8000),
    )
    combos = [f for f in report.findings if f.kind == "combination"]
    assert [f.id for f in combos] == [
        "combination/dopamine_blocker_with_neuroleptic_malignant_syndrome_and_raised_ck"
    ]
    assert combos[0].severity == "high"
    assert "haloperidol" in combos[0].title
    metoclopramide = checker(
        patient=WOMAN,
        medications=_meds("metoclopramide 10 mg tid"),
        conditions=_conds("neuroleptic malignant syndrome"),
        labs=_ck(1000),
    )
    assert metoclopramide.risk == "moderate"


def test_nms_without_a_dopamine_blocker_is_not_joined(checker: Checker) -> None:
    report = checker(
        patient=WOMAN,
        medications=_meds("sertraline 50 mg daily"),
        conditions=_conds("neuroleptic malignant syndrome"),
    )
    assert report.findings == []


# ------------------------------------------------------------------ fluoroquinolone and myasthenia


def test_fluoroquinolone_with_myasthenia_gravis(checker: Checker) -> None:
    """Review 24 item 7 (`fq_mg2`): ciprofloxacin with myasthenia gravis was silent."""
    report = checker(
        patient=WOMAN,
        medications=_meds("ciprofloxacin 500 mg bid"),
        conditions=_conds("myasthenia gravis"),
    )
    found = _by_id(report)["combination/fluoroquinolone_with_myasthenia_gravis"]
    assert found.severity == "moderate"
    assert "boxed warning" in found.title
    levo = checker(
        patient=WOMAN,
        medications=_meds("levofloxacin 750 mg daily", "pyridostigmine 60 mg tid"),
        conditions=_conds("myasthenia gravis"),
    )
    assert "combination/fluoroquinolone_with_myasthenia_gravis" in _by_id(levo)


def test_fluoroquinolone_eye_and_ear_drops_fill_nothing(checker: Checker) -> None:
    for text in (
        "ciprofloxacin 0.3% ophthalmic solution 1 drop qid",
        "Vigamox 1 drop tid",
        "Ocuflox 1 drop qid",
        "Ciloxan 2 drops q4h",
        "ofloxacin otic 5 drops bid",
    ):
        report = checker(
            patient=WOMAN, medications=_meds(text), conditions=_conds("myasthenia gravis")
        )
        assert report.findings == [], text


def test_fluoroquinolone_reason_names_the_boxed_warning(checker: Checker) -> None:
    report = checker(medications=_meds("levofloxacin 500 mg daily"))
    reason = report.medications[0].reason
    assert reason is not None and "myasthenia gravis" in reason and "tendon" in reason


# ------------------------------------------------------------------ vocabulary (§E)


def test_review24_condition_vocabulary_is_recognized(checker: Checker) -> None:
    texts = ("glioblastoma", "brain tumor", "fever", "muscle rigidity", "myocarditis")
    report = checker(conditions=_conds(*texts))
    assert [c.status for c in report.conditions] == ["recognized"] * len(texts)
    assert report.findings == []


def test_review24_drug_vocabulary_is_recognized_with_a_reason(checker: Checker) -> None:
    texts = (
        "telbivudine 600 mg daily",
        "eltrombopag 50 mg daily",
        "Vyndamax 61 mg daily",
        "peginterferon alfa-2a 180 mcg weekly",
    )
    report = checker(medications=_meds(*texts))
    assert [m.status for m in report.medications] == ["recognized"] * len(texts)
    assert all(m.reason for m in report.medications)
    assert report.findings == []


def test_telbivudine_with_a_raised_ck(checker: Checker) -> None:
    report = checker(patient=WOMAN, medications=_meds("telbivudine 600 mg daily"), labs=_ck(600))
    assert _by_id(report)["combination/telbivudine_with_raised_ck"].severity == "low"
    raised = checker(patient=WOMAN, medications=_meds("Tyzeka 600 mg daily"), labs=_ck(2500))
    assert _by_id(raised)["combination/telbivudine_with_raised_ck"].severity == "moderate"


def test_parenteral_aminoglycoside_with_myasthenia_gravis(checker: Checker) -> None:
    """Review 24 item 7 (`mg_ami`): gentamicin in MG was only a cramp-contributor line."""
    report = checker(
        patient=WOMAN,
        medications=_meds("gentamicin 5 mg/kg IV daily"),
        conditions=_conds("myasthenia gravis"),
    )
    found = _by_id(report)["combination/aminoglycoside_with_myasthenia_gravis"]
    assert found.severity == "moderate"
    assert "gentamicin" in found.title
    for text in ("tobramycin inhaled 300 mg bid", "gentamicin eye drops"):
        local = checker(
            patient=WOMAN, medications=_meds(text), conditions=_conds("myasthenia gravis")
        )
        assert local.findings == [], text


def test_a_past_episode_is_not_a_current_one(checker: Checker) -> None:
    """'history of NMS' with haloperidol is not 'stop it'; a past myocarditis is not a
    current triple M."""
    nms = checker(medications=_meds("haloperidol 5 mg bid"), conditions=_conds("history of NMS"))
    assert nms.findings == []
    myocarditis = checker(
        medications=_meds("pembrolizumab"), conditions=_conds("history of myocarditis")
    )
    assert myocarditis.findings == []
