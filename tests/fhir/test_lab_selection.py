"""Which result of a lab is used, through `POST /v1/check/fhir` (review56f): an ionized
and a total calcium decide together only when drawn within 3 days of each other (else the
older is left out, D1); at the same specimen time an amended or corrected result, then the
one issued later, replaces the original, whatever the Bundle order (D2); a decimal comma
in `valueString` is read as a decimal point when unambiguous, else refused with a reason
about the number (D8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import FhirSettings, Settings
from tests.fhir.builders import check, finding_ids, reasons

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
TODAY = datetime.now(UTC).date()
SUBJECT = {"reference": "Patient/p1"}
TOTAL, IONIZED, ALBUMIN, POTASSIUM, CK = "17861-6", "1994-3", "1751-7", "2823-3", "2157-6"
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-01-01"}

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def rest() -> Iterator[Client]:
    with TestClient(create_app(Settings(fhir=FhirSettings(lab_max_age_days=0)))) as client:
        yield client


def lab(
    rid: str, loinc: str, value: float | None, unit: str, days: int = 1, **fields: Any
) -> dict[str, Any]:
    """A final Observation drawn ``days`` ago, as a UCUM ``valueQuantity``."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": SUBJECT,
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "effectiveDateTime": (TODAY - timedelta(days=days)).isoformat(),
    }
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    return {**resource, **fields}


# D1: ionized and total calcium ------------------------------------------------------------


@pytest.mark.parametrize("older_by", [4, 41, 314])
def test_a_stale_ionized_calcium_does_not_hide_a_current_low_total_calcium(
    rest: Client, older_by: int
) -> None:
    report = check(
        rest,
        PATIENT,
        lab("ca", TOTAL, 6.4, "mg/dL", days=10),
        lab("ica", IONIZED, 1.22, "mmol/L", days=10 + older_by),
    )
    assert "lab/calcium/low" in finding_ids(report)
    assert report["labs"][0]["status"] == "flagged"
    assert reasons(report)["Observation/ica"].startswith(
        f"drawn {older_by} days before Observation/ca"
    )


def test_a_stale_low_ionized_calcium_beside_a_current_normal_total_is_not_flagged(
    rest: Client,
) -> None:
    """C04: a needless alert from an old ionized calcium; today's total and albumin are normal."""
    report = check(
        rest,
        PATIENT,
        lab("ca", TOTAL, 9.4, "mg/dL", days=10),
        lab("alb", ALBUMIN, 4.2, "g/dL", days=10),
        lab("ica", IONIZED, 0.95, "mmol/L", days=324),
    )
    assert report["risk"] == "none" and report["findings"] == []
    assert "Observation/ica" in reasons(report)
    assert [s["reference"] for s in report["sources"]["labs"]] == [
        "Observation/ca",
        "Observation/alb",
    ]


def test_a_recent_ionized_calcium_still_decides_over_an_old_total(rest: Client) -> None:
    """Near case, today's behaviour: the recent ionized calcium decides; the old total
    calcium, once read and outranked, is now listed in `ignored` with the reason."""
    report = check(
        rest,
        PATIENT,
        lab("ca", TOTAL, 9.4, "mg/dL", days=300),
        lab("ica", IONIZED, 0.95, "mmol/L", days=2),
    )
    assert "lab/calcium_ionized/low" in finding_ids(report)
    assert "lab/calcium/low" not in finding_ids(report)
    assert reasons(report)["Observation/ca"] == (
        "drawn 298 days before Observation/ica (1994-3 0.95 mmol/L), a result that decides"
        " in its place: the more recent is used"
    )


@pytest.mark.parametrize("apart", [0, 3])
def test_ionized_and_total_calcium_drawn_close_together_are_read_together(
    rest: Client, apart: int
) -> None:
    """Near case, today's behaviour: within 3 days (the albumin window) the ionized calcium
    decides, whichever is older; nothing is left out."""
    report = check(
        rest,
        PATIENT,
        lab("ca", TOTAL, 7.6, "mg/dL", days=1),
        lab("ica", IONIZED, 1.22, "mmol/L", days=1 + apart),
    )
    assert "lab/calcium/low" not in finding_ids(report)
    assert report["ignored"] == []
    assert {s["reference"] for s in report["sources"]["labs"]} == {
        "Observation/ca",
        "Observation/ica",
    }


def test_undated_results_of_the_two_are_read_together(rest: Client) -> None:
    calcium = lab("ca", TOTAL, 7.6, "mg/dL")
    del calcium["effectiveDateTime"]
    report = check(rest, PATIENT, calcium, lab("ica", IONIZED, 1.22, "mmol/L", days=200))
    assert "lab/calcium/low" not in finding_ids(report)
    assert report["ignored"] == []


# D2: a corrected or amended result at the same time ------------------------------------

AT = "2026-11-20T08:00:00Z"


def potassium(rid: str, value: float, status: str = "final", **fields: Any) -> dict[str, Any]:
    return lab(rid, POTASSIUM, value, "mmol/L", status=status, effectiveDateTime=AT, **fields)


@pytest.mark.parametrize("status", ["corrected", "amended"])
@pytest.mark.parametrize("corrected_first", [False, True])
def test_a_corrected_result_replaces_the_original_of_the_same_time(
    rest: Client, status: str, corrected_first: bool
) -> None:
    original = potassium("k1", 2.9, issued="2026-11-20T09:00:00Z")
    fixed = potassium("k2", 4.1, status, issued="2026-11-20T11:00:00Z")
    ordered = (fixed, original) if corrected_first else (original, fixed)
    report = check(rest, PATIENT, *ordered)
    assert report["risk"] == "none"
    assert [s["reference"] for s in report["sources"]["labs"]] == ["Observation/k2"]
    assert reasons(report) == {
        "Observation/k1": f"replaced by the {status} result Observation/k2 of the same time"
    }


def test_the_status_decides_before_issued(rest: Client) -> None:
    """A correction outranks the final result even when the final one says it was issued
    later (the status is what the lab states; issued is only a tie-break)."""
    report = check(
        rest,
        PATIENT,
        potassium("k2", 4.1, "corrected", issued="2026-11-20T09:00:00Z"),
        potassium("k1", 2.9, issued="2026-11-20T11:00:00Z"),
    )
    assert report["risk"] == "none"
    assert "Observation/k1" in reasons(report)


@pytest.mark.parametrize("later_first", [False, True])
def test_of_two_finals_of_the_same_time_the_later_issued_is_used(
    rest: Client, later_first: bool
) -> None:
    first = potassium("k1", 4.1, issued="2026-11-20T09:00:00Z")
    reissued = potassium("k2", 2.9, issued="2026-11-20T11:00:00Z")
    ordered = (reissued, first) if later_first else (first, reissued)
    report = check(rest, PATIENT, *ordered)
    assert "lab/potassium/low" in finding_ids(report)
    assert reasons(report) == {
        "Observation/k1": "replaced by Observation/k2, drawn at the same time and issued later"
    }


def test_two_finals_of_the_same_time_without_more_say_so(rest: Client) -> None:
    report = check(rest, PATIENT, potassium("k1", 4.1), potassium("k2", 2.9))
    assert reasons(report) == {
        "Observation/k2": "drawn at the same time as Observation/k1, which is used (neither is"
        " amended or corrected, nor issued later)"
    }


def test_a_more_recent_final_still_replaces_an_older_corrected_result(rest: Client) -> None:
    """Near case, today's behaviour: two results at different times, the more recent is
    used, whatever their status."""
    older = lab("k1", POTASSIUM, 4.1, "mmol/L", days=5, status="corrected")
    newer = lab("k2", POTASSIUM, 2.9, "mmol/L", days=1)
    for ordered in ((older, newer), (newer, older)):
        report = check(rest, PATIENT, *ordered)
        assert "lab/potassium/low" in finding_ids(report)
        assert reasons(report) == {
            "Observation/k1": "a more recent result is used (Observation/k2)"
        }


# D8: a decimal comma in valueString ------------------------------------------------------


def written(rid: str, loinc: str, text: str) -> dict[str, Any]:
    resource = lab(rid, loinc, None, "", days=1)
    resource["valueString"] = text
    return resource


@pytest.mark.parametrize(
    ("text", "shown"),
    [("3,0 mmol/L", "3.0 mmol/L"), ("2,85 mmol/L", "2.85 mmol/L"), ("3.0 mmol/L", "3.0 mmol/L")],
)
def test_a_decimal_comma_is_read_as_a_decimal_point(rest: Client, text: str, shown: str) -> None:
    report = check(rest, PATIENT, written("k", POTASSIUM, text))
    assert "lab/potassium/low" in finding_ids(report)
    assert report["sources"]["labs"][0]["display"] == f"2823-3 {shown}"
    assert report["ignored"] == []


def test_a_bound_with_a_decimal_comma_is_read_as_a_bound(rest: Client) -> None:
    report = check(rest, PATIENT, written("k", POTASSIUM, "<2,5 mmol/L"))
    assert "lab/potassium/low" in finding_ids(report)
    assert report["sources"]["labs"][0]["display"] == "2823-3 <2.5 mmol/L"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "1,200 U/L",
            "the number '1,200' may be a decimal comma or a thousands separator: not read",
        ),
        (
            "1,200,000 U/L",
            "the number '1,200,000' is written with separators this service does not read"
            " (a decimal comma is read only as one comma between digits)",
        ),
    ],
)
def test_an_ambiguous_comma_is_refused_with_a_reason_about_the_number(
    rest: Client, text: str, reason: str
) -> None:
    report = check(rest, PATIENT, written("ck", CK, text))
    assert report["labs"] == [] and report["findings"] == []
    assert reasons(report) == {"Observation/ck": reason}


@pytest.mark.parametrize("value", ["3,0", "3.0"])
def test_the_rest_path_takes_only_json_numbers(rest: Client, value: str) -> None:
    """The plain JSON path reads no text as a value ("3,0" or "3.0"): a 400 with a pointer,
    never a guess (docs/api.md)."""
    lab_item = {
        "coding": [{"system": "loinc", "code": POTASSIUM}],
        "value": value,
        "unit": "mmol/L",
    }
    response = rest.post("/v1/check", json={"labs": [lab_item]})
    assert response.status_code == 400
    assert "/labs/0/value" in response.text
