"""Gymnasium spaces for language: any text observation, and agent turns as actions.

``gymnasium.spaces.Text`` only admits its charset (no spaces, newlines or unicode by default),
so LLM text fails ``contains``. These spaces accept what agents really send, and their seeded
``sample()`` mixes well-formed and malformed tool calls so ``check_env`` and fuzzers exercise
the error paths. Vector envs batch them through Gymnasium's generic ``Space`` rules (a
``Tuple`` of per-env spaces, observations as tuples); use ``AsyncVectorEnv(shared_memory=False)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from toolgym.core.messages import AgentTurn

__all__ = ["AnyText", "ToolActionSpace", "sample_arguments"]

_ALPHABET = [
    *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-_'\"\n\t{}[]()/\\",
    *["é", "ß", "中", "文", "😀", "ـ", "\u200b", "Ω", "ñ"],
]


def _text(rng: np.random.Generator, low: int, high: int) -> str:
    n = int(rng.integers(low, high + 1))
    return "".join(_ALPHABET[i] for i in rng.integers(0, len(_ALPHABET), n))


class AnyText(spaces.Space[str]):
    """Any Python ``str`` (unicode, whitespace, any length up to ``max_length``)."""

    def __init__(self, max_length: int = 1_000_000, seed: int | np.random.Generator | None = None):
        if max_length < 1:
            raise ValueError(f"max_length must be >= 1, got {max_length}")
        self.max_length = max_length
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        return _text(self.np_random, 0, min(64, self.max_length))

    def __repr__(self) -> str:
        return f"AnyText(max_length={self.max_length})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyText) and other.max_length == self.max_length


_TURN_KEYS = frozenset(
    {"role", "thinking", "reasoning_content", "reasoning", "content", "tool_calls"}
)


class ToolActionSpace(spaces.Space[Any]):
    """An agent turn: a final-answer ``str``, an :class:`AgentTurn`, or a turn-shaped dict.

    ``sample()`` draws, from the space's seeded generator, a mix of valid calls (arguments drawn
    from each tool's JSON Schema), final answers, and the malformed calls agents really send:
    unknown tools, wrong types, broken or double-encoded JSON, missing names, huge and unicode
    strings.
    """

    def __init__(
        self,
        tool_schemas: Sequence[Mapping[str, Any]],
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.tool_schemas = [dict(schema) for schema in tool_schemas]
        self._functions = [s.get("function", s) for s in self.tool_schemas]
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        if isinstance(x, (str, AgentTurn)):
            return True
        if isinstance(x, Mapping):
            calls = x.get("tool_calls")
            return set(x) <= _TURN_KEYS and (calls is None or isinstance(calls, (list, tuple)))
        return False

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        rng = self.np_random
        kind = int(rng.integers(0, 10))
        if kind == 0 or not self._functions:
            return _text(rng, 0, 40)
        calls = [self._sample_call(rng, i) for i in range(int(rng.integers(1, 3)))]
        turn: dict[str, Any] = {"tool_calls": calls}
        if rng.random() < 0.5:
            turn["thinking"] = _text(rng, 0, 30)
        if rng.random() < 0.2:
            turn["content"] = _text(rng, 0, 20)
        return turn

    def _sample_call(self, rng: np.random.Generator, index: int) -> Any:
        fn = self._functions[int(rng.integers(0, len(self._functions)))]
        name, params = fn["name"], fn.get("parameters", {})
        call_id = f"s{index}"
        kind = int(rng.integers(0, 12))
        if kind <= 4:
            return {"id": call_id, "name": name, "arguments": sample_arguments(params, rng)}
        if kind == 5:
            return {"id": call_id, "name": name + "_" + _text(rng, 1, 4), "arguments": {}}
        if kind == 6:
            args = {key: _wrong_type(rng) for key in params.get("properties", {})}
            return {"id": call_id, "name": name, "arguments": args}
        if kind == 7:
            text = json.dumps(sample_arguments(params, rng))
            return {"id": call_id, "name": name, "arguments": text[: max(1, len(text) - 2)]}
        if kind == 8:
            text = json.dumps(json.dumps(sample_arguments(params, rng)))
            function = {"name": name, "arguments": text}
            return {"id": call_id, "type": "function", "function": function}
        if kind == 9:
            return {"id": call_id, "arguments": {}} if rng.random() < 0.5 else _text(rng, 0, 5)
        if kind == 10:
            key = next(iter(params.get("properties", {})), "x")
            return {"id": call_id, "name": name, "arguments": {key: "x" * 20_000}}
        return {"name": name, "arguments": {_text(rng, 1, 6): _text(rng, 0, 12)}}

    def __repr__(self) -> str:
        return f"ToolActionSpace({len(self._functions)} tools)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ToolActionSpace) and other.tool_schemas == self.tool_schemas


def _wrong_type(rng: np.random.Generator) -> Any:
    choices: list[Any] = [None, [], {"nested": [1, 2]}, 3.5, True, -1, "", _text(rng, 1, 8)]
    return choices[int(rng.integers(0, len(choices)))]


def sample_arguments(schema: Mapping[str, Any], rng: np.random.Generator) -> Any:
    """A value matching a (simple) JSON Schema: required properties always, others at random."""
    if "enum" in schema:
        options = schema["enum"]
        return options[int(rng.integers(0, len(options)))]
    if "anyOf" in schema:
        branches = schema["anyOf"]
        return sample_arguments(branches[int(rng.integers(0, len(branches)))], rng)
    kind = schema.get("type", "object")
    if kind == "object":
        required = set(schema.get("required", ()))
        return {
            key: sample_arguments(sub, rng)
            for key, sub in schema.get("properties", {}).items()
            if key in required or rng.random() < 0.5
        }
    if kind == "array":
        return [sample_arguments(schema.get("items", {}), rng) for _ in range(rng.integers(0, 3))]
    if kind == "integer":
        low = int(schema.get("minimum", 0))
        return int(rng.integers(low, max(low, int(schema.get("maximum", low + 100))) + 1))
    if kind == "number":
        return round(float(rng.uniform(schema.get("minimum", 0), schema.get("maximum", 100))), 2)
    if kind == "boolean":
        return bool(rng.random() < 0.5)
    if kind == "null":
        return None
    return _text(rng, 1, 12)
