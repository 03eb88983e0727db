"""TextAgent: a structured agent writing its turns in the episode's format."""

from __future__ import annotations

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents import NoToolAgent, TextAgent
from toolgym.core.messages import AgentTurn, ToolCall


class Recorder:
    """Calls one tool, then answers with what the result held under its own call id."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    def act(self, observation: str, info: dict) -> AgentTurn:
        self.seen.append(info)
        if len(self.seen) == 1:
            calls = [ToolCall("mine_1", "list_categories"), ToolCall("mine_2", "list_categories")]
            return AgentTurn(thinking="List them twice.", tool_calls=calls)
        ids = [m["tool_call_id"] for m in info["messages"]]
        return AgentTurn(content=" ".join(ids))


def test_results_come_back_under_the_agents_own_ids() -> None:
    env = gym.make("toolgym/Retail-v0", format="hermes")
    agent = Recorder()
    result = toolgym.run_episode(env, TextAgent(agent), seed=0)
    assert result.history[-1].content == "mine_1 mine_2"
    assert [m.tool_call_id for m in result.history if m.role == "tool"] == ["call_1_0", "call_1_1"]


def test_follows_the_format_of_each_episode() -> None:
    env = gym.make("toolgym/Retail-v0", format=["react", "xml", "json"])
    agent = TextAgent(Recorder())
    for seed in range(6):
        observation, info = env.reset(seed=seed)
        agent.reset(observation, info)
        completion = agent.act(observation, info)
        assert agent.format.name == info["format"]
        _, _, _, _, step_info = env.step(completion)
        assert step_info["parse_status"] == ["ok", "ok"]
        agent.agent.seen.clear()


def test_a_fixed_format_and_a_plain_string_answer() -> None:
    agent = TextAgent(NoToolAgent("No."), format="json")
    assert agent.act("", {"messages": []}) == '{"answer": "No."}'


def test_every_agent_is_found_by_name_in_one_registry() -> None:
    """oracle, random, noop, openai:MODEL and probe:SKILL all come from ``AGENTS``; a wrong
    name, a missing or unknown argument is a clear error naming the choices."""
    from toolgym.agents.factory import AGENTS, make_agent, validate_agent

    assert AGENTS.names() == ["oracle", "random", "noop", "openai", "probe"]
    env = gym.make("toolgym/Retail-v0", format="react")
    probe = make_agent("probe:no_retry", env)
    assert toolgym.run_episode(env, probe, seed=1).success
    for bad, message in [
        ("probe", "needs a SKILL"),
        ("openai", "needs a MODEL"),
        ("oracle:x", "unknown agent 'oracle:x'"),
        ("probe:nah", "unknown SKILL 'nah'"),
    ]:
        with pytest.raises(ValueError, match=message):
            validate_agent(bad)
