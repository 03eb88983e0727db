"""A single JSON object per turn: the structured-output scaffold.

Every reply, the final answer included, is exactly one JSON object:
``{"thought": ..., "tool_calls": [{"name": ..., "arguments": {...}}]}`` to act, or
``{"thought": ..., "answer": ...}`` to reply. ``"thought"`` is the format's own reasoning field.
The LangChain JSON-agent shape ``{"action": ..., "action_input": ...}`` (``"Final Answer"`` to
reply) is read too. Anything that is not one JSON object is a parse failure.
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
    json_kind,
    json_problem,
    strip_fence,
)

__all__ = ["JSONFormat"]

_THOUGHT_KEYS = ("thought", "thinking", "reasoning")
_ANSWER_KEYS = ("answer", "final_answer", "response")
_FINAL_ACTIONS = ("final answer", "final_answer", "answer")


class JSONFormat(Format):
    """One JSON object per reply, with ``thought``, ``tool_calls`` and ``answer``."""

    name = "json"
    summary = 'Single JSON object per turn: {"thought", "tool_calls"} or {"thought", "answer"}'
    example = (
        '{"thought": "...", "tool_calls": [{"name": "tool_name", "arguments": {"key": "value"}}]}'
    )

    def render_tools(self, tools: ToolSpecs) -> str:
        listed = "\n".join(json.dumps(fn, ensure_ascii=False) for fn in functions(tools))
        return (
            "# Tools\n\nThese tools are available (JSON schemas):\n"
            f"{listed}\n\nReply with exactly one JSON object and nothing else.\n"
            f"To call tools:\n{self.example}\n"
            'To answer the user:\n{"thought": "...", "answer": "your reply"}'
        )

    def render_turn(self, turn: AgentTurn) -> str:
        fields = []
        if turn.thinking:
            fields.append(f'"thought": {dump_json(turn.thinking)}')
        if turn.tool_calls:
            calls = ", ".join(
                f'{{"name": {dump_json(c.name)}, "arguments": {arguments_json(c.arguments)}}}'
                for c in turn.tool_calls
            )
            fields.append(f'"tool_calls": [{calls}]')
        if turn.content or not turn.tool_calls:
            fields.append(f'"answer": {dump_json(turn.content)}')
        return "{" + ", ".join(fields) + "}"

    def render_result(self, message: Mapping[str, Any]) -> str:
        content = message.get("content", "")
        try:
            result = json.loads(content)
        except (TypeError, ValueError, RecursionError):
            result = content
        return json.dumps({"tool": message.get("name"), "result": result}, ensure_ascii=False)

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        body = strip_fence(text.strip())
        if not body.startswith("{"):
            problem = (
                "Your reply is empty: it must be one JSON object."
                if not body
                else f"Your reply must be one JSON object; it starts with {body[:20]!r}."
            )
            return Reading(calls=[self._failed("invalid_json", problem, raw=body)])
        try:
            value, end = JSON_DECODER.raw_decode(body)
        except (ValueError, RecursionError) as exc:
            status, reason = json_problem(exc, body, 0)
            if status == "unclosed_block":
                reason += " (was it cut off?)"
            return Reading(calls=[self._failed(status, f"Your reply {reason}.", raw=body)])
        if body[end:].strip():
            extra = body[end:].strip()[:40]
            problem = f"Write nothing after the JSON object; found {extra!r}."
            return Reading(calls=[self._failed("invalid_json", problem, raw=body)])
        return self._object(value, body)

    def _object(self, value: dict[str, Any], raw: str) -> Reading:
        thought = next((value[k] for k in _THOUGHT_KEYS if k in value), "")
        reading = Reading(thinking=_text(thought))
        answer = next((value[k] for k in _ANSWER_KEYS if k in value), None)
        raw_calls = value.get("tool_calls", value.get("calls"))
        action = value.get("action")
        if isinstance(action, str) and action.strip().lower() in _FINAL_ACTIONS:
            answer = value.get("action_input", "")
        elif action is not None:
            arguments = value.get("action_input", {})
            raw_calls = [{"name": action, "arguments": arguments}]
        if answer is None and raw_calls is None:
            problem = 'Your JSON object needs "tool_calls" (to act) or "answer" (to reply).'
            reading.calls.append(self._failed("schema_violation", problem, raw=raw))
            return reading
        if answer is not None:
            reading.content = _text(answer)
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

    def _calls_in_thinking(
        self, thinking: str, tools: dict[str, dict[str, Any]] | None
    ) -> list[ToolCall]:
        # Prose in a thought is not a malformed reply: only a JSON object there holds calls.
        if not strip_fence(thinking.strip()).startswith("{"):
            return []
        return super()._calls_in_thinking(thinking, tools)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return json.dumps(value, ensure_ascii=False)
