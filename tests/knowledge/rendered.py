"""Helpers shared by the knowledge content tests: what a report shows, and lab items."""

from __future__ import annotations

from service.engine.models import Report

LOINC = "http://loinc.org"


def combinations(report: Report) -> list[str]:
    """Every combination finding's id, absorbed or not, in report order."""
    return [f.id for f in report.findings if f.kind == "combination"]


def shown_combinations(report: Report) -> list[str]:
    """The combination findings a clinician sees (not absorbed by another), sorted."""
    return sorted(f.id for f in report.findings if f.kind == "combination" and not f.absorbed_by)


def sodium(value: float) -> dict[str, object]:
    """A serum sodium result in mmol/L (LOINC 2951-2)."""
    return {"coding": [{"system": LOINC, "code": "2951-2"}], "value": value, "unit": "mmol/L"}


def result(text: str, value: float, unit: str) -> dict[str, object]:
    """A lab result named by its text ("CK", "potassium")."""
    return {"text": text, "value": value, "unit": unit}
