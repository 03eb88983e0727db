"""Tools and toolkits: a typed function over a simulated service, and the service itself.

A tool's parameters are a pydantic model built from its signature (or given explicitly), and
that model's JSON Schema is exactly the schema the agent is shown, so what the agent reads and
what the service validates can never drift apart.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, get_type_hints

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from toolgym.core.errors import ToolError

__all__ = [
    "Tool",
    "ToolSpec",
    "Toolkit",
    "WorldEvent",
    "invalid_value",
    "tool",
    "validation_message",
]


@dataclass(frozen=True)
class ToolSpec:
    """A tool as declared on a toolkit class, before it is bound to a toolkit instance."""

    name: str
    description: str
    params: type[BaseModel]
    function: Callable[..., Any]
    takes_model: bool
    mutates: bool
    parameters_schema: dict[str, Any]

    def bind(self, toolkit: Toolkit) -> Tool:
        return Tool(self, toolkit)


class Tool:
    """A tool bound to one toolkit instance: validate arguments, run, return JSON-able data."""

    __slots__ = ("_call", "_fields", "_validate", "spec", "toolkit")

    def __init__(self, spec: ToolSpec, toolkit: Toolkit) -> None:
        self.spec = spec
        self.toolkit = toolkit
        self._validate = spec.params.model_validate
        self._call = spec.function.__get__(toolkit)
        self._fields = tuple(spec.params.model_fields)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def mutates(self) -> bool:
        return self.spec.mutates

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-calling schema: ``{"type": "function", "function": {...}}``."""
        return {
            "type": "function",
            "function": {
                "name": self.spec.name,
                "description": self.spec.description,
                "parameters": copy.deepcopy(self.spec.parameters_schema),
            },
        }

    def __call__(self, arguments: dict[str, Any]) -> Any:
        """Validate ``arguments`` against the parameter model and run the tool.

        Raises:
            ToolError: ``invalid_arguments`` naming each bad field and the expected type, or
                whatever the tool itself raised.
        """
        if not isinstance(arguments, dict):
            raise ToolError(
                "invalid_arguments",
                f"Arguments for {self.spec.name} must be a JSON object, "
                f"got {type(arguments).__name__}.",
            )
        try:
            model = self._validate(arguments)
        except ValidationError as exc:
            raise ToolError(
                "invalid_arguments",
                validation_message(self.spec.name, exc, self._fields),
                details={"fields": sorted({_loc(e["loc"]) for e in exc.errors()})},
            ) from None
        if self.spec.takes_model:
            return self._call(model)
        return self._call(**model.__dict__)

    def __repr__(self) -> str:
        return f"Tool({self.spec.name!r} of {type(self.toolkit).__name__})"


def validation_message(tool_name: str, exc: ValidationError, fields: tuple[str, ...]) -> str:
    """One readable sentence per bad field: which field, what was expected, what came."""
    parts = []
    for err in exc.errors(include_url=False):
        field = _loc(err["loc"]) or "(arguments)"
        kind = err["type"]
        if kind == "missing":
            parts.append(f"'{field}' is required but missing")
        elif kind == "extra_forbidden":
            expected = ", ".join(fields) or "no arguments"
            parts.append(f"'{field}' is not a parameter (expected one of: {expected})")
        else:
            got = _short(err.get("input"))
            parts.append(f"'{field}': {err['msg'].rstrip('.')} (got {got})")
    return f"Invalid arguments for {tool_name}: " + "; ".join(parts) + "."


def invalid_value(tool_name: str, field: str, expected: str, value: Any) -> ToolError:
    """The error for one argument of the wrong type or form, worded as
    :func:`validation_message` words pydantic's (for checks a schema change adds in front of a
    tool: the field as shown, what it expects, what came).

    >>> invalid_value("get_order", "qty", "a decimal string such as '3'", 3).message
    "Invalid arguments for get_order: 'qty': Input should be a decimal string such as '3' (got 3)."
    """
    return ToolError(
        "invalid_arguments",
        f"Invalid arguments for {tool_name}: '{field}': Input should be {expected} "
        f"(got {_short(value)}).",
        details={"fields": [field]},
    )


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def tool(
    function: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    mutates: bool = False,
) -> Any:
    """Declare a toolkit method as a tool.

    The parameters come from the method's signature (use ``Annotated[T, Field(description=...)]``
    for per-parameter descriptions), or from a single parameter annotated with a pydantic model.
    The description is the docstring's first paragraph unless given. ``mutates`` marks tools that
    change the world, which checkers and faults use.

    >>> from typing import Annotated
    >>> from pydantic import Field
    >>> class Echo(Toolkit):
    ...     @tool
    ...     def echo(self, text: Annotated[str, Field(description="What to say.")]) -> dict:
    ...         '''Repeat the text back.'''
    ...         return {"text": text}
    >>> Echo().tools()[0]({"text": "hi"})
    {'text': 'hi'}
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__toolgym_spec__ = _make_spec(fn, name, description, mutates)  # type: ignore[attr-defined]
        return fn

    return decorate(function) if function is not None else decorate


def _make_spec(
    fn: Callable[..., Any], name: str | None, description: str | None, mutates: bool
) -> ToolSpec:
    tool_name = name or fn.__name__
    doc = inspect.getdoc(fn) or ""
    text = description if description is not None else doc.split("\n\n")[0].replace("\n", " ")
    if not text:
        raise TypeError(f"tool {tool_name!r} needs a docstring or description=")
    hints = get_type_hints(fn, include_extras=True)
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    model_param = (
        len(params) == 1
        and isinstance(hints.get(params[0].name), type)
        and issubclass(hints[params[0].name], BaseModel)
    )
    if model_param:
        model = hints[params[0].name]
    else:
        fields: dict[str, Any] = {}
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"tool {tool_name!r} cannot take *args or **kwargs")
            if p.name not in hints:
                raise TypeError(f"tool {tool_name!r}: parameter {p.name!r} needs a type annotation")
            default = ... if p.default is inspect.Parameter.empty else p.default
            fields[p.name] = (hints[p.name], default)
        model = create_model(  # type: ignore[call-overload]
            f"{tool_name}_params", __config__=ConfigDict(extra="forbid"), **fields
        )
    return ToolSpec(
        name=tool_name,
        description=text,
        params=model,
        function=fn,
        takes_model=model_param,
        mutates=mutates,
        parameters_schema=clean_schema(model.model_json_schema()),
    )


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Make pydantic's JSON Schema read like a hand-written tool schema.

    References are inlined, ``title`` keys dropped, and ``Optional[X] = None`` shown as a plain
    optional ``X`` (LLM tool parsers handle ``anyOf [X, null]`` poorly).
    """
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = defs[node["$ref"].rsplit("/", 1)[-1]]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return walk(merged)
        any_of = node.get("anyOf")
        if isinstance(any_of, list):
            not_null = [branch for branch in any_of if branch != {"type": "null"}]
            if len(not_null) == 1 and len(not_null) < len(any_of):
                rest = {k: v for k, v in node.items() if k != "anyOf"}
                if rest.get("default", 0) is None:
                    rest.pop("default")
                return walk({**not_null[0], **rest})
        return {
            key: (walk(value) if key != "properties" else {k: walk(v) for k, v in value.items()})
            for key, value in node.items()
            if key not in ("title", "$defs")
        }

    out = walk(schema)
    out.setdefault("properties", {})
    out["type"] = "object"
    return out


@dataclass(frozen=True)
class WorldEvent:
    """A change another actor makes to the world: ``apply`` does it (through the toolkit's
    journal), ``notice`` is what the agent is told ("Order #W1 has shipped."), ``target``
    names what changed, for the fault event."""

    target: str
    notice: str
    apply: Callable[[], None]


class Toolkit:
    """A simulated service: state plus the tools that act on it.

    Subclasses declare tools with :func:`tool` and implement :meth:`snapshot`/:meth:`restore`
    so an environment can return to a clean world on reset without regenerating it.
    """

    name: ClassVar[str] = ""
    _specs: ClassVar[tuple[ToolSpec, ...]] = ()
    rehearsing: bool = False
    """True while the env replays a task's plan at reset to learn the expected final state
    (the reference run). A read-only tool whose work is expensive and whose result no plan
    acts on (a test run) may then skip the work and say so in its result."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs: dict[str, ToolSpec] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                spec = getattr(attr, "__toolgym_spec__", None)
                if spec is not None:
                    specs[spec.name] = spec
        cls._specs = tuple(specs.values())

    def tools(self) -> list[Tool]:
        """The toolkit's tools, bound to this instance, in declaration order."""
        return [spec.bind(self) for spec in self._specs]

    def snapshot(self) -> Any:
        """A token from which :meth:`restore` returns the state to what it is now."""
        raise NotImplementedError(f"{type(self).__name__} does not support snapshots")

    def restore(self, snapshot: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not support snapshots")

    def changes_since(self, snapshot: Any) -> list[tuple[str, str, Any, Any]]:
        """``(table, key, before, after)`` for each thing that differs from ``snapshot``."""
        raise NotImplementedError(f"{type(self).__name__} does not report changes")

    def fork(self) -> Toolkit | None:
        """A toolkit in this one's state that shares what it never writes (a clean world's
        records, an index) and copies the rest on write, so many envs in one process can
        hold one world; ``None`` (the default) when it cannot, and the world is built anew."""
        return None

    def world_events(self, rng: np.random.Generator, seen: str) -> list[WorldEvent]:
        """Changes other actors could make to this world while an agent works (an order
        ships, a charge posts, a meeting moves), about the records named in ``seen`` (what a
        task's plan read). The ``world_events`` fault applies one mid-episode; each must go
        through the toolkit's journal so rollback undoes it. None by default."""
        return []

    def close(self) -> None:
        """Release what the toolkit holds outside Python (processes, directories)."""
