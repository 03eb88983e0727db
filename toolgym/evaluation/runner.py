"""Running an evaluation: plan the episodes, play them in parallel processes, store each one.

Every perturbed episode is planned beside its clean twin (same env, task seed and trial), so
the robustness gap is measured on the same tasks. Episodes run in worker processes, each keeping
its environments built; results are written as they finish and the file is put back in plan
order at the end. Ctrl-C stops the run between episodes and leaves everything finished on disk.
"""

from __future__ import annotations

import importlib
import importlib.util
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from toolgym.agents.factory import validate_agent
from toolgym.envs.registry import env_ids
from toolgym.evaluation.episode import (
    AgentFactory,
    EpisodeError,
    EpisodeSpec,
    Settings,
    Workbench,
    episodes_per_call,
    fault_plans,
    play_episode,
)
from toolgym.evaluation.store import TrajectoryStore

__all__ = [
    "BACKENDS",
    "EvalConfig",
    "EvalOutcome",
    "EvaluationError",
    "RunObserver",
    "evaluate",
    "planned_episodes",
    "play_locally",
    "run_episodes",
]

# Where episodes are played, name -> "module:function" (imported only when chosen). Each takes
# the run's config and the specs to play and yields records or errors as episodes finish.
BACKENDS: dict[str, str] = {
    "local": "toolgym.evaluation.runner:play_locally",
    "ray": "toolgym.distributed.pool:play_on_ray",
}


class EvaluationError(RuntimeError):
    """The run cannot go on (a model server that rejects the key, a setting that conflicts)."""


@dataclass
class EvalConfig:
    """What to evaluate.

    Args:
        envs: environment ids; ``"all"`` stands for every registered one.
        agent: ``oracle``, ``random``, ``noop`` or ``openai:MODEL``.
        faults: fault presets or plan files (YAML/JSON) to compare; the clean preset
            ``none`` is always run too, as every perturbed episode's twin.
        episodes: tasks per environment (task seeds ``seed .. seed + episodes - 1``).
        trials: runs of each (task, faults) pair, for pass^k.
        seed: the first task seed.
        workers: processes playing episodes at once (1: in this process), or Ray actors.
        max_turns / format / agent_options: how each episode is built and played.
        backend: ``"local"`` (this machine's processes) or ``"ray"`` (actors of a Ray cluster:
            ``address`` names an existing one, else a local one is started; each actor plays
            ``envs_per_worker`` episodes at once). Records are the same bytes either way.
    """

    envs: Sequence[str] = ("toolgym/Retail-v0",)
    agent: str = "oracle"
    faults: Sequence[str] = ()
    episodes: int = 20
    trials: int = 1
    seed: int = 0
    workers: int = 1
    max_turns: int = 30
    format: str | None = None
    agent_options: dict[str, Any] = field(default_factory=dict)
    backend: str = "local"
    address: str | None = None
    envs_per_worker: int = 1
    plans: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        validate_agent(self.agent)
        for name, value, low in (
            ("episodes", self.episodes, 1),
            ("trials", self.trials, 1),
            ("workers", self.workers, 1),
            ("max_turns", self.max_turns, 1),
            ("envs_per_worker", self.envs_per_worker, 1),
        ):
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")
        self._check_backend()
        known = env_ids()
        envs: list[str] = []
        for env in self.envs:
            for env_id in known if env == "all" else [env]:
                if env_id not in known:
                    raise ValueError(f"unknown env {env_id!r}; choose from {known} or 'all'")
                if env_id not in envs:
                    envs.append(env_id)
        if not envs:
            raise ValueError("envs is empty: name at least one environment id, or 'all'")
        self.envs = envs
        self.plans = fault_plans(self.faults, clean=True)
        self.faults = list(self.plans.values())
        if self.format is not None:
            from toolgym.formats import get

            get(self.format)

    def _check_backend(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {sorted(BACKENDS)}, got {self.backend!r}")
        if self.backend == "local" and (self.address is not None or self.envs_per_worker != 1):
            raise ValueError(
                "address and envs_per_worker are settings of the Ray backend: add backend='ray' "
                "(--backend ray)"
            )
        if self.backend == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError(
                "the Ray backend needs Ray, which is not installed: pip install 'toolgym[ray]'"
            )

    @property
    def labels(self) -> list[str]:
        """The fault plans' names as records carry them, ``none`` first."""
        return list(self.plans)

    def settings(self) -> Settings:
        return Settings(
            self.agent, self.max_turns, self.format, dict(self.plans), dict(self.agent_options)
        )

    def specs(self) -> list[EpisodeSpec]:
        """Every episode of the run in its canonical order: twins side by side."""
        return [
            EpisodeSpec(env, self.seed + index, label, trial)
            for env in self.envs
            for index in range(self.episodes)
            for label in self.labels
            for trial in range(self.trials)
        ]

    def manifest(self) -> dict[str, Any]:
        """The settings a run directory remembers (no secrets: keys stay in the environment)."""
        data = asdict(self)
        del data["plans"]
        data["envs"] = list(self.envs)
        data["faults"] = list(self.faults)
        return data


def planned_episodes(manifest: dict[str, Any]) -> int:
    """How many episodes the run a ``run.json`` describes plans (read as is: a plan file it
    names need not exist any more)."""
    return (
        len(manifest["envs"]) * manifest["episodes"] * len(manifest["faults"]) * manifest["trials"]
    )


class RunObserver:
    """What a caller of :func:`evaluate` can watch (a progress bar); every method is optional."""

    def started(self, planned: int, finished: Sequence[dict[str, Any]]) -> None:
        """Before the first episode: the run's size and the records already on disk."""

    def recorded(self, record: dict[str, Any]) -> None:
        """An episode finished and its record is stored."""

    def failed(self, error: EpisodeError) -> None:
        """An episode raised; it is not recorded and a rerun tries it again."""


@dataclass
class EvalOutcome:
    """How a call to :func:`evaluate` went; the episodes themselves are in the store."""

    planned: int
    skipped: int
    recorded: int
    errors: list[EpisodeError]
    interrupted: bool


# Settings that change what an episode *is*: resuming with other values would mix two runs.
_FIXED = ("agent", "max_turns", "format", "agent_options")


def evaluate(
    config: EvalConfig, out: str | os.PathLike[str], observer: RunObserver | None = None
) -> EvalOutcome:
    """Play every planned episode not yet in ``out`` and append its record there.

    A fatal error (the model server rejects the key) stops the run with
    :class:`EvaluationError`; Ctrl-C stops it with ``interrupted=True``. Either way what
    finished is on disk and the file is in plan order. Resuming a directory written with
    another agent, turn limit, format or agent options is a ``ValueError``: it would mix runs.
    """
    observer = observer or RunObserver()
    store = TrajectoryStore(out)
    _check_resume(store, config)
    store.open()
    store.write_manifest(config.manifest())
    specs = config.specs()
    planned = {spec.key for spec in specs}
    finished = [record for record in store.records() if record["key"] in planned]
    done = {record["key"] for record in finished}
    todo = [spec for spec in specs if spec.key not in done]
    outcome = EvalOutcome(len(specs), len(done), 0, [], False)
    observer.started(len(specs), finished)
    try:
        for result in _episodes(config, todo):
            if isinstance(result, EpisodeError):
                outcome.errors.append(result)
                observer.failed(result)
                if result.fatal:
                    raise EvaluationError(result.message)
                continue
            store.append(result)
            outcome.recorded += 1
            observer.recorded(result)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        store.canonicalize([spec.key for spec in specs])
    return outcome


def _check_resume(store: TrajectoryStore, config: EvalConfig) -> None:
    previous = store.manifest()
    if previous is None:
        return
    current = config.manifest()
    for name in _FIXED:
        if previous.get(name) != current[name]:
            raise ValueError(
                f"{store.directory} holds a run with {name}={previous.get(name)!r}, not "
                f"{current[name]!r}: resume with the same {name}, or write to another --out"
            )


def _episodes(
    config: EvalConfig, specs: Sequence[EpisodeSpec]
) -> Iterator[dict[str, Any] | EpisodeError]:
    """The planned episodes played on the configured backend, as they finish."""
    if not specs:
        return iter(())
    module, name = BACKENDS[config.backend].split(":")
    return getattr(importlib.import_module(module), name)(config, specs)


def play_locally(
    config: EvalConfig, specs: Sequence[EpisodeSpec]
) -> Iterator[dict[str, Any] | EpisodeError]:
    """The ``local`` backend: this machine's processes."""
    return run_episodes(specs, config.settings(), workers=config.workers)


def run_episodes(
    specs: Sequence[EpisodeSpec],
    settings: Settings,
    *,
    workers: int = 1,
    agent_factory: AgentFactory | None = None,
) -> Iterator[dict[str, Any] | EpisodeError]:
    """Each spec's record (or error), as episodes finish; with one worker, in spec order.

    ``agent_factory`` plays a policy of the caller's own instead of ``settings.agent`` (with
    several workers it must pickle: a module-level function or class).
    """
    if workers <= 1 or len(specs) <= 1:
        bench = Workbench(settings, agent_factory)
        try:
            for spec in specs:
                yield play_episode(bench, spec)
        finally:
            bench.close()
        return
    pool = _worker_context().Pool(
        min(workers, len(specs)), initializer=_start_worker, initargs=(settings, agent_factory)
    )
    try:
        chunk = episodes_per_call(settings, len(specs), workers, agent_factory)
        yield from pool.imap_unordered(_play_in_worker, specs, chunksize=chunk)
        pool.close()
    finally:
        # Also on Ctrl-C or an abandoned generator: episodes in flight are dropped, not waited for.
        pool.terminate()
        pool.join()


def _worker_context() -> multiprocessing.context.BaseContext:
    """Forkserver where there is one (never fork a threaded parent), with toolgym imported once
    in the server so every worker starts from a warm copy instead of importing it again."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["toolgym.evaluation.runner", "toolgym.envs"])
    return context


_BENCH: Workbench | None = None


def _start_worker(settings: Settings, agent_factory: AgentFactory | None) -> None:
    """Worker setup: Ctrl-C is the parent's to handle; environments are built on first use."""
    global _BENCH
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _BENCH = Workbench(settings, agent_factory)


def _play_in_worker(spec: EpisodeSpec) -> dict[str, Any] | EpisodeError:
    assert _BENCH is not None, "worker not initialised"
    return play_episode(_BENCH, spec)
