"""The public Hypothesis strategies: what they draw is valid and respects the filters."""

from __future__ import annotations

import gymnasium as gym
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolgym
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import AXES, Fault, FaultPlan, get, names
from toolgym.testing.strategies import fault_plans, faults, schedules, tool_calls


@pytest.mark.parametrize("name", names())
@settings(max_examples=10)
@given(data=st.data())
def test_faults_draws_valid_instances_of_every_type(name: str, data: st.DataObject) -> None:
    fault = data.draw(faults(names=[name]))
    assert isinstance(fault, get(name))
    assert type(fault).model_validate(fault.model_dump()) == fault
    if fault.stage == "reset":
        assert fault.schedule.allows(0, 0)


@given(plan=fault_plans(axes=["tools", "errors"], recoverable_only=True, max_faults=5))
def test_fault_plans_respect_axes_and_recoverability(plan: FaultPlan) -> None:
    assert 1 <= len(plan.faults) <= 5 and plan.recoverable
    assert {f.axis for f in plan.faults} <= {"tools", "errors"}
    assert FaultPlan.from_yaml(plan.to_yaml()) == plan


@given(fault=faults(min_probability=0.8), schedule=schedules(at_reset=True))
def test_probability_floor_and_reset_schedules(fault: Fault, schedule) -> None:
    assert fault.probability >= 0.8 and schedule.first == 0


def test_filters_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown axes"):
        faults(axes=["nope"])
    with pytest.raises(ValueError, match="unknown fault"):
        faults(names=["nope"])
    with pytest.raises(ValueError, match="min_faults"):
        fault_plans(min_faults=3, max_faults=1)
    with pytest.raises(ValueError, match="no fault type"):
        faults(names=["permanent_outage"], recoverable_only=True)
    assert set(AXES) == {get(n).axis for n in names()}


@pytest.mark.parametrize("env_id", toolgym.env_ids())
def test_tool_calls_satisfy_the_schemas_the_env_shows(env_id: str) -> None:
    env = gym.make(env_id, max_turns=10**6)
    _, info = env.reset(seed=0)

    @settings(max_examples=150)
    @given(call=tool_calls(info["tools"]))
    def check(call: ToolCall) -> None:
        assert call.name in {t["function"]["name"] for t in info["tools"]}
        _, _, _, _, step = env.step(AgentTurn(tool_calls=[call]))
        content = step["messages"][0]["content"]
        # The tool may refuse on business rules ("give an email or a name and ZIP"), never
        # because the arguments break the schema it showed.
        assert step["parse_status"] in (["ok"], ["schema_violation"]), content
        assert "Invalid arguments for" not in content, content
        assert '"internal_error"' not in content, content

    check()


BARE = {
    "name": "f",
    "parameters": {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 3},
            "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2},
            "x": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        },
        "required": ["n"],
    },
}


@given(call=tool_calls(BARE))
def test_tool_calls_reads_bare_function_schemas(call: ToolCall) -> None:
    assert call.name == "f" and 1 <= call.arguments["n"] <= 3
    assert set(call.arguments.get("tags", [])) <= {"a", "b"}
    assert set(call.arguments) <= {"n", "tags", "x"}


def test_tool_calls_needs_named_schemas() -> None:
    with pytest.raises(ValueError, match="needs a name"):
        tool_calls({"parameters": {}})
    with pytest.raises(ValueError, match="at least one"):
        tool_calls([])
