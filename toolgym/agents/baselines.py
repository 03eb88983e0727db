"""Baseline agents: a random caller and one that answers without using any tool."""

from __future__ import annotations

from typing import Any

import numpy as np

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.spaces import sample_arguments

__all__ = ["NoToolAgent", "RandomAgent"]


class NoToolAgent:
    """Answers at once without calling a tool: every task must fail for it."""

    def __init__(self, answer: str = "I'm sorry, I can't help with that right now.") -> None:
        self.answer = answer

    def act(self, observation: str, info: dict[str, Any]) -> str:
        return self.answer


class RandomAgent:
    """Calls a random visible tool with schema-shaped random arguments; stops at random.

    Seeded, so its runs replay exactly.
    """

    def __init__(self, seed: int = 0, stop_probability: float = 0.1) -> None:
        if not 0.0 <= stop_probability <= 1.0:
            raise ValueError(f"stop_probability must be in [0, 1], got {stop_probability}")
        self.rng = np.random.default_rng(seed)
        self.stop_probability = stop_probability
        self._count = 0

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        tools = info.get("tools") or []
        if not tools or self.rng.random() < self.stop_probability:
            return AgentTurn(content="Done.")
        fn = tools[int(self.rng.integers(len(tools)))]["function"]
        self._count += 1
        arguments = sample_arguments(fn.get("parameters", {}), self.rng)
        return AgentTurn(
            thinking=f"Try {fn['name']}.",
            tool_calls=[ToolCall(f"rand_{self._count}", fn["name"], arguments)],
        )
