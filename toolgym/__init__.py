"""toolgym: Gymnasium environments where LLM agents act by calling tools, under perturbation.

>>> import gymnasium as gym, toolgym
>>> env = gym.make("toolgym/Retail-v0")
>>> obs, info = env.reset(seed=7)
>>> sorted(info)[:3]
['checks', 'difficulty', 'faults']
"""

from toolgym.agents import NoToolAgent, OracleAgent, RandomAgent, TextAgent
from toolgym.core import (
    Agent,
    AgentTurn,
    EpisodeResult,
    Message,
    Task,
    ToolCall,
    ToolEnv,
    ToolError,
    Toolkit,
    run_episode,
    tool,
)
from toolgym.envs import env_ids
from toolgym.faults import FaultPlan
from toolgym.registration import make_env, register_envs, register_suite
from toolgym.wrappers import ChatHistory, FaultInjection, TextActions

register_envs()

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "AgentTurn",
    "ChatHistory",
    "EpisodeResult",
    "FaultInjection",
    "FaultPlan",
    "Message",
    "NoToolAgent",
    "OracleAgent",
    "RandomAgent",
    "Task",
    "TextActions",
    "TextAgent",
    "ToolCall",
    "ToolEnv",
    "ToolError",
    "Toolkit",
    "__version__",
    "env_ids",
    "make_env",
    "register_envs",
    "register_suite",
    "run_episode",
    "tool",
]
