"""``ChatHistory``: the observation is the whole conversation as OpenAI-style messages.

Chat-completion agents resend the conversation every turn. With interleaved thinking (models
that reason between tool calls) the reasoning stays in place on each assistant message, in
``reasoning_content``; ``thinking="drop"`` and ``"last"`` remove it so users can measure what
discarding earlier thoughts costs their agent.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from toolgym.core.env import ToolEnv

__all__ = ["THINKING_MODES", "ChatHistory", "Conversation"]

THINKING_MODES = ("keep", "drop", "last")
_ROLES = frozenset({"system", "user", "assistant", "tool"})
_WORDS = ("order", "status", "refund", "é", "中文", "😀", "\n", "{}", "ok")


class Conversation(spaces.Space[list[dict[str, Any]]]):
    """A list of chat messages: dicts with a ``role`` and text ``content``."""

    def __init__(self, seed: int | np.random.Generator | None = None) -> None:
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        return isinstance(x, list) and all(
            isinstance(m, dict) and m.get("role") in _ROLES and isinstance(m.get("content"), str)
            for m in x
        )

    def sample(self, mask: Any = None, probability: Any = None) -> list[dict[str, Any]]:
        rng = self.np_random

        def text() -> str:
            return " ".join(_WORDS[int(i)] for i in rng.integers(0, len(_WORDS), 5))

        messages = [{"role": "system", "content": text()}, {"role": "user", "content": text()}]
        if rng.random() < 0.5:
            messages.append({"role": "assistant", "content": text(), "reasoning_content": text()})
        return messages

    def __repr__(self) -> str:
        return "Conversation()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Conversation)


class ChatHistory(
    gym.ObservationWrapper[list[dict[str, Any]], Any, Any], gym.utils.RecordConstructorArgs
):
    """Observations are the full conversation so far (``env.unwrapped.history``).

    Args:
        env: a :class:`~toolgym.core.env.ToolEnv`, possibly wrapped.
        thinking: ``"keep"`` every assistant message's reasoning in place (interleaved
            thinking), ``"drop"`` all of it, or keep only the ``"last"`` assistant message's.

    Every observation is a fresh list of fresh dicts; ``info`` is unchanged.

    >>> import gymnasium as gym, toolgym
    >>> env = ChatHistory(gym.make("toolgym/Retail-v0"), thinking="drop")
    >>> messages, info = env.reset(seed=0)
    >>> [m["role"] for m in messages]
    ['system', 'user']
    """

    def __init__(self, env: gym.Env, thinking: str = "keep") -> None:
        gym.utils.RecordConstructorArgs.__init__(self, thinking=thinking)
        gym.ObservationWrapper.__init__(self, env)
        if thinking not in THINKING_MODES:
            raise ValueError(f"thinking must be one of {THINKING_MODES}, got {thinking!r}")
        if not isinstance(env.unwrapped, ToolEnv):
            raise TypeError(
                f"ChatHistory wraps a toolgym ToolEnv, got {type(env.unwrapped).__name__}"
            )
        self.thinking = thinking
        self.observation_space = Conversation()

    def observation(self, observation: Any) -> list[dict[str, Any]]:
        messages = [message.to_openai() for message in self.env.unwrapped.history]
        if self.thinking == "keep":
            return messages
        keep = -1
        if self.thinking == "last":
            keep = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=-1)
        for i, message in enumerate(messages):
            if i != keep:
                message.pop("reasoning_content", None)
        return messages
