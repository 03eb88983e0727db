"""``FaultPlan``: a named list of configured faults, from Python, YAML, JSON or a preset.

In YAML::

    name: flaky-and-renamed
    faults:
      - fault: transient_error
        probability: 0.2
        statuses: [500, 503]
      - fault: tool_drift
        schedule: {first: 3, max_fires: 1}
      - synonym_tool_names        # a bare name: the fault with its defaults

Presets: ``none``, ``light``, ``medium``, ``heavy`` (every fault type, destructive ones rarely)
and one per axis: ``tools``, ``prompts``, ``world``, ``errors``, ``responses``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, field_validator

from toolgym.faults.base import AXES, Fault, fault_class, registry

__all__ = ["PRESETS", "FaultPlan", "presets"]

Spec = dict[str, Any]


def _axis(axis: str, probability: float, **overrides: Spec) -> list[Spec]:
    """Every fault type of ``axis``: those that act once per episode at ``probability``, those
    that may act at every call at a sixth of it (they get many chances per episode),
    destructive ones at a tenth."""
    out = []
    for name, cls in sorted(registry().items()):
        if cls.axis != axis:
            continue
        p = probability if cls.stage in ("reset", "turn") else probability / 6
        p = p if cls.recoverable else probability / 10
        out.append({"fault": name, "probability": round(p, 3), **overrides.get(name, {})})
    return out


def _light() -> list[Spec]:
    return [
        {"fault": "reordered_tools", "probability": 0.5},
        {"fault": "synonym_tool_names", "probability": 0.2, "fraction": 0.3},
        {"fault": "paraphrase", "probability": 0.3},
        {"fault": "typos", "probability": 0.2, "rate": 0.04},
        {"fault": "persona_variant", "probability": 0.2},
        {"fault": "reordered_listings", "probability": 0.3},
        {"fault": "transient_error", "probability": 0.05},
        {"fault": "reordered_keys", "probability": 0.2},
        {"fault": "noise_fields", "probability": 0.1},
    ]


def _medium() -> list[Spec]:
    return [
        *_light(),
        {"fault": "versioned_tool_names", "probability": 0.15, "fraction": 0.3},
        {"fault": "renamed_parameters", "probability": 0.2, "fraction": 0.3},
        {"fault": "paraphrased_descriptions", "probability": 0.2},
        {"fault": "distractor_tools", "probability": 0.3},
        {
            "fault": "tool_drift",
            "probability": 0.1,
            "schedule": {"first": 2, "last": 6, "max_fires": 1},
        },
        {"fault": "markdown_style", "probability": 0.3},
        {"fault": "rule_variants", "probability": 0.3},
        {"fault": "irrelevant_context", "probability": 0.2},
        {"fault": "casing_noise", "probability": 0.1},
        {"fault": "underspecification", "probability": 0.15},
        {"fault": "split_request", "probability": 0.1},
        {"fault": "distractor_records", "probability": 0.3},
        {"fault": "near_duplicate_records", "probability": 0.2},
        {"fault": "id_format", "probability": 0.15},
        {"fault": "rate_limit", "probability": 0.05},
        {"fault": "timeout", "probability": 0.05},
        {"fault": "validation_wording", "probability": 0.3},
        {"fault": "pagination", "probability": 0.2},
        {"fault": "truncated_output", "probability": 0.1, "max_chars": 800},
        {"fault": "camel_case_keys", "probability": 0.1},
        {"fault": "numbers_as_strings", "probability": 0.1},
        {"fault": "yaml_rendering", "probability": 0.1},
        {"fault": "prompt_injection", "probability": 0.05},
        {"fault": "scaffold_format", "probability": 0.2},
    ]


def _heavy() -> list[Spec]:
    out: list[Spec] = []
    for axis in AXES:
        out += _axis(axis, 0.3, **_HEAVY_OVERRIDES)
    return out


_HEAVY_OVERRIDES: dict[str, Spec] = {
    # drift may strike once, at one of a few early steps (per-step chance, so ~40% overall)
    "tool_drift": {"probability": 0.15, "schedule": {"first": 2, "last": 5, "max_fires": 1}},
    "parameter_drift": {"probability": 0.15, "schedule": {"first": 3, "last": 6, "max_fires": 1}},
    "larger_world": {"records": 60},
    "truncated_output": {"max_chars": 600},
    "transient_error": {"probability": 0.05},
    "rate_limit": {"probability": 0.03},
    "timeout": {"probability": 0.03},
    "connection_reset": {"probability": 0.03},
}

PRESETS: dict[str, tuple[str, Any]] = {
    "none": ("No faults: the clean environment.", list),
    "light": ("A few mild, recoverable faults: reorderings, synonyms, rewording.", _light),
    "medium": (
        "Recoverable faults on every axis at moderate rates, drift and a withheld fact included.",
        _medium,
    ),
    "heavy": (
        "Every fault type: once-per-episode faults at 30%, per-call ones at 5% of calls "
        "(transient errors 3-5%), destructive ones at 3%.",
        _heavy,
    ),
    **{
        axis: (f"Every fault type of the {axis} axis.", lambda a=axis: _axis(a, 0.5))
        for axis in AXES
    },
}


def presets() -> list[str]:
    """The names of the built-in plans."""
    return list(PRESETS)


class FaultPlan(BaseModel):
    """A named, ordered list of configured faults: what to perturb, how often, and when.

    >>> plan = FaultPlan(faults=[{"fault": "transient_error", "probability": 0.2}])
    >>> plan.faults[0].probability, plan.recoverable
    (0.2, True)
    >>> FaultPlan.preset("medium").name
    'medium'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("custom", description="A label for reports.")
    faults: tuple[SerializeAsAny[Fault], ...] = Field((), description="The configured faults.")

    @field_validator("faults", mode="before")
    @classmethod
    def _build(cls, value: Any) -> tuple[Fault, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise ValueError(f"faults must be a list of faults, got {type(value).__name__}")
        out = []
        for i, item in enumerate(value):
            if isinstance(item, Fault):
                out.append(item)
            elif isinstance(item, str):
                out.append(fault_class(item)())
            elif isinstance(item, dict):
                if "fault" not in item:
                    raise ValueError(f"faults[{i}] has no 'fault' key naming its type: {item!r}")
                out.append(fault_class(str(item["fault"])).model_validate(item))
            else:
                raise ValueError(
                    f"faults[{i}] must be a fault, a fault name or a mapping, got {item!r}"
                )
        return tuple(out)

    # ------------------------------------------------------------ properties
    @property
    def recoverable(self) -> bool:
        """Whether a careful agent can finish every task under this plan."""
        return all(f.recoverable for f in self.faults)

    @property
    def axes(self) -> list[str]:
        return [a for a in AXES if any(f.axis == a for f in self.faults)]

    # ------------------------------------------------------------ loading
    @classmethod
    def preset(cls, name: str) -> FaultPlan:
        try:
            _, build = PRESETS[name]
        except KeyError:
            raise ValueError(f"unknown fault preset {name!r}; presets: {presets()}") from None
        return cls(name=name, faults=build())

    @classmethod
    def from_yaml(cls, text: str) -> FaultPlan:
        return cls._from_data(yaml.safe_load(text))

    @classmethod
    def from_json(cls, text: str) -> FaultPlan:
        return cls._from_data(json.loads(text))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FaultPlan:
        """A plan from a ``.yaml``/``.yml`` or ``.json`` file."""
        file = Path(path)
        text = file.read_text(encoding="utf-8")
        if file.suffix.lower() == ".json":
            return cls.from_json(text)
        return cls.from_yaml(text)

    @classmethod
    def _from_data(cls, data: Any) -> FaultPlan:
        if isinstance(data, list):
            data = {"faults": data}
        if not isinstance(data, dict):
            raise ValueError(
                f"a fault plan is a mapping with 'faults' (or a list of faults), got {data!r}"
            )
        return cls.model_validate(data)

    @classmethod
    def resolve(cls, spec: Any) -> FaultPlan | None:
        """Whatever ``gym.make(..., faults=...)`` accepts, as a plan (``None`` for no faults).

        ``spec`` is a plan, a preset name, a path to a YAML or JSON file, a mapping or a list.
        """
        if spec is None or isinstance(spec, FaultPlan):
            return spec
        if isinstance(spec, (dict, list, tuple)):
            return cls._from_data(list(spec) if isinstance(spec, tuple) else spec)
        if isinstance(spec, os.PathLike):
            return cls.load(spec)
        if isinstance(spec, str):
            if spec in PRESETS:
                return cls.preset(spec)
            if spec.lower().endswith((".yaml", ".yml", ".json")) or os.path.exists(spec):
                return cls.load(spec)
            raise ValueError(
                f"faults={spec!r} is neither a preset ({', '.join(presets())}) nor a YAML/JSON file"
            )
        raise TypeError(
            "faults must be a FaultPlan, a preset name, a file path, a mapping or a list, "
            f"got {type(spec).__name__}"
        )

    # ------------------------------------------------------------ saving
    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)
