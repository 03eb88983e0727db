"""Public test helpers: Hypothesis strategies for faults, fault plans and tool calls."""

from toolgym.testing.strategies import fault_plans, faults, schedules, tool_calls

__all__ = ["fault_plans", "faults", "schedules", "tool_calls"]
