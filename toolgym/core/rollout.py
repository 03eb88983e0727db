"""The agent loop that tests, examples, the CLI and users share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym

from toolgym.core.messages import Message

__all__ = ["Agent", "EpisodeResult", "run_episode"]


@runtime_checkable
class Agent(Protocol):
    """Anything that maps an observation and info to an action.

    An agent may also define ``reset(observation, info)``, called after each ``env.reset``.
    """

    def act(self, observation: str, info: dict[str, Any]) -> Any: ...


@dataclass
class EpisodeResult:
    """What one episode produced: verdict, cost, and the full record."""

    task_id: str
    success: bool
    reward: float
    turns: int
    tool_calls: int
    terminated: bool
    truncated: bool
    checks: dict[str, bool]
    solvable: bool
    history: list[Message] = field(repr=False)
    infos: list[dict[str, Any]] = field(repr=False)

    @property
    def faults(self) -> list[dict[str, Any]]:
        """Every fault event of the episode, in order."""
        return [event for info in self.infos for event in info["faults"]]


def run_episode(
    env: gym.Env,
    agent: Agent,
    *,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
    max_steps: int | None = None,
) -> EpisodeResult:
    """Reset ``env`` and let ``agent`` act until the episode ends.

    ``max_steps`` bounds the loop for environments without their own turn limit.
    """
    observation, info = env.reset(seed=seed, options=options)
    reset = getattr(agent, "reset", None)
    if callable(reset):
        reset(observation, info)
    infos = [info]
    reward, terminated, truncated, calls, steps = 0.0, False, False, 0, 0
    while not (terminated or truncated):
        action = agent.act(observation, info)
        observation, reward, terminated, truncated, info = env.step(action)
        calls += sum(status != "invalid_action" for status in info["parse_status"])
        infos.append(info)
        steps += 1
        if max_steps is not None and steps >= max_steps:
            truncated = True
    base = env.unwrapped
    return EpisodeResult(
        task_id=info["task_id"],
        success=bool(info["success"]),
        reward=float(reward),
        turns=int(info["turn"]),
        tool_calls=calls,
        terminated=bool(terminated),
        truncated=bool(truncated),
        checks=dict(info["checks"]),
        solvable=bool(info["solvable"]),
        history=list(getattr(base, "history", [])),
        infos=infos,
    )
