"""World faults: journaled changes that roll back, new records that never match the request,
and id and date formats that stay consistent in both directions."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import pytest

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan, ValueCodec, codec_of

ENV = "toolgym/Retail-v0"


def _tables(env: gym.Env) -> list[tuple[str, list[tuple[str, Any]]]]:
    api = env.unwrapped.episode.world.toolkit("retail")
    return [(name, table.items()) for name, table in api.db.tables.items()]


def _env(*faults: dict[str, Any]) -> gym.Env:
    env = gym.make(ENV, max_turns=500)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=list(faults)))]
    return env


def test_world_faults_change_the_world_at_reset_and_the_next_reset_undoes_it() -> None:
    clean = gym.make(ENV)
    clean.reset(seed=9)
    env = _env(
        {"fault": "larger_world", "records": 50},
        {"fault": "distractor_records"},
        {"fault": "near_duplicate_records"},
        {"fault": "reordered_listings"},
    )
    env.reset(seed=9)
    assert _tables(env) != _tables(clean)
    env.unwrapped.interceptors = []
    env.reset(seed=9)
    assert _tables(env) == _tables(clean)


@pytest.mark.parametrize("name", ["distractor_records", "near_duplicate_records", "larger_world"])
def test_new_records_never_repeat_the_request_nor_hang_under_what_it_names(name: str) -> None:
    env = _env({"fault": name})
    for seed in range(25):
        env.reset(seed=seed)
        episode = env.unwrapped.episode
        api = episode.world.toolkit("retail")
        terms = {*episode.task.literals, *episode.task.facts.values()}
        named = {c.id for c in api.customers.values() if c.email in terms or c.name in terms}
        for table, _, before, after in episode.world.changes_since(episode.scratch["t.start"]):
            assert before is None
            values = [v for v in after.__dict__.values() if isinstance(v, str)]
            assert not terms.intersection(values), (table, after)
            assert getattr(after, "customer_id", None) not in named


@pytest.fixture(autouse=True)
def _start_mark(monkeypatch) -> None:
    """Remember the clean world in every episode (before the faults run)."""
    original = FaultPipeline.on_reset

    def on_reset(self, episode) -> None:
        episode.scratch["t.start"] = episode.world.snapshot()
        original(self, episode)

    monkeypatch.setattr(FaultPipeline, "on_reset", on_reset)


def test_reordered_listings_keep_every_row_and_sorted_listings_sorted() -> None:
    env = _env({"fault": "reordered_listings", "count": 30})
    clean = gym.make(ENV)
    clean.reset(seed=4)
    env.reset(seed=4)
    before, after = dict(_tables(clean)), dict(_tables(env))
    assert any([k for k, _ in before[t]] != [k for k, _ in after[t]] for t in before)
    assert all(sorted(before[t]) == sorted(after[t]) for t in before)
    customer = env.unwrapped.episode.world.toolkit("retail").orders.values()[0].customer_id
    _, _, _, _, info = env.step(
        AgentTurn(tool_calls=[ToolCall("c", "list_orders", {"customer_id": customer})])
    )
    dates = [o["placed_on"] for o in json.loads(info["messages"][0]["content"])]
    assert dates == sorted(dates, reverse=True)


def test_id_format_is_consistent_in_prompts_results_and_arguments(run) -> None:
    env = _env({"fault": "id_format", "style": "dashed"})
    for seed in range(20):
        observation, info = env.reset(seed=seed)
        episode = env.unwrapped.episode
        if "#W" not in episode.task.user_prompt:
            continue
        assert "#W" not in observation and "W-" in observation
        assert all("#W" not in term for term in episode.task.literals)
        codec = codec_of(episode)
        order_id = next(t for t in episode.task.literals if t.startswith("W-"))
        assert codec.canonical_text(order_id).startswith("#W")
        _, _, _, _, info = env.step(
            AgentTurn(tool_calls=[ToolCall("c", "get_order", {"order_id": order_id})])
        )
        result = json.loads(info["messages"][0]["content"])
        assert result["id"] == order_id and result["customer_id"].startswith("C-")
        tools = json.dumps(info["tools"])  # descriptions show examples in the new form
        assert "'#W1234567'" not in tools and "'W-1234567'" in tools
        # the migration is real: the old form is refused, with the form the API wants now
        old = codec.canonical_text(order_id)
        _, _, _, _, info = env.step(
            AgentTurn(tool_calls=[ToolCall("d", "get_order", {"order_id": old})])
        )
        error = json.loads(info["messages"][0]["content"])["error"]
        assert error["code"] == "invalid_format" and not error["retryable"]
        assert old in error["message"] and "W-" in error["message"]
        result = run(ENV, [{"fault": "id_format", "style": "dashed"}], seed)
        assert result.success
        return
    pytest.fail("no request named an order")


def test_date_format_refuses_iso_dates_once_migrated() -> None:
    env = _env({"fault": "date_format", "style": "eu"})
    env.reset(seed=1)
    codec = codec_of(env.unwrapped.episode)
    refused = codec.retired_form({"since": "2026-05-15"})
    assert refused is not None and refused.code == "invalid_format"
    assert "15.05.2026" in refused.message
    assert codec.retired_form({"since": "15.05.2026", "at": "2026-05-15T10:00"}) is None


def test_an_answer_that_quotes_ids_as_shown_passes_the_checker(run) -> None:
    plan = [{"fault": "id_format", "style": "underscored"}, {"fault": "date_format", "style": "us"}]
    for seed in range(30):
        result = run(ENV, plan, seed)
        assert result.success
        final = result.history[-1].content
        assert "#W" not in final and "C-1" not in final


def test_the_value_codec_round_trips_dates_in_every_style(run) -> None:
    for style, shown in (("us", "05/15/2026"), ("eu", "15.05.2026"), ("long", "May 15, 2026")):
        env = _env({"fault": "date_format", "style": style})
        env.reset(seed=1)
        codec = codec_of(env.unwrapped.episode)
        assert isinstance(codec, ValueCodec)
        assert codec.visible_text("on 2026-05-15.") == f"on {shown}."
        assert codec.canonical_text(f"on {shown}.") == "on 2026-05-15."
        assert codec.visible_text("2026-05-15T10:00") == "2026-05-15T10:00"
        for seed in range(10):
            assert run(ENV, [{"fault": "date_format", "style": style}], seed).success
