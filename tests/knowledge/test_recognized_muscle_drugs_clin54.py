"""clin54 #2: succinylcholine, isotretinoin and clozapine are recognized, not flagged, and
say why (sourced in datasets/drugs/common.toml). None has cramps among its labeled
reactions: succinylcholine's muscle effects are those of one dose in anesthesia;
isotretinoin's are myalgia and CK rises (a raised CK sent is flagged on its own);
clozapine joins the neuroleptic malignant syndrome rules, which its reason names."""

from __future__ import annotations

import pytest

from tests.conftest import Checker
from tests.knowledge.rendered import result


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("succinylcholine 100 mg IV", ("single dose during anesthesia", "rhabdomyolysis")),
        ("Anectine", ("single dose during anesthesia",)),
        ("isotretinoin 40 mg daily", ("not cramps", "check CK")),
        ("Absorica 30 mg", ("not cramps",)),
        ("clozapine 100 mg twice daily", ("Neuroleptic malignant syndrome",)),
    ],
)
def test_recognized_with_a_reason(checker: Checker, text: str, words: tuple[str, ...]) -> None:
    report = checker(medications=[{"text": text}])
    status = report.medications[0]
    assert status.status == "recognized", status
    assert status.reason, status
    for word in words:
        assert word in status.reason, status.reason
    assert report.risk == "none"
    assert not report.findings


def test_a_raised_ck_on_isotretinoin_is_the_ck_finding_alone(checker: Checker) -> None:
    report = checker(
        medications=[{"text": "isotretinoin 40 mg daily"}],
        labs=[result("CK", 900, "U/L")],
    )
    assert report.medications[0].status == "recognized"
    assert [f.kind for f in report.findings] == ["lab"]
    assert report.risk == "low"
