"""`make bench`: how cost grows with the number of concurrent episodes.

For 1, 64, 256 and 1,000 episodes at once, in Gymnasium's
`SyncVectorEnv` (every env in this process: worlds are shared, each keeps its own writes),
`AsyncVectorEnv` (one process per env, so only up to 64 here: each process holds its own
interpreter and world), and a `RolloutPool` of 2 Ray actors holding the envs between them.
Each configuration runs in a fresh interpreter, so its peak RSS (the process's, plus its
children's for the async and Ray runs) is its own; the extra memory per env is the peak minus
one env's, over the env count ("own" counts this process alone, without the sandboxed
interpreters that Python tasks start as processes of their own). An episode here is the
cheapest there is (a reset, then the final answer), so the figure is each interface's own
overhead per episode; a real episode adds the cost of its steps (see bench_envs). Episodes
per second count several rounds of N, start-up excluded. Retail-v0 is the cheap API world;
Workspace-v0 holds every toolkit but Codebase (66 tools).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

COUNTS = (1, 64, 256, 1000)
ASYNC_MAX = 64


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_mb(ray_actors: bool = False) -> float:
    """RSS of this process and its descendants (and of Ray's workers): what the run holds."""
    pids, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        pid = frontier.pop()
        for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}/task") else ():
            try:
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    kids = [int(k) for k in handle.read().split()]
            except OSError:
                kids = []
            for kid in kids:
                if kid not in pids:
                    pids.add(kid)
                    frontier.append(kid)
    if ray_actors:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as handle:
                        if b"ray::" in handle.read():
                            pids.add(int(entry))
                except OSError:
                    pass
    return sum(_rss_mb(pid) for pid in pids)


def _peak_mb(children: bool) -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return max(own, _tree_mb()) if children else own


def _play_vector(env_id: str, count: int, mode: str, rounds: int) -> dict[str, Any]:
    import gymnasium as gym

    import toolgym  # noqa: F401  (registers the ids)

    def make() -> gym.Env:
        return gym.make(env_id)

    disabled = gym.vector.AutoresetMode.DISABLED
    if mode == "sync":
        envs = gym.vector.SyncVectorEnv([make] * count, autoreset_mode=disabled)
    else:
        envs = gym.vector.AsyncVectorEnv(
            [make] * count, shared_memory=False, autoreset_mode=disabled
        )
    start = time.perf_counter()
    envs.reset(seed=list(range(count)))
    built = time.perf_counter() - start
    held, own = _tree_mb(), _rss_mb(os.getpid())
    start = time.perf_counter()
    for k in range(rounds):  # each episode: a reset, then the final answer
        envs.step(tuple("Done." for _ in range(count)))
        envs.reset(seed=[count * (k + 1) + i for i in range(count)])
        held, own = max(held, _tree_mb()), max(own, _rss_mb(os.getpid()))
    seconds = time.perf_counter() - start
    envs.close()
    return {
        "episodes_per_s": count * rounds / seconds,
        "build_s": built,
        "peak_mb": max(held, _peak_mb(children=mode == "async")),
        "own_mb": own,
    }


def _play_ray(env_id: str, count: int, rounds: int) -> dict[str, Any] | None:
    try:
        import ray
    except ImportError:
        return None
    from toolgym.distributed import RolloutPool, rollout_specs
    from toolgym.evaluation import Settings

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    try:
        specs = rollout_specs(env_id, range(count * rounds))
        settings = Settings("noop")
        with RolloutPool(settings, workers=2, envs_per_worker=max(1, count // 2)) as pool:
            list(pool.run(specs[: min(len(specs), 4)]))  # actors up and their worlds built
            start = time.perf_counter()
            done = len(list(pool.run(specs)))
            seconds = time.perf_counter() - start
            held = _tree_mb(ray_actors=True)
        return {"episodes_per_s": done / seconds, "peak_mb": held}
    finally:
        ray.shutdown()


def _child(env_id: str, count: int, backend: str, rounds: int) -> dict[str, Any] | None:
    """One configuration in a fresh interpreter (its own peak RSS)."""
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); import bench_concurrency as b; "
        f"print(json.dumps(b._run({env_id!r}, {count}, {backend!r}, {rounds})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=3600, check=False
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run(env_id: str, count: int, backend: str, rounds: int) -> dict[str, Any] | None:
    if backend == "ray":
        return _play_ray(env_id, count, rounds)
    return _play_vector(env_id, count, backend, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    quick = bool(os.environ.get("TOOLGYM_BENCH_QUICK"))
    parser.add_argument("--env", action="append", default=None)
    parser.add_argument("--counts", default="1,8" if quick else ",".join(map(str, COUNTS)))
    parser.add_argument("--no-ray", action="store_true")
    args, _ = parser.parse_known_args()
    default_envs = ["toolgym/Retail-v0"] if quick else ["toolgym/Retail-v0", "toolgym/Workspace-v0"]
    env_ids = args.env or default_envs
    counts = [int(c) for c in args.counts.split(",")]
    backends = ["sync", "async"] + ([] if args.no_ray or quick else ["ray"])
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    header = (
        f"{'env':22} {'backend':7} {'envs':>5} {'episodes/s':>11} {'peak MB':>9} {'MB/env':>8} "
        f"{'own MB/env':>10}"
    )
    print(header)
    for env_id in env_ids:
        single: dict[str, float] = {}
        single_own: dict[str, float] = {}
        for backend in backends:
            for count in counts:
                if backend == "async" and count > ASYNC_MAX:
                    print(f"{env_id:22} {backend:7} {count:>5}  (one process per env: not run)")
                    continue
                rounds = 3 if count <= 64 else 1
                found = _child(env_id, count, backend, rounds)
                if found is None:
                    print(f"{env_id:22} {backend:7} {count:>5}  (ray not installed)")
                    continue
                if "error" in found:
                    print(f"{env_id:22} {backend:7} {count:>5}  failed: {found['error']}")
                    continue
                peak, own = found["peak_mb"], found.get("own_mb")
                single.setdefault(backend, peak)
                per = (peak - single[backend]) / (count - 1) if count > 1 else 0.0
                own_text = "-"
                if own is not None:
                    single_own.setdefault(backend, own)
                    own_per = (own - single_own[backend]) / (count - 1) if count > 1 else 0.0
                    own_text = f"{own_per:.2f}"
                print(
                    f"{env_id:22} {backend:7} {count:>5} {found['episodes_per_s']:>11.1f} "
                    f"{peak:>9.0f} {per:>8.2f} {own_text:>10}"
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
