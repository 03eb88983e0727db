"""Fixtures for the fault tests: one env per id (worlds are built once), plans swapped in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents import OracleAgent
from toolgym.core.rollout import EpisodeResult
from toolgym.faults import FaultPipeline, FaultPlan

Runner = Callable[..., EpisodeResult]


@pytest.fixture(scope="session")
def make_env() -> Callable[[str], gym.Env]:
    """The env for an id, made once per session (max_turns generous: retries take turns)."""
    cache: dict[str, gym.Env] = {}

    def get(env_id: str) -> gym.Env:
        if env_id not in cache:
            cache[env_id] = gym.make(env_id, max_turns=200)
        return cache[env_id]

    return get


@pytest.fixture(scope="session")
def run(make_env: Callable[[str], gym.Env]) -> Runner:
    """Play one episode of ``env_id`` under ``plan`` with ``agent`` (the oracle by default)."""

    def play(
        env_id: str,
        plan: FaultPlan | dict[str, Any] | list[Any] | str | None,
        seed: int,
        agent: Callable[[gym.Env], Any] = OracleAgent,
        **options: Any,
    ) -> EpisodeResult:
        env = make_env(env_id)
        resolved = FaultPlan.resolve(plan)
        env.unwrapped.interceptors = [FaultPipeline(resolved)] if resolved else []
        return toolgym.run_episode(env, agent(env), seed=seed, options=options or None)

    return play
