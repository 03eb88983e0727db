"""A journaled in-memory database: cheap reset, exact diffs.

Records are frozen pydantic models; every write goes through a :class:`Table` method that logs
the previous value. A snapshot is just a position in that log, so resetting an episode costs
time proportional to what the episode wrote, not to the size of the world (tau-bench deep-copies
the whole database instead). The same log gives the exact set of records an episode changed,
which is what state-based checkers compare.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Change", "Database", "Record", "Table"]


class Record(BaseModel):
    """An immutable row. Change it with ``table.update(id, field=value)``.

    ``free_fields`` name optional fields whose value is the writer's own choice (a memo on a
    transfer): a checker compares them only when the task asked for a value.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    free_fields: ClassVar[frozenset[str]] = frozenset()


R = TypeVar("R", bound=Record)


class _Sentinel:
    """A marker compared by identity; copies and pickles stay the same object."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __reduce__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return self._name


_ABSENT: Any = _Sentinel("_ABSENT")
Change = tuple[str, str, Any, Any]  # (table, key, before or None, after or None)


class Table(Generic[R]):
    """Rows of one record type keyed by id, in insertion order."""

    __slots__ = ("_base", "_db", "_key", "_rows", "name", "record_type")

    def __init__(
        self, db: Database, name: str, record_type: type[R], key: Callable[[R], str]
    ) -> None:
        self._db = db
        self.name = name
        self.record_type = record_type
        self._key = key
        self._rows: dict[str, R] = {}
        self._base: dict[str, R] | None = None  # rows shared with other forks, never written

    def __getitem__(self, key: str) -> R:
        return self._rows[key]

    def get(self, key: str, default: R | None = None) -> R | None:
        return self._rows.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def values(self) -> list[R]:
        return list(self._rows.values())

    def items(self) -> list[tuple[str, R]]:
        return list(self._rows.items())

    def where(self, **equals: Any) -> list[R]:
        """Rows whose fields equal the given values, in insertion order."""
        return [
            row
            for row in self._rows.values()
            if all(getattr(row, k) == v for k, v in equals.items())
        ]

    def insert(self, record: R) -> R:
        key = self._key(record)
        if key in self._rows:
            raise KeyError(f"{self.name}: duplicate id {key!r}")
        self._db._log(self, key, _ABSENT)
        self._mine()[key] = record
        return record

    def update(self, key: str, **changes: Any) -> R:
        old = self._rows[key]
        new = old.model_copy(update=changes)
        self._db._log(self, key, old)
        self._mine()[key] = new
        return new

    def replace(self, record: R) -> R:
        key = self._key(record)
        self._db._log(self, key, self._rows.get(key, _ABSENT))
        self._mine()[key] = record
        return record

    def delete(self, key: str) -> R:
        old = self._rows[key]
        position = list(self._rows).index(key)
        self._db._log(self, key, _Deleted(old, position))
        del self._mine()[key]
        return old

    def _mine(self) -> dict[str, R]:
        """The rows to write: a fork's own copy, made on its first write (copy-on-write)."""
        rows = self._rows
        if rows is self._base:
            rows = self._rows = dict(rows)
        return rows

    def _put_back(self, key: str, old: Any) -> None:
        self._mine()
        if old is _ABSENT:
            del self._rows[key]
        elif isinstance(old, _Deleted):
            # Back in its old place: listings keep their order across episodes.
            rows = list(self._rows.items())
            rows.insert(old.position, (key, old.record))
            self._rows = dict(rows)
        else:
            self._rows[key] = old


class Database:
    """Named tables sharing one undo journal.

    >>> class Item(Record):
    ...     id: str
    ...     qty: int
    >>> db = Database()
    >>> items = db.table("items", Item)
    >>> _ = items.insert(Item(id="a", qty=1))
    >>> mark = db.mark()
    >>> _ = items.update("a", qty=5)
    >>> [(t, k, before.qty, after.qty) for t, k, before, after in db.changes_since(mark)]
    [('items', 'a', 1, 5)]
    >>> db.rollback(mark); items["a"].qty
    1
    """

    def __init__(self) -> None:
        self.tables: dict[str, Table[Any]] = {}
        self._journal: list[tuple[Table[Any], str, Any]] = []
        self.counters: dict[str, int] = {}

    def table(
        self, name: str, record_type: type[R], key: Callable[[R], str] | None = None
    ) -> Table[R]:
        if name in self.tables:
            raise ValueError(f"table {name!r} already exists")
        tbl: Table[R] = Table(self, name, record_type, key or operator.attrgetter("id"))
        self.tables[name] = tbl
        return tbl

    def next_id(self, counter: str, start: int = 1) -> int:
        """A deterministic sequence number that rollback also rewinds."""
        value = self.counters.get(counter, start)
        self._journal.append((_COUNTERS, counter, self.counters.get(counter, _ABSENT)))
        self.counters[counter] = value + 1
        return value

    def _log(self, table: Table[Any], key: str, old: Any) -> None:
        self._journal.append((table, key, old))

    def mark(self) -> int:
        """A snapshot token: the journal's current length."""
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo every write made since ``mark``, newest first."""
        journal = self._journal
        if not 0 <= mark <= len(journal):
            raise ValueError(f"mark {mark} is outside the journal (length {len(journal)})")
        while len(journal) > mark:
            table, key, old = journal.pop()
            if table is _COUNTERS:
                if old is _ABSENT:
                    self.counters.pop(key, None)
                else:
                    self.counters[key] = old
            else:
                table._put_back(key, old)
        if mark == 0:  # back where a fork started: share its rows again
            for table in self.tables.values():
                if table._base is not None:
                    table._rows = table._base

    def commit(self) -> None:
        """Forget the journal: the current state becomes the base no rollback goes behind."""
        self._journal.clear()
        for table in self.tables.values():
            if table._rows is not table._base:
                table._base = None  # its own rows are now the truth, not the shared ones

    def fork(self) -> Database:
        """A database that starts as this one and shares its rows until it writes them: each
        table is copied on its first write, and shared again once rolled back to the fork.
        This one must not be written afterwards (forks read its rows)."""
        if self._journal:
            raise ValueError("fork() needs a committed database: call commit() first")
        clone = Database()
        for name, table in self.tables.items():
            copy: Table[Any] = Table(clone, name, table.record_type, table._key)
            copy._rows = copy._base = table._rows
            clone.tables[name] = copy
        clone.counters = dict(self.counters)
        return clone

    def changes_since(self, mark: int) -> list[Change]:
        """Each record that differs from its state at ``mark``, once, in first-touch order."""
        first: dict[tuple[str, str], tuple[Table[Any], Any]] = {}
        for table, key, old in self._journal[mark:]:
            if table is _COUNTERS:
                continue
            first.setdefault((table.name, key), (table, old))
        out: list[Change] = []
        for (name, key), (table, old) in first.items():
            before = _before(old)
            after = table.get(key)
            if before != after:
                out.append((name, key, before, after))
        return out


class _Deleted:
    """A journal entry for a deleted row: the row and where it stood."""

    __slots__ = ("position", "record")

    def __init__(self, record: Any, position: int) -> None:
        self.record = record
        self.position = position


def _before(old: Any) -> Any:
    if old is _ABSENT:
        return None
    return old.record if isinstance(old, _Deleted) else old


class _CounterSentinel(_Sentinel):
    name = "__counters__"


_COUNTERS: Any = _CounterSentinel("_COUNTERS")
