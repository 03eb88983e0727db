"""A fair budget: recovering from recoverable faults never costs the task its turns. Each
recoverable fault that fires or acts on a call grants one more turn (``Episode.extra_turns``),
so under any preset the oracle solves every solvable episode at the default ``max_turns``."""

from __future__ import annotations

import gymnasium as gym
import pytest

import toolgym


@pytest.mark.parametrize("env_id", ["toolgym/Web-v0", "toolgym/Filesystem-v0"])
@pytest.mark.parametrize("preset", ["errors", "heavy"])
def test_the_oracle_recovers_within_the_default_budget(env_id: str, preset: str) -> None:
    env = gym.make(env_id, faults=preset)
    assert env.unwrapped.max_turns == 30
    unsolved = []
    for seed in range(40):
        result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed)
        if result.solvable and not result.success:
            unsolved.append((result.task_id, result.truncated, result.turns))
    env.close()
    assert not unsolved, unsolved


def test_a_flaky_service_gets_the_turns_its_retries_take() -> None:
    flaky = {"faults": [{"fault": "transient_error", "probability": 0.7}]}
    env = gym.make("toolgym/Web-v0", faults=flaky)
    results = [toolgym.run_episode(env, toolgym.OracleAgent(env), seed=s) for s in range(8)]
    assert all(r.success for r in results)
    assert any(r.turns > 30 for r in results)  # without the extra turns these would truncate


def test_extra_turns_count_recoverable_interventions_only() -> None:
    env = gym.make("toolgym/Retail-v0", faults={"faults": [{"fault": "transient_error"}]})
    env.reset(seed=1)
    agent = toolgym.OracleAgent(env)
    result = toolgym.run_episode(env, agent, seed=1)
    episode = env.unwrapped.episode
    assert result.success and episode.extra_turns == len(result.faults) > 0
    clean = gym.make("toolgym/Retail-v0")
    clean.reset(seed=1)
    assert clean.unwrapped.episode.extra_turns == 0
