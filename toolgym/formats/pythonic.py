"""Pythonic calls: a Python list of calls with keyword arguments, as BFCL and Llama 3.2 use.

``[get_order(order_id="A1"), cancel_order(order_id="A1", reason="no longer needed")]`` on its
own line. Tools are shown as Python stubs with docstrings. Values are Python literals (JSON's
``true``/``false``/``null`` are read too); an argument name that is not a Python identifier is
passed as ``**{"odd name": 1}``. Calls are read with Python's own parser, so quoting and
escapes follow Python's rules exactly.
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings
from collections.abc import Mapping
from typing import Any

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.formats.base import Format, Reading, ToolSpecs, dump_json, functions

__all__ = ["PythonicFormat"]

_START = re.compile(r"^[ \t]*\[[ \t]*[A-Za-z_][\w.]*[ \t]*\(", re.M)
_SPECIAL = re.compile(r"[\"'()\[\]{}#]")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_FENCE_OPEN = re.compile(r"```[\w+-]*[ \t]*\n[ \t]*\Z")
_FENCE_CLOSE = re.compile(r"[ \t]*\n?[ \t]*```[ \t]*(?:\n|\Z)")
_JSON_NAMES = {"true": True, "false": False, "null": None}
_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
    "object": "dict",
}


class NotLiteral(ValueError):
    """An argument value that is not a literal (a variable, an expression, a call)."""


class PythonicFormat(Format):
    """``[tool_name(key=value, ...), ...]`` lines, tools as Python stubs."""

    name = "pythonic"
    summary = 'Pythonic calls (BFCL, Llama 3.2): [get_order(order_id="A1"), ...]'
    example = '[tool_name(key="value", other=1)]'
    default_template = "llama3"

    def render_tools(self, tools: ToolSpecs) -> str:
        stubs = "\n\n".join(_stub(fn) for fn in functions(tools))
        return (
            "# Tools\n\nYou can call these Python functions:\n\n"
            f"```python\n{stubs}\n```\n\n"
            "To call functions, write a Python list of calls on its own line, with keyword "
            "arguments and literal values:\n"
            "[func_name1(param1=value1, param2=value2), func_name2(param=value)]\n"
            "You may reason inside <think></think> first; calls written there are not run."
        )

    def render_turn(self, turn: AgentTurn) -> str:
        written = ", ".join(_call_text(call) for call in turn.tool_calls)
        return self.tagged_turn(turn, [f"[{written}]"] if turn.tool_calls else [])

    def render_result(self, message: Mapping[str, Any]) -> str:
        return f"Result of {message.get('name') or '?'}:\n{message.get('content', '')}"

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        match = _START.search(text)
        if match is None:
            return Reading(text.strip())
        content: list[str] = []
        calls: list[ToolCall] = []
        pos = 0
        while match is not None:
            start = text.index("[", match.start())
            before = text[pos:start]
            end = _block_end(text, start)
            if end < 0:
                content.append(before)
                calls.append(
                    self._failed(
                        "unclosed_block",
                        "Your list of calls is never closed: a bracket, parenthesis or quote "
                        "is left open (was the reply cut off?).",
                        raw=text[start:],
                    )
                )
                pos = len(text)
                break
            fence = _FENCE_OPEN.search(before)
            closing = _FENCE_CLOSE.match(text, end) if fence else None
            if fence and closing:
                before, end_text = before[: fence.start()], closing.end()
            else:
                end_text = end
            content.append(before)
            calls.extend(self._calls(text[start:end]))
            pos = end_text
            match = _START.search(text, pos)
        content.append(text[pos:])
        return Reading("".join(content).strip(), calls)

    def _calls(self, block: str) -> list[ToolCall]:
        try:
            with warnings.catch_warnings():
                # A model's odd escapes ("\$") are its text, not our code: no warnings on stderr.
                warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
                tree = ast.parse(block, mode="eval")
        except SyntaxError as exc:
            where = f", column {exc.offset}" if exc.offset else ""
            problem = f"Your list of calls is not valid Python ({exc.msg}{where})."
            return [self._failed("invalid_json", problem, raw=block)]
        except (ValueError, RecursionError, MemoryError):
            problem = "Your list of calls could not be read as Python."
            return [self._failed("invalid_json", problem, raw=block)]
        if not isinstance(tree.body, ast.List):
            problem = "Write the calls as a plain Python list: [tool_name(key=value), ...]."
            return [self._failed("schema_violation", problem, raw=block)]
        return [self._call(node, block) for node in tree.body.elts]

    def _call(self, node: ast.expr, block: str) -> ToolCall:
        raw = ast.get_source_segment(block, node) or ""
        if not isinstance(node, ast.Call):
            problem = "Each item of the list must be a call like tool_name(key=value)."
            return self._failed("schema_violation", problem, raw=raw)
        name = _dotted(node.func)
        if not name:
            problem = "A call in your list does not name a tool: write tool_name(key=value)."
            return self._failed("missing_name", problem, raw=raw)
        if node.args:
            problem = f"Pass the arguments of {name} by keyword (key=value), not by position."
            return self._failed("schema_violation", problem, name=name, raw=raw)
        arguments: dict[str, Any] = {}
        for kw in node.keywords:
            try:
                value = _literal(kw.value)
            except (NotLiteral, RecursionError):
                label = f"Argument {kw.arg!r}" if kw.arg else "The ** argument"
                problem = (
                    f"{label} of {name} is not a literal value: quote strings, and use only "
                    "numbers, strings, True/False/None, lists and dicts."
                )
                return self._failed("invalid_json", problem, name=name, raw=raw)
            if kw.arg is not None:
                arguments[kw.arg] = value
            elif isinstance(value, dict):
                arguments.update(value)
            else:
                problem = f"** in a call of {name} must unpack a dict literal."
                return self._failed("schema_violation", problem, name=name, raw=raw)
        return ToolCall("", name, arguments)


def _block_end(text: str, start: int) -> int:
    """Index just past the bracket that closes the one at ``start``, or -1 if none does.

    Skips strings and comments; a mismatched closer ends the block early (Python's parser
    then reports the mismatch).
    """
    stack: list[str] = []
    pos = start
    while True:
        match = _SPECIAL.search(text, pos)
        if match is None:
            return -1
        ch, i = match.group(), match.start()
        if ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            pos = _string_end(text, i + len(quote), quote)
            if pos < 0:
                return -1
        elif ch == "#":
            pos = text.find("\n", i)
            if pos < 0:
                return -1
        elif ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
            pos = i + 1
        else:
            if stack.pop() != ch or not stack:
                return i + 1
            pos = i + 1


def _string_end(text: str, pos: int, quote: str) -> int:
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return -1
        escape = text.find("\\", pos, end)
        if escape < 0:
            return end + len(quote)
        pos = escape + 2


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _literal(node: ast.expr) -> Any:
    """A JSON-able value from a literal expression; raises ``NotLiteral`` otherwise."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (str, int, float)):
            return value
    elif isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item) for item in node.elts]
    elif isinstance(node, ast.Dict):
        out = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                unpacked = _literal(value)
                if not isinstance(unpacked, dict):
                    raise NotLiteral
                out.update(unpacked)
                continue
            name = _literal(key)
            if not isinstance(name, str):
                raise NotLiteral
            out[name] = _literal(value)
        return out
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    elif isinstance(node, ast.Name) and node.id in _JSON_NAMES:
        return _JSON_NAMES[node.id]
    raise NotLiteral


def _python(value: Any) -> str:
    """A JSON value as a Python literal that reads back identically."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: only escapes can carry them
            return repr(value)
        return dump_json(value)
    if isinstance(value, list):
        return "[" + ", ".join(_python(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_python(str(k))}: {_python(v)}" for k, v in value.items())
        return "{" + items + "}"
    return _python(str(value))


def _call_text(call: ToolCall) -> str:
    if isinstance(call.arguments, str):
        return f"{call.name}(**{call.arguments})" if call.arguments.strip() else f"{call.name}()"
    plain = []
    extra = {}
    for key, value in call.arguments.items():
        # Python NFKC-normalises non-ASCII identifiers (µ becomes μ): only ASCII ones are safe.
        if key.isascii() and key.isidentifier() and not keyword.iskeyword(key):
            plain.append(f"{key}={_python(value)}")
        else:
            extra[key] = value
    if extra:
        plain.append(f"**{_python(extra)}")
    return f"{call.name}({', '.join(plain)})"


def _stub(fn: Mapping[str, Any]) -> str:
    params = fn.get("parameters") or {}
    props = params.get("properties") or {}
    required = set(params.get("required") or ())
    signature = [f"{k}: {_hint(props[k])}" for k in props if k in required]
    signature += [f"{k}: {_hint(props[k])} | None = None" for k in props if k not in required]
    doc = [fn.get("description") or fn["name"]]
    described = [(k, p.get("description", "")) for k, p in props.items() if isinstance(p, Mapping)]
    if described:
        doc += ["", "Args:"] + [f"    {k}: {text}".rstrip() for k, text in described]
    body = "\n    ".join(doc)
    return f'def {fn["name"]}({", ".join(signature)}) -> dict:\n    """{body}\n    """'


def _hint(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return "Any"
    if isinstance(schema.get("enum"), list):
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " | ".join(_hint(branch) for branch in schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_hint({**schema, "type": k}) for k in kind)
    if kind == "array":
        return f"list[{_hint(schema.get('items'))}]"
    return _TYPES.get(kind, "Any")
