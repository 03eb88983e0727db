"""Fault randomness: numbered streams of one seeded generator, independent of each other."""

from __future__ import annotations

import gymnasium as gym

from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.faults.draws import RESERVED, Gates, Streams


def test_streams_are_addressed_not_consumed() -> None:
    streams = Streams(2024)
    first = streams.draw(2, 7, 5)
    other = streams.draw(3, 1, 5)
    assert streams.draw(2, 7, 5) == first  # going back rewinds
    assert streams.draw(2, 7, 3, skip=2) == first[2:]
    assert first != other and Streams(2024).draw(3, 1, 5) == other
    assert Streams(2025).draw(2, 7, 5) != first
    assert all(0.0 <= x < 1.0 for x in first + other)


def test_gate_blocks_do_not_overlap() -> None:
    gates = Gates(Streams(1), region=2, faults=3, per_chunk=4)
    blocks = []
    for number in range(10):
        words, start = gates.block(number)
        blocks.append(tuple(words[start : start + 3 * RESERVED]))
    assert len(set(blocks)) == 10 and all(len(b) == 3 * RESERVED for b in blocks)


def _tools(plan: list[dict], seed: int) -> list[str]:
    env = gym.make("toolgym/Retail-v0")
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=plan))]
    _, info = env.reset(seed=seed)
    return [t["function"]["name"] for t in info["tools"]]


def test_a_fault_draws_the_same_whatever_comes_after_it_in_the_plan() -> None:
    alone = [{"fault": "synonym_tool_names", "probability": 0.5}, {"fault": "reordered_tools"}]
    with_more = [*alone, {"fault": "persona_variant"}, {"fault": "transient_error"}]
    for seed in range(10):
        assert _tools(alone, seed) == _tools(with_more, seed)
