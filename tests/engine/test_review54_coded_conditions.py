"""Review 54 (D3, D4, D8): conditions coded without a display are read as their names are.

D3: SNOMED CT codes of core contributors (diabetes mellitus without complication,
hyponatremia, hypoparathyroidism, neuropathy due to diabetes); D4: recognized, not
contributors (restless legs, hypercalcemia, GERD, osteoarthritis, COPD, vitamin D
deficiency); a sweep of the contributors' common codes. Each SNOMED CT code is the SNOMED
International IPS Free Set's (111552007: the PEDSnet diabetes codeset), with the name the
table gives it. D8: ICD-10-CM M47.25-M47.28 (other spondylosis with radiculopathy,
thoracolumbar to sacral) and G54.4 (lumbosacral root disorders NEC) are lumbosacral
radiculopathy; M47.16 (spondylosis with myelopathy, lumbar) is not.
"""

from __future__ import annotations

import pytest

from service.engine import Report
from tests.conftest import Checker

SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def summary(report: Report) -> tuple[str, list[tuple[str, str]], list[object]]:
    """Risk, findings (id, severity), each condition's status and concept: what must not
    depend on whether a condition came as a code or as its name."""
    return (
        report.risk,
        sorted((f.id, f.severity) for f in report.findings),
        [(c.status, sorted(c.concepts or ())) for c in report.conditions],
    )


# code -> (conditions, the name the code table gives it)
SNOMED: dict[str, tuple[tuple[str, ...], str]] = {
    "89627008": (("hyponatremia",), "Hyponatremia"),
    "267447008": (("hyponatremia",), "Hypo-osmolality and or hyponatremia"),
    "36976004": (("hypoparathyroidism",), "Hypoparathyroidism"),
    "230572002": (("diabetes", "peripheral_neuropathy"), "Neuropathy due to diabetes mellitus"),
    "424736006": (("peripheral_neuropathy",), "Diabetic peripheral neuropathy"),
    "22722001": (("peripheral_neuropathy",), "Idiopathic peripheral neuropathy"),
    "95662005": (("peripheral_neuropathy",), "Sensory neuropathy"),
    "95663000": (("peripheral_neuropathy",), "Peripheral motor neuropathy"),
    "385006": (("peripheral_neuropathy",), "Secondary peripheral neuropathy"),
    "32914008": (("restless_legs_syndrome",), "Restless legs"),
    "66931009": (("hypercalcemia",), "Hypercalcemia"),
    "235595009": (("gerd",), "Gastroesophageal reflux disease"),
    "396275006": (("osteoarthritis",), "Osteoarthritis"),
    "13645005": (("copd",), "Chronic obstructive lung disease"),
    "34713006": (("vitamin_d_deficiency",), "Vitamin D deficiency"),
    "11530004": (("diabetes",), "Brittle diabetes mellitus"),
    "443694000": (("diabetes",), "Type II diabetes mellitus uncontrolled"),
    "444073006": (("diabetes",), "Type 1 diabetes mellitus uncontrolled"),
    "420868002": (("diabetes",), "Disorder due to type 1 diabetes mellitus"),
    "74627003": (("diabetes",), "Complication due to diabetes mellitus"),
    "190447002": (("diabetes",), "Steroid-induced diabetes"),
    "422088007": (("diabetes",), "Disorder of nervous system due to diabetes mellitus"),
    "421895002": (("diabetes",), "Peripheral vascular disorder due to diabetes mellitus"),
    "127014009": (("diabetes",), "Peripheral angiopathy due to diabetes mellitus"),
    "310387003": (
        ("diabetes",),
        "Intracapillary glomerulosclerosis of kidney due to diabetes mellitus",
    ),
    "420422005": (("diabetes",), "Diabetic ketoacidosis"),
    "420270002": (("diabetes",), "Ketoacidosis due to type 1 diabetes mellitus"),
    "237632004": (("diabetes",), "Hypoglycemic event due to diabetes"),
    "230577008": (("diabetes",), "Diabetic mononeuropathy"),
    "50620007": (
        ("autonomic_neuropathy", "diabetes"),
        "Autonomic neuropathy due to diabetes mellitus",
    ),
    "111566002": (("hypothyroidism",), "Acquired hypothyroidism"),
    "54823002": (("hypothyroidism",), "Subclinical hypothyroidism"),
    "82598004": (("hypothyroidism",), "Secondary hypothyroidism"),
    "88273006": (("hypothyroidism",), "Iatrogenic hypothyroidism"),
    "27059002": (("hypothyroidism",), "Postoperative hypothyroidism"),
    "237527007": (("hypothyroidism",), "Postablative hypothyroidism"),
    "190279008": (("hypothyroidism",), "Iodine hypothyroidism"),
    "234347009": (("anemia",), "Anemia of chronic disease"),
    "234348004": (("anemia",), "Anemia of renal disease"),
    "310647000": (("anemia",), "Anemia secondary to renal failure"),
    "49708008": (("anemia",), "Anemia of chronic renal failure"),
    "413532003": (("anemia",), "Anemia due to blood loss"),
    "413533008": (("anemia",), "Anemia due to chronic blood loss"),
    "83414005": (("anemia",), "Macrocytic anemia"),
    "234349007": (("anemia",), "Microcytic anemia"),
    "300980002": (("anemia",), "Normocytic anemia"),
    "44666001": (("anemia",), "Microcytic hypochromic anemia"),
    "191268006": (("anemia",), "Chronic anemia"),
    "428383000": (("anemia",), "Anemia due to medication"),
    "767657005": (("anemia",), "Anemia due to and following chemotherapy"),
    "306058006": (("anemia",), "Aplastic anemia"),
    "61261009": (("anemia",), "Hemolytic anemia"),
    "267513007": (("anemia",), "Deficiency anemias"),
    "27342004": (("anemia", "pregnancy"), "Anemia of pregnancy"),
    "266468003": (("cirrhosis",), "Cirrhosis - non-alcoholic"),
    "419728003": (("cirrhosis",), "Portal cirrhosis"),
    "428171009": (("peripheral_artery_disease",), "Peripheral vascular disease with rest pain"),
    "2415007": (("sciatica",), "Lumbosacral radiculopathy"),
    "128196005": (("sciatica",), "Lumbar radiculopathy"),
    "46578006": (("sciatica",), "Lumbosacral radiculitis"),
    "303081002": (("spinal_stenosis",), "Neurogenic claudication"),
    "816082000": (("dehydration",), "Hypovolemia"),
    "34842007": (("pregnancy",), "Antepartum hemorrhage"),
    "90325002": (("pregnancy", "vomiting"), "Vomiting of pregnancy"),
    "609496007": (("pregnancy",), "Complication occurring during pregnancy"),
    "191811004": (("alcohol_use_disorder",), "Continuous chronic alcoholism"),
    "191812006": (("alcohol_use_disorder",), "Episodic chronic alcoholism"),
    "284591009": (("alcohol_use_disorder",), "Persistent alcohol abuse"),
    "191882002": (("alcohol_use_disorder",), "Nondependent alcohol abuse, continuous"),
    "191883007": (("alcohol_use_disorder",), "Nondependent alcohol abuse, episodic"),
    "191480000": (("alcohol_use_disorder",), "Alcohol withdrawal syndrome"),
    "32798002": (("parkinsonism",), "Parkinsonism"),
    "111552007": (("diabetes",), "Diabetes mellitus without complication"),
}


@pytest.mark.parametrize(("code", "expected"), sorted(SNOMED.items()))
def test_snomed_code_alone_reads_as_its_name(
    checker: Checker, code: str, expected: tuple[tuple[str, ...], str]
) -> None:
    conditions, name = expected
    assert checker.kb.conditions_by_snomed[code] == conditions
    coded = checker(conditions=[{"coding": [{"system": SCT, "code": code}]}])
    named = checker(conditions=[{"text": name}])
    assert coded.conditions[0].status in ("flagged", "recognized")
    assert summary(coded) == summary(named)


@pytest.mark.parametrize(
    ("code", "condition"),
    [
        ("111552007", "diabetes"),
        ("89627008", "hyponatremia"),
        ("36976004", "hypoparathyroidism"),
        ("230572002", "diabetes"),
    ],
)
def test_d3_core_contributor_codes_are_flagged(checker: Checker, code: str, condition: str) -> None:
    report = checker(conditions=[{"coding": [{"system": SCT, "code": code}]}])
    assert report.conditions[0].status == "flagged"
    assert f"condition/{condition}" in {f.id for f in report.findings}


def test_d3_coded_hypoparathyroidism_joins_a_low_calcium(checker: Checker) -> None:
    report = checker(
        conditions=[{"coding": [{"system": SCT, "code": "36976004"}]}],
        labs=[{"text": "calcium", "value": 7.6, "unit": "mg/dL"}],
    )
    joined = {f.id: f.severity for f in report.findings if not f.absorbed_by}
    assert joined == {"combination/condition_with_low_calcium": "moderate"}


@pytest.mark.parametrize(
    "code", ["32914008", "66931009", "235595009", "396275006", "13645005", "34713006"]
)
def test_d4_non_contributor_codes_are_recognized_not_flagged(checker: Checker, code: str) -> None:
    report = checker(conditions=[{"coding": [{"system": SCT, "code": code}]}])
    assert report.conditions[0].status == "recognized"
    assert report.risk == "none"


@pytest.mark.parametrize("code", ["M47.25", "M47.26", "M47.27", "M47.28", "M4726", "G54.4"])
def test_d8_spondylosis_with_lumbosacral_radiculopathy_is_sciatica(
    checker: Checker, code: str
) -> None:
    report = checker(conditions=[{"coding": [{"system": ICD, "code": code}]}])
    assert report.conditions[0].status == "flagged"
    assert {f.id for f in report.findings} == {"condition/sciatica"}
    assert report.risk == "low"


@pytest.mark.parametrize("code", ["M47.16", "M47.22", "M47.12"])
def test_d8_myelopathy_and_cervical_radiculopathy_are_not_sciatica(
    checker: Checker, code: str
) -> None:
    report = checker(conditions=[{"coding": [{"system": ICD, "code": code}]}])
    assert "condition/sciatica" not in {f.id for f in report.findings}


@pytest.mark.parametrize(
    "text",
    [
        "Other spondylosis with radiculopathy, lumbar region",
        "lumbar spondylosis with radiculopathy",
        "Lumbosacral root disorders, not elsewhere classified",
    ],
)
def test_d8_the_titles_read_as_sciatica(checker: Checker, text: str) -> None:
    report = checker(conditions=[{"text": text}])
    assert {f.id for f in report.findings} == {"condition/sciatica"}
