"""`make bench`: evaluation throughput on 1 and 2 processes and on Ray with 2 workers.

The same oracle episodes (one env, one fault preset, consecutive task seeds) are played three
ways, one after the other in one run: in this process, by the local backend's 2 worker
processes, and by a `RolloutPool` of 2 Ray actors (not counting the start of the local Ray
instance itself). Two figures per backend:

- end to end: episodes per second over the whole call, start-up included (worker processes,
  their imports, their environments' first build);
- steady: episodes per second after the first record arrives, the rate a long run settles at.

Speed-up is against 1 process; "vs ideal" is speed-up over the worker count (100% is perfect
scaling). Bank-v0 under `heavy` costs a few milliseconds an episode, so the per-episode
overhead of each backend shows; a model agent's episodes take seconds and hide it.

The machine's load average is printed before and after: on a shared 2-core machine, other
work takes cores away from the 2-worker runs and the figures say so.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from toolgym.distributed import rollout_specs
from toolgym.evaluation import Settings, run_episodes


class Timing:
    """One backend's run: total seconds, seconds to the first record, and the records."""

    def __init__(self, label: str, workers: int, play: Callable[[], Iterable[Any]]) -> None:
        self.label, self.workers = label, workers
        start = time.perf_counter()
        self.records: list[Any] = []
        self.first = 0.0
        for record in play():
            if not self.records:
                self.first = time.perf_counter() - start
            self.records.append(record)
        self.total = time.perf_counter() - start

    def rates(self) -> tuple[float, float]:
        """(end-to-end, steady) episodes per second."""
        count = len(self.records)
        return count / self.total, (count - 1) / max(self.total - self.first, 1e-9)


def ray_timing(specs: list[Any], settings: Settings, workers: int) -> Timing | None:
    try:
        import ray
    except ImportError:
        return None
    from toolgym.distributed import RolloutPool

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING)
    try:

        def play() -> Iterable[Any]:
            with RolloutPool(settings, workers=workers) as pool:
                yield from pool.run(specs)

        return Timing("Ray, 2 workers", workers, play)
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    quick = bool(os.environ.get("TOOLGYM_BENCH_QUICK"))
    parser.add_argument("--env", default="toolgym/Bank-v0")
    parser.add_argument("--faults", default="heavy")
    parser.add_argument("--episodes", type=int, default=60 if quick else 2000)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray measurement")
    args, _ = parser.parse_known_args()

    specs = rollout_specs(args.env, range(args.episodes), faults=args.faults)
    settings = Settings("oracle")
    load_before = os.getloadavg()[0]
    runs = [
        Timing("1 process", 1, lambda: run_episodes(specs, settings, workers=1)),
        Timing("2 processes", 2, lambda: run_episodes(specs, settings, workers=2)),
    ]
    measured = None if args.no_ray else ray_timing(specs, settings, 2)
    if measured is not None:
        runs.append(measured)
    load_after = os.getloadavg()[0]

    print(
        f"{args.episodes} oracle episodes of {args.env} under faults {args.faults!r}; "
        f"load average {load_before:.2f} before, {load_after:.2f} after (2 cores)"
    )
    print(
        f"{'backend':<16}{'start-up s':>11}{'end-to-end/s':>14}{'speed-up':>10}{'vs ideal':>10}"
        f"{'steady/s':>10}{'speed-up':>10}{'vs ideal':>10}"
    )
    base_total, base_steady = runs[0].rates()
    for run in runs:
        total, steady = run.rates()
        print(
            f"{run.label:<16}{run.first:>11.2f}{total:>14.1f}{total / base_total:>9.2f}x"
            f"{total / base_total / run.workers:>10.0%}{steady:>10.1f}"
            f"{steady / base_steady:>9.2f}x{steady / base_steady / run.workers:>10.0%}"
        )
    if measured is None and not args.no_ray:
        print("Ray: not installed (pip install 'toolgym[ray]'), not measured")
    expected = sorted(runs[0].records, key=_key)
    same = all(sorted(run.records, key=_key) == expected for run in runs)
    print(f"records identical across backends: {'yes' if same else 'NO'}")


def _key(record: Any) -> str:
    return record["key"]


if __name__ == "__main__":
    main()
