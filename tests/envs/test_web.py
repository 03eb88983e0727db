"""``toolgym/Web-v0``: the oracle solves every task through the text view, no answer from memory
passes, state checks catch wrong writes, and everything is deterministic and cheap."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Any

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import toolgym
from tests.envs.contract import fuzz, oracle_digest, oracle_digest_elsewhere
from tests.envs.test_retail import solved, verdict
from tests.envs.timing import costs
from toolgym import NoToolAgent, OracleAgent, run_episode
from toolgym.core.grading import mentions
from toolgym.core.messages import AgentTurn
from toolgym.core.task import DIFFICULTIES
from toolgym.envs.web import SUITE, search_term

ENV_ID = "toolgym/Web-v0"
FAMILIES = [f.name for f in SUITE.families]


@pytest.fixture(scope="module")
def env() -> gym.Env:
    return gym.make(ENV_ID)


def test_registered() -> None:
    assert ENV_ID in toolgym.env_ids()
    assert len(FAMILIES) >= 6


def test_oracle_solves_every_task(env: gym.Env) -> None:
    drawn: Counter[tuple[str, str]] = Counter()
    for seed in range(200):
        result = run_episode(env, OracleAgent(env), seed=seed)
        assert result.success, (result.task_id, result.checks, env.unwrapped.result.notes)
        assert result.terminated and result.tool_calls < env.unwrapped.max_turns
        task = env.unwrapped.episode.task
        drawn[(task.family, task.difficulty)] += 1
        assert "0" not in env.unwrapped.episode.reference.answer.expect  # "none" reads as no 0
    assert set(drawn) == {(f, d) for f in FAMILIES for d in DIFFICULTIES}


def test_answering_without_browsing_always_fails(env: gym.Env) -> None:
    for seed in range(200):
        result = run_episode(env, NoToolAgent(), seed=seed)
        assert not result.success and result.reward == 0.0, result.task_id


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_family_and_difficulty(env: gym.Env, family: str, difficulty: str) -> None:
    prompts = set()
    for seed in range(6):
        options = {"family": family, "difficulty": difficulty}
        result = run_episode(env, OracleAgent(env), seed=seed, options=options)
        assert result.success, (result.task_id, env.unwrapped.result.notes)
        task, reference = env.unwrapped.episode.task, env.unwrapped.episode.reference
        assert (task.family, task.difficulty) == (family, difficulty)
        assert reference.changes or reference.answer.expect, result.task_id
        assert all(literal in task.user_prompt for literal in task.literals)
        prompts.add(task.user_prompt)
    assert len(prompts) >= 4


def test_the_oracle_only_uses_ids_it_was_shown(env: gym.Env) -> None:
    """Every element id the oracle sends appeared in an earlier observation."""
    for seed in range(40):
        result = run_episode(env, OracleAgent(env), seed=seed)
        seen: set[int] = set()
        for message in result.history:
            if message.role == "tool":
                seen.update(int(i) for i in re.findall(r"\[(\d+)\]", message.content))
            for call in message.tool_calls:
                for key in ("element", "field", "form"):
                    if key in call.arguments:
                        assert call.arguments[key] in seen, (result.task_id, call)


class _Typo:
    """Follows the oracle, but adds a typo to every text it types into a text area."""

    def __init__(self, env: gym.Env) -> None:
        self.oracle = OracleAgent(env)

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn:
        turn = self.oracle.act(observation, info)
        calls = [
            replace(c, arguments={**c.arguments, "value": c.arguments["value"] + "!"})
            if c.name == "fill" and len(str(c.arguments.get("value", ""))) > 20
            else c
            for c in turn.tool_calls
        ]
        return AgentTurn(turn.thinking, turn.content, calls)


def test_a_typo_in_a_post_fails_the_state_check(env: gym.Env) -> None:
    options = {"family": "login_and_act", "difficulty": "medium"}
    for seed in range(8):
        result = run_episode(env, _Typo(env), seed=seed, options=options)
        assert not result.success
        assert result.checks["state"] is False and result.checks["reply_posted"] is False


def test_stopping_before_the_write_fails(env: gym.Env) -> None:
    for family, difficulty in [("submit_form", "hard"), ("account_history", "hard")]:
        env.reset(seed=1, options={"family": family, "difficulty": difficulty})
        *_, info = env.step("Done, all set.")
        assert info["checks"]["state"] is False and not info["success"]


def test_comparison_names_only_the_winner(env: gym.Env) -> None:
    for seed in range(6):
        options = {"family": "compare_pages", "difficulty": "easy"}
        env.reset(seed=seed, options=options)
        winner = env.unwrapped.episode.reference.answer.expect[0]
        *_, info = env.step(f"{winner}.")
        assert info["success"]
        env.reset(seed=seed, options=options)
        named = env.unwrapped.episode.user_prompt.split(": ", 1)[1].split("? ")[0]
        *_, info = env.step(f"One of {named}.")
        assert info["checks"] == {
            "state": True,
            "answer": True,
            "no_wrong_values": True,
            "names_only_the_answer": False,
        }


def test_deterministic_in_this_and_other_processes() -> None:
    seeds = range(20)
    here = oracle_digest(ENV_ID, seeds)
    assert oracle_digest(ENV_ID, seeds) == here
    assert oracle_digest_elsewhere(ENV_ID, seeds, "0") == here
    assert oracle_digest_elsewhere(ENV_ID, seeds, "31337") == here


def test_env_checker() -> None:
    check_env(gym.make(ENV_ID).unwrapped)


def test_fuzzed_actions_never_raise() -> None:
    statuses = fuzz(ENV_ID, 3000)
    assert statuses["ok"] > 300 and statuses["schema_violation"] > 100


def test_reset_and_step_are_cheap(env: gym.Env) -> None:
    # in CartPole steps, measured in the same run; measured about 330 and 20
    reset, step = costs(env, OracleAgent)
    assert reset < 2000 and step < 200, (reset, step)


@pytest.mark.parametrize("size", ["small", "large"])
def test_other_worlds_and_sizes_stay_solvable(size: str) -> None:
    for world_seed in (1, 2) if size == "small" else (1,):
        env = gym.make(ENV_ID, size=size, world_seed=world_seed)
        for seed in range(40):
            result = run_episode(env, OracleAgent(env), seed=seed)
            assert result.success, (size, world_seed, result.task_id, env.unwrapped.result.notes)


# The tasks whose reply states a fact, and how many of 8 seeds must declare a wrong candidate.
# A comparison names both candidates in the request (a reply may repeat them); a member may have
# started threads on one board only; an order may be the account's only status.
ANSWERS = {
    ("navigate_fact", "easy"): 8,
    ("navigate_fact", "medium"): 8,
    ("navigate_fact", "hard"): 8,
    ("compare_pages", "easy"): 0,
    ("compare_pages", "medium"): 0,
    ("compare_pages", "hard"): 0,
    ("follow_pagination", "easy"): 8,
    ("follow_pagination", "medium"): 4,
    ("follow_pagination", "hard"): 8,
    ("login_and_act", "hard"): 8,
    ("account_history", "easy"): 4,
    ("account_history", "medium"): 8,
    ("account_history", "hard"): 8,
}


@pytest.mark.parametrize(("family", "difficulty"), sorted(ANSWERS))
def test_a_reply_stating_a_distractor_fails(env: gym.Env, family: str, difficulty: str) -> None:
    declared = 0
    for seed in range(8):
        episode, reply = solved(env, family, difficulty, seed)
        answer = episode.reference.answer
        assert verdict(episode, reply).success, episode.task.id
        for wrong in answer.distractors:
            assert not any(mentions(right, wrong) for right in answer.expect), wrong
            assert not mentions(episode.user_prompt, wrong), wrong
            result = verdict(episode, f"{reply} It is {wrong}.")
            assert result.checks["no_wrong_values"] is False, (episode.task.id, wrong)
            assert result.checks["answer"], result.notes
        declared += bool(answer.distractors)
    assert declared >= ANSWERS[(family, difficulty)], (family, difficulty, declared)


def test_every_family_with_a_stated_fact_is_listed(env: gym.Env) -> None:
    for family in FAMILIES:
        for difficulty in DIFFICULTIES:
            episode, _ = solved(env, family, difficulty, 2)
            assert bool(episode.reference.answer.expect) == ((family, difficulty) in ANSWERS)


def _tables(episode: Any) -> Any:
    return episode.world.toolkit("web").db.tables


def test_a_wiki_fact_is_not_the_one_of_the_articles_beside_it(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "navigate_fact", "easy", seed)
        (right,) = episode.reference.answer.expect
        articles = _tables(episode)["wiki_articles"].values()
        article = next(a for a in articles if a.title == episode.task.literals[0])
        label = next(k for k, _ in article.infobox if k.lower() in episode.user_prompt)
        siblings = [a for a in articles if a.category == article.category and a is not article]
        values = {search_term(dict(a.infobox)[label]) for a in siblings}
        assert set(episode.reference.answer.distractors) <= values - {right}
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"It is {wrong}, I think.").success


def test_the_last_writer_lives_where_the_others_do_not(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "navigate_fact", "hard", seed)
        (city,) = episode.reference.answer.expect
        users = {u.id: u for u in _tables(episode)["forum_users"].values()}
        for wrong in episode.reference.answer.distractors:
            assert wrong != city and any(u.location == wrong for u in users.values())
            assert not verdict(episode, f"They live in {wrong}.").success
        assert verdict(episode, f"{city}, per their profile.").success


def test_a_profile_post_count_is_not_the_thread_count(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "follow_pagination", "hard", seed)
        (count,) = episode.reference.answer.expect
        member = episode.task.literals[0]
        posts = _tables(episode)["forum_posts"].values()
        everywhere = sum(p.author == member for p in posts)
        if str(everywhere) != count:
            assert str(everywhere) in episode.reference.answer.distractors
            assert not verdict(episode, f"{member} has written {everywhere} posts.").success
        # a count read page by page names its pages
        assert verdict(episode, f"Over pages 1 and 2, {member} wrote {count}.").success


def test_a_purchase_total_is_not_without_the_coupon(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "login_and_act", "hard", seed)
        order, total = episode.reference.answer.expect
        orders = [o for o in _tables(episode)["shop_orders"].values() if o.id == order]
        (placed,) = orders
        assert f"{placed.total_cents / 100:.2f}" == total
        subtotal = sum(line.quantity * line.unit_price_cents for line in placed.lines)
        shipping = placed.shipping_cents
        no_coupon = f"{(subtotal + shipping) / 100:.2f}"
        assert no_coupon in episode.reference.answer.distractors
        assert not verdict(episode, f"Order {order}: ${no_coupon}.").success
        itemised = (
            f"Order {order}: ${subtotal / 100:.2f} less ${placed.discount_cents / 100:.2f}, plus "
            f"${shipping / 100:.2f} shipping, comes to ${total}."
        )
        assert verdict(episode, itemised).success, episode.reference.answer


def test_an_order_status_is_not_another_orders(env: gym.Env) -> None:
    checked = Counter()
    for seed in range(16):
        episode, reply = solved(env, "account_history", "easy", seed)
        (status,) = episode.reference.answer.expect
        for wrong in episode.reference.answer.distractors:
            checked[status] += 1
            assert (status == "cancelled") != (wrong == "cancelled")
            assert not verdict(episode, f"{reply} Or is it {wrong}?").success
        if status == "delivered":  # an order delivered was placed and shipped first
            assert verdict(episode, f"Placed and shipped earlier, it is now {status}.").success
    assert checked


def test_delivered_spending_may_be_broken_down_but_not_widened(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "account_history", "medium", seed)
        (total,) = episode.reference.answer.expect
        account = episode.task.facts["username"]
        orders = [o for o in _tables(episode)["shop_orders"].values() if o.user == account]
        delivered = [o.total_cents for o in orders if o.status == "delivered"]
        parts = " + ".join(f"${cents / 100:,.2f}" for cents in delivered)
        assert verdict(episode, f"{parts} = ${float(total):,.2f}.").success
        every = f"{sum(o.total_cents for o in orders) / 100:.2f}"
        if every != total:
            assert not verdict(episode, f"${total} delivered, ${every} overall.").success
