"""How values look to the agent: the episode's bijective rewrites of ids and dates.

Faults that migrate a format (``id_format``, ``date_format``) add rules here; the episode's
tool view applies them to every result the agent reads and every argument it sends, and an
agent that reads what it is shown (the oracle among them) uses the same codec to speak the new
form. It lives in the core because both sides need it: faults write it, agents read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from toolgym.core.episode import Episode
from toolgym.core.errors import ToolError

__all__ = ["CODEC_KEY", "ValueCodec", "codec_of", "map_strings"]

CODEC_KEY = "faults.codec"
"""Where an episode keeps its codec (``episode.scratch``), once a fault made one."""


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """``value`` rebuilt with ``fn`` applied to every string in it (keys included)."""
    if type(value) is str:
        return fn(value)
    if isinstance(value, dict):
        return {(fn(k) if type(k) is str else k): map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_strings(v, fn) for v in value]
    return value


class ValueCodec:
    """Bijective rewrites of values (id and date formats) between canonical and visible forms.

    Each rule is a pair of regex substitutions, one per direction; both are applied to every
    string of a result (``to_visible``) or of a call's arguments (``to_canonical``).

    >>> codec = ValueCodec()
    >>> codec.add(r"(?<![\\w-])C-(\\d+)", r"CUS_\\1", r"(?<![\\w-])CUS_(\\d+)", r"C-\\1")
    >>> codec.to_visible({"customer_id": "C-10001"})
    {'customer_id': 'CUS_10001'}
    >>> codec.to_canonical("CUS_10001")
    'C-10001'
    """

    def __init__(self) -> None:
        self._out: list[tuple[re.Pattern[str], Any, tuple[str, ...]]] = []
        self._in: list[tuple[re.Pattern[str], Any, tuple[str, ...]]] = []
        self._kinds: list[tuple[str, str]] = []

    def add(
        self,
        out_pattern: str,
        out_repl: Any,
        in_pattern: str,
        in_repl: Any,
        *,
        out_hints: tuple[str, ...] = (),
        in_hints: tuple[str, ...] = (),
        kind: str = "value",
        example: str = "",
    ) -> None:
        """Add a rule. ``*_hints`` are substrings every match contains: text holding none of
        them is skipped without running the regex. ``kind`` and ``example`` say what the rule
        rewrites and how it looks now, for the error an old-form argument gets."""
        self._out.append((re.compile(out_pattern), out_repl, out_hints))
        self._in.append((re.compile(in_pattern), in_repl, in_hints))
        self._kinds.append((kind, example))

    def retired_form(self, value: Any) -> ToolError | None:
        """The error a migrated API gives an argument still in the old (canonical) form: the
        service no longer accepts it, and says what it expects instead."""
        for text in _strings_in(value):
            for (pattern, _, hints), (kind, example) in zip(self._out, self._kinds, strict=True):
                if hints and not any(hint in text for hint in hints):
                    continue
                match = pattern.search(text)
                if match is not None:
                    shown = f"; write it like '{example}'" if example else ""
                    return ToolError(
                        "invalid_format",
                        f"'{match.group(0)}' is not a valid {kind} in this version of the "
                        f"API{shown}.",
                        details={"value": match.group(0), "expected": example or kind},
                    )
        return None

    @staticmethod
    def _apply(rules: list[tuple[re.Pattern[str], Any, tuple[str, ...]]], text: str) -> str:
        for pattern, repl, hints in rules:
            if hints:
                for hint in hints:
                    if hint in text:
                        text = pattern.sub(repl, text)
                        break
            else:
                text = pattern.sub(repl, text)
        return text

    def visible_text(self, text: str) -> str:
        return self._apply(self._out, text)

    def canonical_text(self, text: str) -> str:
        return self._apply(self._in, text)

    def to_visible(self, value: Any) -> Any:
        """``value`` with every string in the visible form. Structured data is rewritten as
        one JSON text (one regex pass instead of one per string)."""
        if type(value) is str:
            return self.visible_text(value)
        text = json.dumps(value, ensure_ascii=False, default=str)
        new = self.visible_text(text)
        return value if new == text else json.loads(new)

    def to_canonical(self, value: Any) -> Any:
        return map_strings(value, self.canonical_text)


def _strings_in(value: Any) -> list[str]:
    if type(value) is str:
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings_in(v)]
    return []


def codec_of(episode: Episode, create: bool = False) -> ValueCodec | None:
    """The episode's value codec (``None`` when no fault changed a value format)."""
    codec = episode.scratch.get(CODEC_KEY)
    if codec is None and create:
        codec = episode.scratch[CODEC_KEY] = ValueCodec()
    return codec
