"""The environment core: tools, messages, tasks and ``ToolEnv``. Knows no toolkit or fault."""

from toolgym.core.env import INFO_KEYS, ToolEnv, render_results, transcript
from toolgym.core.episode import Episode, Interceptor, Invocation
from toolgym.core.errors import ToolError
from toolgym.core.messages import AgentTurn, Message, ToolCall, coerce_turn, decode_arguments
from toolgym.core.rollout import Agent, EpisodeResult, run_episode
from toolgym.core.spaces import AnyText, ToolActionSpace
from toolgym.core.state import Database, Record, Table
from toolgym.core.task import (
    DIFFICULTIES,
    Answer,
    CheckResult,
    Reference,
    Step,
    Task,
    TaskFamily,
    TaskSuite,
    World,
    answer_contains,
    call,
    run_plan,
)
from toolgym.core.tool import Tool, Toolkit, tool
from toolgym.core.view import ToolEntry, ToolView

__all__ = [
    "DIFFICULTIES",
    "INFO_KEYS",
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
    "Reference",
    "Step",
    "Table",
    "Task",
    "TaskFamily",
    "TaskSuite",
    "Tool",
    "ToolActionSpace",
    "ToolCall",
    "ToolEntry",
    "ToolEnv",
    "ToolError",
    "ToolView",
    "Toolkit",
    "World",
    "answer_contains",
    "call",
    "coerce_turn",
    "decode_arguments",
    "render_results",
    "run_episode",
    "run_plan",
    "tool",
    "transcript",
]
