"""``FaultInjection``: a plan on an env made without one, rebuildable by ``gym.make``."""

from __future__ import annotations

import copy

import gymnasium as gym
import pytest

import toolgym
from toolgym.wrappers import FaultInjection


def test_the_wrapper_runs_its_plan() -> None:
    env = FaultInjection(gym.make("toolgym/Retail-v0"), faults="tools")
    assert env.plan.name == "tools"
    _, info = env.reset(seed=1)
    assert info["faults"] and {e["axis"] for e in info["faults"]} == {"tools"}
    result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=1)
    assert result.success


def test_gym_make_records_and_rebuilds_the_wrapper() -> None:
    env = FaultInjection(gym.make("toolgym/Retail-v0"), faults="light")
    assert env.spec.additional_wrappers[-1].kwargs == {"faults": "light"}
    rebuilt = gym.make(env.spec)
    assert isinstance(rebuilt, FaultInjection) and rebuilt.plan == env.plan


def test_the_wrapper_refuses_other_envs() -> None:
    with pytest.raises(TypeError, match="toolgym envs"):
        FaultInjection(gym.make("CartPole-v1"), faults="light")


def test_a_copy_keeps_the_wrappers_faults() -> None:
    """The wrapper adds its pipeline through ``ToolEnv.add_interceptor``, which copies and
    pickles keep: a deep copy plays the same faulted episode (it used to play it clean)."""
    env = FaultInjection(gym.make("toolgym/Retail-v0"), faults="heavy")
    env.reset(seed=3)
    twin = copy.deepcopy(env)
    first = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=5)
    second = toolgym.run_episode(twin, toolgym.OracleAgent(twin), seed=5)
    fired = [info["faults"] for info in first.infos]
    assert any(fired) and fired == [info["faults"] for info in second.infos]
    assert [m.to_openai() for m in first.history] == [m.to_openai() for m in second.history]
