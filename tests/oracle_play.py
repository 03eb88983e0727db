"""The oracle's episode on a plain env, turn by turn: what other interfaces to the same env
(the MCP server, the TRL adapter) must reproduce."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

import toolgym
from toolgym.core.messages import coerce_turn


def oracle_turns(env_id: str, faults: Any, seed: int) -> tuple[list[Any], list[dict[str, Any]]]:
    """The oracle's turns (as ``AgentTurn``s) and the info of the reset and of every step."""
    env = gym.make(env_id, faults=faults)
    agent = toolgym.OracleAgent(env)
    observation, info = env.reset(seed=seed)
    agent.reset(observation, info)
    turns, infos, done = [], [info], False
    while not done:
        turn, _ = coerce_turn(agent.act(observation, info), 0)
        observation, _, terminated, truncated, info = env.step(turn)
        turns.append(turn)
        infos.append(info)
        done = terminated or truncated
    env.close()
    return turns, infos
