"""``toolgym serve --transport http``: one episode per client, over real HTTP on loopback,
driven by the MCP SDK's own client on both protocol eras (handshake sessions, and 2026-07-28
requests naming their session)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import gymnasium as gym
import pytest

from tests.oracle_play import oracle_turns

pytest.importorskip("mcp")

import httpx2
import mcp_types as types
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from toolgym.serve.server import SESSION_META

ENV = "toolgym/Retail-v0"
DRIFT_PLAN = """\
name: drift-at-3
faults:
  - fault: tool_drift
    mode: deprecate
    schedule: {first: 3, max_fires: 1}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """``toolgym serve --transport http`` in a subprocess; yields its endpoint URL."""
    port = _free_port()
    command = [sys.executable, "-m", "toolgym", "serve", "--transport", "http"]
    command += ["--port", str(port), "--env", ENV, *options]
    # Its output goes to a file: a pipe nobody reads while the clients play would fill and
    # stall the server.
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server stopped: {log.read()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the server did not start listening"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        log.close()
        process.wait(timeout=10)


def named(url: str, session: str, **client: Any) -> Client:
    """A 2026-07-28 client whose every request names ``session`` in a header (the protocol
    has no session of its own)."""
    http = httpx2.AsyncClient(headers={"Toolgym-Session": session}, timeout=60)
    return Client(streamable_http_client(url, http_client=http), **client)


def task_id(seed: int) -> str:
    return gym.make(ENV).reset(seed=seed)[1]["task_id"]


async def _task_of(client: Client, **meta: Any) -> str:
    result = await client.call_tool("get_result", {}, meta=meta or None)
    assert not result.is_error, result.content[0].text
    return result.structured_content["task_id"]


def test_each_client_plays_its_own_task() -> None:
    seeds = {"legacy_a": 3, "legacy_b": 5, "header": 7, "meta": 9}
    assert len({task_id(seed) for seed in seeds.values()}) == len(seeds)

    async def play(url: str) -> dict[str, str]:
        async with (
            Client(url, mode="legacy") as legacy_a,
            Client(url, mode="legacy") as legacy_b,
            named(url, "rollout-7") as header,
            Client(url) as meta_client,
        ):
            assert meta_client.protocol_version == header.protocol_version != "2025-11-25"
            await legacy_a.call_tool("start_task", {"seed": seeds["legacy_a"]})
            await legacy_b.call_tool("start_task", {"seed": seeds["legacy_b"]})
            await header.call_tool("start_task", {"seed": seeds["header"]})
            # Without a name, start_task hands one out, to send with every later request.
            started = await meta_client.call_tool("start_task", {"seed": seeds["meta"]})
            name = started.structured_content["session"]
            assert name in started.content[-1].text and SESSION_META in started.content[-1].text
            anonymous = await meta_client.call_tool("get_result", {})
            assert anonymous.is_error and anonymous.meta["toolgym/error"] == "no_task"
            # A turn in one episode is no turn in another.
            await legacy_a.call_tool("list_categories", {})
            turns = (await legacy_b.call_tool("get_result", {})).structured_content["turns"]
            assert turns == 0
            return {
                "legacy_a": await _task_of(legacy_a),
                "legacy_b": await _task_of(legacy_b),
                "header": await _task_of(header),
                "meta": await _task_of(meta_client, **{SESSION_META: name}),
            }

    with serving("--seed", "0") as url:
        tasks = anyio.run(play, url)
    assert tasks == {client: task_id(seed) for client, seed in seeds.items()}


def test_no_call_before_a_task_starts() -> None:
    async def play(url: str) -> list[types.CallToolResult]:
        async with Client(url, mode="legacy") as client:
            listed = [tool.name for tool in (await client.list_tools()).tools]
            assert "find_customer" in listed  # the toolset can be looked at first
            return [
                await client.call_tool("find_customer", {"email": "a@b.c"}),
                await client.call_tool("submit_answer", {"answer": "done"}),
                await client.call_tool("get_result", {}),
            ]

    with serving() as url:
        replies = anyio.run(play, url)
    for reply in replies:
        assert reply.is_error and reply.meta["toolgym/error"] == "no_task"
        assert "call start_task first" in reply.content[0].text


def test_the_session_bound_refuses_clearly_and_ending_a_session_frees_its_place() -> None:
    async def play(url: str) -> tuple[types.CallToolResult, types.CallToolResult]:
        async with Client(url, mode="legacy") as first:
            await first.call_tool("start_task", {"seed": 1})
            async with Client(url, mode="legacy") as second:
                await second.call_tool("start_task", {"seed": 2})
                async with Client(url, mode="legacy") as third:
                    refused = await third.call_tool("start_task", {"seed": 3})
            # `second` ended its MCP session on leaving (a DELETE): its episode went with it.
            async with Client(url, mode="legacy") as fourth:
                admitted = await fourth.call_tool("start_task", {"seed": 4})
        return refused, admitted

    with serving("--max-sessions", "2") as url:
        refused, admitted = anyio.run(play, url)
    assert refused.is_error and refused.meta["toolgym/error"] == "session_limit"
    assert "2 sessions" in refused.content[0].text and "--max-sessions" in refused.content[0].text
    assert not admitted.is_error and admitted.structured_content["task_id"] == task_id(4)


def test_an_idle_episode_ends_after_the_timeout() -> None:
    async def play(url: str) -> tuple[types.CallToolResult, types.CallToolResult, Any]:
        async with named(url, "idle") as idle, named(url, "busy") as busy:
            await idle.call_tool("start_task", {"seed": 1})
            refused = await busy.call_tool("start_task", {"seed": 2})
            await anyio.sleep(2.5)
            admitted = await busy.call_tool("start_task", {"seed": 2})
            gone = await idle.call_tool("get_result", {})
        return refused, admitted, gone

    with serving("--max-sessions", "1", "--idle-timeout", "2") as url:
        refused, admitted, gone = anyio.run(play, url)
    assert refused.meta["toolgym/error"] == "session_limit"
    assert not admitted.is_error
    assert gone.is_error and gone.meta["toolgym/error"] == "no_task"


def test_a_named_session_ends_with_a_delete() -> None:
    async def play(url: str) -> tuple[int, int, types.CallToolResult]:
        async with named(url, "short") as client:
            await client.call_tool("start_task", {"seed": 1})
            async with httpx2.AsyncClient() as http:
                ended = await http.delete(url, headers={"Toolgym-Session": "short"})
                again = await http.delete(url, headers={"Toolgym-Session": "short"})
            return ended.status_code, again.status_code, await client.call_tool("get_result", {})

    with serving() as url:
        ended, again, gone = anyio.run(play, url)
    assert (ended, again) == (204, 404)
    assert gone.is_error and gone.meta["toolgym/error"] == "no_task"


@pytest.fixture(scope="module")
def drift_plan(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plans") / "drift.yaml"
    path.write_text(DRIFT_PLAN)
    return str(path)


def _calls_until_drift(plan: str, seed: int) -> list[Any]:
    turns, infos = oracle_turns(ENV, plan, seed)
    drift = next(i for i, info in enumerate(infos) if info["tools"] != infos[0]["tools"])
    return [turn.tool_calls[0] for turn in turns[:drift]]


def test_toolset_changes_reach_clients_of_every_protocol_version(drift_plan: str) -> None:
    """Handshake-era clients get ``notifications/tools/list_changed``; 2026-07-28 clients get a
    tools-changed event on their listen stream, or, not listening, a note in each result
    until they list the tools again."""
    seed = 3
    calls = _calls_until_drift(drift_plan, seed)
    heard: list[str] = []

    async def notified(message: Any) -> None:
        if isinstance(message, types.ServerNotification):
            heard.append(message.method)

    async def play(url: str) -> tuple[list[Any], list[str], list[str]]:
        events: list[Any] = []
        notes: list[str] = []
        async with (
            Client(url, mode="legacy", message_handler=notified) as legacy,
            named(url, "listening") as listening,
            named(url, "deaf") as deaf,
        ):
            for client in (legacy, listening, deaf):
                await client.call_tool("start_task", {"seed": seed})
            async with listening.listen(tools_list_changed=True) as stream:
                for call in calls:
                    for client in (legacy, listening, deaf):
                        reply = await client.call_tool(call.name, call.arguments)
                    notes.append(reply.content[-1].text)
                with anyio.fail_after(10):
                    events.append(await stream.__anext__())
            after = await deaf.call_tool("list_categories", {})
            assert "list the tools again" in after.content[-1].text  # until it does
            await deaf.list_tools()
            relisted = await deaf.call_tool("list_categories", {})
            notes.append(relisted.content[-1].text)
        return events, notes, heard

    with serving("--faults", drift_plan) as url:
        events, notes, legacy_heard = anyio.run(play, url)
    assert legacy_heard == ["notifications/tools/list_changed"]
    assert [type(event).__name__ for event in events] == ["ToolsListChanged"]
    *before, drifted, relisted = notes
    assert not any("list the tools again" in note for note in before)
    assert "list the tools again" in drifted and "list the tools again" not in relisted


def test_idle_timeout_and_bound_are_validated() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "toolgym", "serve", "--transport", "http", "--max-sessions", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "--max-sessions must be at least 1" in out.stderr
