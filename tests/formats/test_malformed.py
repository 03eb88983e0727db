"""A corpus of malformed completions per format (``malformed/<format>.yaml``), each with the
statuses the parser must report and an error message the agent can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolgym.formats import STATUSES, get, names

CORPUS = Path(__file__).parent / "malformed"


def _tool(name: str, properties: dict, required: list[str]) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return {"type": "function", "function": {"name": name, "description": "", "parameters": schema}}


TOOLS = [
    _tool("get_order", {"order_id": {"type": "string"}}, ["order_id"]),
    _tool(
        "cancel_order",
        {
            "order_id": {"type": "string"},
            "reason": {"type": "string", "enum": ["no longer needed", "ordered by mistake"]},
        },
        ["order_id", "reason"],
    ),
    _tool(
        "list_orders",
        {"customer_id": {"type": "string"}, "status": {"enum": ["pending", "shipped"]}},
        ["customer_id"],
    ),
    _tool(
        "set_quantity",
        {"order_id": {"type": "string"}, "quantity": {"type": "integer"}},
        ["order_id", "quantity"],
    ),
    _tool(
        "return_items",
        {"order_id": {"type": "string"}, "variant_ids": {"type": "array"}},
        ["order_id", "variant_ids"],
    ),
    _tool("update_settings", {"settings": {"type": "object"}, "notify": {"type": "boolean"}}, []),
]


def corpus(fmt: str) -> list[dict]:
    """The format's malformed-completion corpus: its own file, else (a format that inherits its
    parser) the nearest ancestor's; none is an empty corpus, which the coverage test fails."""
    for cls in type(get(fmt)).__mro__:
        path = CORPUS / f"{getattr(cls, 'name', '')}.yaml"
        if getattr(cls, "name", "") and path.exists():
            return yaml.safe_load(path.read_text(encoding="utf-8"))
    return []


CASES = [
    pytest.param(fmt, case, id=f"{fmt}-{i}-{case['why'][:40]}")
    for fmt in names()
    for i, case in enumerate(corpus(fmt))
]


@pytest.mark.parametrize(("fmt", "case"), CASES)
def test_malformed_completion(fmt: str, case: dict) -> None:
    turn, statuses = get(fmt).parse(case["completion"], TOOLS if case.get("tools") else None)
    assert statuses == case["statuses"], turn
    for call, status in zip(turn.tool_calls, statuses, strict=True):
        if status != "ok":
            code, message = call.parse_error
            assert code == status
            assert len(message) > 30 and message.rstrip()[-1] in ".)>]}"


@pytest.mark.parametrize("fmt", names())
def test_corpus_covers_every_failure(fmt: str) -> None:
    cases = corpus(fmt)
    assert len(cases) >= 40
    assert all(set(case["statuses"]) - {"ok"} for case in cases), "every case must be malformed"
    seen = {status for case in cases for status in case["statuses"]}
    assert seen == set(STATUSES)


@pytest.mark.parametrize(
    ("fmt", "completion", "name"),
    [
        ("openai", '{"name": "get_order", "arguments": {"order_id": "A1"}}', "get_order"),
        ("openai", '```json\n{"tool_calls": [{"function": {"name": "x"}}]}\n```', "x"),
        ("hermes", '<tool_call>{"name": "x", "parameters": {"a": 1}}</tool_call>', "x"),
        ("react", 'Action: x\nAction Input:\n```json\n{"a": 1}\n```', "x"),
        ("xml", '<minimax:tool_call><invoke name="x">{"a": 1}</invoke></minimax:tool_call>', "x"),
        ("pythonic", "```python\n[x(a=1, b=true, c=null)]\n```", "x"),
        ("json", '{"action": "x", "action_input": {"a": 1}}', "x"),
    ],
)
def test_common_variants_are_read(fmt: str, completion: str, name: str) -> None:
    """Shapes real models emit that the format tolerates: no error, the call is read."""
    turn, statuses = get(fmt).parse(completion)
    assert statuses == ["ok"] and turn.tool_calls[0].name == name
    assert turn.content == ""


@pytest.mark.parametrize(
    ("fmt", "completion", "answer"),
    [
        ("openai", "The order has shipped.", "The order has shipped."),
        ("hermes", "<think>done</think>The order has shipped.", "The order has shipped."),
        ("react", "Thought: done\nFinal Answer: It shipped.\nObservation: x", "It shipped."),
        ("xml", "<thinking>done</thinking>\nIt shipped.", "It shipped."),
        ("pythonic", "It shipped [see tracking].", "It shipped [see tracking]."),
        ("json", '{"action": "Final Answer", "action_input": "It shipped."}', "It shipped."),
    ],
)
def test_final_answers(fmt: str, completion: str, answer: str) -> None:
    turn, statuses = get(fmt).parse(completion)
    assert (turn.content, turn.tool_calls, statuses) == (answer, [], [])
