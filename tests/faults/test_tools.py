"""Toolset faults: renamed tools and parameters still reach the real tool, old names fail the
way unknown names fail on a real API, drift names the replacement, new types are accepted and
old ones rejected; the faults aimed at the plan cost a brittle agent the task and the oracle
nothing."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym
import pytest

from toolgym.agents import OracleAgent
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.faults.support import plan_calls

ENV = "toolgym/Retail-v0"


def _env(seed: int, *faults: dict[str, Any], env_id: str = ENV) -> gym.Env:
    env = gym.make(env_id, max_turns=500)
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


def test_distractors_sit_before_plan_tools_and_answer_uselessly() -> None:
    env = _env(2, {"fault": "distractor_tools", "count": 3})
    episode = env.unwrapped.episode
    view = episode.view
    needed = {tool for tool, _ in plan_calls(episode)}
    fakes = [e for e in view.entries if e.handler is not None]
    assert len(fakes) == 3
    order = view.names()
    for fake in fakes:
        real = next(e for e in view.entries if e.target and e.target in fake.name)
        assert fake.parameters == real.parameters
        assert order.index(fake.name) < order.index(real.name)
        assert "dry run" in fake.description.lower() or "export" in fake.description.lower()
        result, status, _ = _call(env, fake.name, {})
        assert status == "ok" and set(result) & {"job_id", "dry_run"}
    aimed = sum(any(tool in fake.name for tool in needed) for fake in fakes)
    assert aimed == min(len(fakes), len(needed))


def test_no_tool_loses_both_its_meaningful_name_and_its_description() -> None:
    for seed in range(20):
        env = _env(
            seed,
            {"fault": "scrambled_tool_names", "fraction": 0.6},
            {"fault": "removed_descriptions", "fraction": 0.6},
        )
        for entry in env.unwrapped.episode.view.entries:
            assert entry.description or entry.name == entry.target


def _order_with_items(env: gym.Env) -> Any:
    api = _api(env)
    return next(o for o in api.orders.values() if o.status == "delivered" and len(o.items) > 1)


def _retyped_env(env_id: str, wanted: Any) -> tuple[gym.Env, Any, str]:
    """The first episode whose changed types include a parameter ``wanted(schema)`` picks: the
    env, the entry and the parameter's name."""
    for seed in range(40):
        env = _env(seed, {"fault": "changed_types", "fraction": 1.0}, env_id=env_id)
        for entry in env.unwrapped.episode.view.entries:
            for name, schema in entry.parameters.get("properties", {}).items():
                if wanted(schema):
                    return env, entry, name
    pytest.fail("no episode retypes such a parameter")


def test_changed_types_accept_the_new_form_and_reject_the_old_one() -> None:
    env, returns, _ = _retyped_env(
        ENV, lambda schema: "comma-separated" in schema.get("description", "")
    )
    assert returns.target == "return_items"
    order = _order_with_items(env)
    ids = [i.variant_id for i in order.items]
    base = {"order_id": order.id, "refund_method_id": order.payment_method_id}
    error, status, _ = _call(env, returns.name, {**base, "variant_ids": ids})
    assert status == "schema_violation"
    message = error["error"]["message"]
    assert "'variant_ids': Input should be a comma-separated string" in message
    assert repr(ids)[:20] in message
    result, status, _ = _call(env, returns.name, {**base, "variant_ids": ", ".join(ids)})
    assert status == "ok" and result["order_id"] == order.id, result


def test_changed_types_reject_a_number_sent_as_a_number() -> None:
    env, entry, name = _retyped_env(
        "toolgym/Bank-v0", lambda schema: "decimal string" in schema.get("description", "")
    )
    error, status, _ = _call(env, entry.name, {name: 12.5})
    assert status == "schema_violation"
    assert (
        f"Invalid arguments for {entry.name}: '{name}': Input should be a decimal string"
        in error["error"]["message"]
    )
    error, _, _ = _call(env, entry.name, {name: "12.50"})
    assert f"'{name}'" not in json.dumps(error.get("error", {}).get("details", {}))


def test_loosened_types_accept_their_new_forms() -> None:
    env = _env(3, {"fault": "loosened_types", "fraction": 1.0})
    order = _order_with_items(env)
    listing = env.unwrapped.episode.view.entry_for("list_orders")
    assert "enum" not in listing.parameters["properties"]["status"]
    result, status, _ = _call(
        env, listing.name, {"customer_id": order.customer_id, "status": "  DELIVERED "}
    )
    assert status == "ok" and any(o["order_id"] == order.id for o in result)


def test_a_removed_tool_is_one_the_plan_needs_and_its_successor_serves_it() -> None:
    env = _env(4, {"fault": "removed_tool"})
    episode = env.unwrapped.episode
    (event,) = episode.events
    removed = event["target"]
    assert removed in {tool for tool, _ in plan_calls(episode)}
    successor = episode.view.entry_for(removed)
    assert successor is not None and successor.name != removed
    assert episode.view.names()[-1] == successor.name
    error, status, _ = _call(env, removed, {})
    assert status == "unknown_tool" and error["error"]["code"] == "unknown_tool"


class CleanNames(OracleAgent):
    """A brittle agent: the oracle's plan, but every call by the tool's clean name with the
    clean arguments, whatever the toolset now says (retries and page tokens as the oracle)."""

    def _resolve(self, call: Any) -> tuple[str, dict[str, Any]]:
        arguments = dict(call.step.arguments)
        if call.page_token is not None:
            arguments["page_token"] = call.page_token
        return call.step.tool, arguments


class PicksByName(OracleAgent):
    """A brittle agent: the oracle, but it takes the first listed tool whose name contains the
    name of the tool it wants, without reading descriptions."""

    def _resolve(self, call: Any) -> tuple[str, dict[str, Any]]:
        name, arguments = super()._resolve(call)
        listed = self.env.unwrapped.episode.view.names()
        return next((n for n in listed if call.step.tool in n), name), arguments


AIMED = [
    ("toolgym/Retail-v0", {"fault": "removed_tool"}, CleanNames),
    ("toolgym/Retail-v0", {"fault": "tool_drift", "schedule": {"first": 2}}, CleanNames),
    ("toolgym/Retail-v0", {"fault": "tool_drift", "mode": "rename"}, CleanNames),
    ("toolgym/Retail-v0", {"fault": "parameter_drift", "schedule": {"first": 2}}, CleanNames),
    ("toolgym/Bank-v0", {"fault": "changed_types"}, CleanNames),
    ("toolgym/Bank-v0", {"fault": "distractor_tools"}, PicksByName),
    ("toolgym/Retail-v0", {"fault": "distractor_tools"}, PicksByName),
]


@pytest.mark.parametrize(
    ("env_id", "fault", "brittle"), AIMED, ids=[f"{f['fault']}-{e[8:-3]}" for e, f, _ in AIMED]
)
def test_an_aimed_fault_costs_a_brittle_agent_the_task_and_the_oracle_nothing(
    env_id: str, fault: dict[str, Any], brittle: type, run
) -> None:
    lost = 0
    for seed in range(10):
        careful = run(env_id, [fault], seed)
        assert careful.success and careful.faults, (seed, careful.checks, careful.faults)
        lost += not run(env_id, [fault], seed, brittle).success
    assert lost >= 8, f"the brittle agent lost only {lost} of 10 episodes"


def test_drift_strikes_a_tool_the_rest_of_the_plan_calls(run) -> None:
    """The first strike (step 2) hits a tool the oracle goes on to call; later ones, once the
    plan's tools were all struck, may hit any tool."""
    for seed in range(10):
        result = run(ENV, [{"fault": "tool_drift", "schedule": {"first": 2}}], seed)
        event = result.faults[0]
        renamed = event["detail"].split(" -> ")[1].split(" (")[0]
        turns = [m for m in result.history if m.role == "assistant"]
        later = [c.name for m in turns[event["step"] - 1 :] for c in m.tool_calls or ()]
        assert result.success and renamed in later, (event, later)
