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
from dataclasses import replace
from typing import Any, ClassVar, Literal

from pydantic import Field

from toolgym.core.episode import Invocation
from toolgym.core.errors import ToolError
from toolgym.core.tool import invalid_value
from toolgym.core.view import ToolEntry, ToolView
from toolgym.faults.base import Fault, FaultContext, Schedule
from toolgym.faults.support import (
    calls_ahead,
    canonical_entries,
    mutates,
    plan_calls,
    track_progress,
)
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


# ---------------------------------------------------------------------- helpers
def _scratch_set(ctx: FaultContext, key: str) -> set[Any]:
    return ctx.episode.scratch.setdefault(key, set())


def _aimed(
    view: ToolView, calls: tuple[tuple[str, dict[str, Any]], ...], usable: Callable[..., bool]
) -> list[ToolEntry]:
    """The entries of the tools ``calls`` use (in plan order, each once) for which
    ``usable(entry, arguments)`` holds for one of its calls; all usable entries when none do."""
    aimed: dict[str, ToolEntry] = {}
    for tool, arguments in calls:
        entry = view.entry_for(tool)
        if entry is not None and tool not in aimed and usable(entry, arguments):
            aimed[tool] = entry
    if aimed:
        return list(aimed.values())
    return [e for e in canonical_entries(view) if usable(e, None)]


def _aimed_sample(ctx: FaultContext, count: int) -> list[ToolEntry]:
    """``count`` entries (fewer if the view has fewer): tools the plan calls first, in a
    seeded order, then others."""
    view = ctx.episode.view
    needed = {tool for tool, _ in plan_calls(ctx.episode)}
    aimed = [e for e in canonical_entries(view) if e.target in needed]
    others = [e for e in canonical_entries(view) if e.target not in needed]
    chosen = ctx.sample(aimed, count)
    return chosen + ctx.sample(others, count - len(chosen))


def _anything(entry: ToolEntry, arguments: dict[str, Any] | None) -> bool:
    return True


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


def _rename_parameter(ctx: FaultContext, entry: ToolEntry, wanted: list[str] | None = None) -> bool:
    """Rename one parameter of ``entry`` (one of the canonical ``wanted`` when it has any);
    whether one was renamed."""
    props = list(_properties(entry))
    if not props:
        return False
    visible = {entry.arg_names.get(v, v): v for v in props}
    aimed = [visible[c] for c in dict.fromkeys(wanted or ()) if c in visible]
    old = ctx.choice(aimed or props)
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
    strict: dict[str, tuple[Callable[[str], Any], str]] = {}
    changed = []
    for visible, schema in props.items():
        canonical = entry.arg_names.get(visible, visible)
        replacement = None
        if (entry.target, canonical) not in retyped and visible != "page_token":
            if loosen:
                replacement, converter = _loosened(schema, schema.get("type"))
                if replacement is not None:
                    convert[canonical] = converter
            else:
                replacement, parse, expected = _changed(schema, schema.get("type"))
                if replacement is not None:
                    strict[canonical] = (parse, expected)
        if replacement is None:
            new_props[visible] = schema
            continue
        new_props[visible] = replacement
        retyped.add((entry.target, canonical))
        changed.append(visible)
    if changed:
        params = {**entry.parameters, "properties": new_props}
        coerce = (
            _converter(convert)
            if loosen
            else _strict_converter(ctx.episode.view, entry.target, strict)
        )
        ctx.episode.view.replace(entry.name, parameters=params, coerce=_chain(entry.coerce, coerce))
    return changed


def _strict_converter(
    view: ToolView, target: str, parsers: dict[str, tuple[Callable[[str], Any], str]]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Parse the named canonical arguments from their new string form; a value in any other
    form (the old type included) is rejected the way the API's validation rejects a wrong type,
    naming the field as shown, the form expected and the value sent."""

    def coerce(arguments: dict[str, Any]) -> dict[str, Any]:
        out = dict(arguments)
        for canonical, (parse, expected) in parsers.items():
            value = arguments.get(canonical)
            if value is None:
                continue  # absent or null: the tool's own validation has the last word
            parsed = parse(value) if isinstance(value, str) else _REJECT
            if parsed is _REJECT:
                entry = view.entry_for(target)
                shown = {c: v for v, c in entry.arg_names.items()} if entry is not None else {}
                name = entry.name if entry is not None else target
                raise invalid_value(name, shown.get(canonical, canonical), expected, value)
            out[canonical] = parsed
        return out

    return coerce


_REJECT = object()  # a parser's answer for text that is not in the form the schema asks


def _parse_number(integer: bool) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            number = float(text.strip().replace(",", ""))
        except ValueError:
            return _REJECT
        if not integer:
            return number
        return int(number) if number.is_integer() else _REJECT

    return parse


def _parse_yes_no(text: str) -> Any:
    return {"yes": True, "no": False}.get(text.strip().lower(), _REJECT)


def _parse_list(text: str) -> Any:
    return [part.strip() for part in text.split(",") if part.strip()]


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


def _changed(
    schema: dict[str, Any], kind: Any
) -> tuple[dict[str, Any] | None, Callable[[str], Any], str]:
    """The new schema of a parameter whose type changes to a string form, the parser of that
    form, and how the validation error describes it; ``None`` for types it leaves alone."""
    rest = {k: v for k, v in schema.items() if k not in ("type", "items", "minItems", "enum")}
    if "enum" in schema:
        return None, _parse_list, ""
    if kind in ("integer", "number"):
        example = "'3'" if kind == "integer" else "'12.50'"
        text = f"Given as a decimal string, e.g. {example}."
        changed = {**rest, "type": "string", "description": _describe(schema, text)}
        return changed, _parse_number(kind == "integer"), f"a decimal string such as {example}"
    if kind == "boolean":
        changed = {**rest, "type": "string", "enum": ["yes", "no"]}
        changed["description"] = _describe(schema, "'yes' or 'no'.")
        return changed, _parse_yes_no, "'yes' or 'no'"
    if kind == "array" and schema.get("items", {}).get("type") == "string":
        text = "A comma-separated list, e.g. 'a, b'."
        changed = {**rest, "type": "string", "description": _describe(schema, text)}
        return changed, _parse_list, "a comma-separated string such as 'a, b'"
    return None, _parse_list, ""


def _retypable(entry: ToolEntry, arguments: dict[str, Any] | None) -> bool:
    """Whether ``changed_types`` can change the type of a parameter ``arguments`` pass (of any
    parameter, without arguments)."""
    props = _properties(entry)
    names = props
    if arguments is not None:
        names = {k: v for k, v in entry.visible_arguments(arguments).items() if v is not None}
    return any(
        k in props and k != "page_token" and _changed(props[k], props[k].get("type"))[0]
        for k in names
    )


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
    arrays a single value; the tool accepts the new forms.

    Unmeasurable by design for a caller that keeps the old types: every old form stays valid
    (as on a real API that loosens its validation), so nothing a clean caller sends fails. What
    it can show is only whether a wider, ``anyOf``-shaped schema confuses an agent that builds
    its arguments from the schema; expect no loss from a caller replaying clean calls.
    """

    name: ClassVar = "loosened_types"
    order: ClassVar = 40

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries = [e for e in canonical_entries(ctx.episode.view) if _properties(e)]
        for entry in _pick_entries(ctx, entries, self.fraction):
            changed = _retype(ctx, entry, loosen=True)
            if changed:
                ctx.record(entry.name, f"loosened {', '.join(changed)}")


class ChangedTypes(_Fraction):
    """Argument types changed, as a new API version would: numbers as decimal strings,
    booleans as ``yes``/``no``, lists of strings as comma-separated text. The old types are
    rejected with a validation error naming the field and the form it expects.

    It aims at the tools whose changeable arguments the task's plan passes (``fraction`` of
    them, at least one; any tool with such a parameter when the plan passes none).
    """

    name: ClassVar = "changed_types"
    order: ClassVar = 41

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        entries = _aimed(view, plan_calls(ctx.episode), _retypable)
        for entry in _pick_entries(ctx, entries, self.fraction):
            changed = _retype(ctx, entry, loosen=False)
            if changed:
                ctx.record(entry.name, f"retyped {', '.join(changed)} as strings")


_DISTRACTOR_READS = (
    "{}_async",
    "{}_export",
    "{}_report",
    "{}_batch",
    "bulk_{}",
    "request_{}",
)
_DISTRACTOR_WRITES = (
    "{}_preview",
    "{}_dry_run",
    "{}_draft",
    "validate_{}",
    "{}_check",
    "simulate_{}",
)


class DistractorTools(_ToolsFault):
    """Look-alike tools beside the tools the task needs, with familiar names
    (``get_order_async`` listed just before ``get_order``, ``cancel_order_preview`` before
    ``cancel_order``) and the same parameters, whose results are useless: a read only queues an
    offline export and returns a job id, a write is a dry run that changes nothing. Their
    descriptions say so; an agent that picks a tool by its name alone loses."""

    name: ClassVar = "distractor_tools"
    order: ClassVar = 60

    count: int = Field(2, ge=1, le=5, description="How many distractors to add.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        episode = ctx.episode
        view = episode.view
        for entry in _aimed_sample(ctx, self.count):
            writes = mutates(episode, entry)
            affixes = ctx.shuffled(_DISTRACTOR_WRITES if writes else _DISTRACTOR_READS)
            name = _free_name(view, [a.format(entry.name) for a in affixes])
            if name is None:
                continue
            what = lower_first(entry.description.rstrip(".")) if entry.description else entry.name
            if writes:
                description = (
                    f"Dry run: checks a request to {what} and reports what would change, "
                    "without applying anything."
                )
            else:
                description = (
                    f"Queue an offline export job to {what}; the data is e-mailed to the "
                    "account owner within a day, and this call returns only the job id."
                )
            handler = _distractor_handler(name, writes, ctx.integers(16**8))
            position = view.names().index(entry.name)
            view.add(
                ToolEntry(name, description, copy.deepcopy(entry.parameters), handler=handler),
                position=position,
            )
            kind = "dry run" if writes else "offline export"
            ctx.record(name, f"look-alike of {entry.name} ({kind}, useless result)")


def _distractor_handler(name: str, writes: bool, seed: int) -> Callable[[dict[str, Any]], Any]:
    """A plausible answer that carries nothing the task needs (numbered per call, so replies
    differ, without any draw at call time)."""
    calls = [0]

    def handler(arguments: dict[str, Any]) -> Any:
        calls[0] += 1
        job = f"{(seed + 7919 * calls[0]) % 16**8:08x}"
        if writes:
            return {
                "dry_run": True,
                "valid": True,
                "applied": False,
                "message": f"Request is valid. Nothing was changed: call the live endpoint "
                f"to apply it (check id chk_{job}).",
            }
        return {
            "status": "queued",
            "job_id": f"job_{job}",
            "message": "Export queued; results will be e-mailed to the account owner.",
        }

    return handler


class RemovedTool(_ToolsFault):
    """Tools the task needs removed from the toolset: the old name is unknown, and the same
    operation is served by a successor published under a new, noun-first name
    (``get_order`` -> ``order_get``) at the end of the list, so a careful agent still finishes.
    It aims at the plan's tools (any tool when the plan calls none)."""

    name: ClassVar = "removed_tool"
    order: ClassVar = 70

    count: int = Field(1, ge=1, le=3, description="How many tools to remove.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        for entry in _aimed_sample(ctx, self.count):
            new = _free_name(view, _successor_names(entry.name))
            if new is None:
                continue
            view.remove(entry.name)
            view.add(replace(entry, name=new))
            ctx.record(entry.name, f"{entry.name} removed; its successor is {new}")


def _successor_names(name: str) -> list[str]:
    """Names a replacement endpoint might take: the words turned noun-first, then suffixed."""
    tokens = name.split("_")
    out = []
    if len(tokens) > 1:
        out.append("_".join([*tokens[1:], tokens[0]]))
        out.append("_".join(tokens[1:]) + f"_{tokens[0]}_op")
    out += [f"{name}_endpoint", f"{name}_service", f"{name}_call"]
    return out


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


class _Drift(_ToolsFault):
    """Mid-episode drift, aimed at a tool the rest of the plan still needs (as far as the
    agent's calls so far show); any tool when the plan needs none. A tool it struck is not
    struck again before a call has gone through it, so an agent that follows the change
    always gets a turn to use it, however often the schedule lets the drift fire."""

    stage: ClassVar = "turn"

    def prepare(self, ctx: FaultContext) -> None:
        """Dry-run the plan while the world is as the reset left it (a dry run later would
        replay the task over the agent's work); being prepared, the fault follows every call
        from the start (:meth:`follow_result`)."""
        plan_calls(ctx.episode)

    def follow_result(self, ctx: FaultContext, invocation: Invocation) -> None:
        track_progress(ctx.episode, invocation)
        if invocation.ran and invocation.error is None:
            ctx.memory.get("struck", set()).discard(invocation.entry.target)

    def _victims(
        self, ctx: FaultContext, usable: Callable[..., bool]
    ) -> tuple[list[ToolEntry], tuple[tuple[str, dict[str, Any]], ...]]:
        """The entries it may strike now (plan tools ahead first), and the calls ahead."""
        struck = ctx.memory.setdefault("struck", set())
        ahead = calls_ahead(ctx.episode)
        view = ctx.episode.view
        entries = [e for e in _aimed(view, ahead, usable) if e.target not in struck]
        if not entries:
            entries = [e for e in canonical_entries(view) if e.target not in struck]
            entries = [e for e in entries if usable(e, None)]
        return entries, ahead

    def _struck(self, ctx: FaultContext, entry: ToolEntry) -> None:
        ctx.memory.setdefault("struck", set()).add(entry.target)


class ToolDrift(_Drift):
    """Mid-episode drift: at a scheduled step a tool the rest of the task needs is renamed;
    with ``mode="deprecate"`` its old name answers with a deprecation error naming the new one,
    with ``mode="rename"`` it is simply unknown."""

    name: ClassVar = "tool_drift"

    mode: Literal["deprecate", "rename"] = Field(
        "deprecate", description="What the old name answers after the change."
    )
    schedule: Schedule = Field(default_factory=lambda: Schedule(first=2, max_fires=1))

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        view = ctx.episode.view
        entries, _ = self._victims(ctx, _anything)
        if not entries:
            return
        entry = ctx.choice(entries)
        old = entry.name
        candidates = [_versioned_name(ctx, old), _synonym_name(ctx, old) or ""]
        new = _free_name(view, [c for c in ctx.shuffled(candidates) if c and c != old])
        if new is None:
            return
        view.replace(old, name=new)
        self._struck(ctx, entry)
        if self.mode == "deprecate":
            view.retired[old] = ToolError(
                "deprecated",
                f"'{old}' is deprecated and no longer served; use '{new}' instead.",
                details={"replacement": new, "status": 410},
            )
        ctx.record(old, f"{old} -> {new} ({self.mode})")


class ParameterDrift(_Drift):
    """Mid-episode drift of a parameter: at a scheduled step a parameter the rest of the task
    passes is renamed, and calls with the old name fail as they would on a real API."""

    name: ClassVar = "parameter_drift"

    schedule: Schedule = Field(default_factory=lambda: Schedule(first=3, max_fires=1))

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        entries, ahead = self._victims(ctx, _passes_arguments)
        if not entries:
            return
        entry = ctx.choice(entries)
        wanted = [k for tool, arguments in ahead if tool == entry.target for k in arguments]
        if _rename_parameter(ctx, entry, wanted):
            self._struck(ctx, entry)


def _passes_arguments(entry: ToolEntry, arguments: dict[str, Any] | None) -> bool:
    return bool(_properties(entry)) and (arguments is None or bool(arguments))
