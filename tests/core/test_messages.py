from __future__ import annotations

import json

import pytest

from toolgym.core.messages import AgentTurn, Message, ToolCall, coerce_turn, decode_arguments


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"a": 1}, {"a": 1}),
        ('{"a": 1}', {"a": 1}),
        (json.dumps(json.dumps({"a": [1, "ü"]})), {"a": [1, "ü"]}),
        ("", {}),
        ("  ", {}),
        ("null", {}),
        (None, {}),
    ],
)
def test_decode_arguments_accepts_objects_text_and_double_encoding(raw, expected) -> None:
    assert decode_arguments(raw) == (expected, "ok", "")


@pytest.mark.parametrize(
    ("raw", "status", "fragment"),
    [
        ('{"a": 1', "invalid_json", "line 1 column 8"),
        ("{'a': 1}", "invalid_json", "Expecting property name"),
        ('"{\\"a\\": "', "invalid_json", "not valid JSON"),
        ("[1, 2]", "schema_violation", "got an array"),
        ("42", "schema_violation", "got a number"),
        ('"just text"', "invalid_json", "not valid JSON"),
        ([1], "schema_violation", "got an array"),
        (True, "schema_violation", "got a boolean"),
        ("[" * 100_000, "invalid_json", "not valid JSON"),
    ],
)
def test_decode_arguments_reports_what_is_wrong(raw, status, fragment) -> None:
    args, got, message = decode_arguments(raw)
    assert args is None and got == status and fragment in message


def test_coerce_openai_assistant_message() -> None:
    turn, problem = coerce_turn(
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "Look it up.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_order", "arguments": '{"order_id": "#W1"}'},
                },
            ],
        },
        turn_index=3,
    )
    assert problem == ""
    assert turn == AgentTurn(
        "Look it up.", "", [ToolCall("call_1", "get_order", '{"order_id": "#W1"}')]
    )


def test_coerce_flat_and_anthropic_shapes() -> None:
    flat, _ = coerce_turn({"thinking": "t", "tool_calls": [{"name": "a", "arguments": {}}]}, 1)
    assert flat.tool_calls == [ToolCall("call_1_0", "a", {})]
    blocks, _ = coerce_turn(
        {
            "content": [
                {"type": "thinking", "thinking": "hmm"},
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "tu1", "name": "b", "input": {"x": 1}},
            ]
        },
        1,
    )
    assert blocks == AgentTurn("hmm", "Checking.", [ToolCall("tu1", "b", {"x": 1})])


def test_coerce_string_is_a_final_answer() -> None:
    turn, _ = coerce_turn("All done.", 1)
    assert turn == AgentTurn(content="All done.") and turn.is_final


def test_ids_are_filled_and_made_unique_without_touching_the_input() -> None:
    calls = [ToolCall("x", "a", {}), ToolCall("x", "b", {}), ToolCall("", "c", {})]
    original = AgentTurn(tool_calls=calls)
    turn, _ = coerce_turn(original, 4)
    assert [c.id for c in turn.tool_calls] == ["x", "call_4_1", "call_4_2"]
    assert [c.id for c in original.tool_calls] == ["x", "x", ""]


@pytest.mark.parametrize("action", [None, 42, 3.5, ["a"], b"bytes", object()])
def test_non_turn_actions_are_reported_not_raised(action) -> None:
    turn, problem = coerce_turn(action, 1)
    assert turn is None and "Invalid action" in problem


@pytest.mark.parametrize(
    ("action", "fragment"),
    [({"tool_calls": 5}, "must be a list"), ({"tool_calls": "[oops"}, "not valid JSON")],
)
def test_bad_tool_call_containers_are_reported(action, fragment) -> None:
    turn, problem = coerce_turn(action, 1)
    assert turn is None and fragment in problem


def test_non_mapping_call_items_become_nameless_calls() -> None:
    turn, _ = coerce_turn({"tool_calls": ["garbage", {"name": 7}]}, 2)
    assert [c.name for c in turn.tool_calls] == ["", ""]


def test_openai_round_trip_keeps_thinking() -> None:
    message = Message("assistant", "ok", "because", [ToolCall("c", "f", {"a": "é"})])
    data = message.to_openai()
    assert data["reasoning_content"] == "because"
    assert data["tool_calls"][0]["function"]["arguments"] == '{"a": "é"}'
    back = Message.from_openai(data)
    assert back.thinking == "because" and back.tool_calls[0].arguments == '{"a": "é"}'
    tool = Message("tool", "{}", tool_call_id="c", name="f").to_openai()
    assert tool == {"role": "tool", "content": "{}", "tool_call_id": "c", "name": "f"}
