"""UTC in the database, the configured zone at the edges.

Every datetime inside Loa is timezone-aware UTC. Naive datetimes are refused at the database
boundary, because a naive value is ambiguous: nobody can tell later which zone it was meant in.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
VI_DATETIME = "%d/%m/%Y %H:%M"  # a time inside a Vietnamese sentence: 25/12/2026 08:30
INPUT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


# The instants a person may plan for: the one range the CLI, the API, the pages and the importer
# accept (from EARLIEST, up to but not including LATEST). Readers never rely on it: a value an
# older version stored (9999-12-31) must still show.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class NaiveDatetimeError(ValueError):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as {DEFAULT_ZONE})"
        ) from error


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise NaiveDatetimeError(f"datetime {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def in_range(value: datetime) -> bool:
    """Whether `value` (aware) lies in [EARLIEST, LATEST); False when UTC cannot even hold it."""
    try:
        return EARLIEST <= as_utc(value) < LATEST
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
        return False


def parse_local(text: str, tz: tzinfo) -> datetime:
    """Parse a wall-clock time typed by a person in zone `tz` (or an ISO time with an offset)."""
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in INPUT_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - zone attached below
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"cannot read time {text!r}; write it as YYYY-MM-DD HH:MM")
    try:
        if parsed.tzinfo is None:
            parsed = _attach_zone(parsed, tz)
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{text!r} is outside the times Loa can hold"
            f" (from {EARLIEST.year} to {LATEST.year - 1})"
        ) from None


def _attach_zone(naive: datetime, tz: tzinfo) -> datetime:
    """Attach `tz`, refusing wall-clock times that do not exist (spring-forward gaps)."""
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz} (the clocks skip it); pick another time"
        )
    return aware


def to_local(value: datetime, tz: tzinfo) -> datetime:
    """`value` in zone `tz`; in UTC where `tz` would leave the calendar (a stored 9999-12-31
    23:59 UTC is in year 10000 at +07:00), so an extreme stored value still shows."""
    utc = as_utc(value)
    try:
        return utc.astimezone(tz)
    except OverflowError:
        return utc


def format_local(value: datetime | None, tz: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    local = to_local(value, tz)
    # strftime writes year 1 as "1": the year goes in by hand, always four digits
    return local.strftime(fmt.replace("%Y", f"{local.year:04d}"))


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    PostgreSQL stores `timestamptz`. SQLite has no time zones: values are stored as naive UTC in
    one fixed text format (so they sort and compare correctly) and come back as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        utc_value = as_utc(value)
        return utc_value.replace(tzinfo=None) if dialect.name == "sqlite" else utc_value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"the database returned {type(value).__name__}, not a datetime")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
