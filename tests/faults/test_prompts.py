"""Prompt faults: rewordings keep the task's literals verbatim, a withheld fact can be asked
for, a split request arrives in two turns, system prompts keep their rules."""

from __future__ import annotations

import gymnasium as gym
import pytest

from toolgym.agents import NoToolAgent
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan, get, names
from toolgym.faults.prompts import SimulatedUser

ENV = "toolgym/Retail-v0"
USER_FAULTS = [n for n in names() if get(n).hook == "user_prompt"]
SYSTEM_FAULTS = [n for n in names() if get(n).hook == "system_prompt"]


def _reset(plan: list[dict], seed: int) -> tuple[gym.Env, str]:
    env = gym.make(ENV, max_turns=50)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=plan))]
    observation, _ = env.reset(seed=seed)
    return env, observation


@pytest.mark.parametrize("name", [n for n in USER_FAULTS if n != "underspecification"])
def test_user_prompt_faults_keep_every_literal_and_fact_verbatim(name: str) -> None:
    env, _ = _reset([{"fault": name}], 0)
    changed = 0
    for seed in range(40):
        observation, _ = env.reset(seed=seed)
        episode = env.unwrapped.episode
        said = " ".join([observation, *episode.pending_user])
        for term in (*episode.task.literals, *episode.task.facts.values()):
            if term in episode.task.user_prompt:
                assert term in said, (name, term, said)
        changed += observation != episode.task.user_prompt
    assert changed >= 10


def test_a_withheld_fact_is_gone_from_the_request_and_the_simulated_user_gives_it() -> None:
    for seed in range(20):
        env, observation = _reset([{"fault": "underspecification"}], seed)
        episode = env.unwrapped.episode
        if not episode.events:
            continue
        key = episode.events[0]["target"]
        value = episode.task.facts[key]
        assert value not in observation and "if you need it" in observation
        question = f"Could you tell me your {key.replace('_', ' ')}?"
        _, _, _, _, info = env.step(
            AgentTurn(tool_calls=[ToolCall("q", "ask_user", {"question": question})])
        )
        assert value in info["messages"][0]["content"]
        return
    pytest.fail("no fact was withheld")


def test_the_simulated_user_answers_what_is_asked_and_nothing_else() -> None:
    user = SimulatedUser({"email": "a@b.com", "zip": "94105", "order_id": "#W1"})
    assert user.answer("What's your postal code?") == "My zip is 94105."
    assert user.answer("and the order number?") == "My order id is #W1."
    assert "a@b.com" in user.answer("Please share all the details")
    assert "I can tell you my email, zip, order id" in user.answer("How is the weather?")


def test_a_split_request_arrives_when_the_agent_replies_without_a_tool() -> None:
    for seed in range(20):
        env, observation = _reset([{"fault": "split_request"}], seed)
        episode = env.unwrapped.episode
        if not episode.pending_user:
            continue
        rest = episode.pending_user[0]
        assert episode.task.user_prompt.startswith(observation)
        observation, _, terminated, _, info = env.step("Sure, what else?")
        assert not terminated and observation == f"User: {rest}"
        _, _, terminated, _, _ = env.step(NoToolAgent().act(observation, info))
        assert terminated
        return
    pytest.fail("no request was split")


@pytest.mark.parametrize("name", [n for n in SYSTEM_FAULTS if n != "verbosity"])
def test_system_prompt_faults_keep_every_rule(name: str) -> None:
    for seed in range(10):
        env, _ = _reset([{"fault": name}], seed)
        episode = env.unwrapped.episode
        original = episode.task.system_prompt
        rules = [line[2:] for line in original.splitlines() if line.startswith("- ")]
        assert rules and episode.system_prompt != original
        for rule in rules:
            assert rule in episode.system_prompt, (name, rule)
        assert episode.system_prompt == env.unwrapped.history[0].content


def test_verbosity_changes_the_length_not_the_rules() -> None:
    lengths = set()
    for seed in range(10):
        env, _ = _reset([{"fault": "verbosity"}], seed)
        episode = env.unwrapped.episode
        lengths.add(len(episode.system_prompt) > len(episode.task.system_prompt))
        assert "ZIP code" in episode.system_prompt and "exact ids" in episode.system_prompt
    assert lengths == {True, False}
