"""The fault model: a seeded, validated transformation at one hook, and the events it leaves.

A :class:`Fault` is a pydantic model whose fields are its parameters (validated, with bounds)
plus a firing ``probability`` and a :class:`Schedule`. Class attributes say what it is: its
``name``, the ``axis`` it perturbs (``tools``, ``prompts``, ``world``, ``errors``,
``responses``, ``scaffold``), the ``hook`` it changes (``tools``, ``system_prompt``,
``user_prompt``, ``world``, ``call``, ``result``, ``format``), the ``stage`` of the episode at
which it may fire (``reset``, ``turn``, ``call``, ``result``), and whether it is
``recoverable``: whether a careful agent can still finish the task when it fires.

A fault *fires* when it changes something; it then records a :class:`FaultEvent`. A fault whose
schedule excludes the step, whose probability draw fails, or that finds nothing to change
records nothing.

Randomness comes only from :mod:`toolgym.faults.draws`: numbered streams of one generator
seeded with numpy's ``SeedSequence(episode seed)``, where each fault reads the places of its
index at the reset, at each turn and at each call. Same seed, same actions, same plan: same
draws, in any process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from toolgym.core.registry import Registry
from toolgym.faults.draws import RESERVED, Streams

if TYPE_CHECKING:
    from toolgym.core.episode import Episode, Invocation

__all__ = [
    "AXES",
    "HOOKS",
    "STAGES",
    "Fault",
    "FaultContext",
    "FaultEvent",
    "Schedule",
    "fault_class",
    "names",
    "registry",
]

Axis = Literal["tools", "prompts", "world", "errors", "responses", "scaffold"]
Hook = Literal["tools", "system_prompt", "user_prompt", "world", "call", "result", "format"]
Stage = Literal["reset", "turn", "call", "result"]
AXES: tuple[str, ...] = ("tools", "prompts", "world", "errors", "responses", "scaffold")
HOOKS: tuple[str, ...] = (
    "tools",
    "system_prompt",
    "user_prompt",
    "world",
    "call",
    "result",
    "format",
)
STAGES: tuple[str, ...] = ("reset", "turn", "call", "result")

T = TypeVar("T")


class Schedule(BaseModel):
    """Which steps a fault may fire at: ``first``..``last`` (inclusive), every ``every``-th
    step from ``first``, at most ``max_fires`` times per episode. Step 0 is the reset; agent
    turns are steps 1, 2, ...

    >>> Schedule(first=2, every=2, max_fires=2).allows(4, fires=1)
    True
    >>> Schedule(first=2, every=2).allows(3, fires=0)
    False
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    first: int = Field(0, ge=0, description="First step at which the fault may fire.")
    last: int | None = Field(None, ge=0, description="Last step at which it may fire.")
    every: int = Field(1, ge=1, description="Fire only every n-th step, counted from first.")
    max_fires: int | None = Field(None, ge=1, description="At most this many fires.")

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"schedule.last ({self.last}) is before schedule.first ({self.first})")
        return self

    def allows(self, step: int, fires: int) -> bool:
        if step < self.first or (self.last is not None and step > self.last):
            return False
        if (step - self.first) % self.every:
            return False
        return self.max_fires is None or fires < self.max_fires


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """One fault firing: the step, the fault, its axis, what it hit and a short detail."""

    step: int
    fault: str
    axis: str
    target: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "fault": self.fault,
            "axis": self.axis,
            "target": self.target,
            "detail": self.detail,
        }


FAULTS: Registry[type[Fault]] = Registry("fault")
"""Every fault type by name: a ``Fault`` subclass with a ``name`` registers itself."""


class Fault(BaseModel):
    """Base of every fault type. Subclasses set the class attributes and implement ``fire``.

    Optional methods, all called by :class:`~toolgym.faults.FaultPipeline`:

    - ``prepare(ctx)``: at every reset, for every fault of the plan, before anything fires
      (setup that must not depend on chance, e.g. a ``page_token`` parameter).
    - ``fire(ctx, invocation)``: at the fault's ``stage``, when the schedule and the
      probability allow; ``invocation`` is ``None`` at ``reset`` and ``turn``.
    - ``follow_call(ctx, invocation)`` / ``follow_result(ctx, invocation)``: at every call,
      for effects that outlive the firing (an outage, a rate-limit hold, a page token).
    - ``finish(ctx, answer, checks)``: when the episode ends (e.g. an injection canary check).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ClassVar[str] = ""
    axis: ClassVar[Axis]
    hook: ClassVar[Hook]
    stage: ClassVar[Stage]
    recoverable: ClassVar[bool] = True
    order: ClassVar[int] = 50  # position among faults of the same stage (lower runs first)

    probability: float = Field(1.0, ge=0.0, le=1.0, description="Chance to fire when scheduled.")
    schedule: Schedule = Field(default_factory=Schedule, description="When it may fire.")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "name" in cls.__dict__ and cls.name:
            if cls.name in FAULTS:
                raise TypeError(f"two fault types are named {cls.name!r}")
            FAULTS.register(cls.name, cls)

    @model_validator(mode="before")
    @classmethod
    def _drop_tag(cls, data: Any) -> Any:
        """Accept the ``fault`` tag that :meth:`model_dump` writes, if it names this type."""
        if isinstance(data, dict) and "fault" in data:
            if data["fault"] != cls.name:
                raise ValueError(f"'fault' is {data['fault']!r} but this is {cls.name!r}")
            data = {k: v for k, v in data.items() if k != "fault"}
        return data

    @model_validator(mode="after")
    def _reset_faults_fire_at_reset(self) -> Fault:
        if self.stage == "reset" and not self.schedule.allows(0, 0):
            raise ValueError(
                f"{self.name} changes the episode at reset (step 0), but its schedule "
                f"{self.schedule.model_dump(exclude_defaults=True)} excludes step 0"
            )
        return self

    @model_serializer(mode="wrap")
    def _tagged(self, handler: Any) -> dict[str, Any]:
        return {"fault": self.name, **handler(self)}

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph, on one line: what the fault does."""
        return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement fire()")

    def prepare(self, ctx: FaultContext) -> None:
        """At every reset, before the first step (no draw, no event)."""

    def follow_call(self, ctx: FaultContext, invocation: Invocation) -> None:
        """Before every call to a real tool, ungated."""

    def follow_result(self, ctx: FaultContext, invocation: Invocation) -> None:
        """After every call, ungated (view-only tools included)."""

    def finish(self, ctx: FaultContext, answer: str | None, checks: dict[str, bool]) -> None:
        """When the episode ends."""


def registry() -> dict[str, type[Fault]]:
    """Every registered fault type by name (importing the axis modules registers them)."""
    return dict(FAULTS.items())


def names() -> list[str]:
    """Every fault type, grouped by axis then by name."""
    return sorted(FAULTS, key=lambda n: (AXES.index(FAULTS.get(n).axis), n))


def fault_class(name: str) -> type[Fault]:
    if name in FAULTS:
        return FAULTS.get(name)
    import difflib

    close = difflib.get_close_matches(str(name), FAULTS.names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown fault {name!r}.{hint} Known: {', '.join(names())}")


class FaultContext:
    """What a fault sees when it runs: the episode, the step, its draws, and ``record``.

    ``random``/``integers``/``choice``/``shuffled``/``sample`` read the fault's reserved draws
    in the gate block of the step or call first, then its own stream (see
    :mod:`toolgym.faults.draws`).
    """

    __slots__ = ("_end", "_next", "_own", "_words", "episode", "fault", "fired", "index",
                 "memory", "position", "step", "streams")  # fmt: skip

    def __init__(self, episode: Episode, streams: Streams) -> None:
        self.episode = episode
        self.streams = streams
        self.step = 0
        self.position = 0
        self.memory: dict[str, Any] = {}
        self.fault: Fault | None = None
        self.index = -1
        self.fired = False
        self._words: list[float] = []
        self._next = self._end = self._own = 0

    def bind(
        self,
        fault: Fault,
        index: int,
        memory: dict[str, Any],
        words: list[float] | None = None,
        start: int = 0,
    ) -> FaultContext:
        """Point this context at fault ``index``, whose reserved draws are
        ``words[start + 1 : start + RESERVED]`` (the first one was its gate)."""
        self.fault = fault
        self.index = index
        self.memory = memory
        self.fired = False
        if words is None:
            self._words, self._next, self._end = [], 0, 0
        else:
            self._words, self._next, self._end = words, start + 1, start + RESERVED
        self._own = 0
        return self

    def focus(self, fault: Fault, index: int, memory: dict[str, Any]) -> FaultContext:
        """Point this context at fault ``index`` for a follow-up: no reserved draws (its own
        stream serves any it needs)."""
        self.fault = fault
        self.index = index
        self.memory = memory
        self.fired = False
        self._next = self._end = self._own = 0
        return self

    # ----------------------------------------------------------------- draws
    def randoms(self, count: int) -> list[float]:
        """``count`` floats in [0, 1)."""
        if self._end - self._next < count:
            size = max(64, count)
            self._words = self.streams.own(self.index, self.step, self.position, size, self._own)
            self._own += size
            self._next, self._end = 0, size
        start = self._next
        self._next += count
        return self._words[start : self._next]

    def random(self) -> float:
        """A float in [0, 1)."""
        if self._next < self._end:
            self._next += 1
            return self._words[self._next - 1]
        return self.randoms(1)[0]

    def integers(self, high: int) -> int:
        """An int in [0, high)."""
        if high <= 0:
            raise ValueError(f"integers() needs high >= 1, got {high}")
        return int(self.random() * high)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.integers(len(items))]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """``items`` in a random order (sorted by one draw each)."""
        pool = list(items)
        keys = self.randoms(len(pool))
        return [pool[i] for i in sorted(range(len(pool)), key=keys.__getitem__)]

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` distinct items (all of them if fewer), in the order drawn."""
        pool = list(items)
        if 4 * k >= len(pool):
            return self.shuffled(pool)[: max(0, k)]
        for i in range(k):
            j = i + self.integers(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    # ---------------------------------------------------------------- record
    def record(self, target: str, detail: str) -> None:
        """Log that this fault fired: what it hit and how (e.g. ``get_order -> fetch_order``)."""
        fault = self.fault
        assert fault is not None
        self.episode.record(
            {
                "step": self.step,
                "fault": fault.name,
                "axis": fault.axis,
                "target": target,
                "detail": detail,
            }
        )  # the shape of FaultEvent.as_dict(), built directly: this runs on hot paths
        self.fired = True
        if fault.recoverable:  # recovering may take a turn: the budget grows by one
            self.episode.extra_turns += 1
