"""Agents: anything with ``act(observation, info) -> action``."""

from toolgym.agents.baselines import NoToolAgent, RandomAgent
from toolgym.agents.oracle import OracleAgent

__all__ = ["NoToolAgent", "OracleAgent", "RandomAgent"]
