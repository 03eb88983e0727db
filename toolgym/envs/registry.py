"""Environment ids: which suite each ``toolgym/Name-v0`` stands for, and how it is built."""

from __future__ import annotations

import importlib
from typing import Any

import gymnasium as gym

from toolgym.core.env import ToolEnv
from toolgym.core.task import TaskSuite
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.wrappers.text_actions import TextActions

__all__ = ["SUITES", "env_ids", "make_env", "register_envs", "suite"]

# Name in the id -> "module:attribute" of its suite, imported only when first used.
SUITES: dict[str, str] = {
    "Retail": "toolgym.envs.retail:SUITE",
    "Bank": "toolgym.envs.bank:SUITE",
    "Calendar": "toolgym.envs.calendar:SUITE",
    "Filesystem": "toolgym.envs.filesystem:SUITE",
    "Python": "toolgym.envs.python:SUITE",
    "Codebase": "toolgym.envs.codebase:SUITE",
    "Search": "toolgym.envs.search:SUITE",
    "Web": "toolgym.envs.web:SUITE",
    "Workspace": "toolgym.envs.workspace:SUITE",
}


def suite(name: str) -> TaskSuite:
    """The suite behind ``toolgym/<name>-v0``."""
    try:
        target = SUITES[name]
    except KeyError:
        raise ValueError(f"unknown suite {name!r}; known: {sorted(SUITES)}") from None
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


def make_env(suite_name: str, *, faults: Any = None, format: Any = None, **kwargs: Any) -> gym.Env:
    """The entry point behind every registered id (``gym.make`` passes its kwargs here).

    ``faults`` is a :class:`~toolgym.faults.FaultPlan`, a preset name (``"medium"``), a path to
    a YAML or JSON plan, a mapping or a list of faults; the env gets its own pipeline for it.
    ``format`` (a tool-call format name, or several to draw one per episode) makes the env
    take raw completion strings, through :class:`~toolgym.wrappers.TextActions`.
    """
    plan = FaultPlan.resolve(faults)
    if plan is not None and plan.faults:
        kwargs["interceptors"] = [*kwargs.get("interceptors", ()), FaultPipeline(plan)]
    env = ToolEnv(suite(suite_name), **kwargs)
    if format is not None:
        return TextActions(env, format=format)
    return env


def env_ids() -> list[str]:
    return [f"toolgym/{name}-v0" for name in SUITES]


def register_envs() -> None:
    """Register every suite with Gymnasium (idempotent)."""
    for name in SUITES:
        env_id = f"toolgym/{name}-v0"
        if env_id not in gym.registry:
            gym.register(
                id=env_id,
                entry_point="toolgym.envs.registry:make_env",
                kwargs={"suite_name": name},
            )
