"""An entry of your own (an env suite, a fault type, a format) is picked up by every contract
test that runs over the registries, and passes it.

``tests/plugins/library.py`` registers examples/custom_env.py's suite, a fault type and a
format the way a user's package would; the env, adversarial, copy and fault contracts, the
fault coverage and strategy tests and the format tests then collect and pass for each of them
exactly as for the built-in ones.
"""

from __future__ import annotations

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
    "tests/faults/test_coverage.py",
    "tests/testing/test_strategies.py",
    "tests/formats",
]
NEW = {"Library": 20, "extra_noise_fields": 2, "plugin_hermes": 10}


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a whole contract suite for each new entry, in a subprocess
def test_entries_of_your_own_meet_every_contract() -> None:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q"]
    command += ["-p", "tests.plugins.library", *CONTRACTS, "-k", " or ".join(NEW)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1700)
    assert done.returncode == 0, done.stdout[-3000:]
    passed = [line for line in done.stdout.splitlines() if line.startswith("PASSED")]
    for name, least in NEW.items():
        mine = [line for line in passed if name in line]
        assert len(mine) >= least, (name, len(mine), done.stdout[-1500:])


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
