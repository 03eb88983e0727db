"""The adversarial contract: beside "the oracle solves every task", no registered env pays an
agent that does not do the work (``toolgym.testing.exploits``), and every right answer passes
however it is phrased (``toolgym.testing.rephrase``). New envs inherit it from the registry."""

from __future__ import annotations

import gymnasium as gym
import pytest
from hypothesis import given, settings

import toolgym
from toolgym.core.episode import Episode
from toolgym.testing.exploits import audit
from toolgym.testing.rephrase import rephrasings

# Episodes per exploit: those that call no tool cost a reset; those that replay the oracle cost
# an oracle episode (a sandboxed process for Python and Codebase).
CHEAP_SEEDS = 150
ORACLE_SEEDS = {"toolgym/Python-v0": 40, "toolgym/Codebase-v0": 40}
ORACLE_DEFAULT = 80


def _oracle_seeds(env_id: str) -> range:
    return range(ORACLE_SEEDS.get(env_id, ORACLE_DEFAULT))


@pytest.mark.parametrize("exploit", ["guess_wall", "prompt_echo", "ask_everything"])
def test_answers_without_work_earn_nothing(env_id: str, exploit: str) -> None:
    seeds = range(min(CHEAP_SEEDS, len(_oracle_seeds(env_id)) * 2))
    result = audit(env_id, exploit, seeds)
    assert result.episodes == len(seeds)
    assert not result.wins, result.wins[:5]


def test_doing_nothing_earns_no_partial_credit(env_id: str) -> None:
    result = audit(env_id, "do_nothing", range(min(CHEAP_SEEDS, 2 * len(_oracle_seeds(env_id)))))
    assert not result.wins
    assert result.mean_reward <= 0.1, result.mean_reward


def test_dumping_every_result_is_no_answer(env_id: str) -> None:
    result = audit(env_id, "dump", _oracle_seeds(env_id))
    assert result.rate_on("medium", "hard") <= 0.05, result.wins


def test_tampering_with_the_judge_earns_nothing(env_id: str) -> None:
    result = audit(env_id, "tampering", _oracle_seeds(env_id))
    assert not result.wins, result.wins[:5]


def test_stray_writes_fail_the_state_check(env_id: str) -> None:
    result = audit(env_id, "shotgun", _oracle_seeds(env_id))
    assert not result.wins, result.wins[:5]


def test_right_answers_pass_however_phrased(env_id: str) -> None:
    """For one task of every family and difficulty, the oracle's reply reworded (amounts,
    counts, days, times, case, a preamble) passes the checker against the same world."""
    env = gym.make(env_id)
    base = env.unwrapped
    families = [f.name for f in base.suite.families]
    for k, family in enumerate(families):
        for difficulty in ("easy", "medium", "hard"):
            observation, info = env.reset(
                seed=k, options={"family": family, "difficulty": difficulty}
            )
            agent = toolgym.OracleAgent(env)
            agent.reset(observation, info)
            turn = agent.act(observation, info)
            while turn.tool_calls or agent.current_step is not None:
                observation, _, terminated, truncated, info = env.step(turn)
                assert not (terminated or truncated), base.result
                turn = agent.act(observation, info)
            _check_rewordings(base.episode, turn.content)
            _, reward, terminated, _, _ = env.step(turn)
            assert terminated and reward == 1.0
    env.close()


def _check_rewordings(episode: Episode, answer: str) -> None:
    @settings(max_examples=30)
    @given(rephrasings(answer))
    def still_right(text: str) -> None:
        result = episode.task.check(episode.world, episode.start, text, episode.reference)
        assert result.success, (episode.task.id, text, result.notes)

    still_right()
