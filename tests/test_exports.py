"""The public surface, pinned (as httpx pins ``__all__``): a name joins or leaves it only on
purpose, in a change that edits this list, and every listed name is really there."""

from __future__ import annotations

import importlib

import pytest

PUBLIC: dict[str, set[str]] = {
    "toolgym": {
        "Agent",
        "AgentTurn",
        "ChatHistory",
        "EpisodeResult",
        "FaultInjection",
        "FaultPlan",
        "Message",
        "NoToolAgent",
        "OracleAgent",
        "RandomAgent",
        "Task",
        "TextActions",
        "TextAgent",
        "ToolCall",
        "ToolEnv",
        "ToolError",
        "Toolkit",
        "__version__",
        "env_ids",
        "make_env",
        "register_envs",
        "register_suite",
        "run_episode",
        "tool",
    },
    "toolgym.core": {
        "Agent",
        "AgentTurn",
        "Answer",
        "AnyText",
        "CheckResult",
        "DIFFICULTIES",
        "Database",
        "Episode",
        "EpisodeResult",
        "Interceptor",
        "Invocation",
        "Message",
        "Record",
        "Registry",
        "Task",
        "TaskFamily",
        "TaskSuite",
        "Tool",
        "ToolActionSpace",
        "ToolCall",
        "ToolEnv",
        "ToolError",
        "Toolkit",
        "World",
        "call",
        "run_episode",
        "tool",
    },
    "toolgym.envs": {
        "SUITES",
        "env_ids",
        "suite",
    },
    "toolgym.faults": {
        "AXES",
        "Fault",
        "FaultContext",
        "FaultEvent",
        "FaultPipeline",
        "FaultPlan",
        "HOOKS",
        "Schedule",
        "ValueCodec",
        "codec_of",
        "errors",
        "events",
        "get",
        "names",
        "presets",
        "prompts",
        "responses",
        "scaffold",
        "tools",
        "world",
    },
    "toolgym.formats": {
        "FORMATS",
        "Format",
        "HermesFormat",
        "JSONFormat",
        "OpenAIFormat",
        "PythonicFormat",
        "ReActFormat",
        "STATUSES",
        "TEMPLATES",
        "Template",
        "ToolSpecs",
        "XMLFormat",
        "get",
        "get_template",
        "names",
        "register",
        "split_thinking",
    },
    "toolgym.agents": {
        "ModelError",
        "NoToolAgent",
        "OpenAIAgent",
        "OracleAgent",
        "RandomAgent",
        "Skills",
        "TextAgent",
        "make_agent",
    },
    "toolgym.wrappers": {
        "ChatHistory",
        "ChatTemplateText",
        "Conversation",
        "FaultInjection",
        "TextActions",
    },
    "toolgym.evaluation": {
        "CLEAN",
        "EpisodeError",
        "EpisodeSpec",
        "EvalConfig",
        "EvalOutcome",
        "EvaluationError",
        "Rate",
        "ReportFiles",
        "RunObserver",
        "Settings",
        "Summary",
        "TrajectoryStore",
        "Workbench",
        "evaluate",
        "make_eval_env",
        "pass_hat_k",
        "run_episodes",
        "summarize",
        "wilson_interval",
        "write_report",
    },
    "toolgym.sandbox": {
        "DockerSandbox",
        "Execution",
        "ExecutionError",
        "Limits",
        "LocalSandbox",
        "NOBODY",
        "RunResult",
        "Sandbox",
        "SandboxError",
        "SandboxWarning",
        "TestReport",
        "Worker",
        "Workspace",
        "WorkspaceError",
        "bubblewrap_available",
        "make_sandbox",
    },
    "toolgym.testing": {
        "fault_plans",
        "faults",
        "schedules",
        "tool_calls",
    },
    "toolgym.serve": {
        "CallReply",
        "TaskSession",
        "TaskStart",
    },
    "toolgym.adapters": {
        "ToolEnvironment",
        "task_rows",
        "trl_environment",
    },
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_the_public_names_are_the_pinned_ones(module: str) -> None:
    assert set(importlib.import_module(module).__all__) == PUBLIC[module]


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_exists(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing


def test_the_core_exports_concepts_not_plumbing() -> None:
    core = PUBLIC["toolgym.core"]
    assert len(core) <= 30
    assert not core & {"coerce_turn", "decode_arguments", "transcript", "run_plan", "ToolView"}
