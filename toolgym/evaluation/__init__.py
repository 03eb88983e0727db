"""Evaluation: run an agent over clean and perturbed episodes, measure, and report.

>>> from toolgym.evaluation import EvalConfig, evaluate, write_report
>>> config = EvalConfig(agent="oracle", episodes=3)  # doctest: +SKIP
>>> evaluate(config, "runs/oracle")  # doctest: +SKIP
"""

from toolgym.evaluation.episode import (
    CLEAN,
    EpisodeError,
    EpisodeSpec,
    Settings,
    Workbench,
    make_eval_env,
)
from toolgym.evaluation.metrics import Rate, Summary, pass_hat_k, summarize, wilson_interval
from toolgym.evaluation.report import ReportFiles, write_report
from toolgym.evaluation.runner import (
    EvalConfig,
    EvalOutcome,
    EvaluationError,
    RunObserver,
    evaluate,
    run_episodes,
)
from toolgym.evaluation.store import TrajectoryStore

__all__ = [
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
]
