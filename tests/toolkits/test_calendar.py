"""The calendar API: every tool's happy path and business rules, time zones across the 2026 US
daylight-saving change, and the seeded world generator."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from toolgym.core.errors import ToolError
from toolgym.toolkits.apis.calendar import (
    NOW,
    SIZES,
    Attendee,
    CalendarAPI,
    Event,
    Person,
    Room,
    build_calendar,
    calendar_database,
)

DOMAIN = "lumenlabs.example"


def _person(pid: str, name: str, team: str, office: str, tz: str, hours: str) -> Person:
    email = name.lower().replace(" ", ".") + "@" + DOMAIN
    start, end = hours.split("-")
    return Person(
        id=pid,
        name=name,
        email=email,
        team=team,
        office=office,
        time_zone=tz,
        work_start=start,
        work_end=end,
    )


def _event(
    eid: str,
    title: str,
    organizer: str,
    start: str,
    end: str,
    room: str | None,
    attendees: dict[str, str],
    status: str = "confirmed",
) -> Event:
    return Event(
        id=eid,
        title=title,
        organizer_id=organizer,
        start=start,
        end=end,
        room_id=room,
        attendees=tuple(Attendee(person_id=k, status=v) for k, v in sorted(attendees.items())),
        status=status,
    )


@pytest.fixture
def api() -> CalendarAPI:
    """A small hand-made calendar: four people in four zones, three rooms, five events."""
    db = calendar_database()
    people, rooms, events = (db.tables[t] for t in ("people", "rooms", "events"))
    for person in (
        ("U-1", "Ada Park", "Engineering", "New York", "America/New_York", "09:00-17:00"),
        ("U-2", "Ben Okafor", "Design", "London", "Europe/London", "09:00-17:00"),
        ("U-3", "Chitra Rao", "Engineering", "Remote", "Asia/Kolkata", "10:00-18:00"),
        ("U-4", "Dan Parker", "Sales", "San Francisco", "America/Los_Angeles", "08:00-16:00"),
    ):
        people.insert(_person(*person))
    rooms.insert(
        Room(
            id="RM-1",
            name="Hudson",
            building="New York",
            floor=2,
            capacity=4,
            equipment=("whiteboard",),
        )
    )
    rooms.insert(
        Room(
            id="RM-2",
            name="Liberty",
            building="New York",
            floor=5,
            capacity=10,
            equipment=("projector", "video_conference"),
        )
    )
    rooms.insert(
        Room(
            id="RM-3", name="Thames", building="London", floor=1, capacity=6, equipment=("display",)
        )
    )
    events.insert(
        _event(
            "EV-1",
            "Past sync",
            "U-1",
            "2026-03-02T15:00:00Z",
            "2026-03-02T16:00:00Z",
            "RM-1",
            {"U-2": "accepted"},
        )
    )
    events.insert(
        _event(
            "EV-2",
            "Roadmap review",
            "U-1",
            "2026-03-10T14:00:00Z",
            "2026-03-10T15:00:00Z",
            "RM-1",
            {"U-2": "accepted", "U-3": "pending"},
        )
    )
    events.insert(
        _event(
            "EV-3",
            "Cancelled chat",
            "U-1",
            "2026-03-10T16:00:00Z",
            "2026-03-10T16:30:00Z",
            None,
            {"U-2": "pending"},
            "cancelled",
        )
    )
    events.insert(
        _event(
            "EV-4",
            "Design crit",
            "U-2",
            "2026-03-09T15:00:00Z",
            "2026-03-09T16:00:00Z",
            "RM-3",
            {"U-1": "declined", "U-3": "accepted"},
        )
    )
    events.insert(
        _event(
            "EV-5",
            "Budget",
            "U-4",
            "2026-03-09T18:00:00Z",
            "2026-03-09T19:00:00Z",
            None,
            {"U-1": "pending"},
        )
    )
    db.commit()
    return CalendarAPI(db)


def run(api: CalendarAPI, tool: str, **arguments: Any) -> Any:
    """Call a tool the way the environment does: validation first, then the tool."""
    return {t.name: t for t in api.tools()}[tool](arguments)


def error(api: CalendarAPI, tool: str, **arguments: Any) -> ToolError:
    with pytest.raises(ToolError) as caught:
        run(api, tool, **arguments)
    return caught.value


# ------------------------------------------------------------------ toolset
def test_toolset_names_and_write_flags() -> None:
    specs = {s.name: s for s in CalendarAPI._specs}
    assert len(specs) >= 10
    writes = {name for name, s in specs.items() if s.mutates}
    assert writes == {
        "create_event",
        "update_event",
        "cancel_event",
        "invite_attendees",
        "respond_to_invitation",
    }


def test_tool_names_do_not_collide_with_retail() -> None:
    from toolgym.toolkits.apis.retail import RetailAPI

    calendar = {s.name for s in CalendarAPI._specs}
    assert not calendar & {s.name for s in RetailAPI._specs}


# ------------------------------------------------------------------ people
def test_find_person_by_email_partial_name_and_team(api: CalendarAPI) -> None:
    assert [p["person_id"] for p in run(api, "find_person", query="ada.park@" + DOMAIN)] == ["U-1"]
    assert [p["person_id"] for p in run(api, "find_person", query="  PARK ")] == ["U-1", "U-4"]
    team = run(api, "find_person", team="engineering")
    assert [p["name"] for p in team] == ["Ada Park", "Chitra Rao"]
    assert team[1]["time_zone"] == "Asia/Kolkata"
    assert run(api, "find_person", query="park", team="Sales")[0]["person_id"] == "U-4"
    assert run(api, "find_person", query="nobody") == []


def test_find_person_needs_a_query_or_a_known_team(api: CalendarAPI) -> None:
    err = error(api, "find_person")
    assert (err.code, err.details["field"]) == ("invalid_arguments", "query")
    err = error(api, "find_person", team="Astronauts")
    assert err.details["field"] == "team" and "Engineering" in err.message


def test_get_person_shows_working_hours_in_their_zone(api: CalendarAPI) -> None:
    chitra = run(api, "get_person", person_id="U-3")
    assert chitra["working_hours"] == {
        "start": "10:00",
        "end": "18:00",
        "days": "Monday-Friday",
        "time_zone": "Asia/Kolkata",
    }
    err = error(api, "get_person", person_id="U-99")
    assert err.code == "not_found" and "find_person" in err.message


# ------------------------------------------------------------------ events
def test_list_events_in_the_persons_zone_with_their_response(api: CalendarAPI) -> None:
    listed = run(
        api, "list_events", person_id="U-1", start_date="2026-03-09", end_date="2026-03-10"
    )
    assert listed["time_zone"] == "America/New_York"
    assert [(e["event_id"], e["your_response"]) for e in listed["events"]] == [
        ("EV-4", "declined"),
        ("EV-5", "pending"),
        ("EV-2", "organizer"),
    ]
    crit = listed["events"][0]
    # 15:00 UTC on Monday 9 March is 11:00 in New York: daylight saving time began on the 8th.
    assert crit["local_start"] == "2026-03-09T11:00:00-04:00"
    assert crit["room"] == "Thames" and crit["organizer_id"] == "U-2"


def test_list_events_hides_cancelled_unless_asked(api: CalendarAPI) -> None:
    plain = run(api, "list_events", person_id="U-2", start_date="2026-03-10")
    assert [e["event_id"] for e in plain["events"]] == ["EV-2"]
    full = run(api, "list_events", person_id="U-2", start_date="2026-03-10", include_cancelled=True)
    assert [(e["event_id"], e["status"]) for e in full["events"]] == [
        ("EV-2", "confirmed"),
        ("EV-3", "cancelled"),
    ]


def test_list_events_reads_days_in_the_requested_zone(api: CalendarAPI) -> None:
    # 18:00 UTC on 9 March is already 10 March in Tokyo.
    tokyo = run(
        api, "list_events", person_id="U-1", start_date="2026-03-10", time_zone="Asia/Tokyo"
    )
    assert [e["event_id"] for e in tokyo["events"]] == ["EV-4", "EV-5", "EV-2"]
    assert tokyo["events"][1]["local_start"] == "2026-03-10T03:00:00+09:00"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"start_date": "2026-03-10", "end_date": "2026-03-09"}, "end_date"),
        ({"start_date": "2026-03-01", "end_date": "2026-04-15"}, "end_date"),
        ({"start_date": "10/03/2026"}, "start_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "1999-12-31"}, "start_date"),
        ({"start_date": "2026-03-10", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_list_events_rejects_bad_ranges(
    api: CalendarAPI, arguments: dict[str, Any], field: str
) -> None:
    err = error(api, "list_events", person_id="U-1", **arguments)
    assert err.details["field"] == field


def test_get_event_details_attendees_and_room(api: CalendarAPI) -> None:
    event = run(api, "get_event", event_id="EV-2", time_zone="Europe/London")
    assert event["organizer"]["name"] == "Ada Park"
    assert event["room"]["capacity"] == 4
    assert [(a["person_id"], a["status"]) for a in event["attendees"]] == [
        ("U-2", "accepted"),
        ("U-3", "pending"),
    ]
    assert event["local_start"] == "2026-03-10T14:00:00+00:00"
    assert "local_start" not in run(api, "get_event", event_id="EV-2")
    assert error(api, "get_event", event_id="EV-404").code == "not_found"


# ------------------------------------------------------------------ free slots
def _starts(result: dict[str, Any]) -> list[str]:
    return [slot["start"] for slot in result["slots"]]


def test_free_slots_follow_each_persons_zone_across_the_dst_change(api: CalendarAPI) -> None:
    # Friday 6 March, New York on EST (UTC-5): 9-17 there is 14:00-22:00 UTC; London's 9-17 is
    # 09:00-17:00 UTC, so one-hour meetings can start from 14:00 to 16:00 UTC.
    friday = run(
        api, "find_free_slots", person_ids=["U-1", "U-2"], date="2026-03-06", duration_minutes=60
    )
    assert friday["time_zone"] == "America/New_York"
    hours = ("14:00", "14:30", "15:00", "15:30", "16:00")
    assert _starts(friday) == [f"2026-03-06T{t}:00Z" for t in hours]
    assert friday["slots"][0]["local_start"] == "2026-03-06T09:00:00-05:00"
    # Monday 9 March, New York on EDT (UTC-4): the overlap starts an hour earlier. Ben's own
    # "Design crit" (15:00-16:00) blocks him; Ada declined it, and her 18:00 meeting is later.
    monday = run(
        api, "find_free_slots", person_ids=["U-1", "U-2"], date="2026-03-09", duration_minutes=60
    )
    hours = ("13:00", "13:30", "14:00", "16:00")
    assert _starts(monday) == [f"2026-03-09T{t}:00Z" for t in hours]
    assert monday["slots"][0]["local_start"] == "2026-03-09T09:00:00-04:00"


def test_free_slots_skip_the_past_weekends_and_non_overlapping_zones(api: CalendarAPI) -> None:
    today = run(api, "find_free_slots", person_ids=["U-2"], date="2026-03-04", duration_minutes=30)
    assert _starts(today)[0] == NOW  # 09:00 London has passed; the first slot is now, 13:00 UTC
    weekend = run(
        api, "find_free_slots", person_ids=["U-1"], date="2026-03-07", duration_minutes=30
    )
    assert weekend["slots"] == []
    apart = run(
        api, "find_free_slots", person_ids=["U-3", "U-4"], date="2026-03-10", duration_minutes=30
    )
    assert apart["slots"] == []


def test_free_slots_of_a_half_hour_zone(api: CalendarAPI) -> None:
    # Kolkata is UTC+5:30: 10:00-18:00 there is 04:30-12:30 UTC.
    slots = run(api, "find_free_slots", person_ids=["U-3"], date="2026-03-11", duration_minutes=480)
    assert [(s["start"], s["local_start"]) for s in slots["slots"]] == [
        ("2026-03-11T04:30:00Z", "2026-03-11T10:00:00+05:30")
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"person_ids": [], "date": "2026-03-10", "duration_minutes": 30}, "person_ids"),
        ({"person_ids": ["U-1"], "date": "2026-03-10", "duration_minutes": 0}, "duration_minutes"),
        (
            {"person_ids": ["U-1"], "date": "2026-03-10", "duration_minutes": "long"},
            "duration_minutes",
        ),
        ({"person_ids": ["U-1"], "date": "tomorrow", "duration_minutes": 30}, "date"),
        (
            {"person_ids": ["U-1", "U-77"], "date": "2026-03-10", "duration_minutes": 30},
            "person_ids",
        ),
    ],
)
def test_free_slots_validation_names_the_field(
    api: CalendarAPI, arguments: dict[str, Any], field: str
) -> None:
    err = error(api, "find_free_slots", **arguments)
    assert field in err.message
    assert field in err.details.get("fields", [err.details.get("field")])


# ------------------------------------------------------------------ rooms
def test_list_rooms_filters_and_sorts_smallest_first(api: CalendarAPI) -> None:
    assert [r["name"] for r in run(api, "list_rooms")] == ["Hudson", "Thames", "Liberty"]
    assert [r["room_id"] for r in run(api, "list_rooms", building="new york", min_capacity=5)] == [
        "RM-2"
    ]
    assert [r["room_id"] for r in run(api, "list_rooms", equipment=["display"])] == ["RM-3"]
    busy = run(
        api,
        "list_rooms",
        building="New York",
        available_start="2026-03-10T10:30",
        available_end="2026-03-10T11:00",
        time_zone="America/New_York",
    )
    assert [r["room_id"] for r in busy] == ["RM-2"]  # Hudson holds "Roadmap review" then


def test_list_rooms_rejects_bad_filters(api: CalendarAPI) -> None:
    err = error(api, "list_rooms", equipment=["hologram"])
    assert err.code == "invalid_arguments" and err.details["fields"] == ["equipment.0"]
    assert error(api, "list_rooms", building="Paris").details["field"] == "building"
    err = error(api, "list_rooms", available_start="2026-03-10T10:00Z")
    assert err.details["field"] == "available_end"
    err = error(
        api, "list_rooms", available_start="2026-03-10T10:00Z", available_end="2026-03-10T09:00Z"
    )
    assert err.code == "invalid_time"


def test_check_room_availability_lists_overlapping_bookings(api: CalendarAPI) -> None:
    taken = run(
        api,
        "check_room_availability",
        room_id="RM-1",
        start="2026-03-10T14:30Z",
        end="2026-03-10T15:30Z",
    )
    assert taken["available"] is False
    assert taken["busy"] == [{"start": "2026-03-10T14:00:00Z", "end": "2026-03-10T15:00:00Z"}]
    free = run(
        api,
        "check_room_availability",
        room_id="RM-1",
        start="2026-03-10T15:00Z",
        end="2026-03-10T16:00Z",
    )
    assert free["available"] is True and free["busy"] == []
    assert (
        error(
            api,
            "check_room_availability",
            room_id="RM-9",
            start="2026-03-10T15:00Z",
            end="2026-03-10T16:00Z",
        ).code
        == "not_found"
    )


# ------------------------------------------------------------------ time zones
def test_convert_time_across_the_dst_boundary(api: CalendarAPI) -> None:
    before = run(api, "convert_time", time="2026-03-08T06:59:00Z", to_time_zone="America/New_York")
    after = run(api, "convert_time", time="2026-03-08T07:00:00Z", to_time_zone="America/New_York")
    assert before["local"] == "2026-03-08T01:59:00-05:00"
    assert after["local"] == "2026-03-08T03:00:00-04:00"
    assert after["weekday"] == "Sunday"
    berlin = run(
        api,
        "convert_time",
        time="2026-03-09T09:00",
        time_zone="America/New_York",
        to_time_zone="Europe/Berlin",
    )
    assert (berlin["utc"], berlin["local"]) == ("2026-03-09T13:00:00Z", "2026-03-09T14:00:00+01:00")


def test_a_skipped_wall_time_is_rejected(api: CalendarAPI) -> None:
    err = error(
        api,
        "convert_time",
        time="2026-03-08T02:30",
        time_zone="America/New_York",
        to_time_zone="UTC",
    )
    assert err.code == "invalid_time" and "daylight saving" in err.message


def test_unknown_time_zone_suggests_the_real_name(api: CalendarAPI) -> None:
    err = error(api, "convert_time", time="2026-03-10T09:00Z", to_time_zone="america/new_york")
    assert err.code == "unknown_time_zone"
    assert err.details["field"] == "to_time_zone"
    assert "Did you mean 'America/New_York'?" in err.message
    for bad in ("", "../../etc/passwd", "/etc/localtime", "EST+5"):
        assert (
            error(
                api, "convert_time", time="2026-03-10T09:00", time_zone=bad, to_time_zone="UTC"
            ).code
            == "unknown_time_zone"
        )


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("2026-03-10T09:00", "no UTC offset"),
        ("next tuesday", "ISO-8601"),
        ("2026-03-10", "ISO-8601"),
        ("2026-13-10T09:00Z", "not a real date-time"),
        ("2026-03-10T09:00+25:00", "invalid UTC offset"),
        ("9999-12-31T23:00-05:00", "covers 2000 to 2100"),
    ],
)
def test_bad_times_name_the_field(api: CalendarAPI, time: str, message: str) -> None:
    err = error(api, "convert_time", time=time, to_time_zone="UTC")
    assert err.code == "invalid_arguments" and err.details["field"] == "time"
    assert message in err.message


# ------------------------------------------------------------------ create
def test_create_event_in_a_named_zone(api: CalendarAPI) -> None:
    created = run(
        api,
        "create_event",
        organizer_id="U-1",
        title="  Launch   plan ",
        start="2026-03-11T10:00",
        end="2026-03-11T11:00",
        time_zone="America/New_York",
        attendee_ids=["U-3", "U-2", "U-3", "U-1"],
        room_id="RM-1",
    )
    assert created["event_id"] == "EV-10001"
    stored = api.events["EV-10001"]
    assert stored.title == "Launch plan"
    assert (stored.start, stored.end) == ("2026-03-11T14:00:00Z", "2026-03-11T15:00:00Z")
    # Duplicates and the organizer are dropped; attendees are kept in id order, all pending.
    assert [(a.person_id, a.status) for a in stored.attendees] == [
        ("U-2", "pending"),
        ("U-3", "pending"),
    ]
    assert created["local_start"] == "2026-03-11T10:00:00-04:00"
    assert created["room"]["name"] == "Hudson"


def test_a_failed_create_does_not_use_up_an_id(api: CalendarAPI) -> None:
    error(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T09:00Z",
    )
    created = run(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
    )
    assert created["event_id"] == "EV-10001"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"start": "2026-03-11T10:00Z", "end": "2026-03-11T09:00Z"}, "invalid_time"),
        ({"start": "2026-03-11T10:00Z", "end": "2026-03-11T10:00Z"}, "invalid_time"),
        ({"start": "2026-03-11T10:00Z", "end": "2026-03-12T11:00Z"}, "invalid_time"),
        ({"start": "2026-03-03T10:00Z", "end": "2026-03-03T11:00Z"}, "in_the_past"),
        ({"start": "2026-03-04T12:30Z", "end": "2026-03-04T13:30Z"}, "in_the_past"),
        (
            {"start": "2026-03-10T14:30Z", "end": "2026-03-10T15:30Z", "room_id": "RM-1"},
            "room_conflict",
        ),
        (
            {"start": "2026-03-11T10:00Z", "end": "2026-03-11T11:00Z", "attendee_ids": ["U-8"]},
            "not_found",
        ),
        (
            {"start": "2026-03-11T10:00Z", "end": "2026-03-11T11:00Z", "room_id": "RM-404"},
            "not_found",
        ),
        ({"start": "2026-03-11T10:00", "end": "2026-03-11T11:00"}, "invalid_arguments"),
        (
            {"start": "2026-03-11T10:00", "end": "2026-03-11T11:00", "time_zone": "Moon/Base"},
            "unknown_time_zone",
        ),
        (
            {"start": "2026-03-11T10:00Z", "end": "2026-03-11T11:00Z", "title": "   "},
            "invalid_arguments",
        ),
    ],
)
def test_create_event_rules(api: CalendarAPI, arguments: dict[str, Any], code: str) -> None:
    arguments = {"organizer_id": "U-1", "title": "Sync", **arguments}
    mark = api.db.mark()
    assert error(api, "create_event", **arguments).code == code
    assert api.db.changes_since(mark) == []


def test_create_event_room_capacity(api: CalendarAPI) -> None:
    arguments = {
        "organizer_id": "U-1",
        "title": "Big",
        "start": "2026-03-11T10:00Z",
        "end": "2026-03-11T11:00Z",
        "attendee_ids": ["U-2", "U-3", "U-4"],
    }
    # Hudson holds 4: the organizer and three invitees fit, even if one is listed twice.
    doubled = {**arguments, "attendee_ids": ["U-2", "U-3", "U-4", "U-2"]}
    assert run(api, "create_event", **doubled, room_id="RM-1")["room"]["room_id"] == "RM-1"
    small = Room(id="RM-4", name="Booth", building="London", floor=1, capacity=2, equipment=())
    api.rooms.insert(small)
    err = error(api, "create_event", **arguments, room_id="RM-4")
    assert err.code == "capacity_exceeded"
    assert (err.details["capacity"], err.details["invited"]) == (2, 4)


def test_create_event_validation_errors_name_the_field(api: CalendarAPI) -> None:
    err = error(
        api, "create_event", organizer_id="U-1", start="2026-03-11T10:00Z", end="2026-03-11T11:00Z"
    )
    assert err.code == "invalid_arguments" and "'title' is required" in err.message
    err = error(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
        attendee_ids="U-2",
    )
    assert err.details["fields"] == ["attendee_ids"]
    err = error(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
        colour="blue",
    )
    assert "'colour' is not a parameter" in err.message
    err = error(
        api,
        "create_event",
        organizer_id="U-9",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
    )
    assert (err.code, err.details["field"]) == ("not_found", "organizer_id")


# ------------------------------------------------------------------ update
def test_update_event_moves_keeps_length_and_resets_responses(api: CalendarAPI) -> None:
    moved = run(
        api,
        "update_event",
        event_id="EV-2",
        requester_id="U-1",
        start="2026-03-12T09:30",
        time_zone="America/New_York",
    )
    event = api.events["EV-2"]
    assert (event.start, event.end) == ("2026-03-12T13:30:00Z", "2026-03-12T14:30:00Z")
    assert {a.status for a in event.attendees} == {"pending"}
    assert moved["local_start"] == "2026-03-12T09:30:00-04:00"
    assert event.room_id == "RM-1"


def test_update_event_title_or_room_only_keeps_responses(api: CalendarAPI) -> None:
    run(
        api, "update_event", event_id="EV-2", requester_id="U-1", title="Roadmap v2", room_id="RM-2"
    )
    event = api.events["EV-2"]
    assert (event.title, event.room_id) == ("Roadmap v2", "RM-2")
    assert [a.status for a in event.attendees] == ["accepted", "pending"]


def test_update_event_may_overlap_its_own_old_slot(api: CalendarAPI) -> None:
    run(api, "update_event", event_id="EV-2", requester_id="U-1", start="2026-03-10T14:30Z")
    assert api.events["EV-2"].end == "2026-03-10T15:30:00Z"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"event_id": "EV-2", "requester_id": "U-2", "title": "Mine now"}, "forbidden"),
        ({"event_id": "EV-1", "requester_id": "U-1", "title": "Renamed"}, "in_the_past"),
        ({"event_id": "EV-3", "requester_id": "U-1", "title": "Back"}, "invalid_state"),
        ({"event_id": "EV-2", "requester_id": "U-1"}, "invalid_arguments"),
        (
            {"event_id": "EV-2", "requester_id": "U-1", "start": "2026-03-03T10:00Z"},
            "in_the_past",
        ),
        (
            {"event_id": "EV-2", "requester_id": "U-1", "end": "2026-03-10T13:00Z"},
            "invalid_time",
        ),
        (
            {
                "event_id": "EV-4",
                "requester_id": "U-2",
                "room_id": "RM-1",
                "start": "2026-03-10T14:00Z",
            },
            "room_conflict",
        ),
        ({"event_id": "EV-9", "requester_id": "U-1", "title": "x"}, "not_found"),
        ({"event_id": "EV-2", "requester_id": "U-9", "title": "x"}, "not_found"),
    ],
)
def test_update_event_rules(api: CalendarAPI, arguments: dict[str, Any], code: str) -> None:
    mark = api.db.mark()
    err = error(api, "update_event", **arguments)
    assert err.code == code, err.message
    assert api.db.changes_since(mark) == []


def test_only_the_organizer_may_change_an_event(api: CalendarAPI) -> None:
    err = error(api, "update_event", event_id="EV-2", requester_id="U-2", title="Mine now")
    assert "Only the organizer (Ada Park, U-1)" in err.message


def test_update_event_into_a_smaller_room(api: CalendarAPI) -> None:
    api.rooms.insert(
        Room(id="RM-4", name="Booth", building="New York", floor=1, capacity=2, equipment=())
    )
    err = error(api, "update_event", event_id="EV-2", requester_id="U-1", room_id="RM-4")
    assert err.code == "capacity_exceeded"


# ------------------------------------------------------------------ cancel
def test_cancel_event_frees_the_room(api: CalendarAPI) -> None:
    assert run(api, "cancel_event", event_id="EV-2", requester_id="U-1")["status"] == "cancelled"
    assert api.events["EV-2"].status == "cancelled"
    free = run(
        api,
        "check_room_availability",
        room_id="RM-1",
        start="2026-03-10T14:00Z",
        end="2026-03-10T15:00Z",
    )
    assert free["available"] is True
    assert error(api, "cancel_event", event_id="EV-2", requester_id="U-1").code == "invalid_state"


@pytest.mark.parametrize(
    ("event_id", "requester", "code"),
    [("EV-2", "U-3", "forbidden"), ("EV-1", "U-1", "in_the_past"), ("EV-7", "U-1", "not_found")],
)
def test_cancel_event_rules(api: CalendarAPI, event_id: str, requester: str, code: str) -> None:
    assert error(api, "cancel_event", event_id=event_id, requester_id=requester).code == code


# ------------------------------------------------------------------ invitations
def test_invite_attendees_adds_pending_people_in_id_order(api: CalendarAPI) -> None:
    done = run(api, "invite_attendees", event_id="EV-4", requester_id="U-2", person_ids=["U-4"])
    assert done == {"event_id": "EV-4", "invited": ["U-4"], "attendees": 3}
    assert [(a.person_id, a.status) for a in api.events["EV-4"].attendees] == [
        ("U-1", "declined"),
        ("U-3", "accepted"),
        ("U-4", "pending"),
    ]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"event_id": "EV-2", "requester_id": "U-1", "person_ids": ["U-2"]}, "already_invited"),
        ({"event_id": "EV-2", "requester_id": "U-1", "person_ids": ["U-1"]}, "already_invited"),
        ({"event_id": "EV-2", "requester_id": "U-2", "person_ids": ["U-4"]}, "forbidden"),
        ({"event_id": "EV-1", "requester_id": "U-1", "person_ids": ["U-4"]}, "in_the_past"),
        ({"event_id": "EV-3", "requester_id": "U-1", "person_ids": ["U-4"]}, "invalid_state"),
        ({"event_id": "EV-2", "requester_id": "U-1", "person_ids": ["U-8"]}, "not_found"),
        ({"event_id": "EV-2", "requester_id": "U-1", "person_ids": []}, "invalid_arguments"),
    ],
)
def test_invite_attendees_rules(api: CalendarAPI, arguments: dict[str, Any], code: str) -> None:
    assert error(api, "invite_attendees", **arguments).code == code


def test_invite_attendees_respects_room_capacity(api: CalendarAPI) -> None:
    # Hudson holds 4: Ada, Ben and Chitra are invited, so one more fits and two do not.
    eve = _person("U-5", "Eve Stone", "Sales", "New York", "America/New_York", "09:00-17:00")
    api.people.insert(eve)
    err = error(
        api, "invite_attendees", event_id="EV-2", requester_id="U-1", person_ids=["U-4", "U-5"]
    )
    assert err.code == "capacity_exceeded"
    run(api, "invite_attendees", event_id="EV-2", requester_id="U-1", person_ids=["U-4"])
    assert len(api.events["EV-2"].attendees) == 3


def test_respond_to_invitation(api: CalendarAPI) -> None:
    done = run(api, "respond_to_invitation", event_id="EV-2", person_id="U-3", response="accepted")
    assert done["response"] == "accepted"
    assert [a.status for a in api.events["EV-2"].attendees] == ["accepted", "accepted"]
    run(api, "respond_to_invitation", event_id="EV-4", person_id="U-1", response="accepted")
    assert api.events["EV-4"].attendees[0].status == "accepted"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"event_id": "EV-2", "person_id": "U-4", "response": "accepted"}, "not_invited"),
        ({"event_id": "EV-2", "person_id": "U-1", "response": "accepted"}, "not_invited"),
        ({"event_id": "EV-1", "person_id": "U-2", "response": "declined"}, "in_the_past"),
        ({"event_id": "EV-3", "person_id": "U-2", "response": "declined"}, "invalid_state"),
        ({"event_id": "EV-2", "person_id": "U-3", "response": "maybe"}, "invalid_arguments"),
    ],
)
def test_respond_to_invitation_rules(
    api: CalendarAPI, arguments: dict[str, Any], code: str
) -> None:
    err = error(api, "respond_to_invitation", **arguments)
    assert err.code == code
    if code == "invalid_arguments":
        assert err.details["fields"] == ["response"]


# ------------------------------------------------------------------ journal
def test_writes_roll_back_exactly(api: CalendarAPI) -> None:
    before = _dump(api)
    mark = api.snapshot()
    run(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
    )
    run(api, "update_event", event_id="EV-2", requester_id="U-1", start="2026-03-12T10:00Z")
    run(api, "cancel_event", event_id="EV-4", requester_id="U-2")
    assert {key for _, key, _, _ in api.changes_since(mark)} == {"EV-10001", "EV-2", "EV-4"}
    api.restore(mark)
    assert _dump(api) == before
    again = run(
        api,
        "create_event",
        organizer_id="U-1",
        title="x",
        start="2026-03-11T10:00Z",
        end="2026-03-11T11:00Z",
    )
    assert again["event_id"] == "EV-10001"


# ------------------------------------------------------------------ world
def _dump(api: CalendarAPI) -> str:
    tables = {name: [r.model_dump() for r in t.values()] for name, t in api.db.tables.items()}
    return json.dumps({"tables": tables, "counters": api.db.counters}, sort_keys=True)


def test_build_calendar_sizes_and_invariants() -> None:
    for size, (people, per_building) in SIZES.items():
        api = build_calendar(3, size)
        assert len(api.people) == people and len(api.rooms) == 4 * per_building
        assert len({p.email for p in api.people.values()}) == people
        assert len({p.name for p in api.people.values()}) == people
        confirmed = [e for e in api.events.values() if e.status == "confirmed"]
        for e in confirmed:
            assert e.start < e.end and e.organizer_id not in {a.person_id for a in e.attendees}
            assert [a.person_id for a in e.attendees] == sorted({a.person_id for a in e.attendees})
            if e.room_id:
                assert 1 + len(e.attendees) <= api.rooms[e.room_id].capacity
                assert api.room_bookings(e.room_id, e.start, e.end, skip=e.id) == []
            organizing = [
                o
                for o in api.overlapping(e.start, e.end, skip=e.id)
                if o.organizer_id == e.organizer_id
            ]
            assert organizing == []
        assert any(e.start < NOW for e in confirmed) and any(e.start > NOW for e in confirmed)


def test_build_calendar_rejects_unknown_sizes() -> None:
    with pytest.raises(ValueError, match="size must be one of"):
        build_calendar(0, "huge")


def test_build_calendar_is_deterministic_in_process() -> None:
    assert _dump(build_calendar(11)) == _dump(build_calendar(11))
    assert _dump(build_calendar(11)) != _dump(build_calendar(12))


def test_build_calendar_is_deterministic_across_processes() -> None:
    script = (
        "import hashlib, json; from toolgym.toolkits.apis.calendar import build_calendar; "
        "api = build_calendar(5); "
        "tables = {n: [r.model_dump() for r in t.values()] for n, t in api.db.tables.items()}; "
        "print(hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    api = build_calendar(5)
    tables = {n: [r.model_dump() for r in t.values()] for n, t in api.db.tables.items()}
    digests.add(hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest())
    assert len(digests) == 1
