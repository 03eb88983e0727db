"""What several axes share: the plan's dry run, the value codec, and tool-name mentions.

- :func:`plan_calls` runs the task's plan once against the (already perturbed) world and rolls
  it back, so a fault can tell a tool the task needs from one it does not; :func:`plan_trace`
  keeps the results and the answer too, and :func:`calls_ahead` follows the agent through the
  plan, so a mid-episode fault can aim at what the rest of the task still needs.
- :class:`ValueCodec` is the value-level half of the fault layer's routing: when a world fault
  changes how ids or dates look, results are rewritten to the new form on the way out and
  arguments back to the canonical form on the way in, so the journaled world, the plan and the
  checker never change. Like a migrated API, it rejects an argument still in the old form.
- :func:`rename_mentions` keeps prose that names a tool (descriptions, error hints) in step
  with the view after a rename.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolgym.core.codec import CODEC_KEY, ValueCodec, codec_of, map_strings
from toolgym.core.episode import Episode, Invocation
from toolgym.core.errors import ToolError
from toolgym.core.task import run_plan
from toolgym.core.view import ToolEntry, ToolView

__all__ = [
    "CODEC_KEY",
    "STREAK_KEY",
    "PlanTrace",
    "ValueCodec",
    "calls_ahead",
    "canonical_entries",
    "codec_of",
    "free_name",
    "map_strings",
    "mutates",
    "plan_calls",
    "plan_completes",
    "plan_depends",
    "plan_trace",
    "rename_mentions",
    "track_progress",
    "translate_error",
]

STREAK_KEY = "faults.streak"  # tool -> injected retryable failures in a row
_PLAN_CALLS_KEY = "faults.plan_calls"
_PROGRESS_KEY = "faults.plan_progress"  # [last invocation seen, plan calls made]


def canonical_entries(view: ToolView) -> list[ToolEntry]:
    """Entries that reach a real tool (not distractors, ``ask_user`` or ``read_more``)."""
    return [e for e in view.entries if e.target is not None]


def mutates(episode: Episode, entry: ToolEntry) -> bool:
    """Whether the entry's canonical tool changes the world (view-only tools count as yes)."""
    tool = episode.world.tools.get(entry.target) if entry.target is not None else None
    return tool is None or tool.mutates


@dataclass(frozen=True, slots=True)
class PlanTrace:
    """What the task's plan does on the current world: its canonical calls (tool and
    arguments), what each returned (``None`` for an error), and the text of its answer."""

    calls: tuple[tuple[str, dict[str, Any]], ...]
    results: tuple[Any, ...]
    answer: str


def plan_trace(episode: Episode) -> PlanTrace:
    """The plan's dry run on the current world, which is left as found.

    Computed once per episode, on first use, after the world faults (which run first). Only
    at reset: once the agent has acted, the dry run would replay the task over its work.
    """
    cached = episode.scratch.get(_PLAN_CALLS_KEY)
    if cached is not None:
        return cached
    calls: list[tuple[str, dict[str, Any]]] = []
    results: list[Any] = []

    def tracer(name: str, tool: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        def run(arguments: dict[str, Any]) -> Any:
            calls.append((name, dict(arguments)))
            results.append(None)
            results[-1] = tool(arguments)
            return results[-1]

        return run

    traced = {name: tracer(name, tool) for name, tool in episode.world.tools.items()}
    answer = ""
    with contextlib.suppress(Exception):  # the env's reference run reports a broken plan
        answer = _dry_run(episode, traced)
    trace = PlanTrace(tuple(calls), tuple(results), answer)
    episode.scratch[_PLAN_CALLS_KEY] = trace
    return trace


def plan_depends(episode: Episode, k: int, changed: Any) -> bool:
    """Whether the plan would act otherwise (other calls after its ``k``-th, another answer)
    if its ``k``-th call had returned ``changed``: whether the plan reads what changed. The
    world is left as found; at reset only, as :func:`plan_trace`."""
    trace = plan_trace(episode)
    calls: list[tuple[str, dict[str, Any]]] = []

    def tracer(name: str, tool: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        def run(arguments: dict[str, Any]) -> Any:
            calls.append((name, dict(arguments)))
            result = tool(arguments)
            return changed if len(calls) == k + 1 else result

        return run

    traced = {name: tracer(name, tool) for name, tool in episode.world.tools.items()}
    try:
        answer = _dry_run(episode, traced)
    except Exception:  # the plan fails on the changed value: it depends on it
        return True
    return answer != trace.answer or tuple(calls) != trace.calls


def _dry_run(episode: Episode, tools: dict[str, Any]) -> str:
    """The plan's answer on ``tools``, the world left as found. Toolkits rehearse, as in the
    env's reference run: work whose result no plan acts on (a test run) is skipped."""
    mark = episode.world.snapshot()
    for toolkit in episode.world.toolkits:
        toolkit.rehearsing = True
    try:
        return run_plan(episode.task.plan, tools)[0].text  # type: ignore[arg-type]
    finally:
        for toolkit in episode.world.toolkits:
            toolkit.rehearsing = False
        episode.world.restore(mark)


def plan_calls(episode: Episode) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The canonical calls the task's plan makes on the current world (see :func:`plan_trace`)."""
    return plan_trace(episode).calls


def track_progress(episode: Episode, invocation: Invocation) -> None:
    """Move the episode's place in the plan past ``invocation`` if it went through and is the
    plan's next call (by tool). Any fault may call it after a call; each call counts once."""
    progress = episode.scratch.setdefault(_PROGRESS_KEY, [None, 0])
    if progress[0] is invocation:
        return
    progress[0] = invocation
    if not invocation.ran or invocation.error is not None:
        return
    calls = plan_calls(episode)
    done = progress[1]
    if done < len(calls) and calls[done][0] == invocation.entry.target:
        progress[1] = done + 1


def calls_ahead(episode: Episode) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The plan's calls the agent has not made yet, as far as :func:`track_progress` saw."""
    progress = episode.scratch.get(_PROGRESS_KEY)
    return plan_calls(episode)[progress[1] if progress else 0 :]


def plan_completes(episode: Episode) -> bool:
    """Whether the task's plan still runs to the end on the current world (left as found).

    World faults check it after they change the world and undo what they did if not: a new
    record must never make the task impossible (a room it books now taken, say).
    """
    mark = episode.world.snapshot()
    try:
        run_plan(episode.task.plan, episode.world.tools)
    except Exception:
        return False
    finally:
        episode.world.restore(mark)
    return True


def free_name(view: ToolView, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``, ...: the first name no tool of the view has."""
    name, n = base, 1
    while view.find(name) is not None or name in view.retired:
        n += 1
        name = f"{base}_{n}"
    return name


def rename_mentions(text: str, renames: dict[str, str]) -> str:
    """``text`` with identifier-like tool names (those with an underscore) renamed.

    Names without an underscore (``calculate``) are left alone: they are ordinary words too.
    """
    names = [n for n in renames if "_" in n and n in text]
    if not names:
        return text
    pattern = re.compile(
        r"(?<![\w])("
        + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        + r")(?![\w])"
    )
    return pattern.sub(lambda m: renames[m.group(1)], text)


def translate_error(error: ToolError, fn: Callable[[str], str]) -> ToolError:
    """A copy of ``error`` with ``fn`` applied to its message and string details."""
    message = fn(error.message)
    details = map_strings(error.details, fn) if error.details else None
    if message == error.message and details == (error.details or None):
        return error
    return ToolError(error.code, message, retryable=error.retryable, details=details)
