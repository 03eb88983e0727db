"""Costs as ratios to a yardstick timed in the same run, never absolute times.

The yardstick is a bare ``CartPole-v1`` step (Gymnasium's cheapest env, about 5 us), timed in
batches interleaved with the env's own resets and steps: a loaded machine slows both alike,
so a bound of "reset under N CartPole steps" keeps its meaning where "under 10 ms" does not.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import gymnasium as gym

from toolgym.core.rollout import Agent

_BATCH = 20


def _yardstick_step(cartpole: gym.Env) -> float:
    start = time.perf_counter()
    for _ in range(_BATCH):
        _, _, terminated, truncated, _ = cartpole.step(cartpole.action_space.sample())
        if terminated or truncated:
            cartpole.reset()
    return (time.perf_counter() - start) / _BATCH


def costs(
    env: gym.Env,
    agent: Callable[[gym.Env], Agent] | None = None,
    *,
    seeds: int = 100,
    step: dict | None = None,
) -> tuple[float, float]:
    """Median reset and median step of ``env``, each in CartPole steps. Steps are the agent's
    whole episode (``agent(env)``), or the one ``step`` action after each reset."""
    cartpole = gym.make("CartPole-v1")
    cartpole.reset(seed=0)
    cartpole.action_space.seed(0)
    resets, steps, yards = [], [], []
    for seed in range(seeds):
        yards.append(_yardstick_step(cartpole))
        start = time.perf_counter()
        observation, info = env.reset(seed=seed)
        resets.append(time.perf_counter() - start)
        if agent is None:
            start = time.perf_counter()
            env.step(step)
            steps.append(time.perf_counter() - start)
            continue
        player = agent(env)
        player.reset(observation, info)
        done = False
        while not done:
            action = player.act(observation, info)
            start = time.perf_counter()
            observation, _, terminated, truncated, info = env.step(action)
            steps.append(time.perf_counter() - start)
            done = terminated or truncated
        yards.append(_yardstick_step(cartpole))
    yard = statistics.median(yards)
    return statistics.median(resets) / yard, statistics.median(steps) / yard
