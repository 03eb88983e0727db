"""XML invoke blocks: ``<invoke name="..."><parameter name="...">...</parameter></invoke>``.

The shape MiniMax M2 emits (inside ``<minimax:tool_call>``) and Anthropic-style prompting uses
(inside ``<function_calls>``); either wrapper, or none, is read. A parameter's value is plain
text for strings and JSON for anything else; with the tools' schemas a string parameter's value
always stays text. Reasoning may be in ``<think>`` or ``<thinking>`` tags.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats.base import (
    JSON_DECODER,
    Format,
    Reading,
    ToolSpecs,
    dump_json,
    functions,
    type_names,
)

__all__ = ["XMLFormat"]

INVOKE, END_INVOKE = "<invoke", "</invoke>"
PARAMETER, END_PARAMETER = "<parameter", "</parameter>"
WRAPPERS = re.compile(r"</?(?:function_calls|minimax:tool_call|tool_calls)>")
_NAME = re.compile(r"""\bname\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WHITESPACE = " \t\n\r"
_JSON_START = frozenset('-0123456789[{"')
_JSON_WORDS = frozenset({"true", "false", "null"})


class XMLFormat(Format):
    """``<function_calls>`` with ``<invoke>`` blocks of ``<parameter>`` values."""

    name = "xml"
    summary = 'XML invoke blocks: <invoke name="..."><parameter name="...">v</parameter></invoke>'
    example = '<invoke name="tool_name"><parameter name="key">value</parameter></invoke>'
    thinking_tags = ("think", "thinking")

    def render_tools(self, tools: ToolSpecs) -> str:
        listed = "\n".join(json.dumps(fn, ensure_ascii=False) for fn in functions(tools))
        return (
            "# Tools\n\nYou can call these tools, described by JSON schemas inside <tools>:\n"
            f"<tools>\n{listed}\n</tools>\n\nTo call tools, write one or more invoke blocks "
            'inside <function_calls>:\n<function_calls>\n<invoke name="tool_name">\n'
            '<parameter name="key">value</parameter>\n</invoke>\n</function_calls>\n'
            "Write a string value as plain text, and any other value (number, boolean, array, "
            "object) as JSON. You may reason inside <think></think> first; calls written there "
            "are not run."
        )

    def render_turn(self, turn: AgentTurn) -> str:
        invokes = "\n".join(_invoke(call) for call in turn.tool_calls)
        calls = [f"<function_calls>\n{invokes}\n</function_calls>"] if turn.tool_calls else []
        return self.tagged_turn(turn, calls)

    def render_result(self, message: Mapping[str, Any]) -> str:
        name = _attribute(message.get("name") or "")
        return f'<result name="{name}">\n{message.get("content", "")}\n</result>'

    def join_results(self, results: list[str]) -> str:
        return "<function_results>\n" + "\n".join(results) + "\n</function_results>"

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        if INVOKE not in text:
            return Reading(WRAPPERS.sub("", text).strip())
        content: list[str] = []
        calls: list[ToolCall] = []
        pos = 0
        while pos < len(text):
            start = _find_invoke(text, pos)
            if start < 0:
                content.append(text[pos:])
                break
            content.append(text[pos:start])
            pos = self._invoke(text, start, tools, calls)
        return Reading(WRAPPERS.sub("", "".join(content)).strip(), calls)

    def _invoke(
        self, text: str, start: int, tools: dict[str, dict[str, Any]] | None, calls: list[ToolCall]
    ) -> int:
        """Read the invoke block at ``start`` into ``calls``; returns where reading resumes."""
        tag_end = text.find(">", start)
        if tag_end < 0:
            calls.append(self._unclosed("<invoke> tag", text[start:]))
            return len(text)
        name = _name(text[start + len(INVOKE) : tag_end]) or ""
        props = ((tools or {}).get(name) or {}).get("properties") or {}
        arguments: dict[str, Any] = {}
        problem: tuple[str, str] | None = None
        pos = tag_end + 1
        while True:
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            if text.startswith(END_INVOKE, pos):
                break
            if pos >= len(text) or (
                text.startswith(INVOKE, pos) and _find_invoke(text, pos) == pos
            ):
                calls.append(self._unclosed("<invoke> block", text[start:pos], name))
                return pos
            if text.startswith(PARAMETER, pos):
                pos, found = _parameter(text, pos, props, arguments)
                if pos < 0:
                    calls.append(self._unclosed("<parameter>", text[start:], name))
                    return len(text)
                problem = problem or found
                continue
            if text[pos] == "{" and not arguments:
                try:
                    value, after = JSON_DECODER.raw_decode(text, pos)
                except (ValueError, RecursionError):
                    value, after = None, pos
                if isinstance(value, dict):
                    arguments, pos = value, after
                    continue
                problem = problem or (
                    "invalid_json",
                    "The JSON arguments inside <invoke> are not valid JSON.",
                )
            close = text.find(END_INVOKE, pos)
            nested = _find_invoke(text, pos)
            if close < 0 or 0 <= nested < close:
                stop = len(text) if nested < 0 else nested
                calls.append(self._unclosed("<invoke> block", text[start:stop], name))
                return stop
            found = text[pos:close].strip()[:40]
            problem = problem or (
                "schema_violation",
                f"Unexpected text inside <invoke>: {found!r}. Put each argument in a "
                '<parameter name="...">value</parameter>.',
            )
            pos = close
        end = pos + len(END_INVOKE)
        if not name:
            problem = ("missing_name", '<invoke> needs a name="..." attribute naming the tool.')
        if problem is not None:
            calls.append(self._failed(*problem, name=name, raw=text[start:end]))
        else:
            calls.append(ToolCall("", name, arguments))
        return end

    def _unclosed(self, what: str, raw: str, name: str = "") -> ToolCall:
        return self._failed(
            "unclosed_block",
            f"Your {what} is never closed (was the reply cut off?).",
            name=name,
            raw=raw,
        )


def _find_invoke(text: str, pos: int) -> int:
    """The next ``<invoke`` that starts a tag (not ``<invoked``), or -1."""
    while True:
        i = text.find(INVOKE, pos)
        if i < 0:
            return -1
        after = text[i + len(INVOKE) : i + len(INVOKE) + 1]
        if after in ("", ">", "/") or after in _WHITESPACE:
            return i
        pos = i + 1


def _parameter(
    text: str, pos: int, props: Mapping[str, Any], arguments: dict[str, Any]
) -> tuple[int, tuple[str, str] | None]:
    """Read the parameter at ``pos`` into ``arguments``: ``(where reading resumes, problem)``,
    the position -1 when the parameter is never closed."""
    open_end = text.find(">", pos)
    close = text.find(END_PARAMETER, open_end) if open_end >= 0 else -1
    if close < 0:
        return -1, None
    after = close + len(END_PARAMETER)
    key = _name(text[pos + len(PARAMETER) : open_end])
    if key is None:
        return after, ("schema_violation", 'A <parameter> has no name="..." attribute.')
    if key in arguments:
        return after, ("schema_violation", f"The parameter {key!r} is given twice.")
    raw = text[open_end + 1 : close]
    prop = props.get(key)
    value = decode_value(raw, _is_string(prop))
    kinds = _json_kinds(prop)
    if kinds and isinstance(value, str) and not raw.strip().startswith('"'):
        return after, (
            "invalid_json",
            f"The value of {key!r} is not valid JSON, but the parameter takes "
            f"{type_names(kinds)}: write it as JSON.",
        )
    arguments[key] = value
    return after, None


def _name(attributes: str) -> str | None:
    match = _NAME.search(attributes)
    if match is None:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return html.unescape(value) if "&" in value else value


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


def _is_string(schema: Any) -> bool:
    """Whether a parameter takes only text (its raw value then never becomes a number)."""
    if not isinstance(schema, Mapping):
        return False
    if schema.get("type") == "string":
        return True
    enum = schema.get("enum")
    return "type" not in schema and isinstance(enum, list) and all(isinstance(v, str) for v in enum)


def _json_kinds(schema: Any) -> list[str]:
    """The JSON types of a parameter that never takes text (empty if it may, or is unknown)."""
    if not isinstance(schema, Mapping) or "type" not in schema:
        return []
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return [] if "string" in kinds else [str(k) for k in kinds]


def decode_value(raw: str, string: bool = False) -> Any:
    """A parameter's value: JSON when it reads as JSON, else the text (stripped).

    For a ``string`` parameter the text is kept as it is, unless it is a quoted JSON string.
    """
    text = raw.strip()
    if not text:
        return text
    if string:
        if text[0] != '"':
            return text
    elif text[0] not in _JSON_START and text not in _JSON_WORDS:
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return value if not string or isinstance(value, str) else text


def encode_value(value: Any) -> str:
    """A value as parameter text: strings raw when that reads back the same, else JSON."""
    if isinstance(value, str) and "<" not in value and decode_value(value) == value:
        return value
    return dump_json(value)


def _invoke(call: ToolCall) -> str:
    name = _attribute(call.name)
    if isinstance(call.arguments, str):
        return f'<invoke name="{name}">{call.arguments}</invoke>'
    parameters = "".join(
        f'<parameter name="{_attribute(key)}">{encode_value(value)}</parameter>\n'
        for key, value in call.arguments.items()
    )
    return f'<invoke name="{name}">\n{parameters}</invoke>'
