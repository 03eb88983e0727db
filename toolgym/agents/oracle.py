"""``OracleAgent``: the reference careful agent that proves every task solvable.

It is privileged in exactly two ways: it knows the task's plan (the canonical calls and how to
use their results) and the fault layer's routing from canonical tools to what the agent now
sees. Everything else it learns as any agent does, from observations: it reads each result
back from the tool message, retries retryable errors, and answers in the end.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

import gymnasium as gym

from toolgym.core.errors import ToolError
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import Answer, Step, as_answer

__all__ = ["OracleAgent", "decode_result"]


def decode_result(content: str) -> Any:
    """The data a tool message carries (JSON text)."""
    return json.loads(content)


class OracleAgent:
    """Solves the task of ``env`` by following its plan through the public interface.

    Args:
        env: the environment (any wrapper of a ``ToolEnv``); read at each reset for the plan.
        max_retries: how many times one call is retried after retryable errors.
    """

    def __init__(self, env: gym.Env, *, max_retries: int = 8) -> None:
        self.env = env
        self.max_retries = max_retries
        self._plan: Generator[Step, Any, Any] | None = None
        self._step: Step | None = None
        self._answer: Answer | None = None
        self._call_id = ""
        self._retries = 0
        self._count = 0

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        episode = self.env.unwrapped.episode
        self._plan = episode.task.plan()
        self._answer = None
        self._retries = 0
        self._count = 0
        self._advance(lambda: next(self._plan))

    def _advance(self, move) -> None:
        try:
            self._step = move()
        except StopIteration as stop:
            self._step = None
            self._answer = as_answer(stop.value)

    @property
    def current_step(self) -> Step | None:
        """The plan step the last call performs (``None`` once the plan has answered): what
        the oracle is doing and why, for tools that narrate its trajectories."""
        return self._step

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        if self._plan is None:
            self.reset(observation, info)
        thought = ""
        if self._call_id:
            result = _result_for(info, self._call_id)
            self._call_id = ""
            thought = self._digest(result)
        if self._step is None:
            answer = self._answer or Answer("")
            return AgentTurn(
                thinking=thought or "I have everything; summarise for the user.",
                content=answer.text,
            )
        return self._call(self._step, thought)

    def _digest(self, content: str | None) -> str:
        """Feed a result into the plan; returns a thought about what happened."""
        assert self._plan is not None and self._step is not None
        try:
            data = decode_result(content) if content is not None else None
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code", "error"))
            if error.get("retryable") and self._retries < self.max_retries:
                self._retries += 1
                return f"That failed with a temporary error ({code}); retrying the same call."
            self._retries = 0
            known = ("code", "message", "retryable")
            err = ToolError(
                code,
                str(error.get("message", "")),
                retryable=bool(error.get("retryable")),
                details={k: v for k, v in error.items() if k not in known},
            )
            self._advance(lambda: self._plan.throw(err))
            return f"That failed ({code}); adjusting."
        self._retries = 0
        self._advance(lambda: self._plan.send(data))
        return ""

    def _call(self, step: Step, thought: str) -> AgentTurn:
        view = self.env.unwrapped.episode.view
        entry = view.entry_for(step.tool)
        name = entry.name if entry is not None else step.tool
        arguments = entry.visible_arguments(step.arguments) if entry is not None else step.arguments
        self._count += 1
        self._call_id = f"oracle_{self._count}"
        text = " ".join(t for t in (thought, step.thought) if t)
        return AgentTurn(thinking=text, tool_calls=[ToolCall(self._call_id, name, arguments)])


def _result_for(info: dict[str, Any], call_id: str) -> str | None:
    for message in info.get("messages", ()):
        if message.get("role") == "tool" and message.get("tool_call_id") == call_id:
            return message.get("content")
    return None
