"""TextActions: completion strings in, prompt text out, in every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from toolgym.agents import OracleAgent, TextAgent
from toolgym.core.episode import Episode, Interceptor
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.retail import SUITE
from toolgym.formats import get, names
from toolgym.registration import make_env
from toolgym.wrappers import TextActions
from toolgym.wrappers.text_actions import FORMAT_KEY, draw_format

# Every task family at every difficulty, twice, each task with its own seed.
TASKS = [
    (seed, {"family": family, "difficulty": difficulty})
    for seed, (family, difficulty) in enumerate(
        (f.name, d) for f in SUITE.families for d in DIFFICULTIES for _ in range(2)
    )
]


def final_state(env: gym.Env) -> list:
    episode = env.unwrapped.episode
    return episode.world.changes_since(episode.start)


def calls_made(history) -> list:
    return [(c.name, c.arguments) for m in history for c in m.tool_calls]


@pytest.fixture(scope="module")
def structured() -> dict[int, tuple]:
    """The oracle's episodes through the structured interface, the reference."""
    env = gym.make("toolgym/Retail-v0")
    out = {}
    for seed, options in TASKS:
        result = toolgym.run_episode(env, OracleAgent(env), seed=seed, options=options)
        assert result.success
        out[seed] = (result.reward, final_state(env), calls_made(result.history), result.history)
    return out


@pytest.mark.parametrize("fmt", names())
def test_oracle_solves_every_task_through_text(fmt: str, structured: dict) -> None:
    env = gym.make("toolgym/Retail-v0", format=fmt)
    for seed, options in TASKS:
        result = toolgym.run_episode(env, TextAgent(OracleAgent(env)), seed=seed, options=options)
        reward, state, calls, history = structured[seed]
        assert result.success and result.reward == reward
        assert final_state(env) == state
        assert calls_made(result.history) == calls
        assert result.history[-1].content == history[-1].content
        assert all(info["parse_status"] in ([], ["ok"]) for info in result.infos)
        assert {info["format"] for info in result.infos} == {fmt}


@pytest.mark.parametrize("fmt", names())
def test_first_observation_is_the_whole_prompt(fmt: str) -> None:
    env = gym.make("toolgym/Retail-v0", format=fmt)
    prompt, info = env.reset(seed=4)
    system, user = info["messages"][0]["content"], info["messages"][1]["content"]
    template = get(fmt).template
    assert prompt.startswith(template.begin + template.opening("system") + system)
    assert prompt.index(system) < prompt.index(user)
    for tool in info["tools"]:
        assert tool["function"]["name"] in prompt
    assert prompt.endswith(template.opening("assistant"))
    assert info["format"] == fmt


@pytest.mark.parametrize("fmt", names())
def test_each_observation_is_the_text_to_append(fmt: str) -> None:
    """Prompt + completion + observation + ... reads as one conversation in the template."""
    env = gym.make("toolgym/Retail-v0", format=fmt)
    agent = TextAgent(OracleAgent(env))
    observation, info = env.reset(seed=2)
    agent.reset(observation, info)
    completion = agent.act(observation, info)
    observation, _, _, _, info = env.step(completion)
    template = get(fmt).template
    assert observation.startswith(template.close)
    assert observation.endswith(template.opening("assistant"))
    token = re.search(r"[A-Z]-\d+", info["messages"][0]["content"]).group()
    assert token in observation


@pytest.mark.parametrize("fmt", names())
def test_unreadable_completions_are_errors_the_agent_reads(fmt: str) -> None:
    env = gym.make("toolgym/Retail-v0", format=fmt, max_turns=5)
    env.reset(seed=1)
    observation, reward, terminated, truncated, info = env.step("<think>I will look up the")
    assert info["parse_status"] == ["unclosed_block"]
    assert "<think> block is never closed" in observation
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert info["turn"] == 1
    history = env.unwrapped.history
    assert history[-2].thinking == "I will look up the"
    assert history[-1].role == "tool" and "unclosed_block" in history[-1].content


GOOD_THEN_BROKEN = {
    "openai": '{"role": "assistant", "tool_calls": ['
    '{"function": {"name": "list_categories", "arguments": "{}"}}, '
    '{"function": {"name": "get_order", "arguments": "{\\"order_id\\": }"}}]}',
    "hermes": '<tool_call>{"name": "list_categories", "arguments": {}}</tool_call>\n'
    '<tool_call>{"name": "get_order", "arguments": {"order_id": }}</tool_call>',
    "react": "Action: list_categories\nAction Input: {}\n"
    'Action: get_order\nAction Input: {"order_id": }',
    "xml": '<invoke name="list_categories"></invoke>\n'
    '<invoke name="get_order">{"order_id": }</invoke>',
    "pythonic": "[list_categories()]\n[get_order(order_id=)]",
    "json": '{"tool_calls": [{"name": "list_categories", "arguments": {}}, '
    '{"name": "get_order", "arguments": "{\\"order_id\\": }"}]}',
}


@pytest.mark.parametrize("fmt", names())
def test_a_broken_call_next_to_a_good_one(fmt: str) -> None:
    """The good call runs, the broken one gets an error, both in order; the episode goes on."""
    env = gym.make("toolgym/Retail-v0", format=fmt)
    env.reset(seed=1)
    observation, _, terminated, _, info = env.step(GOOD_THEN_BROKEN[fmt])
    assert not terminated and info["parse_status"] == ["ok", "invalid_json"]
    categories, error = (json.loads(m["content"]) for m in info["messages"])
    assert isinstance(categories, list) and error["error"]["code"] == "invalid_json"
    assert "not valid" in error["error"]["message"]
    assert "invalid_json" in observation


def test_a_final_answer_in_text_ends_the_episode() -> None:
    env = gym.make("toolgym/Retail-v0", format="react")
    env.reset(seed=3)
    observation, reward, terminated, truncated, info = env.step("Final Answer: Sorry, no.")
    assert terminated and not truncated and reward == 0.0
    assert observation == "" and info["parse_status"] == []
    assert env.unwrapped.history[-1].content == "Sorry, no."


def test_garbage_forever_is_truncated() -> None:
    env = gym.make("toolgym/Retail-v0", format="json", max_turns=3)
    env.reset(seed=0)
    for turn in range(1, 4):
        _, _, terminated, truncated, info = env.step("not json")
        assert info["parse_status"] == ["invalid_json"] and not terminated
        assert truncated == (turn == 3)


def test_structured_actions_pass_through() -> None:
    env = gym.make("toolgym/Retail-v0", format="hermes")
    env.reset(seed=0)
    turn = toolgym.AgentTurn(tool_calls=[toolgym.ToolCall("c", "list_categories", {})])
    observation, _, _, _, info = env.step(turn)
    assert info["parse_status"] == ["ok"] and "<tool_response>" in observation


def test_same_seed_and_completions_give_identical_steps() -> None:
    def trace(env: gym.Env) -> list:
        observation, info = env.reset(seed=11)
        out = [observation, info]
        for completion in ("<tool_call>{}</tool_call>", "[list_categories()]", "Done."):
            out.extend(env.step(completion))
        return out

    a = trace(gym.make("toolgym/Retail-v0", format="hermes"))
    b = trace(gym.make("toolgym/Retail-v0", format="hermes"))
    assert a == b


def test_a_format_is_drawn_per_episode_from_the_seed() -> None:
    env = gym.make("toolgym/Retail-v0", format=names())
    seen = {}
    for seed in range(40):
        _, info = env.reset(seed=seed)
        seen[seed] = info["format"]
        assert env.get_wrapper_attr("format").name == info["format"]
    assert set(seen.values()) == set(names())
    again = gym.make("toolgym/Retail-v0", format=names())
    for seed in (0, 7, 33):
        assert again.reset(seed=seed)[1]["format"] == seen[seed]


def test_the_draw_is_the_same_in_another_process() -> None:
    code = (
        "import gymnasium as gym, toolgym, toolgym.formats as f\n"
        "env = gym.make('toolgym/Retail-v0', format=f.names())\n"
        "print([env.reset(seed=s)[1]['format'] for s in range(12)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    env = gym.make("toolgym/Retail-v0", format=names())
    assert out.strip() == str([env.reset(seed=s)[1]["format"] for s in range(12)])


def test_draw_format_is_a_function_of_the_seed() -> None:
    choices = [get(n) for n in names()]
    assert draw_format(choices, 5) is draw_format(choices, 5)
    assert draw_format(choices[:1], 123) is choices[0]


class PickReact(Interceptor):
    """What a format fault does: choose the episode's scaffold at reset."""

    def on_reset(self, episode: Episode) -> None:
        episode.scratch[FORMAT_KEY] = "react"


def test_a_fault_can_choose_the_format_through_the_episode() -> None:
    env = TextActions(make_env("Retail", interceptors=[PickReact()]), format="hermes")
    prompt, info = env.reset(seed=0)
    assert info["format"] == "react" and "Action Input:" in prompt
    _, _, _, _, info = env.step("Action: list_categories\nAction Input: {}")
    assert info["parse_status"] == ["ok"] and info["format"] == "react"


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        gym.make("toolgym/Retail-v0", format="yaml")
    with pytest.raises(ValueError, match="non-empty sequence"):
        TextActions(make_env("Retail"), format=[])
    with pytest.raises(TypeError, match="ToolEnv"):
        TextActions(gym.make("CartPole-v1"))


@pytest.mark.parametrize("fmt", ["hermes", "pythonic"])
def test_check_env(fmt: str) -> None:
    env = TextActions(make_env("Retail", max_turns=4), format=fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env, skip_render_check=True)


def test_recorded_for_gym_make() -> None:
    env = gym.make("toolgym/Retail-v0", format=["react", "xml"])
    assert env.spec.kwargs["format"] == ["react", "xml"]
    wrapper = TextActions(make_env("Retail"), format="xml")
    assert wrapper.spec is None or wrapper._saved_kwargs == {"format": "xml"}
    assert wrapper._saved_kwargs == {"format": "xml"}
