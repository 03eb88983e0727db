"""The conversation's vocabulary: tool calls, agent turns, messages, and their OpenAI shapes.

Everything an agent sends is normalised here without raising: an action in any common shape
(our :class:`AgentTurn`, an OpenAI assistant message, Anthropic-style content blocks, a plain
string) becomes an :class:`AgentTurn`, and arguments that arrive as JSON text, double-encoded
JSON or broken JSON are decoded or reported, never thrown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "AgentTurn",
    "Message",
    "ToolCall",
    "arguments_text",
    "coerce_turn",
    "decode_arguments",
]

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(slots=True)
class ToolCall:
    """One call the agent asked for. ``arguments`` is a dict or the raw JSON text it sent.

    ``parse_error`` is ``(status, message)`` when a text parser (a tool-call format) saw the
    agent try to call but could not read the call: the environment then reports that error as
    the call's result instead of running it.
    """

    id: str
    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    parse_error: tuple[str, str] | None = None

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": arguments_text(self.arguments)},
        }


@dataclass(slots=True)
class AgentTurn:
    """One assistant turn: optional thinking, optional text, zero or more tool calls.

    A turn without tool calls is the agent's final answer.
    """

    thinking: str = ""
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return not self.tool_calls

    def to_message(self) -> Message:
        return Message("assistant", self.content, self.thinking, list(self.tool_calls))


@dataclass(slots=True)
class Message:
    """A message of the conversation, thinking kept in place on assistant messages."""

    role: Role
    content: str = ""
    thinking: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None

    def to_openai(self) -> dict[str, Any]:
        """The Chat Completions shape; thinking goes in ``reasoning_content``."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.role == "assistant":
            if self.thinking:
                out["reasoning_content"] = self.thinking
            if self.tool_calls:
                out["tool_calls"] = [call.to_openai() for call in self.tool_calls]
        elif self.role == "tool":
            out["tool_call_id"] = self.tool_call_id
            out["name"] = self.name
        return out

    @classmethod
    def from_openai(cls, data: Mapping[str, Any]) -> Message:
        role = data.get("role", "user")
        if role == "assistant":
            turn, _ = coerce_turn(data, turn_index=0)
            if turn is None:
                raise ValueError(f"not an assistant message: {data!r}")
            return turn.to_message()
        return cls(
            role=role,
            content=_text(data.get("content")),
            tool_call_id=data.get("tool_call_id"),
            name=data.get("name"),
        )


def arguments_text(arguments: dict[str, Any] | str) -> str:
    """Arguments as the JSON text an API would carry."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def decode_arguments(raw: Any) -> tuple[dict[str, Any] | None, str, str]:
    """Decode call arguments to a dict: ``(arguments, status, error message)``.

    Accepts a dict, JSON text, or double-encoded JSON text (a JSON string holding JSON text);
    empty text and ``null`` mean no arguments. Broken JSON gives status ``invalid_json`` with
    the decoder's position; JSON that is not an object gives ``schema_violation``.

    >>> decode_arguments('{"a": 1}')
    ({'a': 1}, 'ok', '')
    >>> decode_arguments('"{\\\\"a\\\\": 1}"')
    ({'a': 1}, 'ok', '')
    >>> decode_arguments('{"a": 1')[1]
    'invalid_json'
    """
    if isinstance(raw, dict):
        return raw, "ok", ""
    if raw is None:
        return {}, "ok", ""
    if isinstance(raw, str):
        value: Any = raw
        for _ in range(2):
            if not isinstance(value, str):
                break
            text = value.strip()
            if not text:
                return {}, "ok", ""
            try:
                value = json.loads(text)
            except (ValueError, RecursionError) as exc:
                return (
                    None,
                    "invalid_json",
                    (
                        f"Arguments are not valid JSON ({_json_error(exc)}). "
                        'Send a JSON object, e.g. {"key": "value"}.'
                    ),
                )
        if value is None:
            return {}, "ok", ""
        if isinstance(value, dict):
            return value, "ok", ""
        return (
            None,
            "schema_violation",
            (f"Arguments must be a JSON object, got {_json_kind(value)}."),
        )
    return None, "schema_violation", f"Arguments must be a JSON object, got {_json_kind(raw)}."


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return "nested too deeply"


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    return f"a {type(value).__name__}"


def _text(value: Any) -> str:
    """Message content as text: strings pass, content-part lists are joined, None is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part.get("text", "") if isinstance(part, Mapping) else str(part) for part in value
        )
    return str(value)


_THINKING_KEYS = ("thinking", "reasoning_content", "reasoning")
_ARGUMENT_KEYS = ("arguments", "args", "parameters", "input")


def coerce_turn(action: Any, turn_index: int) -> tuple[AgentTurn | None, str]:
    """Normalise an action to an :class:`AgentTurn`; ``(None, reason)`` if it is not one.

    Understood shapes: an ``AgentTurn``; a ``str`` (the final answer); a mapping with
    ``thinking``/``reasoning_content``, ``content`` (text or content parts, including
    Anthropic ``thinking`` and ``tool_use`` blocks) and ``tool_calls`` (flat
    ``{id, name, arguments}`` or OpenAI ``{id, function: {name, arguments}}``). Calls without a
    usable id get ``call_<turn>_<index>``, so every result can be matched to its call.
    """
    if isinstance(action, AgentTurn):
        return _with_ids(action, turn_index), ""
    if isinstance(action, str):
        return AgentTurn(content=action), ""
    if not isinstance(action, Mapping):
        return None, (
            f"Invalid action of type {type(action).__name__}: send a final answer as a string, "
            'or a turn like {"thinking": ..., "content": ..., "tool_calls": '
            '[{"id": ..., "name": ..., "arguments": {...}}]}.'
        )
    thinking = next((_text(action[k]) for k in _THINKING_KEYS if action.get(k)), "")
    raw_calls = action.get("tool_calls")
    content_value = action.get("content")
    calls: list[ToolCall] = []
    content = ""
    if isinstance(content_value, list):
        texts = []
        for block in content_value:
            kind = block.get("type") if isinstance(block, Mapping) else None
            if kind == "thinking" and not thinking:
                thinking = _text(block.get("thinking"))
            elif kind == "tool_use":
                calls.append(_call(block, len(calls), turn_index))
            elif kind in ("text", None):
                texts.append(_text([block]))
        content = "".join(texts)
    else:
        content = _text(content_value)
    if isinstance(raw_calls, str):
        try:
            raw_calls = json.loads(raw_calls)
        except ValueError:
            return None, "tool_calls is text that is not valid JSON: send a list of call objects."
    if isinstance(raw_calls, Mapping):
        raw_calls = [raw_calls]
    if raw_calls is not None and not isinstance(raw_calls, (list, tuple)):
        return None, f"tool_calls must be a list of call objects, got {type(raw_calls).__name__}."
    for item in raw_calls or ():
        calls.append(_call(item, len(calls), turn_index))
    return _with_ids(AgentTurn(thinking, content, calls), turn_index), ""


def _call(item: Any, index: int, turn_index: int) -> ToolCall:
    if isinstance(item, ToolCall):
        return item
    if not isinstance(item, Mapping):
        return ToolCall("", "", {})
    function = item.get("function")
    source = function if isinstance(function, Mapping) else item
    name = source.get("name")
    arguments: Any = _MISSING
    for key in _ARGUMENT_KEYS:
        if key in source:
            arguments = source[key]
            break
    call_id = item.get("id")
    return ToolCall(
        call_id if isinstance(call_id, str) else "",
        name if isinstance(name, str) else "",
        {} if arguments is _MISSING else arguments,
    )


_MISSING: Any = object()


def _with_ids(turn: AgentTurn, turn_index: int) -> AgentTurn:
    """The same turn with every call id present and unique (the caller's objects untouched)."""
    seen: set[str] = set()
    calls = []
    for i, call in enumerate(turn.tool_calls):
        if not isinstance(call, ToolCall):
            call = _call(call, i, turn_index)
        call_id = call.id if isinstance(call.id, str) and call.id else ""
        if not call_id or call_id in seen:
            call_id = f"call_{turn_index}_{i}"
        seen.add(call_id)
        calls.append(call if call_id == call.id else replace(call, id=call_id))
    if all(a is b for a, b in zip(calls, turn.tool_calls, strict=True)):
        return turn
    return AgentTurn(turn.thinking, turn.content, calls)
