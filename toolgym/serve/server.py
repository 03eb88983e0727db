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
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.lowlevel.server import NotificationOptions, Server
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ToolsListChanged
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.tool import Tool, Toolkit, tool
from toolgym.serve.session import CallReply, TaskSession

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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("toolgym")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0"


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
        if reply.error is not None:
            raise ToolError(reply.error, f"{reply.text} {_NEXT}")
        text = f"{reply.text} Call get_result for the verdict." if reply.done else reply.text
        return text, {"done": reply.done, "faults": reply.faults}

    @tool
    def get_result(self) -> Reply:
        """The current task's state and, once it is over, its verdict: success, reward and
        each check."""
        result = self.session.result()
        return json.dumps(result, ensure_ascii=False, indent=2), result


def build_server(session: TaskSession, *, env_id: str = "", faults: str = "none") -> Server:
    """The MCP server for ``session`` (run it with :func:`serve`, or hand it to
    ``mcp.Client`` in-process)."""
    controls = {t.name: t for t in TaskControls(session).tools()}
    clash = set(controls).intersection(_names(session.tools))
    if clash:
        raise ValueError(f"the env has tools named like the server's own: {sorted(clash)}")
    lock = anyio.Lock()  # one env, one call at a time
    bus = InMemorySubscriptionBus()
    listed: list[list[dict[str, Any]]] = [session.tools]  # the toolset clients last heard of

    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        async with lock:
            listed[0] = session.tools
            tools = [_mcp_tool(schema) for schema in session.tools]
        return types.ListToolsResult(
            tools=[_mcp_tool(t.schema()) for t in controls.values()] + tools
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = params.arguments or {}
        async with lock:
            if params.name in controls:
                result = await anyio.to_thread.run_sync(_control, controls[params.name], arguments)
            else:
                reply = await anyio.to_thread.run_sync(session.call, params.name, arguments)
                result = _tool_result(reply)
            changed = session.tools != listed[0]
            listed[0] = session.tools
        if changed:
            if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                await bus.publish(ToolsListChanged())
            else:
                await ctx.session.send_tool_list_changed()
        return result

    return _Server(
        "toolgym",
        version=_version(),
        instructions=_INSTRUCTIONS.format(env=env_id or "?", faults=faults),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_subscriptions_listen=ListenHandler(bus),
    )


class _Server(Server):
    """Announces ``tools.listChanged`` on every transport (the HTTP session manager asks for
    the initialization options without arguments)."""

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
) -> None:
    """Serve ``session`` until the client disconnects (stdio) or the process is stopped
    (streamable HTTP on ``host:port`` at ``path``; loopback unless told otherwise)."""
    if transport not in TRANSPORTS:
        raise ValueError(f"transport must be one of {TRANSPORTS}, got {transport!r}")
    server = build_server(session, env_id=env_id, faults=faults)
    if transport == "stdio":
        anyio.run(_stdio, server)
        return
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=path, host=host)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()


async def _stdio(server: Server) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
