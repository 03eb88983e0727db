"""Microseconds per parse and render of a typical turn, for every tool-call format.

A typical turn: two sentences of thinking and one call with two arguments; parsed with the
Retail toolset given (as ``TextActions`` does). ``make bench`` runs it, or
``python benchmarks/bench_formats.py``.
"""

from __future__ import annotations

import json
import os
import timeit

import gymnasium as gym

import toolgym
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats import get, names

TURN = AgentTurn(
    thinking="The customer gave their email, so I look them up first. Then I read the order.",
    tool_calls=[ToolCall("", "list_orders", {"customer_id": "C-10234", "status": "pending"})],
)
RESULT = {
    "role": "tool",
    "tool_call_id": "call_1_0",
    "name": "list_orders",
    "content": json.dumps([{"order_id": f"#W10{i}", "status": "pending"} for i in range(3)]),
}


NUMBER = 100 if os.environ.get("TOOLGYM_BENCH_QUICK") else 2000


def per_call(fn, number: int = NUMBER) -> float:
    """Best of five runs, in microseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


WIDTHS = (8, 12, 12, 8)


def timings(name: str, info: dict) -> tuple[float, ...]:
    """parse, render_turn, render_observation and render_prompt of one format, in µs."""
    fmt, tools = get(name), info["tools"]
    completion = fmt.render_turn(TURN)
    assert fmt.parse(completion, tools, validate=False)[1] == ["ok"]
    return (
        per_call(lambda: fmt.parse(completion, tools, validate=False)),
        per_call(lambda: fmt.render_turn(TURN)),
        per_call(lambda: fmt.render_observation([RESULT])),
        per_call(lambda: fmt.render_prompt(info["messages"], tools), 200),
    )


def main() -> None:
    env = gym.make("toolgym/Retail-v0")
    _, info = env.reset(seed=0)
    print(f"{'format':10} {'parse':>8} {'render_turn':>12} {'observation':>12} {'prompt':>8}  (µs)")
    for name in names():
        cells = zip(timings(name, info), WIDTHS, strict=True)
        print(f"{name:10}" + "".join(f" {t:>{w}.1f}" for t, w in cells))
    # One long episode (no truncation), so every timed step is a real step.
    text_env = gym.make("toolgym/Retail-v0", format="hermes", max_turns=10**9)
    structured = gym.make("toolgym/Retail-v0", max_turns=10**9)
    turn = AgentTurn(tool_calls=[ToolCall("a", "get_order", {"order_id": "#W0000000"})])
    completion = get("hermes").render_turn(turn)
    text_env.reset(seed=0)
    structured.reset(seed=0)
    text_step = per_call(lambda: text_env.step(completion), 500)
    plain_step = per_call(lambda: structured.step(turn), 500)
    print(f"step: structured {plain_step:.1f} µs, TextActions(hermes) {text_step:.1f} µs")


if __name__ == "__main__":
    toolgym.register_envs()
    main()
