"""The ``toolgym`` command: list what exists, watch an episode, evaluate an agent, make data.

``python -m toolgym`` is the same command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

import toolgym
from toolgym.core.messages import Message

__all__ = ["main"]

DEFAULT_ENV = "toolgym/Retail-v0"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolgym",
        description="List what exists, watch an episode, evaluate an agent, make training data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser(
        "list", help="environments, task families, fault types, formats and presets"
    )
    listing.add_argument("--width", type=int, default=120, help="console width")

    demo = commands.add_parser("demo", help="play one episode with the oracle agent and show it")
    demo.add_argument("--env", default=DEFAULT_ENV, help="environment id")
    demo.add_argument("--seed", type=int, default=1, help="reset seed")
    demo.add_argument("--family", default=None, help="task family (default: any)")
    demo.add_argument("--difficulty", default=None, choices=["easy", "medium", "hard"])
    demo.add_argument("--faults", default="none", help="fault preset or plan file")
    demo.add_argument("--format", default=None, help="tool-call format: play through raw text")
    demo.add_argument("--width", type=int, default=100, help="console width")

    run = commands.add_parser("eval", help="evaluate an agent, clean and under faults")
    run.add_argument(
        "--env", action="append", help=f"environment id, repeatable, or 'all' ({DEFAULT_ENV})"
    )
    run.add_argument(
        "--agent",
        default="oracle",
        help="oracle, random, noop, openai:MODEL or probe:SKILL (see toolgym validate)",
    )
    run.add_argument(
        "--faults",
        action="append",
        default=[],
        help="fault preset or plan file (YAML/JSON), repeatable; clean twins always run",
    )
    run.add_argument("--episodes", type=int, default=20, help="tasks per environment")
    run.add_argument("--trials", type=int, default=1, help="trials per task, for pass^k")
    run.add_argument("--seed", type=int, default=0, help="first task seed")
    run.add_argument(
        "--workers", type=int, default=1, help="episodes played in parallel (processes or actors)"
    )
    run.add_argument("--max-turns", type=int, default=30, help="agent turns per episode")
    run.add_argument("--format", default=None, help="tool-call format: the raw-text path")
    run.add_argument("--out", required=True, help="run directory (rerun to resume)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    scale = run.add_argument_group("Ray backend (pip install 'toolgym[ray]')")
    scale.add_argument(
        "--backend",
        default="local",
        choices=["local", "ray"],
        help="where episodes run: this machine's processes, or Ray actors (--workers of them)",
    )
    scale.add_argument(
        "--address", help="an existing Ray cluster ('auto', 'ray://head:10001'); default: local"
    )
    scale.add_argument(
        "--envs-per-worker", type=int, default=1, help="episodes each Ray actor plays at once"
    )
    model = run.add_argument_group("openai:MODEL agents")
    model.add_argument("--base-url", help="server URL, e.g. http://localhost:8000/v1")
    model.add_argument("--api-key-env", help="variable holding the API key (OPENAI_API_KEY)")
    model.add_argument("--temperature", type=float)
    model.add_argument("--top-p", type=float)
    model.add_argument("--max-tokens", type=int)
    model.add_argument("--max-retries", type=int, help="retries of 429/5xx/timeouts (6)")
    model.add_argument("--timeout", type=float, help="seconds per request (300)")

    serve = commands.add_parser(
        "serve",
        help="serve an env over MCP (stdio, or streamable HTTP on loopback) or as an OpenEnv "
        "server, one isolated episode per client",
    )
    serve.add_argument(
        "--protocol",
        default="mcp",
        choices=["mcp", "openenv"],
        help="mcp: tools for agent harnesses; openenv: reset/step/state for trainers (HTTP)",
    )
    serve.add_argument("--env", default=DEFAULT_ENV, help="environment id")
    serve.add_argument("--faults", default="none", help="fault preset or plan file (YAML/JSON)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the first task")
    serve.add_argument("--max-turns", type=int, default=30, help="tool calls per task")
    serve.add_argument("--transport", default="stdio", choices=["stdio", "http"])
    serve.add_argument("--host", default="127.0.0.1", help="HTTP address (loopback by default)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port")
    serve.add_argument("--path", default="/mcp", help="HTTP path of the MCP endpoint")
    serve.add_argument(
        "--max-sessions", type=int, default=256, help="clients with a live episode at once (HTTP)"
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=600.0,
        help="seconds without a request after which a client's episode ends (HTTP)",
    )
    serve.add_argument(
        "--dry-run",
        action="store_true",
        help="print the tools and the first task a client would get, then exit",
    )

    report = commands.add_parser("report", help="rebuild a run's report from its trajectories")
    report.add_argument("run", help="run directory written by `toolgym eval`")

    data = commands.add_parser("generate", help="oracle trajectories under faults, for SFT")
    data.add_argument("--env", action="append", help=f"environment id or 'all' ({DEFAULT_ENV})")
    data.add_argument(
        "--faults",
        action="append",
        help="fault preset or plan file, repeatable: task i uses the i-th mod n (medium)",
    )
    data.add_argument("--episodes", type=int, default=100, help="task seeds per environment")
    data.add_argument("--seed", type=int, default=0, help="first task seed")
    data.add_argument("--max-turns", type=int, default=30)
    data.add_argument(
        "--thinking",
        default="field",
        choices=["field", "tags"],
        help="thoughts in reasoning_content (field) or as <think> tags in the content",
    )
    data.add_argument("--out", required=True, help="output directory (train.jsonl, manifest)")
    data.add_argument("--no-progress", action="store_true")

    check = commands.add_parser(
        "validate",
        help="does each fault measure something? probe agents vs the oracle, per fault type",
    )
    check.add_argument(
        "--env",
        action="append",
        help="environment id, repeatable, or 'all' (default: every env without a sandbox)",
    )
    check.add_argument("--seeds", type=int, default=10, help="task seeds per agent and column")
    check.add_argument("--seed", type=int, default=0, help="first task seed")
    check.add_argument(
        "--faults",
        action="append",
        help="fault types to run (repeatable or comma-separated; default: every one)",
    )
    check.add_argument("--no-axes", action="store_true", help="skip the per-axis preset columns")
    check.add_argument(
        "--diagonal",
        action="store_true",
        help="under faults, play only the oracle and each fault's own probe (faster)",
    )
    check.add_argument("--max-turns", type=int, default=30)
    check.add_argument("--out", help="write the matrix here (JSON) and beside it as Markdown")
    check.add_argument("--no-progress", action="store_true")
    check.add_argument("--width", type=int, default=120, help="console width")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from toolgym.agents.openai_agent import ModelError
    from toolgym.evaluation import EvaluationError

    args = _parser().parse_args(argv)
    # A stdio MCP server owns stdout: everything else it says goes to stderr.
    console = Console(
        width=getattr(args, "width", 100), highlight=False, stderr=args.command == "serve"
    )
    commands = {
        "list": _list,
        "demo": _demo,
        "eval": _eval,
        "serve": _serve,
        "report": _report,
        "generate": _generate,
        "validate": _validate,
    }
    try:
        return commands[args.command](console, args)
    except (ValueError, gym.error.Error, ModelError, EvaluationError) as exc:
        console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 2


# -------------------------------------------------------------------- list
def _list(console: Console, args: argparse.Namespace) -> int:
    import toolgym.faults as faults
    import toolgym.formats as formats

    envs = Table(title="environments")
    envs.add_column("id")
    envs.add_column("tools", justify="right")
    envs.add_column("task families", justify="right")
    families = Table(title="task families")
    families.add_column("env")
    families.add_column("family")
    families.add_column("what the agent must do")
    for env_id in toolgym.env_ids():
        env = gym.make(env_id).unwrapped
        envs.add_row(env_id, str(len(env.action_space.tool_schemas)), str(len(env.suite.families)))
        for family in env.suite.families:
            families.add_row(env_id, family.name, getattr(family, "description", ""))
        env.close()
    catalogue = Table(title="fault types")
    catalogue.add_column("fault")
    catalogue.add_column("axis")
    catalogue.add_column("recoverable")
    catalogue.add_column("what it does")
    for name in faults.names():
        fault = faults.get(name)
        catalogue.add_row(name, fault.axis, "yes" if fault.recoverable else "no", fault.summary())
    scaffolds = Table(title="tool-call formats (--format)")
    scaffolds.add_column("format")
    scaffolds.add_column("what the model writes")
    for name in formats.names():
        scaffolds.add_row(name, formats.get(name).summary)
    presets = Table(title="fault presets (--faults; or a YAML/JSON plan file)")
    presets.add_column("preset")
    presets.add_column("fault types", justify="right")
    presets.add_column("axes")
    presets.add_column("recoverable")
    for name in faults.presets():
        plan = faults.FaultPlan.preset(name)
        presets.add_row(
            name,
            str(len(plan.faults)),
            ", ".join(plan.axes) or "(clean)",
            "yes" if plan.recoverable else "no (destructive faults included)",
        )
    for table in (envs, families, catalogue, scaffolds, presets):
        console.print(table)
    console.print(f"sandbox (Python, Codebase, Workspace): {_isolation()}")
    return 0


def _isolation() -> str:
    """How the default sandbox isolates code on this machine."""
    from toolgym.sandbox import LocalSandbox

    try:
        with LocalSandbox(spare=False) as sandbox:
            return sandbox.isolation
    except Exception as exc:  # a machine without a usable sandbox still lists the rest
        return f"unavailable ({exc})"


# -------------------------------------------------------------------- demo
def _demo(console: Console, args: argparse.Namespace) -> int:
    from toolgym.agents.factory import make_agent
    from toolgym.evaluation import make_eval_env

    env = make_eval_env(args.env, args.faults, format=args.format)
    agent = _Transcribed(make_agent("oracle", env))
    options = {k: v for k, v in (("family", args.family), ("difficulty", args.difficulty)) if v}
    result = toolgym.run_episode(env, agent, seed=args.seed, options=options)
    header = f"[bold]{args.env}[/]  task {result.task_id}"
    if args.faults != "none":
        header += f"  faults {args.faults}"
    if args.format:
        header += f"  format {args.format}"
    console.rule(header)
    turn = 0
    _faults(console, result.infos[0]["faults"])
    for message in result.history:
        if message.role == "assistant":
            turn += 1
            raw = agent.completions[turn - 1] if args.format else None
            console.print(_render(message, raw))
            _faults(console, result.infos[turn]["faults"] if turn < len(result.infos) else [])
        else:
            console.print(_render(message))
    verdict = "[bold green]success[/]" if result.success else "[bold red]failure[/]"
    if not result.solvable:
        verdict += " [bold red](unsolvable: a destructive fault fired)[/]"
    checks = ", ".join(f"{k}={'pass' if v else 'FAIL'}" for k, v in result.checks.items())
    fired = len(result.faults)
    console.rule(
        f"{verdict}  reward {result.reward:.1f}  turns {result.turns}  "
        f"tool calls {result.tool_calls}  faults fired {fired}  checks: {checks}"
    )
    env.close()
    return 0 if result.success or not result.solvable else 1


class _Transcribed:
    """Keeps each action an agent sends (the raw completion, on the text path)."""

    def __init__(self, agent: Any) -> None:
        self.agent = agent
        self.completions: list[Any] = []

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        reset = getattr(self.agent, "reset", None)
        if callable(reset):
            reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        action = self.agent.act(observation, info)
        self.completions.append(action)
        return action


def _faults(console: Console, events: Sequence[dict[str, Any]]) -> None:
    """Mark each fault where it fired."""
    for event in events:
        target = f" on {event['target']}" if event.get("target") else ""
        line = Text("⚡ fault ", style="bold red")
        line.append(f"{event.get('fault')} [{event.get('axis')}]{target}", style="red")
        if event.get("detail"):
            line.append(f": {event['detail']}", style="dim red")
        console.print(line)


def _render(message: Message, raw: Any = None) -> Any:
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
    title = "assistant" if message.tool_calls else "assistant: final answer"
    if isinstance(raw, str):
        return Panel(Text(raw), title=f"{title} (raw completion)", border_style="yellow")
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
    return Panel(parts, title=title, border_style="yellow")


def _pretty(content: str, limit: int = 1200) -> str:
    try:
        text = json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        text = content
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more chars)"


# -------------------------------------------------------------------- eval
_MODEL_OPTIONS = (
    "base_url",
    "api_key_env",
    "temperature",
    "top_p",
    "max_tokens",
    "max_retries",
    "timeout",
)


def _eval(console: Console, args: argparse.Namespace) -> int:
    from toolgym.evaluation import (
        EvalConfig,
        EvaluationError,
        TrajectoryStore,
        evaluate,
        write_report,
    )

    options = {name: getattr(args, name) for name in _MODEL_OPTIONS}
    options = {name: value for name, value in options.items() if value is not None}
    if options and not args.agent.startswith("openai:"):
        flags = ", ".join("--" + name.replace("_", "-") for name in options)
        raise ValueError(f"{flags} only apply to openai:MODEL agents, not {args.agent!r}")
    config = EvalConfig(
        envs=args.env or [DEFAULT_ENV],
        agent=args.agent,
        faults=args.faults,
        episodes=args.episodes,
        trials=args.trials,
        seed=args.seed,
        workers=args.workers,
        max_turns=args.max_turns,
        format=args.format,
        agent_options=options,
        backend=args.backend,
        address=args.address,
        envs_per_worker=args.envs_per_worker,
    )
    watcher = _LiveSuccess(console, enabled=not args.no_progress)
    failure = None
    try:
        with watcher:
            outcome = evaluate(config, args.out, watcher)
    except EvaluationError as exc:
        failure, outcome = exc, None
    records = TrajectoryStore(args.out).records()
    files = write_report(records, args.out, planned=len(config.specs()))
    _summary(console, records)
    console.print(f"report: {files.markdown}  {files.html}  figures: {len(files.figures)}")
    if failure is not None:
        console.print(f"[bold red]stopped:[/] {failure}", soft_wrap=True)
        return 1
    assert outcome is not None
    if outcome.errors:
        console.print(
            f"[yellow]{len(outcome.errors)} episodes raised and were not recorded "
            f"(rerun to retry); first: {outcome.errors[0].message}[/]"
        )
    if outcome.interrupted:
        console.print(
            f"[yellow]interrupted:[/] {len(records)} of {outcome.planned} episodes recorded; "
            "rerun the same command to resume"
        )
        return 130
    return 0


class _LiveSuccess:
    """A progress bar that shows the success rate so far, clean and perturbed."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("[bold]eval"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rates]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("eval", total=None, rates="")
        self.counts = {True: [0, 0], False: [0, 0]}

    def __enter__(self) -> _LiveSuccess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, planned: int, finished: Sequence[dict[str, Any]]) -> None:
        if self.enabled:
            self.progress.start()
        for record in finished:
            self._count(record)
        self.progress.update(self.task, total=planned, completed=len(finished))
        self._show()

    def recorded(self, record: dict[str, Any]) -> None:
        self._count(record)
        self.progress.advance(self.task)
        self._show()

    def failed(self, error: Any) -> None:
        self.progress.console.print(f"[yellow]episode error:[/] {error.message}")

    def _count(self, record: dict[str, Any]) -> None:
        if record["solvable"]:
            tally = self.counts[record["faults"] == "none"]
            tally[0] += record["success"]
            tally[1] += 1

    def _show(self) -> None:
        parts = []
        for label, clean in (("clean", True), ("perturbed", False)):
            wins, n = self.counts[clean]
            if n:
                parts.append(f"{label} {wins / n:.0%}")
        self.progress.update(self.task, rates="  ".join(parts))


def _summary(console: Console, records: list[dict[str, Any]]) -> None:
    from toolgym.evaluation import summarize

    if not records:
        console.print("no episode recorded")
        return
    summary = summarize(records)
    table = Table(title=f"{summary.agent}: success (solvable episodes)")
    for column in ("env", "faults", "episodes", "success", "95% CI", "gap vs clean"):
        table.add_column(column, justify="left" if column in ("env", "faults") else "right")
    for (env, preset), stats in summary.groups.items():
        rate, gap = stats.success, stats.paired.gap
        low, high = rate.interval
        table.add_row(
            env,
            preset,
            str(stats.episodes),
            "—" if rate.value is None else f"{rate.value:.1%}",
            f"[{low:.1%}, {high:.1%}]" if rate.n else "—",
            "" if preset == "none" or gap.value is None else f"{gap.value * 100:+.1f} pts",
        )
    console.print(table)


# ------------------------------------------------------------------- serve
def _serve(console: Console, args: argparse.Namespace) -> int:
    from toolgym.evaluation import make_eval_env
    from toolgym.serve import TaskSession

    try:
        from toolgym.serve.server import CONTROL_TOOLS, build_server, serve
    except ImportError as exc:
        raise ValueError(
            f"toolgym serve needs the MCP SDK ({exc}): pip install 'toolgym[mcp]'"
        ) from None
    if args.max_sessions < 1 or not args.idle_timeout > 0:
        raise ValueError("--max-sessions must be at least 1 and --idle-timeout positive")
    if args.protocol == "openenv":
        return _serve_openenv(console, args)

    def new_session() -> TaskSession:
        return TaskSession(
            make_eval_env(args.env, args.faults, max_turns=args.max_turns), args.seed
        )

    session = new_session()
    build_server(session, env_id=args.env, faults=args.faults)  # fails here on a bad setup
    if args.dry_run:
        out = Console(width=120, highlight=False)
        tools = Table(title=f"tools served for {args.env} (faults: {args.faults})")
        tools.add_column("tool")
        tools.add_column("description")
        for name in CONTROL_TOOLS:
            tools.add_row(name, "(the server's own: task control)")
        for schema in session.tools:
            function = schema["function"]
            tools.add_row(function["name"], (function.get("description") or "")[:90])
        out.print(tools)
        start = session.start()
        out.print(Panel(start.text(), title=f"first task: {start.task_id}"))
        session.close()
        return 0
    if args.transport == "http":
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]warning:[/] serving on {args.host}: anyone who can reach it can "
                "call the tools (there is no authentication)"
            )
        console.print(f"MCP endpoint: http://{args.host}:{args.port}{args.path} (Ctrl-C stops)")
    try:
        serve(
            session,
            transport=args.transport,
            host=args.host,
            port=args.port,
            path=args.path,
            env_id=args.env,
            faults=args.faults,
            sessions=new_session,
            max_sessions=args.max_sessions,
            idle_timeout=args.idle_timeout,
        )
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
    return 0


def _serve_openenv(console: Console, args: argparse.Namespace) -> int:
    try:
        from toolgym.serve.openenv import serve_openenv
    except ImportError as exc:
        raise ValueError(
            f"toolgym serve --protocol openenv needs OpenEnv ({exc}): "
            "pip install 'toolgym[openenv]'"
        ) from None
    if args.dry_run:
        raise ValueError("--dry-run shows the MCP toolset; OpenEnv serves reset/step/state")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            f"[yellow]warning:[/] serving on {args.host}: anyone who can reach it can "
            "play the env (there is no authentication)"
        )
    console.print(f"OpenEnv server: http://{args.host}:{args.port} (WebSocket /ws; Ctrl-C stops)")
    serve_openenv(
        args.env,
        faults=args.faults,
        seed=args.seed,
        max_turns=args.max_turns,
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
    )
    return 0


# ------------------------------------------------------------------ report
def _report(console: Console, args: argparse.Namespace) -> int:
    from toolgym.evaluation import TrajectoryStore, write_report
    from toolgym.evaluation.runner import planned_episodes

    store = TrajectoryStore(args.run)
    if not store.path.exists():
        raise ValueError(f"{store.path} does not exist: is {args.run!r} a `toolgym eval` --out?")
    records = store.records()
    manifest = store.manifest()
    planned = planned_episodes(manifest) if manifest else None
    files = write_report(records, args.run, planned=planned)
    _summary(console, records)
    console.print(f"report: {files.markdown}  {files.html}  figures: {len(files.figures)}")
    return 0


# ---------------------------------------------------------------- generate
def _generate(console: Console, args: argparse.Namespace) -> int:
    from toolgym.evaluation.generate import GenerateConfig, generate

    config = GenerateConfig(
        envs=args.env or [DEFAULT_ENV],
        faults=args.faults or ["medium"],
        episodes=args.episodes,
        seed=args.seed,
        max_turns=args.max_turns,
        thinking=args.thinking,
    )
    progress = Progress(
        TextColumn("[bold]generate"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=args.no_progress,
    )
    task = progress.add_task("generate", total=len(config.envs) * config.episodes)
    with progress:
        manifest = generate(config, args.out, on_episode=lambda _: progress.advance(task))
    run = manifest["last_run"]
    console.print(
        f"{run['written']} samples written, {run['duplicates']} duplicates skipped, "
        f"{run['unsolvable']} unsolvable and {run['failed']} failed episodes left out; "
        f"{manifest['dataset']['samples']} samples in {Path(args.out) / 'train.jsonl'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---------------------------------------------------------------- validate
def _validate(console: Console, args: argparse.Namespace) -> int:
    from toolgym.testing.validate import (
        ValidateConfig,
        default_envs,
        planned_cells,
        validate,
        write,
    )

    envs: list[str] = []
    for env in args.env or default_envs():
        envs += [e for e in (toolgym.env_ids() if env == "all" else [env]) if e not in envs]
    faults = [f.strip() for item in args.faults or () for f in item.split(",") if f.strip()]
    configs = [
        ValidateConfig(
            env,
            seeds=args.seeds,
            seed=args.seed,
            faults=faults or None,
            axes=not args.no_axes,
            max_turns=args.max_turns,
            diagonal=args.diagonal,
        )
        for env in envs
    ]  # every setting checked before any episode runs
    matrices = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=args.no_progress,
    ) as progress:
        for config in configs:
            cells = planned_cells(config)
            task = progress.add_task(config.env, total=cells)
            matrices.append(validate(config, lambda *_, task=task: progress.advance(task)))
    for matrix in matrices:
        table = Table(title=f"{matrix.env}: what each fault measures ({args.seeds} seeds)")
        for name in ("fault", "probe", "probe clean", "probe faulted (95% CI)", "drop", "oracle"):
            table.add_column(name, justify="left" if name in ("fault", "probe") else "right")
        for row in matrix.summary():
            table.add_row(*row)
        console.print(table)
    if args.out:
        data, markdown = write(matrices, args.out)
        console.print(f"matrix: {data}  {markdown}")
    return 0
