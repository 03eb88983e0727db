"""``TaskSession``: an env driven one call at a time gives what the env gives, byte for byte."""

from __future__ import annotations

import gymnasium as gym
import pytest

from tests.oracle_play import oracle_turns
from toolgym.serve import TaskSession

ENV = "toolgym/Retail-v0"


@pytest.mark.parametrize("faults", ["none", "heavy"])
def test_calls_one_at_a_time_replay_the_env_exactly(faults: str) -> None:
    seed = 5
    turns, infos = oracle_turns(ENV, faults, seed)
    session = TaskSession(gym.make(ENV, faults=faults), seed=seed)
    start = session.start()
    assert start.task_id == infos[0]["task_id"] and start.faults == infos[0]["faults"]
    assert session.tools == infos[0]["tools"]
    for turn, info in zip(turns, infos[1:], strict=True):
        if turn.is_final:
            reply = session.submit(turn.content)
        else:
            (call,) = turn.tool_calls
            reply = session.call(call.name, call.arguments)
            assert reply.text == info["messages"][0]["content"]
        assert reply.faults == info["faults"]
        assert session.tools == info["tools"]
    result = session.result()
    assert result["done"] and result["success"] and result["reward"] == 1.0
    assert result["checks"] == infos[-1]["checks"]
    assert result["faults"] == [e for info in infos for e in info["faults"]]


def test_errors_are_named_and_the_episode_ends_cleanly() -> None:
    session = TaskSession(gym.make(ENV, max_turns=3), seed=1)
    session.start()
    assert session.call("no_such_tool", {}).error == "unknown_tool"
    bad = session.call("get_order", {"order_id": 5})
    assert bad.error == "invalid_arguments" and "order_id" in bad.text
    last = session.call("get_order", {"order_id": "#W0000000"})
    assert last.error == "not_found" and last.done and last.truncated
    over = session.call("list_categories", {})
    assert over.error == "episode_over" and "no more calls" in over.text
    assert session.result()["truncated"] and not session.result()["success"]


def test_start_without_a_seed_plays_the_first_seed_then_what_follows_it() -> None:
    env = gym.make(ENV)
    expected = [env.reset(seed=4)[1]["task_id"], env.reset()[1]["task_id"]]
    session = TaskSession(gym.make(ENV), seed=4)
    assert [session.start().task_id, session.start().task_id] == expected
    assert session.start(seed=4).task_id == expected[0]
    with pytest.raises(ValueError, match="unknown family"):
        session.start(family="nope")


def test_raw_text_envs_are_refused() -> None:
    with pytest.raises(ValueError, match="without format="):
        TaskSession(gym.make(ENV, format="hermes"))


def test_nothing_is_played_before_a_task_starts() -> None:
    session = TaskSession(gym.make(ENV), seed=2)
    assert session.tools  # the toolset can be shown first
    assert session.call("list_categories", {}).error == "no_task"
    assert session.submit("done").error == "no_task"
    before = session.result()
    assert not before["started"] and before["done"] and before["reward"] == 0.0
    session.start()
    assert session.result()["started"] and session.result()["turns"] == 0
