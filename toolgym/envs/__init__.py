"""Environment definitions (task families, checkers, oracles) and their Gymnasium ids."""

from toolgym.envs.registry import SUITES, env_ids, suite

__all__ = ["SUITES", "env_ids", "suite"]
