"""Date-times as agents send them and as the mock APIs store them.

Agents write times many ways; the APIs store one: UTC as ``YYYY-MM-DDTHH:MM:SSZ``, fixed width,
so stored times sort and compare as text. Parsing is strict and identical on every Python
version (a regular expression, not ``fromisoformat``, whose accepted forms grew in 3.11), zone
rules come from :mod:`zoneinfo` (with the ``tzdata`` package where the OS has none), and names
are spelled out rather than taken from ``strftime``, which follows the process locale.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from toolgym.core.errors import ToolError

__all__ = [
    "WEEKDAY_NAMES",
    "YEARS",
    "clock",
    "day_span",
    "format_utc",
    "local_iso",
    "parse_date",
    "parse_time",
    "parse_utc",
    "zone",
]

_UTC = timezone.utc
YEARS = (2000, 2100)  # times outside these years are rejected (and cannot overflow)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone(name: str, field: str = "time_zone") -> ZoneInfo:
    """The IANA zone ``name``, or a ToolError that suggests the closest real name."""
    key = name.strip()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    hint = _zone_hint(key)
    raise ToolError(
        "unknown_time_zone",
        f"Unknown time zone '{name}' in '{field}'. Use an IANA name such as "
        f"'America/New_York', 'Europe/Berlin' or 'UTC'.{hint}",
        details={"field": field},
    )


@functools.cache
def _zone_names() -> dict[str, str]:
    # Listing the zone database costs ~0.1 s, so only the error path ever pays for it.
    return {name.casefold(): name for name in sorted(available_timezones())}


def _zone_hint(key: str) -> str:
    names = _zone_names()
    found = names.get(key.casefold().replace(" ", "_"))
    if found is None:
        close = difflib.get_close_matches(key.casefold(), list(names), n=1)
        found = names[close[0]] if close else None
    return f" Did you mean '{found}'?" if found else ""


def parse_utc(text: str) -> datetime:
    """A stored UTC timestamp as an aware datetime."""
    return datetime.fromisoformat(text[:-1] + "+00:00")


def format_utc(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: fixed width, so stored times compare correctly as text."""
    u = moment.astimezone(_UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def local_iso(moment: datetime | str, tz: ZoneInfo) -> str:
    """Wall time in ``tz`` with its offset, e.g. ``2026-03-10T09:00:00-04:00``."""
    if isinstance(moment, str):
        moment = parse_utc(moment)
    return moment.astimezone(tz).isoformat()


def parse_time(value: str, time_zone: str | None, field: str) -> datetime:
    """An agent's date-time as an aware UTC datetime.

    A value with an offset (``Z``, ``+01:00``) is exact; a wall time without one is read in
    ``time_zone``. A wall time the zone skips (the hour clocks jump forward) is rejected; one it
    repeats (clocks going back) means its first occurrence.
    """
    tz = zone(time_zone) if time_zone is not None else None
    match = _DATETIME.match(value.strip())
    if match is None:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' must be an ISO-8601 date-time like '2026-03-10T14:30' (with an offset "
            f"such as 'Z' or '-05:00', or with 'time_zone' set), got '{value}'.",
            details={"field": field},
        )
    year, month, day, hour, minute, second, offset = match.groups()
    _check_year(int(year), field)
    try:
        wall = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError as exc:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' is not a real date-time: {exc}.",
            details={"field": field},
        ) from None
    if offset is not None:
        return wall.replace(tzinfo=_offset(offset, field)).astimezone(_UTC)
    if tz is None:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' ('{value}') has no UTC offset: add one (e.g. 'Z' or '-05:00') or give "
            "'time_zone' (an IANA name such as 'Europe/London').",
            details={"field": field},
        )
    local = wall.replace(tzinfo=tz)
    moment = local.astimezone(_UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        raise ToolError(
            "invalid_time",
            f"'{field}' {wall.isoformat(timespec='minutes')} does not exist in {tz.key}: clocks "
            "skip that hour for daylight saving time. Pick another time.",
            details={"field": field},
        )
    return moment


def _offset(text: str, field: str) -> timezone:
    if text in ("Z", "z"):
        return _UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' has an invalid UTC offset '{text}'.",
            details={"field": field},
        )
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _check_year(year: int, field: str) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' has year {year}; the calendar covers {YEARS[0]} to {YEARS[1]}.",
            details={"field": field},
        )


def parse_date(value: str, field: str) -> date:
    """A ``YYYY-MM-DD`` date from an agent."""
    match = _DATE.match(value.strip())
    try:
        if match is None:
            raise ValueError("expected YYYY-MM-DD")
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' must be a date like '2026-03-10', got '{value}'.",
            details={"field": field},
        ) from None
    _check_year(day.year, field)
    return day


def day_span(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` begins and ends in ``tz`` (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(0), tz).astimezone(_UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(_UTC)
    return start, end


def clock(text: str) -> time:
    """``HH:MM`` as a time of day."""
    hour, minute = text.split(":")
    return time(int(hour), int(minute))
