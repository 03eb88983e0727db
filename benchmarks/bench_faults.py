"""`make bench`: what faults cost inside a training loop, measured in one run.

Per environment, with no faults and with the ``heavy`` preset, interleaved so both see the
same machine load:

- the median and mean time of ``env.step`` over the steps of oracle episodes (the agent's own
  time is not counted);
- **like for like**, the figure the target is about (heavy at most 2x no faults): each step is
  keyed by what it does (the real tools it calls, or a final answer), the heavy/none ratio of
  median step time is taken per key, and the ratios are averaged geometrically, weighted by how
  often each key occurs without faults. Faults change what the oracle does (pagination and
  truncation make it search more, errors make it retry), so the plain median compares different
  work, and where step times are bimodal (Search: cheap reads near 30 us, searches near 100 us)
  it jumps with a few percent more of the slow kind;
- the median step for one typical read-only call repeated, named as each env shows it (the
  steady state of ``bench.py``);
- the median reset.

Only the ratios within one run mean anything; absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import time
from collections import defaultdict
from typing import Any

import gymnasium as gym
from bench_envs import typical_call  # benchmarks/ is the script's directory

import toolgym
from toolgym.agents import OracleAgent
from toolgym.core.task import Step

CONFIGS = ("none", "heavy")


Steps = dict[str, list[float]]  # step times by what the step does


def _kind(env: gym.Env, action: Any) -> str:
    """What ``action`` does: the real tools it calls (through renames), or ``answer``."""
    calls = getattr(action, "tool_calls", None)
    if not calls:
        return "answer"
    view = env.unwrapped.episode.view
    targets = []
    for call in calls:
        entry = view.find(call.name)
        targets.append(entry.target if entry is not None and entry.target else "unknown tool")
    return "+".join(targets)


def _oracle_steps(env: gym.Env, seed: int, steps: Steps, resets: list[float]) -> None:
    """Run one oracle episode, timing each ``env.step`` (by kind) and the reset."""
    agent = OracleAgent(env)
    start = time.perf_counter()
    observation, info = env.reset(seed=seed)
    resets.append(time.perf_counter() - start)
    agent.reset(observation, info)
    done = False
    while not done:
        action = agent.act(observation, info)
        kind = _kind(env, action)
        start = time.perf_counter()
        observation, _, terminated, truncated, info = env.step(action)
        steps[kind].append(time.perf_counter() - start)
        done = terminated or truncated


def like_for_like(heavy: Steps, none: Steps) -> float:
    """Heavy/none ratio of median step time per kind of step, averaged geometrically with
    the weights of the kinds' counts without faults (kinds seen in both only)."""
    shared = [k for k in none if heavy.get(k)]
    weights = sum(len(none[k]) for k in shared)
    log_ratio = sum(
        len(none[k]) * math.log(statistics.median(heavy[k]) / statistics.median(none[k]))
        for k in shared
    )
    return math.exp(log_ratio / weights)


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
    kinds: dict[str, Steps] = {c: defaultdict(list) for c in CONFIGS}
    resets: dict[str, list[float]] = {c: [] for c in CONFIGS}
    for c in CONFIGS:  # warm caches (world indexes, imports) outside the timing
        _oracle_steps(envs[c], 10**6, defaultdict(list), [])
    gc.collect()
    for seed in range(episodes):
        for c in CONFIGS:
            _oracle_steps(envs[c], seed, kinds[c], resets[c])
    steps = {c: [t for times in kinds[c].values() for t in times] for c in CONFIGS}

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
    result: dict[str, dict[str, float]] = {
        c: {
            "episode_step_us": statistics.median(steps[c]) * 1e6,
            "mean_step_us": statistics.fmean(steps[c]) * 1e6,
            "typical_step_us": statistics.median(typical[c]) * 1e6,
            "reset_us": statistics.median(resets[c]) * 1e6,
            "steps": len(steps[c]),
        }
        for c in CONFIGS
    }
    result["heavy"]["like_for_like"] = like_for_like(kinds["heavy"], kinds["none"])
    return result


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
        heavy, none = result["heavy"], result["none"]
        ratios.append(heavy["like_for_like"])
        print(
            f"{'':<24}{'heavy / none':>15}: like for like {heavy['like_for_like']:.2f}x, "
            f"median {heavy['episode_step_us'] / none['episode_step_us']:.2f}x, "
            f"mean {heavy['mean_step_us'] / none['mean_step_us']:.2f}x, "
            f"typical call {heavy['typical_step_us'] / none['typical_step_us']:.2f}x"
        )
    verdict = "met" if max(ratios) <= 2.0 else "MISSED"
    print(f"\nTarget: a step with heavy <= 2x the same step without faults ({verdict}).")


if __name__ == "__main__":
    main()
