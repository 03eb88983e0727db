"""The world behind ``toolgym/Workspace-v0``: every toolkit at once, each from its own seed.

Each toolkit is built by its own suite's builder from a seed that numpy's ``SeedSequence``
spawns from the world seed, so the bank of a workspace is a bank some ``Bank-v0`` world could
have, and adding a toolkit at the end never changes the ones before it. Tool names must be
distinct across toolkits: :class:`~toolgym.core.task.World` refuses a collision.

The Python interpreter is part of the world too. Its sandbox starts no process until
``run_python`` is first called, and rolling back an interpreter nobody used only rewrites an
empty working directory, so it costs a reset next to nothing; only episodes that run code pay
for a fresh interpreter (started in the background, as in ``Python-v0``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from toolgym.core.task import World
from toolgym.core.tool import Toolkit
from toolgym.envs.filesystem_world import build_workspace
from toolgym.toolkits.apis.bank import BankAPI, build_bank
from toolgym.toolkits.apis.calendar import CalendarAPI, build_calendar
from toolgym.toolkits.apis.retail import RetailAPI, build_retail
from toolgym.toolkits.filesystem import FileSystem
from toolgym.toolkits.python import PythonToolkit
from toolgym.toolkits.search import SearchEngine, build_search
from toolgym.toolkits.web import Browser, build_web

__all__ = ["BUILDERS", "Workspace", "build_toolkits", "toolkit_seeds"]

# Toolkit name -> its builder of (seed, size). New toolkits go at the end: seeds are spawned
# by position, so appending one leaves every existing toolkit of a world as it was.
BUILDERS: dict[str, Callable[[int, str], Toolkit]] = {
    "retail": build_retail,
    "bank": build_bank,
    "calendar": build_calendar,
    "filesystem": build_workspace,
    "search": build_search,
    "web": build_web,
}


def toolkit_seeds(seed: int) -> dict[str, int]:
    """The seed of each generated toolkit, spawned from the world seed."""
    children = np.random.SeedSequence(seed).spawn(len(BUILDERS))
    return {
        name: int(child.generate_state(1)[0])
        for name, child in zip(BUILDERS, children, strict=True)
    }


def build_toolkits(seed: int, size: str) -> list[Toolkit]:
    """Every toolkit of the workspace world of ``seed``, the interpreter last."""
    seeds = toolkit_seeds(seed)
    toolkits = [build(seeds[name], size) for name, build in BUILDERS.items()]
    return [*toolkits, PythonToolkit()]


@dataclass(frozen=True)
class Workspace:
    """Typed access to the toolkits of one workspace world, for task families."""

    world: World
    retail: RetailAPI
    bank: BankAPI
    calendar: CalendarAPI
    fs: FileSystem
    search: SearchEngine
    web: Browser
    python: PythonToolkit

    @classmethod
    def of(cls, world: World) -> Workspace:
        found = getattr(world, "_workspace", None)
        if found is None:
            get = world.toolkit
            found = cls(
                world,
                get("retail"),
                get("bank"),
                get("calendar"),
                get("filesystem"),
                get("search"),
                get("web"),
                get("python"),
            )
            world._workspace = found  # type: ignore[attr-defined]
        return found

    def run(self, tool: str, **arguments: Any) -> Any:
        """Call a read-only tool while generating a task (the clean world, as agents see it)."""
        found = self.world.tools[tool]
        if found.mutates:
            raise ValueError(f"{tool} changes the world; task generation only reads")
        return found(arguments)
