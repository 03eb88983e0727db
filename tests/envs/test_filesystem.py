"""``toolgym/Filesystem-v0``: solvable by the oracle, failed by doing nothing, deterministic,
reset back to the exact clean tree, and checkers that judge data rather than formatting."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
import yaml
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.test_retail import results, solved, verdict
from tests.envs.timing import costs
from toolgym.core.grading import mentions
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.filesystem import SUITE, ini_data, json_data, report_lines, yaml_data
from toolgym.envs.filesystem_world import build_workspace
from toolgym.toolkits.filesystem import FileSystem

SEEDS = range(200)
FAMILIES = {f.name for f in SUITE.families}


@pytest.fixture(scope="module")
def env() -> gym.Env:
    env = gym.make("toolgym/Filesystem-v0")
    yield env
    env.close()


def tree(fs: FileSystem) -> dict[str, tuple]:
    return {p: (n.kind, n.content, n.mtime, n.read_only) for p, n in fs.walk("/")}


def test_check_env() -> None:
    env = gym.make("toolgym/Filesystem-v0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


def test_oracle_solves_every_task(env: gym.Env) -> None:
    agent = toolgym.OracleAgent(env)
    failures, drawn = [], set()
    for seed in SEEDS:
        result = toolgym.run_episode(env, agent, seed=seed)
        drawn.add((result.infos[0]["family"], result.infos[0]["difficulty"]))
        if not result.success:
            failures.append((result.task_id, env.unwrapped.result.notes))
    assert not failures, failures[:5]
    assert len(FAMILIES) >= 6
    assert drawn == {(f, d) for f in FAMILIES for d in ("easy", "medium", "hard")}


def test_answering_at_once_never_succeeds(env: gym.Env) -> None:
    agent = toolgym.NoToolAgent()
    wins = [
        r.task_id for r in (toolgym.run_episode(env, agent, seed=s) for s in SEEDS) if r.success
    ]
    assert not wins


def test_every_task_changes_state_or_needs_an_answer(env: gym.Env) -> None:
    for seed in SEEDS:
        obs, _ = env.reset(seed=seed)
        episode = env.unwrapped.episode
        assert episode.reference.changes or episode.reference.answer.expect, episode.task.id
        assert episode.reference.calls < env.unwrapped.max_turns
        for literal in episode.task.literals:
            assert literal in obs, (episode.task.id, literal)


def clean_workspace(env: gym.Env) -> FileSystem:
    """A freshly generated copy of the env's first world, untouched by any episode."""
    base = env.unwrapped
    seed = np.random.SeedSequence([base.world_seed, 0]).generate_state(1)[0]
    return build_workspace(int(seed), base.size)


def test_reset_restores_the_clean_tree_exactly(env: gym.Env) -> None:
    world, clean = env.unwrapped._world(0)
    fs = world.toolkit("filesystem")
    for seed in range(30):
        toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed)
        toolgym.run_episode(env, toolgym.RandomAgent(seed, stop_probability=0.02), seed=seed)
    world.restore(clean)
    fresh = clean_workspace(env)
    assert tree(fs) == tree(fresh) and fs.now == fresh.now
    assert fs._children.keys() == fresh._children.keys()
    assert all(sorted(fs._children[d]) == sorted(fresh._children[d]) for d in fs._children)


def test_reset_undoes_the_previous_episode(env: gym.Env) -> None:
    options = {"family": "reorganise_by_rule", "difficulty": "medium"}
    toolgym.run_episode(env, toolgym.OracleAgent(env), seed=3, options=options, max_steps=4)
    fs = env.unwrapped.episode.world.toolkit("filesystem")
    assert fs.exists("/downloads/images")
    env.reset(seed=5, options={"family": "find_by_content", "difficulty": "easy"})
    assert not fs.exists("/downloads/images")
    assert len(fs._journal) < 5  # only this task's planting is on the journal


DIGEST = """
import hashlib, json, sys
import gymnasium as gym, toolgym
env = gym.make("toolgym/Filesystem-v0")
h = hashlib.sha256()
for seed in range(int(sys.argv[1])):
    for agent in (toolgym.OracleAgent(env), toolgym.RandomAgent(seed)):
        r = toolgym.run_episode(env, agent, seed=seed, max_steps=15)
        for info in r.infos:
            h.update(json.dumps(info, sort_keys=True, default=repr).encode())
        h.update(repr([m.to_openai() for m in r.history]).encode())
print(h.hexdigest())
"""


def test_trajectories_are_identical_across_processes() -> None:
    digests = set()
    for hash_seed in ("0", "4242"):
        out = subprocess.run(
            [sys.executable, "-c", DIGEST, "30"],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_world_sizes_and_seeds() -> None:
    small, large = build_workspace(1, "small"), build_workspace(1, "large")
    assert len(small.files()) < len(build_workspace(1).files()) < len(large.files())
    assert tree(build_workspace(1)) == tree(build_workspace(1))
    assert tree(build_workspace(1)) != tree(build_workspace(2))
    with pytest.raises(ValueError, match="size must be one of"):
        build_workspace(1, "huge")
    assert all(n.read_only for p, n in small.walk("/archive"))


# ---------------------------------------------------------------------------- checkers
def finish(env: gym.Env, calls: list[tuple[str, dict]], answer: str = "Done.") -> bool:
    """Run the given calls as one agent would, then answer; returns the verdict."""
    for i, (name, arguments) in enumerate(calls):
        env.step(AgentTurn(tool_calls=[ToolCall(f"c{i}", name, arguments)]))
    *_, info = env.step(answer)
    return info["success"]


def reset_to(env: gym.Env, family: str, difficulty: str, seed: int = 11) -> FileSystem:
    env.reset(seed=seed, options={"family": family, "difficulty": difficulty})
    return env.unwrapped.episode.world.toolkit("filesystem")


def test_config_is_compared_as_data(env: gym.Env) -> None:
    fs = reset_to(env, "fix_config", "easy")
    (path,) = [lit for lit in env.unwrapped.episode.task.literals if lit.endswith(".json")]
    original = json.loads(clean_workspace(env).read_text(path))
    broken = fs.read_text(path)
    assert finish(env, [("fs_write", {"path": path, "content": json.dumps(original)})])
    reset_to(env, "fix_config", "easy")
    changed = {**original, "port": original["port"] + 1}
    assert not finish(env, [("fs_write", {"path": path, "content": json.dumps(changed)})])
    reset_to(env, "fix_config", "easy")
    assert not finish(env, [("fs_write", {"path": path, "content": broken})])


def test_yaml_edit_is_compared_as_data(env: gym.Env) -> None:
    fs = reset_to(env, "fix_config", "medium")
    prompt = env.unwrapped.episode.user_prompt
    path = prompt.split(" ", 1)[0]
    dotted, value = prompt.rsplit("set ", 1)[1].rstrip(".").split(" to ")
    section, key = dotted.split(".")
    data = yaml.safe_load(fs.read_text(path).replace("\t", "  "))
    data[section][key] = yaml.safe_load(value)
    flow = yaml.safe_dump(data, default_flow_style=True)
    assert finish(env, [("fs_write", {"path": path, "content": flow})])


def test_report_ignores_trailing_whitespace_only(env: gym.Env) -> None:
    fs = reset_to(env, "summarise_report", "easy")
    report, folder = env.unwrapped.episode.task.literals
    names = fs.names(folder)
    calls = [("fs_mkdir", {"paths": ["/reports"], "parents": True})]
    loose = "\n".join(f"{n}  " for n in names) + "\n\n"
    assert finish(env, [*calls, ("fs_write", {"path": report, "content": loose})])
    reset_to(env, "summarise_report", "easy")
    unsorted = "\n".join(reversed(names))
    assert not finish(env, [*calls, ("fs_write", {"path": report, "content": unsorted})])


def test_readers() -> None:
    assert report_lines("\n a \nb  \n\n") == (" a", "b")
    assert json_data('{"a": 1}') == json_data('{\n  "a": 1\n}\n')
    assert json_data("{,}")[0] == "invalid"
    assert yaml_data("a: [1, 2]") == yaml_data("a:\n  - 1\n  - 2\n")
    assert yaml_data("a:\n\tb: 1")[0] == "invalid"
    assert ini_data("[s]\nk=v\n") == ini_data("[s]\nk = v\n")
    assert ini_data("[s\nk = v\n")[0] == "invalid"


def test_wrong_duplicate_kept_fails(env: gym.Env) -> None:
    fs = reset_to(env, "clean_duplicates", "easy")
    folder = env.unwrapped.episode.task.literals[0]
    by_content: dict[str, list[str]] = {}
    for path in fs.files(folder):
        by_content.setdefault(fs.read_text(path), []).append(path)
    (group,) = [g for g in by_content.values() if len(g) > 1]
    newest = max(group, key=lambda p: fs.node(p).mtime)
    oldest = min(group, key=lambda p: fs.node(p).mtime)
    assert not finish(env, [("fs_rm", {"paths": [oldest]})])
    reset_to(env, "clean_duplicates", "easy")
    assert finish(env, [("fs_rm", {"paths": [newest]})])


def test_reset_and_step_are_fast(env: gym.Env) -> None:
    # in CartPole steps, measured in the same run; measured about 55 and 7
    listing = {"tool_calls": [{"id": "x", "name": "fs_ls", "arguments": {"path": "/"}}]}
    reset, step = costs(env, step=listing)
    assert reset < 500 and step < 100, (reset, step)


def test_same_seed_same_digest() -> None:
    def digest() -> str:
        env = gym.make("toolgym/Filesystem-v0")
        r = toolgym.run_episode(env, toolgym.RandomAgent(3), seed=3, max_steps=10)
        env.close()
        return hashlib.sha256(json.dumps(r.infos, sort_keys=True).encode()).hexdigest()

    assert digest() == digest()


# The tasks whose reply states a fact, and how many of 8 seeds must declare a wrong candidate
# (a case-sensitive count is only wrong when the files spell the codename in several ways).
ANSWERS = {
    ("find_by_content", "easy"): 8,
    ("find_by_content", "medium"): 8,
    ("find_by_content", "hard"): 3,
    ("summarise_report", "hard"): 8,
    ("clean_duplicates", "hard"): 8,
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


def test_the_file_with_a_code_one_digit_off_is_wrong(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "find_by_content", "medium", seed)
        path, line = episode.reference.answer.expect
        code = episode.task.literals[0]
        (near,) = episode.reference.answer.distractors
        text = episode.world.toolkit("filesystem").read_text(near)
        assert near != path and code not in text and code[:-1] in text
        assert verdict(episode, f"Found it: {path}, line {line}.").success
        assert not verdict(episode, f"It is in {path} (line {line}) or {near}.").success


def test_a_ticket_is_in_one_file_not_its_siblings(env: gym.Env) -> None:
    for seed in range(4):
        episode, _ = solved(env, "find_by_content", "easy", seed)
        (path,) = episode.reference.answer.expect
        scope = episode.task.literals[1]
        siblings = episode.reference.answer.distractors
        assert siblings and all(d.startswith(scope + "/") for d in siblings)
        assert verdict(episode, f"That's {path}.").success
        assert not verdict(episode, f"Either {path} or {siblings[0]}.").success


def test_copied_count_is_not_a_case_sensitive_one(env: gym.Env) -> None:
    tried = 0
    for seed in range(12):
        episode, _ = solved(env, "find_by_content", "hard", seed)
        (count,) = episode.reference.answer.expect
        codename = episode.task.literals[0]
        fs = episode.world.toolkit("filesystem")
        exact = sum(codename in fs.read_text(p) for p in results(env, "fs_grep")[0]["results"])
        if exact and str(exact) != count:
            tried += 1
            assert str(exact) in episode.reference.answer.distractors
            assert not verdict(episode, f"I copied {exact} files.").success
        assert verdict(episode, f"Copied {count} files to /review.").success
    assert tried


def test_the_most_errors_are_not_a_runner_up(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "summarise_report", "hard", seed)
        (leader,) = episode.reference.answer.expect
        ranked = results(env, "fs_grep")[0]["results"]
        runners = {r["path"].rsplit("/", 1)[1] for r in ranked} - {leader}
        assert runners == set(episode.reference.answer.distractors)
        assert verdict(episode, f"{leader} has the most.").success
        for runner in runners:
            assert not verdict(episode, f"{runner} has the most errors.").success


def test_freed_bytes_do_not_count_namesakes_or_kept_copies(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "clean_duplicates", "hard", seed)
        (freed,) = episode.reference.answer.expect
        sums = results(env, "fs_checksum")[0]["checksums"]
        digests = [e["sha256"] for e in sums]
        every_copy = sum(e["size"] for e in sums if digests.count(e["sha256"]) > 1)
        assert str(every_copy) in episode.reference.answer.distractors
        assert verdict(episode, f"That frees {int(freed):,} bytes.").success
        assert not verdict(episode, f"The duplicates take {every_copy:,} bytes.").success
