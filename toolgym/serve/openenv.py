"""An OpenEnv server over a toolgym env (``toolgym serve --protocol openenv``).

Trainers that consume environments as OpenEnv servers (reset/step/state over a WebSocket, one
isolated env per connection) can then train on toolgym tasks under faults. Built on OpenEnv's
own ``HTTPEnvServer``: it gives each WebSocket its own :class:`ToolgymEnvironment`, bounds their
number and ends idle ones; this module maps toolgym's actions and observations onto OpenEnv's
``Action``/``Observation``/``State`` models. :class:`ToolgymEnvClient` is OpenEnv's
``EnvClient`` for them.

Needs the ``openenv`` extra: ``pip install 'toolgym[openenv]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
from openenv.core import EnvClient
from openenv.core.client_types import StepResult
from openenv.core.env_server import (
    Action,
    ConcurrencyConfig,
    Environment,
    HTTPEnvServer,
    Observation,
    State,
)
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import Field

from toolgym.core.env import ToolEnv
from toolgym.serve.version import package_version

__all__ = [
    "ToolgymAction",
    "ToolgymEnvClient",
    "ToolgymEnvironment",
    "ToolgymObservation",
    "ToolgymState",
    "openenv_app",
    "serve_openenv",
]

NOT_STARTED = "No task is running: send a reset first (its seed picks the task)."
ENDED = (
    "This session has ended (the server closed it: idle too long, or stopping): connect again "
    "and reset."
)


class ToolgymAction(Action):
    """One agent turn, as toolgym's envs take it: tool calls, or a final answer.

    With ``tool_calls`` the calls run (each ``{"name", "arguments"}`` with an optional ``id``,
    or OpenAI's ``{"id", "function": {"name", "arguments"}}``); without them ``content`` is the
    final reply to the user, and the task is checked.
    """

    content: str = Field(default="", description="Text of the turn; alone, the final answer.")
    tool_calls: list[dict[str, Any]] = Field(
        default_factory=list, description="Tool calls to run this turn."
    )
    thinking: str = Field(default="", description="The agent's reasoning (kept in the history).")


class ToolgymObservation(Observation):
    """What the agent sees after a reset or a turn; ``reward`` and ``done`` as OpenEnv has them.

    ``tools`` is the toolset as the agent sees it now: faults rename, rewrite and drift tools,
    so read it after every turn rather than once.
    """

    text: str = Field(default="", description="The text observation (the env's own).")
    system_prompt: str = Field(default="", description="The task's system prompt (at reset).")
    messages: list[dict[str, Any]] = Field(
        default_factory=list, description="New chat messages (OpenAI format) since the last one."
    )
    tools: list[dict[str, Any]] = Field(
        default_factory=list, description="The toolset now (OpenAI function schemas)."
    )
    task_id: str | None = Field(default=None, description="The task being played.")
    faults: list[dict[str, Any]] = Field(
        default_factory=list, description="Fault events of this reset or turn."
    )
    truncated: bool = Field(default=False, description="Ended by the turn limit.")
    success: bool = Field(default=False, description="The checker's verdict, once done.")
    checks: dict[str, bool] = Field(default_factory=dict, description="Each named check.")
    error: str | None = Field(default=None, description="Why nothing was played, if so.")


class ToolgymState(State):
    """The episode's state: ``episode_id`` is the task id, ``step_count`` the turns played."""

    seed: int | None = None
    done: bool = False
    success: bool = False
    reward: float = 0.0
    faults: list[dict[str, Any]] = Field(default_factory=list)


class ToolgymEnvironment(Environment[ToolgymAction, ToolgymObservation, ToolgymState]):
    """One toolgym env as an OpenEnv ``Environment``: each session gets one of these.

    ``seed`` is the first task's seed: a reset without a seed plays it, then the tasks that
    follow it in the env's seeded sequence (as :class:`~toolgym.serve.TaskSession` does).
    """

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, env: gym.Env, seed: int | None = None) -> None:
        super().__init__()
        base = env.unwrapped
        if not isinstance(base, ToolEnv):
            raise TypeError(f"ToolgymEnvironment serves toolgym envs, got {type(base).__name__}")
        self.env = env
        self._first_seed = seed
        self._state = ToolgymState()
        self._started = False
        self._closed = False
        self._done = False

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        family: str | None = None,
        difficulty: str | None = None,
        **kwargs: Any,
    ) -> ToolgymObservation:
        """Start a task (``seed`` picks it; ``family``/``difficulty`` narrow the draw)."""
        if self._closed:
            return ToolgymObservation(text=ENDED, error="session_ended", done=True, reward=0.0)
        if kwargs:
            raise ValueError(f"unknown reset options {sorted(kwargs)}: seed, family, difficulty")
        if seed is None:
            seed = self._first_seed
        self._first_seed = None
        options = {k: v for k, v in (("family", family), ("difficulty", difficulty)) if v}
        text, info = self.env.reset(seed=seed, options=options or None)
        episode = self.env.unwrapped.episode
        self._started, self._done = True, False
        self._state = ToolgymState(
            episode_id=info["task_id"], step_count=0, seed=seed, faults=list(info["faults"])
        )
        return ToolgymObservation(
            text=text,
            system_prompt=episode.system_prompt,
            messages=list(info["messages"]),
            tools=info["tools"],
            task_id=info["task_id"],
            faults=list(info["faults"]),
            done=False,
            reward=0.0,
        )

    def step(
        self, action: ToolgymAction, timeout_s: float | None = None, **kwargs: Any
    ) -> ToolgymObservation:
        """Play one turn."""
        if self._closed:
            return ToolgymObservation(text=ENDED, error="session_ended", done=True, reward=0.0)
        if not self._started:
            return ToolgymObservation(text=NOT_STARTED, error="no_task", done=False, reward=0.0)
        turn = {"content": action.content, "tool_calls": action.tool_calls}
        if action.thinking:
            turn["thinking"] = action.thinking
        text, reward, terminated, truncated, info = self.env.step(turn)
        over = info["parse_status"] == ["episode_over"]
        if not over:
            self._done = bool(terminated or truncated)
            self._state.step_count += 1
            self._state.done = self._done
            self._state.success = bool(info["success"])
            self._state.reward = float(reward)
            self._state.faults.extend(info["faults"])
        return ToolgymObservation(
            text=text,
            messages=list(info["messages"]),
            tools=info["tools"],
            task_id=info["task_id"],
            faults=list(info["faults"]),
            truncated=bool(truncated) and not over,
            success=bool(info["success"]),
            checks=dict(info["checks"]) if self._done else {},
            error="episode_over" if over else None,
            done=bool(terminated or truncated),
            reward=float(reward),
        )

    @property
    def state(self) -> ToolgymState:
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        spec = self.env.spec
        return EnvironmentMetadata(
            name=spec.id if spec is not None else type(self.env.unwrapped).__name__,
            description="A toolgym tool-calling environment under seeded faults.",
            version=package_version(),
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.env.close()


class ToolgymEnvClient(EnvClient[ToolgymAction, ToolgymObservation, ToolgymState]):
    """OpenEnv's WebSocket client for a toolgym server: ``await client.reset(seed=3)``, then
    ``await client.step(ToolgymAction(...))`` until ``done``."""

    def _step_payload(self, action: ToolgymAction) -> dict[str, Any]:
        return action.model_dump(exclude={"metadata"})

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[ToolgymObservation]:
        observation = ToolgymObservation(
            **payload.get("observation", {}),
            reward=payload.get("reward"),
            done=payload.get("done", False),
        )
        return StepResult(observation, payload.get("reward"), payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> ToolgymState:
        return ToolgymState(**payload)


def openenv_app(
    make_env: Callable[[], gym.Env],
    *,
    seed: int | None = 0,
    max_sessions: int = 256,
    idle_timeout: float | None = 600.0,
) -> Any:
    """The FastAPI app: OpenEnv's routes (``/ws``, ``/reset``, ``/step``, ``/state``,
    ``/schema``, ``/health``), each WebSocket with an env of its own from ``make_env()``.

    Plain HTTP ``/reset`` and ``/step`` are OpenEnv's stateless calls (a fresh env each, so
    a step there plays nothing); episodes are played over the WebSocket.
    """
    from fastapi import FastAPI

    def factory() -> ToolgymEnvironment:
        return ToolgymEnvironment(make_env(), seed=seed)

    server = HTTPEnvServer(
        factory,
        ToolgymAction,
        ToolgymObservation,
        concurrency_config=ConcurrencyConfig(
            max_concurrent_envs=max_sessions, session_timeout=idle_timeout
        ),
    )
    app = FastAPI(title="toolgym (OpenEnv)", version=package_version())
    server.register_routes(app)
    return _quiet_disconnects(app)


def _quiet_disconnects(app: Any) -> Any:
    """OpenEnv closes a WebSocket the client already closed and lets the disconnect escape:
    a traceback per finished session, not an error (the session was already cleaned up)."""
    from uvicorn.protocols.utils import ClientDisconnected

    async def quiet(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except ClientDisconnected:
            if scope["type"] != "websocket":
                raise

    return quiet


def serve_openenv(
    env_id: str,
    *,
    faults: Any = "none",
    seed: int | None = 0,
    max_turns: int = 30,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_sessions: int = 256,
    idle_timeout: float | None = 600.0,
) -> None:
    """Serve ``env_id`` as an OpenEnv server until the process is stopped (loopback unless
    told otherwise: the server runs whatever a client asks of the env)."""
    import uvicorn

    from toolgym.evaluation import make_eval_env

    make_eval_env(env_id, faults, max_turns=max_turns).close()  # a bad setup fails here

    app = openenv_app(
        lambda: make_eval_env(env_id, faults, max_turns=max_turns),
        seed=seed,
        max_sessions=max_sessions,
        idle_timeout=idle_timeout,
    )
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()
