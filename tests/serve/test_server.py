"""``toolgym serve`` over MCP, driven by the official SDK's client: the toolset as the agent sees
it (renamed, drifting), faults firing, the answer checked, the reward read back."""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
import gymnasium as gym
import pytest

from tests.oracle_play import oracle_turns

pytest.importorskip("mcp")

import mcp_types as types
from mcp import Client, StdioServerParameters

from toolgym.serve import TaskSession
from toolgym.serve.server import CONTROL_TOOLS, build_server

ENV = "toolgym/Retail-v0"
SEED = 3
PLAN = """\
name: renamed-flaky-drifting
faults:
  - fault: synonym_tool_names
    probability: 1.0
    fraction: 1.0
  - fault: transient_error
    probability: 0.4
  - fault: tool_drift
    mode: deprecate
    schedule: {first: 3, max_fires: 1}
"""


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plans") / "renamed.yaml"
    path.write_text(PLAN)
    return str(path)


def _names(tools: types.ListToolsResult) -> list[str]:
    return [tool.name for tool in tools.tools]


def test_stdio_lists_calls_fires_faults_and_scores(plan: str) -> None:
    turns, infos = oracle_turns(ENV, plan, SEED)
    canonical = [t["function"]["name"] for t in gym.make(ENV).reset(seed=SEED)[1]["tools"]]
    changes: list[str] = []

    async def notified(message: Any) -> None:
        if isinstance(message, types.ServerNotification):
            changes.append(message.method)

    async def play() -> dict[str, Any]:
        server = StdioServerParameters(
            command=sys.executable,
            args=["-m", "toolgym", "serve", "--env", ENV, "--faults", plan, "--seed", str(SEED)],
        )
        # A handshake-era connection: change notifications arrive on the session itself.
        async with Client(server, mode="legacy", message_handler=notified) as client:
            assert client.server_capabilities.tools.list_changed
            listed = _names(await client.list_tools())
            assert listed[:3] == list(CONTROL_TOOLS)
            seen = listed[3:]
            assert seen == [t["function"]["name"] for t in infos[0]["tools"]]
            assert not set(seen) & set(canonical), "every tool is renamed under this plan"
            # No task is live before start_task: a call is refused, and says what to do.
            for name in (seen[0], "submit_answer", "get_result"):
                early = await client.call_tool(
                    name, {"answer": "?"} if name == "submit_answer" else {}
                )
                assert early.is_error and early.meta["toolgym/error"] == "no_task", name
                assert "call start_task first" in early.content[0].text

            start = await client.call_tool("start_task", {"seed": SEED})
            assert start.structured_content["task_id"] == infos[0]["task_id"]
            assert infos[0]["messages"][1]["content"] in start.content[0].text
            for turn, info in zip(turns, infos[1:], strict=True):
                if turn.is_final:
                    reply = await client.call_tool("submit_answer", {"answer": turn.content})
                else:
                    (call,) = turn.tool_calls
                    reply = await client.call_tool(call.name, call.arguments)
                    assert reply.content[0].text == info["messages"][0]["content"]
                    assert reply.meta["toolgym/faults"] == info["faults"]
                    assert reply.is_error == ('"error"' in info["messages"][0]["content"])
                if info["tools"] != infos[0]["tools"] and not changes:
                    pytest.fail("the toolset drifted but no list_changed notification came")
            assert _names(await client.list_tools())[3:] == [
                t["function"]["name"] for t in infos[-1]["tools"]
            ]
            result = await client.call_tool("get_result", {})
            return result.structured_content

    result = anyio.run(play)
    fired = [event["fault"] for info in infos for event in info["faults"]]
    assert {"synonym_tool_names", "transient_error", "tool_drift"} <= set(fired)
    assert changes == ["notifications/tools/list_changed"]
    assert result["done"] and result["success"] and result["reward"] == 1.0
    assert result["checks"] == infos[-1]["checks"]
    assert [e["fault"] for e in result["faults"]] == fired


def test_modern_clients_hear_of_drift_on_their_listen_stream(plan: str) -> None:
    """2026-07-28 connections get change events through ``subscriptions/listen``."""
    turns, infos = oracle_turns(ENV, plan, SEED)
    drift = next(i for i, info in enumerate(infos) if info["tools"] != infos[0]["tools"])
    session = TaskSession(gym.make(ENV, faults=plan), seed=SEED)
    server = build_server(session, env_id=ENV, faults="renamed")

    async def play() -> list[Any]:
        events: list[Any] = []
        async with Client(server) as client, client.listen(tools_list_changed=True) as stream:
            await client.call_tool("start_task", {})
            for turn in turns[:drift]:
                (call,) = turn.tool_calls
                await client.call_tool(call.name, call.arguments)
            with anyio.fail_after(5):
                events.append(await stream.__anext__())
            names = _names(await client.list_tools())[3:]
            assert names == [t["function"]["name"] for t in infos[drift]["tools"]]
        return events

    (event,) = anyio.run(play)
    assert type(event).__name__ == "ToolsListChanged"


def test_bad_control_arguments_are_errors_the_agent_reads() -> None:
    session = TaskSession(gym.make(ENV), seed=0)
    server = build_server(session, env_id=ENV)

    async def play() -> list[types.CallToolResult]:
        async with Client(server) as client:
            return [
                await client.call_tool("start_task", {"seed": -1}),
                await client.call_tool("start_task", {"family": "nope"}),
                await client.call_tool("submit_answer", {}),
            ]

    negative, family, missing = anyio.run(play)
    assert all(r.is_error for r in (negative, family, missing))
    assert "greater than or equal to 0" in negative.content[0].text
    assert "unknown family 'nope'" in family.content[0].text
    assert json.loads(missing.content[0].text)["error"]["code"] == "invalid_arguments"
