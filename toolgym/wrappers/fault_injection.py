"""``FaultInjection``: put a fault plan on an env that was made without one."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from toolgym.core.env import ToolEnv
from toolgym.faults import FaultPipeline, FaultPlan

__all__ = ["FaultInjection"]


class FaultInjection(gym.Wrapper[str, Any, str, Any], gym.utils.RecordConstructorArgs):
    """Runs ``faults`` on every episode of ``env`` from the next reset on.

    Faults act inside the environment (they rename tools, fail calls, rewrite results), so the
    wrapper attaches a :class:`~toolgym.faults.FaultPipeline` to the underlying
    :class:`~toolgym.core.env.ToolEnv`; it is the same as ``gym.make(id, faults=...)``, and
    wrapping twice stacks two plans. ``faults`` is anything ``gym.make`` accepts: a
    :class:`~toolgym.faults.FaultPlan`, a preset name, a YAML/JSON path, a mapping or a list.

    >>> import gymnasium as gym, toolgym
    >>> env = FaultInjection(gym.make("toolgym/Retail-v0"), faults="light")
    >>> env.plan.name
    'light'
    """

    def __init__(self, env: gym.Env[str, Any], faults: Any = "medium") -> None:
        gym.utils.RecordConstructorArgs.__init__(self, faults=faults)
        gym.Wrapper.__init__(self, env)
        base = env.unwrapped
        if not isinstance(base, ToolEnv):
            raise TypeError(f"FaultInjection wraps toolgym envs, got {type(base).__name__}")
        self.plan = FaultPlan.resolve(faults) or FaultPlan(name="none")
        self.pipeline = FaultPipeline(self.plan)
        base.add_interceptor(self.pipeline)
