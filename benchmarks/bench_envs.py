"""`make bench`: what a toolgym env costs inside a training loop, measured in one run.

Per environment: median reset time, median step time for a typical (read-only) tool call and
the env's overhead around that tool, peak memory per env instance; beside them, the same
figures for a baseline that deep-copies the world on reset (the approach of tau-bench), and a
bare Gymnasium CartPole step as the yardstick. Only ratios measured here, in this run, mean
anything; absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import gymnasium as gym

import toolgym
from toolgym.core.errors import ToolError
from toolgym.core.task import Step


def median_us(fn: Callable[[], Any], repeat: int, budget_s: float = 3.0) -> float:
    """Median of up to ``repeat`` timings, stopping early (after 5) once ``budget_s`` is spent,
    so environments whose steps run real processes stay affordable."""
    samples: list[float] = []
    spent = 0.0
    while len(samples) < repeat and (len(samples) < 5 or spent < budget_s):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
    return statistics.median(samples) * 1e6


def cartpole_step_us(repeat: int) -> float:
    env = gym.make("CartPole-v1")
    env.reset(seed=0)

    def step() -> None:
        _, _, terminated, truncated, _ = env.step(0)
        if terminated or truncated:
            env.reset()

    return median_us(step, repeat)


def typical_call(env: gym.Env) -> tuple[int, Step]:
    """A seed and the first read-only call its oracle makes (what agents do most); the first
    call of seed 0 where a suite's plans only write."""
    first: tuple[int, Step] | None = None
    for seed in range(50):
        env.reset(seed=seed)
        episode = env.unwrapped.episode
        tools = episode.world.tools
        plan = episode.task.plan()
        step = next(plan)
        first = first or (seed, step)
        for _ in range(20):
            if not tools[step.tool].mutates:
                episode.world.restore(episode.start)
                return seed, step
            try:
                step = plan.send(tools[step.tool](dict(step.arguments)))
            except (StopIteration, ToolError):
                break
        episode.world.restore(episode.start)
    assert first is not None
    return first


def measure_env(env_id: str, repeat: int) -> dict[str, float]:
    gym.make(env_id).close()  # imports and class-level caches are paid once per process
    gc.collect()
    tracemalloc.start()
    env = gym.make(env_id)
    env.reset(seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    seed, step = typical_call(env)
    env.reset(seed=seed)
    base = env.unwrapped
    base.max_turns = 10**9
    tool = base.episode.world.tools[step.tool]
    action = {
        "thinking": "Look it up.",
        "tool_calls": [{"id": "b1", "name": step.tool, "arguments": step.arguments}],
    }
    step_us = median_us(lambda: env.step(action), repeat)
    tool_us = median_us(lambda: tool(dict(step.arguments)), repeat)

    seeds = iter(range(10**9))
    reset_us = median_us(lambda: env.reset(seed=next(seeds)), max(200, repeat // 20))

    world = base.episode.world
    baseline_us, baseline_mb = float("nan"), float("nan")
    # A sandbox's files and processes live outside Python: no deep-copy baseline there.
    if not any(hasattr(tk, "sandbox") for tk in world.toolkits):
        gc.collect()
        tracemalloc.start()
        clone = copy.deepcopy(world.toolkits)
        _, copy_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del clone
        baseline_us = reset_us + median_us(lambda: copy.deepcopy(world.toolkits), 20)
        baseline_mb = (peak + copy_peak) / 2**20
    env.close()
    return {
        "reset_us": reset_us,
        "baseline_reset_us": baseline_us,
        "step_us": step_us,
        "tool_us": tool_us,
        "overhead_us": step_us - tool_us,
        "memory_mb": peak / 2**20,
        "baseline_memory_mb": baseline_mb,
        "tool": step.tool,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    quick = bool(os.environ.get("TOOLGYM_BENCH_QUICK"))  # the docs smoke test runs `make bench`
    parser.add_argument(
        "--repeat", type=int, default=200 if quick else 5000, help="samples per step timing"
    )
    parser.add_argument("--env", action="append", help="env ids (default: all)")
    args = parser.parse_args()
    if quick and not args.env:  # one API env and one sandboxed env show the command works
        args.env = ["toolgym/Retail-v0", "toolgym/Python-v0"]

    cartpole = cartpole_step_us(args.repeat)
    print(f"CartPole-v1 step (gym.make): {cartpole:.1f} us median\n")
    header = (
        f"{'env':<24}{'reset us':>10}{'deepcopy reset us':>19}{'step us':>9}"
        f"{'tool us':>9}{'overhead us':>13}{'x CartPole':>11}{'MB/env':>8}"
        f"{'deepcopy MB':>13}  typical call"
    )
    print(header)
    print("-" * len(header))
    for env_id in args.env or toolgym.env_ids():
        r = measure_env(env_id, args.repeat)
        print(
            f"{env_id:<24}{r['reset_us']:>10.0f}{r['baseline_reset_us']:>19.0f}"
            f"{r['step_us']:>9.1f}{r['tool_us']:>9.1f}{r['overhead_us']:>13.1f}"
            f"{r['overhead_us'] / cartpole:>11.2f}{r['memory_mb']:>8.1f}"
            f"{r['baseline_memory_mb']:>13.1f}  {r['tool']}"
        )
    print("\nTargets: overhead <= 3x a CartPole step; reset <= 1000 us at default size.")


if __name__ == "__main__":
    main()
