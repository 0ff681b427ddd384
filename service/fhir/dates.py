"""FHIR ``date`` / ``dateTime`` / ``instant`` values: parse, order, and compute ages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


def parse_instant(value: str | None) -> datetime | None:
    """A FHIR date, partial date or dateTime as an aware UTC datetime (``None`` if invalid).

    Partial dates (``2024``, ``2024-05``) and dates without a time take the first moment of
    the period, in UTC.
    """
    written = _written(value)
    return written[0] if written else None


def _written(value: str | None) -> tuple[datetime, str] | None:
    """The first moment (UTC) a FHIR date or dateTime can mean, and its precision: ``y``,
    ``m``, ``d`` (a date), ``local`` (a time without a zone) or ``zoned``."""
    if not value:
        return None
    text = value.strip()
    match = _DATE.match(text)
    try:
        if match:
            first = datetime(
                int(match["y"]), int(match["m"] or 1), int(match["d"] or 1), tzinfo=UTC
            )
            return first, "d" if match["d"] else "m" if match["m"] else "y"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC), "local"
    return moment.astimezone(UTC), "zoned"


def parse_date(value: str | None) -> date | None:
    moment = parse_instant(value)
    return moment.date() if moment else None


def age_on(birth: date, today: date) -> int:
    """Completed years between ``birth`` and ``today``."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


# The latest local time on Earth is UTC-12:00: a date written without a time zone has
# ended everywhere only 12 hours after it ends in UTC.
_LATEST_OFFSET = timedelta(hours=12)
# Duration units (UCUM codes, as FHIR's Duration requires, and the words EHRs write),
# a month and a year at their longest so that a course is never ended early.
_DURATION_UNITS: dict[str, timedelta] = {
    "s": timedelta(seconds=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "wk": timedelta(weeks=1),
    "mo": timedelta(days=31),
    "a": timedelta(days=366),
}
_DURATION_WORDS = {
    "second": "s",
    "minute": "min",
    "hour": "h",
    "hr": "h",
    "day": "d",
    "week": "wk",
    "month": "mo",
    "year": "a",
    "yr": "a",
}


def latest_moment(value: str | None, *, through: bool) -> datetime | None:
    """The latest UTC moment a FHIR date or dateTime can mean (``None`` if invalid).

    ``through``: the value is an end, so a date or partial date lasts to the end of its
    day, month or year. A value without a time zone is read in the latest one."""
    written = _written(value)
    if written is None:
        return None
    first, precision = written
    if precision == "zoned":
        return first
    try:
        if through and precision == "d":
            first += timedelta(days=1)
        elif through and precision == "m":
            first = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        elif through and precision == "y":
            first = first.replace(year=first.year + 1)
        return first + _LATEST_OFFSET
    except (ValueError, OverflowError):
        return None


def duration(value: float | None, unit: str | None) -> timedelta | None:
    """A FHIR Duration (UCUM code, or a unit word such as "days") at its longest."""
    if value is None or unit is None or not 0 <= value <= 100_000:
        return None
    word = unit.strip().lower()
    code = word if word in _DURATION_UNITS else _DURATION_WORDS.get(word.removesuffix("s"))
    if code is None:
        return None
    return value * _DURATION_UNITS[code]


def has_passed(moment: datetime, today: date) -> bool:
    """Whether ``moment`` is over on ``today`` (a UTC date) whatever the time of day."""
    return moment <= datetime(today.year, today.month, today.day, tzinfo=UTC)
