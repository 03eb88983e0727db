"""`make bench`: what faults cost inside a training loop, measured in one run.

Per environment, with no faults and with the ``heavy`` preset, interleaved so both see the
same machine load:

- the median time of ``env.step`` over the steps of oracle episodes (the agent's own time is
  not counted): the figure the target is about, heavy at most 2x no faults;
- the median step for one typical read-only call repeated, named as each env shows it (the
  steady state of ``bench.py``);
- the median reset.

Only the ratios within one run mean anything; absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from typing import Any

import gymnasium as gym
from bench_envs import typical_call  # benchmarks/ is the script's directory

import toolgym
from toolgym.agents import OracleAgent
from toolgym.core.task import Step

CONFIGS = ("none", "heavy")


def _oracle_steps(env: gym.Env, seed: int, steps: list[float], resets: list[float]) -> None:
    """Run one oracle episode, timing each ``env.step`` and the reset."""
    agent = OracleAgent(env)
    start = time.perf_counter()
    observation, info = env.reset(seed=seed)
    resets.append(time.perf_counter() - start)
    agent.reset(observation, info)
    done = False
    while not done:
        action = agent.act(observation, info)
        start = time.perf_counter()
        observation, _, terminated, truncated, info = env.step(action)
        steps.append(time.perf_counter() - start)
        done = terminated or truncated


def _shown(env: gym.Env, seed: int, step: Step) -> dict[str, Any]:
    """``step`` as the env shows it after ``reset(seed)`` (renamed tools and all)."""
    env.reset(seed=seed)
    entry = env.unwrapped.episode.view.entry_for(step.tool)
    name, arguments = step.tool, step.arguments
    if entry is not None:
        name, arguments = entry.name, entry.visible_arguments(step.arguments)
    return {"tool_calls": [{"id": "b1", "name": name, "arguments": arguments}]}


def measure(env_id: str, episodes: int, repeat: int) -> dict[str, dict[str, float]]:
    envs = {c: gym.make(env_id, faults=c, max_turns=500) for c in CONFIGS}
    steps: dict[str, list[float]] = {c: [] for c in CONFIGS}
    resets: dict[str, list[float]] = {c: [] for c in CONFIGS}
    for c in CONFIGS:  # warm caches (world indexes, imports) outside the timing
        _oracle_steps(envs[c], 10**6, [], [])
    gc.collect()
    for seed in range(episodes):
        for c in CONFIGS:
            _oracle_steps(envs[c], seed, steps[c], resets[c])

    typical: dict[str, list[float]] = {c: [] for c in CONFIGS}
    seed, step = typical_call(envs["none"])
    actions = {c: _shown(envs[c], seed, step) for c in CONFIGS}
    for c in CONFIGS:
        envs[c].unwrapped.max_turns = 10**9
    for _ in range(repeat):
        for c in CONFIGS:
            start = time.perf_counter()
            envs[c].step(actions[c])
            typical[c].append(time.perf_counter() - start)
    return {
        c: {
            "episode_step_us": statistics.median(steps[c]) * 1e6,
            "mean_step_us": statistics.fmean(steps[c]) * 1e6,
            "typical_step_us": statistics.median(typical[c]) * 1e6,
            "reset_us": statistics.median(resets[c]) * 1e6,
            "steps": len(steps[c]),
        }
        for c in CONFIGS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    quick = bool(os.environ.get("TOOLGYM_BENCH_QUICK"))
    parser.add_argument("--episodes", type=int, default=40 if quick else 400)
    parser.add_argument("--repeat", type=int, default=200 if quick else 3000)
    parser.add_argument("--env", action="append", help="env ids (default: all)")
    args = parser.parse_args()
    if quick and not args.env:
        args.env = ["toolgym/Retail-v0"]

    header = (
        f"{'env':<24}{'faults':>8}{'steps':>7}{'step us (median)':>18}{'mean':>9}"
        f"{'typical call us':>17}{'reset us':>10}"
    )
    print(header)
    print("-" * len(header))
    ratios = []
    for env_id in args.env or toolgym.env_ids():
        result = measure(env_id, args.episodes, args.repeat)
        for c in CONFIGS:
            r = result[c]
            print(
                f"{env_id:<24}{c:>8}{r['steps']:>7}{r['episode_step_us']:>18.1f}"
                f"{r['mean_step_us']:>9.1f}{r['typical_step_us']:>17.1f}{r['reset_us']:>10.0f}"
            )
        ratio = result["heavy"]["episode_step_us"] / result["none"]["episode_step_us"]
        typical = result["heavy"]["typical_step_us"] / result["none"]["typical_step_us"]
        ratios.append(ratio)
        print(f"{'':<24}{'heavy / none':>15}: step {ratio:.2f}x, typical call {typical:.2f}x")
    verdict = "met" if max(ratios) <= 2.0 else "MISSED"
    print(f"\nTarget: median step with heavy <= 2x without faults ({verdict}).")


if __name__ == "__main__":
    main()
