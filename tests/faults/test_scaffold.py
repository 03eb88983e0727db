"""The scaffold axis: the tool-call format drawn per episode, for agents that speak text."""

from __future__ import annotations

import gymnasium as gym
import pytest
from pydantic import ValidationError

import toolgym
from toolgym.faults import FaultPlan, get, names

PLAN = FaultPlan(faults=[{"fault": "scaffold_format"}])


def test_it_is_the_scaffold_axis_fault() -> None:
    assert [n for n in names() if get(n).axis == "scaffold"] == ["scaffold_format"]
    assert "scaffold" in toolgym.faults.presets()


def test_the_format_changes_and_is_recorded_and_the_oracle_still_succeeds() -> None:
    env = gym.make("toolgym/Retail-v0", faults=PLAN, format="hermes")
    agent = toolgym.TextAgent(toolgym.OracleAgent(env))
    seen = set()
    for seed in range(12):
        result = toolgym.run_episode(env, agent, seed=seed)
        (event,) = result.infos[0]["faults"]
        assert event["step"] == 0 and event["axis"] == "scaffold" and event["target"] == "format"
        used = result.infos[0]["format"]
        assert used != "hermes" and event["detail"] == f"hermes -> {used}"
        assert all(info["format"] == used for info in result.infos)
        assert result.success, result.checks
        seen.add(used)
    assert len(seen) >= 3


def test_the_prompt_is_rendered_in_the_drawn_format() -> None:
    plain = gym.make("toolgym/Retail-v0", format="hermes")
    faulty = gym.make("toolgym/Retail-v0", faults=PLAN, format="hermes")
    prompt, _ = plain.reset(seed=1)
    changed, info = faulty.reset(seed=1)
    assert "<tool_call>" in prompt and changed != prompt
    assert changed == toolgym.formats.get(info["format"]).render_prompt(
        info["messages"], info["tools"]
    )


def test_same_seed_same_format() -> None:
    env = gym.make("toolgym/Retail-v0", faults=PLAN, format="react")
    first = [env.reset(seed=s)[1]["format"] for s in range(8)]
    assert first == [env.reset(seed=s)[1]["format"] for s in range(8)]


def test_structured_agents_have_no_scaffold_to_change() -> None:
    env = gym.make("toolgym/Retail-v0", faults=PLAN)
    for seed in range(5):
        _, info = env.reset(seed=seed)
        assert info["faults"] == []


def test_formats_are_validated() -> None:
    with pytest.raises(ValidationError, match="'hermes', 'react'"):
        FaultPlan(faults=[{"fault": "scaffold_format", "formats": ["hermes", "yaml"]}])
    with pytest.raises(ValidationError):
        FaultPlan(faults=[{"fault": "scaffold_format", "formats": []}])
