"""Agents' grep patterns: a pattern that backtracks catastrophically is stopped within the
budget and answered with an error the agent can act on; ordinary patterns are unaffected."""

from __future__ import annotations

import time

import pytest

import toolgym.toolkits.patterns as patterns
from toolgym.core.errors import ToolError
from toolgym.toolkits.codebase import CodebaseToolkit
from toolgym.toolkits.filesystem import FileSystem
from toolgym.toolkits.patterns import PatternSearch

BACKTRACKS = r"(\w+\s?)+$"
TRAP = "a" * 3000 + "!"  # every way to split the a's is tried before the ! fails the match


@pytest.fixture(autouse=True)
def short_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "BUDGET_S", 0.2)


def test_the_budget_is_shared_by_every_search_of_a_call() -> None:
    search = PatternSearch("b+")
    assert search("abbb") and not search("aaa")
    assert PatternSearch("EGGS", ignore_case=True)("eggs")
    slow = PatternSearch(BACKTRACKS)
    start = time.monotonic()
    with pytest.raises(ToolError) as info:
        for _ in range(100):
            slow(TRAP)
    assert time.monotonic() - start < 2
    assert info.value.code == "pattern_timeout"
    assert "nested repetition" in info.value.message and info.value.details["pattern"]


def test_fs_grep_stops_a_backtracking_pattern() -> None:
    fs = FileSystem()
    fs.add_file("/notes/trap.txt", f"ok\n{TRAP}\n")
    fs.commit()
    grep = {t.name: t for t in fs.tools()}["fs_grep"]
    assert grep({"pattern": "^ok$"})["results"] == [
        {"path": "/notes/trap.txt", "line": 1, "text": "ok"}
    ]
    with pytest.raises(ToolError) as info:
        grep({"pattern": BACKTRACKS})
    assert info.value.code == "pattern_timeout"


def test_code_grep_stops_a_backtracking_pattern() -> None:
    code = CodebaseToolkit()
    try:
        code.load({"pkg/__init__.py": b"", "pkg/trap.py": f"X = '{TRAP}'\n".encode()})
        grep = {t.name: t for t in code.tools()}["code_grep"]
        assert grep({"pattern": "X ="})["count"] == 1
        with pytest.raises(ToolError) as info:
            grep({"pattern": BACKTRACKS})
        assert info.value.code == "pattern_timeout"
    finally:
        code.close()
