"""The fault model and plans: validation, schedules, the registry, presets, loading."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest
from pydantic import ValidationError

import toolgym
from toolgym.faults import AXES, HOOKS, FaultEvent, FaultPlan, Schedule, get, names, presets
from toolgym.faults.base import STAGES


def test_catalogue_has_at_least_35_types_on_every_axis_with_real_descriptions() -> None:
    catalogue = names()
    assert len(catalogue) >= 35
    assert len(set(catalogue)) == len(catalogue)
    for axis in AXES:
        assert any(get(n).axis == axis for n in catalogue), axis
    for name in catalogue:
        cls = get(name)
        assert cls.hook in HOOKS and cls.stage in STAGES and cls.axis in AXES
        assert len(cls.summary()) > 20, name
        cls()  # defaults are valid


def test_every_preset_named_in_the_issue_exists() -> None:
    assert {"none", "light", "medium", "heavy", *AXES} <= set(presets())
    assert FaultPlan.preset("none").faults == ()
    for axis in AXES:
        plan = FaultPlan.preset(axis)
        assert plan.faults and {f.axis for f in plan.faults} == {axis}
    heavy = {f.name for f in FaultPlan.preset("heavy").faults}
    assert heavy == set(names())
    assert FaultPlan.preset("medium").recoverable and FaultPlan.preset("light").recoverable
    assert not FaultPlan.preset("heavy").recoverable


def test_unknown_names_get_a_suggestion() -> None:
    with pytest.raises(ValueError, match="Did you mean 'transient_error'"):
        get("transient_eror")
    with pytest.raises(ValueError, match="unknown fault preset 'extreme'"):
        FaultPlan.preset("extreme")
    with pytest.raises(ValidationError, match="Did you mean 'timeout'"):
        FaultPlan(faults=[{"fault": "timeut"}])


def test_parameters_are_validated_with_the_offending_value() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 3"):
        get("rate_limit")(retries=9)
    with pytest.raises(ValidationError, match="probability"):
        get("timeout")(probability=1.5)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        get("timeout")(colour="red")
    with pytest.raises(ValidationError, match="excludes step 0"):
        get("typos")(schedule=Schedule(first=2))
    with pytest.raises(ValidationError, match=r"before schedule\.first"):
        Schedule(first=4, last=2)
    with pytest.raises(ValidationError, match="no 'fault' key"):
        FaultPlan(faults=[{"probability": 0.5}])


def test_schedule_first_last_every_and_max_fires() -> None:
    schedule = Schedule(first=2, last=8, every=3, max_fires=2)
    allowed = [step for step in range(12) if schedule.allows(step, fires=0)]
    assert allowed == [2, 5, 8]
    assert not schedule.allows(5, fires=2)
    assert Schedule().allows(0, 0) and Schedule().allows(99, 10**6)


def test_plans_load_from_yaml_json_lists_bare_names_and_files(tmp_path) -> None:
    yaml_text = """
name: flaky
faults:
  - fault: transient_error
    probability: 0.25
    statuses: [503]
  - fault: tool_drift
    schedule: {first: 3, max_fires: 1}
  - synonym_tool_names
"""
    plan = FaultPlan.from_yaml(yaml_text)
    assert plan.name == "flaky"
    assert [f.name for f in plan.faults] == ["transient_error", "tool_drift", "synonym_tool_names"]
    assert plan.faults[0].statuses == (503,)
    assert plan.faults[1].schedule == Schedule(first=3, max_fires=1)
    assert FaultPlan.from_json(plan.to_json()) == plan
    assert FaultPlan.from_yaml(plan.to_yaml()) == plan
    assert FaultPlan.from_json(json.dumps([{"fault": "timeout"}])).faults[0].name == "timeout"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml_text)
    assert FaultPlan.resolve(str(path)) == plan
    assert FaultPlan.resolve(path) == plan
    (tmp_path / "plan.json").write_text(plan.to_json())
    assert FaultPlan.load(tmp_path / "plan.json") == plan


def test_dumped_faults_carry_their_type_tag() -> None:
    dumped = FaultPlan(faults=["timeout"]).model_dump()
    assert dumped["faults"][0]["fault"] == "timeout"
    assert dumped["faults"][0]["seconds"] == 30
    with pytest.raises(ValidationError, match="'fault' is 'timeout' but this is 'rate_limit'"):
        get("rate_limit").model_validate(dumped["faults"][0])


def test_resolve_rejects_what_it_cannot_read() -> None:
    assert FaultPlan.resolve(None) is None
    with pytest.raises(ValueError, match="neither a preset"):
        FaultPlan.resolve("sometimes")
    with pytest.raises(TypeError, match="faults must be"):
        FaultPlan.resolve(3.5)
    with pytest.raises(ValueError, match="a mapping with 'faults'"):
        FaultPlan.from_yaml("just text")


def test_gym_make_takes_every_form_of_plan(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text(FaultPlan(faults=["reordered_tools"]).to_json())
    forms = ["tools", FaultPlan.preset("tools"), {"faults": ["reordered_tools"]}, str(path)]
    for form in forms:
        env = gym.make("toolgym/Retail-v0", faults=form)
        _, info = env.reset(seed=1)
        assert info["faults"], form
    with pytest.raises(ValueError, match="neither a preset"):
        gym.make("toolgym/Retail-v0", faults="unheard-of")


def test_fault_events_have_the_issue_shape() -> None:
    event = FaultEvent(2, "tool_drift", "tools", "get_order", "get_order -> fetch_order")
    assert event.as_dict() == {
        "step": 2,
        "fault": "tool_drift",
        "axis": "tools",
        "target": "get_order",
        "detail": "get_order -> fetch_order",
    }
    env = gym.make("toolgym/Retail-v0", faults="heavy")
    _, info = env.reset(seed=4)
    assert info["faults"] and all(set(e) == set(event.as_dict()) for e in info["faults"])
    assert all(e["step"] == 0 for e in info["faults"])


def test_a_scheduled_fault_that_does_not_fire_records_nothing() -> None:
    never = FaultPlan(faults=[{"fault": n, "probability": 0.0} for n in names()])
    env = gym.make("toolgym/Retail-v0", faults=never)
    result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=3)
    assert result.success and result.faults == []
    late = FaultPlan(faults=[{"fault": "transient_error", "schedule": {"first": 500}}])
    env = gym.make("toolgym/Retail-v0", faults=late)
    assert toolgym.run_episode(env, toolgym.OracleAgent(env), seed=3).faults == []
