"""Environment ids: which suite each ``toolgym/Name-v0`` stands for.

How an id is *built* (faults, formats, wrappers around the suite's env) is the layer above's:
:mod:`toolgym.registration`.
"""

from __future__ import annotations

from toolgym.core.registry import Registry
from toolgym.core.task import TaskSuite

__all__ = ["SUITES", "env_ids", "suite"]

# Name in the id -> "module:attribute" of its suite, imported only when first used. A suite of
# your own joins with ``toolgym.register_suite`` (it then gets a gym id and every contract test).
SUITES: Registry[TaskSuite] = Registry("env suite")
for _name in ("Retail", "Bank", "Calendar", "Filesystem", "Python", "Codebase", "Search", "Web",
              "Workspace"):  # fmt: skip
    SUITES.register(_name, f"toolgym.envs.{_name.lower()}:SUITE")


def suite(name: str) -> TaskSuite:
    """The suite behind ``toolgym/<name>-v0``."""
    return SUITES.get(name)


def env_ids() -> list[str]:
    return [f"toolgym/{name}-v0" for name in SUITES]
