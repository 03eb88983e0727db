"""Sandbox latency: a trivial ``run_python`` through the warm worker, against a cold start.

The target is a median of at most 1 ms for the warm round trip (tool call -> sandbox ->
worker -> back); a cold start (a new sandboxed Python per call) is shown for comparison.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import gymnasium as gym

import toolgym  # noqa: F401  (registers the environments)
from toolgym.sandbox import bubblewrap_available
from toolgym.toolkits.python import PythonToolkit

TARGET_MS = 1.0


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    toolkit = PythonToolkit()
    toolkit.stage({})
    run_python = {t.name: t for t in toolkit.tools()}["run_python"]
    run_python({"code": "0"})
    box = toolkit.sandbox
    warm_tool = median_ms(lambda: run_python({"code": "1 + 1"}), 1000)
    warm_worker = median_ms(lambda: box.execute("1 + 1"), 1000)
    cold = median_ms(lambda: box.run(["python", "-c", "pass"]), 20)
    toolkit.close()

    env = gym.make("toolgym/Python-v0")
    env.reset(seed=0)
    reset = median_ms(lambda: env.reset(seed=1), 20)
    call = {"tool_calls": [{"id": "c", "name": "run_python", "arguments": {"code": "1 + 1"}}]}
    steps = []
    for seed in range(10):
        env.reset(seed=seed)
        env.step(call)
        steps.append(median_ms(lambda: env.step(call), 20))
    step = statistics.median(steps)
    env.close()

    mode = "bubblewrap namespaces" if bubblewrap_available() else "no namespaces"
    verdict = "ok" if warm_tool <= TARGET_MS else f"ABOVE the {TARGET_MS:g} ms target"
    print(f"sandbox mode: {mode}")
    print(f"run_python, warm worker (tool call)  median {warm_tool:7.3f} ms  [{verdict}]")
    print(f"warm worker round trip (execute)      median {warm_worker:7.3f} ms")
    print(f"cold start (new sandboxed Python)      median {cold:7.3f} ms")
    print(f"Python-v0 reset (task + fresh kernel)  median {reset:7.3f} ms")
    print(f"Python-v0 step (one run_python call)   median {step:7.3f} ms")


if __name__ == "__main__":
    main()
