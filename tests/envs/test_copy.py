"""Envs copy and pickle at any point (reset, mid-episode, under faults) and the copy goes on
exactly as the original would: trainers checkpoint, fork and ship envs between processes."""

from __future__ import annotations

import copy
import json
import pickle

import gymnasium as gym
import pytest

import toolgym

CLONERS = {
    "deepcopy": copy.deepcopy,
    "pickle": lambda env: pickle.loads(pickle.dumps(env)),
}
try:
    import cloudpickle

    CLONERS["cloudpickle"] = lambda env: cloudpickle.loads(cloudpickle.dumps(env))
except ImportError:  # pragma: no cover - cloudpickle comes with ray in the dev extras
    pass


def _rest(env: gym.Env, agent: toolgym.OracleAgent, observation: str, info: dict) -> list:
    """The agent's remaining actions and everything the env says back, until the end."""
    out, done = [], False
    while not done:
        action = agent.act(observation, info)
        observation, reward, terminated, truncated, info = env.step(action)
        out.append((action, json.dumps([observation, reward, terminated, truncated, info])))
        done = terminated or truncated
    return out


def _replay(env: gym.Env, actions: list) -> list:
    return [(a, json.dumps(list(env.step(a)))) for a in actions]


@pytest.mark.parametrize("how", sorted(CLONERS))
def test_a_copy_mid_episode_continues_identically(env_id: str, how: str) -> None:
    env = gym.make(env_id, faults="medium")
    for seed in (0, 1):  # an earlier episode: the copy must not depend on it
        toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed)
    observation, info = env.reset(seed=7)
    agent = toolgym.OracleAgent(env)
    agent.reset(observation, info)
    observation, _, terminated, truncated, info = env.step(agent.act(observation, info))
    assert not (terminated or truncated)
    twin = CLONERS[how](env)
    expected = _rest(env, agent, observation, info)
    assert _replay(twin, [action for action, _ in expected]) == expected
    assert [m.to_openai() for m in twin.unwrapped.history] == [
        m.to_openai() for m in env.unwrapped.history
    ]
    # and the next episodes, drawn from the copied random state, agree too
    first, second = env.reset(), twin.reset()
    assert first == second
    env.close()
    twin.close()


def test_a_fresh_env_copies_and_specs_serialise() -> None:
    plan = toolgym.faults.FaultPlan.preset("light")
    env = gym.make("toolgym/Retail-v0", faults=plan)
    spec = env.spec
    assert spec is not None and json.loads(spec.to_json())["kwargs"]["faults"]["faults"]
    again = gym.make(gym.envs.registration.EnvSpec.from_json(spec.to_json()))
    twin = copy.deepcopy(env)
    assert env.reset(seed=3) == twin.reset(seed=3) == again.reset(seed=3)


def test_render_follows_gymnasium() -> None:
    env = gym.make("toolgym/Retail-v0")
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None
    ansi = gym.make("toolgym/Retail-v0", render_mode="ansi")
    ansi.reset(seed=0)
    assert "[user]" in ansi.render()
