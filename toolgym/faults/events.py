"""World events: the world changes while the agent works, as other actors would change it.

An order ships, a card purchase posts, a meeting moves, a colleague edits a file: each toolkit
proposes such changes (:meth:`~toolgym.core.tool.Toolkit.world_events`) about the records the
task's plan reads. At reset the fault keeps one that matters (the task's outcome on the changed
world differs from the clean one's, and the plan still completes there), and schedules it for
right after the agent's call that first reads what changes, before any write of the plan. When
that call has run, and only if the agent has written nothing yet, the change happens, a
``Notification:`` message says so, and the checker follows the new truth (the reference run on
the changed world). An agent that acts on what it read before the event fails; one that reads
again succeeds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from toolgym.core.episode import Episode, Invocation
from toolgym.core.errors import ToolError
from toolgym.core.grading import judge
from toolgym.core.state import Change
from toolgym.core.task import Answer, Reference, run_plan
from toolgym.core.tool import Toolkit, WorldEvent
from toolgym.faults.base import Fault, FaultContext
from toolgym.faults.support import codec_of

__all__ = ["WorldEvents"]


@dataclass(frozen=True)
class _Run:
    """What the plan called, read (each result as JSON text), answered and changed."""

    calls: tuple[tuple[str, dict[str, Any]], ...]
    results: tuple[str, ...]
    writes: tuple[bool, ...]
    answer: Answer
    changes: tuple[Change, ...]


def _net(changes: tuple[Change, ...] | list[Change]) -> dict[tuple[str, str], Any]:
    return {(table, key): after for table, key, _, after in changes}


def _trace(episode: Episode, event: WorldEvent | None = None, after: int = 0) -> _Run | None:
    """The plan run on the current world, which is left as found, with ``event`` happening
    after its ``after``-th call (0: before it starts); ``None`` if the plan does not complete.
    With ``after`` > 0 this is the agent that ignores the event: what it read before stays."""
    world = episode.world
    calls: list[tuple[str, dict[str, Any]]] = []
    results: list[str] = []
    writes: list[bool] = []

    def traced(name: str, tool: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        def run(arguments: dict[str, Any]) -> Any:
            calls.append((name, dict(arguments)))
            writes.append(bool(getattr(tool, "mutates", False)))
            try:
                value = tool(arguments)
            except ToolError as err:
                results.append(json.dumps(err.to_payload(), sort_keys=True))
                raise
            finally:
                if event is not None and len(calls) == after:
                    event.apply()
            results.append(json.dumps(value, sort_keys=True, default=str))
            return value

        return run

    mark = world.snapshot()
    try:
        if event is not None and after == 0:
            event.apply()
        tools = {name: traced(name, tool) for name, tool in world.tools.items()}
        answer, _ = run_plan(episode.task.plan, tools)  # type: ignore[arg-type]
        changes = tuple(world.changes_since(mark))
    except Exception:
        return None
    finally:
        world.restore(mark)
    return _Run(tuple(calls), tuple(results), tuple(writes), answer, changes)


def _fooled(stale: _Run | None, truth: _Run) -> bool:
    """Whether the agent that ignored the event fails the new truth's checker."""
    if stale is None:
        return True
    if _net(stale.changes) != _net(truth.changes):
        return True
    verdict, _ = judge(stale.answer.text, truth.answer.expect, truth.answer.distractors)
    return not all(verdict.values())


def _proposes(toolkit: Toolkit) -> bool:
    return type(toolkit).world_events is not Toolkit.world_events


class WorldEvents(Fault):
    """Another actor changes what the task is about mid-episode (an order ships, a charge
    posts, a meeting moves, a file is edited), right after the agent read it and before it
    wrote anything; a notification says so and the checker follows the new truth."""

    name: ClassVar = "world_event"
    axis: ClassVar = "world"
    hook: ClassVar = "world"
    stage: ClassVar = "reset"
    order: ClassVar = 90  # after every other world fault: the event is about the final world

    candidates: int = Field(10, ge=1, le=30, description="How many proposed changes to try.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        episode = ctx.episode
        toolkits = [tk for tk in episode.world.toolkits if _proposes(tk)]
        if not toolkits:
            return
        clean = _trace(episode)
        if clean is None:
            return
        reads = clean.writes.index(True) if True in clean.writes else len(clean.writes)
        if reads == 0:
            return
        seen = "\n".join(clean.results[:reads])
        rng = np.random.default_rng(ctx.integers(2**31))
        proposed = [event for tk in toolkits for event in tk.world_events(rng, seen)]
        for event in ctx.sample(proposed, self.candidates):
            changed = _trace(episode, event)
            if changed is None:
                continue
            differs = [
                i
                for i in range(min(reads, len(changed.results)))
                if changed.results[i] != clean.results[i]
            ]
            if not differs or any(changed.writes[: differs[-1] + 1]):
                continue
            after = differs[-1] + 1  # the last read that shows the change, counted from 1
            if not _fooled(_trace(episode, event, after), changed):
                continue  # an agent that ignores it would still be right: it tests nothing
            ctx.memory.update(
                event=event,
                after=after,
                reference=Reference(changed.changes, changed.answer, len(changed.results)),
                calls=0,
            )
            ctx.record(event.target, f"planned after call {after}: {event.notice}")
            return

    def follow_result(self, ctx: FaultContext, invocation: Invocation) -> None:
        memory = ctx.memory
        event = memory.get("event")
        if event is None or memory.get("done"):
            return
        if invocation.entry.target is None or not invocation.ran:
            return  # counted like the plan's reads: calls that reached the service
        memory["calls"] += 1
        if memory["calls"] < memory["after"]:
            return
        memory["done"] = True
        episode = ctx.episode
        if episode.world.changes_since(episode.start):
            return  # the agent already acted on the old world: the event comes too late
        event.apply()
        episode.reference = memory["reference"]
        codec = codec_of(episode)
        notice = codec.visible_text(event.notice) if codec is not None else event.notice
        episode.notices.append(notice)
        ctx.record(event.target, "happened: " + event.notice)
