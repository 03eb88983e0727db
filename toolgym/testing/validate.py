"""``toolgym validate``: does every fault measure something? The sensitivity matrix.

For one environment, the oracle and each probe agent (:mod:`toolgym.testing.probes`) play the
same task seeds clean, under each fault type alone at probability 1, and under each axis
preset. A fault measures a skill when the probe lacking it loses and the oracle does not; the
matrix shows every agent's success rate per column, its drop from the clean rate and a Wilson
95% interval, so a fault that nobody loses on, or that the oracle loses on, stands out.

>>> from toolgym.testing.validate import ValidateConfig, validate
>>> config = ValidateConfig("toolgym/Retail-v0", seeds=2, faults=["timeout"], axes=False)
>>> matrix = validate(config)
>>> matrix.cell("no_retry", "timeout").drop, matrix.cell("oracle", "timeout").drop
(1.0, 0.0)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym

from toolgym.core.rollout import run_episode
from toolgym.envs.registry import env_ids
from toolgym.evaluation.metrics import wilson_interval
from toolgym.faults import AXES, FaultPlan, get, names
from toolgym.testing.probes import FAULT_PROBES, PROBES, UNMEASURED, make_probe

__all__ = [
    "CLEAN",
    "Cell",
    "Matrix",
    "ValidateConfig",
    "default_envs",
    "is_sandboxed",
    "overview",
    "planned_cells",
    "validate",
]

CLEAN = "none"
TEXT_FORMAT = "hermes"
"""The format scaffold faults start from: they need the raw-text interface to change it."""


def is_sandboxed(env_id: str) -> bool:
    """Whether ``env_id`` runs agent code in a sandbox (slow to play many episodes on)."""
    from toolgym.toolkits.codebase import CodebaseToolkit
    from toolgym.toolkits.python import PythonToolkit

    env = gym.make(env_id)
    try:
        env.reset(seed=0)
        toolkits = env.unwrapped.episode.world.toolkits
        return any(isinstance(t, (PythonToolkit, CodebaseToolkit)) for t in toolkits)
    finally:
        env.close()


def default_envs(*, sandboxed: bool = False) -> list[str]:
    """Every registered env id, without the sandboxed ones unless asked."""
    return [e for e in env_ids() if sandboxed or not is_sandboxed(e)]


@dataclass
class ValidateConfig:
    """What to validate.

    Args:
        env: a registered environment id (a user's own included).
        seeds: task seeds ``seed .. seed + seeds - 1`` per agent and column.
        faults: fault types to run alone at probability 1 (default: every registered one).
        axes: also run each axis preset (``tools``, ``prompts``, ...) as a column.
        agents: probe names (default: every probe, the oracle first).
        max_turns: agent turns per episode.
        diagonal: under a single fault type, play only the oracle and that fault's probe (the
            cells the sensitivity claim rests on); every agent plays clean and axis presets.
    """

    env: str
    seeds: int = 10
    seed: int = 0
    faults: Sequence[str] | None = None
    axes: bool = True
    agents: Sequence[str] | None = None
    max_turns: int = 30
    diagonal: bool = False

    def __post_init__(self) -> None:
        if self.env not in env_ids():
            raise ValueError(f"unknown env {self.env!r}; choose from {env_ids()}")
        if not isinstance(self.seeds, int) or self.seeds < 1:
            raise ValueError(f"seeds must be an int >= 1, got {self.seeds!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")
        self.faults = list(names() if self.faults is None else self.faults)
        for fault in self.faults:
            get(fault)  # a ValueError naming the close match for a typo
        self.agents = list(PROBES if self.agents is None else self.agents)
        for agent in self.agents:
            if agent not in PROBES:
                raise ValueError(f"unknown probe {agent!r}; choose from {', '.join(PROBES)}")
        if "oracle" not in self.agents:
            self.agents.insert(0, "oracle")

    @property
    def columns(self) -> list[str]:
        """``none``, each fault type, then ``axis:NAME`` for each axis preset."""
        axes = [f"axis:{a}" for a in AXES] if self.axes else []
        return [CLEAN, *self.faults, *axes]  # type: ignore[misc]


def _plan(column: str) -> FaultPlan | None:
    if column == CLEAN:
        return None
    if column.startswith("axis:"):
        return FaultPlan.preset(column.removeprefix("axis:"))
    return FaultPlan(name=column, faults=[{"fault": column, "probability": 1.0}])


def _is_text(column: str) -> bool:
    """Scaffold faults change the tool-call format, which only the raw-text path has."""
    return column in ("scaffold_format", "axis:scaffold")


@dataclass(frozen=True)
class Cell:
    """One agent under one column: successes of ``n`` episodes, the clean rate, and in how
    many episodes a fault fired (one that never fires on this env measures nothing here)."""

    successes: int
    n: int
    clean: float
    fired: int = 0

    @property
    def rate(self) -> float:
        return self.successes / self.n

    @property
    def drop(self) -> float:
        """How much lower than clean (points of rate, 0..1; negative: it did better)."""
        return self.clean - self.rate

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.n)

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {
            "successes": self.successes,
            "n": self.n,
            "rate": round(self.rate, 4),
            "low": round(low, 4),
            "high": round(high, 4),
            "drop": round(self.drop, 4),
            "fired": self.fired,
        }


@dataclass
class Matrix:
    """Success per agent and column for one env; ``cells[agent][column]``."""

    env: str
    seeds: range
    agents: list[str]
    columns: list[str]
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)

    def cell(self, agent: str, column: str) -> Cell:
        return self.cells[agent][column]

    def as_dict(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "seeds": [self.seeds.start, self.seeds.stop - 1],
            "agents": self.agents,
            "columns": self.columns,
            "probe_for": {c: FAULT_PROBES[c] for c in self.columns if c in FAULT_PROBES},
            "unmeasured": {c: UNMEASURED[c] for c in self.columns if c in UNMEASURED},
            "cells": {
                agent: {column: cell.as_dict() for column, cell in row.items()}
                for agent, row in self.cells.items()
            },
        }

    def probe_of(self, column: str) -> str | None:
        """The probe a column is judged by: the fault's own, or for an axis preset the probe
        that lost most (``None`` when no probe played it)."""
        own = FAULT_PROBES.get(column)
        if own is not None or not column.startswith("axis:"):
            return own if column in self.cells.get(own or "", {}) else None
        played = [a for a in self.agents if a != "oracle" and column in self.cells[a]]
        return max(played, key=lambda a: self.cell(a, column).drop, default=None)

    def summary(self) -> list[tuple[str, str, str, str, str, str]]:
        """Per column: fault, probe, its clean and faulted rates (95% CI), its drop and the
        oracle's drop, as text."""
        rows = []
        for column in self.columns[1:]:
            oracle = _points(self.cell("oracle", column).drop)
            probe = self.probe_of(column)
            if probe is None:
                rows.append((column, "unmeasured" if column in UNMEASURED else "", "", "", "",
                             oracle))  # fmt: skip
                continue
            cell = self.cell(probe, column)
            if not cell.fired:
                rows.append((column, f"{probe} (never fired)", "", "", "", oracle))
                continue
            low, high = cell.interval
            faulted = f"{cell.rate:.0%} ({low:.0%}-{high:.0%})"
            rows.append((column, probe, f"{cell.clean:.0%}", faulted, _points(cell.drop), oracle))
        return rows

    def markdown(self) -> str:
        """Two tables: each fault with its probe's and the oracle's drop, then the matrix."""
        first, last = self.seeds.start, self.seeds.stop - 1
        lines = [
            f"### {self.env} (seeds {first}-{last})",
            "",
            "| fault | probe | probe clean | probe faulted (95% CI) | probe drop | oracle drop |",
            "|---|---|---|---|---|---|",
        ]
        for column, probe, clean, faulted, drop, oracle in self.summary():
            shown = f"`{probe}`" if probe in PROBES else probe
            lines.append(f"| `{column}` | {shown} | {clean} | {faulted} | {drop} | {oracle} |")
        lines += ["", "| column | " + " | ".join(f"`{a}`" for a in self.agents) + " |"]
        lines.append("|---|" + "---|" * len(self.agents))
        for column in self.columns:
            row = [self.cells[agent].get(column) for agent in self.agents]
            shown = [
                "" if c is None
                else f"{c.rate:.0%}" if column == CLEAN
                else f"{c.rate:.0%} ({_points(c.drop)})"
                for c in row
            ]  # fmt: skip
            lines.append(f"| `{column}` | " + " | ".join(shown) + " |")
        return "\n".join(lines) + "\n"


def _points(drop: float) -> str:
    """A drop as signed points: ``-35`` means 35 points below clean."""
    value = round(-100 * drop)
    return f"{value:+d}" if value else "0"


def validate(config: ValidateConfig, progress: Callable[[str, str], None] | None = None) -> Matrix:
    """Play every agent of ``config`` on every column and seed; ``progress(agent, column)``
    is called after each cell. One env is built per column and reused by every agent."""
    seeds = range(config.seed, config.seed + config.seeds)
    agents = list(config.agents or ())
    matrix = Matrix(config.env, seeds, agents, config.columns)
    clean: dict[str, float] = {}
    for column in config.columns:
        kwargs: dict[str, Any] = {"max_turns": config.max_turns}
        plan = _plan(column)
        if plan is not None:
            kwargs["faults"] = plan
        if _is_text(column):
            kwargs["format"] = TEXT_FORMAT
        env = gym.make(config.env, **kwargs)
        try:
            for agent in _players(config, column, agents):
                wins = fired = 0
                for seed in seeds:
                    result = run_episode(env, make_probe(agent, env), seed=seed)
                    wins += result.success
                    fired += bool(result.faults)
                if column == CLEAN:
                    clean[agent] = wins / len(seeds)
                cell = Cell(wins, len(seeds), clean[agent], fired)
                matrix.cells.setdefault(agent, {})[column] = cell
                if progress is not None:
                    progress(agent, column)
        finally:
            env.close()
    return matrix


def _players(config: ValidateConfig, column: str, agents: list[str]) -> list[str]:
    """Who plays ``column``: everyone, except that a diagonal run plays a single fault type
    only with the oracle and that fault's probe."""
    if column == CLEAN or column.startswith("axis:") or not config.diagonal:
        return agents
    return [a for a in agents if a == "oracle" or a == FAULT_PROBES.get(column)]


def planned_cells(config: ValidateConfig) -> int:
    """How many (agent, column) cells :func:`validate` plays for ``config``."""
    agents = list(config.agents or ())
    return sum(len(_players(config, column, agents)) for column in config.columns)


def overview(matrices: Sequence[Matrix]) -> str:
    """One Markdown table across envs: per column, the drop of the probe it is judged by (the
    most-hurt probe for an axis preset), ``n/f`` where the fault never fired, and the
    oracle's largest drop anywhere."""
    columns = list(dict.fromkeys(c for m in matrices for c in m.columns[1:]))
    short = [m.env.removeprefix("toolgym/").removesuffix("-v0") for m in matrices]
    lines = [
        "| fault | probe | " + " | ".join(short) + " | oracle (worst) |",
        "|---|---|" + "---|" * len(matrices) + "---|",
    ]
    for column in columns:
        probes, drops, oracle = set(), [], 0.0
        for matrix in matrices:
            if column not in matrix.columns:
                drops.append("")
                continue
            oracle = max(oracle, matrix.cell("oracle", column).drop)
            probe = matrix.probe_of(column)
            if probe is None:
                drops.append("")
                continue
            cell = matrix.cell(probe, column)
            probes.add(probe)
            shown = _points(cell.drop) if cell.fired else "n/f"
            drops.append(shown if probe == FAULT_PROBES.get(column) else f"{shown} `{probe}`")
        own = FAULT_PROBES.get(column)
        label = f"`{own}`" if own else ("unmeasured" if column in UNMEASURED else "most hurt")
        if not own and not column.startswith("axis:"):
            drops = ["" for _ in drops]
        lines.append(f"| `{column}` | {label} | " + " | ".join(drops) + f" | {_points(oracle)} |")
    return "\n".join(lines) + "\n"


def write(matrices: Sequence[Matrix], out: str | Path) -> tuple[Path, Path]:
    """``out`` (JSON, every env's matrix) and the Markdown tables beside it (``.md``): the
    overview across envs, then each env's summary and full matrix."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([m.as_dict() for m in matrices], indent=2) + "\n", "utf-8")
    markdown = path.with_suffix(".md")
    parts = [overview(matrices), *(m.markdown() for m in matrices)]
    markdown.write_text("\n".join(parts), "utf-8")
    return path, markdown
