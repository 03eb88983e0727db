"""``TextAgent``: any structured agent speaking a tool-call format, for ``TextActions`` envs.

It writes each turn of the agent it wraps as the completion a model would write in the
episode's format, so scripted agents (the oracle above all) can drive the raw-text interface
and prove every task solvable through every scaffold.
"""

from __future__ import annotations

from typing import Any

from toolgym.core.messages import coerce_turn
from toolgym.core.rollout import Agent
from toolgym.formats import Format, get

__all__ = ["TextAgent"]


class TextAgent:
    """Renders ``agent``'s turns with ``format`` (default: ``info["format"]`` at each reset).

    Most formats carry no call ids, so the environment names calls by position; before the
    wrapped agent reads a step's results, their ids are mapped back to the ids it chose, in
    order.
    """

    def __init__(self, agent: Agent, format: str | Format | None = None) -> None:
        self.agent = agent
        self.fixed = None if format is None else get(format)
        self.format: Format | None = self.fixed
        self._ids: list[str] = []

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.format = self.fixed or get(info["format"])
        self._ids = []
        reset = getattr(self.agent, "reset", None)
        if callable(reset):
            reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> str:
        if self.format is None:
            self.reset(observation, info)
        assert self.format is not None
        action = self.agent.act(observation, self._own_ids(info))
        turn, problem = coerce_turn(action, 0)
        if turn is None:
            raise TypeError(f"the wrapped agent returned an unusable action: {problem}")
        self._ids = [call.id for call in turn.tool_calls]
        return self.format.render_turn(turn)

    def _own_ids(self, info: dict[str, Any]) -> dict[str, Any]:
        results = [m for m in info["messages"] if m.get("role") == "tool"]
        if not self._ids or len(results) != len(self._ids):
            return info
        ids = iter(self._ids)
        messages = [
            {**m, "tool_call_id": next(ids)} if m.get("role") == "tool" else m
            for m in info["messages"]
        ]
        return {**info, "messages": messages}
