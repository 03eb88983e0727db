"""Agents: anything with ``act(observation, info) -> action``."""

from toolgym.agents.baselines import NoToolAgent, RandomAgent
from toolgym.agents.oracle import OracleAgent
from toolgym.agents.text import TextAgent

__all__ = ["NoToolAgent", "OracleAgent", "RandomAgent", "TextAgent"]
