"""The ``toolgym`` command: list what exists, and watch an episode play out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

import toolgym
from toolgym.core.messages import Message

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toolgym", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="environments and their task families")

    demo = commands.add_parser("demo", help="play one episode with the oracle agent and show it")
    demo.add_argument("--env", default="toolgym/Retail-v0", help="environment id")
    demo.add_argument("--seed", type=int, default=1, help="reset seed")
    demo.add_argument("--family", default=None, help="task family (default: any)")
    demo.add_argument("--difficulty", default=None, choices=["easy", "medium", "hard"])
    demo.add_argument("--width", type=int, default=100, help="console width")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(width=getattr(args, "width", 100), highlight=False)
    try:
        if args.command == "list":
            return _list(console)
        return _demo(console, args)
    except (ValueError, gym.error.Error) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 2


def _list(console: Console) -> int:
    table = Table(title="toolgym environments")
    table.add_column("id")
    table.add_column("tools", justify="right")
    table.add_column("task families")
    for env_id in toolgym.env_ids():
        env = gym.make(env_id).unwrapped
        families = ", ".join(f.name for f in env.suite.families)
        table.add_row(env_id, str(len(env.action_space.tool_schemas)), families)
        env.close()
    console.print(table)
    return 0


def _demo(console: Console, args: argparse.Namespace) -> int:
    env = gym.make(args.env)
    options = {k: v for k, v in (("family", args.family), ("difficulty", args.difficulty)) if v}
    result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=args.seed, options=options)
    console.rule(f"[bold]{args.env}[/]  task {result.task_id}")
    for message in result.history:
        console.print(_render(message))
    verdict = "[bold green]success[/]" if result.success else "[bold red]failure[/]"
    checks = ", ".join(f"{k}={'pass' if v else 'FAIL'}" for k, v in result.checks.items())
    console.rule(
        f"{verdict}  reward {result.reward:.1f}  turns {result.turns}  "
        f"tool calls {result.tool_calls}  checks: {checks}"
    )
    env.close()
    return 0 if result.success else 1


def _render(message: Message) -> Any:
    if message.role == "system":
        return Panel(message.content, title="system prompt", border_style="magenta")
    if message.role == "user":
        return Panel(message.content, title="user", border_style="blue")
    if message.role == "tool":
        body = _pretty(message.content)
        failed = '"error"' in message.content[:40]
        return Panel(
            body,
            title=f"result of {message.name} #{message.tool_call_id}",
            border_style="red" if failed else "green",
        )
    parts = Text()
    if message.thinking:
        parts.append("thinking: ", style="dim bold")
        parts.append(message.thinking + "\n", style="dim italic")
    for call in message.tool_calls:
        arguments = (
            call.arguments
            if isinstance(call.arguments, str)
            else json.dumps(call.arguments, ensure_ascii=False)
        )
        parts.append("call ", style="bold cyan")
        parts.append(f"{call.name}({arguments})\n", style="cyan")
    if message.content:
        parts.append(message.content, style="bold")
    title = "assistant" if message.tool_calls else "assistant: final answer"
    return Panel(parts, title=title, border_style="yellow")


def _pretty(content: str, limit: int = 1200) -> str:
    try:
        text = json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        text = content
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more chars)"


if __name__ == "__main__":
    sys.exit(main())
