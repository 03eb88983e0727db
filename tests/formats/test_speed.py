"""Parsing is per-step overhead in training loops: tens of microseconds, not milliseconds."""

from __future__ import annotations

import timeit

import pytest

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats import get, names

TURN = AgentTurn(
    thinking="The customer gave their email, so I look them up first.",
    tool_calls=[ToolCall("", "list_orders", {"customer_id": "C-10234", "status": "pending"})],
)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", names())
def test_parse_and_render_are_fast(fmt: str) -> None:
    f = get(fmt)
    completion = f.render_turn(TURN)
    parse = min(timeit.repeat(lambda: f.parse(completion), number=500, repeat=5)) / 500
    render = min(timeit.repeat(lambda: f.render_turn(TURN), number=500, repeat=5)) / 500
    # Measured at 9-24 µs (parse) and 2-6 µs (render); the bound leaves room for a busy machine.
    assert parse < 250e-6 and render < 100e-6, (parse, render)
