"""Date-times as agents send them: offsets, named zones, daylight-saving gaps and folds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from toolgym.core.errors import ToolError
from toolgym.toolkits.apis.datetimes import (
    day_span,
    format_utc,
    local_iso,
    parse_date,
    parse_time,
    parse_utc,
    zone,
)


@pytest.mark.parametrize(
    ("text", "time_zone", "utc"),
    [
        ("2026-03-06T09:00", "America/New_York", "2026-03-06T14:00:00Z"),  # EST, UTC-5
        ("2026-03-09T09:00", "America/New_York", "2026-03-09T13:00:00Z"),  # EDT, UTC-4
        ("2026-03-08T01:59", "America/New_York", "2026-03-08T06:59:00Z"),  # just before the gap
        ("2026-03-08T03:00", "America/New_York", "2026-03-08T07:00:00Z"),  # just after it
        ("2026-03-09T09:00", "Europe/London", "2026-03-09T09:00:00Z"),  # UK changes on 29 March
        ("2026-03-30T09:00", "Europe/London", "2026-03-30T08:00:00Z"),
        ("2026-11-01T01:30", "America/New_York", "2026-11-01T05:30:00Z"),  # repeated: the first
        ("2026-03-10T09:00+05:30", None, "2026-03-10T03:30:00Z"),
        ("2026-03-10 09:00 -0800", None, "2026-03-10T17:00:00Z"),
        ("2026-03-10T09:00:00z", None, "2026-03-10T09:00:00Z"),
        ("2026-03-10T09:00:00Z", "Asia/Tokyo", "2026-03-10T09:00:00Z"),  # an offset wins
    ],
)
def test_parse_time_with_offsets_and_named_zones(
    text: str, time_zone: str | None, utc: str
) -> None:
    assert format_utc(parse_time(text, time_zone, "start")) == utc


def test_a_skipped_wall_time_does_not_exist() -> None:
    with pytest.raises(ToolError) as caught:
        parse_time("2026-03-08T02:30", "America/New_York", "start")
    assert caught.value.code == "invalid_time"
    assert caught.value.details == {"field": "start"}


def test_utc_text_is_fixed_width_and_round_trips() -> None:
    moment = datetime(2026, 3, 9, 9, 5, 7, tzinfo=ZoneInfo("America/New_York"))
    text = format_utc(moment)
    assert text == "2026-03-09T13:05:07Z"
    assert parse_utc(text) == moment
    assert format_utc(datetime(2000, 1, 2, tzinfo=timezone.utc)) == "2000-01-02T00:00:00Z"
    assert local_iso(text, ZoneInfo("Asia/Kolkata")) == "2026-03-09T18:35:07+05:30"


def test_dst_days_are_23_and_25_hours_long() -> None:
    new_york = ZoneInfo("America/New_York")
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 3, 9), 24)):
        start, end = day_span(day, new_york)
        assert (end - start).total_seconds() == hours * 3600


def test_parse_date() -> None:
    assert parse_date(" 2026-03-10 ", "date") == date(2026, 3, 10)
    for bad in ("2026-3-10", "10.03.2026", "2026-02-29", "2101-01-01"):
        with pytest.raises(ToolError) as caught:
            parse_date(bad, "start_date")
        assert caught.value.details == {"field": "start_date"}


def test_zone_names_are_exact_iana_keys_with_a_hint() -> None:
    assert zone(" Europe/Berlin ").key == "Europe/Berlin"
    with pytest.raises(ToolError) as caught:
        zone("Europe/Berln", "to_time_zone")
    assert caught.value.code == "unknown_time_zone"
    assert caught.value.details == {"field": "to_time_zone"}
    assert "Did you mean 'Europe/Berlin'?" in caught.value.message
