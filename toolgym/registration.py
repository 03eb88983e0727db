"""How every ``toolgym/Name-v0`` id is built: the suite's env, its faults, its tool-call format.

The composition root: the one module that puts envs, faults and wrappers together, so none of
them needs to know about the others (see the layers in docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from toolgym.core.env import ToolEnv
from toolgym.envs.registry import SUITES, suite
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.wrappers.text_actions import TextActions

__all__ = ["make_env", "register_envs"]


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


def register_envs() -> None:
    """Register every suite with Gymnasium (idempotent)."""
    for name in SUITES:
        env_id = f"toolgym/{name}-v0"
        if env_id not in gym.registry:
            gym.register(
                id=env_id,
                entry_point="toolgym.registration:make_env",
                kwargs={"suite_name": name},
            )
