"""A company calendar's API: people in several time zones, meeting rooms, and events with
invitations, with the scheduling rules a real calendar service enforces.

Every instant is stored in UTC text (see :mod:`~toolgym.toolkits.apis.datetimes`). Agents may
send times with an offset (``2026-03-10T09:00-04:00``, ``...Z``) or as wall times in a named
IANA zone (``time_zone="America/New_York"``), and daylight-saving changes (US clocks go forward
on 2026-03-08, inside the simulated weeks) are handled as a real service handles them. The
clock is fixed at :data:`NOW`: nothing reads the wall clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Database, Record
from toolgym.core.tool import WorldEvent, tool
from toolgym.toolkits.apis.base import ApiToolkit, not_found
from toolgym.toolkits.apis.datetimes import (
    WEEKDAY_NAMES,
    clock,
    day_span,
    format_utc,
    local_iso,
    parse_date,
    parse_time,
    parse_utc,
    zone,
)

__all__ = [
    "BUILDINGS",
    "FIRST_DAY",
    "LAST_DAY",
    "NOW",
    "TODAY",
    "Attendee",
    "CalendarAPI",
    "Event",
    "Person",
    "Room",
    "build_calendar",
    "calendar_database",
    "weekdays",
]

TODAY = "2026-03-04"
NOW = "2026-03-04T13:00:00Z"
FIRST_DAY = "2026-03-02"
LAST_DAY = "2026-03-20"
DOMAIN = "lumenlabs.example"

Equipment = Literal["projector", "video_conference", "whiteboard", "display", "phone"]
Response = Literal["accepted", "declined"]
AttendeeStatus = Literal["accepted", "declined", "pending"]
EventStatus = Literal["confirmed", "cancelled"]

# Office (room building) -> the zone its people work in.
BUILDINGS: dict[str, str] = {
    "New York": "America/New_York",
    "San Francisco": "America/Los_Angeles",
    "London": "Europe/London",
    "Berlin": "Europe/Berlin",
}
REMOTE_ZONES = ("America/Chicago", "America/Denver", "America/Sao_Paulo", "Asia/Kolkata")
TEAMS = ("Engineering", "Design", "Product", "Sales", "Marketing", "Finance", "Support", "People")


class Person(Record):
    id: str
    name: str
    email: str
    team: str
    office: str
    time_zone: str
    work_start: str
    work_end: str


class Room(Record):
    id: str
    name: str
    building: str
    floor: int
    capacity: int
    equipment: tuple[Equipment, ...]


class Attendee(Record):
    person_id: str
    status: AttendeeStatus


class Event(Record):
    id: str
    title: str
    organizer_id: str
    start: str
    end: str
    room_id: str | None
    attendees: tuple[Attendee, ...]
    status: EventStatus = "confirmed"


MAX_EVENT = timedelta(hours=24)
FIRST_EVENT = 10001


PersonId = Annotated[str, Field(description="Person id, e.g. 'U-1004' (from find_person).")]
RequesterId = Annotated[
    str,
    Field(description="Person id of the user on whose behalf you act; must be the organizer."),
]
EventId = Annotated[str, Field(description="Event id, e.g. 'EV-10042'.")]
_EVENT_ID = re.compile(r"EV-\d{5}")
RoomId = Annotated[str, Field(description="Room id, e.g. 'RM-201' (from list_rooms).")]
TimeZoneName = Annotated[
    str | None,
    Field(description="IANA time zone, e.g. 'America/New_York', for wall times without offset."),
]
DisplayZone = Annotated[
    str | None,
    Field(description="IANA time zone to also show times in (as local_start/local_end)."),
]
Start = Annotated[
    str, Field(description="Start, ISO-8601: '2026-03-10T14:00-04:00', '...Z', or a wall time.")
]
End = Annotated[str, Field(description="End, ISO-8601, same forms as 'start'.")]
Title = Annotated[str, Field(description="Event title, exactly as it should appear.", min_length=1)]


class CalendarAPI(ApiToolkit):
    """The calendar service. Tools read and write ``self.db``; times go out in UTC and local."""

    name = "calendar"

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.people = db.tables["people"]
        self.rooms = db.tables["rooms"]
        self.events = db.tables["events"]

    # --------------------------------------------------------------- helpers
    def _person(self, person_id: str, field: str = "person_id") -> Person:
        found = self.people.get(person_id.strip())
        if found is None:
            raise ToolError(
                "not_found",
                f"No person with id '{person_id}' (in '{field}'). Use find_person to look "
                "people up.",
                details={"resource": "person", "field": field},
            )
        return found

    def _room(self, room_id: str) -> Room:
        found = self.rooms.get(room_id.strip())
        if found is None:
            raise not_found("room", room_id, "Use list_rooms to see room ids.")
        return found

    def _event(self, event_id: str) -> Event:
        found = self.events.get(event_id.strip())
        if found is None:
            raise not_found("event", event_id, "Use list_events to find event ids.")
        return found

    def overlapping(self, start: str, end: str, skip: str = "") -> list[Event]:
        """Confirmed events (other than ``skip``) that overlap [start, end), UTC text."""
        return [
            e
            for e in self.events.values()
            if e.start < end and e.end > start and e.status == "confirmed" and e.id != skip
        ]

    def room_bookings(self, room_id: str, start: str, end: str, skip: str = "") -> list[Event]:
        """The confirmed events that hold ``room_id`` during [start, end)."""
        return [e for e in self.overlapping(start, end, skip) if e.room_id == room_id]

    def _check_room(self, room: Room, start: str, end: str, people: int, skip: str = "") -> None:
        """Raise unless ``room`` holds ``people`` (everyone invited, organizer included) and is
        free in [start, end)."""
        if people > room.capacity:
            raise ToolError(
                "capacity_exceeded",
                f"Room {room.name} ({room.id}) holds {room.capacity} people but {people} are "
                "invited (the organizer included). Choose a larger room with "
                "list_rooms(min_capacity=...).",
                details={"capacity": room.capacity, "invited": people},
            )
        clashes = self.room_bookings(room.id, start, end, skip)
        if clashes:
            taken = ", ".join(f"{e.start} to {e.end}" for e in clashes)
            raise ToolError(
                "room_conflict",
                f"Room {room.name} ({room.id}) is already booked {taken}. Pick another time "
                "or room (check_room_availability, list_rooms with available_start/end).",
                details={"room_id": room.id},
            )

    @staticmethod
    def _check_times(start: datetime, end: datetime) -> None:
        if end <= start:
            raise ToolError(
                "invalid_time",
                f"The end ({format_utc(end)}) must be after the start ({format_utc(start)}).",
                details={"field": "end"},
            )
        if end - start > MAX_EVENT:
            raise ToolError(
                "invalid_time",
                "Events can last at most 24 hours.",
                details={"field": "end"},
            )
        if format_utc(start) < NOW:
            raise ToolError(
                "in_the_past",
                f"The start {format_utc(start)} is in the past; it is now {NOW}.",
                details={"field": "start"},
            )

    def _changeable(self, event: Event, requester_id: str, action: str) -> None:
        """Raise unless ``requester_id`` organizes ``event`` and it is upcoming and confirmed."""
        requester = self._person(requester_id, "requester_id")
        if event.organizer_id != requester.id:
            organizer = self.people[event.organizer_id]
            raise ToolError(
                "forbidden",
                f"Only the organizer ({organizer.name}, {organizer.id}) can {action} event "
                f"{event.id}; {requester.name} is not its organizer.",
            )
        if event.status == "cancelled":
            raise ToolError("invalid_state", f"Event {event.id} is cancelled.")
        if event.start < NOW:
            raise ToolError(
                "in_the_past",
                f"Event {event.id} started at {event.start}; it is now {NOW}, so it can no "
                "longer be changed.",
            )

    def world_events(self, rng: np.random.Generator, seen: str) -> list[WorldEvent]:
        """For meetings named in ``seen``: the organizer moves it an hour or a day later, or
        an invitee declines it (colleagues use the calendar while the agent works)."""
        events: list[WorldEvent] = []
        for eid in sorted(set(_EVENT_ID.findall(seen))):
            event = self.events.get(eid)
            if event is None or event.status != "confirmed":
                continue
            organizer = self.people[event.organizer_id].name
            shift = timedelta(hours=1) if rng.random() < 0.5 else timedelta(days=1)
            start = parse_utc(event.start) + shift
            end = parse_utc(event.end) + shift
            moved = partial(self.events.update, eid, start=format_utc(start), end=format_utc(end))
            when = start.strftime("%Y-%m-%d %H:%M UTC")
            events.append(
                WorldEvent(eid, f"{organizer} moved '{event.title}' ({eid}) to {when}.", moved)
            )
            going = [a for a in event.attendees if a.status != "declined"]
            if going:
                who = going[int(rng.integers(len(going)))]
                attendees = tuple(
                    Attendee(person_id=a.person_id, status="declined")
                    if a.person_id == who.person_id
                    else a
                    for a in event.attendees
                )
                declined = partial(self.events.update, eid, attendees=attendees)
                name = self.people[who.person_id].name
                notice = f"{name} declined '{event.title}' ({eid})."
                events.append(WorldEvent(eid, notice, declined))
        return events

    def _person_brief(self, person: Person) -> dict[str, Any]:
        return {
            "person_id": person.id,
            "name": person.name,
            "email": person.email,
            "team": person.team,
            "office": person.office,
            "time_zone": person.time_zone,
        }

    @staticmethod
    def _room_brief(room: Room) -> dict[str, Any]:
        return {
            "room_id": room.id,
            "name": room.name,
            "building": room.building,
            "floor": room.floor,
            "capacity": room.capacity,
            "equipment": list(room.equipment),
        }

    def _times(self, start: str, end: str, tz: ZoneInfo | None) -> dict[str, str]:
        out = {"start": start, "end": end}
        if tz is not None:
            out["local_start"] = local_iso(start, tz)
            out["local_end"] = local_iso(end, tz)
        return out

    def _event_detail(self, event: Event, tz: ZoneInfo | None) -> dict[str, Any]:
        organizer = self.people[event.organizer_id]
        room = self.rooms[event.room_id] if event.room_id else None
        out: dict[str, Any] = {"event_id": event.id, "title": event.title, "status": event.status}
        out.update(self._times(event.start, event.end, tz))
        if tz is not None:
            out["time_zone"] = tz.key
        out["organizer"] = {
            "person_id": organizer.id,
            "name": organizer.name,
            "email": organizer.email,
        }
        out["room"] = self._room_brief(room) if room else None
        out["attendees"] = [
            {
                "person_id": a.person_id,
                "name": self.people[a.person_id].name,
                "email": self.people[a.person_id].email,
                "status": a.status,
            }
            for a in event.attendees
        ]
        return out

    def _invitees(self, ids: list[str], field: str) -> list[Person]:
        return [self._person(pid, field) for pid in dict.fromkeys(p.strip() for p in ids)]

    # ----------------------------------------------------------------- reads
    @tool
    def find_person(
        self,
        query: Annotated[
            str | None, Field(description="Part of a name or email address, any case.")
        ] = None,
        team: Annotated[str | None, Field(description="Only people of this team.")] = None,
    ) -> list[dict[str, Any]]:
        """Find colleagues by name or email (partial, any case) and/or by team; shows each one's
        id, office and time zone."""
        if not (query and query.strip()) and not (team and team.strip()):
            raise ToolError(
                "invalid_arguments",
                "Give 'query' (part of a name or email), 'team', or both.",
                details={"field": "query"},
            )
        if team and team.strip().casefold() not in {t.casefold() for t in TEAMS}:
            raise ToolError(
                "invalid_arguments",
                f"Unknown team '{team}'; teams are: {', '.join(TEAMS)}.",
                details={"field": "team"},
            )
        words = " ".join((query or "").split()).casefold()
        wanted_team = (team or "").strip().casefold()
        return [
            self._person_brief(p)
            for p in self.people.values()
            if (not wanted_team or p.team.casefold() == wanted_team)
            and (not words or words in p.name.casefold() or words in p.email)
        ]

    @tool
    def get_person(self, person_id: PersonId) -> dict[str, Any]:
        """Get a person's profile: contact, team, office, time zone and working hours."""
        person = self._person(person_id)
        out = self._person_brief(person)
        out["working_hours"] = {
            "start": person.work_start,
            "end": person.work_end,
            "days": "Monday-Friday",
            "time_zone": person.time_zone,
        }
        return out

    @tool
    def list_events(
        self,
        person_id: PersonId,
        start_date: Annotated[str, Field(description="First day, 'YYYY-MM-DD'.")],
        end_date: Annotated[
            str | None, Field(description="Last day, inclusive (default: start_date).")
        ] = None,
        time_zone: Annotated[
            str | None,
            Field(
                description="IANA zone the days are read in and times shown in "
                "(default: the person's own)."
            ),
        ] = None,
        include_cancelled: Annotated[
            bool, Field(description="Also list cancelled events.")
        ] = False,
    ) -> dict[str, Any]:
        """List the events a person organizes or is invited to over a range of days."""
        person = self._person(person_id)
        tz = zone(time_zone if time_zone is not None else person.time_zone)
        first = parse_date(start_date, "start_date")
        last = parse_date(end_date, "end_date") if end_date is not None else first
        if last < first:
            raise ToolError(
                "invalid_arguments",
                f"'end_date' ({last}) is before 'start_date' ({first}).",
                details={"field": "end_date"},
            )
        if (last - first).days > 31:
            raise ToolError(
                "invalid_arguments",
                "List at most 32 days at a time.",
                details={"field": "end_date"},
            )
        since = format_utc(day_span(first, tz)[0])
        until = format_utc(day_span(last, tz)[1])
        found = []
        for e in self.events.values():
            if e.start >= until or e.end <= since:
                continue
            if e.status == "cancelled" and not include_cancelled:
                continue
            if e.organizer_id == person.id:
                response = "organizer"
            else:
                mine = [a.status for a in e.attendees if a.person_id == person.id]
                if not mine:
                    continue
                response = mine[0]
            found.append((e, response))
        found.sort(key=lambda pair: (pair[0].start, pair[0].id))
        events = []
        for e, response in found:
            item: dict[str, Any] = {"event_id": e.id, "title": e.title}
            item.update(self._times(e.start, e.end, tz))
            item["organizer"] = self.people[e.organizer_id].name
            item["organizer_id"] = e.organizer_id
            item["room"] = self.rooms[e.room_id].name if e.room_id else None
            item["attendees"] = [
                {
                    "person_id": a.person_id,
                    "name": self.people[a.person_id].name,
                    "status": a.status,
                }
                for a in e.attendees
            ]
            item["your_response"] = response
            if include_cancelled:
                item["status"] = e.status
            events.append(item)
        return {"person_id": person.id, "time_zone": tz.key, "events": events}

    @tool
    def get_event(self, event_id: EventId, time_zone: DisplayZone = None) -> dict[str, Any]:
        """Get an event's details: times, organizer, room, attendees and their responses."""
        event = self._event(event_id)
        return self._event_detail(event, zone(time_zone) if time_zone is not None else None)

    @tool
    def find_free_slots(
        self,
        person_ids: Annotated[
            list[str],
            Field(description="Everyone who must attend.", min_length=1, max_length=10),
        ],
        date: Annotated[str, Field(description="The day to search, 'YYYY-MM-DD'.")],
        duration_minutes: Annotated[
            int, Field(description="Meeting length in minutes.", ge=5, le=480)
        ],
        time_zone: Annotated[
            str | None,
            Field(
                description="IANA zone the date is read in and slots shown in "
                "(default: the first person's)."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Start times (on the hour and half hour) when everyone is within their own working
        hours, Monday to Friday in their own time zone, and free; earliest first."""
        people = self._invitees(person_ids, "person_ids")
        tz = zone(time_zone if time_zone is not None else people[0].time_zone)
        day = parse_date(date, "date")
        span_start, span_end = day_span(day, tz)
        length = timedelta(minutes=duration_minutes)
        windows = [self._working(p, span_start, span_end) for p in people]
        since, until = format_utc(span_start), format_utc(span_end)
        ids = {p.id for p in people}
        busy = [
            (parse_utc(e.start), parse_utc(e.end))
            for e in self.overlapping(since, until)
            if _takes_part(e, ids)
        ]
        moment = max(span_start, parse_utc(NOW))
        step = timedelta(minutes=30)
        if moment.minute % 30 or moment.second:
            moment = moment.replace(minute=moment.minute // 30 * 30, second=0) + step
        slots = []
        while moment + length <= span_end:
            finish = moment + length
            inside = all(any(ws <= moment and finish <= we for ws, we in w) for w in windows)
            if inside and not any(s < finish and e > moment for s, e in busy):
                slots.append(self._times(format_utc(moment), format_utc(finish), tz))
            moment += step
        return {
            "date": day.isoformat(),
            "time_zone": tz.key,
            "duration_minutes": duration_minutes,
            "slots": slots,
        }

    @staticmethod
    def _working(person: Person, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """``person``'s working hours (aware datetimes) that fall within [start, end)."""
        tz = ZoneInfo(person.time_zone)
        first = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        out = []
        day = first
        while day <= last:
            if day.weekday() < 5:
                ws = datetime.combine(day, clock(person.work_start), tz)
                we = datetime.combine(day, clock(person.work_end), tz)
                ws, we = max(ws, start), min(we, end)
                if ws < we:
                    out.append((ws, we))
            day += timedelta(days=1)
        return out

    @tool
    def list_rooms(
        self,
        building: Annotated[
            str | None,
            Field(description="Only rooms in this office: " + ", ".join(BUILDINGS) + "."),
        ] = None,
        min_capacity: Annotated[
            int | None,
            Field(
                description="Only rooms for at least this many people (organizer included).", ge=1
            ),
        ] = None,
        equipment: Annotated[
            list[Equipment] | None, Field(description="Only rooms that have all of these.")
        ] = None,
        available_start: Annotated[
            str | None, Field(description="With available_end: only rooms free for that time.")
        ] = None,
        available_end: Annotated[
            str | None, Field(description="End of the time the room must be free.")
        ] = None,
        time_zone: TimeZoneName = None,
    ) -> list[dict[str, Any]]:
        """List meeting rooms, smallest first, optionally only those free for a given time."""
        if building is not None and building.strip().casefold() not in {
            b.casefold() for b in BUILDINGS
        }:
            raise ToolError(
                "invalid_arguments",
                f"Unknown building '{building}'; buildings are: {', '.join(BUILDINGS)}.",
                details={"field": "building"},
            )
        if (available_start is None) != (available_end is None):
            missing = "available_end" if available_end is None else "available_start"
            raise ToolError(
                "invalid_arguments",
                "Give both 'available_start' and 'available_end', or neither.",
                details={"field": missing},
            )
        booked: set[str | None] = set()
        if available_start is not None and available_end is not None:
            start = parse_time(available_start, time_zone, "available_start")
            end = parse_time(available_end, time_zone, "available_end")
            if end <= start:
                raise ToolError(
                    "invalid_time",
                    "'available_end' must be after 'available_start'.",
                    details={"field": "available_end"},
                )
            booked = {e.room_id for e in self.overlapping(format_utc(start), format_utc(end))}
        wanted = set(equipment or ())
        rooms = [
            r
            for r in self.rooms.values()
            if (building is None or r.building.casefold() == building.strip().casefold())
            and (min_capacity is None or r.capacity >= min_capacity)
            and wanted <= set(r.equipment)
            and r.id not in booked
        ]
        rooms.sort(key=lambda r: (r.capacity, r.name))
        return [self._room_brief(r) for r in rooms]

    @tool
    def check_room_availability(
        self, room_id: RoomId, start: Start, end: End, time_zone: TimeZoneName = None
    ) -> dict[str, Any]:
        """Whether a room is free for a time, and its bookings that overlap it."""
        room = self._room(room_id)
        begin = parse_time(start, time_zone, "start")
        finish = parse_time(end, time_zone, "end")
        if finish <= begin:
            raise ToolError(
                "invalid_time", "'end' must be after 'start'.", details={"field": "end"}
            )
        clashes = self.room_bookings(room.id, format_utc(begin), format_utc(finish))
        return {
            "room_id": room.id,
            "name": room.name,
            "available": not clashes,
            "busy": [{"start": e.start, "end": e.end} for e in clashes],
        }

    @tool(name="convert_time")
    def convert_time_(
        self,
        time: Annotated[str, Field(description="A date-time, ISO-8601 (offset, Z, or wall time).")],
        to_time_zone: Annotated[str, Field(description="IANA zone to express it in.")],
        time_zone: TimeZoneName = None,
    ) -> dict[str, str]:
        """Express a date-time in another time zone (daylight saving time included)."""
        moment = parse_time(time, time_zone, "time")
        tz = zone(to_time_zone, "to_time_zone")
        local = moment.astimezone(tz)
        return {
            "utc": format_utc(moment),
            "local": local.isoformat(),
            "time_zone": tz.key,
            "weekday": WEEKDAY_NAMES[local.weekday()],
        }

    # ---------------------------------------------------------------- writes
    @tool(mutates=True)
    def create_event(
        self,
        organizer_id: Annotated[
            str, Field(description="Person id of the organizer (the user you act for).")
        ],
        title: Title,
        start: Start,
        end: End,
        attendee_ids: Annotated[
            list[str],
            Field(description="Person ids to invite (not the organizer).", max_length=50),
        ] = [],  # noqa: B006 - pydantic copies defaults
        room_id: Annotated[str | None, Field(description="Room to book, if any.")] = None,
        time_zone: TimeZoneName = None,
    ) -> dict[str, Any]:
        """Create an event; invitees start as 'pending'. A room must be free and hold everyone
        invited, the organizer included."""
        organizer = self._person(organizer_id, "organizer_id")
        name = " ".join(title.split())
        if not name:
            raise ToolError("invalid_arguments", "'title' is empty.", details={"field": "title"})
        begin = parse_time(start, time_zone, "start")
        finish = parse_time(end, time_zone, "end")
        self._check_times(begin, finish)
        invitees = [p for p in self._invitees(attendee_ids, "attendee_ids") if p.id != organizer.id]
        a, b = format_utc(begin), format_utc(finish)
        room = self._room(room_id) if room_id is not None else None
        if room is not None:
            self._check_room(room, a, b, 1 + len(invitees))
        event = Event(
            id=f"EV-{self.db.next_id('event', FIRST_EVENT)}",
            title=name,
            organizer_id=organizer.id,
            start=a,
            end=b,
            room_id=room.id if room is not None else None,
            attendees=tuple(
                Attendee(person_id=p.id, status="pending") for p in sorted(invitees, key=_by_id)
            ),
        )
        self.events.insert(event)
        return self._event_detail(event, zone(organizer.time_zone))

    @tool(mutates=True)
    def update_event(
        self,
        event_id: EventId,
        requester_id: RequesterId,
        title: Annotated[str | None, Field(description="New title.")] = None,
        start: Annotated[
            str | None,
            Field(description="New start, ISO-8601; without 'end' the length is kept."),
        ] = None,
        end: Annotated[str | None, Field(description="New end, ISO-8601.")] = None,
        room_id: Annotated[str | None, Field(description="Room to move the event to.")] = None,
        time_zone: TimeZoneName = None,
    ) -> dict[str, Any]:
        """Change an event's title, time or room (organizer only). A new time resets every
        attendee's response to 'pending'."""
        event = self._event(event_id)
        if title is None and start is None and end is None and room_id is None:
            raise ToolError(
                "invalid_arguments",
                "Nothing to change: give 'title', 'start', 'end' or 'room_id'.",
                details={"field": "title"},
            )
        self._changeable(event, requester_id, "change")
        changes: dict[str, Any] = {}
        if title is not None:
            name = " ".join(title.split())
            if not name:
                raise ToolError(
                    "invalid_arguments", "'title' is empty.", details={"field": "title"}
                )
            changes["title"] = name
        old_start, old_end = parse_utc(event.start), parse_utc(event.end)
        begin = parse_time(start, time_zone, "start") if start is not None else old_start
        if end is not None:
            finish = parse_time(end, time_zone, "end")
        else:
            finish = begin + (old_end - old_start)
        attendees = event.attendees
        if (begin, finish) != (old_start, old_end):
            self._check_times(begin, finish)
            changes["start"], changes["end"] = format_utc(begin), format_utc(finish)
            attendees = tuple(a.model_copy(update={"status": "pending"}) for a in attendees)
            changes["attendees"] = attendees
        room = self._room(room_id) if room_id is not None else None
        if room is None and event.room_id and "start" in changes:
            room = self.rooms[event.room_id]
        if room is not None:
            self._check_room(
                room,
                changes.get("start", event.start),
                changes.get("end", event.end),
                1 + len(attendees),
                skip=event.id,
            )
            changes["room_id"] = room.id
        updated = self.events.update(event.id, **changes)
        return self._event_detail(updated, zone(self.people[updated.organizer_id].time_zone))

    @tool(mutates=True)
    def cancel_event(self, event_id: EventId, requester_id: RequesterId) -> dict[str, Any]:
        """Cancel an upcoming event (organizer only); attendees are told, the room is freed."""
        event = self._event(event_id)
        self._changeable(event, requester_id, "cancel")
        self.events.update(event.id, status="cancelled")
        return {"event_id": event.id, "title": event.title, "status": "cancelled"}

    @tool(mutates=True)
    def invite_attendees(
        self,
        event_id: EventId,
        requester_id: RequesterId,
        person_ids: Annotated[
            list[str], Field(description="Person ids to invite.", min_length=1, max_length=20)
        ],
    ) -> dict[str, Any]:
        """Invite more people to an upcoming event (organizer only); they start as 'pending'."""
        event = self._event(event_id)
        self._changeable(event, requester_id, "invite people to")
        invitees = self._invitees(person_ids, "person_ids")
        invited = {a.person_id for a in event.attendees} | {event.organizer_id}
        already = [p for p in invitees if p.id in invited]
        if already:
            who = ", ".join(f"{p.name} ({p.id})" for p in already)
            raise ToolError(
                "already_invited",
                f"Already on event {event.id}: {who}. Invite only people who are not yet "
                "attendees or the organizer.",
                details={"person_ids": [p.id for p in already]},
            )
        attendees = tuple(
            sorted(
                (*event.attendees, *(Attendee(person_id=p.id, status="pending") for p in invitees)),
                key=lambda a: a.person_id,
            )
        )
        if event.room_id:
            room = self.rooms[event.room_id]
            self._check_room(room, event.start, event.end, 1 + len(attendees), skip=event.id)
        updated = self.events.update(event.id, attendees=attendees)
        return {
            "event_id": event.id,
            "invited": [p.id for p in invitees],
            "attendees": len(updated.attendees),
        }

    @tool(mutates=True)
    def respond_to_invitation(
        self,
        event_id: EventId,
        person_id: Annotated[str, Field(description="Person id of the invitee who responds.")],
        response: Annotated[Response, Field(description="'accepted' or 'declined'.")],
    ) -> dict[str, Any]:
        """Accept or decline an invitation to an upcoming event on the invitee's behalf."""
        event = self._event(event_id)
        person = self._person(person_id)
        if event.organizer_id == person.id:
            raise ToolError(
                "not_invited",
                f"{person.name} organizes event {event.id}; organizers do not respond to "
                "their own events.",
            )
        if all(a.person_id != person.id for a in event.attendees):
            raise ToolError(
                "not_invited", f"{person.name} ({person.id}) is not invited to event {event.id}."
            )
        if event.status == "cancelled":
            raise ToolError("invalid_state", f"Event {event.id} is cancelled.")
        if event.start < NOW:
            raise ToolError(
                "in_the_past", f"Event {event.id} started at {event.start}; it is now {NOW}."
            )
        attendees = tuple(
            a.model_copy(update={"status": response}) if a.person_id == person.id else a
            for a in event.attendees
        )
        self.events.update(event.id, attendees=attendees)
        return {"event_id": event.id, "person_id": person.id, "response": response}


def _takes_part(event: Event, person_ids: set[str]) -> bool:
    """Whether any of ``person_ids`` organizes ``event`` or is invited and has not declined."""
    return event.organizer_id in person_ids or any(
        a.person_id in person_ids and a.status != "declined" for a in event.attendees
    )


def _by_id(person: Person) -> str:
    return person.id


# ------------------------------------------------------------------ world
ROOM_NAMES: dict[str, tuple[str, ...]] = {
    "New York": (
        "Hudson",
        "Liberty",
        "Brooklyn",
        "Chelsea",
        "Harlem",
        "Tribeca",
        "Astoria",
        "Bronx",
        "Flatiron",
        "Gramercy",
    ),
    "San Francisco": (
        "Presidio",
        "Mission",
        "Sausalito",
        "Embarcadero",
        "Nob Hill",
        "Twin Peaks",
        "Castro",
        "Marina",
        "Haight",
        "Sunset",
    ),
    "London": (
        "Thames",
        "Camden",
        "Kew",
        "Greenwich",
        "Hackney",
        "Brixton",
        "Mayfair",
        "Notting Hill",
        "Shoreditch",
        "Richmond",
    ),
    "Berlin": (
        "Spree",
        "Tiergarten",
        "Mitte",
        "Kreuzberg",
        "Wannsee",
        "Pankow",
        "Moabit",
        "Tegel",
        "Dahlem",
        "Friedrichshain",
    ),
}
# size -> (people, rooms per building)
SIZES = {"small": (16, 2), "default": (48, 4), "large": (240, 10)}
_OFFICE_ODDS = np.array([0.3, 0.22, 0.2, 0.16, 0.12])  # the buildings, then remote
_CAPACITIES = (4, 6, 8, 10, 12, 16, 20)
_EQUIPMENT_ODDS: tuple[tuple[Equipment, float], ...] = (
    ("projector", 0.3),
    ("video_conference", 0.55),
    ("whiteboard", 0.7),
    ("display", 0.6),
    ("phone", 0.3),
)
_KINDS = ("Design review", "Planning", "Kickoff", "Retro", "Workshop", "Deep dive", "Demo")
_DURATIONS = (30, 45, 60, 60, 90)


def weekdays() -> list[date]:
    """The simulated working days, FIRST_DAY to LAST_DAY."""
    first, last = date.fromisoformat(FIRST_DAY), date.fromisoformat(LAST_DAY)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


class _Planner:
    """Places generated events so that no organizer or room is double-booked (invitees may be:
    conflicting invitations are what people answer)."""

    def __init__(self, db: Database, rng: np.random.Generator, rooms: list[Room]) -> None:
        self.db = db
        self.rng = rng
        self.rooms = rooms
        self.events = db.tables["events"]
        self.busy: dict[str, list[tuple[str, str]]] = {}

    def free(self, key: str, start: str, end: str) -> bool:
        return all(not (s < end and e > start) for s, e in self.busy.get(key, ()))

    def place(
        self,
        organizer: Person,
        invitees: list[Person],
        day: date,
        minute: int,
        length: int,
        title: str,
        want_room: bool,
    ) -> bool:
        tz = ZoneInfo(organizer.time_zone)
        begin = datetime.combine(day, time(0), tz) + timedelta(minutes=minute)
        start = format_utc(begin)
        end = format_utc(begin + timedelta(minutes=length))
        if not self.free(organizer.id, start, end):
            return False
        room_id = None
        if want_room and organizer.office in BUILDINGS:
            fitting = [
                r
                for r in self.rooms
                if r.building == organizer.office
                and r.capacity > len(invitees)
                and self.free(r.id, start, end)
            ]
            if fitting:
                room_id = fitting[int(self.rng.integers(len(fitting)))].id
        past = start < NOW
        attendees = []
        for p in sorted(invitees, key=_by_id):
            roll = self.rng.random()
            if past:
                status: AttendeeStatus = "accepted" if roll < 0.85 else "declined"
            else:
                status = "accepted" if roll < 0.5 else "pending" if roll < 0.85 else "declined"
            attendees.append(Attendee(person_id=p.id, status=status))
        cancelled = self.rng.random() < 0.04
        self.events.insert(
            Event(
                id=f"EV-{self.db.next_id('event', FIRST_EVENT)}",
                title=title,
                organizer_id=organizer.id,
                start=start,
                end=end,
                room_id=room_id,
                attendees=tuple(attendees),
                status="cancelled" if cancelled else "confirmed",
            )
        )
        if not cancelled:
            for key in (organizer.id, room_id):
                if key:
                    self.busy.setdefault(key, []).append((start, end))
        return True


def calendar_database() -> Database:
    """An empty calendar: the tables :class:`CalendarAPI` works on."""
    db = Database()
    db.table("people", Person)
    db.table("rooms", Room)
    db.table("events", Event)
    return db


def build_calendar(seed: int, size: str = "default") -> CalendarAPI:
    """Generate a company calendar from ``seed``: the same seed gives the same calendar in any
    process."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    n_people, rooms_per_building = SIZES[size]
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(int(rng.integers(2**31)))
    db = calendar_database()
    people, rooms = db.tables["people"], db.tables["rooms"]

    offices = [*BUILDINGS, "Remote"]
    names: set[str] = set()
    emails: set[str] = set()
    for i in range(n_people):
        first, last = fake.first_name(), fake.last_name()
        while f"{first} {last}" in names:
            first, last = fake.first_name(), fake.last_name()
        names.add(f"{first} {last}")
        local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
        email, k = f"{local}@{DOMAIN}", 2
        while email in emails:
            email, k = f"{local}{k}@{DOMAIN}", k + 1
        emails.add(email)
        office = offices[int(rng.choice(len(offices), p=_OFFICE_ODDS))]
        tz = BUILDINGS.get(office) or REMOTE_ZONES[int(rng.integers(len(REMOTE_ZONES)))]
        hour = (8, 9, 9, 10)[int(rng.integers(4))]
        people.insert(
            Person(
                id=f"U-{1001 + i}",
                name=f"{first} {last}",
                email=email,
                team=TEAMS[i % len(TEAMS)],
                office=office,
                time_zone=tz,
                work_start=f"{hour:02d}:00",
                work_end=f"{hour + 8:02d}:00",
            )
        )

    room_number = 201
    for building, pool in ROOM_NAMES.items():
        chosen = sorted(rng.choice(len(pool), size=rooms_per_building, replace=False))
        for k, index in enumerate(chosen):
            # Every building keeps one room big enough for a team meeting.
            low = 4 if k == 0 else 0
            capacity = _CAPACITIES[int(rng.integers(low, len(_CAPACITIES)))]
            equipment = tuple(e for e, odds in _EQUIPMENT_ODDS if rng.random() < odds)
            rooms.insert(
                Room(
                    id=f"RM-{room_number}",
                    name=pool[int(index)],
                    building=building,
                    floor=int(rng.integers(1, 9)),
                    capacity=capacity,
                    equipment=equipment,
                )
            )
            room_number += 1

    planner = _Planner(db, rng, rooms.values())
    staff = people.values()
    days = weekdays()
    weeks = [days[k : k + 5] for k in range(0, len(days), 5)]
    for team in TEAMS:
        members = [p for p in staff if p.team == team]
        lead, squad = members[0], members[1:8]
        weekday = int(rng.integers(5))
        minute = (int(clock(lead.work_start).hour) + int(rng.integers(1, 6))) * 60
        for week in weeks:
            if squad:
                planner.place(lead, squad, week[weekday], minute, 60, f"{team} weekly sync", True)
            for member in squad[:2]:
                planner.place(
                    lead,
                    [member],
                    week[(weekday + 2) % 5],
                    minute + 60,
                    30,
                    f"1:1 {lead.name.split()[0]} / {member.name.split()[0]}",
                    False,
                )
    for organizer in staff:
        mates = [p for p in staff if p.team == organizer.team and p.id != organizer.id]
        others = [p for p in staff if p.team != organizer.team]
        for _ in range(int(rng.integers(3, 8))):
            title = _title(rng, fake)
            for _attempt in range(6):
                day = days[int(rng.integers(len(days)))]
                length = _DURATIONS[int(rng.integers(len(_DURATIONS)))]
                open_from = clock(organizer.work_start).hour * 60
                slots = (8 * 60 - length) // 30
                minute = open_from + 30 * int(rng.integers(slots + 1))
                invitees: list[Person] = []
                for _k in range(int(rng.integers(1, 6))):
                    pool = mates if mates and rng.random() < 0.7 else others
                    pick = pool[int(rng.integers(len(pool)))]
                    if pick not in invitees:
                        invitees.append(pick)
                if planner.place(
                    organizer, invitees, day, minute, length, title, rng.random() < 0.7
                ):
                    break
    db.commit()
    return CalendarAPI(db)


def _title(rng: np.random.Generator, fake: Faker) -> str:
    kind = int(rng.integers(5))
    if kind == 0:
        return f"Customer call: {fake.company()}"
    if kind == 1:
        return f"Interview: {fake.name()}"
    return f"{_KINDS[int(rng.integers(len(_KINDS)))]}: {fake.catch_phrase()}"
