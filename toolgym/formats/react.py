"""ReAct: ``Thought:`` / ``Action:`` / ``Action Input:`` lines, ``Observation:`` from the env.

The classic text scaffold (Yao et al., and LangChain's ReAct agent): the model reasons in a
``Thought:``, names a tool in ``Action:`` with a JSON object in ``Action Input:``, and stops;
the environment writes the ``Observation:``. ``Final Answer:`` replies to the user. Several
Action / Action Input pairs in one reply are several calls. Anything the model writes from its
own ``Observation:`` line on is discarded, as a ReAct stop sequence would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats.base import (
    Format,
    Reading,
    ToolSpecs,
    arguments_json,
    functions,
    json_kind,
    load_json,
    strip_fence,
)

__all__ = ["ReActFormat"]

THOUGHT, ACTION, INPUT, ANSWER, OBSERVATION = (
    "Thought:",
    "Action:",
    "Action Input:",
    "Final Answer:",
    "Observation:",
)
# Longest first: "Action Input:" must win over its prefix "Action:".
MARKERS = (INPUT, THOUGHT, ACTION, ANSWER, OBSERVATION)
_FIRST = frozenset(m[0] for m in MARKERS)


class ReActFormat(Format):
    """Thought / Action / Action Input / Observation / Final Answer."""

    name = "react"
    summary = "ReAct: Thought / Action / Action Input lines, Observation from the env"
    example = 'Action: tool_name\nAction Input: {"key": "value"}'
    default_template = "plain"

    def render_tools(self, tools: ToolSpecs) -> str:
        fns = functions(tools)
        listed = "\n".join(
            f"{fn['name']}: {fn.get('description', '')} Arguments: "
            f"{json.dumps(fn.get('parameters') or {}, ensure_ascii=False)}"
            for fn in fns
        )
        names = ", ".join(fn["name"] for fn in fns)
        return (
            f"You have access to the following tools:\n\n{listed}\n\nUse this format:\n\n"
            "Thought: think about what to do next\n"
            f"Action: the tool to use, one of [{names}]\n"
            "Action Input: the tool's arguments, as a JSON object\n"
            "Observation: the tool's result (the environment writes it; never write it "
            "yourself)\n... (Thought / Action / Action Input / Observation can repeat)\n"
            "Thought: I now know the final answer\nFinal Answer: your reply to the user"
        )

    def render_user(self, text: str) -> str:
        return f"Question: {text}"

    def render_turn(self, turn: AgentTurn) -> str:
        lines = []
        if turn.thinking:
            lines.append(f"{THOUGHT} {turn.thinking}")
        for call in turn.tool_calls:
            lines.append(f"{ACTION} {call.name}")
            lines.append(f"{INPUT} {arguments_json(call.arguments)}")
        if turn.content or not turn.tool_calls:
            lines.append(f"{ANSWER} {turn.content}".rstrip())
        return "\n".join(lines)

    def render_result(self, message: Mapping[str, Any]) -> str:
        return f"{OBSERVATION} {message.get('content', '')}"

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        preamble: list[str] = []
        sections: list[tuple[str, list[str]]] = []
        for line in text.split("\n"):
            stripped = line.lstrip(" \t")
            marker = _marker(stripped)
            if marker == OBSERVATION:
                break
            if marker is None:
                (sections[-1][1] if sections else preamble).append(line)
            else:
                sections.append((marker, [stripped[len(marker) :]]))
        if not sections:
            return Reading(text.strip())
        thoughts = ["\n".join(preamble).strip()]
        answers: list[str] = []
        calls: list[ToolCall] = []
        pending: str | None = None  # an Action still waiting for its Action Input
        acted = False
        for marker, lines in sections:
            body = "\n".join(lines).strip()
            if marker == THOUGHT:
                thoughts.append(body)
            elif marker == ANSWER:
                answers.append(body)
            elif marker == ACTION:
                if pending is not None:
                    calls.append(self._call(pending, None))
                pending, acted = body, True
            else:
                calls.append(self._call(pending or "", body))
                pending, acted = None, True
        if pending is not None:
            calls.append(self._call(pending, None))
        if not acted and not answers:
            problem = (
                'Follow your Thought with an "Action:" and "Action Input:", or a "Final Answer:".'
            )
            calls.append(self._failed("schema_violation", problem, raw=text.strip()))
        thinking = "\n\n".join(t for t in thoughts if t)
        return Reading("\n\n".join(answers), calls, thinking)

    def _call(self, name: str | None, arguments: str | None) -> ToolCall:
        raw = arguments or ""
        if not name:
            return self._failed(
                "missing_name",
                'Your "Action:" names no tool, or an "Action Input:" has no "Action:" before it.',
                raw=raw,
            )
        if arguments is None:
            return ToolCall("", name, {})
        text = strip_fence(arguments)
        if not text:
            return ToolCall("", name, {})
        value, problem = load_json(text)
        if problem is not None:
            status, reason = problem
            return self._failed(status, f"The Action Input of {name} {reason}.", name=name, raw=raw)
        if value is None:
            return ToolCall("", name, {})
        if not isinstance(value, dict):
            return self._failed(
                "schema_violation",
                f"The Action Input of {name} must be a JSON object, got {json_kind(value)}.",
                name=name,
                raw=raw,
            )
        return ToolCall("", name, value)


def _marker(line: str) -> str | None:
    if not line or line[0] not in _FIRST:
        return None
    for marker in MARKERS:
        if line.startswith(marker):
            return marker
    return None
