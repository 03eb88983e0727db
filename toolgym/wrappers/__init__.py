"""Gymnasium wrappers: they adapt the interface of a toolgym env, never its world."""

from toolgym.wrappers.fault_injection import FaultInjection

__all__ = ["FaultInjection"]
