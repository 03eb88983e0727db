"""OpenAI-style: the completion is the assistant message as Chat Completions returns it.

``{"role": "assistant", "content": ..., "reasoning_content": ..., "tool_calls": [{"id": ...,
"type": "function", "function": {"name": ..., "arguments": "<JSON text>"}}]}``: the shape every
OpenAI-compatible server speaks, written out as text by the model itself. Reasoning may sit in
``reasoning_content`` (the format's own field) or in ``<think>`` tags. A reply that is not JSON
at all is plain content, the way a server returns a message without tool calls.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from toolgym.core.messages import AgentTurn, arguments_text
from toolgym.formats.base import (
    JSON_DECODER,
    Format,
    Reading,
    ToolSpecs,
    dump_json,
    functions,
    json_kind,
    json_problem,
    strip_fence,
)

__all__ = ["OpenAIFormat"]

_MESSAGE_KEYS = ("tool_calls", "content", "role", "reasoning_content", "reasoning")


class OpenAIFormat(Format):
    """The assistant message's JSON: ``content``, ``reasoning_content`` and ``tool_calls``."""

    name = "openai"
    summary = "OpenAI-style: the assistant message as JSON, tool_calls with JSON-text arguments"
    example = (
        '{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": '
        '"function", "function": {"name": "tool_name", "arguments": "{\\"key\\": \\"value\\"}"}}]}'
    )

    def render_tools(self, tools: ToolSpecs) -> str:
        listed = json.dumps(
            [{"type": "function", "function": fn} for fn in functions(tools)],
            ensure_ascii=False,
            indent=1,
        )
        return (
            "# Tools\n\nThese tools are available, in the OpenAI function-calling schema:\n"
            f"{listed}\n\nTo call tools, reply with one JSON object, the assistant message:\n"
            f'{self.example}\nEach call\'s "arguments" is a JSON object encoded as a string. '
            "To answer the user, reply with plain text (or a message without tool_calls)."
        )

    def render_turn(self, turn: AgentTurn) -> str:
        message: dict[str, Any] = {"role": "assistant", "content": turn.content or None}
        if turn.thinking:
            message["reasoning_content"] = turn.thinking
        if turn.tool_calls:
            message["tool_calls"] = [
                {
                    **({"id": call.id} if call.id else {}),
                    "type": "function",
                    "function": {"name": call.name, "arguments": arguments_text(call.arguments)},
                }
                for call in turn.tool_calls
            ]
        return dump_json(message)

    def render_result(self, message: Mapping[str, Any]) -> str:
        return json.dumps(
            {
                "role": "tool",
                "tool_call_id": message.get("tool_call_id"),
                "name": message.get("name"),
                "content": message.get("content", ""),
            },
            ensure_ascii=False,
        )

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        body = strip_fence(text.strip())
        if not body.startswith(("{", "[")):
            return Reading(text.strip())
        try:
            value, end = JSON_DECODER.raw_decode(body)
        except (ValueError, RecursionError) as exc:
            status, reason = json_problem(exc, body, 0)
            if status == "unclosed_block":
                reason += " (was it cut off?)"
            return Reading(calls=[self._failed(status, f"Your message {reason}.", raw=body)])
        if body[end:].strip():
            extra = body[end:].strip()[:40]
            problem = f"Your message has text after its JSON object: {extra!r}. Send one object."
            return Reading(calls=[self._failed("invalid_json", problem, raw=body)])
        if isinstance(value, list):
            return Reading(calls=[self._call_from_object(item, dump_json(item)) for item in value])
        if not isinstance(value, dict):
            problem = f"Your message must be a JSON object, got {json_kind(value)}."
            return Reading(calls=[self._failed("schema_violation", problem, raw=body)])
        if not any(key in value for key in _MESSAGE_KEYS):
            if "name" in value or "function" in value:
                return Reading(calls=[self._call_from_object(value, body)])
            problem = 'Your JSON is not an assistant message: it needs "content" or "tool_calls".'
            return Reading(calls=[self._failed("schema_violation", problem, raw=body)])
        return self._message(value)

    def _message(self, value: dict[str, Any]) -> Reading:
        thinking = value.get("reasoning_content") or value.get("reasoning") or ""
        reading = Reading(_text(value.get("content")), thinking=_text(thinking).strip())
        raw_calls = value.get("tool_calls")
        if raw_calls is None:
            return reading
        if isinstance(raw_calls, dict):
            raw_calls = [raw_calls]
        if not isinstance(raw_calls, list):
            problem = f'"tool_calls" must be a list of calls, got {json_kind(raw_calls)}.'
            reading.calls.append(
                self._failed("schema_violation", problem, raw=dump_json(raw_calls))
            )
            return reading
        reading.calls = [self._call_from_object(item, dump_json(item)) for item in raw_calls]
        return reading


def _text(value: Any) -> str:
    """Message content as text: a string, null, or a list of content parts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "".join(
            part.get("text", "") if isinstance(part, Mapping) else str(part) for part in value
        ).strip()
    return json.dumps(value, ensure_ascii=False)
