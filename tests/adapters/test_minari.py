"""Minari collects toolgym episodes: raw-text envs as text, structured turns as JSON."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents.text import TextAgent
from toolgym.core.messages import coerce_turn

minari = pytest.importorskip("minari")
tm = pytest.importorskip("toolgym.adapters.minari")
from minari.serialization import deserialize_space, serialize_space  # noqa: E402

# Minari's DataCollector needs jax (minari[create]), which the dev extras leave out (see
# pyproject.toml); the collection tests run where it is installed.
collects = pytest.mark.skipif(
    __import__("importlib").util.find_spec("jax") is None,
    reason="minari's DataCollector needs jax: pip install 'toolgym[minari]'",
)


@pytest.fixture(autouse=True)
def _datasets(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))


def test_toolgym_spaces_serialise_and_come_back() -> None:
    env = gym.make("toolgym/Retail-v0")
    for space in (env.observation_space, env.action_space):
        again = deserialize_space(json.loads(serialize_space(space)))
        assert type(again) is type(space)
    assert deserialize_space(serialize_space(env.action_space, to_string=False)).tool_schemas == (
        env.action_space.tool_schemas
    )


@collects
def test_a_raw_text_episode_becomes_a_dataset_and_loads_back() -> None:
    env = minari.DataCollector(gym.make("toolgym/Retail-v0", format="hermes"), record_infos=False)
    result = toolgym.run_episode(env, TextAgent(toolgym.OracleAgent(env)), seed=1)
    dataset = env.create_dataset(dataset_id="toolgym/retail-hermes-v0", algorithm_name="oracle")
    loaded = minari.load_dataset("toolgym/retail-hermes-v0")
    episode = next(loaded.iterate_episodes())
    assert dataset.total_episodes == 1 and len(episode.actions) == result.turns
    assert "<tool_call>" in bytes(episode.actions[0]).decode()
    assert loaded.observation_space == env.observation_space


@collects
def test_structured_turns_are_stored_as_json_that_reads_back_as_the_same_turn() -> None:
    env = minari.DataCollector(
        gym.make("toolgym/Bank-v0"), record_infos=False, step_data_callback=tm.JsonActions
    )
    result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=2)
    env.create_dataset(dataset_id="toolgym/bank-turns-v0", algorithm_name="oracle")
    episode = next(minari.load_dataset("toolgym/bank-turns-v0").iterate_episodes())
    stored = [json.loads(bytes(a).decode()) for a in episode.actions]
    played = [m for m in result.history if m.role == "assistant"]
    assert len(stored) == len(played)
    for message, data in zip(played, stored, strict=True):
        turn, problem = coerce_turn(data, 0)
        assert not problem and turn.to_message().to_openai() == message.to_openai()
