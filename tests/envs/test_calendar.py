"""``toolgym/Calendar-v0``: every task is solvable by its oracle, none by answering at once, every
family and difficulty is drawn, and reset returns the world to exactly its clean state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.test_retail import results, solved, verdict
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.errors import ToolError
from toolgym.core.grading import mentions
from toolgym.core.task import DIFFICULTIES, run_plan
from toolgym.envs.calendar import SUITE

ENV_ID = "toolgym/Calendar-v0"
SEEDS = range(200)


@pytest.fixture(scope="module")
def env() -> gym.Env:
    return gym.make(ENV_ID)


def _state(env: gym.Env) -> str:
    db = env.unwrapped.episode.world.toolkit("calendar").db
    tables = {name: [r.model_dump() for r in t.values()] for name, t in db.tables.items()}
    return json.dumps({"tables": tables, "counters": db.counters}, sort_keys=True)


def test_registered() -> None:
    assert ENV_ID in toolgym.env_ids()
    assert len(SUITE.families) >= 6


def test_oracle_solves_every_task(env: gym.Env) -> None:
    agent = OracleAgent(env)
    drawn: Counter[tuple[str, str]] = Counter()
    for seed in SEEDS:
        result = run_episode(env, agent, seed=seed)
        episode = env.unwrapped.episode
        assert result.success, (result.task_id, result.checks, env.unwrapped.result.notes)
        drawn[(episode.task.family, episode.task.difficulty)] += 1
        reference = episode.reference
        assert 2 <= reference.calls <= 10, result.task_id
        assert result.tool_calls == reference.calls
        # Either the world must change or the answer must state something: no free passes.
        assert reference.changes or reference.answer.expect, result.task_id
    families = [f.name for f in SUITE.families]
    assert set(drawn) == {(f, d) for f in families for d in DIFFICULTIES}


def test_answering_without_tools_always_fails(env: gym.Env) -> None:
    agent = NoToolAgent()
    for seed in SEEDS:
        result = run_episode(env, agent, seed=seed)
        assert not result.success, result.task_id
        assert result.tool_calls == 0


def test_prompts_carry_their_literals_and_facts(env: gym.Env) -> None:
    for seed in range(120):
        env.reset(seed=seed)
        task = env.unwrapped.episode.task
        assert task.literals and task.facts, task.id
        for literal in task.literals:
            assert literal in task.user_prompt, (task.id, literal)


def test_prompts_vary_within_each_family(env: gym.Env) -> None:
    shapes: dict[str, set[str]] = {f.name: set() for f in SUITE.families}
    for seed in range(200):
        env.reset(seed=seed)
        task = env.unwrapped.episode.task
        shape = task.user_prompt
        for value in sorted({*task.literals, *task.facts.values()}, key=len, reverse=True):
            shape = shape.replace(value, "_")
        shapes[task.family].add(shape)
    assert all(len(found) >= 4 for found in shapes.values()), {k: len(v) for k, v in shapes.items()}


def test_same_seed_same_task_and_reference(env: gym.Env) -> None:
    other = gym.make(ENV_ID)
    for seed in (0, 7, 99):
        first, _ = env.reset(seed=seed)
        second, _ = other.reset(seed=seed)
        assert first == second
        a, b = env.unwrapped.episode.reference, other.unwrapped.episode.reference
        assert (a.changes, a.answer, a.calls) == (b.changes, b.answer, b.calls)


def test_tasks_are_identical_across_processes() -> None:
    script = (
        "import hashlib, gymnasium as gym, toolgym\n"
        "env = gym.make('toolgym/Calendar-v0')\n"
        "digest = hashlib.sha256()\n"
        "for seed in range(60):\n"
        "    obs, _ = env.reset(seed=seed)\n"
        "    ref = env.unwrapped.episode.reference\n"
        "    digest.update(repr((obs, ref.changes, ref.answer, ref.calls)).encode())\n"
        "print(digest.hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "4242")
    }
    assert len(digests) == 1


def test_reset_after_a_writing_episode_restores_the_world(env: gym.Env) -> None:
    env.reset(seed=0, options={"family": "next_meeting"})
    clean = _state(env)
    agent = OracleAgent(env)
    for family in ("schedule_meeting", "cancel_meetings", "book_room", "answer_invitations"):
        result = run_episode(env, agent, seed=3, options={"family": family, "difficulty": "hard"})
        assert result.success
        assert _state(env) != clean
        env.reset(seed=3, options={"family": "next_meeting"})
        assert _state(env) == clean


def test_a_time_zone_mistake_fails_the_check(env: gym.Env) -> None:
    """Booking the user's wall time as if it were UTC lands at the wrong instant."""
    checked = 0
    for seed in range(30):
        env.reset(seed=seed, options={"family": "schedule_meeting", "difficulty": "easy"})
        episode = env.unwrapped.episode
        if episode.task.facts["time_zone"] == "Europe/London":  # UTC+0 until 29 March
            continue
        tools = episode.world.tools
        plan = episode.task.plan()
        step = next(plan)
        try:
            while True:
                arguments = dict(step.arguments)
                if step.tool == "create_event":
                    arguments["time_zone"] = "UTC"
                step = plan.send(tools[step.tool](arguments))
        except StopIteration:
            pass
        except ToolError as err:  # the UTC reading may even fall in the past
            assert err.code == "in_the_past"
        verdict = episode.task.check(episode.world, episode.start, "Done.", episode.reference)
        assert not verdict.checks["state"], episode.task.id
        checked += 1
    assert checked >= 10


def test_reference_runs_match_run_plan_on_a_clean_world(env: gym.Env) -> None:
    env.reset(seed=21)
    episode = env.unwrapped.episode
    world = episode.world
    answer, calls = run_plan(episode.task.plan, world.tools)
    assert calls == episode.reference.calls and answer == episode.reference.answer
    world.restore(episode.start)


@pytest.mark.parametrize("size", ["small", "large"])
def test_other_world_sizes(size: str) -> None:
    sized = gym.make(ENV_ID, size=size)
    agent = OracleAgent(sized)
    for seed in range(24):
        assert run_episode(sized, agent, seed=seed).success


def test_env_checker_passes() -> None:
    check_env(gym.make(ENV_ID).unwrapped)


# The tasks whose reply states a fact (the others only change calendars), and how many of 8 seeds
# must declare a wrong candidate: a colleague's next meeting may be the user's only one that day.
ANSWERS = {
    ("schedule_meeting", "hard"): 8,
    ("find_common_slot", "hard"): 8,
    ("next_meeting", "easy"): 6,
    ("next_meeting", "medium"): 6,
    ("next_meeting", "hard"): 6,
}


@pytest.mark.parametrize(("family", "difficulty"), sorted(ANSWERS))
def test_a_reply_stating_a_distractor_fails(env: gym.Env, family: str, difficulty: str) -> None:
    declared = 0
    for seed in range(8):
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
    assert declared >= ANSWERS[(family, difficulty)], (family, difficulty, declared)


def test_every_family_with_a_stated_fact_declares_distractors(env: gym.Env) -> None:
    for family in SUITE.families:
        for difficulty in DIFFICULTIES:
            episode, _ = solved(env, family.name, difficulty, 1)
            answer = episode.reference.answer
            assert bool(answer.expect) == ((family.name, difficulty) in ANSWERS), answer
            assert bool(answer.distractors) <= bool(answer.expect)


def test_next_meeting_rejects_the_other_meetings_of_that_day(env: gym.Env) -> None:
    tried = 0
    for seed in range(10):
        episode, reply = solved(env, "next_meeting", "medium", seed)
        day, clock, title = episode.reference.answer.expect
        listed = results(env, "list_events")[0]["events"]
        found = next(e for e in listed if e["title"] == title and e["local_start"][:10] == day)
        same_day = [e for e in listed if e["local_start"][:10] == day and e["title"] != title]
        for other in same_day:
            if other["local_start"][11:16] in (clock, found["local_end"][11:16]):
                continue  # a time a right reply states
            tried += 1
            assert other["title"] in episode.reference.answer.distractors
            assert other["local_start"][:16] in episode.reference.answer.distractors
            assert not verdict(
                episode, f"{reply} You also have it at {other['local_start'][11:16]}."
            ).success
            assert not verdict(episode, f"It is '{other['title']}' on {day} at {clock}.").success
        # the meeting's own end time is no wrong value
        assert verdict(episode, f"{reply[:-1]}, until {found['local_end'][11:16]}.").success
    assert tried


def test_the_earliest_common_slot_is_not_a_later_one(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "find_common_slot", "hard", seed)
        day, clock = episode.reference.answer.expect
        slots = results(env, "find_free_slots")[-1]["slots"]
        later = [s["local_start"][:16] for s in slots if s["local_start"][11:16] > clock]
        assert set(later[:3]) <= set(episode.reference.answer.distractors)
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"It is on {wrong[:10]} at {wrong[11:]}.").success
        assert verdict(episode, f"{day}, {clock} your time.").success


def test_the_booked_room_is_not_another_of_the_office(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "schedule_meeting", "hard", seed)
        (room,) = episode.reference.answer.expect
        listed = results(env, "list_rooms")[0]
        assert room == listed[0]["name"]
        assert {r["name"] for r in listed[1:]} <= set(episode.reference.answer.distractors)
        assert verdict(episode, f"You are in {room}.").success
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"You are in {room} or {wrong}.").success
