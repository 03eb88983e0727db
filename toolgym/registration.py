"""How every ``toolgym/Name-v0`` id is built: the suite's env, its faults, its tool-call format.

The composition root: the one module that puts envs, faults and wrappers together, so none of
them needs to know about the others (see the layers in docs/architecture.md).
"""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym

from toolgym.core.env import ToolEnv
from toolgym.core.task import TaskSuite
from toolgym.envs.registry import SUITES, suite
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.wrappers.text_actions import TextActions

__all__ = ["SUITES_VARIABLE", "make_env", "register_envs", "register_suite"]


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


SUITES_VARIABLE = "TOOLGYM_SUITES"
"""Suites of your own that every process registers on ``import toolgym``, as
``Name=module:attr`` entries separated by commas: how evaluation workers and Ray actors learn
of a suite the parent registered (:func:`register_suite` sets it)."""


def register_envs() -> None:
    """Register every suite with Gymnasium (idempotent), and those named in ``TOOLGYM_SUITES``."""
    for entry in filter(None, os.environ.get(SUITES_VARIABLE, "").split(",")):
        name, _, target = entry.partition("=")
        if name.strip() and name.strip() not in SUITES:
            SUITES.register(name.strip(), target.strip())
    for name in SUITES:
        env_id = f"toolgym/{name}-v0"
        if env_id not in gym.registry:
            gym.register(
                id=env_id,
                entry_point="toolgym.registration:make_env",
                kwargs={"suite_name": name},
            )


def register_suite(name: str, target: str | TaskSuite, *, replace: bool = False) -> str:
    """Add a suite of your own as ``toolgym/<name>-v0`` and return that id.

    ``target`` is the suite or, better, its ``"module:attr"``: imported when first made, and
    passed on (``TOOLGYM_SUITES``) to the processes this one starts, so an evaluation's workers
    and Ray actors started afterwards know it too. From then on it is a gym id
    like the built-in ones: ``toolgym.env_ids()`` lists it, faults and formats apply to it, and
    the contract tests (``tests/envs``) run on it.
    """
    SUITES.register(name, target, replace=replace)
    if isinstance(target, str):
        entries = [e for e in os.environ.get(SUITES_VARIABLE, "").split(",") if e]
        entries = [e for e in entries if e.partition("=")[0] != name] + [f"{name}={target}"]
        os.environ[SUITES_VARIABLE] = ",".join(entries)
    env_id = f"toolgym/{name}-v0"
    if replace and env_id in gym.registry:
        del gym.registry[env_id]
    register_envs()
    return env_id
