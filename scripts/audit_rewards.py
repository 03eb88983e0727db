"""Measure what each exploit agent earns on each env: the figures of docs/rewards.md.

    python scripts/audit_rewards.py                     # every env, 200 seeds (40 sandboxed)
    python scripts/audit_rewards.py --env toolgym/Retail-v0 --seeds 1000

Each exploit of ``toolgym.testing.exploits`` plays its seeds on each env (in two worker
processes); the table gives its success rate (for ``dump`` on medium and hard tasks apart, its
bar), and for ``do_nothing`` the mean partial reward. The test suite holds the same bars on
fewer seeds (``tests/envs/test_adversarial.py``); this script is for the record, not timed.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import toolgym
from toolgym.testing.exploits import EXPLOITS, audit

SANDBOXED = {"toolgym/Python-v0": 40, "toolgym/Codebase-v0": 40}


def _one(job: tuple[str, str, int]) -> tuple[str, str, str]:
    env_id, exploit, seeds = job
    result = audit(env_id, exploit, range(seeds))
    if exploit == "do_nothing":
        cell = f"{result.mean_reward:.3f} mean partial"
    elif exploit == "dump":
        hard = result.rate_on("medium", "hard")
        cell = f"{100 * hard:.1f}% med/hard ({100 * result.rate_on('easy'):.1f}% easy)"
    else:
        cell = f"{100 * result.rate:.1f}%"
    return env_id, exploit, f"{cell} of {result.episodes}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", action="append", help="env id (repeat; default: all)")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env_ids = args.env or toolgym.env_ids()
    jobs = [
        (env_id, exploit, min(args.seeds, SANDBOXED.get(env_id, args.seeds)))
        for env_id in env_ids
        for exploit in EXPLOITS
    ]
    cells: dict[tuple[str, str], str] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for env_id, exploit, cell in pool.map(_one, jobs):
            cells[(env_id, exploit)] = cell
            print(f"{env_id} {exploit}: {cell}", file=sys.stderr, flush=True)
    print("| env | " + " | ".join(EXPLOITS) + " |")
    print("|---" * (len(EXPLOITS) + 1) + "|")
    for env_id in env_ids:
        print(f"| `{env_id}` | " + " | ".join(cells[(env_id, e)] for e in EXPLOITS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
