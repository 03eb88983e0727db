"""Throughput of `toolgym serve` with many isolated sessions at once, over loopback.

N clients connect at once, to an OpenEnv server (`--protocol openenv`, OpenEnv's own
WebSocket client) or an MCP server (`--transport http`, the MCP SDK's client in handshake
mode, one MCP session each); each plays the oracle's episodes for seeds of its own, all
interleaved. Every observation is checked against the same episode played in this process
(isolation: no client sees another's task or turns). Steps per second count every reset and
turn of every client, from the first connection to the last reply, over the wall clock; the
server is a single process (its env calls run in threads), on the same machine as the clients.

    python benchmarks/bench_serve.py --sessions 64 --episodes 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gymnasium as gym

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.oracle_play import oracle_turns

ENV = "toolgym/Retail-v0"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _expected(seed: int, faults: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The oracle's actions for ``seed``, the text observation the env gives for the reset
    and each, and each turn's first message (what an MCP tool call returns), in process."""
    turns, _ = oracle_turns(ENV, faults, seed)
    actions = [
        {
            "content": turn.content,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments} for c in turn.tool_calls
            ],
        }
        for turn in turns
    ]
    env = gym.make(ENV, faults=faults)
    texts, messages = [env.reset(seed=seed)[0]], []
    for action in actions:
        text, *_, info = env.step(action)
        texts.append(text)
        messages.append(info["messages"][0]["content"] if info["messages"] else "")
    return actions, texts, messages


class Server:
    """`toolgym serve` in a subprocess, its output in a file (an unread pipe would stall it)."""

    def __init__(self, *options: str) -> None:
        self.port = _free_port()
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by __exit__)
        command = [sys.executable, "-m", "toolgym", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--env", ENV, *options], stdout=self.log, stderr=subprocess.STDOUT
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 180
        while True:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the server stopped: {self.log.read()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start listening")
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


async def _openenv_client(url: str, plays: list[tuple[int, Any]]) -> int:
    from toolgym.serve.openenv import ToolgymAction, ToolgymEnvClient

    steps = 0
    async with ToolgymEnvClient(base_url=url, message_timeout_s=600) as client:
        for seed, (actions, texts, _) in plays:
            got = [(await client.reset(seed=seed)).observation.text]
            for action in actions:
                got.append((await client.step(ToolgymAction(**action))).observation.text)
            if got != texts:
                raise AssertionError(f"seed {seed}: the session did not replay the env")
            steps += len(got)
    return steps


async def _mcp_client(url: str, plays: list[tuple[int, Any]]) -> int:
    from mcp import Client

    steps = 0
    async with Client(url, mode="legacy", read_timeout_seconds=600) as client:
        for seed, (actions, _, messages) in plays:
            await client.call_tool("start_task", {"seed": seed})
            got = []
            for action in actions:
                if action["tool_calls"]:
                    (call,) = action["tool_calls"]
                    reply = await client.call_tool(call["name"], call["arguments"])
                    got.append(reply.content[0].text)
                else:
                    await client.call_tool("submit_answer", {"answer": action["content"]})
            calls = [m for a, m in zip(actions, messages, strict=True) if a["tool_calls"]]
            if got != calls:
                raise AssertionError(f"seed {seed}: the MCP session did not replay the env")
            result = await client.call_tool("get_result", {})
            if (
                result.structured_content["task_id"] != gym.make(ENV).reset(seed=seed)[1]["task_id"]
                or not result.structured_content["success"]
            ):
                raise AssertionError(f"seed {seed}: another client's task, or not solved")
            steps += len(actions) + 1
    return steps


def run(protocol: str, sessions: int, episodes: int, faults: str) -> dict[str, Any]:
    seeds = [[1000 + s * episodes + e for e in range(episodes)] for s in range(sessions)]
    expected = {seed: _expected(seed, faults) for group in seeds for seed in group}
    options = ["--faults", faults, "--max-sessions", str(sessions)]
    if protocol == "openenv":
        options = ["--protocol", "openenv", *options]
        play, path = _openenv_client, ""
    else:
        options = ["--transport", "http", *options]
        play, path = _mcp_client, "/mcp"
    with Server(*options) as server:
        url = f"http://127.0.0.1:{server.port}{path}"

        async def everyone() -> list[int]:
            return await asyncio.gather(
                *(play(url, [(seed, expected[seed]) for seed in group]) for group in seeds)
            )

        start = time.perf_counter()
        steps = sum(asyncio.run(everyone()))
        elapsed = time.perf_counter() - start
    return {
        "protocol": protocol,
        "sessions": sessions,
        "episodes": sessions * episodes,
        "steps": steps,
        "seconds": round(elapsed, 2),
        "steps_per_s": round(steps / elapsed, 1),
        "isolated": True,  # every session's observations matched its own in-process episode
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--episodes", type=int, default=2, help="episodes per session")
    parser.add_argument("--faults", default="medium")
    parser.add_argument("--protocol", choices=["openenv", "mcp", "both"], default="both")
    args = parser.parse_args()
    protocols = ["openenv", "mcp"] if args.protocol == "both" else [args.protocol]
    for protocol in protocols:
        print(json.dumps(run(protocol, args.sessions, args.episodes, args.faults)), flush=True)


if __name__ == "__main__":
    main()
