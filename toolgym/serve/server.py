"""An MCP server over one environment: its tools as the agent sees them now, plus task control.

Any MCP client (an agent scaffold we did not write) can then be evaluated under faults:
``tools/list`` returns the env's toolset as it is at this moment (renamed tools, rewritten
descriptions, distractors, drift included), ``tools/call`` runs one call as one turn, and three
control tools start a task, take the final answer and read the verdict. When the toolset changes
(a fault drifts a tool mid-task, a new task renames others), the server says so: a
``notifications/tools/list_changed`` on handshake-era connections, and a tools-changed event on
``subscriptions/listen`` streams (2026-07-28 connections).

Built on the official SDK's low-level ``Server``: the toolset is data that changes, not a set
of Python functions, so tools are listed and routed by hand.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel.server import NotificationOptions, Server
from mcp.server.streamable_http import MCP_SESSION_ID_HEADER
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ToolsListChanged
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, INVALID_REQUEST
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.tool import Tool, Toolkit, tool
from toolgym.serve.session import NO_TASK, CallReply, TaskSession
from toolgym.serve.sessions import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_SESSIONS,
    SessionLimitError,
    SessionPool,
)
from toolgym.serve.version import package_version

__all__ = ["CONTROL_TOOLS", "TaskControls", "build_server", "serve"]

CONTROL_TOOLS = ("start_task", "submit_answer", "get_result")
_NEXT = "Call start_task to begin another."
TRANSPORTS = ("stdio", "http")
Reply = tuple[str, dict[str, Any]]

_INSTRUCTIONS = """\
A toolgym environment ({env}, faults: {faults}). Call start_task to begin a task (give a seed
to pick one), read its system prompt and user request, solve it with the other tools (each call
is one turn), then call submit_answer with your reply to the user; get_result reads the verdict.
The toolset can change during a task: list the tools again when told they changed.\
"""


class TaskControls(Toolkit):
    """The server's own tools: the task's lifecycle, beside the env's tools."""

    name = "controls"

    def __init__(self, session: TaskSession) -> None:
        self.session = session

    @tool
    def start_task(
        self,
        seed: Annotated[
            int | None,
            Field(ge=0, description="Task seed; the same seed poses the same task. Default: next."),
        ] = None,
        family: Annotated[str | None, Field(description="Task family to draw from.")] = None,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
    ) -> Reply:
        """Start a new task, abandoning the current one: returns its system prompt and the
        user's request."""
        try:
            start = self.session.start(seed, family=family, difficulty=difficulty)
        except ValueError as exc:
            raise ToolError("invalid_arguments", str(exc)) from None
        return start.text(), {
            "task_id": start.task_id,
            "system_prompt": start.system_prompt,
            "user_prompt": start.user_prompt,
            "faults": start.faults,
        }

    @tool
    def submit_answer(
        self, answer: Annotated[str, Field(description="Your final reply to the user.")]
    ) -> Reply:
        """Give your final reply to the user: the task is checked and ends (unless the user
        still has something to say, which is then returned)."""
        reply = self.session.submit(answer)
        if reply.error == "no_task":
            raise ToolError(reply.error, reply.text)
        if reply.error is not None:
            raise ToolError(reply.error, f"{reply.text} {_NEXT}")
        text = f"{reply.text} Call get_result for the verdict." if reply.done else reply.text
        return text, {"done": reply.done, "faults": reply.faults}

    @tool
    def get_result(self) -> Reply:
        """The current task's state and, once it is over, its verdict: success, reward and
        each check."""
        if not self.session.started:
            raise ToolError("no_task", NO_TASK)
        result = self.session.result()
        return json.dumps(result, ensure_ascii=False, indent=2), result


SESSION_META = "toolgym/session"
SESSION_HEADER = "toolgym-session"
_SESSION_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_RELIST = (
    "The toolset changed: list the tools again (tools/list) before the next call; "
    "renamed or removed tools no longer answer under their old names."
)
_MODERN_SESSION = (
    "Session: {name}. This protocol version keeps no session of its own: send this id as "
    f'_meta "{SESSION_META}" (or the Toolgym-Session HTTP header) on every request, '
    "subscriptions/listen included, to play this task."
)


class _Client:
    """One client's episode, its control tools, and what it was last told of the toolset."""

    def __init__(self, session: TaskSession) -> None:
        self.session = session
        self.controls = {t.name: t for t in TaskControls(session).tools()}
        self.listed = session.tools
        self.relist_note = False  # a change no notification could carry
        self.bus = InMemorySubscriptionBus()
        self.listen = ListenHandler(self.bus)
        self.listeners = 0
        self.lock = threading.Lock()  # one env, one call at a time

    def close(self) -> None:
        self.listen.close()
        self.session.close()


def build_server(
    session: TaskSession,
    *,
    env_id: str = "",
    faults: str = "none",
    sessions: Callable[[], TaskSession] | None = None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
) -> Server:
    """The MCP server for ``session`` (run it with :func:`serve`, or hand it to
    ``mcp.Client`` in-process).

    Without ``sessions`` every client plays ``session`` (stdio: one client). With it, each
    client gets an episode of its own, made by ``sessions()`` when it calls start_task:
    the client is named by its ``Mcp-Session-Id`` (handshake-era HTTP), or by the id it sends
    as ``_meta["toolgym/session"]`` or a Toolgym-Session header (2026-07-28, which has no
    sessions; start_task hands out one). ``session`` then only shows the toolset to clients
    that have not started a task. At most ``max_sessions`` live at once; one idle for
    ``idle_timeout`` seconds is ended.
    """
    preview = _Client(session)
    clash = set(preview.controls).intersection(_names(session.tools))
    if clash:
        raise ValueError(f"the env has tools named like the server's own: {sorted(clash)}")
    pool: SessionPool[_Client] | None = None
    if sessions is not None:
        pool = SessionPool(
            lambda: _Client(sessions()), max_sessions=max_sessions, idle_timeout=idle_timeout
        )

    def client_of(ctx: Any) -> _Client | None:
        if pool is None:
            return preview
        key = _identity(ctx)
        return pool.get(key) if key is not None else None

    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        client = client_of(ctx) or preview
        client.listed = client.session.tools
        client.relist_note = False
        tools = [_mcp_tool(schema) for schema in client.listed]
        return types.ListToolsResult(
            tools=[_mcp_tool(t.schema()) for t in preview.controls.values()] + tools
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = params.arguments or {}
        minted = None
        if pool is not None:
            pool.reap()
        if pool is not None and params.name == "start_task":
            key = _identity(ctx)
            if key is None:
                minted = secrets.token_hex(16)
                key = f"client:{minted}"
            try:
                client = await anyio.to_thread.run_sync(pool.open, key)
            except SessionLimitError as exc:
                return _error_result("session_limit", str(exc))
            if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                minted = key.split(":", 1)[1]
        else:
            client = client_of(ctx)
        if client is None:
            text = NO_TASK
            if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                text += f' On this protocol version, send its session id as _meta "{SESSION_META}".'
            return _error_result("no_task", text)
        result = await anyio.to_thread.run_sync(_run, client, params.name, arguments)
        if minted is not None and not result.is_error:
            result.content.append(
                types.TextContent(type="text", text=_MODERN_SESSION.format(name=minted))
            )
            result.structured_content = {**(result.structured_content or {}), "session": minted}
        if client.session.tools != client.listed:
            client.listed = client.session.tools
            await _tell_changed(ctx, client)
        if client.relist_note:
            result.content.append(types.TextContent(type="text", text=_RELIST))
            result.meta = {**(result.meta or {}), "toolgym/tools_changed": True}
        return result

    async def listen(ctx: Any, params: Any) -> Any:
        client = client_of(ctx)
        if client is None:
            raise MCPError(INVALID_REQUEST, f"{NO_TASK} Then listen with its session id.")
        client.listeners += 1
        try:
            return await client.listen(ctx, params)
        finally:
            client.listeners -= 1

    server = _Server(
        "toolgym",
        version=package_version(),
        instructions=_INSTRUCTIONS.format(env=env_id or "?", faults=faults),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_subscriptions_listen=listen,
    )
    server.clients = pool
    return server


def _identity(ctx: Any) -> str | None:
    """Who is calling: the id the client named (any protocol version) or its MCP session."""
    named = (ctx.meta or {}).get(SESSION_META)
    headers = getattr(ctx.request, "headers", None)
    if not named and headers is not None:
        named = headers.get(SESSION_HEADER)
    if named:
        if not isinstance(named, str) or not _SESSION_NAME.fullmatch(named):
            raise MCPError(
                INVALID_PARAMS, f"{SESSION_META} must be 1-128 letters, digits or ._:- characters"
            )
        return f"client:{named}"
    session_id = headers.get(MCP_SESSION_ID_HEADER) if headers is not None else None
    return f"mcp:{session_id}" if session_id else None


def _run(client: _Client, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    with client.lock:
        if name in client.controls:
            return _control(client.controls[name], arguments)
        return _tool_result(client.session.call(name, arguments))


async def _tell_changed(ctx: Any, client: _Client) -> None:
    """Say the toolset changed the way the connection can hear it; else note it in results."""
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        if client.listeners:
            await client.bus.publish(ToolsListChanged())
        else:
            client.relist_note = True
        return
    try:
        # On this request's own stream: it reaches the client before the result, on stdio
        # and on HTTP alike (the standalone stream is there only if the client opened one).
        await ctx.session.send_notification(
            types.ToolListChangedNotification(), related_request_id=ctx.request_id
        )
    except Exception:  # a closed or missing channel: the results must say it instead
        client.relist_note = True


def _error_result(code: str, text: str) -> types.CallToolResult:
    payload = json.dumps({"error": {"code": code, "message": text}}, ensure_ascii=False)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=payload)],
        is_error=True,
        meta={"toolgym/error": code},
    )


class _Server(Server):
    """Announces ``tools.listChanged`` on every transport (the HTTP session manager asks for
    the initialization options without arguments); ``clients`` are its per-client episodes."""

    clients: SessionPool[Any] | None = None

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> Any:
        return super().create_initialization_options(
            notification_options or NotificationOptions(tools_changed=True),
            experimental_capabilities,
            extensions,
        )


def _names(schemas: list[dict[str, Any]]) -> list[str]:
    return [schema["function"]["name"] for schema in schemas]


def _mcp_tool(schema: dict[str, Any]) -> types.Tool:
    function = schema["function"]
    return types.Tool(
        name=function["name"],
        description=function.get("description") or None,
        input_schema=function["parameters"],
    )


def _control(control: Tool, arguments: dict[str, Any]) -> types.CallToolResult:
    try:
        text, structured = control(arguments)
    except ToolError as err:
        text = json.dumps(err.to_payload(), ensure_ascii=False)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            is_error=True,
            meta={"toolgym/error": err.code},
        )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=structured
    )


def _tool_result(reply: CallReply) -> types.CallToolResult:
    text = f"{reply.text} {_NEXT}" if reply.error == "episode_over" else reply.text
    content = [types.TextContent(type="text", text=text)]
    if reply.truncated:
        note = "The turn limit is reached: the task is over. Call get_result for the verdict."
        content.append(types.TextContent(type="text", text=note))
    return types.CallToolResult(
        content=content,
        is_error=reply.error is not None,
        meta={
            "toolgym/error": reply.error,
            "toolgym/faults": reply.faults,
            "toolgym/done": reply.done,
        },
    )


def serve(
    session: TaskSession,
    *,
    transport: str = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    path: str = "/mcp",
    env_id: str = "",
    faults: str = "none",
    sessions: Callable[[], TaskSession] | None = None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
) -> None:
    """Serve ``session`` until the client disconnects (stdio) or the process is stopped
    (streamable HTTP on ``host:port`` at ``path``; loopback unless told otherwise; each
    client gets an episode from ``sessions()``, see :func:`build_server`)."""
    if transport not in TRANSPORTS:
        raise ValueError(f"transport must be one of {TRANSPORTS}, got {transport!r}")
    if transport == "stdio":
        anyio.run(_stdio, build_server(session, env_id=env_id, faults=faults))
        return
    import uvicorn

    app = http_app(
        session,
        sessions=sessions,
        path=path,
        host=host,
        env_id=env_id,
        faults=faults,
        max_sessions=max_sessions,
        idle_timeout=idle_timeout,
    )
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()


def http_app(
    session: TaskSession,
    *,
    sessions: Callable[[], TaskSession] | None,
    path: str = "/mcp",
    host: str = "127.0.0.1",
    env_id: str = "",
    faults: str = "none",
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
) -> Any:
    """The streamable HTTP ASGI app: the SDK's, plus ending a client's episode with its
    session (a DELETE, or its idle timeout)."""
    from starlette.responses import Response

    server = build_server(
        session,
        env_id=env_id,
        faults=faults,
        sessions=sessions,
        max_sessions=max_sessions,
        idle_timeout=idle_timeout,
    )
    app = server.streamable_http_app(
        streamable_http_path=path,
        host=host,
        session_idle_timeout=idle_timeout,
        # The SDK's handshakes are cheap and episodes are bounded by the pool; this only
        # stops a flood of handshakes that never play.
        max_sessions=4 * max_sessions,
    )
    pool = server.clients

    async def ending_episodes(scope: Any, receive: Any, send: Any) -> None:
        if pool is not None and scope["type"] == "http":
            pool.reap()  # idle episodes end as soon as any request comes in
        if pool is None or scope["type"] != "http" or scope["method"] != "DELETE":
            await app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        mcp_session = headers.get(MCP_SESSION_ID_HEADER.lower())
        if mcp_session is None and SESSION_HEADER in headers:
            # A 2026-07-28 client ending its named episode: the SDK has no session to end.
            ended = pool.close(f"client:{headers[SESSION_HEADER]}")
            await Response(status_code=204 if ended else 404)(scope, receive, send)
            return
        await app(scope, receive, send)
        if mcp_session is not None:
            pool.close(f"mcp:{mcp_session}")

    return ending_episodes


async def _stdio(server: Server) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
