"""``FaultInjection``: a plan on an env made without one, rebuildable by ``gym.make``."""

from __future__ import annotations

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
