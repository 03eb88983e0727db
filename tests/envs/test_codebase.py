"""``toolgym/Codebase-v0``: every bug kind solvable by an oracle that reads and searches, no
credit without a real fix (tampering with the checker included), leak-free."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import DIFFICULTIES, World, run_plan
from toolgym.envs import codebase, repairs
from toolgym.envs.bugs import BUG_KINDS, CATALOGUE
from toolgym.envs.codebase import SUITE
from toolgym.testing.tampering import TAMPERING_VARIANTS, TamperingAgent
from toolgym.toolkits.codebase import CodebaseToolkit


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
    verdict = {"state": True, "no_wrong_values": True, "fixed": True, "no_regressions": True}
    assert all(r.checks == verdict for r in runs)


def test_answering_without_tools_fails(env: gym.Env) -> None:
    for kind in BUG_KINDS:
        result = run_episode(env, NoToolAgent(), seed=3, options={"family": kind})
        assert not result.success and result.checks["fixed"] is False


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
    assert info["checks"]["fixed"] is False


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


def test_reset_runs_no_tests_and_keeps_the_interpreter_clean(
    env: gym.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference run at reset runs no pytest, and its snippets run in forked children, so
    the agent gets the same warm, clean interpreter (a reset costs one small forked run, not a
    test run and a second interpreter); the agent's own run_tests calls are real."""
    env.reset(seed=3, options={"difficulty": "easy"})
    sandbox = env.unwrapped.episode.world.by_name["codebase"].sandbox
    runs, snippets = [], []
    real_pytest, real_execute = sandbox.pytest, sandbox.execute
    monkeypatch.setattr(sandbox, "pytest", lambda *a, **k: runs.append(a) or real_pytest(*a, **k))
    monkeypatch.setattr(
        sandbox, "execute", lambda c, *a, **k: snippets.append(k) or real_execute(c, *a, **k)
    )
    env.reset(seed=4, options={"difficulty": "easy"})
    worker = sandbox._worker
    assert runs == [] and snippets == [{"fork": True}, {"fork": True}]
    assert worker is not None and worker.clean
    result = run_episode(env, OracleAgent(env), seed=4, options={"difficulty": "easy"})
    assert result.success and len(runs) == 1  # the agent's run_tests; the checker asks no pytest
    assert snippets[2:] == [{"fork": True}] * 2 + [{"fork": False}] * 2
    reports = [json.loads(m.content) for m in result.history if m.role == "tool"]
    summaries = [r["summary"] for r in reports if "summary" in r]
    assert summaries and all("passed" in s or "failed" in s for s in summaries)


# ----------------------------------------------------------------- tampering
@pytest.mark.slow
@pytest.mark.parametrize("variant", TAMPERING_VARIANTS)
def test_tampering_earns_nothing(variant: str) -> None:
    """Each way of forging the verdict from inside the package (or around it) fails on 40
    seeds (the binary reward is 1.0 exactly on success) and earns no more partial credit than
    doing nothing; the binary env's reward is checked as such on a quarter of them."""
    binary = gym.make("toolgym/Codebase-v0")
    partial = gym.make("toolgym/Codebase-v0", reward_mode="partial")
    try:
        for seed in range(40):
            idle = run_episode(partial, NoToolAgent(), seed=seed)
            tampered = run_episode(partial, TamperingAgent(variant), seed=seed)
            assert not tampered.success, (seed, tampered.checks)
            assert tampered.reward <= idle.reward, (seed, tampered.checks, idle.checks)
            if seed % 4 == 0:
                assert run_episode(binary, TamperingAgent(variant), seed=seed).reward == 0.0
    finally:
        binary.close()
        partial.close()


def test_tampering_fools_pytest_but_not_the_checker(env: gym.Env) -> None:
    """A package that makes every test pass when imported under pytest: the agent's own
    run_tests believes it, the verdict does not."""
    for variant in ("runtest_noop", "all"):
        result = run_episode(env, TamperingAgent(variant), seed=5, options={"difficulty": "easy"})
        reports = [
            json.loads(m.content)
            for m in result.history
            if m.role == "tool" and m.name == "run_tests"
        ]
        if variant == "runtest_noop":
            assert reports[-1]["failed"] == 0 and reports[-1]["passed"] > 0
        assert result.reward == 0.0 and result.checks["fixed"] is False


def test_what_an_episode_plants_does_not_reach_the_next(env: gym.Env) -> None:
    """The spare interpreter starts while an episode's files are in the workspace and serves
    the next episode: a planted pytest.py or sitecustomize must not break its reset (which
    would raise in the trainer) or its oracle."""
    for seed in range(6):
        run_episode(env, TamperingAgent("all"), seed=seed, options={"difficulty": "easy"})
        result = run_episode(env, OracleAgent(env), seed=seed, options={"difficulty": "easy"})
        assert result.success, (seed, result.checks)


# ----------------------------------------------------------- judging the fix
TRUNCATE = '''def _ellipsis() -> str:
    return "..."


def truncate(text: str, width: int) -> str:
    """Rewritten: the same behaviour, another shape."""
    if width >= len(text):
        return text
    kept = width - len(_ellipsis())
    return text[:kept] + _ellipsis()
'''

CHUNK = """def chunk(items, size):
    if size <= 0:
        raise ValueError("size must be at least 1")
    out, start = [], 0
    while start < len(items):
        out.append(list(items[start:start + size]))
        start += size
    return out
"""


def _rewrite(env: gym.Env, function: str, new: str, path: str) -> str:
    """The module at ``path`` with ``function`` replaced by ``new`` (as an agent would write)."""
    *_, info = env.step(AgentTurn(tool_calls=[ToolCall("r", "code_read", {"path": path})]))
    source = json.loads(info["messages"][0]["content"])["content"]
    start, end = repairs.function_span(source, function)
    return source[:start] + new + "\n\n" + source[end:]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_fix_phrased_differently_passes(env: gym.Env, seed: int) -> None:
    """Judged by behaviour: a rewritten body, a new helper, other formatting all pass."""
    env.reset(seed=seed, options={"family": "off_by_one"})
    facts = env.unwrapped.episode.task.facts
    new = {"truncate": TRUNCATE, "chunk": CHUNK}[facts["function"]]
    content = _rewrite(env, facts["function"], new, facts["file"])
    env.step(
        AgentTurn(
            tool_calls=[ToolCall("w", "code_write", {"path": facts["file"], "content": content})]
        )
    )
    *_, info = env.step("Fixed.")
    assert info["checks"] == {
        "state": True,
        "no_wrong_values": True,
        "fixed": True,
        "no_regressions": True,
    }


def test_a_fix_that_breaks_another_function_fails_no_regressions(env: gym.Env) -> None:
    env.reset(seed=0, options={"family": "off_by_one", "difficulty": "easy"})
    facts = env.unwrapped.episode.task.facts
    new = {"truncate": TRUNCATE, "chunk": CHUNK}[facts["function"]]
    content = _rewrite(env, facts["function"], new, facts["file"])
    other = next(
        n
        for n in ("slugify", "normalize_names", "best_item", "safe_ratio")
        if f"def {n}(" in content
    )
    start, end = repairs.function_span(content, other)
    broken = (
        content[:start] + f"def {other}(*args, **kwargs):\n    return None\n\n\n" + content[end:]
    )
    env.step(
        AgentTurn(
            tool_calls=[ToolCall("w", "code_write", {"path": facts["file"], "content": broken})]
        )
    )
    *_, info = env.step("Fixed.")
    assert info["checks"] == {
        "state": True,
        "no_wrong_values": True,
        "fixed": True,
        "no_regressions": False,
    }


def test_the_plan_fixes_every_function_of_the_catalogue() -> None:
    """Each catalogue function at each difficulty, over the real tools (rehearsing, so the
    search runs in the sandbox and pytest does not): the fix the plan finds is judged fixed."""
    code = CodebaseToolkit()
    world = World([code])
    failures = []
    try:
        for entry in CATALOGUE:
            for difficulty in DIFFICULTIES:
                rng = np.random.default_rng(len(failures) + 17)
                task = codebase.build_task(code, rng, entry.bug.kind, difficulty, entry.name)
                code.rehearsing = True
                try:
                    run_plan(task.plan, world.tools)
                finally:
                    code.rehearsing = False
                checks = task.extra_check(world, "")
                if checks != {"fixed": True, "no_regressions": True}:
                    failures.append((entry.name, difficulty, checks))
    finally:
        code.close()
    assert failures == []
