"""``TaskSession``: one environment driven from outside, one tool call at a time.

This is what a server needs from an env, without any protocol: start a task (a reset with a
seed), run one tool as the agent sees it now, take the final answer, report the verdict. Each
tool call is one turn of the episode, so turn-scheduled faults (drift, rate limits) fire as they
would for an agent that calls one tool per turn. Same seed and same calls give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from toolgym.core.env import ToolEnv
from toolgym.core.episode import Episode, Interceptor, Invocation

__all__ = ["NO_TASK", "OVER", "CallReply", "TaskSession", "TaskStart"]

OVER = "The task is over; it takes no more calls or answers."
NO_TASK = "No task is running: call start_task first (give a seed to pick the task)."


@dataclass(frozen=True)
class TaskStart:
    """A task as the agent receives it."""

    task_id: str
    seed: int | None
    system_prompt: str
    user_prompt: str
    faults: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return f"System prompt:\n{self.system_prompt}\n\nUser request:\n{self.user_prompt}"


@dataclass(frozen=True)
class CallReply:
    """What one tool call (or answer) gave back.

    ``text`` is what the agent reads; ``error`` is the error code when the call failed (the
    service's, a fault's, or a routing one such as ``unknown_tool``); ``faults`` are the fault
    events of this turn; ``done`` says the episode is over (answered, or out of turns).
    """

    text: str
    error: str | None = None
    faults: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    truncated: bool = False


class _LastError(Interceptor):
    """Notes how the call that just ran ended, after every fault has had its say."""

    def __init__(self) -> None:
        self.code: str | None = None

    def on_result(self, episode: Episode, invocation: Invocation) -> None:
        self.code = invocation.error.code if invocation.error is not None else None


class TaskSession:
    """Drives ``env`` (any toolgym env, faults included) one call at a time.

    ``seed`` is the first task's seed: :meth:`start` without a seed plays it first, then the
    tasks that follow it in the env's seeded sequence. The env is reset at once, so the
    toolset can be listed before any task is started; but no task is live until :meth:`start`
    (calls and answers before it get a ``no_task`` error), so a client never plays a task it
    did not ask for.
    """

    def __init__(self, env: gym.Env, seed: int | None = None) -> None:
        base = env.unwrapped
        if not isinstance(base, ToolEnv):
            raise TypeError(f"TaskSession drives toolgym envs, got {type(base).__name__}")
        if env.has_wrapper_attr("format"):
            raise ValueError(
                "TaskSession drives structured tool calls; make the env without format= "
                "(a raw-text env parses completions, not calls)"
            )
        self.env = env
        self._base = base
        self._last_error = _LastError()
        base.interceptors.append(self._last_error)  # last: it sees the call's final state
        self._first_seed = seed
        self._calls = 0
        self._info: dict[str, Any] = {}
        self._done = False
        self._reward = 0.0
        self._truncated = False
        self.started = False
        self._reset(seed)

    # ------------------------------------------------------------------ tasks
    def _reset(self, seed: int | None, options: dict[str, Any] | None = None) -> TaskStart:
        _, self._info = self.env.reset(seed=seed, options=options)
        self._calls = 0
        self._done = False
        self._reward = 0.0
        self._truncated = False
        episode = self._base.episode
        assert episode is not None
        return TaskStart(
            self._info["task_id"],
            seed,
            episode.system_prompt,
            episode.user_prompt,
            list(self._info["faults"]),
        )

    def start(
        self,
        seed: int | None = None,
        *,
        family: str | None = None,
        difficulty: str | None = None,
    ) -> TaskStart:
        """Start a task: ``seed`` picks it (``None``: the next one); ``family`` and
        ``difficulty`` narrow what is drawn. Raises ``ValueError`` for an unknown family."""
        if seed is None:
            seed = self._first_seed
        self._first_seed = None
        options = {k: v for k, v in (("family", family), ("difficulty", difficulty)) if v}
        start = self._reset(seed, options or None)
        self.started = True
        return start

    # ------------------------------------------------------------------ turns
    @property
    def tools(self) -> list[dict[str, Any]]:
        """The tools as the agent sees them now (OpenAI function schemas; read-only)."""
        return self._info["tools"]

    def call(self, name: str, arguments: Any) -> CallReply:
        """Run one tool call as one turn of the episode."""
        if not self.started:
            return CallReply(NO_TASK, "no_task")
        self._calls += 1
        self._last_error.code = None
        action = {
            "tool_calls": [{"id": f"call_{self._calls}", "name": name, "arguments": arguments}]
        }
        _, reward, terminated, truncated, info = self.env.step(action)
        status = info["parse_status"][0] if info["parse_status"] else "invalid_action"
        if status == "episode_over":
            return CallReply(OVER, "episode_over", done=True)
        self._record(info, reward, terminated, truncated)
        content = info["messages"][0]["content"] if info["messages"] else ""
        error = self._last_error.code if status in ("ok", "schema_violation") else status
        return CallReply(content, error, list(info["faults"]), self._done, self._truncated)

    def submit(self, answer: str) -> CallReply:
        """The agent's final answer: the checker runs, unless the user has more to say."""
        if not self.started:
            return CallReply(NO_TASK, "no_task")
        _, reward, terminated, truncated, info = self.env.step(str(answer))
        if info["parse_status"] == ["episode_over"]:
            return CallReply(OVER, "episode_over", done=True)
        self._record(info, reward, terminated, truncated)
        if self._done:
            text = "Answer received; the task is over."
        else:
            text = "\n".join(m["content"] for m in info["messages"])
        return CallReply(text, None, list(info["faults"]), self._done, self._truncated)

    def _record(self, info: dict[str, Any], reward: Any, terminated: bool, truncated: bool) -> None:
        self._info = info
        self._done = bool(terminated or truncated)
        self._truncated = bool(truncated)
        self._reward = float(reward)

    # ----------------------------------------------------------------- verdict
    def result(self) -> dict[str, Any]:
        """The task's state and, once it is over, the checker's verdict. Before any task
        started there is nothing to play: ``started`` is false, ``done`` true, no reward (so a
        trainer that asks for the reward of an episode never begun gets 0, not a hang)."""
        if not self.started:
            return {
                "task_id": None,
                "started": False,
                "done": True,
                "truncated": False,
                "success": False,
                "reward": 0.0,
                "checks": {},
                "solvable": False,
                "turns": 0,
                "faults": [],
            }
        episode = self._base.episode
        assert episode is not None
        return {
            "task_id": self._info["task_id"],
            "started": True,
            "done": self._done,
            "truncated": self._truncated,
            "success": bool(self._info["success"]),
            "reward": self._reward,
            "checks": dict(self._info["checks"]),
            "solvable": bool(self._info["solvable"]),
            "turns": int(self._info["turn"]),
            "faults": [dict(event) for event in episode.events],
        }

    def close(self) -> None:
        self.env.close()
