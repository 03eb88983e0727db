"""Faults on the toolset: names, parameters, descriptions, types, extra or missing tools, order,
and drift in the middle of an episode.

Every change goes through the episode's :class:`~toolgym.core.view.ToolView`, which keeps the
route from what the agent sees to the real tool: a renamed tool or parameter still works, and
its old name fails the way an unknown name fails on a real API. So that a careful agent can
always tell the tools apart, a tool never loses both its meaningful name and its description.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import Field

from toolgym.core.episode import Invocation
from toolgym.core.errors import ToolError
from toolgym.core.view import ToolEntry, ToolView
from toolgym.faults.base import Fault, FaultContext, Schedule
from toolgym.faults.support import canonical_entries, plan_calls
from toolgym.faults.text import camel, lower_first, upper_first

__all__ = [
    "ChangedTypes",
    "DistractorTools",
    "LoosenedTypes",
    "ParameterDrift",
    "ParaphrasedDescriptions",
    "RemovedDescriptions",
    "RemovedParameterDescriptions",
    "RemovedTool",
    "RenamedParameters",
    "ReorderedTools",
    "ScrambledToolNames",
    "SynonymToolNames",
    "ToolDrift",
    "VersionedToolNames",
]

_OPAQUE = "faults.opaque_names"  # targets whose visible name says nothing
_BLANK = "faults.blank_descriptions"  # targets whose description was removed
_RETYPED = "faults.retyped"  # (target, canonical parameter) whose type a fault changed

_NAME_SYNONYMS: dict[str, tuple[str, ...]] = {
    "get": ("fetch", "retrieve", "read", "lookup"),
    "list": ("enumerate", "browse", "query"),
    "find": ("search", "lookup", "locate"),
    "search": ("find", "query", "lookup"),
    "cancel": ("void", "abort", "revoke"),
    "update": ("modify", "edit", "change"),
    "modify": ("update", "edit", "change"),
    "change": ("update", "modify"),
    "create": ("add", "new", "make"),
    "add": ("create", "insert"),
    "delete": ("remove", "erase"),
    "remove": ("delete", "drop"),
    "return": ("send_back",),
    "exchange": ("swap",),
    "calculate": ("compute", "evaluate"),
    "transfer": ("move", "send"),
    "schedule": ("book", "plan"),
    "book": ("reserve", "schedule"),
    "send": ("dispatch", "submit"),
    "read": ("get", "view", "open"),
    "write": ("save", "put"),
    "check": ("verify", "inspect"),
    "customer": ("client",),
    "order": ("purchase",),
    "orders": ("purchases",),
    "product": ("article",),
    "products": ("articles",),
}
_PARAM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("identifier", "ref"),
    "ids": ("identifiers", "refs"),
    "email": ("email_address", "mail"),
    "name": ("full_name", "display_name"),
    "zip": ("postal_code", "zipcode"),
    "query": ("q", "search_text", "keywords"),
    "status": ("state_filter", "with_status"),
    "reason": ("cause", "motive"),
    "customer": ("client",),
    "order": ("purchase",),
    "product": ("item",),
    "amount": ("value", "sum"),
    "date": ("day",),
    "start": ("begin", "from"),
    "end": ("until", "to"),
    "title": ("subject", "heading"),
    "expression": ("formula", "expr"),
    "category": ("section", "group"),
    "street": ("street_address", "address_line"),
    "city": ("town", "locality"),
    "state": ("region", "province"),
    "variant": ("sku",),
    "new": ("target", "replacement"),
    "payment": ("billing",),
    "method": ("instrument",),
    "refund": ("reimbursement",),
}
_LEAD_VERBS: dict[str, tuple[str, ...]] = {
    "Get": ("Retrieve", "Fetch", "Look up"),
    "List": ("Return", "Enumerate", "Show"),
    "Find": ("Locate", "Look up", "Search for"),
    "Search": ("Look through", "Query"),
    "Cancel": ("Void", "Call off"),
    "Change": ("Update", "Modify"),
    "Return": ("Send back",),
    "Exchange": ("Swap",),
    "Evaluate": ("Compute", "Work out"),
    "Create": ("Make", "Add"),
    "Delete": ("Remove", "Erase"),
    "Update": ("Change", "Modify"),
    "Send": ("Dispatch",),
}
_WRAPPERS = (
    "Use this tool to {}",
    "This endpoint will {}",
    "Call this to {}",
    "Lets you {}",
)
_SCRAMBLE_PREFIXES = ("fn", "tool", "op", "action", "api")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_DISTRACTOR_AFFIXES = (
    "{}_legacy",
    "{}_v0",
    "{}_internal",
    "{}_batch",
    "{}_preview",
    "legacy_{}",
    "bulk_{}",
    "admin_{}",
)


# ---------------------------------------------------------------------- helpers
def _scratch_set(ctx: FaultContext, key: str) -> set[Any]:
    return ctx.episode.scratch.setdefault(key, set())


def _pick_entries(ctx: FaultContext, entries: list[ToolEntry], fraction: float) -> list[ToolEntry]:
    """Each entry with chance ``fraction``; at least one when any exist, in view order."""
    chosen = [e for e in entries if ctx.random() < fraction]
    if not chosen and entries:
        chosen = [ctx.choice(entries)]
    return chosen


def _free_name(view: ToolView, candidates: list[str]) -> str | None:
    for name in candidates:
        if view.find(name) is None and name not in view.retired:
            return name
    return None


def _synonym_name(ctx: FaultContext, name: str) -> str | None:
    tokens = name.split("_")
    options = [k for k, t in enumerate(tokens) if t in _NAME_SYNONYMS]
    if not options:
        return None
    k = ctx.choice(options)
    out = list(tokens)
    out[k] = ctx.choice(_NAME_SYNONYMS[tokens[k]])
    return "_".join(out)


def _versioned_name(ctx: FaultContext, name: str) -> str:
    version = 2 + ctx.integers(3)
    return ctx.choice((f"{name}_v{version}", f"v{version}_{name}", f"{name}_2025_0{version}"))


def _rename_tool(ctx: FaultContext, entry: ToolEntry, candidates: list[str]) -> str | None:
    new = _free_name(ctx.episode.view, [c for c in candidates if c and c != entry.name])
    if new is None:
        return None
    ctx.episode.view.replace(entry.name, name=new)
    ctx.record(entry.name, f"{entry.name} -> {new}")
    return new


def _properties(entry: ToolEntry) -> dict[str, Any]:
    return entry.parameters.get("properties", {})


def _with_property(entry: ToolEntry, visible: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A new parameters schema with property ``visible`` replaced."""
    params = dict(entry.parameters)
    params["properties"] = {
        k: (schema if k == visible else v) for k, v in _properties(entry).items()
    }
    return params


def _rename_property(entry: ToolEntry, old: str, new: str) -> dict[str, Any]:
    params = dict(entry.parameters)
    params["properties"] = {(new if k == old else k): v for k, v in _properties(entry).items()}
    if "required" in params:
        params["required"] = [new if k == old else k for k in params["required"]]
    return params


def _param_candidates(name: str) -> list[str]:
    tokens = name.split("_")
    out = []
    for k, token in enumerate(tokens):
        for synonym in _PARAM_SYNONYMS.get(token, ()):
            out.append("_".join([*tokens[:k], synonym, *tokens[k + 1 :]]))
    if camel(name) != name:
        out.append(camel(name))
    out.append(f"{name}_value" if len(tokens) == 1 else f"p_{name}")
    return out


def _rename_parameter(ctx: FaultContext, entry: ToolEntry) -> bool:
    """Rename one parameter of ``entry``; whether one was renamed."""
    props = list(_properties(entry))
    if not props:
        return False
    old = ctx.choice(props)
    taken = set(props)
    options = [c for c in _param_candidates(old) if c not in taken]
    if not options:
        return False
    new = ctx.choice(options)
    canonical = entry.arg_names.get(old, old)
    arg_names = {k: v for k, v in entry.arg_names.items() if k != old}
    arg_names[new] = canonical
    ctx.episode.view.replace(
        entry.name, parameters=_rename_property(entry, old, new), arg_names=arg_names
    )
    ctx.record(entry.name, f"{entry.name}.{old} -> {new}")
    return True


def _paraphrase(ctx: FaultContext, description: str) -> str:
    text = description
    verb = text.split(" ", 1)[0]
    if verb in _LEAD_VERBS:
        text = ctx.choice(_LEAD_VERBS[verb]) + text[len(verb) :]
    if ctx.random() < 0.6 or text == description:
        text = ctx.choice(_WRAPPERS).format(lower_first(text))
    return upper_first(text)


def _strip_descriptions(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip_descriptions(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "description":
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _strip_descriptions(v) for name, v in value.items()}
        else:
            out[key] = _strip_descriptions(value)
    return out


def _chain(
    first: Callable[[dict[str, Any]], dict[str, Any]] | None,
    then: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if first is None:
        return then

    def both(arguments: dict[str, Any]) -> dict[str, Any]:
        return then(first(arguments))

    return both


def _converter(
    convert: dict[str, Callable[[Any], Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Coerce the named canonical arguments; values it cannot read pass through untouched, so
    the real tool's validation reports them."""

    def coerce(arguments: dict[str, Any]) -> dict[str, Any]:
        if not any(k in arguments for k in convert):
            return arguments
        return {k: (convert[k](v) if k in convert else v) for k, v in arguments.items()}

    return coerce


def _number_from_text(integer: bool) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            number = float(value.strip().replace(",", "").lstrip("$"))
        except ValueError:
            return value
        return int(number) if integer and number.is_integer() else number

    return convert


def _bool_from_text(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("yes", "true", "1", "y"):
            return True
        if word in ("no", "false", "0", "n"):
            return False
    return value


def _list_from_text(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _wrap_scalar(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


def _enum_matcher(options: list[Any]) -> Callable[[Any], Any]:
    by_text = {str(o).strip().lower(): o for o in options}

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            return by_text.get(" ".join(value.split()).lower(), value)
        return value

    return convert


def _describe(schema: dict[str, Any], extra: str) -> str:
    base = schema.get("description", "").rstrip()
    return f"{base} {extra}".strip() if base else extra


def _retype(ctx: FaultContext, entry: ToolEntry, loosen: bool) -> list[str]:
    """Loosen or change the types of ``entry``'s parameters; the names of those it changed."""
    assert entry.target is not None
    retyped = _scratch_set(ctx, _RETYPED)
    props = _properties(entry)
    new_props: dict[str, Any] = {}
    convert: dict[str, Callable[[Any], Any]] = {}
    changed = []
    for visible, schema in props.items():
        canonical = entry.arg_names.get(visible, visible)
        kind = schema.get("type")
        replacement = None
        if (entry.target, canonical) not in retyped and visible != "page_token":
            if loosen:
                replacement, converter = _loosened(schema, kind)
            else:
                replacement, converter = _changed(schema, kind)
        if replacement is None:
            new_props[visible] = schema
            continue
        new_props[visible] = replacement
        convert[canonical] = converter
        retyped.add((entry.target, canonical))
        changed.append(visible)
    if changed:
        params = {**entry.parameters, "properties": new_props}
        ctx.episode.view.replace(
            entry.name, parameters=params, coerce=_chain(entry.coerce, _converter(convert))
        )
    return changed


def _loosened(schema: dict[str, Any], kind: Any) -> tuple[dict[str, Any] | None, Any]:
    rest = {k: v for k, v in schema.items() if k not in ("type", "enum")}
    if "enum" in schema:
        options = list(schema["enum"])
        text = "One of: " + ", ".join(map(str, options)) + " (any casing)."
        return {**rest, "type": "string", "description": _describe(schema, text)}, _enum_matcher(
            options
        )
    if kind in ("integer", "number"):
        loose = {**rest, "anyOf": [{"type": kind}, {"type": "string"}]}
        loose["description"] = _describe(schema, "A numeric string is accepted too.")
        return loose, _number_from_text(kind == "integer")
    if kind == "boolean":
        loose = {**rest, "anyOf": [{"type": "boolean"}, {"type": "string"}]}
        loose["description"] = _describe(schema, "'yes'/'no' are accepted too.")
        return loose, _bool_from_text
    if kind == "array" and isinstance(schema.get("items"), dict) and "type" in schema["items"]:
        loose = {k: v for k, v in schema.items() if k not in ("type", "items", "minItems")}
        loose["anyOf"] = [{"type": "array", "items": schema["items"]}, schema["items"]]
        loose["description"] = _describe(schema, "A single value is accepted too.")
        return loose, _wrap_scalar
    return None, None


def _changed(schema: dict[str, Any], kind: Any) -> tuple[dict[str, Any] | None, Any]:
    rest = {k: v for k, v in schema.items() if k not in ("type", "items", "minItems", "enum")}
    if "enum" in schema:
        return None, None
    if kind in ("integer", "number"):
        example = "'3'" if kind == "integer" else "'12.50'"
        text = f"Given as a decimal string, e.g. {example}."
        return {
            **rest,
            "type": "string",
            "description": _describe(schema, text),
        }, _number_from_text(kind == "integer")
    if kind == "boolean":
        text = "'yes' or 'no'."
        changed = {**rest, "type": "string", "enum": ["yes", "no"]}
        changed["description"] = _describe(schema, text)
        return changed, _bool_from_text
    if kind == "array" and schema.get("items", {}).get("type") == "string":
        text = "A comma-separated list, e.g. 'a, b'."
        return {**rest, "type": "string", "description": _describe(schema, text)}, _list_from_text
    return None, None


# ----------------------------------------------------------------------- faults
class _ToolsFault(Fault):
    axis: ClassVar = "tools"
    hook: ClassVar = "tools"
    stage: ClassVar = "reset"


class _Fraction(_ToolsFault):
    fraction: float = Field(
        0.5, ge=0.05, le=1.0, description="Share of the tools it changes (at least one)."
    )


class ScrambledToolNames(_Fraction):
    """Tool names replaced by meaningless codes (``get_order`` -> ``op_k3x9q``); the agent must
    go by the descriptions, which this fault never pairs with a removed one."""

    name: ClassVar = "scrambled_tool_names"
    order: ClassVar = 10

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        blank = _scratch_set(ctx, _BLANK)
        opaque = _scratch_set(ctx, _OPAQUE)
        entries = [e for e in canonical_entries(ctx.episode.view) if e.target not in blank]
        for entry in _pick_entries(ctx, entries, self.fraction):
            prefix = ctx.choice(_SCRAMBLE_PREFIXES)
            code = "".join(ctx.choice(_ALPHABET) for _ in range(5))
            if _rename_tool(ctx, entry, [f"{prefix}_{code}", f"{prefix}_{code}x"]):
                opaque.add(entry.target)


class SynonymToolNames(_Fraction):
    """Tool names rewritten with synonyms (``get_order`` -> ``fetch_order``,
    ``find_customer`` -> ``lookup_client``)."""

    name: ClassVar = "synonym_tool_names"
    order: ClassVar = 11

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _synonym_name(ctx, e.name)]
        for entry in _pick_entries(ctx, entries, self.fraction):
            _rename_tool(ctx, entry, [_synonym_name(ctx, entry.name) or "" for _ in range(3)])


class VersionedToolNames(_Fraction):
    """Tool names with a version (``get_order_v2``, ``v3_get_order``, ``get_order_2025_02``)."""

    name: ClassVar = "versioned_tool_names"
    order: ClassVar = 12

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        for entry in _pick_entries(ctx, canonical_entries(ctx.episode.view), self.fraction):
            _rename_tool(ctx, entry, [_versioned_name(ctx, entry.name) for _ in range(3)])


class RenamedParameters(_Fraction):
    """A parameter of each chosen tool renamed (``order_id`` -> ``orderId``, ``zip`` ->
    ``postal_code``); the old name is rejected as unknown."""

    name: ClassVar = "renamed_parameters"
    order: ClassVar = 20

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _properties(e)]
        for entry in _pick_entries(ctx, entries, self.fraction):
            _rename_parameter(ctx, entry)


class RemovedDescriptions(_Fraction):
    """Tool descriptions removed; only tools whose names still say what they do lose theirs."""

    name: ClassVar = "removed_descriptions"
    order: ClassVar = 30

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        opaque = _scratch_set(ctx, _OPAQUE)
        blank = _scratch_set(ctx, _BLANK)
        entries = [
            e
            for e in canonical_entries(ctx.episode.view)
            if e.target not in opaque and e.description
        ]
        for entry in _pick_entries(ctx, entries, self.fraction):
            ctx.episode.view.replace(entry.name, description="")
            blank.add(entry.target)
            ctx.record(entry.name, f"description removed ({len(entry.description)} chars)")


class ParaphrasedDescriptions(_Fraction):
    """Tool descriptions reworded (``Get an order's ...`` -> ``Use this tool to fetch an
    order's ...``)."""

    name: ClassVar = "paraphrased_descriptions"
    order: ClassVar = 31

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if e.description]
        for entry in _pick_entries(ctx, entries, self.fraction):
            text = _paraphrase(ctx, entry.description)
            ctx.episode.view.replace(entry.name, description=text)
            ctx.record(entry.name, f"{entry.description!r} -> {text!r}")


class RemovedParameterDescriptions(_Fraction):
    """Parameter descriptions removed from the chosen tools' schemas."""

    name: ClassVar = "removed_parameter_descriptions"
    order: ClassVar = 32

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [
            e
            for e in canonical_entries(ctx.episode.view)
            if _strip_descriptions(e.parameters) != e.parameters
        ]
        for entry in _pick_entries(ctx, entries, self.fraction):
            ctx.episode.view.replace(entry.name, parameters=_strip_descriptions(entry.parameters))
            ctx.record(entry.name, f"descriptions of {', '.join(_properties(entry))} removed")


class LoosenedTypes(_Fraction):
    """Argument types loosened: numbers and booleans also accept strings, enums any casing,
    arrays a single value; the tool accepts the new forms."""

    name: ClassVar = "loosened_types"
    order: ClassVar = 40

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _properties(e)]
        for entry in _pick_entries(ctx, entries, self.fraction):
            changed = _retype(ctx, entry, loosen=True)
            if changed:
                ctx.record(entry.name, f"loosened {', '.join(changed)}")


class ChangedTypes(_Fraction):
    """Argument types changed: numbers as decimal strings, booleans as ``yes``/``no``, lists
    of strings as comma-separated text; the tool accepts the new forms."""

    name: ClassVar = "changed_types"
    order: ClassVar = 41

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _properties(e)]
        for entry in _pick_entries(ctx, entries, self.fraction):
            changed = _retype(ctx, entry, loosen=False)
            if changed:
                ctx.record(entry.name, f"retyped {', '.join(changed)} as strings")


class DistractorTools(_ToolsFault):
    """Look-alike tools with similar names and the same schema (``get_order_legacy``); calling
    one fails with a clear error pointing at the real tool."""

    name: ClassVar = "distractor_tools"
    order: ClassVar = 60

    count: int = Field(2, ge=1, le=5, description="How many distractors to add.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        for entry in ctx.sample(canonical_entries(view), self.count):
            affixes = ctx.shuffled(_DISTRACTOR_AFFIXES)
            name = _free_name(view, [a.format(entry.name) for a in affixes])
            if name is None:
                continue
            description = _paraphrase(ctx, entry.description) if entry.description else ""
            handler = _distractor_handler(view, name, entry.target or "", ctx.integers(2) == 0)
            view.add(
                ToolEntry(name, description, copy.deepcopy(entry.parameters), handler=handler),
                position=ctx.integers(len(view.entries) + 1),
            )
            ctx.record(name, f"distractor of {entry.name}")


def _distractor_handler(
    view: ToolView, name: str, target: str, gone: bool
) -> Callable[[dict[str, Any]], Any]:
    def handler(arguments: dict[str, Any]) -> Any:
        real = view.entry_for(target)
        instead = f" Use '{real.name}' instead." if real is not None else ""
        if gone:
            raise ToolError("gone", f"'{name}' has been retired.{instead}", details={"status": 410})
        raise ToolError(
            "forbidden",
            f"Your API key may not call '{name}'; it is reserved for internal services.{instead}",
            details={"status": 403},
        )

    return handler


class RemovedTool(_ToolsFault):
    """Tools the task does not need removed from the toolset."""

    name: ClassVar = "removed_tool"
    order: ClassVar = 70

    count: int = Field(1, ge=1, le=3, description="How many unneeded tools to remove.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        needed = {name for name, _ in plan_calls(ctx.episode)}
        spare = [e for e in canonical_entries(ctx.episode.view) if e.target not in needed]
        for entry in ctx.sample(spare, self.count):
            ctx.episode.view.remove(entry.name)
            ctx.record(entry.name, f"{entry.name} removed (not needed by the task)")


class ReorderedTools(_ToolsFault):
    """The toolset listed in a different order."""

    name: ClassVar = "reordered_tools"
    order: ClassVar = 90

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        n = len(view.entries)
        if n < 2:
            return
        order = ctx.shuffled(range(n))
        if order == list(range(n)):
            order = order[1:] + order[:1]
        view.reorder(order)
        ctx.record("toolset", f"{n} tools reordered; first is now {view.entries[0].name}")


class ToolDrift(_ToolsFault):
    """Mid-episode drift: at a scheduled step a tool is renamed; with ``mode="deprecate"`` its
    old name answers with a deprecation error naming the new one, with ``mode="rename"`` it is
    simply unknown."""

    name: ClassVar = "tool_drift"
    stage: ClassVar = "turn"

    mode: Literal["deprecate", "rename"] = Field(
        "deprecate", description="What the old name answers after the change."
    )
    schedule: Schedule = Field(default_factory=lambda: Schedule(first=2, max_fires=1))

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        entries = canonical_entries(view)
        if not entries:
            return
        entry = ctx.choice(entries)
        old = entry.name
        candidates = [_versioned_name(ctx, old), _synonym_name(ctx, old) or ""]
        new = _free_name(view, [c for c in ctx.shuffled(candidates) if c and c != old])
        if new is None:
            return
        view.replace(old, name=new)
        if self.mode == "deprecate":
            view.retired[old] = ToolError(
                "deprecated",
                f"'{old}' is deprecated and no longer served; use '{new}' instead.",
                details={"replacement": new, "status": 410},
            )
        ctx.record(old, f"{old} -> {new} ({self.mode})")


class ParameterDrift(_ToolsFault):
    """Mid-episode drift of a parameter: at a scheduled step one parameter of a tool is
    renamed, and calls with the old name fail as they would on a real API."""

    name: ClassVar = "parameter_drift"
    stage: ClassVar = "turn"

    schedule: Schedule = Field(default_factory=lambda: Schedule(first=3, max_fires=1))

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _properties(e)]
        if entries:
            _rename_parameter(ctx, ctx.choice(entries))
