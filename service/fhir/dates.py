"""FHIR ``date`` / ``dateTime`` / ``instant`` values: parse, order, and compute ages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


def parse_instant(value: str | None) -> datetime | None:
    """A FHIR date, partial date or dateTime as an aware UTC datetime (``None`` if invalid).

    Partial dates (``2024``, ``2024-05``) and dates without a time take the first moment of
    the period, in UTC.
    """
    if not value:
        return None
    text = value.strip()
    match = _DATE.match(text)
    try:
        if match:
            return datetime(int(match["y"]), int(match["m"] or 1), int(match["d"] or 1), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(value: str | None) -> date | None:
    moment = parse_instant(value)
    return moment.date() if moment else None


def age_on(birth: date, today: date) -> int:
    """Completed years between ``birth`` and ``today``."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years
