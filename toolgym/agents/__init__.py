"""Agents: anything with ``act(observation, info) -> action``."""

from toolgym.agents.baselines import NoToolAgent, RandomAgent
from toolgym.agents.factory import make_agent
from toolgym.agents.openai_agent import ModelError, OpenAIAgent
from toolgym.agents.oracle import OracleAgent, Skills
from toolgym.agents.text import TextAgent

__all__ = [
    "ModelError",
    "NoToolAgent",
    "OpenAIAgent",
    "OracleAgent",
    "RandomAgent",
    "Skills",
    "TextAgent",
    "make_agent",
]
