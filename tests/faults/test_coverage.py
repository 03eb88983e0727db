"""Every fault type fires and is recorded, at the step its stage says."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import pytest

from toolgym.agents import OracleAgent
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPlan, get, names

ENV = "toolgym/Retail-v0"


class BadCallFirst:
    """Sends one call with a bogus argument, then plays the oracle: meets validation errors."""

    def __init__(self, env: gym.Env) -> None:
        self.env = env
        self.oracle = OracleAgent(env)
        self.sent = False

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        if not self.sent:
            self.sent = True
            name = info["tools"][0]["function"]["name"]
            return AgentTurn(tool_calls=[ToolCall("bad", name, {"bogus": 1})])
        return self.oracle.act(observation, info)


@pytest.mark.parametrize("name", [n for n in names() if get(n).axis != "scaffold"])
def test_each_fault_type_fires_and_is_recorded(name: str, run) -> None:
    """(Scaffold faults need a text-speaking agent: tests/faults/test_scaffold.py.)"""
    plan = FaultPlan(faults=[{"fault": name}])
    agent = BadCallFirst if name == "validation_wording" else OracleAgent
    cls = get(name)
    for seed in range(30):
        result = run(ENV, plan, seed, agent)
        events = [e for e in result.faults if e["fault"] == name]
        if not events:
            continue
        for event in events:
            assert event["axis"] == cls.axis
            assert isinstance(event["target"], str) and event["target"]
            assert isinstance(event["detail"], str) and event["detail"]
        first = events[0]["step"]
        assert first == 0 if cls.stage == "reset" else first >= 1  # lasting effects come later
        steps = {e["step"] for i in result.infos for e in i["faults"] if e["fault"] == name}
        per_step = [i["turn"] for i in result.infos if any(e["fault"] == name for e in i["faults"])]
        assert steps == set(per_step), "an event is reported in the info of its own step"
        assert result.solvable == cls.recoverable
        return
    pytest.fail(f"{name} never fired in 30 episodes")
