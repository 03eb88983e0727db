"""Same seed, same actions, same plan: the same observations, infos (fault events included)
and rewards, in one process, after other episodes, and in another process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import gymnasium as gym
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolgym
from toolgym.agents import OracleAgent
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.testing.strategies import fault_plans

ENV_IDS = toolgym.env_ids()


def _play(env: gym.Env, seed: int, actions: list[Any] | None = None) -> tuple[list[str], list[Any]]:
    """One episode: the oracle's actions (or ``actions`` replayed) and everything returned."""
    observation, info = env.reset(seed=seed)
    trace = [json.dumps([observation, info], sort_keys=True, default=repr)]
    agent = OracleAgent(env)
    agent.reset(observation, info)
    taken: list[Any] = []
    done = False
    while not done:
        action = actions[len(taken)] if actions is not None else agent.act(observation, info)
        taken.append(action)
        observation, reward, terminated, truncated, info = env.step(action)
        step = [observation, reward, terminated, truncated, info]
        trace.append(json.dumps(step, sort_keys=True, default=repr))
        done = terminated or truncated
    return trace, taken


_PAIRS: dict[str, tuple[gym.Env, gym.Env]] = {}


def _same_everywhere(env_id: str, plan: Any, seeds: range) -> None:
    """Two env instances (worlds built separately) under ``plan`` agree, and each agrees with
    itself when an episode is replayed after others."""
    if env_id not in _PAIRS:
        _PAIRS[env_id] = (gym.make(env_id, max_turns=200), gym.make(env_id, max_turns=200))
    first, second = _PAIRS[env_id]
    for env in (first, second):
        env.unwrapped.interceptors = [FaultPipeline(FaultPlan.resolve(plan))]
    for seed in seeds:
        trace, actions = _play(first, seed)
        replayed, _ = _play(second, seed, actions)
        assert replayed == trace, f"{env_id} seed {seed}: a fresh env differs"
        again, _ = _play(first, seed, actions)
        assert again == trace, f"{env_id} seed {seed}: the same env differs after rollback"


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("preset", ["heavy", "medium", "world", "responses"])
def test_same_seed_same_actions_same_plan_same_everything(env_id: str, preset: str) -> None:
    _same_everywhere(env_id, preset, range(12))


@pytest.mark.parametrize("env_id", ENV_IDS)
@settings(max_examples=25)
@given(plan=fault_plans(max_faults=6, min_probability=0.5), seed=st.integers(0, 2**32))
def test_any_plan_replays_identically(env_id: str, plan: FaultPlan, seed: int) -> None:
    _same_everywhere(env_id, plan, range(seed, seed + 1))


_DIGEST = textwrap.dedent(
    """
    import hashlib, json, gymnasium as gym, toolgym
    from toolgym.agents import OracleAgent
    digest = hashlib.sha256()
    for env_id in toolgym.env_ids():
        for preset in ("heavy", "medium"):
            env = gym.make(env_id, faults=preset, max_turns=200)
            for seed in range(15):
                result = toolgym.run_episode(env, OracleAgent(env), seed=seed)
                digest.update(json.dumps(result.infos, sort_keys=True, default=repr).encode())
                digest.update(toolgym.core.env.transcript(result.history).encode())
                digest.update(repr(result.reward).encode())
    print(digest.hexdigest())
    """
)


def _digest_in_process(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_identical_across_processes_with_different_hash_seeds() -> None:
    first, second = _digest_in_process("0"), _digest_in_process("4242")
    assert len(first) == 64 and first == second
    assert first != hashlib.sha256(b"").hexdigest()
