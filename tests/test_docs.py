"""Smoke tests: every example and every command in the README runs, so the docs never rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BIN = str(Path(sys.executable).parent)
# `make test` is the command running this suite: running it here would recurse.
SKIP = {"make test"}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def commands() -> list[str]:
    found = []
    for block in blocks("bash") + blocks("console"):
        for line in block.splitlines():
            line = line.removeprefix("$ ").split("#", 1)[0].strip()
            if line and line not in SKIP:
                found.append(line)
    return found


def run(args: list[str] | str, **kwargs) -> subprocess.CompletedProcess:
    environ = {
        **os.environ,
        "PATH": BIN + os.pathsep + os.environ["PATH"],
        "TOOLGYM_BENCH_QUICK": "1",
    }
    return subprocess.run(
        args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=600, **kwargs
    )


@pytest.mark.parametrize("command", commands())
def test_readme_command_runs(command: str) -> None:
    out = run(command.replace("python ", sys.executable + " ", 1), shell=True)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_readme_python_block_runs(index: int) -> None:
    out = run([sys.executable, "-c", blocks("python")[index]])
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_runs(path: Path) -> None:
    out = run([sys.executable, str(path)])
    assert out.returncode == 0, out.stderr[-2000:]


def test_readme_quickstart_matches_the_task_it_shows() -> None:
    import gymnasium as gym

    import toolgym  # noqa: F401

    env = gym.make("toolgym/Retail-v0")
    obs, _ = env.reset(seed=7)
    email = re.search(r'"email": "([^"]+)"', README).group(1)
    assert email in obs
