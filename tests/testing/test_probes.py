"""The probe agents of ``toolgym.testing.probes``: each is the oracle missing one skill."""

from __future__ import annotations

import doctest
from pathlib import Path

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents import OracleAgent
from toolgym.agents.text import TextAgent
from toolgym.faults import names
from toolgym.testing import probes
from toolgym.testing.probes import FAULT_PROBES, PROBES, UNMEASURED, make_probe, probe_factory

FAST_ENVS = ["toolgym/Retail-v0", "toolgym/Bank-v0", "toolgym/Calendar-v0",
             "toolgym/Filesystem-v0", "toolgym/Search-v0", "toolgym/Web-v0"]  # fmt: skip
SANDBOXED_ENVS = ["toolgym/Python-v0", "toolgym/Codebase-v0", "toolgym/Workspace-v0"]


def test_module_doctests() -> None:
    assert doctest.testmod(probes).failed == 0


def test_every_fault_type_is_either_probed_or_explained() -> None:
    assert set(FAULT_PROBES) | set(UNMEASURED) == set(names())
    assert not set(FAULT_PROBES) & set(UNMEASURED)
    assert set(FAULT_PROBES.values()) <= set(PROBES) - {"oracle"}
    assert all(len(reason) > 40 for reason in UNMEASURED.values())


def test_the_docs_name_every_probe_and_every_unmeasured_fault_with_its_reason() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "fault_sensitivity.md").read_text()
    for name, probe in PROBES.items():
        assert name == "oracle" or f"| `{name}` | {probe.lacks} |" in doc
    for fault, reason in UNMEASURED.items():
        assert f"`{fault}`" in doc and reason in doc


def test_every_probe_defeats_some_fault() -> None:
    assert set(FAULT_PROBES.values()) == set(PROBES) - {"oracle"}


def test_each_probe_lacks_exactly_one_skill() -> None:
    for name, probe in PROBES.items():
        off = [flag for flag, on in vars(probe.skills).items() if not on]
        assert len(off) + probe.one_scaffold == (name != "oracle"), name


def test_unknown_probes_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="first_page"):
        make_probe("careless", gym.make("toolgym/Retail-v0"))
    with pytest.raises(ValueError, match="no_retry"):
        probe_factory("careless")


def _clean_outcomes(env_id: str, seeds: range) -> dict[str, list[bool]]:
    """Each probe's successes on the clean tasks ``seeds``, the oracle's first."""
    env = gym.make(env_id)
    try:
        return {
            name: [toolgym.run_episode(env, make_probe(name, env), seed=s).success for s in seeds]
            for name in PROBES
        }
    finally:
        env.close()


@pytest.mark.parametrize("env_id", FAST_ENVS)
def test_each_probe_solves_clean_episodes_like_the_oracle(env_id: str) -> None:
    outcomes = _clean_outcomes(env_id, range(6))
    assert all(outcomes["oracle"])
    assert {name: all(won) for name, won in outcomes.items()} == dict.fromkeys(PROBES, True)


@pytest.mark.slow
@pytest.mark.parametrize("env_id", SANDBOXED_ENVS)
def test_each_probe_solves_clean_sandboxed_episodes_like_the_oracle(env_id: str) -> None:
    outcomes = _clean_outcomes(env_id, range(3))
    assert {name: all(won) for name, won in outcomes.items()} == dict.fromkeys(PROBES, True)


def test_the_probes_are_oracles_and_speak_through_text_envs() -> None:
    env = gym.make("toolgym/Retail-v0")
    assert isinstance(make_probe("no_retry", env), OracleAgent)
    assert not make_probe("no_retry", env).skills.retries  # type: ignore[union-attr]
    text_env = gym.make("toolgym/Retail-v0", format=["react", "hermes"])
    fixed = make_probe("one_scaffold", text_env)
    following = make_probe("oracle", text_env)
    assert isinstance(fixed, TextAgent) and isinstance(following, TextAgent)
    assert fixed.fixed is not None and fixed.fixed.name == "react"
    assert following.fixed is None


def test_the_injection_probe_repeats_the_code_it_was_told_to() -> None:
    env = gym.make("toolgym/Retail-v0", faults=[{"fault": "prompt_injection"}])
    result = toolgym.run_episode(env, make_probe("obeys_injections", env), seed=0)
    assert result.checks["injection_resisted"] is False
    assert "Verification code:" in str(result.history[-1].content)
    oracle = toolgym.run_episode(env, make_probe("oracle", env), seed=0)
    assert oracle.checks["injection_resisted"] is True


def test_the_strict_parser_gives_up_on_a_reshaped_result() -> None:
    env = gym.make("toolgym/Retail-v0", faults=[{"fault": "reordered_keys"}])
    result = toolgym.run_episode(env, make_probe("strict_parser", env), seed=0)
    assert not result.success
    assert result.tool_calls == 1  # no retry: it could not read the first result
    assert "could not complete" in str(result.history[-1].content)


def test_the_probe_that_never_asks_gives_up_without_the_fact() -> None:
    env = gym.make("toolgym/Retail-v0", faults=[{"fault": "underspecification"}])
    seed = next(
        s
        for s in range(20)
        if not toolgym.run_episode(env, make_probe("never_asks", env), seed=s).success
    )
    asked = [m for m in env.unwrapped.history if m.role == "tool" and m.name == "ask_user"]
    assert not asked
    assert "cannot do this without" in str(env.unwrapped.history[-1].content)
    assert toolgym.run_episode(env, make_probe("oracle", env), seed=seed).success
