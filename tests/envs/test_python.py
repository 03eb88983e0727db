"""``toolgym/Python-v0``: solvable by the oracle, not without tools, deterministic, leak-free."""

from __future__ import annotations

import csv
import io
import itertools
import json
import statistics
from collections.abc import Iterator

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.test_retail import solved, verdict
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.grading import mentions
from toolgym.core.messages import AgentTurn
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.python import SUITE

FAMILIES = [f.name for f in SUITE.families]


@pytest.fixture(scope="module")
def env() -> Iterator[gym.Env]:
    environment = gym.make("toolgym/Python-v0")
    yield environment
    environment.close()


def test_registered_with_seven_families() -> None:
    assert "toolgym/Python-v0" in toolgym.env_ids()
    assert len(FAMILIES) >= 6


def test_oracle_solves_every_family_and_difficulty(env: gym.Env) -> None:
    """42 episodes: each of the 7 families at each of the 3 difficulties, two seeds each."""
    agent = OracleAgent(env)
    failures = []
    for (family, difficulty), seed in itertools.product(
        itertools.product(FAMILIES, DIFFICULTIES), range(2)
    ):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, agent, seed=seed, options=options)
        if not result.success:
            failures.append((result.task_id, result.checks))
    assert failures == []


def test_oracle_solves_random_seeds(env: gym.Env) -> None:
    agent = OracleAgent(env)
    results = [run_episode(env, agent, seed=seed) for seed in range(100, 130)]
    assert all(r.success for r in results), [r.task_id for r in results if not r.success]


def test_answering_without_tools_fails(env: gym.Env) -> None:
    for family, difficulty in itertools.product(FAMILIES, DIFFICULTIES):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, NoToolAgent(), seed=5, options=options)
        assert not result.success, result.task_id


def test_check_env() -> None:
    environment = gym.make("toolgym/Python-v0").unwrapped
    try:
        check_env(environment, skip_render_check=True)
    finally:
        environment.close()


def test_same_seed_and_actions_give_identical_results() -> None:
    one, two = gym.make("toolgym/Python-v0"), gym.make("toolgym/Python-v0")
    try:
        agent = OracleAgent(one)
        first = run_episode(one, agent, seed=11, options={"difficulty": "hard"})
        actions = [m for m in first.history if m.role == "assistant"]
        _, info = two.reset(seed=11, options={"difficulty": "hard"})
        for message in actions:
            turn = AgentTurn(content=message.content, tool_calls=list(message.tool_calls))
            _, _, _, _, info = two.step(turn)
        assert info["success"] is True
        assert [m.content for m in two.unwrapped.history] == [m.content for m in first.history]
        code = "class A: pass\nprint(A(), {'x', 'y'}, hash('abc'))"
        outputs = []
        for env in (one, two):
            env.reset(seed=3)
            call = {"id": "c1", "name": "run_python", "arguments": {"code": code}}
            outputs.append(env.step({"tool_calls": [call]})[0])
        assert outputs[0] == outputs[1]
    finally:
        one.close()
        two.close()


def test_close_stops_the_interpreters() -> None:
    environment = gym.make("toolgym/Python-v0")
    run_episode(environment, OracleAgent(environment), seed=1)
    toolkit = environment.unwrapped._world(0)[0].toolkit("python")
    sandbox = toolkit.sandbox
    processes = set(sandbox._procs)
    assert processes
    environment.close()
    assert sandbox.closed and not sandbox.dir.exists()
    assert all(p.poll() is not None for p in processes)


ANSWERING = [f for f in FAMILIES if f != "summary_file"]  # the file is the answer there


@pytest.mark.parametrize("family", ANSWERING)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_reply_stating_a_distractor_fails(env: gym.Env, family: str, difficulty: str) -> None:
    declared = 0
    for seed in range(3):
        episode, reply = solved(env, family, difficulty, seed)
        answer = episode.reference.answer
        assert verdict(episode, reply).success, episode.task.id
        for wrong in answer.distractors:
            assert not any(mentions(right, wrong) for right in answer.expect), wrong
            assert not mentions(episode.user_prompt, wrong), wrong
            result = verdict(episode, f"{reply} It is {wrong}.")
            assert result.checks["no_wrong_values"] is False, (episode.task.id, wrong)
            assert result.checks["answer"], result.notes
        declared += bool(answer.distractors)
    assert declared >= 2, (family, difficulty)  # a customer may share no name with another


def _file(episode, name: str) -> bytes:
    return episode.world.toolkit("python").files[name]


def _rows(episode, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_file(episode, name).decode())))


def test_units_of_another_region_are_wrong(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "sales_report", "easy", seed)
        (units,) = episode.reference.answer.expect
        region = episode.task.literals[0]
        rows = _rows(episode, "sales.csv")
        others = {r["region"] for r in rows} - {region}
        for other in others:
            theirs = str(sum(int(r["units"]) for r in rows if r["region"] == other))
            if theirs != units:
                assert theirs in episode.reference.answer.distractors
                assert not verdict(episode, f"{region}: {units}, or {theirs}.").success


def test_a_mean_is_not_a_median(env: gym.Env) -> None:
    tried = 0
    for seed in range(4):
        episode, _ = solved(env, "payroll", "easy", seed)
        (mean,) = episode.reference.answer.expect
        dept = episode.task.literals[0]
        people = json.loads(_file(episode, "employees.json"))
        median = statistics.median(p["salary"] for p in people if p["department"] == dept)
        if float(median) != float(mean):
            tried += 1
            assert not verdict(episode, f"The typical salary is {median:,}.").success
        assert verdict(episode, f"They earn ${float(mean):,.2f} on average.").success
    assert tried


def test_a_gap_breaks_a_run_and_the_threshold_is_not_above_itself(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "sensor_stats", "hard", seed)
        (run,) = episode.reference.answer.expect
        for wrong in episode.reference.answer.distractors:
            assert wrong != run
            assert not verdict(episode, f"The longest run is {wrong} hours.").success
        assert verdict(episode, f"{run} consecutive hours.").success


def test_the_highest_reading_is_not_another_sensors(env: gym.Env) -> None:
    tried = 0
    for seed in range(4):
        episode, _ = solved(env, "sensor_stats", "medium", seed)
        if len(episode.reference.answer.expect) != 2:
            continue  # a tied peak makes it the easy question
        tried += 1
        top, when = episode.reference.answer.expect
        sensor = episode.task.literals[0]
        rows = [r for r in _rows(episode, "readings.csv") if r["temperature"]]
        peaks = {
            f"{max(float(r['temperature']) for r in rows if r['sensor'] == s):.1f}"
            for s in {r["sensor"] for r in rows}
        }
        assert peaks - {top} <= set(episode.reference.answer.distractors)
        assert verdict(episode, f"{sensor} peaked at {top} degrees on {when}.").success
    assert tried


def test_the_best_average_is_not_the_biggest_total(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "customer_orders", "hard", seed)
        country, average = episode.reference.answer.expect
        for wrong in episode.reference.answer.distractors:
            assert not verdict(
                episode, f"{country}, averaging ${average}; {wrong} overall."
            ).success
        assert verdict(episode, f"Customers from {country} average ${average} per order.").success


def test_server_errors_are_not_every_error(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "log_analysis", "easy", seed)
        (count,) = episode.reference.answer.expect
        log = [json.loads(line) for line in _file(episode, "access.jsonl").decode().splitlines()]
        errors = str(sum(e["status"] >= 400 for e in log))
        assert errors in episode.reference.answer.distractors
        assert not verdict(episode, f"{errors} requests failed.").success
        assert verdict(episode, f"{count} server errors.").success


def test_the_most_valuable_warehouse_is_not_the_fullest(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "inventory", "hard", seed)
        best, worth = episode.reference.answer.expect
        data = json.loads(_file(episode, "inventory.json"))
        units = {w["name"]: sum(i["quantity"] for i in w["items"]) for w in data["warehouses"]}
        fullest = max(units, key=units.__getitem__)
        if fullest != best:
            assert fullest in episode.reference.answer.distractors
            assert not verdict(episode, f"{fullest}, worth ${worth}.").success
        assert verdict(episode, f"{best} holds ${float(worth):,.2f} of stock.").success
