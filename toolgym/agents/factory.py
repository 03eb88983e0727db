"""Agents by name, as the command line, the evaluation runner and ``toolgym validate`` ask for
them: one registry (:data:`AGENTS`), like the env suites', formats' and faults'.

``oracle``, ``random`` and ``noop`` are built in; ``openai:MODEL`` is a model behind any
OpenAI-compatible Chat Completions server; ``probe:SKILL`` is the oracle missing one skill
(see :mod:`toolgym.testing.probes`). On an environment that takes raw text (a ``TextActions``
env, ``info["format"]`` set), scripted agents speak through
:class:`~toolgym.agents.text.TextAgent` so the format's parser is exercised too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from toolgym.agents.baselines import NoToolAgent, RandomAgent
from toolgym.agents.oracle import OracleAgent
from toolgym.core.registry import Registry
from toolgym.core.rollout import Agent

__all__ = ["AGENTS", "AgentEntry", "agent_entry", "make_agent", "validate_agent"]


@dataclass(frozen=True)
class AgentEntry:
    """How to build one kind of agent.

    ``make(env, seed, arg, options)`` builds a fresh one; ``arg`` is what follows the colon in
    ``name:arg`` (a model, a skill), required when ``takes`` names it (``"MODEL"``) and refused
    otherwise. ``scripted`` agents take milliseconds an episode (workers get them in batches);
    ``options`` says whether it takes constructor options (``base_url``, ``temperature``...);
    ``choices``, if given, are the only ``arg`` values it accepts. A scripted agent on a
    raw-text env is wrapped in a ``TextAgent`` (unless it already is one).
    """

    make: Callable[[gym.Env, int, str, dict[str, Any]], Agent]
    takes: str = ""
    scripted: bool = True
    options: bool = False
    choices: tuple[str, ...] = ()


def _oracle(env: gym.Env, seed: int, arg: str, options: dict[str, Any]) -> Agent:
    return OracleAgent(env)


def _random(env: gym.Env, seed: int, arg: str, options: dict[str, Any]) -> Agent:
    return RandomAgent(seed=seed)


def _noop(env: gym.Env, seed: int, arg: str, options: dict[str, Any]) -> Agent:
    return NoToolAgent()


def _openai(env: gym.Env, seed: int, arg: str, options: dict[str, Any]) -> Agent:
    from toolgym.agents.openai_agent import OpenAIAgent

    options.setdefault("format", _format_of(env))
    return OpenAIAgent(arg, seed=seed, **options)


AGENTS: Registry[AgentEntry] = Registry("agent")
AGENTS.register("oracle", AgentEntry(_oracle))
AGENTS.register("random", AgentEntry(_random))
AGENTS.register("noop", AgentEntry(_noop))
AGENTS.register("openai", AgentEntry(_openai, takes="MODEL", scripted=False, options=True))
AGENTS.register("probe", "toolgym.testing.probes:PROBE_AGENT")  # a higher layer: named lazily


def _choices() -> str:
    return ", ".join(
        f"{name}:{entry.takes}" if entry.takes else name
        for name in AGENTS
        for entry in [_peek(name)]
    )


def _peek(name: str) -> AgentEntry:
    target = AGENTS.target(name)
    return target if isinstance(target, AgentEntry) else AGENTS.get(name)


def agent_entry(name: str) -> AgentEntry:
    """The registry entry behind ``name`` (``openai:gpt-4o`` -> ``openai``), checked."""
    validate_agent(name)
    return AGENTS.get(name.partition(":")[0])


def validate_agent(name: str) -> str:
    """``name`` if it names an agent, else a ``ValueError`` that lists the choices."""
    base, colon, arg = str(name).partition(":")
    if base in AGENTS:
        entry = _peek(base)
        if entry.takes and arg.strip():
            if entry.choices and arg.strip() not in entry.choices:
                raise ValueError(
                    f"unknown {entry.takes} {arg.strip()!r} for agent {base!r}; choose from "
                    + ", ".join(entry.choices)
                )
            return name
        if not entry.takes and not colon:
            return name
        if entry.takes:
            raise ValueError(f"agent {base!r} needs a {entry.takes}: {base}:{entry.takes}")
    raise ValueError(
        f"unknown agent {name!r}; choose from {_choices()} "
        "(e.g. openai:gpt-4o-mini, or any model your --base-url server serves)"
    )


def make_agent(
    name: str, env: gym.Env, *, seed: int = 0, options: Mapping[str, Any] | None = None
) -> Agent:
    """A fresh agent called ``name`` for ``env``; ``seed`` fixes any randomness it has.

    ``options`` go to the model agent's constructor (``base_url``, ``temperature``, ...); the
    scripted agents take none.
    """
    entry = agent_entry(name)
    options = dict(options or {})
    if options and not entry.options:
        raise ValueError(f"agent {name!r} takes no options, got {sorted(options)}")
    agent = entry.make(env, seed, name.partition(":")[2].strip(), options)
    from toolgym.agents.text import TextAgent

    if not entry.scripted or _format_of(env) is None or isinstance(agent, TextAgent):
        return agent
    return TextAgent(agent)


def _format_of(env: gym.Env) -> str | None:
    """The tool-call format of a raw-text env (``TextActions`` anywhere in the stack)."""
    if not env.has_wrapper_attr("format"):
        return None
    return env.get_wrapper_attr("format").name
