"""``toolgym/Workspace-v0``: every toolkit in one world; cross-tool tasks that the oracle solves
and doing nothing fails, deterministic in any process, reset back to the exact clean world."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.contract import fuzz, oracle_digest, oracle_digest_elsewhere
from tests.envs.test_retail import results, solved, verdict
from tests.envs.timing import costs
from toolgym.core.grading import mentions
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.core.task import Step, World
from toolgym.envs.workspace import SUITE
from toolgym.envs.workspace_world import BUILDERS, build_toolkits, toolkit_seeds
from toolgym.toolkits.apis.retail import build_retail

ENV_ID = "toolgym/Workspace-v0"
SEEDS = range(200)
FAMILIES = [f.name for f in SUITE.families]
DIFFICULTIES = ("easy", "medium", "hard")


@pytest.fixture(scope="module")
def env() -> Iterator[gym.Env]:
    env = gym.make(ENV_ID)
    yield env
    env.close()


def reset_to(env: gym.Env, family: str, difficulty: str, seed: int = 5) -> Any:
    env.reset(seed=seed, options={"family": family, "difficulty": difficulty})
    return env.unwrapped.episode


def finish(env: gym.Env, calls: list[tuple[str, dict[str, Any]]], answer: str = "Done.") -> Any:
    """Make the given calls as an agent would, then answer; returns the final info."""
    for i, (name, arguments) in enumerate(calls):
        env.step(AgentTurn(tool_calls=[ToolCall(f"c{i}", name, arguments)]))
    return env.step(answer)[-1]


# ------------------------------------------------------------------------- the contract
def test_registered_with_every_toolkit_and_many_tools(env: gym.Env) -> None:
    _, info = env.reset(seed=0)
    world = env.unwrapped.episode.world
    assert {tk.name for tk in world.toolkits} == {*BUILDERS, "python"}
    assert len(info["tools"]) == len(world.tools) >= 40
    assert len(FAMILIES) >= 6


def test_oracle_solves_every_task(env: gym.Env) -> None:
    agent = toolgym.OracleAgent(env)
    failures, drawn = [], set()
    for seed in SEEDS:
        result = toolgym.run_episode(env, agent, seed=seed)
        drawn.add((result.infos[0]["family"], result.infos[0]["difficulty"]))
        if not result.success:
            failures.append((result.task_id, env.unwrapped.result.notes))
    assert not failures, failures[:5]
    assert drawn == {(f, d) for f in FAMILIES for d in DIFFICULTIES}


def test_answering_at_once_never_succeeds(env: gym.Env) -> None:
    agent = toolgym.NoToolAgent()
    wins = [
        r.task_id for r in (toolgym.run_episode(env, agent, seed=s) for s in SEEDS) if r.success
    ]
    assert not wins


def reference_calls(episode: Any) -> list[Step]:
    """The calls of the task's plan, run straight on the world (then rolled back)."""
    tools, calls = episode.world.tools, []
    plan = episode.task.plan()
    try:
        step = next(plan)
        while True:
            calls.append(step)
            step = plan.send(tools[step.tool](dict(step.arguments)))
    except StopIteration:
        pass
    episode.world.restore(episode.start)
    return calls


@pytest.mark.parametrize("family", FAMILIES)
def test_every_task_crosses_toolkits_in_2_to_10_calls(env: gym.Env, family: str) -> None:
    for difficulty in DIFFICULTIES:
        for seed in range(4):
            episode = reset_to(env, family, difficulty, seed)
            reference = episode.reference
            assert reference.changes or reference.answer.expect, episode.task.id
            assert 2 <= reference.calls <= 10, (episode.task.id, reference.calls)
            used = {
                episode.world.tools[step.tool].toolkit.name for step in reference_calls(episode)
            }
            assert len(used) >= 2, (episode.task.id, used)
            for literal in episode.task.literals:
                assert literal in episode.user_prompt, (episode.task.id, literal)


def test_env_checker() -> None:
    env = gym.make(ENV_ID)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.close()


def test_deterministic_in_this_and_other_processes() -> None:
    seeds = range(30)
    here = oracle_digest(ENV_ID, seeds)
    assert oracle_digest_elsewhere(ENV_ID, seeds, "0") == here
    assert oracle_digest_elsewhere(ENV_ID, seeds, "4242") == here


def test_fuzzed_actions_never_raise() -> None:
    statuses = fuzz(ENV_ID, 1000)
    assert statuses["ok"] > 100 and statuses["schema_violation"] > 50


# ------------------------------------------------------------------------------ the world
def test_each_toolkit_is_built_by_its_own_builder_from_a_spawned_seed() -> None:
    seeds = toolkit_seeds(7)
    assert len(set(seeds.values())) == len(seeds) and toolkit_seeds(7) == seeds
    world = World(build_toolkits(7, "small"))
    retail = world.toolkit("retail")
    alone = BUILDERS["retail"](seeds["retail"], "small")
    assert retail.customers.items() == alone.customers.items()
    assert world.toolkit("search").corpus == BUILDERS["search"](seeds["search"], "small").corpus
    assert toolkit_seeds(8)["bank"] != seeds["bank"]


def test_a_tool_name_shared_by_two_toolkits_fails_loudly() -> None:
    with pytest.raises(ValueError, match="two toolkits define a tool named"):
        World([*build_toolkits(1, "small"), build_retail(2, "small")])


def state(world: World) -> dict[str, Any]:
    """Everything each toolkit holds, for exact comparison between worlds."""
    out: dict[str, Any] = {}
    for tk in world.toolkits:
        if tk.name == "filesystem":
            nodes = {p: (n.kind, n.content, n.mtime, n.read_only) for p, n in tk.walk("/")}
            out[tk.name] = (nodes, tk.now, {d: list(c) for d, c in tk._children.items()})
        elif tk.name == "python":
            files = tk.sandbox.workspace.files() if tk._sandbox is not None else {}
            out[tk.name] = (tk.files, tk.outputs, files)
        elif tk.name == "search":
            out[tk.name] = tk.corpus
        else:  # the APIs and the web's sites keep journaled databases
            tables = {name: table.items() for name, table in tk.db.tables.items()}
            out[tk.name] = (tables, dict(tk.db.counters))
            if tk.name == "web":
                out["browser"] = (tk.page, tk.history, tk.cookies, tk.top)
    return out


def test_reset_restores_every_toolkit_exactly(env: gym.Env) -> None:
    for family in FAMILIES:
        for difficulty in DIFFICULTIES:
            options = {"family": family, "difficulty": difficulty}
            toolgym.run_episode(env, toolgym.OracleAgent(env), seed=3, options=options)
    for seed in range(20):
        agent = toolgym.RandomAgent(seed, stop_probability=0.02)
        toolgym.run_episode(env, agent, seed=seed, max_steps=40)
    world, clean = env.unwrapped._world(0)
    world.restore(clean)
    base = env.unwrapped
    seed = int(np.random.SeedSequence([base.world_seed, 0]).generate_state(1)[0])
    fresh = World(build_toolkits(seed, base.size))
    assert state(world) == state(fresh)
    fresh.close()


def test_planted_notes_and_events_are_gone_after_reset(env: gym.Env) -> None:
    world = reset_to(env, "export_report", "easy").world
    calendar, fs = world.toolkit("calendar"), world.toolkit("filesystem")
    clean_events = len(calendar.events)
    reset_to(env, "meeting_briefing", "medium")
    assert len(calendar.events) == clean_events + 1
    assert calendar.events.values()[-1].title.startswith("Customer call: ")
    reset_to(env, "follow_instructions", "easy")
    assert len(calendar.events) == clean_events and fs.exists("/notes/bills.txt")
    reset_to(env, "export_report", "easy")
    assert not fs.exists("/notes/bills.txt")


def test_the_interpreter_starts_only_for_tasks_that_use_it(env: gym.Env) -> None:
    python = env.unwrapped._world(0)[0].toolkit("python")
    python.close()  # start from an interpreter that was never used
    started: list[object] = []
    make = python._make_sandbox
    python._make_sandbox = lambda: started.append(make()) or started[-1]
    for seed in range(40):
        options = {"family": FAMILIES[seed % len(FAMILIES)]}
        if options["family"] != "python_to_action":
            toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed, options=options)
    assert started == [] and python._sandbox is None
    toolgym.run_episode(
        env, toolgym.OracleAgent(env), seed=1, options={"family": "python_to_action"}
    )
    assert len(started) == 1  # one interpreter, started by the task that runs code
    env.reset(seed=2)  # between runs the toolkit lends it out instead of holding it
    assert python._sandbox is None


# ------------------------------------------------------------------------------ checkers
def test_report_ignores_trailing_whitespace_but_not_order(env: gym.Env) -> None:
    episode = reset_to(env, "export_report", "easy")
    ((_, path, _, (_, content)),) = episode.reference.changes
    lines = content.splitlines()
    loose = "\n".join(f"{line}  " for line in lines) + "\n\n"
    assert finish(env, [("fs_write", {"path": path, "content": loose})])["success"]
    reset_to(env, "export_report", "easy")
    swapped = "\n".join([lines[0], *reversed(lines[1:])])
    info = finish(env, [("fs_write", {"path": path, "content": swapped})])
    assert not info["success"] and not info["checks"]["state"]


def test_paying_a_ticked_bill_too_fails(env: gym.Env) -> None:
    episode = reset_to(env, "follow_instructions", "easy")
    payments = [(s.tool, s.arguments) for s in reference_calls(episode) if s.tool == "pay_payee"]
    assert finish(env, payments)["success"]
    episode = reset_to(env, "follow_instructions", "easy")
    bank = episode.world.toolkit("bank")
    holder_id = payments[0][1]["holder_id"]
    note = episode.world.toolkit("filesystem").read_text("/notes/bills.txt")
    ticked = next(line for line in note.splitlines() if line.startswith("- [x]"))
    name, amount = ticked.removeprefix("- [x] ").rsplit(": $", 1)
    payee = next(p for p in bank.payees.values() if p.holder_id == holder_id and p.name == name)
    extra = ("pay_payee", {**payments[0][1], "payee_id": payee.id, "amount": float(amount)})
    info = finish(env, [*payments, extra])
    assert not info["success"] and not info["checks"]["state"]


def test_reconcile_takes_the_amount_with_either_sign(env: gym.Env) -> None:
    for answer, ok in (("sign", True), ("unsigned", True), ("no merchant", False)):
        episode = reset_to(env, "reconcile", "easy")
        (merchant,) = episode.reference.answer.expect
        posted = re.search(r"posted -?(\d+\.\d\d)", episode.reference.answer.text)
        value = posted.group(1)
        text = {
            "sign": f"{merchant}: the bank posted -{value}",
            "unsigned": f"The {merchant} line is wrong; the bank shows ${value}.",
            "no merchant": f"One line is wrong; the bank shows ${value}.",
        }[answer]
        assert finish(env, [], text)["success"] is ok, text


def test_stopping_before_the_file_is_written_fails(env: gym.Env) -> None:
    episode = reset_to(env, "meeting_briefing", "easy")
    *reads, write = reference_calls(episode)
    assert write.tool == "fs_write"
    assert not finish(env, [(s.tool, s.arguments) for s in reads])["success"]


def test_reset_and_step_are_cheap(env: gym.Env) -> None:
    # in CartPole steps, measured in the same run; measured about 250 and 4
    reset, step = costs(env, toolgym.OracleAgent)
    assert reset < 2000 and step < 100, (reset, step)


@pytest.mark.slow
@pytest.mark.parametrize("size", ["small", "large"])
def test_other_worlds_and_sizes_stay_solvable(size: str) -> None:
    env = gym.make(ENV_ID, size=size, world_seed=11)
    agent = toolgym.OracleAgent(env)
    for family in FAMILIES:
        for difficulty in DIFFICULTIES:
            options = {"family": family, "difficulty": difficulty}
            result = toolgym.run_episode(env, agent, seed=2, options=options)
            assert result.success, (size, result.task_id, env.unwrapped.result.notes)
    env.close()


# The tasks whose reply states a fact (reconcile hard too: its reply must state the disputed
# amount). A comparison of two articles names both in the request, so it has none to declare.
ANSWERS = [
    ("export_report", "hard"),
    ("follow_instructions", "hard"),
    ("search_then_act", "hard"),
    ("reconcile", "easy"),
    ("reconcile", "medium"),
    ("reconcile", "hard"),
    ("python_to_action", "hard"),
]


@pytest.mark.parametrize(("family", "difficulty"), ANSWERS)
def test_a_reply_stating_a_distractor_fails(env: gym.Env, family: str, difficulty: str) -> None:
    for seed in range(5):
        episode, reply = solved(env, family, difficulty, seed)
        answer = episode.reference.answer
        assert verdict(episode, reply).success, episode.task.id
        assert answer.distractors, episode.task.id
        for wrong in answer.distractors:
            assert not any(mentions(right, wrong) for right in answer.expect), wrong
            assert not mentions(episode.user_prompt, wrong), wrong
            result = verdict(episode, f"{reply} It is {wrong}.")
            assert result.checks["no_wrong_values"] is False, (episode.task.id, wrong)
            assert result.checks.get("answer", True), result.notes


def test_only_tasks_with_a_stated_fact_declare_distractors(env: gym.Env) -> None:
    for family in FAMILIES:
        for difficulty in DIFFICULTIES:
            episode, _ = solved(env, family, difficulty, 1)
            declared = bool(episode.reference.answer.distractors)
            assert declared == ((family, difficulty) in ANSWERS), (family, difficulty)


def test_the_top_category_is_not_one_it_beat(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "export_report", "hard", seed)
        (top,) = episode.reference.answer.expect
        written = results(env, "fs_write")[0]
        report = episode.world.toolkit("filesystem").read_text(written["path"])
        beaten = [line.split(":")[0] for line in report.splitlines()[1:-1]]
        assert set(beaten) == set(episode.reference.answer.distractors)
        assert verdict(episode, f"Mostly on {top}.").success
        assert not verdict(episode, f"Mostly on {top} and {beaten[0]}.").success


def test_errand_refunds_are_one_item_and_the_cancelled_order(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "follow_instructions", "hard", seed)
        (total,) = episode.reference.answer.expect
        returned = results(env, "return_items")[0]["refund"]
        cancelled = results(env, "cancel_order")[0]["refunded"]
        whole = results(env, "get_order")[0]["total"] + cancelled
        assert f"{whole:.2f}" in episode.reference.answer.distractors
        reply = f"${returned:.2f} for the return plus ${cancelled:.2f} back: ${total} in all."
        assert verdict(episode, reply).success, episode.reference.answer
        assert not verdict(episode, f"You get ${whole:,.2f} back.").success


def test_the_new_savings_balance_is_not_the_old_one(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "search_then_act", "hard", seed)
        (balance,) = episode.reference.answer.expect
        moved = results(env, "transfer_funds")[0]
        before = next(
            a["balance"]
            for a in results(env, "list_accounts")[0]
            if a["account_id"] == moved["to_account_id"]
        )
        assert f"{before:.2f}" in episode.reference.answer.distractors
        assert not verdict(episode, f"It holds ${before:,.2f}.").success
        # the checking balance left after the move is no wrong value
        assert verdict(
            episode, f"Now ${balance}; checking has ${moved['from_balance']:.2f}."
        ).success


def test_a_ledger_mistake_may_be_quoted_but_other_rows_are_wrong(env: gym.Env) -> None:
    for seed in range(3):
        episode, reply = solved(env, "reconcile", "easy", seed)
        (merchant,) = episode.reference.answer.expect
        posted = re.search(r"posted -?(\d+\.\d\d)", episode.reference.answer.text).group(1)
        ledger = results(env, "fs_read")[0]["content"]
        row = next(line for line in ledger.splitlines() if merchant.casefold() in line.casefold())
        mine = row.rsplit(",", 1)[1].lstrip("-")
        quoted = f"The {merchant} line says {mine}, but the bank posted {posted}."
        assert verdict(episode, quoted).success, (quoted, episode.reference.answer)
        statement = results(env, "list_transactions")[0]["transactions"]
        others = [t for t in statement if t["merchant"] and t["merchant"] != merchant]
        assert others
        assert not verdict(episode, f"{reply} Also check {others[0]['merchant']}.").success


def test_a_commission_is_on_its_own_region(env: gym.Env) -> None:
    for seed in range(3):
        episode, _ = solved(env, "python_to_action", "hard", seed)
        (fee,) = episode.reference.answer.expect
        revenue = int(results(env, "run_python")[0]["stdout"]) / 100
        assert verdict(episode, f"{fee} on revenue of ${revenue:,.2f}.").success
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"The commission is ${wrong}.").success
