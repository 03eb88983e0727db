"""Gymnasium's vector envs run toolgym envs under every autoreset mode, step for step equal
to single envs: ``SyncVectorEnv`` and ``AsyncVectorEnv(shared_memory=False)`` (text spaces
cannot live in shared memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import toolgym

ENV = "toolgym/Retail-v0"
PLACEHOLDER = "(no generation: this env's episode is over)"


@dataclass
class Script:
    """One seed's oracle episode as a single env plays it, and the task that follows it."""

    actions: list[Any]
    observations: list[str]
    rewards: list[float]
    next_prompt: str  # what reset() without a seed shows after the episode


@pytest.fixture(scope="module")
def scripts() -> dict[int, Script]:
    env = gym.make(ENV, faults="light")
    found: dict[int, Script] = {}
    for seed in (1, 2, 3, 4, 5, 6):
        agent = toolgym.OracleAgent(env)
        observation, info = env.reset(seed=seed)
        agent.reset(observation, info)
        script = Script([], [], [], "")
        done = False
        while not done:
            action = agent.act(observation, info)
            observation, reward, terminated, truncated, info = env.step(action)
            script.actions.append(action)
            script.observations.append(observation)
            script.rewards.append(float(reward))
            done = terminated or truncated
        assert info["success"]
        script.next_prompt = env.reset()[0]
        found[seed] = script
    return found


def _pair(scripts: dict[int, Script]) -> tuple[int, int]:
    """Two seeds whose episodes end at different steps."""
    seeds = sorted(scripts)
    for a in seeds:
        for b in seeds:
            if len(scripts[a].actions) < len(scripts[b].actions):
                return a, b
    raise AssertionError("every scripted episode has the same length")


def _make(kind: str, mode: AutoresetMode) -> gym.vector.VectorEnv:
    kwargs: dict[str, Any] = {"autoreset_mode": mode}
    if kind == "async":
        kwargs["shared_memory"] = False
    return gym.make_vec(
        ENV,
        num_envs=2,
        vectorization_mode=kind,
        vector_kwargs=kwargs,
        faults="light",
    )


KINDS = ["sync", "async"]
MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.name)
@pytest.mark.parametrize("kind", KINDS)
def test_vector_env_steps_equal_single_env_steps(
    kind: str, mode: AutoresetMode, scripts: dict[int, Script]
) -> None:
    short, long = _pair(scripts)
    plays = [scripts[short], scripts[long]]
    envs = _make(kind, mode)
    observations, infos = envs.reset(seed=[short, long])
    assert isinstance(observations, tuple) and all(isinstance(o, str) for o in observations)
    assert infos["turn"].tolist() == [0, 0] and len(infos["tools"]) == 2
    for t in range(len(plays[1].actions)):
        actions = [p.actions[t] if t < len(p.actions) else PLACEHOLDER for p in plays]
        observations, rewards, terminated, truncated, infos = envs.step(actions)
        assert not truncated.any()
        for i, play in enumerate(plays):
            end = len(play.actions) - 1  # the step at which this episode ends
            if t < end:
                assert observations[i] == play.observations[t]
                assert rewards[i] == play.rewards[t] and not terminated[i]
            elif t == end:
                _check_end(mode, i, observations, rewards, terminated, infos, play)
            elif t == end + 1 and mode is AutoresetMode.NEXT_STEP:
                # The action sent after the end is discarded: this step only resets.
                assert observations[i] == play.next_prompt
                assert rewards[i] == 0.0 and not terminated[i] and infos["turn"][i] == 0
        if mode is AutoresetMode.DISABLED and terminated[0] and t < len(plays[1].actions) - 1:
            # Nothing resets by itself, and a finished env must be reset before the next step:
            # reset it, and only it (it then answers placeholders, ending at once each time).
            observations, infos = envs.reset(options={"reset_mask": np.array([True, False])})
            assert infos["_turn"].tolist() == [True, False]
            if t == len(plays[0].actions) - 1:
                assert observations[0] == plays[0].next_prompt
    envs.close()


def _check_end(
    mode: AutoresetMode,
    i: int,
    observations: tuple[str, ...],
    rewards: np.ndarray,
    terminated: np.ndarray,
    infos: dict[str, Any],
    play: Script,
) -> None:
    assert rewards[i] == 1.0 and terminated[i]
    if mode is AutoresetMode.SAME_STEP:
        # The next task's prompt arrives in the same step; the last result is kept aside.
        assert observations[i] == play.next_prompt
        assert infos["final_obs"][i] == play.observations[-1]
        assert infos["final_info"]["success"][i] and infos["_final_obs"][i]
    else:
        assert observations[i] == play.observations[-1]
        assert infos["success"][i]


@pytest.mark.parametrize("kind", KINDS)
def test_text_actions_batch_completions(kind: str) -> None:
    """String-in, string-out envs (a tool-call format) batch too: prompts and results are text."""
    kwargs: dict[str, Any] = {"autoreset_mode": AutoresetMode.SAME_STEP}
    if kind == "async":
        kwargs["shared_memory"] = False
    envs = gym.make_vec(
        ENV, num_envs=2, vectorization_mode=kind, vector_kwargs=kwargs, format="hermes"
    )
    prompts, infos = envs.reset(seed=[0, 1])
    assert all(p.startswith("<|im_start|>system") for p in prompts)
    completion = '<tool_call>\n{"name": "list_categories", "arguments": {}}\n</tool_call>'
    results, rewards, terminated, _, infos = envs.step([completion, "Sorry, I cannot help."])
    assert infos["parse_status"][0] == ["ok"] and "<tool_response>" in results[0]
    assert terminated.tolist() == [False, True] and rewards.tolist() == [0.0, 0.0]
    envs.close()
