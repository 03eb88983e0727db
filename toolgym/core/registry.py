"""One way to name an extension: a registry of entries, each imported only when first used.

Env suites, tool-call formats, agents and fault types are all found by name. An entry is a
``"module:attr"`` string (as Gymnasium's ``entry_point``: nothing is imported until the entry is
asked for, so ``import toolgym`` stays fast and a lower layer can name a higher one) or the
object itself (a fault class registers itself when it is defined).

>>> demo = Registry("colour")
>>> demo.register("pi", "math:pi")
>>> round(demo.get("pi"), 2), demo.names()
(3.14, ['pi'])
>>> demo.get("tau")
Traceback (most recent call last):
...
ValueError: unknown colour 'tau'; known: pi
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> entries of one kind (``kind`` is how errors speak of them), in registration
    order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._targets: dict[str, str | T] = {}
        self._loaded: dict[str, T] = {}

    def register(self, name: str, target: str | T, *, replace: bool = False) -> None:
        """Add ``name``; a second entry of the same name is an error unless ``replace``."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.kind} needs a non-empty name, got {name!r}")
        if isinstance(target, str) and target.count(":") != 1:
            raise ValueError(f"{self.kind} {name!r}: target must be 'module:attr', got {target!r}")
        if name in self._targets and not replace and self._targets[name] is not target:
            raise ValueError(f"two {self.kind}s are named {name!r} (pass replace=True to swap)")
        self._targets[name] = target
        self._loaded.pop(name, None)

    def get(self, name: str) -> T:
        """The entry called ``name``, imported on first use; a clear error names the choices."""
        found = self._loaded.get(name)
        if found is not None:
            return found
        try:
            target = self._targets[name]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(name), list(self._targets), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(self._targets)
            raise ValueError(f"unknown {self.kind} {name!r}{hint}; known: {known}") from None
        if isinstance(target, str):
            module, attribute = target.split(":")
            target = getattr(importlib.import_module(module), attribute)
        self._loaded[name] = target  # type: ignore[assignment]
        return target  # type: ignore[return-value]

    def target(self, name: str) -> str | T:
        """What ``name`` was registered as (its ``"module:attr"``, or the object)."""
        return self._targets[name]

    def names(self) -> list[str]:
        return list(self._targets)

    def items(self) -> Iterator[tuple[str, T]]:
        """Every entry, imported."""
        for name in self._targets:
            yield name, self.get(name)

    def __contains__(self, name: Any) -> bool:
        return name in self._targets

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
