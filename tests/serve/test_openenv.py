"""``toolgym serve --protocol openenv``: OpenEnv's own client over a real WebSocket on loopback.

Many sessions at once, each an isolated episode that gives what the env gives in process,
byte for byte, faults included; the bound on sessions; idle sessions ended."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gymnasium as gym
import pytest

from tests.oracle_play import oracle_turns

pytest.importorskip("openenv.core")

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from toolgym.serve.openenv import ToolgymAction, ToolgymEnvClient

ENV = "toolgym/Retail-v0"
FAULTS = "heavy"
SESSIONS = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """``toolgym serve --protocol openenv`` in a subprocess; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "toolgym", "serve", "--protocol", "openenv"]
    command += ["--port", str(port), "--env", ENV, *options]
    # Its output goes to a file: a pipe nobody reads while the clients play would fill and
    # stall the server.
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server stopped: {log.read()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the server did not start listening"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        log.close()
        process.wait(timeout=20)


def _action(turn: Any) -> dict[str, Any]:
    calls = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in turn.tool_calls]
    return {"content": turn.content, "tool_calls": calls}


def _in_process(seed: int) -> tuple[list[dict[str, Any]], list[tuple[str, float, bool]]]:
    """The oracle's actions for ``seed`` and what the env gives for each, in this process."""
    turns, _ = oracle_turns(ENV, FAULTS, seed)
    env = gym.make(ENV, faults=FAULTS)
    text, _ = env.reset(seed=seed)
    actions = [_action(turn) for turn in turns]
    seen = [(text, 0.0, False)]
    for action in actions:
        text, reward, terminated, truncated, _ = env.step(action)
        seen.append((text, float(reward), bool(terminated or truncated)))
    return actions, seen


async def _play(url: str, seed: int, actions: list[dict[str, Any]]) -> list[Any]:
    async with ToolgymEnvClient(base_url=url) as client:
        results = [await client.reset(seed=seed)]
        for action in actions:
            results.append(await client.step(ToolgymAction(**action)))
        state = await client.state()
    return [*results, state]


def test_concurrent_sessions_are_isolated_and_replay_the_env() -> None:
    seeds = list(range(100, 100 + SESSIONS))
    expected = {seed: _in_process(seed) for seed in seeds}

    async def everyone(url: str) -> list[list[Any]]:
        # Interleaved: every session is mid-episode while the others step.
        return await asyncio.gather(*(_play(url, s, expected[s][0]) for s in seeds))

    with serving("--faults", FAULTS, "--max-sessions", str(SESSIONS)) as url:
        played = asyncio.run(everyone(url))
    for seed, (*results, state) in zip(seeds, played, strict=True):
        actions, seen = expected[seed]
        got = [(r.observation.text, float(r.reward or 0.0), r.done) for r in results]
        assert got == seen, f"seed {seed}"
        assert results[0].observation.task_id == gym.make(ENV).reset(seed=seed)[1]["task_id"]
        assert results[-1].done and results[-1].reward == 1.0 and results[-1].observation.success
        assert state.episode_id == results[0].observation.task_id
        assert state.step_count == len(actions) and state.done and state.reward == 1.0
    fired = {
        event["fault"] for *results, _ in played for r in results for event in r.observation.faults
    }
    assert len(fired) >= 3, fired  # heavy faults fire, and reach the client


def test_a_step_before_reset_plays_nothing_and_says_so() -> None:
    async def early(url: str) -> Any:
        async with ToolgymEnvClient(base_url=url) as client:
            return await client.step(ToolgymAction(content="done"))

    with serving() as url:
        result = asyncio.run(early(url))
    assert result.observation.error == "no_task" and "reset first" in result.observation.text
    assert not result.done


def test_sessions_past_the_bound_are_refused_and_idle_ones_end() -> None:
    async def crowd(url: str) -> tuple[dict[str, Any], Any, Any]:
        async with ToolgymEnvClient(base_url=url) as first:
            await first.reset(seed=1)
            # Refused at once: the first frame on the socket says why (OpenEnv's wire format).
            async with connect(url.replace("http", "ws") + "/ws") as second:
                refused = json.loads(await second.recv())
            # Past the 1 s idle timeout and two of OpenEnv's 5 s reaper rounds.
            await asyncio.sleep(11)
            try:
                ended: Any = await first.step(ToolgymAction(tool_calls=[{"name": "x"}]))
            except ConnectionClosed as closed:
                ended = closed  # the server closed the idle session's WebSocket
        async with ToolgymEnvClient(base_url=url) as third:
            admitted = await third.reset(seed=3)
        return refused, ended, admitted

    with serving("--max-sessions", "1", "--idle-timeout", "1") as url:
        refused, ended, admitted = asyncio.run(crowd(url))
    assert refused["type"] == "error" and refused["data"]["code"] == "CAPACITY_REACHED"
    assert "1/1 sessions" in refused["data"]["message"]
    # The episode is gone either way: the socket closed, or the env says the session ended.
    if not isinstance(ended, ConnectionClosed):
        assert ended.observation.error == "session_ended" and ended.done
        assert "connect again" in ended.observation.text
    assert admitted.observation.task_id == gym.make(ENV).reset(seed=3)[1]["task_id"]
