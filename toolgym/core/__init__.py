"""The environment core: tools, messages, tasks and ``ToolEnv``. Knows no toolkit or fault.

What an env, a toolkit or an agent is written against. Plumbing (turn coercion, tool views,
transcripts, the reference runner) stays in its module: ``toolgym.core.messages``, ``.view``,
``.env``, ``.task``.
"""

from toolgym.core.env import ToolEnv
from toolgym.core.episode import Episode, Interceptor, Invocation
from toolgym.core.errors import ToolError
from toolgym.core.messages import AgentTurn, Message, ToolCall
from toolgym.core.registry import Registry
from toolgym.core.rollout import Agent, EpisodeResult, run_episode
from toolgym.core.spaces import AnyText, ToolActionSpace
from toolgym.core.state import Database, Record
from toolgym.core.task import (
    DIFFICULTIES,
    Answer,
    CheckResult,
    Task,
    TaskFamily,
    TaskSuite,
    World,
    call,
)
from toolgym.core.tool import Tool, Toolkit, tool

__all__ = [
    "DIFFICULTIES",
    "Agent",
    "AgentTurn",
    "Answer",
    "AnyText",
    "CheckResult",
    "Database",
    "Episode",
    "EpisodeResult",
    "Interceptor",
    "Invocation",
    "Message",
    "Record",
    "Registry",
    "Task",
    "TaskFamily",
    "TaskSuite",
    "Tool",
    "ToolActionSpace",
    "ToolCall",
    "ToolEnv",
    "ToolError",
    "Toolkit",
    "World",
    "call",
    "run_episode",
    "tool",
]
