"""``toolgym eval`` and ``toolgym report`` end to end, as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolgym.cli import main

TOOLGYM = str(Path(sys.executable).parent / "toolgym")
ENV = "toolgym/Retail-v0"


def eval_command(out: Path, *args: str) -> list[str]:
    return [TOOLGYM, "eval", "--env", ENV, "--out", str(out), "--no-progress", *args]


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize(("agent", "figure"), [("oracle", "100.0%"), ("noop", "0.0%")])
def test_known_runs_report_the_right_figures(tmp_path: Path, agent: str, figure: str) -> None:
    out = subprocess.run(
        eval_command(tmp_path, "--agent", agent, "--episodes", "6", "--trials", "2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    report = (tmp_path / "report.md").read_text()
    assert f"| {ENV} | none | 12 | {figure} |" in report
    assert f"{figure} | {figure} | 0 |" in report  # pass^1 and pass^2
    assert f"12 episodes of agent `{agent}`" in report
    assert "Partial run" not in report
    html = (tmp_path / "report.html").read_text()
    assert f"<td>{figure}</td>" in html and "data:image/png;base64," in html
    assert (tmp_path / "success_by_preset.png").stat().st_size > 5000
    records = [json.loads(line) for line in lines(tmp_path / "trajectories.jsonl")]
    assert [(r["seed"], r["trial"]) for r in records] == [(s, t) for s in range(6) for t in (0, 1)]
    assert all(r["success"] is (agent == "oracle") for r in records)
    assert figure in out.stdout


def test_report_rebuilds_from_the_jsonl_alone(tmp_path: Path) -> None:
    assert main(["eval", "--agent", "oracle", "--episodes", "3", "--out", str(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("report")}
    for name in ["report.md", "report.html", "success_by_preset.png", "run.json"]:
        (tmp_path / name).unlink()
    assert main(["report", str(tmp_path)]) == 0
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("report")}
    assert after == before
    assert (tmp_path / "success_by_preset.png").exists()


def test_report_of_a_missing_run_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "trajectories.jsonl does not exist" in capsys.readouterr().out


def test_usage_errors_are_reported_not_raised(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--agent", "gpt", "--out", str(tmp_path)]) == 2
    assert "unknown agent 'gpt'" in capsys.readouterr().out
    assert main(["eval", "--agent", "oracle", "--temperature", "0", "--out", str(tmp_path)]) == 2
    assert "--temperature only apply to openai:MODEL" in capsys.readouterr().out
    missing = str(tmp_path / "plan.yaml")
    assert main(["eval", "--faults", missing, "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().out


def _start_and_wait_for(out: Path, count: int, *args: str) -> subprocess.Popen:
    """Start a long run and return once ``count`` episodes are on disk (still running)."""
    process = subprocess.Popen(
        eval_command(out, "--agent", "oracle", "--episodes", "4000", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(lines(out / "trajectories.jsonl")) < count:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.01)
    return process


@pytest.mark.slow
def test_a_killed_run_resumes_without_duplicates(tmp_path: Path) -> None:
    process = _start_and_wait_for(tmp_path, 100)
    process.kill()  # SIGKILL: no cleanup at all, possibly mid-line
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    kept = len(lines(tmp_path / "trajectories.jsonl"))
    assert 100 <= kept < 4000
    out = subprocess.run(
        eval_command(tmp_path, "--agent", "oracle", "--episodes", "4000"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    records = [json.loads(line) for line in lines(tmp_path / "trajectories.jsonl")]
    assert [r["seed"] for r in records] == list(range(4000))
    assert "| 4000 | 100.0% |" in (tmp_path / "report.md").read_text()


@pytest.mark.slow
def test_ctrl_c_leaves_a_usable_partial_report(tmp_path: Path) -> None:
    process = _start_and_wait_for(tmp_path, 50, "--workers", "2")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "interrupted" in stdout and "rerun the same command to resume" in stdout
    recorded = len(lines(tmp_path / "trajectories.jsonl"))
    report = (tmp_path / "report.md").read_text()
    assert f"**Partial run**: {recorded} of 4000 planned episodes" in report
    keys = [json.loads(line)["key"] for line in lines(tmp_path / "trajectories.jsonl")]
    assert len(keys) == len(set(keys))
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_python_dash_m_is_the_same_command(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "toolgym", "eval", "--agent", "noop", "--episodes", "2"]
    out = subprocess.run(
        [*command, "--out", str(tmp_path), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert len(lines(tmp_path / "trajectories.jsonl")) == 2
