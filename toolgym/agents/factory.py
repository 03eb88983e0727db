"""Agents by name, as the command line and the evaluation runner ask for them.

``oracle``, ``random`` and ``noop`` are built in; ``openai:MODEL`` is a model behind any
OpenAI-compatible Chat Completions server. On an environment that takes raw text (a
``TextActions`` env, ``info["format"]`` set), scripted agents speak through
:class:`~toolgym.agents.text.TextAgent` so the format's parser is exercised too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym

from toolgym.agents.baselines import NoToolAgent, RandomAgent
from toolgym.agents.oracle import OracleAgent
from toolgym.core.rollout import Agent

__all__ = ["AGENTS", "make_agent", "validate_agent"]

AGENTS = ("oracle", "random", "noop", "openai:MODEL")
"""The agent names ``make_agent`` understands (``MODEL`` stands for any model name)."""


def validate_agent(name: str) -> str:
    """``name`` if it names an agent, else a ``ValueError`` that lists the choices."""
    if name in ("oracle", "random", "noop"):
        return name
    if name.startswith("openai:") and name.removeprefix("openai:").strip():
        return name
    raise ValueError(
        f"unknown agent {name!r}; choose from oracle, random, noop, or openai:MODEL "
        "(e.g. openai:gpt-4o-mini, or any model your --base-url server serves)"
    )


def make_agent(
    name: str, env: gym.Env, *, seed: int = 0, options: Mapping[str, Any] | None = None
) -> Agent:
    """A fresh agent called ``name`` for ``env``; ``seed`` fixes any randomness it has.

    ``options`` go to the model agent's constructor (``base_url``, ``temperature``, ...); the
    scripted agents take none.
    """
    validate_agent(name)
    options = dict(options or {})
    text_format = _format_of(env)
    if name.startswith("openai:"):
        from toolgym.agents.openai_agent import OpenAIAgent

        options.setdefault("format", text_format)
        return OpenAIAgent(name.removeprefix("openai:"), seed=seed, **options)
    if options:
        raise ValueError(f"agent {name!r} takes no options, got {sorted(options)}")
    agent: Agent
    if name == "oracle":
        agent = OracleAgent(env)
    elif name == "random":
        agent = RandomAgent(seed=seed)
    else:
        agent = NoToolAgent()
    if text_format is None:
        return agent
    from toolgym.agents.text import TextAgent

    return TextAgent(agent)


def _format_of(env: gym.Env) -> str | None:
    """The tool-call format of a raw-text env (``TextActions`` anywhere in the stack)."""
    if not env.has_wrapper_attr("format"):
        return None
    return env.get_wrapper_attr("format").name
