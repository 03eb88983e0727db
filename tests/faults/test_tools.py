"""Toolset faults: renamed tools and parameters still reach the real tool, old names fail the
way unknown names fail on a real API, drift names the replacement, new types are accepted."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import pytest

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan

ENV = "toolgym/Retail-v0"


def _env(seed: int, *faults: dict[str, Any]) -> gym.Env:
    env = gym.make(ENV, max_turns=500)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=list(faults)))]
    env.reset(seed=seed)
    return env


def _call(env: gym.Env, name: str, arguments: dict[str, Any]) -> tuple[Any, str, dict[str, Any]]:
    _, _, _, _, info = env.step(AgentTurn(tool_calls=[ToolCall("c", name, arguments)]))
    content = info["messages"][0]["content"]
    return json.loads(content), info["parse_status"][0], info


def _api(env: gym.Env) -> Any:
    return env.unwrapped.episode.world.toolkit("retail")


@pytest.mark.parametrize(
    "name", ["synonym_tool_names", "versioned_tool_names", "scrambled_tool_names"]
)
def test_a_renamed_tool_works_under_its_new_name_and_its_old_name_is_unknown(name: str) -> None:
    env = _env(1, {"fault": name, "fraction": 1.0})
    view = env.unwrapped.episode.view
    entry = view.entry_for("get_order")
    assert entry is not None and entry.name != "get_order"
    order = _api(env).orders.values()[0].id
    result, status, _ = _call(env, entry.name, {"order_id": order})
    assert status == "ok" and result["id"] == order
    error, status, _ = _call(env, "get_order", {"order_id": order})
    assert status == "unknown_tool" and error["error"]["code"] == "unknown_tool"
    assert "Unknown tool 'get_order'" in error["error"]["message"]


def test_a_renamed_parameter_works_and_its_old_name_is_rejected_in_visible_terms() -> None:
    env = _env(1, {"fault": "renamed_parameters", "fraction": 1.0})
    entry = env.unwrapped.episode.view.entry_for("get_order")
    (visible,) = [v for v, c in entry.arg_names.items() if c == "order_id"]
    assert (
        visible in entry.parameters["properties"]
        and "order_id" not in entry.parameters["properties"]
    )
    order = _api(env).orders.values()[0].id
    result, status, _ = _call(env, entry.name, {visible: order})
    assert status == "ok" and result["id"] == order
    error, status, _ = _call(env, entry.name, {"order_id": order})
    assert status == "schema_violation"
    assert (
        f"'order_id' is not a parameter (expected one of: {visible})" in error["error"]["message"]
    )
    missing, _, _ = _call(env, entry.name, {})
    assert f"'{visible}' is required" in missing["error"]["message"]
    assert "'order_id'" not in missing["error"]["message"]


def test_drift_deprecates_a_tool_mid_episode_and_names_the_replacement() -> None:
    schedule = {"first": 2, "max_fires": 1}
    env = _env(1, {"fault": "tool_drift", "mode": "deprecate", "schedule": schedule})
    order = _api(env).orders.values()[0].id
    names = [t["function"]["name"] for t in env.unwrapped.episode.view.schemas()]
    _, status, info = _call(env, "calculate", {"expression": "1+1"})
    assert status == "ok" and info["faults"] == []
    _, _, info = _call(env, "calculate", {"expression": "1+1"})
    (event,) = info["faults"]
    old, new = event["detail"].split(" (")[0].split(" -> ")
    assert old in names and new in [t["function"]["name"] for t in info["tools"]]
    args = {"order_id": order} if old == "get_order" else {}
    error, status, _ = _call(env, old, args)
    assert status == "unknown_tool" and error["error"]["code"] == "deprecated"
    assert f"use '{new}' instead" in error["error"]["message"]


def test_drift_in_rename_mode_leaves_the_old_name_simply_unknown() -> None:
    env = _env(1, {"fault": "tool_drift", "mode": "rename", "schedule": {"first": 1}})
    _, _, info = _call(env, "list_categories", {})
    old = info["faults"][0]["target"]
    error, status, _ = _call(env, old, {})
    assert status == "unknown_tool" and error["error"]["code"] == "unknown_tool"


def test_distractors_look_alike_and_point_to_the_real_tool() -> None:
    env = _env(2, {"fault": "distractor_tools", "count": 3})
    view = env.unwrapped.episode.view
    fakes = [e for e in view.entries if e.handler is not None]
    assert len(fakes) == 3
    for fake in fakes:
        real = next(e for e in view.entries if e.target and e.target in fake.name)
        assert fake.parameters == real.parameters
        error, _, _ = _call(env, fake.name, {})
        assert error["error"]["code"] in ("gone", "forbidden")
        assert f"Use '{real.name}' instead" in error["error"]["message"]


def test_no_tool_loses_both_its_meaningful_name_and_its_description() -> None:
    for seed in range(20):
        env = _env(
            seed,
            {"fault": "scrambled_tool_names", "fraction": 0.6},
            {"fault": "removed_descriptions", "fraction": 0.6},
        )
        for entry in env.unwrapped.episode.view.entries:
            assert entry.description or entry.name == entry.target


def test_changed_and_loosened_types_accept_their_new_forms() -> None:
    env = _env(3, {"fault": "changed_types", "fraction": 1.0})
    view = env.unwrapped.episode.view
    returns = view.entry_for("return_items")
    assert returns.parameters["properties"]["variant_ids"]["type"] == "string"
    api = _api(env)
    order = next(o for o in api.orders.values() if o.status == "delivered" and len(o.items) > 1)
    ids = ", ".join(i.variant_id for i in order.items)
    result, status, _ = _call(
        env,
        returns.name,
        {"order_id": order.id, "variant_ids": ids, "refund_method_id": order.payment_method_id},
    )
    assert status == "ok" and result["order_id"] == order.id, result
    env = _env(3, {"fault": "loosened_types", "fraction": 1.0})
    listing = env.unwrapped.episode.view.entry_for("list_orders")
    assert "enum" not in listing.parameters["properties"]["status"]
    result, status, _ = _call(
        env, listing.name, {"customer_id": order.customer_id, "status": "  DELIVERED "}
    )
    assert status == "ok" and any(o["order_id"] == order.id for o in result)


def test_only_tools_the_task_does_not_need_are_removed(run) -> None:
    for seed in range(20):
        result = run(ENV, [{"fault": "removed_tool", "count": 3}], seed)
        assert result.success
