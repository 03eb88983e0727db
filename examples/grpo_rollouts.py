"""A GRPO-style batched rollout loop with ``gym.make_vec``.

GRPO samples G rollouts of each task and scores each against its group's mean. Here a queue of
(task seed, group member) jobs feeds a fixed number of env slots stepped together, so the
policy is called on one batch per step. The slots use ``AutoresetMode.DISABLED``: a slot whose
episode ends is reset by us, with the seed of the next job, so every member of a group gets the
same task and no generation is ever made for a finished episode (the default ``NEXT_STEP``
would discard the action sent after an episode ends: a wasted LLM generation).

A scripted policy stands in for the LLM: a seeded coin makes each rollout either the oracle or
a random tool caller, so rewards differ within a group. It peeks at the sub-envs to script its
calls, hence ``vectorization_mode="sync"``; an LLM needs only observations and infos, so use
``"async"`` with ``vector_kwargs={"shared_memory": False, ...}`` (text cannot live in shared
memory) to step envs in parallel processes.

Run: python examples/grpo_rollouts.py
"""

from __future__ import annotations

from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode

import toolgym

ENV = "toolgym/Retail-v0"
TASKS = [21, 22, 23]  # task seeds of this batch
GROUP = 4  # rollouts per task (GRPO's G)
SLOTS = 5  # envs stepped together: the generation batch size
PLACEHOLDER = ""  # what an idle slot is sent: never a generation

envs = gym.make_vec(
    ENV,
    num_envs=SLOTS,
    vectorization_mode="sync",
    vector_kwargs={"autoreset_mode": AutoresetMode.DISABLED},
    faults="light",
    max_turns=15,
)


def stand_in(slot: int, job: tuple[int, int]) -> Any:
    """The rollout's policy: the oracle or a random caller, by a coin seeded with the job."""
    coin = np.random.default_rng(list(job)).random()
    if coin < 0.6:
        return toolgym.OracleAgent(envs.unwrapped.envs[slot])
    return toolgym.RandomAgent(seed=job[0] * 100 + job[1])


def unbatch(infos: dict[str, Any], slot: int) -> dict[str, Any]:
    """One slot's info out of the batched one (nested dicts are batched key by key)."""
    return {
        key: unbatch(value, slot) if isinstance(value, dict) else value[slot]
        for key, value in infos.items()
        if not key.startswith("_")
    }


queue = deque((seed, member) for seed in TASKS for member in range(GROUP))
jobs: list[tuple[int, int] | None] = [None] * SLOTS
policies: list[Any] = [None] * SLOTS
rewards: dict[tuple[int, int], float] = {}
generations = steps = 0


def refill(finished: np.ndarray) -> tuple[Any, dict[str, Any]]:
    """Give each finished slot the next job (or nothing) and reset exactly those slots."""
    seeds: list[int | None] = [None] * SLOTS
    for slot in np.flatnonzero(finished):
        jobs[slot] = queue.popleft() if queue else None
        seeds[slot] = jobs[slot][0] if jobs[slot] else None
    observations, infos = envs.reset(seed=seeds, options={"reset_mask": finished})
    for slot in np.flatnonzero(finished):
        job = jobs[slot]
        policies[slot] = stand_in(slot, job) if job else None
        if policies[slot] is not None and hasattr(policies[slot], "reset"):
            policies[slot].reset(observations[slot], unbatch(infos, slot))
    return observations, infos


observations, infos = refill(np.ones(SLOTS, dtype=bool))
slot_infos = [unbatch(infos, slot) for slot in range(SLOTS)]
while any(job is not None for job in jobs):
    actions = []
    for slot in range(SLOTS):  # one batched generate() call with an LLM
        if jobs[slot] is None:
            actions.append(PLACEHOLDER)
        else:
            actions.append(policies[slot].act(observations[slot], slot_infos[slot]))
            generations += 1
    observations, reward, terminated, truncated, infos = envs.step(actions)
    steps += 1
    slot_infos = [unbatch(infos, slot) for slot in range(SLOTS)]
    finished = terminated | truncated
    for slot in np.flatnonzero(finished):
        if jobs[slot] is not None:
            rewards[jobs[slot]] = float(reward[slot])
    if finished.any():
        observations, infos = refill(finished)
        for slot in np.flatnonzero(finished):
            slot_infos[slot] = unbatch(infos, slot)
envs.close()

print(f"{len(rewards)} rollouts in {steps} batched steps, {generations} generations, none wasted")
for seed in TASKS:
    group = np.array([rewards[(seed, member)] for member in range(GROUP)])
    advantages = (group - group.mean()) / (group.std() + 1e-6)
    print(f"task {seed}: rewards {group.tolist()}  advantages {np.round(advantages, 2).tolist()}")
