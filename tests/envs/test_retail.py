"""``toolgym/Retail-v0``'s answers: each family names the wrong candidates its world holds, a
reply stating one fails, and the right reply passes however a careful agent phrases it."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import gymnasium as gym
import pytest

import toolgym  # noqa: F401  (registers the ids)
from toolgym import OracleAgent
from toolgym.core.episode import Episode
from toolgym.core.grading import mentions
from toolgym.core.task import DIFFICULTIES, CheckResult
from toolgym.envs.retail import SUITE

ENV_ID = "toolgym/Retail-v0"
FAMILIES = [f.name for f in SUITE.families]
# Where the world always holds a wrong candidate (the others may have none to offer, e.g. an
# order that is the customer's only one).
ALWAYS_WRONG = {
    ("change_address", "easy"),
    ("change_address", "medium"),
    ("change_address", "hard"),
    ("return_items", "hard"),
}


@pytest.fixture(scope="module")
def env() -> gym.Env:
    return gym.make(ENV_ID)


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
            # never a right value, nor one the customer said
            assert not any(mentions(right, wrong) for right in answer.expect), wrong
            assert not mentions(episode.user_prompt, wrong), wrong
            result = verdict(episode, f"{reply} It is {wrong}.")
            assert result.checks["no_wrong_values"] is False, (episode.task.id, wrong)
            assert result.checks.get("answer", True), result.notes
        declared += bool(answer.distractors)
    if (family, difficulty) in ALWAYS_WRONG:
        assert declared == 8
    elif family != "spending_summary" or difficulty != "easy":  # counts have no competitors
        assert declared >= 3, (family, difficulty)


def test_product_prices_other_than_the_asked_one_are_wrong(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "product_info", "easy", seed)
        (price,) = episode.reference.answer.expect
        variants = results(env, "get_product")[0]["variants"]
        others = {f"{v['price']:.2f}" for v in variants} - {price}
        assert set(episode.reference.answer.distractors) == others
        for wrong in others:
            assert not verdict(episode, f"It is ${float(wrong):,.2f} or ${price}.").success


def test_cheapest_in_category_names_no_loser(env: gym.Env) -> None:
    for seed in range(4):
        episode, _ = solved(env, "product_info", "hard", seed)
        price, name = episode.reference.answer.expect
        losers = [h["name"] for h in results(env, "search_products")[0] if h["name"] != name]
        assert set(losers) <= set(episode.reference.answer.distractors)
        right = f"The {name} is the cheapest at ${float(price):,.2f}."
        assert verdict(episode, right).success
        assert not verdict(episode, f"{right} The {losers[0]} is also cheap.").success
        # a loser named only as the one it beats is no claim
        assert verdict(episode, f"The {name}, cheaper than the {losers[0]}, is ${price}.").success


def test_order_status_rejects_other_orders_and_accepts_what_comes_next(env: gym.Env) -> None:
    checked = Counter()
    for seed in range(12):
        episode, _ = solved(env, "order_status", "medium", seed)
        order = results(env, "get_order")[-1]
        status, tracking = order["status"], order["tracking_number"]
        track = f" Track it with {tracking}." if tracking else ""
        later = {"pending": " It will be shipped soon.", "shipped": " It should be delivered soon."}
        reply = f"Your order {order['id']} is {status}.{later.get(status, '')}{track}"
        assert verdict(episode, reply).success, (reply, episode.reference.answer)
        for wrong in episode.reference.answer.distractors:
            checked[wrong.startswith("1Z")] += 1
            assert not verdict(episode, f"{reply} Or maybe {wrong}.").success
    assert checked[True] and checked[False]  # other tracking numbers, other statuses


def test_a_moved_order_does_not_still_ship_to_the_old_street(env: gym.Env) -> None:
    for difficulty in DIFFICULTIES:
        episode, _ = solved(env, "change_address", difficulty, 3)
        (old,) = episode.reference.answer.distractors
        new = results(env, "modify_order_address")[-1]["address"]["street"]
        assert old != new
        assert verdict(episode, f"Done, your order now ships to {new}.").success
        assert verdict(episode, f"It will ship to {new} instead of {old}.").success
        assert verdict(episode, f"It no longer ships to {old}; it goes to {new}.").success
        assert not verdict(episode, f"Your order still ships to {old}.").success


def test_hard_return_refund_is_not_the_order_total(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "return_items", "hard", seed)
        order = results(env, "get_order")[0]
        (refund,) = episode.reference.answer.expect
        total = f"{order['total']:.2f}"
        assert len(order["items"]) >= 2 and total != refund
        assert total in episode.reference.answer.distractors
        returned = [i for i in order["items"] if i["name"] in episode.task.facts["items"]]
        parts = " and ".join(f"the {i['name']} (${i['unit_price']:.2f})" for i in returned)
        assert verdict(episode, f"Returning {parts}: ${refund} back in total.").success
        assert not verdict(episode, f"You will get ${total} back.").success


def test_cancel_all_counts_only_unshipped_orders(env: gym.Env) -> None:
    tried = 0
    for seed in range(10):
        episode, _ = solved(env, "cancel_order", "hard", seed)
        cancelled = results(env, "cancel_order")
        (total,) = episode.reference.answer.expect
        parts = ", ".join(f"{c['order_id']} (${c['refunded']:.2f})" for c in cancelled)
        assert verdict(episode, f"I cancelled {parts}; ${total} comes back to you.").success
        listed = results(env, "list_orders")[0]
        shipped = [o for o in listed if o["status"] == "shipped"]
        if shipped:
            tried += 1
            wrong = f"{float(total) + sum(o['total'] for o in shipped):.2f}"
            assert wrong in episode.reference.answer.distractors
            assert not verdict(episode, f"Refund: ${total}, or ${wrong} with the rest.").success
    assert tried


def test_exchange_states_its_own_prices_not_the_other_variants(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "exchange_item", "hard", seed)
        (diff,) = episode.reference.answer.expect
        call = [c for m in env.unwrapped.history for c in m.tool_calls if c.name == "exchange_item"]
        variants = {v["variant_id"]: v["price"] for v in results(env, "get_product")[0]["variants"]}
        new, old = (
            variants[call[0].arguments["new_variant_id"]],
            variants[call[0].arguments["variant_id"]],
        )
        reply = f"The new one is ${new:.2f} against ${old:.2f}, a difference of ${diff}."
        assert verdict(episode, reply).success, (reply, episode.reference.answer)
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"{reply} Another one is ${wrong}.").success


def test_delivered_spending_may_be_broken_down_but_not_widened(env: gym.Env) -> None:
    for seed in range(6):
        episode, _ = solved(env, "spending_summary", "medium", seed)
        (total,) = episode.reference.answer.expect
        listed = results(env, "list_orders")[0]
        assert len(listed) >= 2  # a sum, not one order's total read off
        parts = " + ".join(f"${o['total']:.2f}" for o in listed)
        assert verdict(episode, f"{parts} = ${total} on delivered orders.").success
        for wrong in episode.reference.answer.distractors:
            assert not verdict(episode, f"${total} delivered, ${wrong} overall.").success
