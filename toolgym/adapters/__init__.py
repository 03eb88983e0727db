"""Thin adapters from toolgym envs to trainers' own environment protocols.

- :func:`trl_environment`: a class for TRL's ``GRPOTrainer(environment_factory=...)``.

Examples of string-loop (verifiers/GEM-style) and batched GRPO-style rollouts with
``gym.make_vec`` are in ``examples/``; see ``docs/adapters.md``.
"""

from toolgym.adapters.trl import ToolEnvironment, task_rows, trl_environment

__all__ = ["ToolEnvironment", "task_rows", "trl_environment"]
