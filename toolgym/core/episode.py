"""One episode's mutable state, and the hook points through which faults change it.

Core knows nothing of any fault: it calls an :class:`Interceptor`'s methods at fixed points
(reset, each turn, before and after each call, at the end), and an interceptor changes the
episode through the objects it is handed. Each point matches an axis of the design: ``on_reset``
may edit the world, the prompts and the toolset; ``on_turn`` may edit the toolset mid-episode;
``on_call`` may fail or alter a call; ``on_result`` may alter what the agent reads back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolgym.core.errors import ToolError
from toolgym.core.task import Reference, Task, World
from toolgym.core.view import ToolEntry, ToolView

__all__ = ["ASK_USER_KEY", "Episode", "Interceptor", "Invocation"]

ASK_USER_KEY = "faults.ask_user"
"""Where an episode keeps the name of its ``ask_user`` tool (``episode.scratch``), once a fault
added one: the agent side finds the simulated user there."""


@dataclass
class Episode:
    """Everything an episode is made of once reset has drawn a task.

    ``seed`` is the integer every random choice of this episode derives from (task, world
    variant, fault draws). ``pending_user`` holds user messages not yet delivered: when the
    agent replies without tool calls and one is pending, the user speaks again instead of the
    episode ending. ``notices`` are news of the world changing under the agent (another actor
    shipped an order, moved a meeting), delivered after the current turn's tool results.
    ``scaffolds`` names the tool-call formats the agent speaks through (set by
    the ``TextActions`` wrapper; empty for structured actions), and ``scaffold`` is the one a
    fault chose for this episode, which that wrapper then uses. ``work_checks`` (partial
    reward only) name the checks an agent that does nothing fails: the ones that earn credit.
    ``extra_turns`` is added to the env's ``max_turns``: interceptors grant a turn for each
    perturbation a careful agent may need one to recover from (a retry, a further page), so
    recovering never exhausts the budget.
    """

    seed: int
    task: Task
    world: World
    view: ToolView
    system_prompt: str
    user_prompt: str
    turn: int = 0
    pending_user: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    extra_turns: int = 0
    solvable: bool = True
    events: list[dict[str, Any]] = field(default_factory=list)
    step_events: list[dict[str, Any]] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)
    reference: Reference | None = None
    start: Any = None
    scaffolds: tuple[str, ...] = ()
    scaffold: str | None = None
    work_checks: frozenset[str] = frozenset()

    def record(self, event: dict[str, Any]) -> None:
        """Log a fault that fired: it appears in this step's ``info["faults"]`` and the record."""
        self.events.append(event)
        self.step_events.append(event)


@dataclass(slots=True)
class Invocation:
    """One tool call on its way through the pipeline.

    Before the call runs, an interceptor may set ``error`` (the call then does not run) or edit
    ``arguments`` (canonical names). After it runs, it may edit ``result`` or set ``content``,
    the exact text the agent will read (otherwise the result is rendered as JSON).
    """

    call_id: str
    name: str
    entry: ToolEntry
    arguments: dict[str, Any]
    result: Any = None
    error: ToolError | None = None
    content: str | None = None
    ran: bool = False


class Interceptor:
    """Base class for anything that changes an episode at the core's hook points."""

    def on_reset(self, episode: Episode) -> None:
        """After the task is drawn, before the reference run: world, prompts, toolset."""

    def on_turn(self, episode: Episode) -> None:
        """At the start of each agent turn, before its calls run (e.g. mid-episode drift)."""

    def on_call(self, episode: Episode, invocation: Invocation) -> None:
        """Before a resolved call runs: set ``invocation.error`` to fail it."""

    def on_result(self, episode: Episode, invocation: Invocation) -> None:
        """After a call ran (or failed): change what the agent reads."""

    def on_finish(self, episode: Episode, answer: str | None, checks: dict[str, bool]) -> None:
        """When the episode ends: may add named checks (e.g. an injection was not obeyed)."""
