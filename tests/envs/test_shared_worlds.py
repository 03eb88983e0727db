"""Envs of one process that use the same world share one clean copy of it: each keeps only what
its own episode writes, and none sees another's writes."""

from __future__ import annotations

import gymnasium as gym
import pytest

import toolgym

SHARED = ["toolgym/Retail-v0", "toolgym/Bank-v0", "toolgym/Filesystem-v0", "toolgym/Web-v0"]


def _worlds(env_id: str, count: int) -> list[gym.Env]:
    return [gym.make(env_id) for _ in range(count)]


@pytest.mark.parametrize("env_id", SHARED)
def test_one_env_writing_never_shows_in_another(env_id: str) -> None:
    writer, reader = _worlds(env_id, 2)
    assert writer.unwrapped._world(0)[0].origin is reader.unwrapped._world(0)[0].origin
    for seed in range(12):
        reader.reset(seed=seed)
        start = reader.unwrapped.episode.start
        result = toolgym.run_episode(writer, toolgym.OracleAgent(writer), seed=seed)
        assert result.success
        world = reader.unwrapped.episode.world
        assert world.changes_since(start) == []
        if writer.unwrapped.episode.reference.changes:
            # the reader plays the same task on its own copy and gets the same verdict
            again = toolgym.run_episode(reader, toolgym.OracleAgent(reader), seed=seed)
            assert again.success and again.history[-1].content == result.history[-1].content
            return
    pytest.fail("no task wrote anything in 12 episodes")


def test_a_fork_shares_rows_until_it_writes_and_again_after_reset() -> None:
    env = gym.make("toolgym/Retail-v0")
    env.reset(seed=1)
    api = env.unwrapped.episode.world.toolkit("retail")
    orders = api.orders
    assert orders._rows is orders._base  # nothing written: the clean rows are shared
    toolgym.run_episode(env, toolgym.OracleAgent(env), options={"family": "cancel_order"})
    assert orders._rows is not orders._base  # its own copy, once written
    env.reset(seed=2)
    assert orders._rows is orders._base


def test_trajectories_do_not_depend_on_sharing() -> None:
    def digest(envs: list[gym.Env]) -> list[object]:
        out = []
        for seed in range(10):
            env = envs[seed % len(envs)]
            result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed)
            out.append([m.to_openai() for m in result.history])
        return out

    assert digest(_worlds("toolgym/Bank-v0", 1)) == digest(_worlds("toolgym/Bank-v0", 3))
