"""``toolgym/Python-v0``: solvable by the oracle, not without tools, deterministic, leak-free."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.messages import AgentTurn
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.python import SUITE

FAMILIES = [f.name for f in SUITE.families]


@pytest.fixture(scope="module")
def env() -> Iterator[gym.Env]:
    environment = gym.make("toolgym/Python-v0")
    yield environment
    environment.close()


def test_registered_with_seven_families() -> None:
    assert "toolgym/Python-v0" in toolgym.env_ids()
    assert len(FAMILIES) >= 6


def test_oracle_solves_every_family_and_difficulty(env: gym.Env) -> None:
    """42 episodes: each of the 7 families at each of the 3 difficulties, two seeds each."""
    agent = OracleAgent(env)
    failures = []
    for (family, difficulty), seed in itertools.product(
        itertools.product(FAMILIES, DIFFICULTIES), range(2)
    ):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, agent, seed=seed, options=options)
        if not result.success:
            failures.append((result.task_id, result.checks))
    assert failures == []


def test_oracle_solves_random_seeds(env: gym.Env) -> None:
    agent = OracleAgent(env)
    results = [run_episode(env, agent, seed=seed) for seed in range(100, 130)]
    assert all(r.success for r in results), [r.task_id for r in results if not r.success]


def test_answering_without_tools_fails(env: gym.Env) -> None:
    for family, difficulty in itertools.product(FAMILIES, DIFFICULTIES):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, NoToolAgent(), seed=5, options=options)
        assert not result.success, result.task_id


def test_check_env() -> None:
    environment = gym.make("toolgym/Python-v0").unwrapped
    try:
        check_env(environment, skip_render_check=True)
    finally:
        environment.close()


def test_same_seed_and_actions_give_identical_results() -> None:
    one, two = gym.make("toolgym/Python-v0"), gym.make("toolgym/Python-v0")
    try:
        agent = OracleAgent(one)
        first = run_episode(one, agent, seed=11, options={"difficulty": "hard"})
        actions = [m for m in first.history if m.role == "assistant"]
        _, info = two.reset(seed=11, options={"difficulty": "hard"})
        for message in actions:
            turn = AgentTurn(content=message.content, tool_calls=list(message.tool_calls))
            _, _, _, _, info = two.step(turn)
        assert info["success"] is True
        assert [m.content for m in two.unwrapped.history] == [m.content for m in first.history]
        code = "class A: pass\nprint(A(), {'x', 'y'}, hash('abc'))"
        outputs = []
        for env in (one, two):
            env.reset(seed=3)
            call = {"id": "c1", "name": "run_python", "arguments": {"code": code}}
            outputs.append(env.step({"tool_calls": [call]})[0])
        assert outputs[0] == outputs[1]
    finally:
        one.close()
        two.close()


def test_close_stops_the_interpreters() -> None:
    environment = gym.make("toolgym/Python-v0")
    run_episode(environment, OracleAgent(environment), seed=1)
    toolkit = environment.unwrapped._world(0)[0].toolkit("python")
    sandbox = toolkit.sandbox
    processes = set(sandbox._procs)
    assert processes
    environment.close()
    assert sandbox.closed and not sandbox.dir.exists()
    assert all(p.poll() is not None for p in processes)
