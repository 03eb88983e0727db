"""``RolloutPool``: episodes played by Ray actors, with the same records as a local run.

Each actor holds ``envs_per_worker`` workbenches (the evaluation's episode player, each keeping
its environments built) and plays that many episodes at once: one per CPU for scripted agents,
many for a model agent that mostly waits on its server. An episode's record depends only on
its spec, so where it ran never shows: a Ray run and a local run give the same bytes, and
:meth:`RolloutPool.map` returns them in spec order.

An actor that dies (its node lost, its process killed or out of memory) loses no episode: the
episodes it had in flight go back to the queue and a replacement actor is started. Since a death
fails every call the actor had in flight, those episodes are then replayed one at a time, each
on an actor given nothing else; an episode that takes ``max_attempts`` actors down while
playing alone is reported as an :class:`~toolgym.evaluation.EpisodeError` instead of being
tried forever, and no other episode is blamed for it.
"""

from __future__ import annotations

import logging
import os
import queue
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from toolgym.evaluation.episode import (
    CLEAN,
    AgentFactory,
    EpisodeError,
    EpisodeSpec,
    Settings,
    Workbench,
    episodes_per_call,
    play_episode,
)

if TYPE_CHECKING:
    from toolgym.evaluation.runner import EvalConfig

__all__ = ["RolloutPool", "play_on_ray", "rollout_specs"]

Result = dict[str, Any] | EpisodeError


class _Worker:
    """The actor: ``slots`` workbenches, each lent to one episode at a time."""

    def __init__(self, settings: Settings, agent_factory: AgentFactory | None, slots: int) -> None:
        self._benches: queue.SimpleQueue[Workbench] = queue.SimpleQueue()
        for _ in range(slots):
            self._benches.put(Workbench(settings, agent_factory))

    def play(self, specs: list[EpisodeSpec]) -> list[Result]:
        bench = self._benches.get()
        try:
            return [play_episode(bench, spec) for spec in specs]
        finally:
            self._benches.put(bench)

    def pid(self) -> int:
        return os.getpid()


class RolloutPool:
    """Ray actors that play episodes for one agent (and its settings).

    Args:
        settings: the agent by name and how episodes are built (see
            :class:`~toolgym.evaluation.Settings`).
        workers: actors to start, one CPU each (``cpus_per_worker``).
        envs_per_worker: episodes each actor plays at once (threads sharing its CPU).
        agent_factory: a policy of your own, ``(env, agent_seed) -> agent``, instead of the
            agent ``settings.agent`` names; it is pickled to the actors (define it at module
            level, or in a package the cluster has installed).
        address: an existing cluster (``"auto"``, ``"ray://head:10001"``); by default the
            current Ray connection, else a new local instance, shut down by :meth:`close`.
        runtime_env: Ray's runtime environment for the actors (e.g. ``{"pip": ["toolgym"]}``
            on a cluster whose image lacks it).
        max_attempts: actors an episode may take down, playing alone, before it is given up.
        episodes_per_call: episodes sent to an actor in one remote call; by default a batch
            for scripted agents (milliseconds an episode) and one for model agents.

    Use it as a context manager so the actors (and a Ray instance it started) are released::

        with RolloutPool(Settings("oracle"), workers=2) as pool:
            records = pool.map(rollout_specs("toolgym/Retail-v0", range(8), faults="medium"))
    """

    def __init__(
        self,
        settings: Settings,
        *,
        workers: int = 2,
        envs_per_worker: int = 1,
        agent_factory: AgentFactory | None = None,
        address: str | None = None,
        runtime_env: dict[str, Any] | None = None,
        cpus_per_worker: float = 1.0,
        max_attempts: int = 3,
        episodes_per_call: int | None = None,
    ) -> None:
        for name, value in (
            ("workers", workers),
            ("envs_per_worker", envs_per_worker),
            ("max_attempts", max_attempts),
            ("episodes_per_call", 1 if episodes_per_call is None else episodes_per_call),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if cpus_per_worker <= 0:
            raise ValueError(f"cpus_per_worker must be > 0, got {cpus_per_worker!r}")
        try:
            import ray
        except ImportError:
            raise ImportError(
                "RolloutPool needs Ray, which is not installed: pip install 'toolgym[ray]'"
            ) from None
        self._ray = ray
        self._owns_ray = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"logging_level": logging.WARNING}
            if address is None:
                options["include_dashboard"] = False
            ray.init(address=address, runtime_env=runtime_env, **options)
            self._owns_ray = True
        elif address is not None:
            raise ValueError(
                f"Ray is already connected in this process; cannot also connect to {address!r}"
            )
        self.settings = settings
        self.workers = workers
        self.envs_per_worker = envs_per_worker
        self.max_attempts = max_attempts
        self.episodes_per_call = episodes_per_call
        self._actor_class = ray.remote(_Worker).options(
            num_cpus=cpus_per_worker,
            max_concurrency=envs_per_worker,
            runtime_env=runtime_env,
        )
        self._factory = agent_factory
        self._actors: list[Any] = [self._start() for _ in range(workers)]
        self.replaced = 0
        """Actors started to replace ones that died."""

    def _start(self) -> Any:
        return self._actor_class.remote(self.settings, self._factory, self.envs_per_worker)

    @property
    def actors(self) -> list[Any]:
        """The live actor handles (for monitoring, or to test failure handling)."""
        return list(self._actors)

    # ------------------------------------------------------------------ playing
    def map(self, specs: Sequence[EpisodeSpec]) -> list[Result]:
        """Every spec's record (or error), in the order of ``specs``."""
        results: dict[int, Result] = dict(self._play(specs))
        return [results[index] for index in range(len(specs))]

    def run(self, specs: Sequence[EpisodeSpec]) -> Iterator[Result]:
        """Each spec's record (or error) as soon as its episode ends."""
        for _, result in self._play(specs):
            yield result

    def _play(self, specs: Sequence[EpisodeSpec]) -> Iterator[tuple[int, Result]]:
        ray = self._ray
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

        lost = (RayActorError, ActorDiedError, ActorUnavailableError)
        size = self.episodes_per_call or episodes_per_call(
            self.settings, len(specs), len(self._actors), self._factory
        )
        todo = deque(range(len(specs)))
        attempts: Counter[int] = Counter()
        # An actor's death fails every call it had in flight, so it cannot say which episode
        # killed it. Episodes lost that way become suspects: each is replayed alone on an actor
        # given nothing else until it returns, and only a death there counts against it.
        suspects: set[int] = set()
        isolating: set[Any] = set()
        # Each actor is otherwise kept one call ahead of what it can play, so it never idles
        # waiting for the driver between two calls.
        depth = self.envs_per_worker + 1
        flight: dict[Any, tuple[Any, list[int], bool]] = {}
        load: Counter[Any] = Counter()
        while todo or flight:
            for actor in self._actors:
                while todo and load[actor] < depth and actor not in isolating:
                    if todo[0] in suspects:
                        if load[actor]:
                            break
                        isolating.add(actor)
                        batch = [todo.popleft()]
                    else:
                        batch = [todo.popleft()]
                        while todo and len(batch) < size and todo[0] not in suspects:
                            batch.append(todo.popleft())
                    call = actor.play.remote([specs[index] for index in batch])
                    flight[call] = (actor, batch, actor in isolating)
                    load[actor] += 1
            (ready,), _ = ray.wait(list(flight), num_returns=1)
            actor, batch, alone = flight.pop(ready)
            load[actor] -= 1
            if alone:
                isolating.discard(actor)
            try:
                results = ray.get(ready)
            except lost as exc:
                self._replace(actor)
                if not alone:
                    suspects.update(batch)
                    todo.extendleft(reversed(batch))
                    continue
                (index,) = batch
                attempts[index] += 1
                if attempts[index] < self.max_attempts:
                    todo.appendleft(index)
                    continue
                spec = specs[index]
                results = [
                    EpisodeError(
                        spec.key,
                        f"{spec.key}: lost with its actor {attempts[index]} times "
                        f"({type(exc).__name__}); given up",
                    )
                ]
            yield from zip(batch, results, strict=True)

    def _replace(self, actor: Any) -> None:
        """Swap a dead actor for a fresh one (once, however many of its episodes report it)."""
        if actor not in self._actors:
            return
        self._actors[self._actors.index(actor)] = self._start()
        self.replaced += 1
        self._ray.kill(actor, no_restart=True)

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Stop the actors, and the Ray instance if this pool started it."""
        for actor in self._actors:
            self._ray.kill(actor, no_restart=True)
        self._actors = []
        if self._owns_ray:
            self._ray.shutdown()
            self._owns_ray = False

    def __enter__(self) -> RolloutPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def play_on_ray(config: EvalConfig, specs: Sequence[EpisodeSpec]) -> Iterator[Result]:
    """The evaluation's ``ray`` backend: ``specs`` on a pool sized for the run."""
    with RolloutPool(
        config.settings(),
        workers=min(config.workers, len(specs)),
        envs_per_worker=config.envs_per_worker,
        address=config.address,
    ) as pool:
        yield from pool.run(specs)


def rollout_specs(
    env_id: str, seeds: Iterable[int], *, faults: str = CLEAN, trials: int = 1
) -> list[EpisodeSpec]:
    """The specs of ``trials`` episodes per task seed of ``env_id`` under one fault plan
    (a preset name, or a plan label that the pool's ``Settings.plans`` maps to a file)."""
    return [
        EpisodeSpec(env_id, int(seed), faults, trial) for seed in seeds for trial in range(trials)
    ]
