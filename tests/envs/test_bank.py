"""``toolgym/Bank-v0``: every task is solvable by the oracle, none by answering blind; tasks are
varied, deterministic and cheap to reset; the world returns exactly to clean after an episode;
each family names the wrong candidates its world holds, and a right reply passes however a
careful agent phrases it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.timing import costs
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.episode import Episode
from toolgym.core.grading import mentions
from toolgym.core.messages import AgentTurn
from toolgym.core.task import DIFFICULTIES, CheckResult
from toolgym.envs.bank import SUITE

ENV_ID = "toolgym/Bank-v0"
SEEDS = range(200)
FAMILIES = [f.name for f in SUITE.families]


@pytest.fixture(scope="module")
def env() -> gym.Env:
    return gym.make(ENV_ID)


def world_dump(env: gym.Env) -> str:
    api = env.unwrapped.episode.world.toolkit("bank")
    return json.dumps(
        {n: [r.model_dump(mode="json") for r in t.values()] for n, t in api.db.tables.items()},
        sort_keys=True,
    )


def test_registered() -> None:
    assert ENV_ID in toolgym.env_ids()
    assert len(FAMILIES) >= 6


def test_oracle_solves_every_task(env: gym.Env) -> None:
    drawn: Counter[tuple[str, str]] = Counter()
    for seed in SEEDS:
        result = run_episode(env, OracleAgent(env), seed=seed)
        task = env.unwrapped.episode.task
        assert result.success, (result.task_id, result.checks, env.unwrapped.result.notes)
        assert result.reward == 1.0 and result.terminated
        assert 2 <= result.tool_calls <= 10, result.task_id
        drawn[(task.family, task.difficulty)] += 1
    assert {family for family, _ in drawn} == set(FAMILIES)
    assert {difficulty for _, difficulty in drawn} == set(DIFFICULTIES)


def test_answering_without_tools_always_fails(env: gym.Env) -> None:
    for seed in SEEDS:
        result = run_episode(env, NoToolAgent(), seed=seed)
        assert not result.success, result.task_id
        assert result.tool_calls == 0 and result.reward == 0.0


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_family_and_difficulty(env: gym.Env, family: str, difficulty: str) -> None:
    prompts = set()
    for seed in range(6):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, OracleAgent(env), seed=seed, options=options)
        task = env.unwrapped.episode.task
        assert result.success, (result.task_id, env.unwrapped.result.notes)
        assert (task.family, task.difficulty) == (family, difficulty)
        reference = env.unwrapped.episode.reference
        # an agent that answers at once can never pass: the task writes or asks for figures
        assert reference.changes or reference.answer.expect, result.task_id
        assert task.facts and task.literals
        for literal in task.literals:
            assert literal in task.user_prompt, (literal, task.user_prompt)
        if difficulty == "hard":
            assert task.facts["date_of_birth"] in task.user_prompt
        prompts.add(task.user_prompt)
    assert len(prompts) >= 4  # prompts vary with the seed


def test_tasks_are_deterministic() -> None:
    first, second = gym.make(ENV_ID).unwrapped, gym.make(ENV_ID).unwrapped
    for seed in range(40):
        obs_a, info_a = first.reset(seed=seed)
        obs_b, info_b = second.reset(seed=seed)
        assert obs_a == obs_b and info_a == info_b
        ref_a, ref_b = first.episode.reference, second.episode.reference
        assert repr(ref_a) == repr(ref_b)


def test_reset_restores_the_world_after_a_writing_episode(env: gym.Env) -> None:
    env.reset(seed=0)
    clean = world_dump(env)
    wrote = 0
    for seed in range(40):
        result = run_episode(env, OracleAgent(env), seed=seed)
        changed = env.unwrapped.episode.reference.changes
        wrote += bool(changed) and result.success
        env.reset(seed=seed + 1000)
        assert world_dump(env) == clean
    assert wrote >= 15


class _OffByOneCent:
    """Follows the oracle, but sends every money amount a cent too high."""

    def __init__(self, env: gym.Env) -> None:
        self.oracle = OracleAgent(env)

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        turn = self.oracle.act(observation, info)
        calls = [
            replace(c, arguments={**c.arguments, "amount": round(c.arguments["amount"] + 0.01, 2)})
            if isinstance(c.arguments, dict) and "amount" in c.arguments
            else c
            for c in turn.tool_calls
        ]
        return AgentTurn(turn.thinking, turn.content, calls)


@pytest.mark.parametrize("family", ["transfer_between_accounts", "pay_bill"])
def test_wrong_amounts_fail_the_state_check(env: gym.Env, family: str) -> None:
    for seed in range(10):
        result = run_episode(
            env, _OffByOneCent(env), seed=seed, options={"family": family, "difficulty": "easy"}
        )
        assert not result.success and result.checks["state"] is False, result.task_id


def test_env_checker() -> None:
    check_env(gym.make(ENV_ID).unwrapped)


def test_reset_and_step_are_cheap(env: gym.Env) -> None:
    # in CartPole steps, measured in the same run; measured about 40 and 2
    reset, step = costs(env, OracleAgent)
    assert reset < 400 and step < 100, (reset, step)


class _WithMemo:
    """Follows the oracle, adding a note of its own to every transfer and bill payment."""

    def __init__(self, env: gym.Env) -> None:
        self.oracle = OracleAgent(env)

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        turn = self.oracle.act(observation, info)
        calls = [
            replace(c, arguments={**c.arguments, "memo": "Requested by phone"})
            if c.name in ("transfer_funds", "pay_payee") and isinstance(c.arguments, dict)
            else c
            for c in turn.tool_calls
        ]
        return AgentTurn(turn.thinking, turn.content, calls)


@pytest.mark.parametrize("family", ["transfer_between_accounts", "pay_bill"])
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_an_optional_memo_does_not_fail_a_right_transfer(
    env: gym.Env, family: str, difficulty: str
) -> None:
    options = {"family": family, "difficulty": difficulty}
    for seed in range(5):
        result = run_episode(env, _WithMemo(env), seed=seed, options=options)
        transfers = env.unwrapped.episode.world.toolkit("bank").transfers.values()
        assert any(t.memo == "Requested by phone" for t in transfers), result.task_id
        assert result.success, (result.task_id, env.unwrapped.result.notes)


# ------------------------------------------------------------------ answers
# The families whose world may hold no wrong candidate for some tasks, and those that always do.
UNDECLARED = {("dispute_charge", "easy"), ("dispute_charge", "hard")}
ALWAYS_WRONG = {("balance_inquiry", "hard"), ("lost_card", "medium")}


def solved(env: gym.Env, family: str, difficulty: str, seed: int) -> tuple[Episode, str]:
    """The episode after the oracle's calls, and the reply it is about to give."""
    observation, info = env.reset(seed=seed, options={"family": family, "difficulty": difficulty})
    agent = OracleAgent(env)
    agent.reset(observation, info)
    turn = agent.act(observation, info)
    while turn.tool_calls or agent.current_step is not None:
        observation, _, terminated, truncated, info = env.step(turn)
        assert not (terminated or truncated)
        turn = agent.act(observation, info)
    return env.unwrapped.episode, turn.content


def verdict(episode: Episode, reply: str) -> CheckResult:
    return episode.task.check(episode.world, episode.start, reply, episode.reference)


def results(env: gym.Env, tool: str) -> list[Any]:
    """What ``tool`` returned this episode, call by call."""
    return [json.loads(m.content) for m in env.unwrapped.history if m.name == tool]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_reply_stating_a_distractor_fails(env: gym.Env, family: str, difficulty: str) -> None:
    declared = 0
    for seed in range(8):
        episode, reply = solved(env, family, difficulty, seed)
        answer = episode.reference.answer
        assert verdict(episode, reply).success, episode.task.id
        for wrong in answer.distractors:
            # never a right value, nor one the holder said
            assert not any(mentions(right, wrong) for right in answer.expect), wrong
            assert not mentions(episode.user_prompt, wrong), wrong
            result = verdict(episode, f"{reply} It is {wrong}.")
            assert result.checks["no_wrong_values"] is False, (episode.task.id, wrong)
            assert result.checks.get("answer", True), result.notes
        declared += bool(answer.distractors)
    if (family, difficulty) in ALWAYS_WRONG:
        assert declared == 8
    elif (family, difficulty) not in UNDECLARED:
        assert declared >= 3, (family, difficulty)


def test_a_balance_is_not_another_accounts(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "balance_inquiry", "easy", seed)
        (balance,) = episode.reference.answer.expect
        assert verdict(episode, f"You have ${float(balance):,.2f} there.").success
        for row in results(env, "list_accounts")[0]:
            other = f"{abs(row['balance']):.2f}"
            if float(other) and other != balance:
                assert other in episode.reference.answer.distractors
                assert not verdict(episode, f"${balance}, or ${other}.").success


def test_a_combined_balance_may_be_broken_down_but_counts_no_credit(env: gym.Env) -> None:
    tried = 0
    for seed in range(8):
        episode, _ = solved(env, "balance_inquiry", "medium", seed)
        (total,) = episode.reference.answer.expect
        rows = results(env, "list_accounts")[0]
        deposits = [r for r in rows if r["status"] == "open" and r["kind"] != "credit"]
        parts = " + ".join(f"${r['balance']:,.2f} in {r['nickname']}" for r in deposits)
        assert verdict(episode, f"{parts}: ${float(total):,.2f} together.").success
        owed = sum(r["balance"] for r in rows if r["kind"] == "credit")
        if owed:
            tried += 1
            net = f"{float(total) + owed:.2f}"
            assert not verdict(episode, f"${total}, or ${net} after the card.").success
    assert tried


def test_a_transfer_reply_may_give_both_new_balances(env: gym.Env) -> None:
    for difficulty in DIFFICULTIES:
        for seed in range(4):
            episode, _ = solved(env, "transfer_between_accounts", difficulty, seed)
            done = results(env, "transfer_funds")[0]
            reply = (
                f"Moved ${done['amount']:,.2f}: the source now has ${done['from_balance']:,.2f}"
                f" and the destination ${abs(done['to_balance']):,.2f}."
            )
            assert verdict(episode, reply).success, (reply, episode.reference.answer)
            for wrong in episode.reference.answer.distractors:  # the accounts left alone
                assert not verdict(episode, f"{reply} Savings: ${wrong}.").success


def test_a_new_card_is_none_of_the_holders_others(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "lost_card", "medium", seed)
        (new,) = episode.reference.answer.expect
        lost = results(env, "freeze_card")[0]["last4"]
        reply = f"Your card ending {lost} is frozen; the replacement ends in {new}."
        assert verdict(episode, reply).success
        others = [c["last4"] for c in results(env, "list_cards")[0] if c["last4"] != lost]
        assert others and set(others) <= set(episode.reference.answer.distractors)
        assert not verdict(episode, f"The new card ends in {others[0]}.").success


def test_new_limits_may_name_the_old_ones_but_not_the_cards_left_alone(env: gym.Env) -> None:
    tried = 0
    for seed in range(8):
        episode, _ = solved(env, "raise_card_limit", "hard", seed)
        before = {c["card_id"]: c for c in results(env, "list_cards")[0]}
        changed = results(env, "set_card_limit")
        parts = "; ".join(
            f"ending {before[s['card_id']]['last4']} went from "
            f"${before[s['card_id']]['daily_limit']:,.0f} to ${s['daily_limit']:,.0f} "
            f"(at most ${s['max_daily_limit']:,.0f})"
            for s in changed
        )
        assert verdict(episode, f"Done: {parts}.").success, (parts, episode.reference.answer)
        wrong = episode.reference.answer.distractors
        tried += bool(wrong)
        # every limit of a card left alone is wrong, unless a changed card has it too
        ids = {s["card_id"] for s in changed}
        fair = {f"{s['daily_limit']:.2f}" for s in changed}
        fair |= {f"{before[i][k]:.2f}" for i in ids for k in ("daily_limit", "max_daily_limit")}
        for card in before.values():
            if card["card_id"] not in ids:
                for key in ("daily_limit", "max_daily_limit"):
                    assert f"{card[key]:.2f}" in {*wrong, *fair}
        for value in wrong:
            assert not verdict(episode, f"Done: {parts}. Another is ${value}.").success
    assert tried


def test_a_duplicate_dispute_names_no_other_charge(env: gym.Env) -> None:
    tried = 0
    for seed in range(8):
        episode, _ = solved(env, "dispute_charge", "medium", seed)
        done = results(env, "dispute_transaction")[0]
        reply = f"I disputed {done['transaction_id']} (${done['amount']:.2f}); the original stays."
        assert verdict(episode, reply).success
        listed = [t for r in results(env, "list_transactions") for t in r["transactions"]]
        others = [t for t in listed if abs(t["amount"]) != done["amount"]]
        tried += bool(others)
        for t in others:
            wrong = f"{abs(t['amount']):.2f}"
            assert wrong in episode.reference.answer.distractors
            assert not verdict(episode, f"I disputed the ${wrong} charge.").success
    assert tried


def test_the_top_category_beats_the_others(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "spending_by_category", "hard", seed)
        best, amount = episode.reference.answer.expect
        assert verdict(episode, f"Most went to {best}: ${float(amount):,.2f}.").success
        losers = [d for d in episode.reference.answer.distractors if not d[0].isdigit()]
        assert losers and best not in losers
        assert not verdict(episode, f"Most went to {best} or {losers[0]}: ${amount}.").success
        assert verdict(episode, f"{best} (${amount}), more than {losers[0]}.").success
