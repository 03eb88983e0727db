"""The runner: twins planned together, deterministic records, parallel = serial, resume."""

from __future__ import annotations

from pathlib import Path

import pytest

import toolgym
from toolgym.evaluation import (
    EpisodeSpec,
    EvalConfig,
    EvaluationError,
    RunObserver,
    Settings,
    TrajectoryStore,
    evaluate,
    run_episodes,
)

ENV = "toolgym/Retail-v0"


def test_config_validates_with_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown agent 'gpt'"):
        EvalConfig(agent="gpt")
    with pytest.raises(ValueError, match="unknown env 'toolgym/Nope-v0'"):
        EvalConfig(envs=["toolgym/Nope-v0"])
    with pytest.raises(ValueError, match="episodes must be an int >= 1"):
        EvalConfig(episodes=0)
    (tmp_path / "a.yaml").write_text("name: plan\nfaults: [transient_error]\n")
    (tmp_path / "b.json").write_text('{"name": "plan", "faults": ["timeout"]}')
    with pytest.raises(ValueError, match="both called 'plan'"):
        EvalConfig(faults=[str(tmp_path / "a.yaml"), str(tmp_path / "b.json")])
    with pytest.raises(ValueError, match="unknown fault preset 'hevy'"):
        EvalConfig(faults=["hevy"])
    assert EvalConfig(envs=[ENV, "all"]).envs == toolgym.env_ids()


def test_every_perturbed_episode_has_its_clean_twin_beside_it() -> None:
    config = EvalConfig(faults=["light", "heavy"], episodes=2, trials=2, seed=5)
    specs = config.specs()
    assert config.labels == ["none", "light", "heavy"]
    assert len(specs) == 2 * 3 * 2
    assert specs[:6] == [
        EpisodeSpec(ENV, 5, "none", 0),
        EpisodeSpec(ENV, 5, "none", 1),
        EpisodeSpec(ENV, 5, "light", 0),
        EpisodeSpec(ENV, 5, "light", 1),
        EpisodeSpec(ENV, 5, "heavy", 0),
        EpisodeSpec(ENV, 5, "heavy", 1),
    ]
    assert all(spec.twin in specs for spec in specs)
    assert len({spec.key for spec in specs}) == len(specs)


def test_records_hold_the_episode_and_nothing_from_the_clock() -> None:
    spec = EpisodeSpec(ENV, 3, "none")
    (first,) = run_episodes([spec], Settings("oracle"))
    (again,) = run_episodes([spec], Settings("oracle"))
    assert first == again
    assert first["key"] == spec.key and first["success"] is True
    assert first["messages"][0]["role"] == "system"
    assert any(m.get("reasoning_content") for m in first["messages"])
    assert first["tool_calls"] == sum(len(step) for step in first["parse_status"][:-1])
    assert not {"time", "duration", "elapsed", "timestamp"} & set(first)


def test_parallel_workers_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    config = dict(agent="random", episodes=4, trials=2, seed=11)
    evaluate(EvalConfig(**config), tmp_path / "serial")
    evaluate(EvalConfig(**config, workers=2), tmp_path / "parallel")
    serial = (tmp_path / "serial" / "trajectories.jsonl").read_bytes()
    parallel = (tmp_path / "parallel" / "trajectories.jsonl").read_bytes()
    assert serial == parallel
    assert len(serial.splitlines()) == 8


class Recorder(RunObserver):
    def __init__(self) -> None:
        self.planned = 0
        self.finished = 0
        self.keys: list[str] = []

    def started(self, planned, finished) -> None:
        self.planned, self.finished = planned, len(finished)

    def recorded(self, record) -> None:
        self.keys.append(record["key"])


def test_a_rerun_resumes_and_a_bigger_run_extends(tmp_path: Path) -> None:
    out = tmp_path / "run"
    evaluate(EvalConfig(agent="noop", episodes=3), out)
    watcher = Recorder()
    outcome = evaluate(EvalConfig(agent="noop", episodes=5), out, watcher)
    assert (outcome.planned, outcome.skipped, outcome.recorded) == (5, 3, 2)
    assert (watcher.planned, watcher.finished) == (5, 3)
    assert watcher.keys == [f"{ENV}|none|3|0", f"{ENV}|none|4|0"]
    records = TrajectoryStore(out).records()
    assert [r["seed"] for r in records] == [0, 1, 2, 3, 4]
    assert evaluate(EvalConfig(agent="noop", episodes=5), out).recorded == 0


def test_resuming_with_another_agent_is_refused(tmp_path: Path) -> None:
    evaluate(EvalConfig(agent="noop", episodes=1), tmp_path)
    with pytest.raises(ValueError, match="agent='noop', not 'oracle'"):
        evaluate(EvalConfig(agent="oracle", episodes=1), tmp_path)


def test_ctrl_c_keeps_what_finished(tmp_path: Path) -> None:
    class Interrupting(RunObserver):
        def recorded(self, record) -> None:
            if record["seed"] == 2:
                raise KeyboardInterrupt

    outcome = evaluate(EvalConfig(agent="oracle", episodes=6), tmp_path, Interrupting())
    assert outcome.interrupted and outcome.recorded == 3
    assert len(TrajectoryStore(tmp_path).records()) == 3
    assert evaluate(EvalConfig(agent="oracle", episodes=6), tmp_path).recorded == 3


def test_a_fatal_agent_error_stops_the_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("TOOLGYM_TEST_KEY", raising=False)
    config = EvalConfig(
        agent="openai:any", episodes=3, agent_options={"api_key_env": "TOOLGYM_TEST_KEY"}
    )
    with pytest.raises(EvaluationError, match="set the environment variable TOOLGYM_TEST_KEY"):
        evaluate(config, tmp_path)
    assert TrajectoryStore(tmp_path).records() == []
