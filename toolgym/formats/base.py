"""What every tool-call format shares: thinking, statuses, error messages, prompt framing.

A format is one scaffold's conventions for writing tools into a prompt, turns into completions
and results back into text. Parsing never raises: a call the agent tried to write but that
cannot be read becomes a :class:`~toolgym.core.messages.ToolCall` with ``parse_error`` set,
``(status, message)``, so the environment answers it with that message and the agent learns
what went wrong. ``parse`` returns one status per call, aligned with ``turn.tool_calls``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from toolgym.core.messages import AgentTurn, Message, ToolCall, decode_arguments
from toolgym.formats.templates import Template, get_template

__all__ = [
    "STATUSES",
    "Format",
    "Reading",
    "ToolSpecs",
    "dump_json",
    "split_thinking",
    "tool_parameters",
]

STATUSES = (
    "ok",
    "invalid_json",
    "unclosed_block",
    "missing_name",
    "unknown_tool",
    "schema_violation",
)

ToolSpecs = Sequence[Mapping[str, Any] | str]
"""Tools as ``info["tools"]`` holds them (OpenAI schemas), bare function schemas, or names."""

JSON_DECODER = json.JSONDecoder()
_TAG_START = re.compile(r"<(?=[/A-Za-z!?])")
_ARGUMENT_KEYS = ("arguments", "parameters", "args", "input")


def dump_json(value: Any) -> str:
    """Compact JSON in which no ``<`` starts a tag, so tag scanners never cut it.

    ``<`` is written ``\\u003c`` where a tag could start (JSON has ``<`` only inside strings,
    and the escape decodes to the same text), so an argument holding ``</tool_call>`` or
    ``</think>`` survives every format.
    """
    text = json.dumps(value, ensure_ascii=False)
    return _TAG_START.sub(r"\\u003c", text) if "<" in text else text


def tool_parameters(tools: ToolSpecs | None) -> dict[str, dict[str, Any]] | None:
    """Each tool's parameter schema by name (an empty schema for tools given by name only)."""
    if tools is None:
        return None
    out: dict[str, dict[str, Any]] = {}
    for tool in tools:
        if isinstance(tool, str):
            out[tool] = {}
        elif isinstance(tool, Mapping):
            fn = tool.get("function", tool)
            name = fn.get("name") if isinstance(fn, Mapping) else None
            if isinstance(name, str):
                params = fn.get("parameters")
                out[name] = params if isinstance(params, dict) else {}
    return out


def functions(tools: ToolSpecs) -> list[dict[str, Any]]:
    """Tools as bare function schemas ``{name, description, parameters}`` for rendering."""
    out = []
    for tool in tools:
        if isinstance(tool, str):
            out.append({"name": tool, "description": "", "parameters": {}})
        elif isinstance(tool, Mapping):
            fn = tool.get("function", tool)
            if isinstance(fn, Mapping) and isinstance(fn.get("name"), str):
                out.append(dict(fn))
    return out


_THINK_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def split_thinking(text: str, tags: tuple[str, ...] = ("think",)) -> tuple[str, str, str | None]:
    """``(thinking, the rest, tag of a block left open or None)``.

    Every ``<think>...</think>`` block is thinking, wherever it is. A closing tag with no
    opening one means the prompt opened the block (chat templates that start the assistant
    turn with ``<think>``): the text before it is thinking. An unclosed block runs to the end.
    """
    pattern = _THINK_PATTERNS.get(tags)
    if pattern is None:
        pattern = re.compile("<(/?)(" + "|".join(map(re.escape, tags)) + ")>")
        _THINK_PATTERNS[tags] = pattern
    match = pattern.search(text)
    if match is None:
        return "", text, None
    thoughts: list[str] = []
    rest: list[str] = []
    pos = 0
    while match is not None:
        if match.group(1):
            thoughts.append(text[pos : match.start()])
            pos = match.end()
        else:
            rest.append(text[pos : match.start()])
            close = f"</{match.group(2)}>"
            end = text.find(close, match.end())
            if end < 0:
                thoughts.append(text[match.end() :])
                return _join(thoughts), "".join(rest), match.group(2)
            thoughts.append(text[match.end() : end])
            pos = end + len(close)
        match = pattern.search(text, pos)
    rest.append(text[pos:])
    return _join(thoughts), "".join(rest), None


def _join(parts: Sequence[str]) -> str:
    return "\n\n".join(p for p in (part.strip() for part in parts) if p)


_ARTICLES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    return "an object"


def json_problem(exc: Exception, text: str, start: int) -> tuple[str, str]:
    """Status and a short reason for JSON that failed to decode at ``text[start:]``.

    The reason completes "Your <block> ...". JSON that stops before it is complete (the usual
    sign of a reply cut off by a token limit) is ``unclosed_block``; the rest ``invalid_json``.
    """
    if isinstance(exc, json.JSONDecodeError):
        if exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip()):
            return "unclosed_block", "ends before its JSON is complete"
        reason = exc.msg.removesuffix(" at")
        return "invalid_json", f"is not valid JSON ({reason} at character {exc.pos - start + 1})"
    return "invalid_json", "nests its JSON too deeply"


def load_json(text: str) -> tuple[Any, tuple[str, str] | None]:
    """Decode a whole JSON text: ``(value, None)`` or ``(None, (status, reason))``."""
    try:
        return json.loads(text), None
    except (ValueError, RecursionError) as exc:
        return None, json_problem(exc, text, 0)


def strip_fence(text: str) -> str:
    """The text inside a Markdown code fence, if the whole text is one."""
    if not text.startswith("```"):
        return text
    newline = text.find("\n")
    if newline < 0:
        return ""
    body = text[newline + 1 :].rstrip()
    return body[:-3].rstrip() if body.endswith("```") else body


@dataclass(slots=True)
class Reading:
    """What a format found in the text outside the thinking blocks.

    ``thinking`` is the format's own reasoning field (ReAct's ``Thought:``, a JSON
    ``"thought"``), added to what the ``<think>`` blocks held.
    """

    content: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    thinking: str = ""


class Format:
    """One scaffold: how tools, turns and results are written as text, and how a completion is
    read back into an :class:`~toolgym.core.messages.AgentTurn`.

    Args:
        template: the chat template framing the raw-text conversation (``"chatml"``,
            ``"llama3"``, ``"plain"`` or a :class:`~toolgym.formats.templates.Template`);
            each format has its own default.
        calls_in_thinking: also run calls written inside ``<think>`` blocks. Off by default:
            a call written in a thought is a plan, not a call.

    >>> from toolgym.formats import get
    >>> turn, statuses = get("hermes").parse(
    ...     '<think>Look it up.</think><tool_call>{"name": "get_order", '
    ...     '"arguments": {"order_id": "A1"}}</tool_call>')
    >>> turn.thinking, turn.tool_calls[0].arguments, statuses
    ('Look it up.', {'order_id': 'A1'}, ['ok'])
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    example: ClassVar[str] = ""
    default_template: ClassVar[str] = "chatml"
    observation_role: ClassVar[str] = "tool"
    thinking_tags: ClassVar[tuple[str, ...]] = ("think",)

    def __init__(
        self, *, template: str | Template | None = None, calls_in_thinking: bool = False
    ) -> None:
        self.template = get_template(self.default_template if template is None else template)
        self.calls_in_thinking = bool(calls_in_thinking)

    def __repr__(self) -> str:
        options = f"template={self.template.name!r}"
        if self.calls_in_thinking:
            options += ", calls_in_thinking=True"
        return f"{type(self).__name__}({options})"

    # ------------------------------------------------------------ per format
    def render_tools(self, tools: ToolSpecs) -> str:
        """The tool section of the system prompt: the tools and how to call them."""
        raise NotImplementedError

    def render_turn(self, turn: AgentTurn) -> str:
        """The completion a model speaking this format would write for ``turn``."""
        raise NotImplementedError

    def render_result(self, message: Mapping[str, Any]) -> str:
        """One tool message (OpenAI shape) as the agent reads it."""
        raise NotImplementedError

    @staticmethod
    def tagged_turn(turn: AgentTurn, calls: Sequence[str]) -> str:
        """A turn as the tag-style formats write it: the thinking in a ``<think>`` block, the
        content, then the calls as the format writes them, blank lines between."""
        parts = [f"<think>\n{turn.thinking}\n</think>"] if turn.thinking else []
        if turn.content:
            parts.append(turn.content)
        return "\n\n".join([*parts, *calls])

    def _read(self, text: str, tools: dict[str, dict[str, Any]] | None) -> Reading:
        """Content, calls and reasoning found in ``text`` (the completion minus thinking)."""
        raise NotImplementedError

    def _calls_in_thinking(
        self, thinking: str, tools: dict[str, dict[str, Any]] | None
    ) -> list[ToolCall]:
        """Calls written inside the thinking (read only with ``calls_in_thinking``)."""
        return self._read(thinking, tools).calls

    def render_user(self, text: str) -> str:
        """A user message's text as this format presents it."""
        return text

    def join_results(self, results: list[str]) -> str:
        return "\n".join(results)

    # ------------------------------------------------------------ shared
    def render_prompt(
        self, messages: Sequence[Mapping[str, Any] | Message], tools: ToolSpecs
    ) -> str:
        """The whole first prompt: system prompt with the tools, the user's request, and the
        opening of the assistant's turn."""
        t = self.template
        parts = [t.begin]
        tool_text = self.render_tools(tools)
        for raw in messages:
            m = _openai(raw)
            role, text = m.get("role", "user"), m.get("content") or ""
            if role == "system" and tool_text:
                text = f"{text}\n\n{tool_text}" if text else tool_text
                tool_text = ""
            elif role != "system":
                role, text = "user", self.render_user(text)
            parts.append(t.message(role, text))
        if tool_text:
            parts.insert(1, t.message("system", tool_text))
        parts.append(t.opening("assistant"))
        return "".join(parts)

    def render_observation(self, messages: Sequence[Mapping[str, Any] | Message]) -> str:
        """The text to append after a completion: the step's results and user messages,
        then the opening of the next assistant turn. Empty when nothing new was said."""
        if not messages:
            return ""
        t = self.template
        parts = [t.close]
        results: list[str] = []
        for raw in messages:
            m = _openai(raw)
            if m.get("role") == "tool":
                results.append(self.render_result(m))
                continue
            if results:
                parts.append(t.message(self.observation_role, self.join_results(results)))
                results = []
            parts.append(t.message("user", self.render_user(m.get("content") or "")))
        if results:
            parts.append(t.message(self.observation_role, self.join_results(results)))
        parts.append(t.opening("assistant"))
        return "".join(parts)

    def parse(
        self, completion: str, tools: ToolSpecs | None = None, *, validate: bool = True
    ) -> tuple[AgentTurn, list[str]]:
        """Read a completion into a turn and one status per call (see :data:`STATUSES`).

        ``tools`` (optional) are the tools the agent was shown: arguments are then read with
        their schemas (an XML value for a string parameter stays text), and with ``validate``
        each call's name and arguments are checked against them (``unknown_tool``,
        ``schema_violation``). Never raises.
        """
        if not isinstance(completion, str):
            call = ToolCall(
                "",
                "",
                "",
                parse_error=(
                    "schema_violation",
                    f"A completion must be text, got {type(completion).__name__}.",
                ),
            )
            return AgentTurn(tool_calls=[call]), ["schema_violation"]
        index = tool_parameters(tools)
        thinking, body, open_tag = split_thinking(completion, self.thinking_tags)
        # A reply cut off inside its thinking has nothing else to read: one error says it all.
        reading = Reading() if open_tag and not body.strip() else self._read(body, index)
        calls = reading.calls
        if self.calls_in_thinking and thinking:
            calls = self._calls_in_thinking(thinking, index) + calls
        if open_tag is not None:
            calls.append(
                self._failed(
                    "unclosed_block",
                    f"Your <{open_tag}> block is never closed, so the rest of the reply was read "
                    f"as thinking. End your reasoning with </{open_tag}>.",
                    hint=False,
                )
            )
        if validate and index is not None:
            calls = [_check(call, index) for call in calls]
        if reading.thinking:
            thinking = f"{thinking}\n\n{reading.thinking}" if thinking else reading.thinking
        statuses = ["ok" if c.parse_error is None else c.parse_error[0] for c in calls]
        return AgentTurn(thinking, reading.content, calls), statuses

    # ------------------------------------------------------------ helpers
    def _failed(
        self, status: str, problem: str, *, name: str = "", raw: str = "", hint: bool = True
    ) -> ToolCall:
        """A call the agent tried to write but that could not be read."""
        message = f"{problem} Write a tool call like this: {self.example}" if hint else problem
        return ToolCall("", name, raw, parse_error=(status, message))

    def _call_from_object(self, value: Any, raw: str) -> ToolCall:
        """A call from a decoded JSON object: ``{"name", "arguments"}`` or the OpenAI shape
        ``{"id", "type": "function", "function": {"name", "arguments"}}``."""
        if not isinstance(value, dict):
            return self._failed(
                "schema_violation",
                f"A tool call must be a JSON object with a name and arguments, got "
                f"{json_kind(value)}.",
                raw=raw,
            )
        function = value.get("function")
        source = function if isinstance(function, dict) else value
        name = source.get("name", source.get("tool"))
        call_id = value.get("id")
        call_id = call_id if isinstance(call_id, str) else ""
        if name is None or name == "":
            return self._failed(
                "missing_name", 'Your tool call has no "name": say which tool to run.', raw=raw
            )
        if not isinstance(name, str):
            return self._failed(
                "schema_violation",
                f'A tool call\'s "name" must be a string, got {json_kind(name)}.',
                raw=raw,
            )
        raw_arguments = next((source[k] for k in _ARGUMENT_KEYS if k in source), None)
        arguments, status, problem = decode_arguments(raw_arguments)
        if arguments is None:
            text = raw_arguments if isinstance(raw_arguments, str) else dump_json(raw_arguments)
            problem = problem.replace("Arguments", f"The arguments of {name}", 1)
            failed = self._failed(status, problem, name=name, raw=text, hint=False)
            return replace(failed, id=call_id)
        return ToolCall(call_id, name, arguments)


def _openai(message: Mapping[str, Any] | Message) -> Mapping[str, Any]:
    return message.to_openai() if isinstance(message, Message) else message


def arguments_json(arguments: dict[str, Any] | str) -> str:
    """Arguments as JSON text: a dict encoded, raw text (as the agent sent it) unchanged."""
    return arguments if isinstance(arguments, str) else dump_json(arguments)


# ---------------------------------------------------------------- validation
_TYPES: dict[str, Any] = {
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def _check(call: ToolCall, tools: dict[str, dict[str, Any]]) -> ToolCall:
    """The call, marked ``unknown_tool`` or ``schema_violation`` if it does not fit the tools."""
    if call.parse_error is not None:
        return call
    params = tools.get(call.name)
    if params is None:
        close = difflib.get_close_matches(call.name, list(tools), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        message = f"Unknown tool '{call.name}'.{hint} Available tools: {', '.join(tools)}."
        return replace(call, parse_error=("unknown_tool", message))
    if not isinstance(call.arguments, dict):
        return call
    problem = check_arguments(call.name, call.arguments, params)
    if problem is None:
        return call
    return replace(call, parse_error=("schema_violation", problem))


def check_arguments(name: str, arguments: dict[str, Any], schema: Mapping[str, Any]) -> str | None:
    """Why ``arguments`` do not fit a tool's parameter schema (top-level JSON Schema rules:
    required, unknown names when closed, JSON types, enums), or ``None``."""
    props = schema.get("properties") or {}
    missing = [key for key in schema.get("required", ()) if key not in arguments]
    if missing:
        listed = ", ".join(repr(key) for key in missing)
        return f"{name} is missing required argument{'s' if len(missing) > 1 else ''} {listed}."
    if schema.get("additionalProperties") is False:
        for key in arguments:
            if key not in props:
                known = ", ".join(props) or "none"
                return f"{name} has no parameter {key!r}; its parameters are: {known}."
    for key, value in arguments.items():
        prop = props.get(key)
        if isinstance(prop, Mapping):
            problem = _value_problem(value, prop)
            if problem:
                return f"Argument {key!r} of {name} {problem}."
    return None


def _value_problem(value: Any, prop: Mapping[str, Any]) -> str | None:
    enum = prop.get("enum")
    if isinstance(enum, list) and value not in enum:
        return "must be one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in enum)
    kinds = prop.get("type")
    if kinds is None:
        return None
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if any(_is(value, kind) for kind in kinds):
        return None
    return f"must be {type_names(kinds)}, got {json_kind(value)}"


def type_names(kinds: Sequence[str]) -> str:
    """JSON Schema type names as words: ``["integer", "null"]`` is "an integer or null"."""
    return " or ".join(_ARTICLES.get(kind, str(kind)) for kind in kinds)


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    expected = _TYPES.get(kind)
    return expected is None or isinstance(value, expected)
