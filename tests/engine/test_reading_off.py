""" "Off" after a drug's name: "HCTZ off since last year" and "HCTZ 25 mg (off)" are not
taken; "off label", a hold that ended ("off for 2 days for procedure, resumed") and the
forward "off" of the next drug ("furosemide 40 mg daily, off spironolactone") read as
before."""

from __future__ import annotations

import pytest

from tests.conftest import Checker


@pytest.mark.parametrize(
    "text", ["HCTZ off since last year", "HCTZ 25 mg (off)", "been off lasix since May"]
)
def test_off_after_the_name_is_not_taken(checker: Checker, text: str) -> None:
    status = checker.med(text).medications[0]
    assert status.status == "recognized"
    assert status.reason == "stated as stopped or not taken"


@pytest.mark.parametrize(
    "text",
    [
        "furosemide 40 mg off label use",
        "furosemide 40 mg daily - off for 2 days for procedure, resumed",
        "HCTZ 25 mg daily",
    ],
)
def test_off_that_is_no_stop_keeps_the_drug_current(checker: Checker, text: str) -> None:
    assert checker.med(text).medications[0].status == "flagged"


def test_the_forward_off_of_the_next_drug_still_stops_that_drug(checker: Checker) -> None:
    status = checker.med("furosemide 40 mg daily, off spironolactone").medications[0]
    assert status.concept == "furosemide"
    assert status.reason == "spironolactone: stated as stopped or not taken"
