"""Hypothesis strategies for property tests of agents and environments under faults.

>>> import gymnasium as gym, toolgym
>>> from hypothesis import given, settings, strategies as st
>>> from toolgym.testing.strategies import fault_plans
>>> env = gym.make("toolgym/Retail-v0", max_turns=200)
>>> @settings(max_examples=5)
... @given(plan=fault_plans(recoverable_only=True), seed=st.integers(0, 10**6))
... def test_oracle_is_robust(plan, seed):
...     env.unwrapped.interceptors = [toolgym.faults.FaultPipeline(plan)]
...     assert toolgym.run_episode(env, toolgym.OracleAgent(env), seed=seed).success
>>> test_oracle_is_robust()

- :func:`faults` draws one configured fault: any registered type (or those of some axes or
  names), with parameters drawn within their validated bounds, a probability and a schedule.
- :func:`fault_plans` draws a :class:`~toolgym.faults.FaultPlan` of such faults.
- :func:`tool_calls` draws a :class:`~toolgym.core.messages.ToolCall` whose arguments satisfy
  a tool's JSON Schema (as in ``info["tools"]``: types, enums, bounds, lengths, ``format``
  date/date-time/time/email/uuid and ``pattern``), for fuzzing a tool or an env.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timezone
from typing import Any, Literal, get_args, get_origin

from hypothesis import strategies as st

from toolgym.core.messages import ToolCall
from toolgym.faults import AXES, Fault, FaultPlan, Schedule, names
from toolgym.faults import get as fault_class

__all__ = ["fault_plans", "faults", "schedules", "tool_calls"]

_BASE_FIELDS = ("probability", "schedule")


def schedules(*, at_reset: bool = False) -> st.SearchStrategy[Schedule]:
    """Schedules; with ``at_reset`` only those that include step 0 (what reset faults need)."""
    first = st.just(0) if at_reset else st.integers(0, 6)

    @st.composite
    def build(draw: st.DrawFn) -> Schedule:
        start = draw(first)
        last = draw(st.none() | st.integers(start, start + 10))
        every = draw(st.integers(1, 3))
        max_fires = draw(st.none() | st.integers(1, 4))
        return Schedule(first=start, last=last, every=every, max_fires=max_fires)

    return build()


def _bound(info: Any, name: str) -> Any:
    for item in info.metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _parameter(cls: type[Fault], field: str) -> st.SearchStrategy[Any]:
    info = cls.model_fields[field]
    return _values(cls, field, info, info.annotation)


def _values(cls: type[Fault], field: str, info: Any, annotation: Any) -> st.SearchStrategy[Any]:
    args = get_args(annotation)
    if type(None) in args and len(args) == 2:  # ``X | None``: None (the default) or an X
        (inner,) = [a for a in args if a is not type(None)]
        return st.none() | _values(cls, field, info, inner)
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(_bound(info, "ge"), _bound(info, "le"))
    if annotation is float:
        return st.floats(_bound(info, "ge"), _bound(info, "le"), allow_nan=False)
    if get_origin(annotation) is tuple:
        item = get_args(annotation)[0]
        if get_origin(item) is Literal:
            low = _bound(info, "min_length") or 0
            return st.lists(st.sampled_from(get_args(item)), min_size=low, unique=True).map(tuple)
    raise TypeError(f"no strategy for {cls.name}.{field}: {annotation!r}")


def faults(
    *,
    names: Iterable[str] | None = None,
    axes: Iterable[str] | None = None,
    recoverable_only: bool = False,
    min_probability: float = 0.0,
) -> st.SearchStrategy[Fault]:
    """One fault of a registered type, with valid parameters.

    Args:
        names: only these fault types.
        axes: only fault types of these axes (``tools``, ``prompts``, ``world``, ``errors``,
            ``responses``).
        recoverable_only: only faults a careful agent can always recover from.
        min_probability: the least firing probability drawn (raise it to make faults fire).
    """
    pool = _pool(names, axes, recoverable_only)
    if not 0.0 <= min_probability <= 1.0:
        raise ValueError(f"min_probability must be in [0, 1], got {min_probability}")

    def build(name: str) -> st.SearchStrategy[Fault]:
        cls = fault_class(name)
        params = {f: _parameter(cls, f) for f in cls.model_fields if f not in _BASE_FIELDS}
        params["probability"] = st.floats(min_probability, 1.0)
        if cls.stage == "reset":
            params["schedule"] = schedules(at_reset=True)
        else:
            params["schedule"] = st.just(cls.model_fields["schedule"].get_default(
                call_default_factory=True)) | schedules()  # fmt: skip
        return st.builds(cls, **params)

    return st.sampled_from(pool).flatmap(build)


def _pool(names_: Iterable[str] | None, axes: Iterable[str] | None, recoverable: bool) -> list[str]:
    chosen = list(names_) if names_ is not None else names()
    for name in chosen:
        fault_class(name)  # a clear error for an unknown name
    if axes is not None:
        wanted = list(axes)
        unknown = [a for a in wanted if a not in AXES]
        if unknown:
            raise ValueError(f"unknown axes {unknown}; axes are {list(AXES)}")
        chosen = [n for n in chosen if fault_class(n).axis in wanted]
    if recoverable:
        chosen = [n for n in chosen if fault_class(n).recoverable]
    if not chosen:
        raise ValueError("no fault type matches these filters")
    return chosen


def fault_plans(
    *,
    axes: Iterable[str] | None = None,
    recoverable_only: bool = False,
    names: Iterable[str] | None = None,
    min_faults: int = 1,
    max_faults: int = 6,
    min_probability: float = 0.0,
) -> st.SearchStrategy[FaultPlan]:
    """Fault plans of ``min_faults`` to ``max_faults`` faults drawn by :func:`faults`."""
    if not 0 <= min_faults <= max_faults:
        raise ValueError(f"need 0 <= min_faults <= max_faults, got {min_faults}, {max_faults}")
    one = faults(
        names=names, axes=axes, recoverable_only=recoverable_only, min_probability=min_probability
    )
    return st.lists(one, min_size=min_faults, max_size=max_faults).map(
        lambda items: FaultPlan(name="drawn", faults=items)
    )


# -------------------------------------------------------------------- tool calls
def _value(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([_value(branch) for branch in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_value({**schema, "type": k}) for k in kind])
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(
            _value(schema.get("items", {})),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 4),
        )
    if kind == "object" or "properties" in schema:
        return _object(schema)
    return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10))


def _number(schema: dict[str, Any], *, integer: bool) -> st.SearchStrategy[Any]:
    """Numbers within ``minimum``/``maximum`` and their exclusive forms; decimals have at most
    two places (amounts), or are multiples of ``multipleOf``."""
    low = schema.get("minimum", schema.get("exclusiveMinimum", -(10**6)))
    high = schema.get("maximum", schema.get("exclusiveMaximum", 10**6))
    step = schema.get("multipleOf", 1 if integer else 0.01)

    def inside(x: float) -> bool:
        above = x > schema["exclusiveMinimum"] if "exclusiveMinimum" in schema else x >= low
        below = x < schema["exclusiveMaximum"] if "exclusiveMaximum" in schema else x <= high
        return above and below

    first, last = math.ceil(low / step), math.floor(high / step)
    numbers = st.integers(first, last).map(lambda k: k * step)
    if not integer:
        numbers = numbers.map(lambda x: round(x, 6))
    return numbers.filter(inside)


_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "date": st.dates().map(lambda d: d.isoformat()),
    "date-time": st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: d.isoformat()),
    "time": st.times().map(lambda t: t.isoformat()),
    "email": st.emails(),
    "uuid": st.uuids().map(str),
}


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Strings of the schema's ``format`` or ``pattern``, else text of the allowed length."""
    low, high = schema.get("minLength", 0), schema.get("maxLength", 20)
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    if "pattern" in schema:
        strings = st.from_regex(schema["pattern"], fullmatch=True)
        return strings.filter(lambda s: low <= len(s) <= max(high, low))
    return st.text(min_size=low, max_size=max(high, low))


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {k: _value(v) for k, v in props.items() if k in required},
        optional={k: _value(v) for k, v in props.items() if k not in required},
    )


def tool_calls(schema: dict[str, Any] | Sequence[dict[str, Any]]) -> st.SearchStrategy[ToolCall]:
    """Calls whose arguments satisfy the JSON Schema of a tool (or of one of several tools).

    ``schema`` is an OpenAI tool schema (``{"type": "function", "function": {...}}``), a bare
    function schema (``{"name": ..., "parameters": ...}``), or a list of either, such as
    ``info["tools"]``.
    """
    schemas = [schema] if isinstance(schema, dict) else list(schema)
    if not schemas:
        raise ValueError("tool_calls() needs at least one tool schema")
    options = []
    for item in schemas:
        fn = item.get("function", item)
        if "name" not in fn:
            raise ValueError(f"a tool schema needs a name: {item!r}")
        options.append(
            st.builds(
                ToolCall,
                id=st.integers(0, 10**6).map(lambda n: f"call_{n}"),
                name=st.just(fn["name"]),
                arguments=_object(fn.get("parameters", {"type": "object"})),
            )
        )
    return st.one_of(options)
