"""Call faults: real error shapes, the retry contract, and validation wording."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym

from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.faults.errors import MAX_STREAK

ENV = "toolgym/Retail-v0"
RECOVERABLE = ["transient_error", "rate_limit", "timeout", "connection_reset"]


def _env(*faults: dict[str, Any]) -> gym.Env:
    env = gym.make(ENV, max_turns=10_000)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=list(faults)))]
    env.reset(seed=1)
    return env


def _call(env: gym.Env, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    _, _, _, _, info = env.step(AgentTurn(tool_calls=[ToolCall("c", name, arguments)]))
    return json.loads(info["messages"][0]["content"])


def test_no_tool_fails_more_than_max_streak_times_in_a_row() -> None:
    env = _env(*({"fault": n} for n in RECOVERABLE))
    streak, longest, successes = 0, 0, 0
    for _ in range(200):
        result = _call(env, "list_categories", {})
        if isinstance(result, dict) and "error" in result:
            assert result["error"]["retryable"] is True
            streak += 1
            longest = max(longest, streak)
        else:
            streak = 0
            successes += 1
    assert longest == MAX_STREAK and successes == 40


def test_a_rate_limit_clears_after_its_retries_and_says_when_to_retry() -> None:
    env = _env(
        {"fault": "rate_limit", "retries": 3, "retry_after": 7, "schedule": {"max_fires": 1}}
    )
    errors = [_call(env, "list_categories", {}) for _ in range(4)]
    for error in errors[:3]:
        body = error["error"]
        assert body["code"] == "rate_limited" and body["status"] == 429
        assert body["retry_after"] == 7 and "Retry after 7 seconds" in body["message"]
    assert isinstance(errors[3], list)


def test_transient_errors_use_the_statuses_asked_for() -> None:
    env = _env({"fault": "transient_error", "statuses": [502, 504], "probability": 0.5})
    results = [_call(env, "list_categories", {}) for _ in range(60)]
    seen = {r["error"]["status"] if isinstance(r, dict) else None for r in results}
    assert seen == {502, 504, None}


def test_validation_errors_are_reworded_but_keep_every_fact() -> None:
    clean = gym.make(ENV)
    clean.reset(seed=1)
    env = _env({"fault": "validation_wording"})
    plain = _call(clean, "get_order", {"order": 5})["error"]
    worded = _call(env, "get_order", {"order": 5})["error"]
    assert worded["code"] == plain["code"] == "invalid_arguments"
    assert worded["message"] != plain["message"]
    assert worded["status"] in (400, 422)
    for fact in ("order_id", "order"):
        assert fact in worded["message"]
    assert worded["fields"] == plain["fields"]


def test_a_permanent_outage_hits_a_needed_tool_on_every_call() -> None:
    env = _env({"fault": "permanent_outage"})
    episode = env.unwrapped.episode
    target = episode.events[0]["target"]
    assert episode.solvable is False
    arguments: dict[str, Any] = {}
    for _ in range(3):
        body = _call(env, target, arguments)["error"]
        assert body["code"] == "service_unavailable" and body["status"] == 503
