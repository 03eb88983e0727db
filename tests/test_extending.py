"""A suite of your own is a gym id like the built-in ones, and every contract test runs on it.

examples/custom_env.py is the suite; ``tests/plugins/library.py`` registers it the way a user's
package would, and the env contract, the adversarial contract and the fault contracts then
collect and pass for ``toolgym/Library-v0`` exactly as for Retail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

import toolgym
from toolgym.core.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = [
    "tests/envs/test_contract.py",
    "tests/envs/test_adversarial.py",
    "tests/envs/test_copy.py",
    "tests/faults/test_contracts.py",
]


@pytest.mark.slow
def test_a_registered_suite_meets_every_contract() -> None:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "tests.plugins.library", *CONTRACTS, "-k", "Library"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    passed = int(re.search(r"(\d+) passed", done.stdout).group(1))
    assert passed >= 20, done.stdout[-1000:]
    assert "failed" not in done.stdout and "error" not in done.stdout.lower().split("passed")[-1]


def test_register_suite_makes_a_gym_id(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    monkeypatch.delenv("TOOLGYM_SUITES", raising=False)
    try:
        env_id = toolgym.register_suite("LibraryUnit", "custom_env:SUITE")
        assert env_id in toolgym.env_ids() and env_id in gym.registry
        assert "LibraryUnit=custom_env:SUITE" in __import__("os").environ["TOOLGYM_SUITES"]
        env = gym.make(env_id)
        prompt, info = env.reset(seed=1)
        assert "shelf" in prompt and info["family"] == "find_shelf"
        with pytest.raises(ValueError, match="two env suites are named 'LibraryUnit'"):
            toolgym.register_suite("LibraryUnit", "custom_env:OTHER")
    finally:
        sys.path.remove(str(ROOT / "examples"))
        from toolgym.envs.registry import SUITES

        SUITES._targets.pop("LibraryUnit", None)
        SUITES._loaded.pop("LibraryUnit", None)
        gym.registry.pop("toolgym/LibraryUnit-v0", None)


def test_registry_errors_name_the_choices() -> None:
    registry: Registry[object] = Registry("widget")
    registry.register("gear", "math:tau")
    with pytest.raises(ValueError, match=r"unknown widget 'gaer' \(did you mean 'gear'\?\)"):
        registry.get("gaer")
    with pytest.raises(ValueError, match="must be 'module:attr'"):
        registry.register("bolt", "math.tau")
    assert registry.get("gear") == pytest.approx(6.283, abs=1e-3)
