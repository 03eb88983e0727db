"""Thinking: <think> blocks and each format's own reasoning field become AgentTurn.thinking,
and calls written inside a thought are not calls unless the format is told otherwise."""

from __future__ import annotations

import pytest

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats import get, names, split_thinking

PLAN = AgentTurn(tool_calls=[ToolCall("", "cancel_order", {"order_id": "A1"})])
ACT = AgentTurn(tool_calls=[ToolCall("", "get_order", {"order_id": "A1"})])


@pytest.mark.parametrize("fmt", names())
def test_calls_inside_thinking_run_only_when_asked(fmt: str) -> None:
    """A thought holding a whole reply of the format: run only with ``calls_in_thinking``."""
    completion = f"<think>{get(fmt).render_turn(PLAN)}</think>\n{get(fmt).render_turn(ACT)}"
    turn, statuses = get(fmt).parse(completion)
    assert [c.name for c in turn.tool_calls] == ["get_order"] and statuses == ["ok"]
    assert "cancel_order" in turn.thinking
    turn, statuses = get(fmt, calls_in_thinking=True).parse(completion)
    assert [c.name for c in turn.tool_calls] == ["cancel_order", "get_order"]
    assert statuses == ["ok", "ok"]


@pytest.mark.parametrize("fmt", names())
def test_prose_thinking_is_never_an_error(fmt: str) -> None:
    completion = "<think>I could call a tool, but I know the answer.</think>" + get(
        fmt
    ).render_turn(AgentTurn(content="It shipped."))
    for option in (False, True):
        turn, statuses = get(fmt, calls_in_thinking=option).parse(completion)
        assert (turn.content, statuses) == ("It shipped.", [])
        assert turn.thinking == "I could call a tool, but I know the answer."


@pytest.mark.parametrize(
    ("fmt", "completion", "thinking"),
    [
        ("react", "<think>a</think>\nThought: b\nFinal Answer: c", "a\n\nb"),
        ("json", '<think>a</think>{"thought": "b", "answer": "c"}', "a\n\nb"),
        ("openai", '<think>a</think>{"reasoning_content": "b", "content": "c"}', "a\n\nb"),
        ("xml", "<thinking>a</thinking><think>b</think>c", "a\n\nb"),
        ("hermes", "<think>a</think>c<think>b</think>", "a\n\nb"),
    ],
)
def test_every_reasoning_field_is_thinking(fmt: str, completion: str, thinking: str) -> None:
    turn, statuses = get(fmt).parse(completion)
    assert (turn.thinking, turn.content, statuses) == (thinking, "c", [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no tags", ("", "no tags", None)),
        ("<think>a</think>b", ("a", "b", None)),
        ("a</think>b", ("a", "b", None)),
        ("x<think>a</think>y<think>b</think>z", ("a\n\nb", "xyz", None)),
        ("x<think>a", ("a", "x", "think")),
        ("<think></think>b", ("", "b", None)),
    ],
)
def test_split_thinking(text: str, expected: tuple) -> None:
    assert split_thinking(text) == expected
