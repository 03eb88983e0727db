"""The Ray rollout pool: the same records as a local run, in order, even when an actor dies.

One local Ray instance (two CPUs) serves the whole module; it takes a few seconds to start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

from toolgym.agents.factory import make_agent
from toolgym.evaluation import EpisodeError, EvalConfig, Settings, evaluate, run_episodes

ray = pytest.importorskip("ray")

# One Ray instance for the module: under pytest-xdist its tests share one worker.
pytestmark = pytest.mark.xdist_group("ray")

from toolgym.distributed import RolloutPool, rollout_specs  # noqa: E402

ENV = "toolgym/Retail-v0"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray instance for the module; yields its address for other processes."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    # Actors import this module to unpickle the test agents below.
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def test_ray_records_equal_local_records_in_spec_order(cluster: str) -> None:
    specs = rollout_specs(ENV, range(6), faults="medium", trials=2)
    settings = Settings("random")
    local = list(run_episodes(specs, settings))
    with RolloutPool(settings, workers=2, envs_per_worker=2) as pool:
        remote = pool.map(specs)
        assert len({ray.get(actor.pid.remote()) for actor in pool.actors}) == 2
    assert [r["key"] for r in remote] == [spec.key for spec in specs]
    assert json.dumps(remote) == json.dumps(local)


@dataclass
class DiesOnce:
    """An oracle whose process exits in the middle of the first episode any actor plays."""

    marker: str

    def __call__(self, env: gym.Env, seed: int) -> Any:
        return _Dying(make_agent("oracle", env, seed=seed), self.marker)


class _Dying:
    def __init__(self, agent: Any, marker: str) -> None:
        self.agent, self.marker, self.turns = agent, marker, 0

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.agent.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        self.turns += 1
        if self.turns == 2 and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)  # the actor process dies mid-episode, its other episodes in flight
        return self.agent.act(observation, info)


def test_an_actor_dying_mid_episode_loses_no_episode(cluster: str, tmp_path: Path) -> None:
    specs = rollout_specs(ENV, range(10), faults="light")
    settings = Settings("oracle")
    local = list(run_episodes(specs, settings))
    factory = DiesOnce(str(tmp_path / "died"))
    with RolloutPool(settings, workers=2, agent_factory=factory) as pool:
        remote = pool.map(specs)
        assert pool.replaced == 1
    assert (tmp_path / "died").exists()
    assert not any(isinstance(r, EpisodeError) for r in remote)
    assert json.dumps(remote) == json.dumps(local)


def test_an_actor_killed_from_outside_is_replaced_and_its_episodes_rerun(cluster: str) -> None:
    specs = rollout_specs(ENV, range(8), faults="none", trials=2)
    settings = Settings("oracle")
    with RolloutPool(settings, workers=2, envs_per_worker=2) as pool:
        results = pool.run(specs)
        first = next(results)
        ray.kill(pool.actors[0], no_restart=True)
        rest = list(results)
        assert pool.replaced >= 1
    records = sorted([first, *rest], key=lambda r: r["key"])
    assert not any(isinstance(r, EpisodeError) for r in records)
    assert [r["key"] for r in records] == sorted(spec.key for spec in specs)
    assert all(r["success"] for r in records)


class AlwaysDies:
    def __call__(self, env: gym.Env, seed: int) -> Any:
        os._exit(3)


def test_an_episode_that_kills_every_actor_is_given_up(cluster: str) -> None:
    (spec,) = rollout_specs(ENV, [0])
    with RolloutPool(
        Settings("oracle"), workers=1, agent_factory=AlwaysDies(), max_attempts=2
    ) as pool:
        (result,) = pool.map([spec])
    assert isinstance(result, EpisodeError)
    assert "lost with its actor 2 times" in result.message


def test_batched_calls_give_the_same_records(cluster: str) -> None:
    specs = rollout_specs(ENV, range(9), faults="heavy")
    settings = Settings("oracle")
    local = list(run_episodes(specs, settings))
    with RolloutPool(settings, workers=2, episodes_per_call=4) as pool:
        assert json.dumps(pool.map(specs)) == json.dumps(local)


@dataclass
class DiesOnTask:
    """An oracle whose process exits whenever it is given one particular task."""

    task_id: str

    def __call__(self, env: gym.Env, seed: int) -> Any:
        return _DyingOnTask(make_agent("oracle", env, seed=seed), self.task_id)


class _DyingOnTask:
    def __init__(self, agent: Any, task_id: str) -> None:
        self.agent, self.task_id = agent, task_id

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        if info["task_id"] == self.task_id:
            os._exit(4)
        self.agent.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        return self.agent.act(observation, info)


@pytest.mark.parametrize("per_call", [1, 4])
def test_only_the_episode_that_kills_is_blamed(cluster: str, per_call: int) -> None:
    """The episodes lost with it (its batch mates, the call queued behind it) are replayed
    alone and succeed; only the culprit is given up."""
    specs = rollout_specs(ENV, range(8))
    settings = Settings("oracle")
    local = list(run_episodes(specs, settings))
    culprit = local[2]["task_id"]
    factory = DiesOnTask(culprit)
    with RolloutPool(
        settings, workers=1, agent_factory=factory, episodes_per_call=per_call, max_attempts=2
    ) as pool:
        remote = pool.map(specs)
    assert isinstance(remote[2], EpisodeError)
    assert "lost with its actor 2 times" in remote[2].message
    others = [r for i, r in enumerate(remote) if i != 2]
    assert json.dumps(others) == json.dumps([r for i, r in enumerate(local) if i != 2])


def test_eval_backend_ray_writes_the_same_bytes_as_local(cluster: str, tmp_path: Path) -> None:
    """`toolgym eval --backend ray --address ...` on the running cluster, against a local run."""
    config = dict(envs=[ENV, "toolgym/Bank-v0"], agent="random", faults=["heavy"], episodes=3)
    evaluate(EvalConfig(**config, workers=2), tmp_path / "local")
    command = [
        sys.executable, "-m", "toolgym", "eval", "--env", ENV, "--env", "toolgym/Bank-v0",
        "--agent", "random", "--faults", "heavy", "--episodes", "3", "--workers", "2",
        "--backend", "ray", "--address", cluster, "--no-progress", "--out", str(tmp_path / "ray"),
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    local = (tmp_path / "local" / "trajectories.jsonl").read_bytes()
    remote = (tmp_path / "ray" / "trajectories.jsonl").read_bytes()
    assert remote == local and len(local.splitlines()) == 12
    manifest = json.loads((tmp_path / "ray" / "run.json").read_text())
    assert manifest["backend"] == "ray" and manifest["address"] == cluster


def test_bad_settings_fail_before_ray_starts() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        EvalConfig(backend="spark")
    with pytest.raises(ValueError, match="settings of the Ray backend"):
        EvalConfig(address="auto")
    with pytest.raises(ValueError, match="envs_per_worker must be an int >= 1"):
        EvalConfig(backend="ray", envs_per_worker=0)
