"""Tool-call formats (scaffolds): how tools, turns and results are written as text.

The same agent must work in any scaffold, so the format it is asked to speak is itself a
perturbation. Each format renders the tools into a system prompt, a turn into the completion a
model would write, results into the text it reads next, and parses a completion back into an
:class:`~toolgym.core.messages.AgentTurn`, never raising.

>>> import toolgym.formats as formats
>>> formats.names()
['openai', 'hermes', 'react', 'xml', 'pythonic', 'json']
>>> fmt = formats.get("react")
>>> completion = 'Thought: Find it.\\nAction: get_order\\nAction Input: {"order_id": "A1"}'
>>> turn, statuses = fmt.parse(completion)
>>> turn.tool_calls[0].name, statuses
('get_order', ['ok'])
"""

from __future__ import annotations

from typing import Any

from toolgym.core.registry import Registry
from toolgym.formats.base import STATUSES, Format, ToolSpecs, split_thinking
from toolgym.formats.hermes import HermesFormat
from toolgym.formats.json_object import JSONFormat
from toolgym.formats.openai_json import OpenAIFormat
from toolgym.formats.pythonic import PythonicFormat
from toolgym.formats.react import ReActFormat
from toolgym.formats.templates import TEMPLATES, Template, get_template
from toolgym.formats.xml_invoke import XMLFormat

__all__ = [
    "FORMATS",
    "STATUSES",
    "TEMPLATES",
    "Format",
    "HermesFormat",
    "JSONFormat",
    "OpenAIFormat",
    "PythonicFormat",
    "ReActFormat",
    "Template",
    "ToolSpecs",
    "XMLFormat",
    "get",
    "get_template",
    "names",
    "register",
    "split_thinking",
]

FORMATS: Registry[type[Format]] = Registry("format")
for _cls in (OpenAIFormat, HermesFormat, ReActFormat, XMLFormat, PythonicFormat, JSONFormat):
    FORMATS.register(_cls.name, f"{_cls.__module__}:{_cls.__qualname__}")
_DEFAULTS: dict[str, Format] = {}


def names() -> list[str]:
    """Every format's name."""
    return FORMATS.names()


def register(cls: str | type[Format], name: str | None = None) -> None:
    """Add a format of your own (a :class:`Format` subclass, or its ``"module:attr"``): the
    ``format=`` of ``gym.make``, the scaffold fault and the format tests then know it."""
    key = name or (cls.name if not isinstance(cls, str) else "")
    if not key:
        raise ValueError("name the format: register('pkg.mod:MyFormat', name='mine')")
    FORMATS.register(key, cls)
    _DEFAULTS.pop(key, None)


def get(name: str | Format, **options: Any) -> Format:
    """The format called ``name``; ``options`` (``template``, ``calls_in_thinking``) configure
    a new instance, otherwise a shared default one is returned. A ``Format`` passes through."""
    if isinstance(name, Format):
        if options:
            raise ValueError(
                f"options {sorted(options)} cannot be applied to the instance {name!r}"
            )
        return name
    if not isinstance(name, str) or name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {names()}")
    cls = FORMATS.get(name)
    if options:
        return cls(**options)
    found = _DEFAULTS.get(name)
    if found is None:
        found = _DEFAULTS[name] = cls()
    return found
