"""The toolset as the agent sees it, and the routing from what it sees to what runs.

Faults change the view (rename a tool or a parameter, drop a description, add a distractor,
retire a name mid-episode); the real tools never change. Each :class:`ToolEntry` remembers
which canonical tool it reaches and how its parameter names map back, so a renamed tool still
works and the old name fails the way a real API fails for an unknown name.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from toolgym.core.errors import ToolError
from toolgym.core.tool import Tool

__all__ = ["ToolEntry", "ToolView"]


@dataclass(frozen=True)
class ToolEntry:
    """One tool as shown: its visible name, description and JSON Schema, and where it goes.

    ``target`` is the canonical tool it runs; an entry with a ``handler`` instead is a tool that
    exists only in the view (a distractor, ``ask_user``). ``arg_names`` maps visible parameter
    names to canonical ones where they differ; ``coerce`` adapts visible argument values back to
    the canonical types (for faults that change a parameter's type). Treat ``parameters`` as
    read-only: build a new dict to change it.
    """

    name: str
    description: str
    parameters: dict[str, Any]
    target: str | None = None
    handler: Callable[[dict[str, Any]], Any] | None = None
    arg_names: dict[str, str] = field(default_factory=dict)
    coerce: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def canonical_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Visible argument names and values translated to the canonical tool's.

        A parameter's old name, once renamed, is unknown, as it would be to a real API.
        """
        if self.arg_names:
            hidden = set(self.arg_names.values()).difference(self.arg_names)
            stale = [k for k in arguments if k in hidden]
            if stale:
                expected = ", ".join(self.parameters.get("properties", {})) or "no arguments"
                raise ToolError(
                    "invalid_arguments",
                    f"Invalid arguments for {self.name}: "
                    + "; ".join(
                        f"'{k}' is not a parameter (expected one of: {expected})" for k in stale
                    )
                    + ".",
                    details={"fields": stale},
                )
            arguments = {self.arg_names.get(k, k): v for k, v in arguments.items()}
        if self.coerce is not None:
            arguments = self.coerce(arguments)
        return arguments

    def visible_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Canonical argument names translated to the visible ones (for the oracle)."""
        if not self.arg_names:
            return dict(arguments)
        back = {canonical: visible for visible, canonical in self.arg_names.items()}
        return {back.get(k, k): v for k, v in arguments.items()}


class ToolView:
    """An ordered, editable toolset over fixed canonical tools.

    ``schemas()`` returns a fresh list every call. The schema dicts inside are this view's own
    copies (made once per change, so nothing a caller does reaches the canonical tools or another
    episode) and are shared between calls while the toolset is unchanged: treat them as
    read-only. Copying them on every step would cost more than the rest of the step.
    """

    def __init__(self, tools: Iterable[Tool]) -> None:
        self._entries: list[ToolEntry] = [
            ToolEntry(t.name, t.description, t.spec.parameters_schema, target=t.name) for t in tools
        ]
        self._index: dict[str, int] | None = None
        self._schemas: list[dict[str, Any]] | None = None
        self.retired: dict[str, ToolError] = {}

    @property
    def entries(self) -> tuple[ToolEntry, ...]:
        return tuple(self._entries)

    def names(self) -> list[str]:
        return [e.name for e in self._entries]

    def find(self, name: str) -> ToolEntry | None:
        if self._index is None:
            self._index = {e.name: i for i, e in enumerate(self._entries)}
        i = self._index.get(name)
        return None if i is None else self._entries[i]

    def entry_for(self, canonical: str) -> ToolEntry | None:
        """The visible entry that reaches canonical tool ``canonical``, if any."""
        for entry in self._entries:
            if entry.target == canonical:
                return entry
        return None

    def schemas(self) -> list[dict[str, Any]]:
        if self._schemas is None:
            self._schemas = marshal.loads(marshal.dumps([e.schema() for e in self._entries]))
        return list(self._schemas)

    # Edits: every one invalidates the caches.
    def replace(self, current: str, /, **changes: Any) -> ToolEntry:
        """Change fields of the entry now called ``current``; returns the new entry."""
        i = self._position(current)
        new = replace(self._entries[i], **changes)
        if new.name != current and self.find(new.name) is not None:
            raise ValueError(f"a tool named {new.name!r} is already in the view")
        self._entries[i] = new
        self.retired.pop(new.name, None)
        self._changed()
        return new

    def add(self, entry: ToolEntry, position: int | None = None) -> None:
        if self.find(entry.name) is not None:
            raise ValueError(f"a tool named {entry.name!r} is already in the view")
        self._entries.insert(len(self._entries) if position is None else position, entry)
        self._changed()

    def remove(self, name: str) -> ToolEntry:
        entry = self._entries.pop(self._position(name))
        self._changed()
        return entry

    def reorder(self, order: list[int]) -> None:
        if sorted(order) != list(range(len(self._entries))):
            raise ValueError(f"not a permutation of {len(self._entries)} entries: {order}")
        self._entries = [self._entries[i] for i in order]
        self._changed()

    def _position(self, name: str) -> int:
        if self.find(name) is None:
            raise KeyError(f"no tool named {name!r} in the view")
        assert self._index is not None
        return self._index[name]

    def _changed(self) -> None:
        self._index = None
        self._schemas = None
