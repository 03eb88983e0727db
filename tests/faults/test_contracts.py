"""The contracts of the issue, on every registered environment.

- Under any plan of recoverable faults the oracle solves every task (Hypothesis, 200 examples
  per env).
- A no-tool agent fails every task under every preset.
- No fault reads global ``random`` or the clock.
"""

from __future__ import annotations

import random
import time
import uuid

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolgym
from toolgym.agents import NoToolAgent, OracleAgent
from toolgym.core.tool import Tool
from toolgym.faults import FaultPipeline, FaultPlan, presets
from toolgym.testing.strategies import fault_plans

ENV_IDS = toolgym.env_ids()
SEEDS = st.integers(0, 2**40)


def _explain(result) -> str:
    lines = [f"task {result.task_id}: checks {result.checks}, faults:"]
    lines += [f"  {e}" for e in result.faults]
    lines.append(toolgym.core.env.transcript(result.history)[-3000:])
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("env_id", ENV_IDS)
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(plan=fault_plans(recoverable_only=True, max_faults=8), seed=SEEDS)
def test_oracle_solves_every_task_under_any_recoverable_plan(env_id, plan, seed, run) -> None:
    result = run(env_id, plan, seed)
    assert result.solvable
    assert result.success, _explain(result)


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("preset", [p for p in presets() if FaultPlan.preset(p).recoverable])
def test_oracle_solves_every_task_under_recoverable_presets(env_id, preset, run) -> None:
    for seed in range(30):
        result = run(env_id, preset, seed)
        assert result.success, _explain(result)


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("preset", presets())
def test_a_no_tool_agent_fails_every_task_under_every_preset(env_id, preset, run) -> None:
    for seed in range(40):
        result = run(env_id, preset, seed, NoToolAgent)
        assert not result.success, _explain(result)
        assert result.reward == 0.0


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("preset", ["heavy", "medium"])
def test_gymnasium_env_checker_passes_with_faults(env_id: str, preset: str) -> None:
    env = gym.make(env_id, faults=preset)
    check_env(env.unwrapped, skip_render_check=True)


def test_destructive_faults_mark_the_episode_unsolvable_from_the_reset(run) -> None:
    for name in ("permanent_outage", "permission_denied"):
        result = run("toolgym/Retail-v0", [{"fault": name}], 3)
        assert result.infos[0]["solvable"] is False
        assert not result.solvable and not result.success


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_no_fault_touches_global_random_or_the_clock(env_id, run, make_env, monkeypatch) -> None:
    """Global ``random``, ``uuid`` and the clock readers raise while fault code runs (the
    pipeline's hooks), and work as usual inside the tools a fault may call (a sandbox times
    its workers with the clock; that is the tool's business, not the fault's)."""
    inside = [False]

    def guard(module: object, name: str) -> None:
        original = getattr(module, name)

        def replacement(*args: object, **kwargs: object) -> object:
            if inside[0]:
                raise AssertionError(f"a fault called {module.__name__}.{name}")  # type: ignore[attr-defined]
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, replacement)

    def scope(owner: type, name: str, value: bool) -> None:
        original = getattr(owner, name)

        def wrapped(*args: object, **kwargs: object) -> object:
            before, inside[0] = inside[0], value
            try:
                return original(*args, **kwargs)
            finally:
                inside[0] = before

        monkeypatch.setattr(owner, name, wrapped)

    make_env(env_id)  # worlds are built (with Faker, which uses random) before the patch
    for name in ("random", "randint", "randrange", "choice", "choices", "shuffle", "sample",
                 "uniform", "getrandbits", "seed"):  # fmt: skip
        guard(random, name)
    # The clock readers (formatting a given date, as datetime does, is no clock read).
    for name in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter",
                 "perf_counter_ns", "process_time", "thread_time"):  # fmt: skip
        guard(time, name)
    guard(uuid, "uuid4")
    guard(uuid, "uuid1")
    for hook in ("on_reset", "on_turn", "on_call", "on_result", "on_finish"):
        scope(FaultPipeline, hook, True)
    scope(Tool, "__call__", False)
    everything = FaultPlan(
        faults=[{"fault": n, "probability": 0.5} for n in toolgym.faults.names()]
    )
    for seed in range(40):
        run(env_id, everything, seed)
        run(env_id, "heavy", seed, OracleAgent)
