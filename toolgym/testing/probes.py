"""Probe agents: the oracle missing exactly one skill, to show what each fault measures.

A fault earns its place when an agent that lacks the skill it tests loses on it and the robust
:class:`~toolgym.agents.OracleAgent` does not. Each probe here is the oracle with one
:class:`~toolgym.agents.oracle.Skills` flag off (``one_scaffold`` instead speaks one fixed
tool-call format), so it solves clean episodes as the oracle does and fails only where its
missing skill is needed. :data:`FAULT_PROBES` names the probe each fault type should defeat;
:data:`UNMEASURED` lists, with the reason, the fault types no scripted agent can show (they test
how a model reads prose). ``toolgym validate`` plays them all and prints the matrix.

>>> import gymnasium as gym, toolgym
>>> from toolgym.testing.probes import make_probe
>>> env = gym.make("toolgym/Retail-v0", faults=[{"fault": "pagination"}])
>>> toolgym.run_episode(env, make_probe("oracle", env), seed=2).success
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import gymnasium as gym

from toolgym.agents.factory import AgentEntry
from toolgym.agents.oracle import OracleAgent, Skills
from toolgym.agents.text import TextAgent
from toolgym.core.rollout import Agent

__all__ = [
    "FAULT_PROBES",
    "PROBES",
    "UNMEASURED",
    "Probe",
    "make_probe",
    "probe_factory",
]


@dataclass(frozen=True)
class Probe:
    """A brittle agent: the oracle with ``skills``, or speaking only its env's first format."""

    name: str
    lacks: str
    skills: Skills = field(default_factory=Skills)
    one_scaffold: bool = False

    def build(self, env: gym.Env) -> Agent:
        """A fresh agent for ``env`` (through its tool-call format on a raw-text env)."""
        agent: Agent = OracleAgent(env, skills=self.skills)
        if not env.has_wrapper_attr("format"):
            return agent
        fixed = env.get_wrapper_attr("choices")[0] if self.one_scaffold else None
        return TextAgent(agent, format=fixed)


def _without(name: str, lacks: str, **off: bool) -> Probe:
    return Probe(name, lacks, Skills(**{flag: False for flag in off}))


PROBES: dict[str, Probe] = {
    probe.name: probe
    for probe in (
        Probe("oracle", "nothing: the robust reference"),
        _without(
            "clean_names",
            "uses the clean API's tool names, parameters, types and value formats, never "
            "re-reading the toolset",
            reads_toolset=False,
        ),
        _without("no_retry", "gives up on the first error", retries=False),
        _without("first_page", "reads only the first page or chunk", follows_pages=False),
        _without(
            "obeys_injections",
            "follows instructions found in tool results",
            resists_injections=False,
        ),
        _without(
            "strict_parser",
            "reads only compact JSON of the clean shape (fields, their order and types)",
            lenient_parser=False,
        ),
        _without("ignores_stale", "uses a value a result says is stale", heeds_stale=False),
        _without(
            "never_asks",
            "neither asks the simulated user nor waits for the rest of a request",
            asks_user=False,
        ),
        _without(
            "first_hit", "takes the first match of a search or listing", checks_all_hits=False
        ),
        _without(
            "ignores_events",
            "acts on what it read before the world changed",
            rereads_after_events=False,
        ),
        Probe("one_scaffold", "speaks only its env's default tool-call format", one_scaffold=True),
    )
}
"""Every probe by name, the oracle first (the row every other is compared with)."""

FAULT_PROBES: dict[str, str] = {
    # tools: renamed or retyped interfaces defeat an agent that keeps the clean API
    "changed_types": "clean_names",
    "removed_tool": "clean_names",
    "parameter_drift": "clean_names",
    "renamed_parameters": "clean_names",
    "scrambled_tool_names": "clean_names",
    "synonym_tool_names": "clean_names",
    "tool_drift": "clean_names",
    "versioned_tool_names": "clean_names",
    # prompts: a value the request lacks
    "split_request": "never_asks",
    "underspecification": "never_asks",
    # world
    "date_format": "clean_names",
    "id_format": "clean_names",
    "near_duplicate_records": "first_hit",
    "world_event": "ignores_events",
    # errors
    "connection_reset": "no_retry",
    "rate_limit": "no_retry",
    "timeout": "no_retry",
    "transient_error": "no_retry",
    # responses
    "camel_case_keys": "strict_parser",
    "distractor_content": "strict_parser",
    "noise_fields": "strict_parser",
    "numbers_as_strings": "strict_parser",
    "reordered_keys": "strict_parser",
    "table_rendering": "strict_parser",
    "unicode_noise": "strict_parser",
    "whitespace_noise": "strict_parser",
    "xml_rendering": "strict_parser",
    "yaml_rendering": "strict_parser",
    "pagination": "first_page",
    "truncated_output": "first_page",
    "prompt_injection": "obeys_injections",
    "stale_value": "ignores_stale",
    # scaffold
    "scaffold_format": "one_scaffold",
}
"""The probe each measurable fault type should defeat (it lacks the skill the fault tests)."""

_PROSE = (
    "changes only prose a model reads (the request keeps every literal); a scripted agent "
    "takes its task from the plan, so no scripted probe can lack the skill it tests"
)
_STYLE = (
    "changes the system prompt's form, not its rules; it tests how a model reads "
    "instructions, which a scripted agent does not"
)
_DESCRIPTIONS = (
    "changes what tool descriptions say or how the toolset is listed, never a name a call "
    "uses; it tests choosing tools from prose, which a scripted agent does not"
)
UNMEASURED: dict[str, str] = {
    "paraphrased_descriptions": _DESCRIPTIONS,
    "removed_descriptions": _DESCRIPTIONS,
    "removed_parameter_descriptions": _DESCRIPTIONS,
    "reordered_tools": _DESCRIPTIONS,
    "distractor_tools": (
        "adds look-alike tools beside the real ones, which keep their names: an agent that "
        "knows the name it wants is never misled; it tests picking among similar names"
    ),
    "loosened_types": (
        "widens what the tools accept and still accepts the clean forms: an agent using the "
        "clean API cannot fail; it tests reading a looser schema"
    ),
    "casing_noise": _PROSE,
    "irrelevant_context": _PROSE,
    "paraphrase": _PROSE,
    "punctuation_noise": _PROSE,
    "typos": _PROSE,
    "markdown_style": _STYLE,
    "persona_variant": _STYLE,
    "reordered_sections": _STYLE,
    "rule_variants": _STYLE,
    "verbosity": _STYLE,
    "distractor_records": (
        "adds records only beside those the request names: an agent that looks up what it was "
        "asked about never meets them; they add context to read past, which tests a model"
    ),
    "larger_world": (
        "makes listings and searches longer: a scripted agent reads any length alike; it tests "
        "long-context reading"
    ),
    "reordered_listings": (
        "reorders rows of listings without a documented order: every plan reads them by "
        "content, so order cannot matter to it; it tests assuming an order"
    ),
    "validation_wording": (
        "rewords validation errors, which only a call with invalid arguments meets; the "
        "probes repair calls from the toolset, not from an error's words"
    ),
    "permanent_outage": (
        "destructive: the episode is unsolvable for every agent (evaluation reports it apart)"
    ),
    "permission_denied": (
        "destructive: the episode is unsolvable for every agent (evaluation reports it apart)"
    ),
}
"""Fault types no scripted agent can show measuring, by design, with the reason for each."""


def make_probe(name: str, env: gym.Env, seed: int = 0) -> Agent:
    """A fresh probe agent called ``name`` (one of :data:`PROBES`) for ``env``."""
    try:
        probe = PROBES[name]
    except KeyError:
        raise ValueError(f"unknown probe {name!r}; choose from {', '.join(PROBES)}") from None
    return probe.build(env)


def _probe_agent(env: gym.Env, seed: int, skill: str, options: dict[str, Any]) -> Agent:
    return make_probe(skill, env, seed)


PROBE_AGENT = AgentEntry(_probe_agent, takes="SKILL", choices=tuple(PROBES))
"""``probe:SKILL`` for :func:`toolgym.agents.factory.make_agent` (``toolgym eval --agent
probe:no_retry``): the probe already speaks a raw-text env's format."""


def probe_factory(name: str) -> Callable[[gym.Env, int], Agent]:
    """An agent factory for :func:`toolgym.evaluation.run_episodes` (picklable)."""
    if name not in PROBES:
        raise ValueError(f"unknown probe {name!r}; choose from {', '.join(PROBES)}")
    return partial(make_probe, name)
