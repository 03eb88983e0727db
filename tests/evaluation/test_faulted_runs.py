"""Evaluation under real fault plans and formats, end to end through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import toolgym.formats
from toolgym.cli import main
from toolgym.evaluation import EvalConfig, TrajectoryStore, evaluate, summarize

from .test_report import Page, assert_drawn_png

TOOLGYM = str(Path(sys.executable).parent / "toolgym")
ENV = "toolgym/Retail-v0"


def run(out: Path, *args: str) -> subprocess.CompletedProcess:
    command = [TOOLGYM, "eval", "--env", ENV, "--out", str(out), "--no-progress", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def heavy_oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("heavy-oracle")
    done = run(out, "--agent", "oracle", "--faults", "heavy", "--episodes", "30", "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_oracle_under_heavy_faults_recovers_from_every_recoverable_one(heavy_oracle: Path) -> None:
    records = TrajectoryStore(heavy_oracle).records()
    assert len(records) == 60
    summary = summarize(records)
    heavy = summary.group(ENV, "heavy")
    assert heavy.success.value == 1.0  # every solvable episode solved
    assert heavy.paired.gap.value == 0.0
    assert summary.fault_types and summary.axes
    for name, stats in summary.fault_types.items():
        if stats.recovery.n:
            assert stats.recovery.value == 1.0, name
    report = (heavy_oracle / "report.md").read_text()
    assert f"| {ENV} | heavy | 30 | 100.0% |" in report
    assert "+0.0 pts" in report
    assert "## Robustness gap by axis" in report and "## Fault types" in report
    for axis in summary.axes:
        assert f"| {axis} |" in report
    if heavy.unsolvable:
        assert "## Unsolvable episodes" in report


def test_heavy_report_has_every_figure_embedded(heavy_oracle: Path) -> None:
    names = {"success_by_preset.png", "success_by_axis.png", "fault_heatmap.png"}
    for name in names:
        assert_drawn_png((heavy_oracle / name).read_bytes())
    page = Page()
    page.feed((heavy_oracle / "report.html").read_text())
    assert len(page.images) == 3
    assert "Fault types" in page.headings


def test_records_carry_the_fault_events(heavy_oracle: Path) -> None:
    records = TrajectoryStore(heavy_oracle).records()
    perturbed = [r for r in records if r["faults"] == "heavy"]
    events = [e for r in perturbed for e in r["fault_events"]]
    assert events
    assert set(events[0]) >= {"step", "fault", "axis", "target", "detail"}
    clean = [r for r in records if r["faults"] == "none"]
    assert all(r["fault_events"] == [] for r in clean)
    assert [r["task_id"] for r in clean] == [r["task_id"] for r in perturbed]


def test_noop_fails_under_every_preset(tmp_path: Path) -> None:
    done = run(
        tmp_path, "--agent", "noop", "--faults", "light", "--faults", "errors", "--episodes", "5"
    )
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "report.md").read_text()
    for preset in ("none", "light", "errors"):
        assert f"| {ENV} | {preset} | 5 | 0.0% |" in report


def test_a_plan_file_goes_by_its_name_and_injections_are_scored(tmp_path: Path) -> None:
    plan = tmp_path / "attack.yaml"
    plan.write_text("name: always-injected\nfaults:\n  - fault: prompt_injection\n")
    done = run(tmp_path / "run", "--agent", "oracle", "--faults", str(plan), "--episodes", "6")
    assert done.returncode == 0, done.stdout + done.stderr
    records = TrajectoryStore(tmp_path / "run").records()
    assert {r["faults"] for r in records} == {"none", "always-injected"}
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Prompt injection" in report
    assert f"| {ENV} | always-injected |" in report
    summary = summarize(records)
    group = summary.group(ENV, "always-injected")
    assert group.injected > 0 and group.attack_success.value == 0.0


def test_oracle_succeeds_through_every_format(tmp_path: Path) -> None:
    for name in toolgym.formats.names():
        outcome = evaluate(EvalConfig(agent="oracle", episodes=3, format=name), tmp_path / name)
        records = TrajectoryStore(tmp_path / name).records()
        assert outcome.recorded == 3 and all(r["success"] for r in records), name
        assert {r["format"] for r in records} == {name}


def test_an_unknown_preset_or_format_fails_before_any_episode(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--faults", "hevy", "--out", str(tmp_path)]) == 2
    assert "unknown fault preset 'hevy'" in capsys.readouterr().out
    assert main(["eval", "--format", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown format 'nope'" in capsys.readouterr().out
    assert not (tmp_path / "trajectories.jsonl").exists()


def test_list_shows_faults_formats_and_presets(capsys) -> None:
    assert main(["list", "--width", "200"]) == 0
    text = capsys.readouterr().out
    for word in ("task families", "fault types", "tool-call formats", "fault presets"):
        assert word in text
    assert "tool_drift" in text and "transient_error" in text and "hermes" in text
    assert "heavy" in text and "responses" in text


def test_demo_marks_faults_as_they_fire(capsys) -> None:
    code = main(["demo", "--faults", "errors", "--seed", "2", "--width", "160"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "⚡ fault" in text and "[errors]" in text
    code = main(["demo", "--faults", "light", "--format", "hermes", "--seed", "1"])
    text = capsys.readouterr().out
    assert code == 0 and "raw completion" in text and "<tool_call>" in text


def test_generated_thoughts_explain_the_recovery(tmp_path: Path) -> None:
    plan = tmp_path / "flaky.yaml"
    plan.write_text("faults:\n  - fault: transient_error\n    probability: 0.5\n")
    assert main(["generate", "--faults", str(plan), "--episodes", "8", "--out", str(tmp_path)]) == 0
    samples = [json.loads(line) for line in (tmp_path / "train.jsonl").open()]
    assert samples and all(s["meta"]["faults"] == "flaky" for s in samples)
    thoughts = [
        m["reasoning_content"]
        for s in samples
        if s["meta"]["fault_events"]
        for m in s["messages"]
        if m["role"] == "assistant"
    ]
    recovering = [t for t in thoughts if "retry" in t.lower() or "again" in t.lower()]
    assert len(recovering) >= 2 and len(set(recovering)) == len(recovering)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["plans"]["flaky"]["faults"][0]["fault"] == "transient_error"
    assert manifest["dataset"]["fault_events"]["transient_error"] >= 2


def test_records_name_the_format_each_episode_was_played_in(tmp_path: Path) -> None:
    plan = tmp_path / "scaffold.yaml"
    plan.write_text("name: other-scaffold\nfaults:\n  - fault: scaffold_format\n")
    config = EvalConfig(agent="oracle", episodes=4, faults=[str(plan)], format="hermes")
    evaluate(config, tmp_path / "run")
    records = TrajectoryStore(tmp_path / "run").records()
    assert all(r["success"] for r in records)
    assert {r["format"] for r in records if r["faults"] == "none"} == {"hermes"}
    drawn = [r["format"] for r in records if r["faults"] == "other-scaffold"]
    assert "hermes" not in drawn and len(drawn) == 4
    assert all(r["fault_events"][0]["axis"] == "scaffold" for r in records if r["faults"] != "none")
