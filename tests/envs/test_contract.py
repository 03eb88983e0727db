"""The bar every registered environment meets: Gymnasium's checker, a perfect oracle, a
failing do-nothing agent, determinism across processes, and no crash on any action."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import warnings
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st

import toolgym
from toolgym.core.env import INFO_KEYS
from toolgym.envs.registry import SUITES
from toolgym.evaluation import EpisodeError, Settings, run_episodes
from toolgym.evaluation.episode import CLEAN, EpisodeSpec

SEEDS = 200
# Environments whose steps run real processes (a sandboxed kernel, pytest) play their seeds on
# two worker processes, through the evaluation runner; the bar is the same.
PARALLEL = {"toolgym/Python-v0", "toolgym/Codebase-v0"}


def play(env_id: str, agent: str) -> list[dict[str, Any]]:
    """The record of one episode per seed, played by a named agent (oracle, noop, ...)."""
    specs = [EpisodeSpec(env_id, seed, CLEAN, 0) for seed in range(SEEDS)]
    workers = 2 if env_id in PARALLEL else 1
    records = list(run_episodes(specs, Settings(agent), workers=workers))
    errors = [r.message for r in records if isinstance(r, EpisodeError)]
    assert not errors, errors[:3]
    return records


def test_check_env(env_id: str) -> None:
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


def test_oracle_solves_every_task(env_id: str) -> None:
    records = play(env_id, "oracle")
    failures = [(r["task_id"], r["checks"]) for r in records if not r["success"]]
    assert not failures, failures[:5]
    families = {f.name for f in gym.make(env_id).unwrapped.suite.families}
    if _built_in(env_id):  # our own suites' breadth; a suite of yours may have one family
        assert len(families) >= 6
    assert {r["family"] for r in records} == families
    assert {r["difficulty"] for r in records} == {"easy", "medium", "hard"}


def _built_in(env_id: str) -> bool:
    target = SUITES.target(env_id.removeprefix("toolgym/").removesuffix("-v0"))
    return isinstance(target, str) and target.startswith("toolgym.envs.")


def test_answering_at_once_never_succeeds(env_id: str) -> None:
    wins = [r["task_id"] for r in play(env_id, "noop") if r["success"]]
    assert not wins


DIGEST = """
import hashlib, json, sys
import gymnasium as gym, toolgym
env = gym.make(sys.argv[1])
h = hashlib.sha256()
for agent_kind in ("oracle", "random"):
    for seed in range(int(sys.argv[2])):
        agent = toolgym.OracleAgent(env) if agent_kind == "oracle" else toolgym.RandomAgent(seed)
        r = toolgym.run_episode(env, agent, seed=seed, max_steps=15)
        for info in r.infos:
            h.update(json.dumps(info, sort_keys=True, default=repr).encode())
        h.update(repr([m.to_openai() for m in r.history]).encode())
        h.update(repr((r.reward, r.success)).encode())
env.close()
print(h.hexdigest())
"""


def test_trajectories_are_identical_across_processes(env_id: str) -> None:
    count = "20"
    digests = set()
    for hash_seed in ("0", "4242"):
        environ = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST, env_id, count],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def _digest(env_id: str, seed: int) -> str:
    env = gym.make(env_id)
    r = toolgym.run_episode(env, toolgym.RandomAgent(seed), seed=seed, max_steps=10)
    env.close()
    return hashlib.sha256(json.dumps(r.infos, sort_keys=True, default=repr).encode()).hexdigest()


def test_same_seed_and_actions_same_trajectory(env_id: str) -> None:
    assert _digest(env_id, 3) == _digest(env_id, 3)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def actions(draw: st.DrawFn, tool_names: list[str]) -> object:
    name = draw(st.sampled_from(tool_names) | st.text(max_size=12))
    arguments = draw(
        json_values
        | st.text(max_size=50)
        | st.builds(json.dumps, json_values)
        | st.just('{"broken": ')
        | st.just("x" * 50_000)
    )
    call = draw(
        st.sampled_from(
            [
                {"id": "f1", "name": name, "arguments": arguments},
                {
                    "id": "f1",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                },
                {"name": name},
                arguments,
            ]
        )
    )
    return draw(
        st.sampled_from(
            [
                {"thinking": draw(st.text(max_size=20)), "tool_calls": [call]},
                {"tool_calls": [call, call]},
                {"tool_calls": call},
                {"content": [{"type": "tool_use", "id": "u", "name": name, "input": arguments}]},
                {"tool_calls": arguments},
                arguments,
            ]
        )
    )


@pytest.mark.slow
def test_no_action_makes_step_raise(env_id: str) -> None:
    env = gym.make(env_id).unwrapped
    env.reset(seed=0)
    names = [t["function"]["name"] for t in env.episode.view.schemas()]

    @settings(max_examples=150)
    @given(actions(names))
    def run(action: object) -> None:
        env.reset(seed=0)
        obs, _reward, terminated, truncated, info = env.step(action)
        assert isinstance(obs, str) and tuple(info) == INFO_KEYS
        assert type(terminated) is bool and type(truncated) is bool
        for status, message in zip(info["parse_status"], info["messages"], strict=False):
            assert '"internal_error"' not in message["content"], message["content"]
            if status != "ok":
                assert '"error"' in message["content"] or "Error" in message["content"]

    run()
    for _ in range(200):
        env.reset(seed=1)
        env.step(env.action_space.sample())
    env.close()


@pytest.mark.parametrize("vector", ["sync", "async"])
def test_vector_envs_run_episodes(env_id: str, vector: str) -> None:
    fns = [lambda: gym.make(env_id) for _ in range(2)]
    if vector == "sync":
        envs = gym.vector.SyncVectorEnv(fns)
    else:
        envs = gym.vector.AsyncVectorEnv(fns, shared_memory=False)
    obs, _ = envs.reset(seed=[1, 2])
    assert len(obs) == 2 and all(isinstance(o, str) for o in obs)
    obs, reward, terminated, _truncated, _info = envs.step(("done", "done"))
    assert terminated.tolist() == [True, True] and reward.tolist() == [0.0, 0.0]
    envs.close()
