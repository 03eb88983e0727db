"""``toolgym/Calendar-v0``: a scheduling assistant for a company spread over time zones.

Eight task families, each at three difficulties: easy tasks name everyone by email and need a
few calls, medium ones add a room, a relative time or several records, hard ones identify the
user and colleagues by name, cross time zones (and the US daylight-saving change of
2026-03-08), and chain searches with fallbacks. Times the user gives are in their own zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Generator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from toolgym.core.task import Answer, Step, Task, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, clean_index, make_task, pick, policy_prompt
from toolgym.toolkits.apis.calendar import (
    BUILDINGS,
    LAST_DAY,
    NOW,
    TODAY,
    CalendarAPI,
    Event,
    Person,
    build_calendar,
    weekdays,
)
from toolgym.toolkits.apis.datetimes import WEEKDAY_NAMES, format_utc, parse_utc

__all__ = ["SUITE"]

SUITE = Suite(
    "calendar",
    lambda seed, size: [build_calendar(seed, size)],
    identity=("name", "email", "time_zone"),
)
_TODAY = date.fromisoformat(TODAY)

SYSTEM_PROMPT = policy_prompt(
    "You are the scheduling assistant of Lumen Labs, a company with offices in New York, "
    "San Francisco, London and Berlin and remote staff. You manage calendars by calling the "
    "calendar tools, acting for the employee who writes to you.",
    [
        f"It is now {WEEKDAY_NAMES[_TODAY.weekday()]} {TODAY}, {NOW[11:16]} UTC. Nothing in the "
        "past can be scheduled or changed.",
        "Identify the user first with find_person (by email, or by full name). They organize "
        "what you create, and they are the requester of every change.",
        "Dates and times the user gives are in their own time zone (see their profile) unless "
        "they say otherwise: send each time with that time_zone or an explicit UTC offset.",
        "'The earliest time' people are free means the first slot find_free_slots returns "
        "for them.",
        "When the user wants a room but names none, book the first room list_rooms returns "
        "(smallest first) that is in their office (or the office they name), holds everyone "
        "invited including the organizer, has the equipment asked for, and is free for the "
        "whole meeting.",
        "Make only the changes the user asked for. Use titles exactly as the user writes them, "
        "and ids exactly as tools return them.",
        "Give dates as YYYY-MM-DD and times as 24-hour HH:MM, in the user's time zone unless "
        "asked otherwise.",
    ],
    "When the request is done, reply to the user with the outcome in plain words, including "
    "every date and time they asked for. Do not call tools in that final reply.",
)

T = TypeVar("T")
Plan = Generator[Step, Any, Any]
_UPCOMING = [d for d in weekdays() if d > _TODAY]
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_TOPICS = (
    "launch readiness", "budget check-in", "hiring sync", "vendor review", "offsite planning",
    "quarterly goals", "incident review", "pricing workshop", "onboarding plan",
    "partner update", "roadmap review", "security review",
)  # fmt: skip
_CODENAMES = ("Aurora", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor",
              "Juniper", "Meridian", "Nimbus", "Orchid")  # fmt: skip
_EQUIPMENT = {
    "projector": "projector",
    "video_conference": "video-conferencing setup",
    "whiteboard": "whiteboard",
    "display": "display screen",
    "phone": "conference phone",
}


# ------------------------------------------------------------------ world lookups
class _Index:
    """Clean-world lookups the families need, built once per world (the clean world is fixed)."""

    def __init__(self, api: CalendarAPI) -> None:
        self.people = api.people.values()
        self.person = {p.id: p for p in self.people}
        self.events = [e for e in api.events.values() if e.status == "confirmed"]
        self.involving: dict[str, list[Event]] = defaultdict(list)
        for event in sorted(self.events, key=lambda e: (e.start, e.id)):
            self.involving[event.organizer_id].append(event)
            for a in event.attendees:
                self.involving[a.person_id].append(event)
        self.person_days = [(p, d) for p in self.people for d in _UPCOMING]
        self._own: dict[str, set[str]] = {}

    def own(self, user: Person) -> set[str]:
        """Ids of upcoming events ``user`` organizes whose title is unique on its day for them."""
        found = self._own.get(user.id)
        if found is None:
            found = self._own[user.id] = {e.id for e in _own_upcoming(self, user)}
        return found


def _index(api: CalendarAPI) -> _Index:
    return clean_index(api, _Index)


def _search(rng: np.random.Generator, items: Sequence[T], test: Callable[[T], Any]) -> Any:
    """The first non-None ``test(item)``, scanning from a random position (bounded, seeded)."""
    if items:
        start = int(rng.integers(len(items)))
        for k in range(len(items)):
            found = test(items[(start + k) % len(items)])
            if found is not None:
                return found
    raise LookupError("no candidate satisfies the task family's conditions")


def _local(moment: str | datetime, person: Person) -> datetime:
    if isinstance(moment, str):
        moment = parse_utc(moment)
    return moment.astimezone(ZoneInfo(person.time_zone))


def _day_of(event: Event, person: Person) -> date:
    return _local(event.start, person).date()


def _status(event: Event, person_id: str) -> str | None:
    """``organizer``, the attendee's response, or None if not involved."""
    if event.organizer_id == person_id:
        return "organizer"
    return next((a.status for a in event.attendees if a.person_id == person_id), None)


def _attends(event: Event, person_id: str) -> bool:
    return _status(event, person_id) in ("organizer", "accepted", "pending")


def _on_days(index: _Index, person: Person, first: date, last: date) -> list[Event]:
    """``person``'s events that overlap days ``first`` to ``last`` of their own time zone, as
    list_events finds them."""
    tz = ZoneInfo(person.time_zone)
    since = format_utc(datetime.combine(first, datetime.min.time(), tz))
    until = format_utc(datetime.combine(last + timedelta(days=1), datetime.min.time(), tz))
    return [e for e in index.involving[person.id] if e.start < until and e.end > since]


def _own_upcoming(index: _Index, user: Person) -> list[Event]:
    """Upcoming events ``user`` organizes whose title is unique on its day for them."""
    out = []
    for event in index.involving[user.id]:
        day = _day_of(event, user)
        if event.organizer_id != user.id or day <= _TODAY:
            continue
        if sum(e.title == event.title for e in _on_days(index, user, day, day)) == 1:
            out.append(event)
    return out


# ------------------------------------------------------------------ wording
def _day_words(rng: np.random.Generator, day: date) -> str:
    weekday, month = WEEKDAY_NAMES[day.weekday()], _MONTHS[day.month - 1]
    return pick(
        rng,
        [f"{weekday}, {month} {day.day}", day.isoformat(), f"{weekday} {day.isoformat()}"],
    )


def _clock_words(rng: np.random.Generator, *moments: datetime) -> list[str]:
    """Wall times in one style, 24-hour ('14:30') or 12-hour ('2:30 pm'), drawn per prompt."""
    if rng.random() < 0.5:
        return [f"{m:%H:%M}" for m in moments]
    return [f"{m.hour % 12 or 12}:{m:%M} {'am' if m.hour < 12 else 'pm'}" for m in moments]


def _wall(moment: datetime) -> str:
    """A wall time as the plans send it, with the user's zone given separately."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def _new_title(rng: np.random.Generator) -> str:
    return f"{pick(rng, _CODENAMES)} {pick(rng, _TOPICS)}"


def _who(rng: np.random.Generator, person: Person, by_name: bool) -> tuple[str, dict[str, str]]:
    """How the user introduces themself, and the facts they hold."""
    facts = {"name": person.name, "email": person.email, "time_zone": person.time_zone}
    if by_name:
        text = pick(rng, [f"I'm {person.name} from {person.team}.", f"Hi, {person.name} here."])
    else:
        text = pick(
            rng,
            [
                f"Hi, it's {person.name} ({person.email}).",
                f"This is {person.email}.",
                f"I'm {person.name}, {person.email}.",
            ],
        )
    return text, facts


def _equipment_wanted(rng: np.random.Generator, rooms: list[dict[str, Any]]) -> str:
    """A piece of equipment one of ``rooms`` has, so that asking for it can be satisfied."""
    equipped = [r for r in rooms if r["equipment"]]
    return pick(rng, pick(rng, equipped)["equipment"]) if equipped else ""


def _span_words(rng: np.random.Generator, first: date, last: date) -> tuple[str, tuple[str, ...]]:
    """'on <day>' or 'from <day> to <day>', and the day phrases (literals)."""
    first_text = _day_words(rng, first)
    if last == first:
        return f"on {first_text}", (first_text,)
    last_text = _day_words(rng, last)
    return f"from {first_text} to {last_text}", (first_text, last_text)


def _refer(person: Person, by_name: bool) -> str:
    return person.name if by_name else person.email


def _names(people: Sequence[str]) -> str:
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


# ------------------------------------------------------------------ plan steps
def _lookup(person: Person, by_name: bool, thought: str) -> Plan:
    """Find ``person`` the way the prompt names them; returns their find_person record."""
    found = yield call("find_person", thought, query=_refer(person, by_name))
    key = "name" if by_name else "email"
    return next(p for p in found if p[key] == _refer(person, by_name))


def _identify(person: Person, by_name: bool) -> Plan:
    return (yield from _lookup(person, by_name, "Identify the user first."))


def _find_own_event(me: dict[str, Any], day: date, title: str) -> Plan:
    listed = yield call(
        "list_events",
        f"Find '{title}' on the user's calendar that day.",
        person_id=me["person_id"],
        start_date=day.isoformat(),
    )
    return next(e for e in listed["events"] if e["title"] == title)


def _first_room(
    me: dict[str, Any], building: str, people: int, start: str, end: str, equipment: list[str]
) -> Plan:
    rooms = yield call(
        "list_rooms",
        "Find free rooms that fit everyone, smallest first.",
        building=building,
        min_capacity=people,
        available_start=start,
        available_end=end,
        time_zone=me["time_zone"],
        **({"equipment": equipment} if equipment else {}),
    )
    return rooms[0] if rooms else None


# ------------------------------------------------------------------ families
@SUITE.family("calendar")
def schedule_meeting(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Create a meeting at a time the user names, with the people and room they ask for."""
    index = _index(api)
    n_guests = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    by_name = difficulty == "hard"

    def attempt(user_day: tuple[Person, date]) -> Any:
        user, day = user_day
        if difficulty != "easy" and user.office not in BUILDINGS:
            return None
        others = [p for p in index.people if p.id != user.id]
        guests = [others[int(k)] for k in rng.choice(len(others), n_guests, replace=False)]
        length = pick(rng, [30, 45, 60])
        opens = datetime.combine(day, datetime.min.time(), ZoneInfo(user.time_zone))
        offset = int(user.work_start[:2]) * 60 + 30 * int(rng.integers((480 - length) // 30 + 1))
        begin = opens + timedelta(minutes=offset)
        end = begin + timedelta(minutes=length)
        if difficulty == "easy":
            return user, guests, begin, end, ""
        rooms = api.list_rooms(
            building=user.office,
            min_capacity=n_guests + 1,
            available_start=format_utc(begin),
            available_end=format_utc(end),
        )
        if difficulty == "medium":
            return (user, guests, begin, end, pick(rng, rooms)["name"]) if rooms else None
        equipment = _equipment_wanted(rng, rooms)
        return (user, guests, begin, end, equipment) if equipment else None

    user, guests, begin, end, wanted = _search(rng, index.person_days, attempt)
    title = _new_title(rng)
    intro, facts = _who(rng, user, by_name)
    day_text = _day_words(rng, begin.date())
    begin_text, end_text = _clock_words(rng, begin, end)
    when = f"{day_text} from {begin_text} to {end_text}"
    who = _names([_refer(g, by_name) for g in guests])
    if difficulty == "easy":
        ask = pick(
            rng,
            [
                f'Please set up "{title}" with {who} on {when}. No room needed, it\'s a call.',
                f'Can you book a video call "{title}" with {who}, {when}? No room.',
            ],
        )
    elif difficulty == "medium":
        ask = f'Please schedule "{title}" with {who} on {when}, in room {wanted} ({user.office}).'
    else:
        ask = (
            f'Please schedule "{title}" with {who} on {when}, in a room in my office with a '
            f"{_EQUIPMENT[wanted]}. Which room did you get?"
        )
    facts.update(title=title, when=when)

    def plan():
        me = yield from _identify(user, by_name)
        ids = []
        for guest in guests:
            found = yield from _lookup(guest, by_name, f"Look up {_refer(guest, by_name)}.")
            ids.append(found["person_id"])
        start, finish = _wall(begin), _wall(end)
        room_id = None
        if difficulty == "medium":
            rooms = yield call("list_rooms", "Find the room's id.", building=user.office)
            room_id = next(r["room_id"] for r in rooms if r["name"] == wanted)
        elif difficulty == "hard":
            found = yield from _first_room(me, me["office"], len(ids) + 1, start, finish, [wanted])
            room_id = found["room_id"]
        created = yield call(
            "create_event",
            "Create the event.",
            organizer_id=me["person_id"],
            title=title,
            start=start,
            end=finish,
            attendee_ids=ids,
            time_zone=me["time_zone"],
            **({"room_id": room_id} if room_id else {}),
        )
        name = created["room"]["name"] if created["room"] else ""
        text = f"Scheduled '{title}' ({created['event_id']})" + (f" in {name}." if name else ".")
        if difficulty != "hard":
            return Answer(text)
        # The room a careless reply would name: another room of the same office.
        others = [r.name for r in api.rooms.values() if r.building == user.office]
        return Answer(text, (name,), wrong_candidates(others, [text], prompt))

    literals = (title, day_text, begin_text, end_text, _refer(user, by_name))
    literals += tuple(_refer(g, by_name) for g in guests)
    if difficulty == "medium":
        literals += (wanted, user.office)
    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def reschedule_meeting(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Move an event the user organizes: to a named time, by an offset, or to a free slot."""
    index = _index(api)
    by_name = difficulty == "hard"
    mode = pick(rng, ["later", "day"]) if difficulty == "medium" else difficulty
    shift = pick(rng, [30, 60, 90])

    def attempt(event: Event) -> Any:
        user = index.person[event.organizer_id]
        if event.id not in index.own(user):
            return None
        old_begin, old_end = parse_utc(event.start), parse_utc(event.end)
        length = old_end - old_begin
        old_day = _day_of(event, user)
        day = pick(rng, [d for d in _UPCOMING if d != old_day])
        if mode == "easy":
            opens = datetime.combine(day, datetime.min.time(), ZoneInfo(user.time_zone))
            minutes = int(user.work_start[:2]) * 60 + 30 * int(rng.integers(12))
            begin = opens + timedelta(minutes=minutes)
        elif mode == "later":
            begin = old_begin + timedelta(minutes=shift)
        elif mode == "day":
            local = _local(old_begin, user)
            begin = datetime.combine(day, local.time(), local.tzinfo)
        else:
            people = [user.id, *(a.person_id for a in event.attendees if a.status != "declined")]
            slots = api.find_free_slots(
                person_ids=people,
                date=day.isoformat(),
                duration_minutes=int(length.total_seconds() // 60),
                time_zone=user.time_zone,
            )["slots"]
            free = [
                s
                for s in slots[:3]
                if not event.room_id or not api.room_bookings(event.room_id, s["start"], s["end"])
            ]
            if not free:
                return None
            begin = parse_utc(free[0]["start"])
        start, end = format_utc(begin), format_utc(parse_utc(format_utc(begin)) + length)
        if start <= NOW:
            return None
        if event.room_id and api.room_bookings(event.room_id, start, end, skip=event.id):
            return None
        return user, event, day, begin.astimezone(ZoneInfo(user.time_zone))

    user, event, day, begin = _search(rng, index.events, attempt)
    intro, facts = _who(rng, user, by_name)
    old_day = _day_of(event, user)
    old_text = _day_words(rng, old_day)
    new_text = _day_words(rng, day)
    what = f'my "{event.title}" on {old_text}'
    (clock,) = _clock_words(rng, begin)
    if mode == "easy":
        ask = pick(
            rng,
            [
                f"Please move {what} to {new_text} at {clock}, same length.",
                f"Can you reschedule {what}? Make it {new_text}, {clock}, keeping the duration.",
            ],
        )
    elif mode == "later":
        ask = pick(
            rng,
            [
                f"Please push {what} back by {shift} minutes.",
                f"Could you move {what} {shift} minutes later?",
            ],
        )
    elif mode == "day":
        ask = f"Please move {what} to {new_text}, same time of day."
    else:
        ask = (
            f"Please move {what} to the earliest time on {new_text} when I and everyone "
            "invited who hasn't declined are free. Keep the room; if it's taken then, try the "
            "next free slot."
        )
    facts.update(title=event.title, day=old_day.isoformat())
    if mode != "later":
        facts["new_day"] = day.isoformat()

    def plan():
        me = yield from _identify(user, by_name)
        found = yield from _find_own_event(me, old_day, event.title)
        eid = found["event_id"]
        start: dict[str, Any]
        if mode == "easy":
            start = {"start": _wall(begin), "time_zone": me["time_zone"]}
        elif mode == "later":
            start = {"start": format_utc(parse_utc(found["start"]) + timedelta(minutes=shift))}
        elif mode == "day":
            local = datetime.fromisoformat(found["local_start"])
            start = {"start": f"{day.isoformat()}T{local:%H:%M}", "time_zone": me["time_zone"]}
        else:
            detail = yield call("get_event", "Read the attendees and the room.", event_id=eid)
            people = [me["person_id"]]
            people += [a["person_id"] for a in detail["attendees"] if a["status"] != "declined"]
            length = parse_utc(detail["end"]) - parse_utc(detail["start"])
            slots = yield call(
                "find_free_slots",
                "Find when everyone is free that day.",
                person_ids=people,
                date=day.isoformat(),
                duration_minutes=int(length.total_seconds() // 60),
                time_zone=me["time_zone"],
            )
            chosen = None
            for slot in slots["slots"]:
                if detail["room"] is None:
                    chosen = slot
                    break
                check = yield call(
                    "check_room_availability",
                    "Is the room free then?",
                    room_id=detail["room"]["room_id"],
                    start=slot["start"],
                    end=slot["end"],
                )
                if check["available"]:
                    chosen = slot
                    break
            start = {"start": chosen["start"]}
        moved = yield call(
            "update_event",
            "Move the event.",
            event_id=eid,
            requester_id=me["person_id"],
            **start,
        )
        return f"Moved '{event.title}' to {moved['local_start']}."

    literals = (event.title, old_text, _refer(user, by_name))
    if mode == "later":
        literals += (f"{shift} minutes",)
    else:
        literals += (new_text, clock) if mode == "easy" else (new_text,)
    return make_task(SYSTEM_PROMPT, f"{intro} {ask}", plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def find_common_slot(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Book a new meeting at the earliest time everyone is free (and a room, if wanted)."""
    index = _index(api)
    n_guests = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    length = {"easy": 30, "medium": 60, "hard": 45}[difficulty]
    by_name = difficulty == "hard"

    def attempt(user_day: tuple[Person, date]) -> Any:
        user, first = user_day
        if difficulty == "medium" and user.office not in BUILDINGS:
            return None
        others = [p for p in index.people if p.id != user.id]
        guests = [others[int(k)] for k in rng.choice(len(others), n_guests, replace=False)]
        ids = [user.id, *(g.id for g in guests)]
        days = [first]
        if difficulty == "hard":
            days.append(pick(rng, [d for d in _UPCOMING if d != first]))
        for day in days:
            slots = api.find_free_slots(
                person_ids=ids, date=day.isoformat(), duration_minutes=length,
                time_zone=user.time_zone,
            )["slots"]  # fmt: skip
            if difficulty != "medium" and slots:
                return user, guests, days
            if difficulty == "medium":
                for slot in slots[:3]:
                    rooms = api.list_rooms(
                        building=user.office,
                        min_capacity=n_guests + 1,
                        available_start=slot["start"],
                        available_end=slot["end"],
                    )
                    if rooms:
                        return user, guests, days
                return None
        return None

    user, guests, days = _search(rng, index.person_days, attempt)
    title = _new_title(rng)
    intro, facts = _who(rng, user, by_name)
    who = _names([_refer(g, by_name) for g in guests])
    day_texts = [_day_words(rng, d) for d in days]
    if difficulty == "easy":
        ask = (
            f'Please book a {length}-minute call "{title}" with {who} on {day_texts[0]}, at '
            "the earliest time we're both free. No room needed."
        )
    elif difficulty == "medium":
        ask = (
            f"Please find the earliest time on {day_texts[0]} when {who} and I are all free for "
            f'an hour and a room in my office is available, and book "{title}" there.'
        )
    else:
        ask = (
            f'Please set up "{title}" ({length} minutes) with {who} at the earliest time we\'re '
            f"all free on {day_texts[0]}, or on {day_texts[1]} if that day doesn't work. No room "
            "needed. When is it, my time?"
        )
    facts.update(title=title)
    # Each asked day's first free slot, for the hard reply that gives the wrong day's.
    ask_slots = {"duration_minutes": length, "time_zone": user.time_zone}
    everyone = [user.id, *(g.id for g in guests)]
    firsts = {
        d: api.find_free_slots(person_ids=everyone, date=d.isoformat(), **ask_slots)["slots"][:1]
        for d in (days if difficulty == "hard" else ())
    }

    def plan():
        me = yield from _identify(user, by_name)
        ids = []
        for guest in guests:
            found = yield from _lookup(guest, by_name, f"Look up {_refer(guest, by_name)}.")
            ids.append(found["person_id"])
        chosen, room_id = None, None
        for day in days:
            slots = yield call(
                "find_free_slots",
                "Find when everyone is free.",
                person_ids=[me["person_id"], *ids],
                date=day.isoformat(),
                duration_minutes=length,
                time_zone=me["time_zone"],
            )
            for slot in slots["slots"]:
                if difficulty != "medium":
                    chosen = slot
                    break
                room = yield from _first_room(
                    me, me["office"], len(ids) + 1, slot["start"], slot["end"], []
                )
                if room is not None:
                    chosen, room_id = slot, room["room_id"]
                    break
            if chosen is not None:
                break
        created = yield call(
            "create_event",
            "Book it.",
            organizer_id=me["person_id"],
            title=title,
            start=chosen["start"],
            end=chosen["end"],
            attendee_ids=ids,
            **({"room_id": room_id} if room_id else {}),
        )
        local = datetime.fromisoformat(created["local_start"])
        day_text, clock = f"{local:%Y-%m-%d}", f"{local:%H:%M}"
        text = f"Booked '{title}' on {day_text} at {clock} your time."
        if difficulty != "hard":
            return Answer(text)
        # The slots a careless reply would give: a later one that day, the other day's first,
        # or the same time on the other day.
        later = [s["local_start"][:16] for s in slots["slots"] if s["start"] > chosen["start"]]
        other_day = [d for d in days if d.isoformat() != day_text]
        wrong = later[:3] + [s["local_start"][:16] for d in other_day for s in firsts[d]]
        wrong += [f"{d.isoformat()}T{clock}" for d in other_day]
        right = (text, created["local_end"][:16])
        return Answer(text, (day_text, clock), wrong_candidates(wrong, right, prompt))

    literals = (title, *day_texts, *(_refer(g, by_name) for g in guests))
    literals += (_refer(user, by_name),)
    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def cancel_meetings(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Cancel an event by title, the next one with someone, or clear a sick day."""
    index = _index(api)
    by_name = difficulty == "hard"

    def by_title(event: Event) -> Any:
        user = index.person[event.organizer_id]
        return (user, event) if event.id in index.own(user) else None

    def next_with(user: Person) -> Any:
        upcoming = _upcoming_of(index, user)
        for other in sorted({p for e in upcoming for p in _people_of(e)} - {user.id}):
            found = _next_with(upcoming, user, other)
            if found is not None and found.organizer_id == user.id:
                return user, index.person[other], found
        return None

    def sick_day(user_day: tuple[Person, date]) -> Any:
        user, day = user_day
        todo = [e for e in _on_days(index, user, day, day) if _status(e, user.id) != "declined"]
        return (user, day) if 2 <= len(todo) <= 7 else None

    if difficulty == "easy":
        user, event = _search(rng, index.events, by_title)
        day = _day_of(event, user)
    elif difficulty == "medium":
        user, other, event = _search(rng, index.people, next_with)
    else:
        user, day = _search(rng, index.person_days, sick_day)
    intro, facts = _who(rng, user, by_name)
    if difficulty == "easy":
        day_text = _day_words(rng, day)
        ask = pick(
            rng,
            [
                f'Please cancel my "{event.title}" on {day_text}.',
                f'"{event.title}" on {day_text} isn\'t needed anymore, please cancel it.',
            ],
        )
        literals = (event.title, day_text, user.email)
    elif difficulty == "medium":
        ask = f"Please cancel my next meeting with {other.name}."
        literals = (other.name, user.email)
        facts["other"] = other.email
    else:
        day_text = _day_words(rng, day)
        ask = (
            f"I'm off sick on {day_text}. Cancel every meeting I organize that day and decline "
            "all my invitations for it."
        )
        literals = (day_text, user.name)

    def plan():
        me = yield from _identify(user, by_name)
        if difficulty == "easy":
            found = yield from _find_own_event(me, day, event.title)
            yield call(
                "cancel_event",
                "Cancel it.",
                event_id=found["event_id"],
                requester_id=me["person_id"],
            )
            return f"Cancelled '{event.title}'."
        if difficulty == "medium":
            them = yield from _lookup(other, True, f"Look up {other.name}.")
            listed = yield call(
                "list_events",
                "List the user's upcoming meetings.",
                person_id=me["person_id"],
                start_date=TODAY,
                end_date=LAST_DAY,
            )
            target = next(
                e
                for e in listed["events"]
                if e["start"] > NOW
                and e["your_response"] != "declined"
                and _with(e, them["person_id"])
            )
            yield call(
                "cancel_event",
                "Cancel it.",
                event_id=target["event_id"],
                requester_id=me["person_id"],
            )
            return f"Cancelled '{target['title']}' at {target['local_start']}."
        listed = yield call(
            "list_events",
            "List that day's meetings.",
            person_id=me["person_id"],
            start_date=day.isoformat(),
        )
        for e in listed["events"]:
            if e["your_response"] == "organizer":
                yield call(
                    "cancel_event",
                    f"Cancel '{e['title']}'.",
                    event_id=e["event_id"],
                    requester_id=me["person_id"],
                )
            elif e["your_response"] != "declined":
                yield call(
                    "respond_to_invitation",
                    f"Decline '{e['title']}'.",
                    event_id=e["event_id"],
                    person_id=me["person_id"],
                    response="declined",
                )
        return "Done: your meetings that day are cancelled or declined."

    return make_task(SYSTEM_PROMPT, f"{intro} {ask}", plan, facts=facts, literals=literals)


def _upcoming_of(index: _Index, user: Person) -> list[Event]:
    """``user``'s events after now, up to the last simulated day in their time zone."""
    last = date.fromisoformat(LAST_DAY)
    return [e for e in index.involving[user.id] if e.start > NOW and _day_of(e, user) <= last]


def _next_with(upcoming: list[Event], user: Person, other_id: str) -> Event | None:
    """The next event both attend, if no earlier event involves ``other_id`` in any way (an
    earlier one either of them declined would make "next meeting with" ambiguous)."""
    loose = [e for e in upcoming if _status(e, other_id) is not None]
    strict = [e for e in loose if _attends(e, other_id) and _attends(e, user.id)]
    return strict[0] if strict and loose[0] is strict[0] else None


def _people_of(event: Event) -> list[str]:
    return [event.organizer_id, *(a.person_id for a in event.attendees)]


def _with(listed: dict[str, Any], person_id: str) -> bool:
    """Whether ``person_id`` takes part (organizes, or has not declined) in a listed event."""
    if listed["organizer_id"] == person_id:
        return True
    return any(
        a["person_id"] == person_id and a["status"] != "declined" for a in listed["attendees"]
    )


@SUITE.family("calendar")
def invite_people(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Invite colleagues to an event; in the hard case move it to a bigger room if needed."""
    index = _index(api)
    n_guests = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    by_name = difficulty != "easy"

    def attempt(event: Event) -> Any:
        user = index.person[event.organizer_id]
        if event.id not in index.own(user) or (difficulty == "hard" and not event.room_id):
            return None
        invited = set(_people_of(event))
        free = [p for p in index.people if p.id not in invited]
        guests = [free[int(k)] for k in rng.choice(len(free), n_guests, replace=False)]
        people = len(invited) + n_guests
        if event.room_id:
            room = api.rooms[event.room_id]
            if difficulty != "hard" and people > room.capacity:
                return None
            if people > room.capacity and not api.list_rooms(
                building=room.building,
                min_capacity=people,
                available_start=event.start,
                available_end=event.end,
            ):
                return None
        return user, event, guests

    user, event, guests = _search(rng, index.events, attempt)
    intro, facts = _who(rng, user, difficulty == "hard")
    day = _day_of(event, user)
    day_text = _day_words(rng, day)
    who = _names([_refer(g, by_name) for g in guests])
    ask = pick(
        rng,
        [
            f'Please add {who} to my "{event.title}" on {day_text}.',
            f'Can you invite {who} to "{event.title}" on {day_text}?',
        ],
    )
    if difficulty == "hard":
        ask += (
            " If the room becomes too small, move the meeting to the first room in the same "
            "building that fits everyone and is free then."
        )
    facts.update(title=event.title, day=day.isoformat())

    def plan():
        me = yield from _identify(user, difficulty == "hard")
        ids = []
        for guest in guests:
            found = yield from _lookup(guest, by_name, f"Look up {_refer(guest, by_name)}.")
            ids.append(found["person_id"])
        found = yield from _find_own_event(me, day, event.title)
        eid = found["event_id"]
        if difficulty == "hard":
            detail = yield call("get_event", "Check the room's capacity.", event_id=eid)
            people = 1 + len(detail["attendees"]) + len(ids)
            room = detail["room"]
            if room is not None and people > room["capacity"]:
                bigger = yield from _first_room(
                    me, room["building"], people, detail["start"], detail["end"], []
                )
                yield call(
                    "update_event",
                    f"Move to {bigger['name']}, which fits {people}.",
                    event_id=eid,
                    requester_id=me["person_id"],
                    room_id=bigger["room_id"],
                )
        yield call(
            "invite_attendees",
            "Invite them.",
            event_id=eid,
            requester_id=me["person_id"],
            person_ids=ids,
        )
        return f"Invited {who} to '{event.title}'."

    literals = (event.title, day_text, *(_refer(g, by_name) for g in guests))
    literals += (_refer(user, difficulty == "hard"),)
    return make_task(SYSTEM_PROMPT, f"{intro} {ask}", plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def next_meeting(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Answer when the user's next meeting with a colleague is, in one or two time zones."""
    index = _index(api)
    by_name = difficulty != "easy"

    def attempt(user: Person) -> Any:
        upcoming = _upcoming_of(index, user)
        others = sorted({p for e in upcoming for p in _people_of(e)} - {user.id})
        start = int(rng.integers(len(others))) if others else 0
        for other_id in others[start:] + others[:start]:
            other = index.person[other_id]
            found = _next_with(upcoming, user, other_id)
            if found is None:
                continue
            moment = parse_utc(found.start)
            if (
                difficulty == "hard"
                and _local(moment, user).utcoffset() == _local(moment, other).utcoffset()
            ):
                continue
            return user, other
        return None

    user, other = _search(rng, index.people, attempt)
    intro, facts = _who(rng, user, by_name)
    if difficulty == "easy":
        ask = pick(
            rng,
            [
                f"When is my next meeting with {other.email}?",
                f"When do I next meet {other.email}? Date and time please.",
            ],
        )
    elif difficulty == "medium":
        ask = f"What's my next meeting with {other.name} called, and when is it?"
    else:
        ask = (
            f"When is my next meeting with {other.name}? Tell me the time in my time zone "
            f"and in {other.name.split()[0]}'s."
        )
    facts["other"] = other.email

    def plan():
        me = yield from _identify(user, by_name)
        them = yield from _lookup(other, by_name, f"Look up {_refer(other, by_name)}.")
        listed = yield call(
            "list_events",
            "List the user's upcoming meetings in their time zone.",
            person_id=me["person_id"],
            start_date=TODAY,
            end_date=LAST_DAY,
        )
        found = next(
            e
            for e in listed["events"]
            if e["start"] > NOW and e["your_response"] != "declined" and _with(e, them["person_id"])
        )
        local = datetime.fromisoformat(found["local_start"])
        day, clock = f"{local:%Y-%m-%d}", f"{local:%H:%M}"
        text = f"'{found['title']}' on {day} at {clock} your time"
        expect: tuple[str, ...] = (day, clock)
        # What a careless reply would state: another meeting of that day, or a later one with
        # the same colleague (its title, and its day and time together).
        rivals = [
            e
            for e in listed["events"]
            if e["event_id"] != found["event_id"]
            and (e["local_start"][:10] == day or _with(e, them["person_id"]))
        ]
        wrong = [e["local_start"][:16] for e in rivals] + [e["title"] for e in rivals]
        if difficulty == "medium":
            expect += (found["title"],)
        if difficulty == "hard":
            theirs = yield call(
                "convert_time",
                "Convert the start to the colleague's time zone.",
                time=found["start"],
                to_time_zone=them["time_zone"],
            )
            there = datetime.fromisoformat(theirs["local"])
            text += f", which is {there:%Y-%m-%d %H:%M} for {other.name}"
            expect += (f"{there:%H:%M}",)
        right = (text, found["title"], found["local_end"][:16])
        return Answer(text + ".", expect, wrong_candidates(wrong, right, prompt))

    literals = (_refer(other, by_name), _refer(user, by_name))
    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def book_room(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Book a room for events the user organizes that have none."""
    index = _index(api)
    by_name = difficulty == "hard"

    def building_for(user: Person) -> str:
        return user.office if user.office in BUILDINGS else pick(rng, list(BUILDINGS))

    def one(event: Event) -> Any:
        user = index.person[event.organizer_id]
        if event.room_id or event.id not in index.own(user):
            return None
        building = building_for(user)
        rooms = api.list_rooms(
            building=building,
            min_capacity=len(_people_of(event)),
            available_start=event.start,
            available_end=event.end,
        )
        day = _day_of(event, user)
        if difficulty == "easy":
            wanted = pick(rng, rooms)["name"] if rooms else ""
        else:
            wanted = _equipment_wanted(rng, rooms)
        return (user, day, day, building, wanted, event.title) if wanted else None

    def several(user_day: tuple[Person, date]) -> Any:
        # Widen the range a day at a time until it holds a few meetings without a room.
        user, first = user_day
        building = building_for(user)
        for last in [d for d in _UPCOMING if d >= first][:5]:
            targets = [
                e
                for e in _on_days(index, user, first, last)
                if e.organizer_id == user.id and not e.room_id
            ]
            if len(targets) > 4:
                return None
            if len(targets) >= 2:
                found = (user, first, last, building, "", "")
                return found if bookable(targets, building) else None
        return None

    def bookable(targets: list[Event], building: str) -> bool:
        """Whether booking the first fitting room for each in turn always finds one."""
        taken: list[tuple[str, str, str]] = []
        for e in targets:
            rooms = [
                r
                for r in api.list_rooms(
                    building=building,
                    min_capacity=len(_people_of(e)),
                    available_start=e.start,
                    available_end=e.end,
                )
                if not any(r["room_id"] == k and s < e.end and f > e.start for k, s, f in taken)
            ]
            if not rooms:
                return False
            taken.append((rooms[0]["room_id"], e.start, e.end))
        return True

    if difficulty == "hard":
        user, first, last, building, wanted, title = _search(rng, index.person_days, several)
    else:
        user, first, last, building, wanted, title = _search(rng, index.events, one)
    intro, facts = _who(rng, user, by_name)
    span, day_texts = _span_words(rng, first, last)
    mine = building == user.office
    office = "my office" if mine else f"the {building} office"
    if difficulty == "easy":
        ask = f'Please book room {wanted} in {building} for my "{title}" {span}.'
    elif difficulty == "medium":
        ask = (
            f'My "{title}" {span} has no room yet. Please book one in {office} with a '
            f"{_EQUIPMENT[wanted]}."
        )
    else:
        ask = (
            f"Please book a room in {office} for every meeting I organize {span} that doesn't "
            "have one yet."
        )
    facts.update(first_day=first.isoformat(), last_day=last.isoformat(), building=building)

    def plan():
        me = yield from _identify(user, by_name)
        where = me["office"] if mine else building
        if difficulty == "easy":
            found = yield from _find_own_event(me, first, title)
            rooms = yield call("list_rooms", "Find the room's id.", building=building)
            rid = next(r["room_id"] for r in rooms if r["name"] == wanted)
            yield call(
                "update_event",
                "Book the room.",
                event_id=found["event_id"],
                requester_id=me["person_id"],
                room_id=rid,
            )
            return f"Booked {wanted} for '{title}'."
        if difficulty == "medium":
            todo = [(yield from _find_own_event(me, first, title))]
        else:
            listed = yield call(
                "list_events",
                "List the meetings of those days.",
                person_id=me["person_id"],
                start_date=first.isoformat(),
                end_date=last.isoformat(),
            )
            todo = [
                e
                for e in listed["events"]
                if e["your_response"] == "organizer" and e["room"] is None
            ]
        booked = []
        for e in todo:
            room = yield from _first_room(
                me,
                where,
                1 + len(e["attendees"]),
                e["start"],
                e["end"],
                [wanted] if wanted else [],
            )
            yield call(
                "update_event",
                f"Book {room['name']} for '{e['title']}'.",
                event_id=e["event_id"],
                requester_id=me["person_id"],
                room_id=room["room_id"],
            )
            booked.append(f"{room['name']} for '{e['title']}'")
        return "Booked " + "; ".join(booked) + "."

    literals = (*day_texts, _refer(user, by_name))
    if difficulty == "easy" or not mine:
        literals += (building,)
    if title:
        literals += (title,)
    if difficulty == "easy":
        literals += (wanted,)
    return make_task(SYSTEM_PROMPT, f"{intro} {ask}", plan, facts=facts, literals=literals)


@SUITE.family("calendar")
def answer_invitations(api: CalendarAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Accept or decline invitations: one by title, all over some days, or by conflicts."""
    index = _index(api)
    by_name = difficulty == "hard"
    response = pick(rng, ["accepted", "declined"])

    def one(event: Event) -> Any:
        for a in event.attendees:
            user = index.person[a.person_id]
            day = _day_of(event, user)
            same = [e for e in _on_days(index, user, day, day) if e.title == event.title]
            if a.status == "pending" and day > _TODAY and len(same) == 1:
                return user, day, day, event.title
        return None

    def days_of(user_day: tuple[Person, date]) -> Any:
        # Widen the range a day at a time until it holds a few pending invitations.
        user, first = user_day
        for last in [d for d in _UPCOMING if d >= first][:5]:
            events = _on_days(index, user, first, last)
            pending = [e for e in events if _status(e, user.id) == "pending"]
            if len(pending) < 2:
                continue
            if len(pending) > 6:
                return None
            overlapping = any(
                a.start < b.end and b.start < a.end
                for i, a in enumerate(pending)
                for b in pending[i + 1 :]
            )
            # Two pending invitations that overlap each other make "accept the ones that don't
            # clash" ambiguous.
            return None if difficulty == "hard" and overlapping else (user, first, last, "")
        return None

    if difficulty == "easy":
        user, first, last, title = _search(rng, index.events, one)
    else:
        user, first, last, title = _search(rng, index.person_days, days_of)
    intro, facts = _who(rng, user, by_name)
    span, literals = _span_words(rng, first, last)
    if difficulty == "easy":
        verb = "accept" if response == "accepted" else "decline"
        ask = f'Please {verb} the invitation to "{title}" {span}.'
        literals += (title, user.email)
    elif difficulty == "medium":
        ask = pick(
            rng,
            [
                f"Please accept all my pending invitations {span}.",
                f"Can you say yes to every invitation I haven't answered {span}?",
            ],
        )
        literals += (user.email,)
    else:
        ask = (
            f"Please answer my pending invitations {span}: accept each one that doesn't overlap "
            "a meeting I've already accepted or organize, and decline the ones that do."
        )
        literals += (user.name,)

    def plan():
        me = yield from _identify(user, by_name)
        listed = yield call(
            "list_events",
            "List the meetings of those days.",
            person_id=me["person_id"],
            start_date=first.isoformat(),
            end_date=last.isoformat(),
        )
        if difficulty == "easy":
            found = next(e for e in listed["events"] if e["title"] == title)
            yield call(
                "respond_to_invitation",
                "Respond as asked.",
                event_id=found["event_id"],
                person_id=me["person_id"],
                response=response,
            )
            return f"Invitation to '{title}' {response}."
        firm = [e for e in listed["events"] if e["your_response"] in ("organizer", "accepted")]
        answers = []
        for e in listed["events"]:
            if e["your_response"] != "pending":
                continue
            clash = any(f["start"] < e["end"] and e["start"] < f["end"] for f in firm)
            answer = "declined" if difficulty == "hard" and clash else "accepted"
            yield call(
                "respond_to_invitation",
                f"{answer.capitalize()}: '{e['title']}'.",
                event_id=e["event_id"],
                person_id=me["person_id"],
                response=answer,
            )
            answers.append(f"'{e['title']}' {answer}")
        return "Done: " + "; ".join(answers) + "."

    facts.update(first_day=first.isoformat(), last_day=last.isoformat())
    return make_task(SYSTEM_PROMPT, f"{intro} {ask}", plan, facts=facts, literals=literals)
