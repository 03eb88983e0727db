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
    "split_thinking",
]

FORMATS: dict[str, type[Format]] = {
    cls.name: cls
    for cls in (OpenAIFormat, HermesFormat, ReActFormat, XMLFormat, PythonicFormat, JSONFormat)
}
_DEFAULTS: dict[str, Format] = {}


def names() -> list[str]:
    """Every format's name."""
    return list(FORMATS)


def get(name: str | Format, **options: Any) -> Format:
    """The format called ``name``; ``options`` (``template``, ``calls_in_thinking``) configure
    a new instance, otherwise a shared default one is returned. A ``Format`` passes through."""
    if isinstance(name, Format):
        if options:
            raise ValueError(
                f"options {sorted(options)} cannot be applied to the instance {name!r}"
            )
        return name
    cls = FORMATS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown format {name!r}; choose from {names()}")
    if options:
        return cls(**options)
    found = _DEFAULTS.get(name)
    if found is None:
        found = _DEFAULTS[name] = cls()
    return found
