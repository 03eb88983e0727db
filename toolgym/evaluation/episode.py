"""One evaluation episode: what to run (a spec), how to build it, and the record it leaves.

A record is a JSON object that depends only on the spec and the agent's replies: no clock, no
host, no process id. The same spec run anywhere (this machine's process pool, a Ray actor)
gives the same bytes, so runs can be compared and merged line by line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from toolgym.agents.factory import agent_entry, make_agent
from toolgym.core.rollout import Agent, EpisodeResult, run_episode

__all__ = [
    "CLEAN",
    "AgentFactory",
    "EpisodeError",
    "EpisodeSpec",
    "Settings",
    "Workbench",
    "episode_record",
    "episodes_per_call",
    "fault_plans",
    "make_eval_env",
    "play_episode",
]

CLEAN = "none"
"""The preset name of an unperturbed episode: every perturbed episode has a clean twin."""

AgentFactory = Callable[[gym.Env, int], Agent]
"""Builds a fresh agent for an episode from its environment and the agent's seed (what
``Settings.agent`` names otherwise; the records still carry that name)."""


@dataclass(frozen=True)
class EpisodeSpec:
    """Which episode to run: the env, the fault preset (or plan label), the task seed, the trial.

    Two specs that differ only in ``faults`` pose the same task: that pair is a counterfactual
    twin, so a robustness gap compares the same tasks rather than different samples.
    """

    env: str
    seed: int
    faults: str
    trial: int = 0

    @property
    def key(self) -> str:
        """The episode's identity in a run directory (what a resumed run skips)."""
        return record_key(self.env, self.faults, self.seed, self.trial)

    @property
    def twin(self) -> EpisodeSpec:
        """The clean episode on the same task and trial."""
        return EpisodeSpec(self.env, self.seed, CLEAN, self.trial)


def record_key(env: str, faults: str, seed: int, trial: int) -> str:
    return f"{env}|{faults}|{seed}|{trial}"


@dataclass(frozen=True)
class Settings:
    """What is the same for every episode of a run: the agent and how episodes are built.

    ``plans`` maps a fault label to where its plan comes from (a preset name or a plan file);
    ``agent_options`` go to the agent's constructor (base URL, sampling parameters, ...).
    """

    agent: str = "oracle"
    max_turns: int = 30
    format: str | None = None
    plans: Mapping[str, str] = field(default_factory=dict)
    agent_options: Mapping[str, Any] = field(default_factory=dict)


def fault_plans(sources: Sequence[str], *, clean: bool = False) -> dict[str, str]:
    """Each fault source (a preset name or a plan file) by the label records carry.

    A preset goes by its name; a file by the plan's ``name`` or else the file's stem. Each source
    is checked here, in the calling process, so a typo fails before any episode runs.
    ``clean=True`` puts the clean preset first even if not given.
    """
    plans = {CLEAN: CLEAN} if clean else {}
    for source in sources:
        label = _label(source)
        if plans.get(label, source) != source:
            raise ValueError(
                f"two fault plans are both called {label!r} ({plans[label]!r} and {source!r}); "
                "give one a different name"
            )
        plans[label] = source
    return plans


def _label(source: str) -> str:
    if source == CLEAN:
        return CLEAN
    is_file = source.lower().endswith((".yaml", ".yml", ".json"))
    if is_file and not Path(source).is_file():
        raise ValueError(f"fault plan file {source!r} does not exist")
    from toolgym.faults import FaultPlan, presets

    if is_file:
        name = FaultPlan.load(source).name
        return Path(source).stem if name in ("custom", CLEAN) else name
    if source not in presets():
        raise ValueError(
            f"unknown fault preset {source!r}; choose from {presets()} or give a YAML/JSON "
            "plan file"
        )
    return source


def make_eval_env(
    env_id: str, faults: str = CLEAN, *, format: str | None = None, max_turns: int = 30
) -> gym.Env:
    """The environment an episode runs in: ``faults`` is a preset name or a plan file path.

    A clean episode is built without any fault machinery, so it matches ``gym.make(env_id)``.
    """
    kwargs: dict[str, Any] = {"max_turns": max_turns}
    if faults != CLEAN:
        kwargs["faults"] = faults
    env = gym.make(env_id, **kwargs)
    if format is not None:
        from toolgym.wrappers import TextActions

        env = TextActions(env, format=format)
    return env


class Workbench:
    """Runs episodes in one process, keeping one environment per (env, faults) built.

    Worlds are built once per environment and rolled back at each reset, so reusing the env
    across episodes is what keeps an evaluation cheap. ``agent_factory`` replaces the agent
    ``settings.agent`` names (a policy of the caller's own); records still carry that name.
    """

    def __init__(self, settings: Settings, agent_factory: AgentFactory | None = None) -> None:
        self.settings = settings
        self.agent_factory = agent_factory
        self._envs: dict[tuple[str, str], gym.Env] = {}

    def env(self, env_id: str, faults: str) -> gym.Env:
        env = self._envs.get((env_id, faults))
        if env is None:
            source = self.settings.plans.get(faults, faults)
            env = make_eval_env(
                env_id,
                source,
                format=self.settings.format,
                max_turns=self.settings.max_turns,
            )
            self._envs[(env_id, faults)] = env
        return env

    def run(self, spec: EpisodeSpec) -> dict[str, Any]:
        """Play ``spec`` and return its record (exceptions of the agent propagate)."""
        env = self.env(spec.env, spec.faults)
        if self.agent_factory is not None:
            agent = self.agent_factory(env, agent_seed(spec))
        else:
            agent = make_agent(
                self.settings.agent,
                env,
                seed=agent_seed(spec),
                options=self.settings.agent_options,
            )
        result = run_episode(env, agent, seed=spec.seed)
        return episode_record(spec, self.settings, result)

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()


def agent_seed(spec: EpisodeSpec) -> int:
    """The agent's own seed: fixed by task and trial, the same for an episode and its twin."""
    state = np.random.SeedSequence([spec.seed, spec.trial, 0x61676E74]).generate_state(1)
    return int(state[0])


def episode_record(spec: EpisodeSpec, settings: Settings, result: EpisodeResult) -> dict[str, Any]:
    """The JSON-able record of one finished episode (see the module docstring)."""
    messages = [message.to_openai() for message in result.history]
    statuses = [list(info["parse_status"]) for info in result.infos[1:]]
    return {
        "key": spec.key,
        "env": spec.env,
        "agent": settings.agent,
        "faults": spec.faults,
        "format": result.infos[0].get("format", settings.format),
        "seed": spec.seed,
        "trial": spec.trial,
        "task_id": result.task_id,
        "family": result.infos[0]["family"],
        "difficulty": result.infos[0]["difficulty"],
        "success": result.success,
        "reward": result.reward,
        "solvable": result.solvable,
        "terminated": result.terminated,
        "truncated": result.truncated,
        "turns": result.turns,
        "tool_calls": result.tool_calls,
        "tool_errors": sum(_is_error(m) for m in messages if m["role"] == "tool"),
        "parse_errors": sum(s != "ok" for step in statuses for s in step),
        "checks": dict(result.checks),
        "fault_events": [dict(event) for event in result.faults],
        "parse_status": statuses,
        "messages": messages,
    }


def _is_error(message: Mapping[str, Any]) -> bool:
    """Whether a tool message carries an error body (``{"error": {...}}``)."""
    content = message.get("content") or ""
    if '"error"' not in content:
        return False
    try:
        data = json.loads(content)
    except ValueError:
        return False
    return isinstance(data, dict) and "error" in data


@dataclass(frozen=True)
class EpisodeError:
    """An episode that raised instead of finishing: not recorded, so a rerun tries it again."""

    key: str
    message: str
    fatal: bool = False


def play_episode(bench: Workbench, spec: EpisodeSpec) -> dict[str, Any] | EpisodeError:
    """``spec``'s record, or the error it raised (what every backend's workers run)."""
    try:
        return bench.run(spec)
    except Exception as exc:  # reported per episode; the run decides whether to go on
        message = f"{spec.key}: {type(exc).__name__}: {exc}"
        return EpisodeError(spec.key, message, fatal=bool(getattr(exc, "fatal", False)))


def episodes_per_call(
    settings: Settings, count: int, workers: int, agent_factory: AgentFactory | None = None
) -> int:
    """How many episodes to hand a worker at once. A scripted agent's episode takes a few
    milliseconds, so sending them one by one spends a good part of the run on messages; in
    batches of up to 8 both workers stay busy (a few batches each remain to balance the end).
    A model's episode takes seconds: one at a time keeps results streaming and the load even."""
    if agent_factory is not None or not agent_entry(settings.agent).scripted:
        return 1
    return max(1, min(8, count // (workers * 16)))
