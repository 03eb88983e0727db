"""ChatHistory: the whole conversation as OpenAI messages, thinking kept, dropped or last."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym.agents import OracleAgent, TextAgent
from toolgym.registration import make_env
from toolgym.wrappers import ChatHistory, Conversation


def episode(thinking: str, **make: object) -> tuple[list[list[dict]], list[dict]]:
    """Every observation of one oracle episode, and the env's own history as messages."""
    env = ChatHistory(gym.make("toolgym/Retail-v0", **make), thinking=thinking)
    agent = OracleAgent(env) if "format" not in make else TextAgent(OracleAgent(env))
    observation, info = env.reset(seed=5)
    agent.reset(observation, info)
    observations = [observation]
    done = False
    while not done:
        observation, _, terminated, truncated, info = env.step(agent.act(observation, info))
        observations.append(observation)
        done = terminated or truncated
    return observations, [m.to_openai() for m in env.unwrapped.history]


def reasoning(messages: list[dict]) -> list[int]:
    return [i for i, m in enumerate(messages) if "reasoning_content" in m]


def without_reasoning(messages: list[dict]) -> list[dict]:
    return [{k: v for k, v in m.items() if k != "reasoning_content"} for m in messages]


def test_keep_is_the_history_with_thinking_in_place() -> None:
    observations, history = episode("keep")
    assert observations[-1] == history
    assistants = [i for i, m in enumerate(history) if m["role"] == "assistant"]
    assert len(assistants) >= 3 and reasoning(observations[-1]) == assistants
    for observation in observations:
        assert observation == history[: len(observation)]
        assert Conversation().contains(observation)


def test_drop_removes_every_thought() -> None:
    observations, history = episode("drop")
    for observation in observations:
        assert reasoning(observation) == []
        assert observation == without_reasoning(history[: len(observation)])


def test_last_keeps_only_the_latest_thought() -> None:
    observations, history = episode("last")
    for observation in observations:
        assistants = [i for i, m in enumerate(observation) if m["role"] == "assistant"]
        assert reasoning(observation) == assistants[-1:]
        assert without_reasoning(observation) == without_reasoning(history[: len(observation)])


def test_thinking_written_in_text_reaches_the_history() -> None:
    observations, _ = episode("keep", format="react")
    thoughts = [m["reasoning_content"] for m in observations[-1] if "reasoning_content" in m]
    assert thoughts and all(thoughts)


def test_every_observation_is_a_fresh_object() -> None:
    env = ChatHistory(gym.make("toolgym/Retail-v0"))
    first, _ = env.reset(seed=0)
    first[0]["content"] = "changed"
    first.append({"role": "user", "content": "extra"})
    second, *_ = env.step(toolgym.AgentTurn(tool_calls=[toolgym.ToolCall("a", "list_categories")]))
    assert second[0]["content"] != "changed" and len(second) == 4


def test_invalid_mode_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="thinking must be one of"):
        ChatHistory(make_env("Retail"), thinking="some")
    with pytest.raises(TypeError, match="ToolEnv"):
        ChatHistory(gym.make("CartPole-v1"))


def test_conversation_space() -> None:
    space = Conversation(seed=3)
    sample = space.sample()
    assert space.contains(sample) and sample == Conversation(seed=3).sample()
    assert not space.contains([{"role": "robot", "content": "x"}])
    assert not space.contains([{"role": "user", "content": None}])
    assert not space.contains("text")


@pytest.mark.parametrize("thinking", ["keep", "last"])
def test_check_env(thinking: str) -> None:
    env = ChatHistory(make_env("Retail", max_turns=4), thinking=thinking)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env, skip_render_check=True)
