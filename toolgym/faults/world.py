"""Faults on the world at reset: distractor and near-duplicate records, a larger world,
listings in another order, and ids and dates in another format.

They work on any toolkit that keeps its state in a journaled
:class:`~toolgym.core.state.Database` (an ``ApiToolkit``'s ``db``), generically: a table's
keys tell its id scheme, string fields that hold other tables' keys are references, and fields
with mostly distinct strings are free text. Every write goes through the journal, so the next
reset rolls it back. The reference run happens after these faults, so the checker judges the
perturbed world, and the task stays unambiguous: a new record never repeats a term of the
request (an id, an email, a name the user gave) and never hangs under a record the request
names, so it cannot become the answer by accident. And it stays possible: after changing the
world a fault runs the task's plan once, and undoes its change if the plan no longer completes
(a new meeting in the room the task must book, say).

Id and date formats are migrated at the boundary instead: the journaled world and the task's
plan keep their canonical values, and the :class:`~toolgym.faults.support.ValueCodec` rewrites
results, prompts, facts, literals and tool descriptions to the new form and the agent's
arguments back, rejecting arguments still in the old form as a migrated API would.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import Field

from toolgym.core.episode import Episode, Invocation
from toolgym.core.state import Database, Record, Table
from toolgym.faults.base import Fault, FaultContext
from toolgym.faults.support import codec_of, plan_completes

__all__ = [
    "DateFormat",
    "DistractorRecords",
    "IdFormat",
    "LargerWorld",
    "NearDuplicateRecords",
    "ReorderedListings",
]

_ID = re.compile(r"^(\D*?)(\d+)$")
_NUMERIC_TEXT = re.compile(r"^[\d\s\-:/.T+Z]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUALIFIERS = (" Jr.", " II", " Pro", " Plus", " Lite", " 2", " Sr.", " Max")


# ----------------------------------------------------------------- world index
@dataclass
class _IdScheme:
    """Keys ``prefix + digits``: their width and smallest and largest numbers."""

    prefix: str
    width: int
    low: int
    high: int


@dataclass
class _TableInfo:
    table: Table[Any]
    schemes: list[_IdScheme]
    keys: list[str]  # the clean world's keys, sorted
    refs: dict[str, str] = field(default_factory=dict)  # field -> referenced table
    ref_lists: dict[str, str] = field(default_factory=dict)  # tuple field -> referenced table
    texts: dict[str, list[str]] = field(default_factory=dict)  # free-text field -> values
    unique: dict[str, set[str]] = field(default_factory=dict)  # field -> values in use
    shapes: dict[str, dict[tuple[int, bool], list[str]]] = field(default_factory=dict)


@dataclass
class _WorldIndex:
    """What the world faults read from a clean world, computed once per database."""

    tables: dict[str, _TableInfo]
    dates: bool
    by_value: dict[str, list[tuple[str, str]]]  # a top-level string -> (table, key) holding it
    key_pattern: re.Pattern[str] | None  # finds keys of any id scheme in text


_INDEXES: weakref.WeakKeyDictionary[Database, _WorldIndex] = weakref.WeakKeyDictionary()


def _databases(episode: Episode) -> list[Database]:
    out = []
    for toolkit in episode.world.toolkits:
        db = getattr(toolkit, "db", None)
        if isinstance(db, Database):
            out.append(db)
    return out


def _all_records(episode: Episode) -> bool:
    """Whether every toolkit keeps its values in records. Value-format faults rewrite ids and
    dates wherever the agent reads them; where a toolkit's values are also names (a file
    called ``2026-01-26_2702.jpeg``), the rewritten form would name something else."""
    return len(_databases(episode)) == len(episode.world.toolkits)


def _index(db: Database) -> _WorldIndex:
    found = _INDEXES.get(db)
    if found is None:
        found = _INDEXES[db] = _build_index(db)
    return found


def _schemes(keys: list[str]) -> list[_IdScheme]:
    groups: dict[tuple[str, int], list[int]] = {}
    for key in keys:
        match = _ID.match(key)
        if match is None:
            return []
        prefix, digits = match.groups()
        groups.setdefault((prefix, len(digits)), []).append(int(digits))
    return [
        _IdScheme(prefix, width, min(nums), max(nums))
        for (prefix, width), nums in groups.items()
        if len(nums) >= 2
    ]


def _is_literal(annotation: Any) -> bool:
    if get_origin(annotation) is Literal:
        return True
    return any(get_origin(a) is Literal for a in get_args(annotation))


def _majority(names: list[str | None]) -> str:
    return max(sorted({n for n in names if n}), key=names.count)


def _build_index(db: Database) -> _WorldIndex:
    """Read the id schemes, references and free text of every table; nothing here depends on
    the order of rows, so a listing reordered earlier in the same reset changes nothing."""
    owner: dict[str, str] = {}
    for name, table in db.tables.items():
        for key in table:
            owner.setdefault(key, name)
    tables: dict[str, _TableInfo] = {}
    by_value: dict[str, list[tuple[str, str]]] = {}
    dates = False
    for name, table in db.tables.items():
        items = sorted(table.items())
        for key, row in items:
            for value in row.__dict__.values():
                if type(value) is str:
                    by_value.setdefault(value, []).append((name, key))
        if len(items) < 2:
            continue
        keys = [k for k, _ in items]
        info = _TableInfo(table, _schemes(keys), keys)
        for field_name, spec in table.record_type.model_fields.items():
            values = [(k, getattr(r, field_name)) for k, r in items]
            present = [v for _, v in values if v is not None]
            if not present or _is_literal(spec.annotation) or all(k == v for k, v in values):
                continue
            if all(type(v) is str for v in present):
                dates = dates or any(_ISO_DATE.match(v) for v in present)
                targets = [owner.get(v) for v in present]
                if targets.count(None) <= len(present) // 10 and any(targets):
                    info.refs[field_name] = _majority(targets)
                elif not any(_NUMERIC_TEXT.match(v) for v in present):
                    distinct = sorted(set(present))
                    if len(distinct) >= max(2, len(present) // 2):
                        info.texts[field_name] = distinct
                    if len(distinct) == len(present):
                        info.unique[field_name] = set(distinct)
            elif all(isinstance(v, tuple) and all(type(x) is str for x in v) for v in present):
                members = [owner.get(x) for v in present for x in v]
                if members and None not in members:
                    info.ref_lists[field_name] = _majority(members)
        tables[name] = info
    prefixes = sorted({s.prefix for i in tables.values() for s in i.schemes}, key=len, reverse=True)
    pattern = None
    if prefixes:
        pattern = re.compile("(?:" + "|".join(map(re.escape, prefixes)) + r")\d+")
    return _WorldIndex(tables, dates, by_value, pattern)


# --------------------------------------------------------------- new records
class _Builder:
    """Makes new records for one episode: fresh keys, references only to records the request
    does not name, and no field equal to a term of the request."""

    def __init__(self, ctx: FaultContext, db: Database) -> None:
        self.ctx = ctx
        self.db = db
        self.index = index = _index(db)
        task = ctx.episode.task
        self.terms = {*task.literals, *(v for v in task.facts.values() if isinstance(v, str))}
        named = {hit for term in sorted(self.terms) for hit in index.by_value.get(term, ())}
        if index.key_pattern is not None:
            prompt = f"{ctx.episode.user_prompt}\n{task.user_prompt}"
            for key in index.key_pattern.findall(prompt):
                named.update(
                    (name, key) for name, info in index.tables.items() if key in info.table
                )
        self.named = named  # (table, key) of every record the request is about
        self._used: dict[str, set[str]] = {}  # unique values this episode added

    def relevant(self, table: str, key: str) -> bool:
        return (table, key) in self.named

    def other(self, table: str) -> str | None:
        """A key of ``table`` the request does not name."""
        keys = self.index.tables[table].keys if table in self.index.tables else []
        for _ in range(16 if keys else 0):
            key = self.ctx.choice(keys)
            if not self.relevant(table, key):
                return key
        return None

    def new_key(self, info: _TableInfo, like: str) -> str | None:
        """A fresh key in the id scheme of ``like`` (another key of the table)."""
        if not info.schemes:
            return None
        same = [
            s
            for s in info.schemes
            if like.startswith(s.prefix) and len(like) - len(s.prefix) == s.width
        ]
        scheme = self.ctx.choice(same or info.schemes)
        floor = 10 ** (scheme.width - 1) if scheme.width > 1 else 0
        for _ in range(8):
            if scheme.low - floor > 16:
                number = floor + self.ctx.integers(scheme.low - floor)
                key = f"{scheme.prefix}{number:0{scheme.width}d}"
            else:  # no room below the scheme: one digit more, far above any counter
                number = scheme.high + 10**scheme.width + self.ctx.integers(10**scheme.width)
                key = f"{scheme.prefix}{number}"
            if key not in info.table:
                return key
        return None

    def copy(self, table_name: str, source: Record, text: Any) -> Record | None:
        """A copy of ``source`` under a new key, ``text(field, value)`` for free text."""
        info = self.index.tables[table_name]
        key = self.new_key(info, info.table._key(source))
        if key is None:
            return None
        update: dict[str, Any] = {}
        key_field = next(
            (f for f, v in source.__dict__.items() if v == info.table._key(source)), None
        )
        if key_field is None:
            return None
        update[key_field] = key
        for name, target in info.refs.items():
            if getattr(source, name) is not None:
                update[name] = self.other(target)
        for name, target in info.ref_lists.items():
            update[name] = tuple(self.other(target) for _ in getattr(source, name))
        if any(v is None or (type(v) is tuple and None in v) for v in update.values()):
            return None  # nothing the request does not name to attach it to
        for name in info.texts:
            value = getattr(source, name)
            if type(value) is str:
                update[name] = text(name, value)
        for name, used in info.unique.items():
            added = self._used.get(name, set())
            value = update.get(name, getattr(source, name))
            while type(value) is str and (value in used or value in added):
                value = _bump(value, self.ctx.integers(10))
            update[name] = value
        record = source.model_copy(update=update)
        if any(type(v) is str and v in self.terms for v in record.__dict__.values()):
            return None
        return record

    def insert(self, table_name: str, record: Record) -> None:
        info = self.index.tables[table_name]
        info.table.insert(record)
        for name in info.unique:
            value = getattr(record, name)
            if type(value) is str:
                self._used.setdefault(name, set()).add(value)


def _bump(value: str, digit: int) -> str:
    """``value`` with one more digit: before an email's ``@``, else at the end."""
    if "@" in value:
        local, domain = value.split("@", 1)
        return f"{local}{digit}@{domain}"
    return f"{value}{digit}"


def _near(ctx: FaultContext, value: str) -> str:
    """A near-duplicate: a middle initial, a qualifier, or one letter changed."""
    if "@" in value:
        return _bump(value, ctx.integers(10))
    words = value.split(" ")
    kind = ctx.integers(3)
    if kind == 0 and len(words) >= 2:
        initial = chr(ord("A") + ctx.integers(26))
        return " ".join([words[0], f"{initial}.", *words[1:]])
    if kind == 1 or len(words[-1]) < 4:
        return value + ctx.choice(_QUALIFIERS)
    last = words[-1]
    i = 1 + ctx.integers(len(last) - 2)
    swapped = last[:i] + last[i + 1] + last[i] + last[i + 2 :]
    if swapped == last:
        return value + ctx.choice(_QUALIFIERS)
    return " ".join([*words[:-1], swapped])


def _blend(ctx: FaultContext, alike: list[str], value: str) -> str:
    """A plausible new value in the shape of ``value``, from ``alike`` (real values with as many
    words): the first word of one and the rest of another (``Jane Doe`` + ``Raj Patel`` ->
    ``Jane Patel``)."""
    a, b = ctx.choice(alike or [value]), ctx.choice(alike or [value])
    if "@" in a and "@" in b:
        return a.split("@")[0].split(".")[0] + "." + b.split(".", 1)[-1]
    head, tail = a.split(" ", 1)[0], b.split(" ", 1)
    if len(tail) == 2:
        return f"{head} {tail[1]}"
    return _bump(a, ctx.integers(10))


def _shape(value: str) -> tuple[int, bool]:
    return value.count(" "), "@" in value


def _alike(info: _TableInfo, field: str, value: str) -> list[str]:
    """The table's values of ``field`` shaped like ``value`` (cached on the clean-world index)."""
    shapes = info.shapes.get(field)
    if shapes is None:
        shapes = info.shapes[field] = {}
        for text in info.texts[field]:
            shapes.setdefault(_shape(text), []).append(text)
    return shapes.get(_shape(value), [])


def _growable(index: _WorldIndex) -> list[str]:
    return [name for name, info in index.tables.items() if info.schemes]


def _keep_if_solvable(ctx: FaultContext, marks: list[tuple[Database, int]]) -> bool:
    """Undo the writes since ``marks`` unless the task's plan still completes."""
    if plan_completes(ctx.episode):
        return True
    for db, mark in marks:
        db.rollback(mark)
    return False


def _add_records(ctx: FaultContext, count: int, near: bool) -> dict[str, int]:
    """Insert up to ``count`` new records across tables; how many went into each (nothing if
    they would have made the task impossible)."""
    added: dict[str, int] = {}
    marks = [(db, db.mark()) for db in _databases(ctx.episode)]
    for db in _databases(ctx.episode):
        builder = _Builder(ctx, db)
        names = _growable(builder.index)
        if not names:
            continue
        weights = _cumulative([len(builder.index.tables[n].table) for n in names])
        total = weights[-1]
        about = sorted((t, k) for t, k in builder.named if t in names) if near else []
        for attempt in range(count):
            if about and attempt % 2 == 0:  # near-duplicates of what the request is about
                name, key = ctx.choice(about)
                info = builder.index.tables[name]
            else:
                pick = ctx.integers(total)
                name = next(n for n, w in zip(names, weights, strict=True) if pick < w)
                info = builder.index.tables[name]
                key = ctx.choice(info.keys)
            source = info.table.get(key)
            if source is None:
                continue
            if near:
                record = builder.copy(name, source, lambda f, v: _near(ctx, v))
            else:
                record = builder.copy(
                    name, source, lambda f, v, i=info: _blend(ctx, _alike(i, f, v), v)
                )
            if record is not None:
                builder.insert(name, record)
                if near:  # the copy is listed first: taking the first hit finds it
                    info.table.insert(info.table.delete(key))
                added[name] = added.get(name, 0) + 1
    if added and not _keep_if_solvable(ctx, marks):
        return {}
    return added


def _cumulative(weights: list[int]) -> list[int]:
    out, running = [], 0
    for w in weights:
        running += w
        out.append(running)
    return out


class _WorldFault(Fault):
    axis: ClassVar = "world"
    hook: ClassVar = "world"
    stage: ClassVar = "reset"


def _summary(added: dict[str, int]) -> str:
    return ", ".join(f"+{n} {table}" for table, n in added.items())


class DistractorRecords(_WorldFault):
    """New records that look like the others (names and labels recombined from real ones),
    attached only to records the request does not name."""

    name: ClassVar = "distractor_records"
    order: ClassVar = 10

    count: int = Field(6, ge=1, le=20, description="How many records to add.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        added = _add_records(ctx, self.count, near=False)
        if added:
            ctx.record("world", _summary(added))


class NearDuplicateRecords(_WorldFault):
    """Near-duplicates of the records the request is about (``Jane Doe`` -> ``Jane R. Doe``,
    ``Yoga Mat`` -> ``Yoga Mat Pro``) under new ids and emails, listed before the originals:
    a careless query matches them first, though they never match the request exactly."""

    name: ClassVar = "near_duplicate_records"
    order: ClassVar = 20

    count: int = Field(3, ge=1, le=10, description="How many near-duplicates to add.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        added = _add_records(ctx, self.count, near=True)
        if added:
            ctx.record("world", _summary(added))


class LargerWorld(_WorldFault):
    """Many more records, so listings and searches return more (long context)."""

    name: ClassVar = "larger_world"
    order: ClassVar = 30

    records: int = Field(80, ge=10, le=400, description="How many records to add.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        added = _add_records(ctx, self.records, near=False)
        if added:
            ctx.record("world", _summary(added))


class ReorderedListings(_WorldFault):
    """Rows moved within their tables, so listings without a documented order come back in
    another order (sorted listings stay sorted)."""

    name: ClassVar = "reordered_listings"
    order: ClassVar = 40

    count: int = Field(10, ge=1, le=30, description="How many rows to move.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        moved: dict[str, int] = {}
        marks = [(db, db.mark()) for db in _databases(ctx.episode)]
        for db in _databases(ctx.episode):
            tables = [t for t in db.tables.values() if len(t) >= 3]
            for _ in range(self.count if tables else 0):
                table = ctx.choice(tables)
                keys = list(table)
                key = keys[ctx.integers(len(keys) - 1)]  # never the last row: that moves nothing
                table.insert(table.delete(key))
                moved[table.name] = moved.get(table.name, 0) + 1
        if moved and _keep_if_solvable(ctx, marks):
            ctx.record("world", ", ".join(f"{n} rows of {t} moved" for t, n in moved.items()))


# ---------------------------------------------------------------- value formats
def _apply_codec(ctx: FaultContext) -> None:
    """Show the prompts, facts, literals and tool descriptions in the codec's visible form."""
    episode = ctx.episode
    codec = codec_of(episode)
    assert codec is not None
    episode.system_prompt = codec.visible_text(episode.system_prompt)
    episode.user_prompt = codec.visible_text(episode.user_prompt)
    episode.pending_user = [codec.visible_text(m) for m in episode.pending_user]
    task = episode.task
    task.literals = tuple(codec.visible_text(t) for t in task.literals)
    task.facts = {
        k: codec.visible_text(v) if isinstance(v, str) else v for k, v in task.facts.items()
    }
    entries = episode.view.entries
    shown = codec.to_visible([[e.description, e.parameters] for e in entries])
    for entry, (description, parameters) in zip(entries, shown, strict=True):
        if description != entry.description or parameters != entry.parameters:
            episode.view.replace(entry.name, description=description, parameters=parameters)


_ID_STYLES = ("dashed", "underscored", "compact", "hashed")


def _restyle(prefix: str, style: str) -> str:
    tokens = re.findall(r"[A-Za-z0-9]+", prefix)
    if not tokens:
        return prefix
    if style == "dashed":
        return "-".join(t.upper() for t in tokens) + "-"
    if style == "underscored":
        return "_".join(t.lower() for t in tokens) + "_"
    if style == "compact":
        return "".join(t.upper() for t in tokens)
    return "#" + "".join(t.upper() for t in tokens)


def _id_pattern(prefix: str, digits: str) -> str:
    """``prefix`` then digits, not preceded by an id character. The prefix comes first (the
    preceding character is checked in a look-behind after it) so the regex engine can jump
    from one occurrence of the prefix to the next: ten times faster on a result."""
    literal = re.escape(prefix)
    return rf"{literal}(?<=(?<![A-Za-z0-9_#-]){literal})({digits})(?!\d)"


class IdFormat(_WorldFault):
    """Ids migrated to another format everywhere the agent looks (``#W1234567`` ->
    ``W-1234567``, ``C-10001`` -> ``c_10001``): the API takes the new form and rejects the old
    one with an ``invalid_format`` error that shows the new form."""

    name: ClassVar = "id_format"
    order: ClassVar = 50

    style: Literal["dashed", "underscored", "compact", "hashed", "random"] = Field(
        "random", description="How ids are written."
    )

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        if not _all_records(ctx.episode):
            return
        lows = {
            (s.prefix, s.width): s.low
            for db in _databases(ctx.episode)
            for info in _index(db).tables.values()
            for s in info.schemes
        }
        schemes = set(lows)
        if not schemes:
            return
        style = self.style if self.style != "random" else ctx.choice(_ID_STYLES)
        prefixes = sorted({p for p, _ in schemes})
        new = {p: _restyle(p, style) for p in prefixes}
        changed = [p for p in prefixes if new[p] != p]
        clash = len({new[p] for p in prefixes}) < len(prefixes) or any(
            new[p] in prefixes for p in changed
        )
        if not changed or clash:
            return
        codec = codec_of(ctx.episode, create=True)
        assert codec is not None
        for prefix in sorted(changed, key=len, reverse=True):
            digits = "|".join(sorted({rf"\d{{{w}}}" for p, w in schemes if p == prefix}))
            shown = new[prefix]
            width = min(w for p, w in schemes if p == prefix)
            codec.add(
                _id_pattern(prefix, digits),
                shown.replace("\\", "\\\\") + r"\1",
                _id_pattern(shown, digits),
                prefix.replace("\\", "\\\\") + r"\1",
                out_hints=(prefix,),
                in_hints=(shown,),
                kind="id",
                example=shown + str(lows[(prefix, width)]).zfill(width),
            )
        _apply_codec(ctx)
        ctx.record("ids", ", ".join(f"{p}... -> {new[p]}..." for p in changed))


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_ISO_IN_TEXT = r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\dT:])(?!-\d)"
_DATE_HINTS = {"us": ("/",), "eu": (".",), "long": _MONTHS}
_DATE_STYLES: dict[str, tuple[Any, str, Any, str]] = {
    "us": (r"\2/\3/\1", r"(?<![\d/])(\d{2})/(\d{2})/(\d{4})(?![\d/])", r"\3-\1-\2", "05/15/2026"),
    "eu": (r"\3.\2.\1", r"(?<![\d.])(\d{2})\.(\d{2})\.(\d{4})(?!\d)(?!\.\d)", r"\3-\2-\1",
           "15.05.2026"),
    "long": (
        lambda m: f"{_MONTHS[int(m.group(2)) - 1]} {int(m.group(3))}, {m.group(1)}"
        if 1 <= int(m.group(2)) <= 12 else m.group(0),
        r"\b(" + "|".join(_MONTHS) + r") (\d{1,2}), (\d{4})\b",
        lambda m: f"{m.group(3)}-{_MONTHS.index(m.group(1)) + 1:02d}-{int(m.group(2)):02d}",
        "May 15, 2026",
    ),
}  # fmt: skip


class DateFormat(_WorldFault):
    """Dates migrated to another format (``2026-05-15`` -> ``05/15/2026``, ``15.05.2026`` or
    ``May 15, 2026``): the API takes the new form and rejects ISO dates with an
    ``invalid_format`` error that shows the new form."""

    name: ClassVar = "date_format"
    order: ClassVar = 51

    style: Literal["us", "eu", "long", "random"] = Field("random", description="Date style.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        episode = ctx.episode
        if not _all_records(episode):
            return
        has_dates = any(_index(db).dates for db in _databases(episode))
        if not has_dates and not re.search(_ISO_IN_TEXT, episode.user_prompt):
            return
        style = self.style if self.style != "random" else ctx.choice(tuple(_DATE_STYLES))
        out_repl, in_pattern, in_repl, example = _DATE_STYLES[style]
        codec = codec_of(episode, create=True)
        assert codec is not None
        codec.add(
            _ISO_IN_TEXT,
            out_repl,
            in_pattern,
            in_repl,
            out_hints=("-0", "-1"),  # every ISO date has a month starting with 0 or 1
            in_hints=_DATE_HINTS[style],
            kind="date",
            example=example,
        )
        _apply_codec(ctx)
        ctx.record("dates", f"2026-05-15 -> {example} ({style})")
