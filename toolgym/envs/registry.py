"""Environment ids: which suite each ``toolgym/Name-v0`` stands for.

How an id is *built* (faults, formats, wrappers around the suite's env) is the layer above's:
:mod:`toolgym.registration`.
"""

from __future__ import annotations

import importlib

from toolgym.core.task import TaskSuite

__all__ = ["SUITES", "env_ids", "suite"]

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


def env_ids() -> list[str]:
    return [f"toolgym/{name}-v0" for name in SUITES]
