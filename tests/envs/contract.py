"""What every toolgym environment promises, as helpers the env test modules share.

Determinism is checked the strict way: the oracle plays a run of seeds and everything the agent
sees (observations, infos, rewards) is hashed, in this process and in fresh interpreters with
different ``PYTHONHASHSEED`` values.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import gymnasium as gym

import toolgym  # noqa: F401  (registers the ids)
from toolgym import OracleAgent
from toolgym.core.env import INFO_KEYS

ROOT = Path(__file__).resolve().parents[2]


def oracle_digest(env_id: str, seeds: range) -> str:
    """A hash of everything the oracle saw and got over ``seeds``."""
    env = gym.make(env_id)
    digest = hashlib.sha256()
    for seed in seeds:
        observation, info = env.reset(seed=seed)
        agent = OracleAgent(env)
        agent.reset(observation, info)
        digest.update(observation.encode() + json.dumps(info, sort_keys=True).encode())
        done = False
        while not done:
            observation, reward, terminated, truncated, info = env.step(
                agent.act(observation, info)
            )
            digest.update(observation.encode() + json.dumps(info, sort_keys=True).encode())
            digest.update(repr((reward, terminated, truncated)).encode())
            done = terminated or truncated
    return digest.hexdigest()


def oracle_digest_elsewhere(env_id: str, seeds: range, hash_seed: str) -> str:
    """:func:`oracle_digest` computed by a fresh interpreter with its own hash seed."""
    code = (
        "from tests.envs.contract import oracle_digest; "
        f"print(oracle_digest({env_id!r}, range({seeds.start}, {seeds.stop})))"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


def fuzz(env_id: str, steps: int, seed: int = 0) -> Counter[str]:
    """Step with ``action_space.sample()``; nothing may raise. Returns the statuses seen."""
    env = gym.make(env_id)
    env.action_space.seed(seed)
    statuses: Counter[str] = Counter()
    observation, info = env.reset(seed=seed)
    for step in range(steps):
        observation, _, terminated, truncated, info = env.step(env.action_space.sample())
        assert isinstance(observation, str) and tuple(info) == INFO_KEYS
        assert isinstance(terminated, bool) and isinstance(truncated, bool)
        statuses.update(info["parse_status"])
        if terminated or truncated:
            observation, info = env.reset(seed=seed + step + 1)
    return statuses
