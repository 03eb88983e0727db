"""``toolgym generate``: narrated oracle trajectories as SFT-ready chat JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolgym.cli import main
from toolgym.evaluation.generate import GenerateConfig, generate
from toolgym.evaluation.narration import RECOVERY_NOTES, describe_result, recovery_note

ENV = "toolgym/Retail-v0"


def samples(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "train.jsonl").open()]


def test_samples_are_chat_format_with_a_thought_on_every_assistant_turn(tmp_path: Path) -> None:
    manifest = generate(GenerateConfig(faults=["none"], episodes=6), tmp_path)
    data = samples(tmp_path)
    assert len(data) == 6 == manifest["dataset"]["samples"]
    for sample in data:
        roles = [m["role"] for m in sample["messages"]]
        assert roles[:2] == ["system", "user"] and roles[-1] == "assistant"
        assert sample["tools"] and sample["tools"][0]["type"] == "function"
        assistants = [m for m in sample["messages"] if m["role"] == "assistant"]
        assert all(m["reasoning_content"] for m in assistants)
        assert assistants[-1]["content"] and "tool_calls" not in assistants[-1]
        meta = sample["meta"]
        assert meta["env"] == ENV and meta["faults"] == "none"
        assert meta["task_id"].endswith(f"/{meta['task_seed']}")
    assert manifest["seed_range"] == [0, 6]
    assert manifest["last_run"] == {
        "attempted": 6,
        "written": 6,
        "duplicates": 0,
        "unsolvable": 0,
        "failed": 0,
    }
    assert manifest["plans"]["none"]["faults"] == []
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest


def test_thoughts_vary_and_say_what_was_seen_and_why(tmp_path: Path) -> None:
    generate(GenerateConfig(faults=["none"], episodes=30), tmp_path)
    thoughts = [
        m["reasoning_content"]
        for s in samples(tmp_path)
        for m in s["messages"]
        if m["role"] == "assistant"
    ]
    assert len(set(thoughts)) == len(thoughts)  # never one fixed sentence
    openings = {t.split("“")[0] for t in thoughts if "“" in t}
    assert len(openings) >= 3  # the request is introduced in several ways
    calls = [t for t in thoughts if "find_customer" in t or "search_products" in t]
    assert calls and all("with " in t for t in calls)  # the call and its arguments
    assert any("returned" in t or "gives" in t or "got" in t for t in thoughts)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(GenerateConfig(faults=["none"], episodes=4), tmp_path / "a")
    generate(GenerateConfig(faults=["none"], episodes=4), tmp_path / "b")
    first = (tmp_path / "a" / "train.jsonl").read_bytes()
    assert first == (tmp_path / "b" / "train.jsonl").read_bytes()


def test_dedup_by_task_seed_across_runs(tmp_path: Path) -> None:
    generate(GenerateConfig(faults=["none"], episodes=4), tmp_path)
    manifest = generate(GenerateConfig(faults=["none"], episodes=6, seed=2), tmp_path)
    assert manifest["last_run"]["written"] == 4 and manifest["last_run"]["duplicates"] == 2
    seeds = [s["meta"]["task_seed"] for s in samples(tmp_path)]
    assert len(seeds) == len(set(seeds)) == 8
    assert manifest["dataset"]["samples"] == 8


def test_thinking_as_tags(tmp_path: Path) -> None:
    generate(GenerateConfig(faults=["none"], episodes=2, thinking="tags"), tmp_path)
    for sample in samples(tmp_path):
        for message in sample["messages"]:
            if message["role"] == "assistant":
                assert message["content"].startswith("<think>\n")
                assert "</think>" in message["content"]
                assert "reasoning_content" not in message


def test_config_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="thinking must be one of"):
        GenerateConfig(thinking="xml")
    with pytest.raises(ValueError, match="unknown env"):
        GenerateConfig(envs=["toolgym/Nope-v0"])


def test_recovery_notes_follow_what_the_agent_saw() -> None:
    rng = np.random.default_rng(0)
    limited = {"code": "rate_limited", "retryable": True, "retry_after": 2}
    wait = recovery_note(rng, [], [("get_order", limited)])
    assert "2s" in wait
    retry = recovery_note(rng, [], [("get_order", {"code": "unavailable", "retryable": True})])
    assert "retry" in retry.lower() or "again" in retry.lower()
    renamed = recovery_note(rng, [], [("get_order", {"code": "unknown_tool"})])
    assert "tool" in renamed.lower()
    injected = recovery_note(
        rng, [{"fault": "prompt_injection", "axis": "responses", "detail": ""}], []
    )
    assert "instruction" in injected.lower() or "redirect" in injected.lower()
    truncated = recovery_note(rng, [{"fault": "truncated_output", "axis": "responses"}], [])
    assert "rest" in truncated or "remainder" in truncated
    both = [
        {"fault": "yaml_rendering", "axis": "responses"},
        {"fault": "prompt_injection", "axis": "responses"},
    ]
    assert recovery_note(np.random.default_rng(1), both, []) in RECOVERY_NOTES["injection"]
    drift = recovery_note(rng, [{"fault": "tool_drift", "axis": "tools"}], [])
    assert drift in RECOVERY_NOTES["drift"]
    assert recovery_note(rng, [{"fault": "scaffold_format", "axis": "scaffold"}], []) == ""
    assert recovery_note(rng, [], []) == ""


def test_results_are_read_in_any_rendering() -> None:
    error = describe_result('{"error": {"code": "not_found", "message": "No order."}}')
    assert (error.text, error.code, error.json) == ("No order.", "not_found", True)
    listing = describe_result('[{"order_id": "#W1", "status": "shipped"}, {"order_id": "#W2"}]')
    assert listing.code is None and listing.text.startswith("2 entries") and '"#W1"' in listing.text
    yaml_error = describe_result("error:\n  code: unavailable\n  message: Try again.\n")
    assert (yaml_error.code, yaml_error.json) == ("unavailable", False)
    xml = describe_result("<response><status>shipped</status><total>12</total></response>")
    assert xml.code is None and not xml.json and "status" in xml.text


def test_generate_cli(tmp_path: Path, capsys) -> None:
    command = ["generate", "--faults", "none", "--episodes", "3", "--out", str(tmp_path)]
    assert main([*command, "--no-progress"]) == 0
    assert "3 samples written" in capsys.readouterr().out
    assert len(samples(tmp_path)) == 3
