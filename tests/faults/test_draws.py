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
    gates = Gates(Streams(1), region=2, probabilities=[0.5] * 3, per_chunk=4)
    blocks = []
    for number in range(10):
        words, start, _ = gates.block(number)
        blocks.append(tuple(words[start : start + 3 * RESERVED].tolist()))
    assert len(set(blocks)) == 10 and all(len(b) == 3 * RESERVED for b in blocks)


def test_open_gates_are_those_whose_draw_is_under_their_probability() -> None:
    probabilities = [0.0, 0.3, 0.5, 0.9, 1.0]
    gates = Gates(Streams(7), region=2, probabilities=probabilities, per_chunk=8)
    seen = set()
    for number in range(40):
        words, start, open_slots = gates.block(number)
        expected = [
            slot for slot, p in enumerate(probabilities) if words[start + slot * RESERVED] < p
        ]
        assert open_slots == expected
        seen.update(open_slots)
    assert 0 not in seen and {1, 2, 3, 4} <= seen


def test_no_gates_draw_nothing() -> None:
    words, start, open_slots = Gates(Streams(7), region=1, probabilities=[]).block(5)
    assert len(words) == 0 and start == 0 and open_slots == []


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
