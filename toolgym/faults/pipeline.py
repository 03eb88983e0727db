"""``FaultPipeline``: the one interceptor that runs a :class:`~toolgym.faults.FaultPlan`.

At reset it runs the plan's reset faults in a fixed order of hooks (world first, so every later
fault and the reference run see the perturbed world; then tools, system prompt, user prompt),
then each fault's ``prepare``. At each turn it runs the turn faults (mid-episode drift). Around
each call it keeps the routing whole (renamed tools and parameters in error text, ids and dates
in their visible form), runs the ungated follow-ups of faults with lasting effects, then the
call or result faults whose schedule and probability allow it, in their declared order.

Gates are cheap: each fault's probability draw for a step or call is read from one block of
draws, compared for a chunk of blocks at once, so the faults that do not fire cost next to
nothing; a stage none of whose schedules allows the step is not even drawn.

It also keeps the retry contract of recoverable call faults: it counts, per tool, the injected
retryable failures in a row, and those faults stay silent once a tool has failed
:data:`~toolgym.faults.errors.MAX_STREAK` times running, so a careful agent that retries gets
through.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from toolgym.core.episode import Episode, Interceptor, Invocation
from toolgym.faults.base import Fault, FaultContext
from toolgym.faults.draws import CALL, RESERVED, RESET, TURN, Gates, Streams
from toolgym.faults.support import (
    STREAK_KEY,
    ValueCodec,
    codec_of,
    rename_mentions,
    translate_error,
)

if TYPE_CHECKING:
    from toolgym.faults.plan import FaultPlan

__all__ = ["FaultPipeline"]

_HOOK_PHASE = {"world": 0, "tools": 1, "system_prompt": 2, "user_prompt": 3, "format": 4, "call": 5}
_CODEC_ORDER = 75  # ids and dates take their visible form after renderings, before truncation
Indexed = list[tuple[int, Fault]]


def _overrides(fault: Fault, method: str) -> bool:
    return getattr(type(fault), method) is not getattr(Fault, method)


def _slots(faults: Indexed) -> dict[int, int]:
    """Places in a gate block, in plan order: a fault's draws never depend on faults after it
    in the plan, nor on faults that act at other stages."""
    return {i: k for k, i in enumerate(sorted(i for i, _ in faults))}


def _probabilities(faults: Indexed, slots: dict[int, int]) -> list[float]:
    """Each gate slot's firing probability (0 for a slot with no fault of ``faults``)."""
    found = [0.0] * len(slots)
    for i, fault in faults:
        found[slots[i]] = fault.probability
    return found


def _encode(invocation: Invocation, codec: ValueCodec) -> None:
    """The text the agent reads, with ids and dates in their visible form."""
    text = invocation.content
    if text is None:
        payload = invocation.error.to_payload() if invocation.error else invocation.result
        text = json.dumps(payload, ensure_ascii=False, default=str)
    invocation.content = codec.visible_text(text)


class _Stage:
    """The faults that fire at one stage, in order, with their gates unpacked.

    ``slots`` maps a fault's index in the plan to its place in the stage's gate blocks (faults
    with ungated follow-ups have a place in the call blocks too).
    """

    def __init__(self, faults: Indexed, slots: dict[int, int]) -> None:
        self.faults = faults
        self.slots = slots
        self.probabilities = _probabilities(faults, slots)
        # By gate slot: (place in the stage's order, plan index, fault).
        self._by_slot = {slots[i]: (rank, i, f) for rank, (i, f) in enumerate(faults)}
        lasts = [f.schedule.last for _, f in faults]
        # The last step any fault may fire at (None: no end).
        self._last = None if any(last is None for last in lasts) else max(lasts, default=-1)

    def may_fire(self, step: int, fires: list[int]) -> bool:
        """Whether any fault's schedule allows it to fire at ``step``."""
        if self._last is not None and step > self._last:
            return False
        return any(fault.schedule.allows(step, fires[i]) for i, fault in self.faults)

    def passing(self, open_slots: list[int], step: int, fires: list[int]) -> Indexed:
        """The faults whose gate is open (their probability draw let them through) and whose
        schedule allows them to fire now, in the stage's order."""
        found = []
        for slot in open_slots:
            hit = self._by_slot.get(slot)
            if hit is not None and hit[2].schedule.allows(step, fires[hit[1]]):
                found.append(hit)
        if len(found) > 1:
            found.sort()
        return [(i, fault) for _, i, fault in found]


class FaultPipeline(Interceptor):
    """Runs ``plan`` on each episode of the env it is attached to (one pipeline per env).

    >>> from toolgym.faults import FaultPlan
    >>> pipeline = FaultPipeline(FaultPlan.preset("light"))
    >>> len(pipeline.plan.faults) > 0
    True
    """

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        indexed = list(enumerate(plan.faults))
        by_order = sorted(indexed, key=lambda item: (item[1].order, item[0]))

        def stage(name: str) -> Indexed:
            return [(i, f) for i, f in by_order if f.stage == name]

        reset = sorted(stage("reset"), key=lambda item: _HOOK_PHASE[item[1].hook])
        calls = stage("call")
        results = stage("result")
        self._follow_call = [(i, f) for i, f in by_order if _overrides(f, "follow_call")]
        self._follow_result = [(i, f) for i, f in by_order if _overrides(f, "follow_result")]
        self._prepare = [(i, f) for i, f in by_order if _overrides(f, "prepare")]
        self._prepared = frozenset(i for i, _ in self._prepare)
        self._finish = [(i, f) for i, f in by_order if _overrides(f, "finish")]
        call_slots = _slots(calls + results)
        self._reset = _Stage(reset, _slots(reset))
        self._turn = _Stage(stage("turn"), _slots(stage("turn")))
        self._call = _Stage(calls, call_slots)
        self._result = _Stage(results, call_slots)
        self._call_probabilities = _probabilities(calls + results, call_slots)  # shared blocks
        self._episode: Episode | None = None
        self._fires: list[int] = []
        self._memory: list[dict[str, Any]] = []
        self._ctx: FaultContext | None = None
        self._invocation: Invocation | None = None
        self._turn_gates: Gates | None = None
        self._call_gates: Gates | None = None
        self._calls = 0
        self._words = np.zeros(0)  # the gate block of the current reset, turn or call
        self._start = 0
        self._open: list[int] = []  # the block's open gates
        self._injected = False

    def __reduce__(self) -> tuple[Any, ...]:
        """A pipeline is its plan: what it holds besides is the current episode's, rebuilt at
        the next reset (an env copy replays its episode)."""
        return FaultPipeline, (self.plan,)

    # ------------------------------------------------------------------ reset
    def on_reset(self, episode: Episode) -> None:
        self._episode = episode
        self._fires = [0] * len(self.plan.faults)
        self._memory = [{} for _ in self.plan.faults]
        self._invocation = None
        episode.scratch[STREAK_KEY] = {}
        streams = Streams(episode.seed)
        ctx = self._ctx = FaultContext(episode, streams)
        self._turn_gates = Gates(streams, TURN, self._turn.probabilities, per_chunk=8)
        self._call_gates = Gates(streams, CALL, self._call_probabilities, per_chunk=8)
        self._calls = 0
        reset_gates = Gates(streams, RESET, self._reset.probabilities, 1)
        self._words, self._start, self._open = reset_gates.block(0)
        self._fire(ctx, self._reset, None)
        for i, fault in self._prepare:
            fault.prepare(ctx.bind(fault, i, self._memory[i]))
        self._sync_mentions(episode, system_prompt=True)
        self._turn_gates.block(1)  # draw the first steps' gates now: reset pays, steps don't
        self._call_gates.block(1)

    def on_turn(self, episode: Episode) -> None:
        ctx = self._ctx
        if episode is not self._episode or ctx is None:
            return
        ctx.step = episode.turn
        ctx.position = 0
        self._invocation = None
        assert self._turn_gates is not None
        if not self._turn.may_fire(ctx.step, self._fires):
            return
        self._words, self._start, self._open = self._turn_gates.block(episode.turn)
        if self._fire(ctx, self._turn, None):
            self._sync_mentions(episode, system_prompt=False)

    # ------------------------------------------------------------------ calls
    def on_call(self, episode: Episode, invocation: Invocation) -> None:
        ctx = self._begin(episode, invocation)
        if ctx is None or invocation.entry.target is None:
            return
        codec = codec_of(episode)
        if codec is not None:
            invocation.error = codec.retired_form(invocation.arguments)
            if invocation.error is not None:
                return
            invocation.arguments = codec.to_canonical(invocation.arguments)
        memory, fires = self._memory, self._fires
        for i, fault in self._follow_call:
            if not (fires[i] or i in self._prepared):
                continue  # nothing to follow up before a fault fired or prepared
            fault.follow_call(ctx.focus(fault, i, memory[i]), invocation)
            if invocation.error is not None:
                self._injected = fault.recoverable
                if fault.recoverable and not ctx.fired:  # an outage or hold that fails it
                    episode.extra_turns += 1
                return
        for i, fault in self._call.passing(self._open, ctx.step, self._fires):
            if self._fire_one(ctx, i, fault, self._call, invocation) and invocation.error:
                self._injected = fault.recoverable
                return

    def on_result(self, episode: Episode, invocation: Invocation) -> None:
        ctx = self._begin(episode, invocation)
        if ctx is None:
            return
        if invocation.entry.target is not None:
            self._translate(episode, invocation)
            streak = episode.scratch[STREAK_KEY]
            target = invocation.entry.target
            if self._injected:
                streak[target] = streak.get(target, 0) + 1
            elif invocation.ran:
                streak.pop(target, None)
        memory, fires = self._memory, self._fires
        for i, fault in self._follow_result:
            if fires[i] or i in self._prepared:
                before = (invocation.content, invocation.error, id(invocation.result))
                fault.follow_result(ctx.focus(fault, i, memory[i]), invocation)
                after = (invocation.content, invocation.error, id(invocation.result))
                if fault.recoverable and not ctx.fired and after != before:
                    episode.extra_turns += 1  # a further page, the rest of cut output
        if invocation.entry.target is None:
            return
        codec = codec_of(episode)
        error = invocation.error
        if error is not None and error.code == "invalid_format" and not invocation.ran:
            codec = None  # the codec's own refusal quotes the old form: leave it as written
        for i, fault in self._result.passing(self._open, ctx.step, self._fires):
            if codec is not None and fault.order >= _CODEC_ORDER:
                _encode(invocation, codec)
                codec = None
            self._fire_one(ctx, i, fault, self._result, invocation)
        if codec is not None:
            _encode(invocation, codec)

    def on_finish(self, episode: Episode, answer: str | None, checks: dict[str, bool]) -> None:
        ctx = self._ctx
        if episode is not self._episode or ctx is None:
            return
        codec = codec_of(episode)
        if codec is not None and answer and episode.reference is not None:
            canonical = codec.canonical_text(answer)
            if canonical != answer:  # the agent quoted ids or dates as it saw them
                result = episode.task.check(
                    episode.world, episode.start, canonical, episode.reference
                )
                checks.update(result.checks)
        for i, fault in self._finish:
            fault.finish(ctx.bind(fault, i, self._memory[i]), answer, checks)

    # ---------------------------------------------------------------- helpers
    def _begin(self, episode: Episode, invocation: Invocation) -> FaultContext | None:
        """The context for ``invocation``; a new call position on first sight of it."""
        ctx = self._ctx
        if episode is not self._episode or ctx is None:
            return None
        if invocation is not self._invocation:
            self._invocation = invocation
            ctx.position += 1
            self._injected = False
            self._calls += 1
            assert self._call_gates is not None
            self._words, self._start, self._open = self._call_gates.block(self._calls)
        return ctx

    def _bind(self, ctx: FaultContext, i: int, fault: Fault, stage: _Stage) -> FaultContext:
        start = self._start + stage.slots[i] * RESERVED
        words = self._words[start : start + RESERVED].tolist()
        return ctx.bind(fault, i, self._memory[i], words, 0)

    def _fire(self, ctx: FaultContext, stage: _Stage, invocation: Invocation | None) -> bool:
        """Fire every fault of ``stage`` its gate lets through; whether any fired."""
        fired = False
        for i, fault in stage.passing(self._open, ctx.step, self._fires):
            fired = self._fire_one(ctx, i, fault, stage, invocation) or fired
        return fired

    def _fire_one(
        self, ctx: FaultContext, i: int, fault: Fault, stage: _Stage, invocation: Invocation | None
    ) -> bool:
        fault.fire(self._bind(ctx, i, fault, stage), invocation)
        if ctx.fired:
            self._fires[i] += 1
        return ctx.fired

    def _translate(self, episode: Episode, invocation: Invocation) -> None:
        """Name tools and parameters in error text the way the view does."""
        error = invocation.error
        if error is None:
            return
        entry = invocation.entry
        renames = {
            e.target: e.name for e in episode.view.entries if e.target and e.target != e.name
        }
        params = {canonical: visible for visible, canonical in entry.arg_names.items()}
        if not invocation.ran:
            params = {}  # the view's own errors already use the visible names
        if not renames and not params:
            return
        own = {entry.target: entry.name} if entry.target in renames else {}

        def fix(text: str) -> str:
            text = rename_mentions(text, renames)
            for canonical, visible in {**own, **params}.items():
                text = re.sub(rf"(?<![\w]){re.escape(canonical)}(?![\w])", visible, text)
            return text

        invocation.error = translate_error(error, fix)

    def _sync_mentions(self, episode: Episode, *, system_prompt: bool) -> None:
        """Prose that names a renamed tool now names it as the view does."""
        renames = {
            e.target: e.name for e in episode.view.entries if e.target and e.target != e.name
        }
        if not renames:
            return
        if system_prompt:
            episode.system_prompt = rename_mentions(episode.system_prompt, renames)
        for entry in episode.view.entries:
            text = rename_mentions(entry.description, renames)
            if text != entry.description:
                episode.view.replace(entry.name, description=text)
