"""Every format reads back exactly what it writes, and never raises on anything else.

Turns are drawn with arguments of any JSON shape: unicode, quotes, backslashes, newlines,
nested objects, and strings holding the very tags and markers the formats parse. Thinking and
content are free text without surrounding whitespace (parsers strip it) and without the
format's own markers (a model writing ``</think>`` inside its thought ends the thought too).
"""

from __future__ import annotations

import json
import keyword
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats import STATUSES, get, names

TRICKY = [
    '"',
    "'",
    "\\",
    "\\n",
    "\n",
    "\r\n",
    "\t",
    " ",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ":",
    "`",
    "```",
    "&",
    "&amp;",
    "<",
    ">",
    "<think>",
    "</think>",
    "<thinking>",
    "<tool_call>",
    "</tool_call>",
    '<invoke name="x">',
    "</invoke>",
    '<parameter name="y">',
    "</parameter>",
    "<function_calls>",
    "\nAction: ",
    "\nAction Input: ",
    "\nThought: ",
    "\nFinal Answer: ",
    "\nObservation: ",
    "\n[get_order(",
    "null",
    "true",
    "123",
    "-1.5e3",
    "é",
    "中文",
    "😀",
    "\u2028",
    "\x00",
    "\x1f",
]

text = st.lists(st.text(max_size=8) | st.sampled_from(TRICKY), max_size=8).map("".join)
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
arguments = st.dictionaries(text, json_values, max_size=5)
names_any = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,30}", fullmatch=True)
names_python = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n)
)

_PY_CALL = re.compile(r"^[ \t]*\[[ \t]*[A-Za-z_][\w.]*[ \t]*\(", re.M)
_REACT = ("Thought:", "Action:", "Action Input:", "Final Answer:", "Observation:")
_RESERVED = {
    "openai": (),
    "json": (),
    "hermes": ("<think>", "</think>", "<tool_call>", "</tool_call>"),
    "react": ("<think>", "</think>"),
    "xml": (
        "<think>",
        "</think>",
        "<thinking>",
        "</thinking>",
        "<invoke",
        "function_calls>",
        "minimax:tool_call>",
        "tool_calls>",
    ),
    "pythonic": ("<think>", "</think>", "```"),
}


def _family(fmt: str) -> str:
    """The built-in format ``fmt`` is or derives from (a format of one's own that inherits a
    parser inherits what that parser reserves)."""
    for cls in type(get(fmt)).__mro__:
        if getattr(cls, "name", "") in _RESERVED:
            return cls.name
    raise KeyError(f"{fmt}: say in _RESERVED which markers its text cannot carry")


def free_text(fmt: str):
    """Thinking or content this format can carry verbatim."""
    fmt = _family(fmt)

    def allowed(value: str) -> bool:
        if any(marker in value for marker in _RESERVED[fmt]):
            return False
        if fmt == "react":
            return not any(line.lstrip(" \t").startswith(_REACT) for line in value.split("\n"))
        if fmt == "pythonic":
            return _PY_CALL.search(value) is None
        return True

    return text.map(str.strip).filter(allowed)


def turns(fmt: str):
    ids = (
        st.just("") if fmt != "openai" else st.from_regex(r"(call_[a-z0-9]{1,8})?", fullmatch=True)
    )
    call = st.builds(ToolCall, ids, names_python if fmt == "pythonic" else names_any, arguments)
    return st.builds(AgentTurn, free_text(fmt), free_text(fmt), st.lists(call, max_size=4))


def typed(turn: AgentTurn) -> str:
    """A rendering that tells 1 from 1.0 from True (``==`` does not)."""
    calls = [[c.id, c.name, c.arguments, c.parse_error] for c in turn.tool_calls]
    return json.dumps([turn.thinking, turn.content, calls], sort_keys=True)


def check_round_trip(fmt: str, turn: AgentTurn) -> None:
    completion = get(fmt).render_turn(turn)
    back, statuses = get(fmt).parse(completion)
    assert statuses == ["ok"] * len(turn.tool_calls), (completion, back)
    assert back == turn, completion
    assert typed(back) == typed(turn), completion


@pytest.mark.parametrize("fmt", names())
def test_round_trip(fmt: str) -> None:
    given(turns(fmt))(lambda turn: check_round_trip(fmt, turn))()


@pytest.mark.parametrize("fmt", names())
def test_round_trip_with_the_tools_given(fmt: str) -> None:
    """With the tools' schemas, well-typed arguments read back the same (XML keeps text)."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "set_item",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "sku": {"type": "string"},
                        "note": {"type": "string"},
                        "quantity": {"type": "integer"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "gift": {"type": "boolean"},
                    },
                    "required": ["sku"],
                },
            },
        }
    ]
    strategy = st.fixed_dictionaries(
        {"sku": text},
        optional={
            "note": text,
            "quantity": st.integers(),
            "tags": st.lists(text, max_size=3),
            "gift": st.booleans(),
        },
    )

    @given(strategy)
    def check(args: dict) -> None:
        turn = AgentTurn(tool_calls=[ToolCall("", "set_item", args)])
        back, statuses = get(fmt).parse(get(fmt).render_turn(turn), tools)
        assert statuses == ["ok"]
        assert typed(back) == typed(turn)

    check()


def test_string_parameters_stay_text_in_xml() -> None:
    """A model writes ``<parameter name="zip">90210</parameter>``: with the schema it is text."""
    tools = [
        {
            "name": "find",
            "parameters": {
                "type": "object",
                "properties": {"zip": {"type": "string"}, "count": {"type": "integer"}},
            },
        }
    ]
    completion = (
        '<invoke name="find"><parameter name="zip">90210</parameter>'
        '<parameter name="count">3</parameter></invoke>'
    )
    turn, statuses = get("xml").parse(completion, tools)
    assert statuses == ["ok"]
    assert turn.tool_calls[0].arguments == {"zip": "90210", "count": 3}
    turn, _ = get("xml").parse(completion)
    assert turn.tool_calls[0].arguments == {"zip": 90210, "count": 3}


@st.composite
def broken(draw, fmt: str) -> str:
    """A rendered completion cut short, spliced or duplicated: what models really emit."""
    completion = get(fmt).render_turn(draw(turns(fmt)))
    kind = draw(st.sampled_from(["cut", "drop", "insert", "double"]))
    i = draw(st.integers(0, len(completion)))
    j = draw(st.integers(i, len(completion)))
    if kind == "cut":
        return completion[:i]
    if kind == "drop":
        return completion[:i] + completion[j:]
    if kind == "insert":
        return completion[:i] + draw(st.sampled_from(TRICKY)) + completion[i:]
    return completion[:j] + completion[i:]


def check_never_raises(fmt: str, completion: str, tools: list | None, inside: bool) -> None:
    turn, statuses = get(fmt, calls_in_thinking=inside).parse(completion, tools)
    assert len(statuses) == len(turn.tool_calls)
    for call, status in zip(turn.tool_calls, statuses, strict=True):
        assert status in STATUSES
        if status == "ok":
            assert call.parse_error is None and isinstance(call.arguments, dict)
        else:
            assert call.parse_error[0] == status and len(call.parse_error[1]) > 20
    assert isinstance(turn.thinking, str) and isinstance(turn.content, str)


TOOLS = [{"name": "get_order", "parameters": {"type": "object", "required": ["order_id"]}}]


@pytest.mark.parametrize("fmt", names())
def test_parse_never_raises_on_broken_completions(fmt: str) -> None:
    given(broken(fmt), st.sampled_from([None, TOOLS]), st.booleans())(
        lambda completion, tools, inside: check_never_raises(fmt, completion, tools, inside)
    )()


@pytest.mark.parametrize("fmt", names())
def test_parse_never_raises_on_any_text(fmt: str) -> None:
    given(text | st.text(), st.booleans())(
        lambda completion, inside: check_never_raises(fmt, completion, None, inside)
    )()


@pytest.mark.parametrize("fmt", names())
def test_parse_never_raises_on_non_text(fmt: str) -> None:
    for value in (None, 3, b"<tool_call>", {"content": "hi"}):
        turn, statuses = get(fmt).parse(value)  # type: ignore[arg-type]
        assert turn.tool_calls[0].parse_error is not None
        assert statuses == ["schema_violation"]
