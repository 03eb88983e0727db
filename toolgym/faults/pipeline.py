"""``FaultPipeline``: the one interceptor that runs a :class:`~toolgym.faults.FaultPlan`.

At reset it runs the plan's reset faults in a fixed order of hooks (world first, so every later
fault and the reference run see the perturbed world; then tools, system prompt, user prompt),
then each fault's ``prepare``. At each turn it runs the turn faults (mid-episode drift). Around
each call it keeps the routing whole (the value codec, renamed tools and parameters in error
text), runs the ungated follow-ups of faults with lasting effects, then the call or result
faults whose schedule and probability allow it, in their declared order.

It also keeps the retry contract of recoverable call faults: it counts, per tool, the injected
retryable failures in a row, and those faults stay silent once a tool has failed
:data:`~toolgym.faults.errors.MAX_STREAK` times running, so a careful agent that retries gets
through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from toolgym.core.episode import Episode, Interceptor, Invocation
from toolgym.faults.base import WORDS_PER_FAULT, Fault, FaultContext
from toolgym.faults.support import STREAK_KEY, codec_of, rename_mentions, translate_error

if TYPE_CHECKING:
    from toolgym.faults.plan import FaultPlan

__all__ = ["FaultPipeline"]

_HOOK_PHASE = {"world": 0, "tools": 1, "system_prompt": 2, "user_prompt": 3, "call": 4}
Indexed = list[tuple[int, Fault]]


def _overrides(fault: Fault, method: str) -> bool:
    return getattr(type(fault), method) is not getattr(Fault, method)


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

        def stage(name: str, key: Callable[[tuple[int, Fault]], Any]) -> Indexed:
            return sorted(((i, f) for i, f in indexed if f.stage == name), key=key)

        by_order = lambda item: (item[1].order, item[0])  # noqa: E731
        self._reset = stage("reset", lambda item: (_HOOK_PHASE[item[1].hook], *by_order(item)))
        self._turn = stage("turn", by_order)
        self._call = stage("call", by_order)
        self._result = stage("result", by_order)
        ordered = sorted(indexed, key=by_order)
        self._prepare = [(i, f) for i, f in ordered if _overrides(f, "prepare")]
        self._follow_call = [(i, f) for i, f in ordered if _overrides(f, "follow_call")]
        self._follow_result = [(i, f) for i, f in ordered if _overrides(f, "follow_result")]
        self._finish = [(i, f) for i, f in ordered if _overrides(f, "finish")]
        per_call = {i for i, _ in self._call + self._result + self._follow_call}
        per_call |= {i for i, _ in self._follow_result}
        self._slot = {i: k for k, i in enumerate(sorted(per_call))}
        self._episode: Episode | None = None
        self._fires: list[int] = []
        self._memory: list[dict[str, Any]] = []
        self._ctx: FaultContext | None = None
        self._invocation: Invocation | None = None
        self._position = 0
        self._words: list[int] = []
        self._injected = False

    # ------------------------------------------------------------------ reset
    def on_reset(self, episode: Episode) -> None:
        self._episode = episode
        self._fires = [0] * len(self.plan.faults)
        self._memory = [{} for _ in self.plan.faults]
        self._invocation = None
        episode.scratch[STREAK_KEY] = {}
        ctx = self._ctx = FaultContext(episode, 0, {})
        for i, fault in self._reset:
            self._run(ctx, i, fault, (episode.seed, 0), [], None)
        for i, fault in self._prepare:
            fault.prepare(ctx.bind(fault, i, self._memory[i], (episode.seed, 0), [], 0))
        self._sync_mentions(episode, system_prompt=True)

    def on_turn(self, episode: Episode) -> None:
        if episode is not self._episode or self._ctx is None:
            return
        self._ctx.step = episode.turn
        self._position = 0
        self._invocation = None
        if self._turn:
            names = [e.name for e in episode.view.entries]
            for i, fault in self._turn:
                self._run(self._ctx, i, fault, (episode.seed, episode.turn), [], None)
            if [e.name for e in episode.view.entries] != names:
                self._sync_mentions(episode, system_prompt=False)

    # ------------------------------------------------------------------ calls
    def on_call(self, episode: Episode, invocation: Invocation) -> None:
        ctx = self._begin(episode, invocation)
        if ctx is None or invocation.entry.target is None:
            return
        codec = codec_of(episode)
        if codec is not None:
            invocation.arguments = codec.to_canonical(invocation.arguments)
        key = (episode.seed, ctx.step, self._position)
        for i, fault in self._follow_call:
            before = invocation.error
            fault.follow_call(self._bind(ctx, i, fault, key), invocation)
            if before is None and invocation.error is not None:
                self._injected = fault.recoverable
                return
        for i, fault in self._call:
            if self._run(ctx, i, fault, key, self._words, invocation) and invocation.error:
                self._injected = fault.recoverable
                return

    def on_result(self, episode: Episode, invocation: Invocation) -> None:
        ctx = self._begin(episode, invocation)
        if ctx is None:
            return
        key = (episode.seed, ctx.step, self._position)
        if invocation.entry.target is None:
            for i, fault in self._follow_result:
                fault.follow_result(self._bind(ctx, i, fault, key), invocation)
            return
        self._translate(episode, invocation)
        streak = episode.scratch[STREAK_KEY]
        target = invocation.entry.target
        if self._injected:
            streak[target] = streak.get(target, 0) + 1
        elif invocation.ran:
            streak.pop(target, None)
        for i, fault in self._follow_result:
            fault.follow_result(self._bind(ctx, i, fault, key), invocation)
        for i, fault in self._result:
            self._run(ctx, i, fault, key, self._words, invocation)

    def on_finish(self, episode: Episode, answer: str | None, checks: dict[str, bool]) -> None:
        if episode is not self._episode or self._ctx is None:
            return
        codec = codec_of(episode)
        if codec is not None and answer and episode.reference is not None:
            canonical = codec.canonical_text(answer)
            if canonical != answer:  # the agent quoted ids or dates as it saw them
                checks.update(
                    episode.task.check(
                        episode.world, episode.start, canonical, episode.reference
                    ).checks
                )
        for i, fault in self._finish:
            fault.finish(
                self._bind(self._ctx, i, fault, (episode.seed, episode.turn)), answer, checks
            )

    # ---------------------------------------------------------------- helpers
    def _begin(self, episode: Episode, invocation: Invocation) -> FaultContext | None:
        """The context for ``invocation``; a new call position on first sight of it."""
        if episode is not self._episode or self._ctx is None:
            return None
        if invocation is not self._invocation:
            self._invocation = invocation
            self._position += 1
            self._injected = False
            self._words = []
            if self._slot:
                seed = np.random.SeedSequence((episode.seed, self._ctx.step, self._position))
                count = WORDS_PER_FAULT * len(self._slot)
                self._words = np.random.PCG64(seed).random_raw(count).tolist()
        return self._ctx

    def _bind(self, ctx: FaultContext, i: int, fault: Fault, key: tuple[int, ...]) -> FaultContext:
        return ctx.bind(fault, i, self._memory[i], key, self._words, self._slot.get(i, 0))

    def _run(
        self,
        ctx: FaultContext,
        i: int,
        fault: Fault,
        key: tuple[int, ...],
        words: list[int],
        invocation: Invocation | None,
    ) -> bool:
        """Fire ``fault`` if its schedule and probability allow; whether it fired."""
        if not fault.schedule.allows(ctx.step, self._fires[i]):
            return False
        ctx.bind(fault, i, self._memory[i], key, words, self._slot.get(i, 0))
        if fault.probability < 1.0 and ctx.random() >= fault.probability:
            return False
        fault.fire(ctx, invocation)
        if ctx.fired:
            self._fires[i] += 1
        return ctx.fired

    def _translate(self, episode: Episode, invocation: Invocation) -> None:
        """Keep what the agent reads in its own terms: visible values, tool and param names."""
        codec = codec_of(episode)
        if codec is not None:
            if invocation.error is not None:
                invocation.error = translate_error(invocation.error, codec.visible_text)
            elif invocation.result is not None:
                invocation.result = codec.to_visible(invocation.result)
        error = invocation.error
        if error is None:
            return
        entry = invocation.entry
        renames = {
            e.target: e.name for e in episode.view.entries if e.target and e.target != e.name
        }
        params = {canonical: visible for visible, canonical in entry.arg_names.items()}
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
