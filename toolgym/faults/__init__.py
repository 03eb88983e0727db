"""Faults: seeded perturbations of a toolgym episode on every axis, at every step.

>>> import gymnasium as gym, toolgym
>>> env = gym.make("toolgym/Retail-v0", faults="medium")
>>> _, info = env.reset(seed=3)
>>> sorted({e["axis"] for e in info["faults"]}) <= ["prompts", "tools", "world"]
True
>>> "tool_drift" in names() and "heavy" in presets()
True

A plan is a :class:`FaultPlan`; each fault type is a pydantic model (see :func:`names` and
``docs/faults.md``); :class:`FaultPipeline` runs a plan through the core's interceptor hooks.
"""

from toolgym.faults import errors, events, prompts, responses, scaffold, tools, world
from toolgym.faults.base import AXES, HOOKS, Fault, FaultContext, FaultEvent, Schedule, names
from toolgym.faults.base import fault_class as get
from toolgym.faults.pipeline import FaultPipeline
from toolgym.faults.plan import FaultPlan, presets
from toolgym.faults.support import ValueCodec, codec_of

__all__ = [
    "AXES",
    "HOOKS",
    "Fault",
    "FaultContext",
    "FaultEvent",
    "FaultPipeline",
    "FaultPlan",
    "Schedule",
    "ValueCodec",
    "codec_of",
    "errors",
    "events",
    "get",
    "names",
    "presets",
    "prompts",
    "responses",
    "scaffold",
    "tools",
    "world",
]
