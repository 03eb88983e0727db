"""Tasks: what the user wants, how a careful agent gets it done, and how success is judged.

A task carries its oracle as a *plan*: a generator that yields tool calls by their canonical
names and receives each result. The environment runs the plan once against the clean world at
reset (the reference run); the changes it makes and the answer it gives are what the checker
expects. The same plan drives :class:`~toolgym.agents.OracleAgent` through the real interface,
so every task is proven solvable by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from toolgym.core.errors import ToolError
from toolgym.core.grading import judge, literal, mentions
from toolgym.core.state import Change
from toolgym.core.tool import Tool, Toolkit

__all__ = [
    "DIFFICULTIES",
    "Answer",
    "CheckResult",
    "Plan",
    "Reference",
    "Step",
    "Task",
    "TaskFamily",
    "TaskSuite",
    "World",
    "answer_contains",
    "as_answer",
    "call",
    "run_plan",
]

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True, slots=True)
class Step:
    """One call of a plan: the canonical tool, its canonical arguments, and why."""

    tool: str
    arguments: dict[str, Any]
    thought: str = ""


def call(tool: str, thought: str = "", /, **arguments: Any) -> Step:
    """``yield call("get_order", "Check the order's status.", order_id=oid)`` in a plan."""
    return Step(tool, arguments, thought)


@dataclass(frozen=True, slots=True)
class Answer:
    """A plan's final reply, the terms a correct reply must state, and the wrong candidates
    the world holds that it must not (see :mod:`toolgym.core.grading`).

    Numbers in ``expect`` match any writing of the same value (``1,234.5``, ``$1234.50``,
    ``three``); days and times any common writing; text whole words, case- and
    whitespace-insensitively. ``distractors`` are values a careless or hedging agent would
    state: other orders' statuses, other meetings' times, the losing candidate.
    """

    text: str
    expect: tuple[str, ...] = ()
    distractors: tuple[str, ...] = ()


Plan = Callable[[], Generator[Step, Any, "Answer | str | None"]]


@dataclass(frozen=True)
class CheckResult:
    """Named sub-checks; success means all passed. ``notes`` explain the failures.

    ``guards`` name the checks an agent that does nothing passes too (no unrequested change,
    no wrong value stated, an injection not obeyed): breaking one costs partial credit,
    keeping one earns none, so :attr:`score` pays only for work.
    """

    checks: dict[str, bool]
    notes: dict[str, str] = field(default_factory=dict)
    guards: frozenset[str] = frozenset()

    @property
    def success(self) -> bool:
        return all(self.checks.values())

    @property
    def score(self) -> float:
        """The fraction of work checks passed, scaled by the fraction of guards kept."""
        work = [ok for name, ok in self.checks.items() if name not in self.guards]
        if not work:
            return float(self.success)
        kept = [ok for name, ok in self.checks.items() if name in self.guards]
        return sum(work) / len(work) * (sum(kept) / len(kept) if kept else 1.0)


@dataclass(frozen=True)
class Reference:
    """What the reference run of a task's plan did: the expected changes and answer."""

    changes: tuple[Change, ...]
    answer: Answer
    calls: int


@dataclass
class Task:
    """One episode's job, generated from a seed by a :class:`TaskFamily`.

    ``facts`` are things the user knows but may not have said (a simulated user reveals them
    when asked); ``literals`` are strings in the prompt that must survive any rewording
    verbatim (ids, emails, exact titles), which prompt faults respect.
    """

    id: str
    family: str
    difficulty: str
    system_prompt: str
    user_prompt: str
    plan: Plan
    facts: dict[str, str] = field(default_factory=dict)
    literals: tuple[str, ...] = ()
    extra_check: Callable[[World, str | None], dict[str, bool]] | None = None
    identity: tuple[str, ...] = ()

    def known_to_user(self, request: str | None = None) -> dict[str, str]:
        """What a simulated user can tell: the facts their request (``request``, by default
        the task's user prompt) states, and who they are (the ``identity`` facts), never a
        value the agent is there to find."""
        request = self.user_prompt if request is None else request
        return {
            key: value
            for key, value in self.facts.items()
            if isinstance(value, str)
            and value
            and (key in self.identity or literal(value).search(request))
        }

    def check(self, world: World, start: Any, answer: str | None, ref: Reference) -> CheckResult:
        """Compare the world's changes since ``start`` and the answer with the reference."""
        checks: dict[str, bool] = {}
        notes: dict[str, str] = {}
        want = {(t, k): after for t, k, _, after in ref.changes}
        got = {
            (t, k): _as_specified(after, want.get((t, k)))
            for t, k, _, after in world.changes_since(start)
        }
        checks["state"] = got == want
        if not checks["state"]:
            notes["state"] = _diff_note(got, want)
        # Every reply is read (a dump of raw results is no reply to a user, even after the
        # right changes); one that must state values is also checked for them.
        verdict, why = judge(
            answer,
            ref.answer.expect,
            ref.answer.distractors,
            context=(self.user_prompt, ref.answer.text),
        )
        if not ref.answer.expect:
            verdict.pop("answer")
        checks.update(verdict)
        notes.update(why)
        if self.extra_check is not None:
            checks.update(self.extra_check(world, answer))
        return CheckResult(checks, notes)


def _as_specified(got: Any, want: Any) -> Any:
    """``got`` with the free fields the task left unspecified (an optional memo) taken from
    ``want``: an agent's own note on a correct transfer is not a wrong transfer."""
    free = getattr(type(got), "free_fields", ())
    if not free or type(want) is not type(got):
        return got
    loose = {name: getattr(want, name) for name in free if not getattr(want, name)}
    return got.model_copy(update=loose) if loose else got


def _diff_note(got: dict[Any, Any], want: dict[Any, Any]) -> str:
    extra = sorted(k for k in got if k not in want)
    missing = sorted(k for k in want if k not in got)
    wrong = sorted(k for k in got if k in want and got[k] != want[k])
    parts = []
    for label, keys in (("unexpected", extra), ("missing", missing), ("wrong", wrong)):
        if keys:
            parts.append(f"{label} changes: " + ", ".join(f"{t}/{k}" for t, k in keys))
    return "; ".join(parts)


def answer_contains(answer: str | None, term: str) -> bool:
    """Whether ``answer`` states ``term``: numbers by value, text without case or spacing
    (:func:`toolgym.core.grading.mentions`).

    >>> answer_contains("Your total is $1,234.50.", "1234.5")
    True
    >>> answer_contains("Status: SHIPPED", "shipped")
    True
    >>> answer_contains("12345", "234")
    False
    """
    return mentions(answer, term)


class World:
    """The toolkits of one episode, snapshotted and diffed together."""

    def __init__(self, toolkits: Sequence[Toolkit]) -> None:
        self.origin: World | None = None  # the shared world this one was forked from
        self.toolkits = list(toolkits)
        self.by_name = {tk.name or type(tk).__name__: tk for tk in self.toolkits}
        tools: dict[str, Tool] = {}
        for tk in self.toolkits:
            for tool in tk.tools():
                if tool.name in tools:
                    raise ValueError(f"two toolkits define a tool named {tool.name!r}")
                tools[tool.name] = tool
        self.tools = tools

    def toolkit(self, name: str) -> Any:
        return self.by_name[name]

    def fork(self) -> World | None:
        """A world that starts as this one and shares what it never writes (see
        :meth:`Toolkit.fork`); ``None`` if a toolkit cannot fork. The fork keeps this world
        alive; this world must not be written afterwards."""
        forks = [tk.fork() for tk in self.toolkits]
        if any(f is None for f in forks):
            return None
        world = World(forks)  # type: ignore[arg-type]
        world.origin = self
        return world

    def snapshot(self) -> tuple[Any, ...]:
        return tuple(tk.snapshot() for tk in self.toolkits)

    def restore(self, snapshot: tuple[Any, ...]) -> None:
        for tk, token in zip(self.toolkits, snapshot, strict=True):
            tk.restore(token)

    def changes_since(self, snapshot: tuple[Any, ...]) -> list[Change]:
        out: list[Change] = []
        for tk, token in zip(self.toolkits, snapshot, strict=True):
            out.extend(tk.changes_since(token))
        return out

    def close(self) -> None:
        for tk in self.toolkits:
            tk.close()


def run_plan(plan: Plan, tools: dict[str, Tool], max_steps: int = 200) -> tuple[Answer, int]:
    """Run a plan directly against canonical tools; returns its answer and call count.

    A :class:`ToolError` from a tool is thrown into the plan, which may handle it (a plan that
    tries a write and falls back on a business-rule error) or let it propagate.
    """
    gen = plan()
    calls = 0
    try:
        step = next(gen)
        while True:
            calls += 1
            if calls > max_steps:
                raise RuntimeError(f"plan made more than {max_steps} calls")
            try:
                result = tools[step.tool](step.arguments)
            except ToolError as err:
                step = gen.throw(err)
            else:
                step = gen.send(result)
    except StopIteration as stop:
        return as_answer(stop.value), calls


def as_answer(value: Answer | str | None) -> Answer:
    if isinstance(value, Answer):
        return value
    return Answer("" if value is None else str(value))


class TaskFamily(Protocol):
    """A kind of task (``cancel_order``, ``transfer_funds``, ...) generated from a seed."""

    name: str

    def generate(self, world: World, rng: np.random.Generator, difficulty: str) -> Task: ...


class TaskSuite(Protocol):
    """What an environment id stands for: how to build a world and which tasks it poses."""

    name: str
    families: Sequence[TaskFamily]

    def build_world(self, seed: int, size: str) -> World: ...
