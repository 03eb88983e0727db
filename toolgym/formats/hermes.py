"""Hermes / Qwen: each call a JSON object inside ``<tool_call>...</tool_call>`` tags.

The format of Nous Hermes 2 Pro and the Qwen 2.5 / 3 chat templates: tools listed as JSON
schemas inside ``<tools>``, results returned inside ``<tool_response>`` tags in a user turn,
ChatML framing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats.base import (
    JSON_DECODER,
    Format,
    Reading,
    ToolSpecs,
    arguments_json,
    dump_json,
    functions,
    json_problem,
)

__all__ = ["HermesFormat"]

OPEN, CLOSE = "<tool_call>", "</tool_call>"
_WHITESPACE = " \t\n\r"


class HermesFormat(Format):
    """Calls as ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` blocks."""

    name = "hermes"
    summary = 'Hermes/Qwen: <tool_call>{"name": ..., "arguments": {...}}</tool_call> blocks'
    example = '<tool_call>{"name": "tool_name", "arguments": {"key": "value"}}</tool_call>'
    observation_role = "user"

    def render_tools(self, tools: ToolSpecs) -> str:
        listed = "\n".join(
            json.dumps({"type": "function", "function": fn}, ensure_ascii=False)
            for fn in functions(tools)
        )
        return (
            "# Tools\n\nYou may call one or more functions to help with the request. "
            f"Their signatures are JSON schemas inside <tools></tools>:\n<tools>\n{listed}\n"
            "</tools>\n\nFor each call, write a JSON object with the function's name and "
            "arguments inside <tool_call></tool_call> tags:\n<tool_call>\n"
            '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>\n\n'
            "You may reason inside <think></think> first; calls written there are not run."
        )

    def render_turn(self, turn: AgentTurn) -> str:
        calls = [
            f'{OPEN}\n{{"name": {dump_json(c.name)}, "arguments": {arguments_json(c.arguments)}}}'
            f"\n{CLOSE}"
            for c in turn.tool_calls
        ]
        return self.tagged_turn(turn, calls)

    def render_result(self, message: Mapping[str, Any]) -> str:
        return f"<tool_response>\n{message.get('content', '')}\n</tool_response>"

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        if OPEN not in text:
            return Reading(text.replace(CLOSE, "").strip())
        content: list[str] = []
        calls: list[ToolCall] = []
        pos = 0
        while pos < len(text):
            start = text.find(OPEN, pos)
            if start < 0:
                content.append(text[pos:])
                break
            content.append(text[pos:start])
            pos = self._block(text, start + len(OPEN), calls)
        return Reading("".join(content).replace(CLOSE, "").strip(), calls)

    def _block(self, text: str, start: int, calls: list[ToolCall]) -> int:
        """Read the block whose JSON begins at ``start``; returns where reading resumes."""
        while start < len(text) and text[start] in _WHITESPACE:
            start += 1
        close = text.find(CLOSE, start)
        try:
            value, end = JSON_DECODER.raw_decode(text, start)
        except (ValueError, RecursionError) as exc:
            if close < 0:
                calls.append(self._unclosed(text[start:]))
                return len(text)
            _, reason = json_problem(exc, text[:close], start)
            if text.startswith(CLOSE, start):
                reason = "is empty"
            calls.append(
                self._failed(
                    "invalid_json", f"Your <tool_call> block {reason}.", raw=text[start:close]
                )
            )
            return close + len(CLOSE)
        after = end
        while after < len(text) and text[after] in _WHITESPACE:
            after += 1
        raw = text[start:end]
        if text.startswith(CLOSE, after):
            if isinstance(value, list) and value:
                calls.extend(self._call_from_object(item, dump_json(item)) for item in value)
            else:
                calls.append(self._call_from_object(value, raw))
            return after + len(CLOSE)
        reopened = text.find(OPEN, end)
        if close < 0 or 0 <= reopened < close:
            calls.append(self._unclosed(raw))
            return end
        extra = text[after:close][:40]
        problem = f"Your <tool_call> block has text after its JSON object: {extra!r}."
        calls.append(self._failed("invalid_json", problem, raw=text[start:close]))
        return close + len(CLOSE)

    def _unclosed(self, raw: str) -> ToolCall:
        return self._failed(
            "unclosed_block",
            f"Your <tool_call> block is never closed with {CLOSE} (was the reply cut off?).",
            raw=raw,
        )
