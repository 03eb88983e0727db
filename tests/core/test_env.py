"""ToolEnv's contract, on a tiny suite defined here so core tests stand on core alone."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pytest
from pydantic import Field

from toolgym.core import (
    AgentTurn,
    Answer,
    Database,
    Interceptor,
    Record,
    ToolCall,
    ToolEnv,
    ToolError,
    Toolkit,
    World,
    call,
    run_episode,
    tool,
)
from toolgym.core.env import INFO_KEYS
from toolgym.core.task import Task


class Counter(Record):
    id: str
    value: int


class Counters(Toolkit):
    name = "counters"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.tables["counters"]

    def snapshot(self) -> int:
        return self.db.mark()

    def restore(self, snapshot: int) -> None:
        self.db.rollback(snapshot)

    def changes_since(self, snapshot: int):
        return self.db.changes_since(snapshot)

    @tool
    def get_counter(self, name: Annotated[str, Field(description="Counter name.")]) -> dict:
        """Read a counter."""
        row = self.table.get(name)
        if row is None:
            raise ToolError("not_found", f"No counter '{name}'.")
        return {"name": name, "value": row.value}

    @tool(mutates=True)
    def add(self, name: str, amount: int) -> dict:
        """Add to a counter."""
        row = self.table.get(name)
        if row is None:
            raise ToolError("not_found", f"No counter '{name}'.")
        return {"value": self.table.update(name, value=row.value + amount).value}


class Family:
    def __init__(self, name: str) -> None:
        self.name = name

    def generate(self, world: World, rng: np.random.Generator, difficulty: str) -> Task:
        names = list(world.toolkit("counters").table)
        target = names[int(rng.integers(len(names)))]
        amount = int(rng.integers(1, 9))
        if self.name == "bump":

            def plan():
                yield call("get_counter", "Read it first.", name=target)
                yield call("add", "Add the amount.", name=target, amount=amount)
                return "Done."

            prompt = f"Add {amount} to counter {target}."
        else:

            def plan():
                got = yield call("get_counter", "Read it.", name=target)
                return Answer(f"It is {got['value']}.", (str(got["value"]),))

            prompt = f"What is counter {target}?"
        return Task(
            "", self.name, difficulty, "You manage counters.", prompt, plan, facts={"name": target}
        )


class CounterSuite:
    name = "counters"
    families = (Family("bump"), Family("read"))

    def build_world(self, seed: int, size: str) -> World:
        db = Database()
        table = db.table("counters", Counter)
        rng = np.random.default_rng(seed)
        for i in range(5):
            table.insert(Counter(id=f"c{i}", value=int(rng.integers(100))))
        db.commit()
        return World([Counters(db)])


def make(**kwargs: Any) -> ToolEnv:
    return ToolEnv(CounterSuite(), **kwargs)


def turn(*calls: tuple[str, Any], thinking: str = "") -> dict:
    return {
        "thinking": thinking,
        "tool_calls": [
            {"id": f"t{i}", "name": n, "arguments": a} for i, (n, a) in enumerate(calls)
        ],
    }


def check_info(info: dict) -> None:
    assert tuple(info) == INFO_KEYS
    types = dict(
        messages=list,
        tools=list,
        parse_status=list,
        faults=list,
        task_id=str,
        family=str,
        difficulty=str,
        turn=int,
        success=bool,
        checks=dict,
        solvable=bool,
    )
    for key, kind in types.items():
        assert type(info[key]) is kind, key


def test_reset_gives_the_request_and_fixed_info() -> None:
    env = make()
    obs, info = env.reset(seed=1)
    check_info(info)
    assert obs == info["messages"][1]["content"]
    assert [m["role"] for m in info["messages"]] == ["system", "user"]
    assert [t["function"]["name"] for t in info["tools"]] == ["get_counter", "add"]
    assert info["turn"] == 0 and info["checks"] == {} and info["success"] is False


def test_a_step_runs_calls_and_keeps_thinking_in_place() -> None:
    env = make(family="read")
    env.reset(seed=2)
    name = env.episode.task.facts["name"]
    obs, reward, terminated, truncated, info = env.step(
        turn(
            ("get_counter", {"name": name}),
            ("get_counter", '{"name": "nope"}'),
            thinking="Two lookups.",
        )
    )
    check_info(info)
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert info["parse_status"] == ["ok", "ok"]
    assert [m["tool_call_id"] for m in info["messages"]] == ["t0", "t1"]
    assert '"not_found"' in info["messages"][1]["content"]
    assert "Result of get_counter (call t0)" in obs
    assistant = env.history[2]
    assert assistant.role == "assistant" and assistant.thinking == "Two lookups."
    assert [m.role for m in env.history] == ["system", "user", "assistant", "tool", "tool"]


@pytest.mark.parametrize(
    ("call_", "status", "fragment"),
    [
        (("get_countr", {"name": "c1"}), "unknown_tool", "Did you mean 'get_counter'"),
        (("get_counter", '{"name": '), "invalid_json", "not valid JSON"),
        (("get_counter", {"nam": "c1"}), "schema_violation", "'nam' is not a parameter"),
        (("add", {"name": "c1", "amount": "lots"}), "schema_violation", "'amount'"),
        (("", {}), "missing_name", "no name"),
        (("get_counter", "[1]"), "schema_violation", "JSON object"),
    ],
)
def test_malformed_calls_become_errors_the_agent_reads(call_, status, fragment) -> None:
    env = make()
    env.reset(seed=0)
    obs, _, terminated, _, info = env.step(turn(call_))
    assert info["parse_status"] == [status]
    assert fragment in obs and '"error"' in obs
    assert not terminated


def test_invalid_action_is_an_error_not_the_end() -> None:
    env = make()
    env.reset(seed=0)
    obs, _, terminated, truncated, info = env.step(12345)
    assert info["parse_status"] == ["invalid_action"]
    assert "Invalid action of type int" in obs
    assert not (terminated or truncated)
    check_info(info)


def test_final_answer_ends_and_later_steps_do_not_raise() -> None:
    env = make()
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step("I give up.")
    assert terminated and reward == 0.0 and info["success"] is False
    assert info["checks"]
    obs, reward, terminated, _truncated, info = env.step(turn(("get_counter", {"name": "c1"})))
    assert terminated and reward == 0.0 and info["parse_status"] == ["episode_over"]
    assert "reset()" in obs
    check_info(info)


def test_oracle_like_episode_succeeds_and_reset_restores_the_world() -> None:
    env = make(family="bump")
    env.reset(seed=3)
    task = env.episode.task
    values_before = dict(env.episode.world.toolkit("counters").table.items())
    gen = task.plan()
    step = next(gen)
    results = []
    while True:
        _, reward, terminated, _, info = env.step(turn((step.tool, step.arguments)))
        results.append(info)
        import json

        try:
            step = gen.send(json.loads(info["messages"][0]["content"]))
        except StopIteration:
            break
    _, reward, terminated, _, info = env.step("Done.")
    assert terminated and reward == 1.0 and info["success"]
    assert info["checks"] == {"state": True, "no_wrong_values": True}
    env.reset(seed=4)
    assert dict(env.episode.world.toolkit("counters").table.items()) == values_before


def test_extra_writes_fail_the_state_check_and_cost_partial_reward() -> None:
    env = make(family="read", reward_mode="partial")
    env.reset(seed=5)
    name = env.episode.task.facts["name"]
    value = env.episode.world.toolkit("counters").table[name].value
    env.step(turn(("add", {"name": name, "amount": 1})))
    _, reward, terminated, _, info = env.step(f"It is {value}.")
    assert terminated
    assert info["checks"] == {"state": False, "answer": True, "no_wrong_values": True}
    assert "unexpected changes: counters/" in env.result.notes["state"]
    # the answer is the work (1/1); of the two guards doing nothing keeps, one is broken
    assert env.result.guards == {"state", "no_wrong_values"}
    assert reward == pytest.approx(0.5)


@pytest.mark.parametrize("family", ["read", "bump"])
def test_doing_nothing_earns_no_partial_reward(family: str) -> None:
    env = make(family=family, reward_mode="partial")
    for seed in range(5):
        env.reset(seed=seed)
        _, reward, terminated, _, info = env.step("Done.")
        assert terminated and reward == 0.0 and not info["success"]
        if family == "read":  # guards held (nothing written, nothing wrong said), paid nothing
            assert info["checks"]["state"] and info["checks"]["no_wrong_values"]


def test_truncation_at_max_turns_runs_the_checker() -> None:
    env = make(max_turns=2)
    env.reset(seed=0)
    _, _, _, truncated, _ = env.step(turn(("get_counter", {"name": "c0"})))
    assert not truncated
    _, reward, terminated, truncated, info = env.step(turn(("get_counter", {"name": "c0"})))
    assert truncated is True and terminated is False and reward == 0.0
    assert info["checks"]


def test_reset_options_replay_a_task_by_its_seed() -> None:
    env = make()
    _, info = env.reset(seed=11)
    episode_seed = int(info["task_id"].rsplit("/", 1)[1])
    prompt = env.episode.user_prompt
    env.reset(seed=99)
    _, again = env.reset(options={"episode_seed": episode_seed})
    assert again["task_id"] == info["task_id"] and env.episode.user_prompt == prompt
    _, fam = env.reset(seed=1, options={"family": "read", "difficulty": "hard"})
    assert (fam["family"], fam["difficulty"]) == ("read", "hard")
    with pytest.raises(ValueError, match="unknown reset options"):
        env.reset(options={"colour": 1})


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_turns": 0}, "max_turns"),
        ({"reward_mode": "dense"}, "reward_mode"),
        ({"family": "nope"}, "unknown family 'nope'"),
        ({"difficulty": "extreme"}, "difficulty"),
        ({"num_worlds": 0}, "num_worlds"),
        ({"render_mode": "rgb_array"}, "render_mode"),
    ],
)
def test_constructor_validates(kwargs, fragment) -> None:
    with pytest.raises(ValueError, match=fragment):
        make(**kwargs)


def test_worlds_are_drawn_per_seed_and_built_once() -> None:
    env = make(num_worlds=3)
    seen = set()
    for seed in range(30):
        env.reset(seed=seed)
        seen.add(id(env.episode.world))
    assert len(seen) == 3 and len(env._worlds) == 3


class Recorder(Interceptor):
    def __init__(self) -> None:
        self.log: list[str] = []

    def on_reset(self, episode) -> None:
        self.log.append("reset")
        episode.pending_user.append("One more thing: thanks!")
        episode.view.replace("get_counter", name="read_counter")
        episode.view.retired["get_counter"] = ToolError(
            "deprecated", "get_counter was renamed read_counter."
        )

    def on_turn(self, episode) -> None:
        self.log.append(f"turn {episode.turn}")

    def on_call(self, episode, invocation) -> None:
        self.log.append(f"call {invocation.name}")
        if invocation.arguments.get("name") == "c0":
            invocation.error = ToolError("unavailable", "Try again.", retryable=True)
            episode.record({"fault": "outage", "step": episode.turn})

    def on_result(self, episode, invocation) -> None:
        self.log.append(f"result {invocation.ran}")
        if invocation.error is None:
            invocation.content = "value=" + str(invocation.result["value"])

    def on_finish(self, episode, answer, checks) -> None:
        checks["polite"] = bool(answer and "thanks" in answer.lower())


def test_interceptors_see_every_hook_and_change_what_the_agent_sees() -> None:
    hook = Recorder()
    env = make(interceptors=[hook], family="read")
    _, info = env.reset(seed=0)
    assert [t["function"]["name"] for t in info["tools"]] == ["read_counter", "add"]
    obs, *_, info = env.step(turn(("get_counter", {"name": "c1"})))
    assert info["parse_status"] == ["unknown_tool"] and "renamed read_counter" in obs
    obs, *_, info = env.step(
        turn(("read_counter", {"name": "c0"}), ("read_counter", {"name": "c1"}))
    )
    assert '"unavailable"' in info["messages"][0]["content"]
    assert info["messages"][1]["content"].startswith("value=")
    assert info["faults"] == [{"fault": "outage", "step": 2}]
    obs, _, terminated, _, info = env.step("Here you go.")
    assert not terminated and obs == "User: One more thing: thanks!"
    assert info["faults"] == []
    *_, terminated, _, info = env.step("Thanks, bye.")
    assert terminated and info["checks"]["polite"] is True
    assert hook.log[:3] == ["reset", "turn 1", "turn 2"]
    assert "call read_counter" in hook.log and "result False" in hook.log


def test_a_bug_in_a_tool_is_an_internal_error_not_a_crash() -> None:
    env = make()
    env.reset(seed=0)
    env.episode.world.tools["get_counter"].toolkit.table = None  # break the service
    obs, _, terminated, _, info = env.step(turn(("get_counter", {"name": "c1"})))
    assert info["parse_status"] == ["ok"] and not terminated
    assert '"internal_error"' in obs and "AttributeError" in obs


def test_run_episode_with_an_agent() -> None:
    class Greedy:
        def __init__(self) -> None:
            self.done = False

        def act(self, observation: str, info: dict) -> Any:
            if self.done:
                return AgentTurn(content="finished")
            self.done = True
            return AgentTurn(tool_calls=[ToolCall("x", "get_counter", {"name": "c1"})])

    result = run_episode(make(), Greedy(), seed=3)
    assert result.turns == 2 and result.tool_calls == 1 and result.terminated
    assert len(result.infos) == 3 and result.history[-1].content == "finished"


def test_render_modes() -> None:
    env = make(render_mode="ansi")
    env.reset(seed=0)
    env.step(turn(("get_counter", {"name": "c1"}), thinking="peek"))
    text = env.render()
    assert "[assistant thinking] peek" in text and "[tool get_counter #t0]" in text
