"""The TRL adapter, tested against TRL's ``environment_factory`` protocol without TRL (which
needs torch): how GRPOTrainer finds tools (public bound methods), how it renders their schemas
(``transformers.utils.get_json_schema``, the renderer TRL hands them to), reset and reward."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

import gymnasium as gym
import pytest

import toolgym
from tests.oracle_play import oracle_turns
from toolgym.adapters import ToolEnvironment, task_rows, trl_environment

ENV = "toolgym/Retail-v0"


def trl_tools(instance: Any) -> dict[str, Any]:
    """The tools GRPOTrainer takes from an environment instance (its own selection rule)."""
    return {
        name: member
        for name, member in inspect.getmembers(instance, predicate=inspect.ismethod)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


def test_the_class_is_a_zero_argument_factory_with_reset_reward_and_one_method_per_tool() -> None:
    Retail = trl_environment(ENV)
    instance = Retail()
    assert isinstance(instance, ToolEnvironment) and Retail.__name__ == "RetailEnvironment"
    canonical = [t["function"]["name"] for t in gym.make(ENV).reset(seed=0)[1]["tools"]]
    assert sorted(trl_tools(instance)) == sorted([*canonical, "submit_answer"])
    assert callable(instance.reset) and callable(instance.get_reward)
    prompt = instance.reset(prompt=[{"role": "user", "content": ""}], seed=2)
    assert isinstance(prompt, str) and "submit_answer" in prompt
    assert isinstance(instance.get_reward(), float)


def _rendered_type(schema: dict[str, Any]) -> Any:
    """What a JSON Schema says about a value's type, as comparable data."""
    if "enum" in schema:
        return ("enum", tuple(schema["enum"]))
    if "anyOf" in schema:
        return ("type", tuple(sorted(branch["type"] for branch in schema["anyOf"])))
    kind = schema.get("type")
    if isinstance(kind, list):
        return ("type", tuple(sorted(kind)))
    if kind == "array" and "items" in schema:
        return ("array", _rendered_type(schema["items"]))
    return ("type", kind)


@pytest.mark.parametrize("env_id", toolgym.env_ids())
def test_methods_render_to_the_tool_schemas(env_id: str) -> None:
    """Each method's schema, as transformers renders it for the chat template, says what the
    tool's own schema says: name, description, parameters, types, enums, required."""
    transformers_utils = pytest.importorskip("transformers.utils")
    instance = trl_environment(env_id)()
    tools = trl_tools(instance)
    for schema in gym.make(env_id).unwrapped.action_space.tool_schemas:
        expected = schema["function"]
        method = tools[expected["name"]]
        rendered = transformers_utils.get_json_schema(method)["function"]
        assert rendered["name"] == expected["name"]
        assert rendered["description"] == " ".join(expected["description"].split())
        want, got = expected["parameters"], rendered["parameters"]
        assert list(got["properties"]) == list(want["properties"])
        assert set(got.get("required", [])) == set(want.get("required", []))
        for key, prop in want["properties"].items():
            assert _rendered_type(got["properties"][key]) == _rendered_type(prop), key
            assert got["properties"][key]["description"].startswith(
                " ".join(prop.get("description", "").split())
            )
        hints = typing.get_type_hints(method)
        assert hints["return"] is str and set(hints) == {*want["properties"], "return"}


def test_a_rollout_through_the_methods_is_the_env_episode_and_earns_its_reward() -> None:
    Retail = trl_environment(ENV, faults="heavy")
    assert "tools" in toolgym.FaultPlan.preset("heavy").axes
    assert "tools" not in Retail.plan.axes and len(Retail.plan.faults) > 20
    # Faults that add a tool or a parameter cannot be shown through a fixed toolset either.
    assert {"truncated_output", "pagination", "underspecification"} <= set(Retail.dropped_faults)
    instance = Retail()
    for seed in (3, 5):  # solvable tasks, one with the request split over two messages
        turns, infos = oracle_turns(ENV, Retail.plan, seed)
        prompt = instance.reset(seed=seed)
        assert infos[0]["messages"][1]["content"] in prompt
        for turn, info in zip(turns, infos[1:], strict=True):
            if turn.is_final:
                instance.submit_answer(turn.content)
                continue
            (call,) = turn.tool_calls
            text = getattr(instance, call.name)(**call.arguments)
            assert text == info["messages"][0]["content"]
        assert instance.get_reward() == 1.0
        assert instance.result["faults"] == [e for info in infos for e in info["faults"]]


def test_bad_calls_come_back_as_the_errors_the_env_gives() -> None:
    instance = trl_environment(ENV)()
    instance.reset(seed=0)
    missing = json.loads(instance.get_order())
    assert (
        missing["error"]["code"] == "invalid_arguments"
        and "required" in missing["error"]["message"]
    )
    wrong = json.loads(instance.get_order(order_id=5))
    assert wrong["error"]["code"] == "invalid_arguments"
    assert instance.get_reward() == 0.0  # never answered: ended with an empty answer


def test_rows_pick_tasks_and_instances_without_rows_draw_reproducible_sequences() -> None:
    rows = task_rows(range(3), prompt="Help the customer.")
    assert rows[1] == {"prompt": [{"role": "user", "content": "Help the customer."}], "seed": 1}
    first, second = trl_environment(ENV)(), trl_environment(ENV)()
    same = trl_environment(ENV)
    assert first.reset(**rows[2]) == second.reset(**rows[2])
    a, b = same(), same()
    assert a.reset() != b.reset()  # each instance has its own sequence...
    again = trl_environment(ENV)
    assert again().reset() == trl_environment(ENV)().reset()  # ...the same in every run
    with pytest.raises(ValueError, match="unknown family"):
        first.reset(seed=1, family="nope")
