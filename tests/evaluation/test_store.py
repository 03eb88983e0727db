"""The JSONL store: append and flush per episode, survive a torn line, resume, reorder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolgym.evaluation.store import TrajectoryStore, dump_record


def rec(key: str, **extra: object) -> dict:
    return {"key": key, **extra}


def test_append_is_visible_to_another_reader_at_once(tmp_path: Path) -> None:
    store = TrajectoryStore(tmp_path / "run")
    store.open()
    store.append(rec("a", text="é ✓"))
    # A second reader (a resumed process) sees the record without any close or sync.
    assert TrajectoryStore(tmp_path / "run").records() == [rec("a", text="é ✓")]
    assert store.path.read_text(encoding="utf-8") == dump_record(rec("a", text="é ✓")) + "\n"


def test_a_torn_last_line_is_skipped_then_cut(tmp_path: Path) -> None:
    store = TrajectoryStore(tmp_path)
    store.open()
    store.append(rec("a"))
    with store.path.open("a", encoding="utf-8") as handle:
        handle.write('{"key": "b", "messa')  # the process died mid-write
    assert store.keys() == {"a"}
    store.open()
    store.append(rec("c"))
    assert [r["key"] for r in store.records()] == ["a", "c"]


def test_a_corrupt_line_in_the_middle_is_an_error_naming_it(tmp_path: Path) -> None:
    store = TrajectoryStore(tmp_path)
    store.path.write_text('{"key": "a"}\nnot json\n{"key": "b"}\n')
    with pytest.raises(ValueError, match=r"trajectories.jsonl:2"):
        store.records()


def test_canonicalize_orders_and_deduplicates(tmp_path: Path) -> None:
    store = TrajectoryStore(tmp_path)
    store.open()
    for key in ["c", "a", "x", "b", "a"]:
        store.append(rec(key, n=key))
    store.canonicalize(["a", "b", "c"])
    assert [r["key"] for r in store.records()] == ["a", "b", "c", "x"]
    assert not list(tmp_path.glob("*.tmp"))


def test_manifest_round_trip(tmp_path: Path) -> None:
    store = TrajectoryStore(tmp_path / "new")
    assert store.manifest() is None
    store.write_manifest({"agent": "oracle", "episodes": 3})
    assert store.manifest() == {"agent": "oracle", "episodes": 3}
    assert json.loads((tmp_path / "new" / "run.json").read_text())["agent"] == "oracle"
