"""Common problem-list terms (pharmacist review item 13): each is either a contributor,
flagged with its finding, or a known condition, recognized and not flagged; a term that
names two things keeps both apart ("idiopathic intracranial hypertension" is not
hypertension; "low back pain with sciatica" is not low back pain without it)."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("lumbar radiculopathy", "condition/sciatica"),
        ("low back pain with radiculopathy", "condition/sciatica"),
        ("HNP with radiculopathy", "condition/sciatica"),
        ("lumbar HNP with left L5 radiculopathy", "condition/sciatica"),
        ("HD dependent", "condition/eskd_dialysis"),
        ("ESRD, HD dependent", "condition/eskd_dialysis"),
        ("Bartter", "condition/bartter_syndrome"),
        # A sign with another cause named: the cause only is flagged.
        ("cirrhosis with ascites", "condition/cirrhosis"),
        ("ascites due to cirrhosis", "condition/cirrhosis"),
        ("Fanconi syndrome", "condition/fanconi_syndrome"),
        ("Fanconi syndrome due to tenofovir", "condition/fanconi_syndrome"),
        ("spasticity", "condition/spasticity"),
        ("refeeding syndrome", "condition/refeeding_syndrome"),
        ("preterm labor", "condition/pregnancy"),
        ("G1P0, 30 weeks gestation", "condition/pregnancy"),
        ("preeclampsia with severe features", "condition/pregnancy"),
    ],
)
def test_a_contributor_term_is_flagged(checker: Checker, text: str, finding: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].status == "flagged"
    assert [f.id for f in report.findings] == [finding]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("s/p kidney transplant", "solid organ transplant recipient"),
        ("renal transplant", "solid organ transplant recipient"),
        ("heart transplant", "solid organ transplant recipient"),
        ("liver transplant recipient", "solid organ transplant recipient"),
        ("HNP", "lumbar disc disease without radiculopathy"),
        ("herniated nucleus pulposus", "lumbar disc disease without radiculopathy"),
        ("bipolar", "bipolar disorder"),
        ("schizoaffective disorder", "schizoaffective disorder"),
        ("schizoaffective disorder, bipolar type", "schizoaffective disorder"),
        ("hepatic encephalopathy", "hepatic encephalopathy"),
        ("ascites", "ascites"),
        ("malignant ascites", "ascites"),
        ("s/p total thyroidectomy", "thyroidectomy (status after)"),
        ("latent TB", "tuberculosis"),
        ("pulmonary tuberculosis", "tuberculosis"),
        ("h/o TB", "tuberculosis"),
        ("status post thyroidectomy", "thyroidectomy (status after)"),
        ("malnutrition", "malnutrition"),
        ("severe protein-calorie malnutrition", "malnutrition"),
        ("status asthmaticus", "asthma"),
        ("thyroid storm", "hyperthyroidism"),
        ("idiopathic intracranial hypertension", "idiopathic intracranial hypertension"),
        ("pseudotumor cerebri", "idiopathic intracranial hypertension"),
        ("C6 radiculopathy", "cervical radiculopathy or foraminal stenosis"),
        ("C5-6 radiculopathy", "cervical radiculopathy or foraminal stenosis"),
        ("thoracic radiculopathy", "thoracic radiculopathy"),
        ("postpartum preeclampsia", "postpartum state"),
        ("history of preeclampsia", "history of pregnancy complications"),
        ("preterm labor with preterm delivery", "postpartum state"),
        ("low back pain, no sciatica", "low back pain without sciatica"),
    ],
)
def test_a_known_term_is_recognized_not_flagged(checker: Checker, text: str, concept: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert (report.conditions[0].status, report.conditions[0].concept) == ("recognized", concept)
    assert report.findings == []


@pytest.mark.parametrize(
    "text",
    [
        "chronic low back pain with sciatica",
        "low back pain with bilateral sciatica",
        "chronic back pain with sciatica",
    ],
)
def test_back_pain_with_sciatica_is_sciatica_only(checker: Checker, text: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].concepts == ["sciatica or lumbosacral radiculopathy"]
    assert [f.id for f in report.findings] == ["condition/sciatica"]


def test_spasticity_with_its_cause_is_that_cause_only(checker: Checker) -> None:
    report = checker(conditions=[{"text": "spasticity due to multiple sclerosis"}])
    assert [f.id for f in report.findings] == ["condition/multiple_sclerosis"]
    # A cause that is not a contributor of its own leaves the spasticity flagged.
    report = checker(conditions=[{"text": "stroke with spasticity"}])
    assert [f.id for f in report.findings] == ["condition/spasticity"]


@pytest.mark.parametrize("text", ["preterm labor", "preeclampsia"])
def test_a_pregnancy_term_sets_the_pregnancy_limits(checker: Checker, text: str) -> None:
    """A current pregnancy: a TSH of 4.2 mIU/L is read against the pregnancy limit."""
    tsh = {"coding": [{"system": "http://loinc.org", "code": "3016-3"}], "value": 4.2}
    tsh["unit"] = "mIU/L"
    assert checker(labs=[tsh]).labs[0].status == "recognized"
    assert checker(conditions=[{"text": text}], labs=[tsh]).labs[0].status == "flagged"


@pytest.mark.parametrize(
    "text",
    [
        # Type not stated (type 4 is not a contributor), and also "road traffic accident".
        "RTA",
        "RTA 2015, whiplash",
        "renal tubular acidosis",
        # An obstetric history: a G/P count does not say whether she is pregnant now.
        "G1P0",
        "G2P2",
        # "Risk of" is not the condition.
        "at risk of refeeding syndrome",
    ],
)
def test_an_ambiguous_term_is_not_flagged(checker: Checker, text: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert report.conditions[0].status != "flagged"
    assert report.findings == []


def test_radiculopathy_without_its_level_asks_for_the_level(checker: Checker) -> None:
    """Left unrecognized (test_clinical_content): a cervical root is no leg problem. The
    "did you mean" names the levels the service knows."""
    read = checker(conditions=[{"text": "radiculopathy"}]).conditions[0]
    assert read.status == "unrecognized"
    assert set(read.suggestions) == {
        "sciatica or lumbosacral radiculopathy",
        "cervical radiculopathy or foraminal stenosis",
        "thoracic radiculopathy",
    }
