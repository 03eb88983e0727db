"""``toolgym/Codebase-v0``: every bug kind solvable, no credit without a real fix, leak-free."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.bugs import BUG_KINDS
from toolgym.envs.codebase import SUITE


@pytest.fixture(scope="module")
def env() -> Iterator[gym.Env]:
    environment = gym.make("toolgym/Codebase-v0")
    yield environment
    environment.close()


def test_registered_with_a_family_per_bug_kind() -> None:
    assert "toolgym/Codebase-v0" in toolgym.env_ids()
    assert [f.name for f in SUITE.families] == list(BUG_KINDS)


@pytest.mark.slow
def test_oracle_fixes_every_bug_kind_at_every_difficulty(env: gym.Env) -> None:
    """24 episodes (8 kinds x 3 difficulties) plus 8 unconstrained seeds: 32 in all, each
    running pytest three times in the sandbox, so the count is kept small."""
    agent = OracleAgent(env)
    runs = [
        run_episode(env, agent, seed=seed, options={"family": kind, "difficulty": difficulty})
        for seed, (kind, difficulty) in enumerate(itertools.product(BUG_KINDS, DIFFICULTIES))
    ]
    runs += [run_episode(env, agent, seed=seed) for seed in range(1000, 1008)]
    failures = [(r.task_id, r.checks) for r in runs if not r.success]
    assert failures == []
    assert all(
        r.checks == {"state": True, "visible_tests": True, "hidden_tests": True} for r in runs
    )


def test_answering_without_tools_fails(env: gym.Env) -> None:
    for kind in BUG_KINDS:
        result = run_episode(env, NoToolAgent(), seed=3, options={"family": kind})
        assert not result.success and result.checks["hidden_tests"] is False


def test_editing_the_tests_earns_nothing(env: gym.Env) -> None:
    """An agent that deletes the failing test instead of fixing the code does not succeed."""
    env.reset(seed=8, options={"family": "off_by_one", "difficulty": "easy"})
    *_, info = env.step(AgentTurn(tool_calls=[ToolCall("c1", "code_list", {"path": "tests"})]))
    listed = json.loads(info["messages"][0]["content"])
    tests = [e["path"] for e in listed["entries"] if e["type"] == "file"]
    calls = [
        ToolCall(f"w{i}", "code_write", {"path": path, "content": "def test_ok():\n    pass\n"})
        for i, path in enumerate(tests)
    ]
    env.step(AgentTurn(tool_calls=calls))
    report = env.step(AgentTurn(tool_calls=[ToolCall("r", "run_tests", {})]))[0]
    assert '"failed": 0' in report
    *_, info = env.step("All tests pass now.")
    assert info["success"] is False
    assert info["checks"]["hidden_tests"] is False


def test_check_env() -> None:
    environment = gym.make("toolgym/Codebase-v0").unwrapped
    try:
        check_env(environment, skip_render_check=True)
    finally:
        environment.close()


def test_close_stops_both_sandboxes() -> None:
    environment = gym.make("toolgym/Codebase-v0")
    run_episode(environment, OracleAgent(environment), seed=2)
    toolkit = environment.unwrapped._world(0)[0].toolkit("codebase")
    boxes = [toolkit.sandbox, toolkit.checker]
    processes = {p for box in boxes for p in box._procs}
    assert processes
    environment.close()
    assert all(box.closed and not box.dir.exists() for box in boxes)
    assert all(p.poll() is not None for p in processes)


def test_reset_runs_no_tests_but_the_agent_gets_real_runs(
    env: gym.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference run at reset learns the fixed files without running pytest (a reset is
    then milliseconds, not a test run or two); the agent's own run_tests calls are real."""
    env.reset(seed=3, options={"difficulty": "easy"})
    sandbox = env.unwrapped.episode.world.by_name["codebase"].sandbox
    runs = []
    real = sandbox.pytest
    monkeypatch.setattr(sandbox, "pytest", lambda *a, **k: runs.append(a) or real(*a, **k))
    env.reset(seed=4, options={"difficulty": "easy"})
    assert runs == []
    result = run_episode(env, OracleAgent(env), seed=4, options={"difficulty": "easy"})
    assert result.success and len(runs) >= 2  # the agent's run_tests calls, then the checker
    reports = [json.loads(m.content) for m in result.history if m.role == "tool"]
    summaries = [r["summary"] for r in reports if "summary" in r]
    assert summaries and all("passed" in s or "failed" in s for s in summaries)
