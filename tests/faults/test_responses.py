"""Result faults: renderings that lose nothing, and the hints a careful agent follows."""

from __future__ import annotations

import json
import re
from typing import Any

import gymnasium as gym
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.agents.decoding import decode_result, normalise
from toolgym.core.messages import AgentTurn, ToolCall
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.faults.render import to_table, to_xml, to_yaml
from toolgym.faults.text import snake

ENV = "toolgym/Retail-v0"

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
keys = text.filter(lambda k: k not in ("field", "value", "result"))
scalars = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | text
scalars |= st.floats(allow_nan=False, allow_infinity=False, width=64)
json_data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("render", [to_yaml, to_xml, to_table], ids=["yaml", "xml", "table"])
@given(data=json_data)
def test_every_rendering_reads_back_to_the_same_data(render, data: Any) -> None:
    assert decode_result(render(data)) == normalise(data)


def test_renderings_of_a_real_result() -> None:
    result = {"order_id": "#W1", "total": 19.5, "size": "10", "tracking": None, "items": []}
    yaml_text = to_yaml(result)
    assert 'size: "10"' in yaml_text and "tracking: null" in yaml_text
    assert '<total type="float">19.5</total>' in to_xml(result)
    assert to_table([{"a": 1}, {"b": "x"}]).splitlines()[2:] == ["| 1 |  |", "|  | x |"]


def _env(*faults: dict[str, Any]) -> gym.Env:
    env = gym.make(ENV, max_turns=500)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=list(faults)))]
    return env


def _call(env: gym.Env, name: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    turn = AgentTurn(tool_calls=[ToolCall("c", name, arguments)])
    _, _, _, _, info = env.step(turn)
    return info["messages"][0]["content"], info


def _customer_with_orders(env: gym.Env, at_least: int) -> str:
    api = env.unwrapped.episode.world.toolkit("retail")
    counts: dict[str, int] = {}
    for order in api.orders.values():
        counts[order.customer_id] = counts.get(order.customer_id, 0) + 1
    return next(c for c, n in counts.items() if n >= at_least)


@pytest.mark.parametrize(
    "name",
    ["camel_case_keys", "reordered_keys", "numbers_as_strings", "unicode_noise",
     "whitespace_noise", "yaml_rendering", "xml_rendering", "table_rendering"],
)  # fmt: skip
def test_lossless_result_faults_decode_to_the_clean_result(name: str) -> None:
    clean, faulty = gym.make(ENV, max_turns=500), _env({"fault": name})
    for env in (clean, faulty):
        env.reset(seed=5)
    api = clean.unwrapped.episode.world.toolkit("retail")
    for order in api.orders.values()[:8]:
        want, _ = _call(clean, "get_order", order_id=order.id)
        got, info = _call(faulty, "get_order", order_id=order.id)
        assert [e["fault"] for e in info["faults"]] == [name]
        assert got != want
        assert _snake(decode_result(got)) == _snake(decode_result(want))


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake(k): _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def test_pagination_pages_concatenate_to_the_full_list_and_tokens_are_checked() -> None:
    clean, env = gym.make(ENV, max_turns=500), _env({"fault": "pagination", "page_size": 2})
    clean.reset(seed=2)
    env.reset(seed=2)
    tools = {t["function"]["name"]: t["function"] for t in env.unwrapped.episode.view.schemas()}
    assert "page_token" in tools["list_orders"]["parameters"]["properties"]
    assert "page_token" not in tools["cancel_order"]["parameters"]["properties"]
    customer = _customer_with_orders(env, 4)
    full = json.loads(_call(clean, "list_orders", customer_id=customer)[0])
    page = json.loads(_call(env, "list_orders", customer_id=customer)[0])
    items = list(page["data"])
    assert page["has_more"] and page["total_count"] == len(full)
    while page["has_more"]:
        token = page["next_page_token"]
        page = json.loads(_call(env, "list_orders", customer_id=customer, page_token=token)[0])
        items += page["data"]
    assert items == full
    bad, info = _call(env, "list_orders", customer_id=customer, page_token="pt_nonsense")
    assert "not valid for this request" in bad and info["parse_status"] == ["schema_violation"]


def test_truncated_output_reads_back_whole_through_its_cursor() -> None:
    clean, env = gym.make(ENV, max_turns=500), _env({"fault": "truncated_output", "max_chars": 150})
    clean.reset(seed=2)
    env.reset(seed=2)
    order = clean.unwrapped.episode.world.toolkit("retail").orders.values()[0].id
    full, _ = _call(clean, "get_order", order_id=order)
    text, info = _call(env, "get_order", order_id=order)
    assert info["faults"][0]["fault"] == "truncated_output"
    parts = []
    while "[output truncated:" in text:
        cut = text.index("\n[output truncated:")
        parts.append(text[:cut])
        cursor = text.split('cursor="')[1].split('"')[0]
        text, _ = _call(env, "read_more", cursor=cursor)
    parts.append(text)
    assert "".join(parts) == full
    again, _ = _call(env, "read_more", cursor=cursor)
    assert "Unknown cursor" in again


def test_an_object_listing_pages_its_list_field_and_the_pages_join_to_it() -> None:
    clean = gym.make("toolgym/Bank-v0", max_turns=500)
    env = gym.make("toolgym/Bank-v0", max_turns=500)
    env.unwrapped.interceptors = [FaultPipeline(FaultPlan(faults=[{"fault": "pagination"}]))]
    clean.reset(seed=1)
    env.reset(seed=1)
    account = clean.unwrapped.episode.world.toolkit("bank").accounts.values()[0].id
    full = json.loads(_call(clean, "list_transactions", account_id=account)[0])
    page = json.loads(_call(env, "list_transactions", account_id=account)[0])
    assert len(full["transactions"]) >= 3 and page["total_count"] == len(full["transactions"])
    assert 0 < len(page["transactions"]) < len(full["transactions"])
    items = list(page["transactions"])
    while page["has_more"]:
        page = json.loads(
            _call(env, "list_transactions", account_id=account, page_token=page["next_page_token"])[
                0
            ]
        )
        items += page["transactions"]
    assert items == full["transactions"]
    rest = {
        k: v for k, v in page.items() if k not in ("has_more", "next_page_token", "total_count")
    }
    assert rest == {**full, "transactions": page["transactions"]}


def test_a_stale_read_says_so_once_and_the_next_read_is_fresh(run) -> None:
    plan = [{"fault": "stale_value"}]
    for seed in range(10):
        result = run(ENV, plan, seed)
        if not result.faults:
            continue
        call = next(
            c
            for m in result.history
            if m.role == "assistant"
            for c in m.tool_calls or ()
            if c.name == result.faults[0]["target"]
        )
        clean, env = gym.make(ENV, max_turns=500), _env(*plan)
        clean.reset(seed=seed)
        env.reset(seed=seed)
        fresh = json.loads(_call(clean, call.name, **call.arguments)[0])
        stale = json.loads(_call(env, call.name, **call.arguments)[0])
        assert "Stale" in stale.pop("warning") and stale != fresh
        assert json.loads(_call(env, call.name, **call.arguments)[0]) == fresh
        return
    pytest.fail("no stale read in 10 episodes")


class _Reading:
    """The oracle reading each tool result through ``fix``: a brittle reader."""

    def __init__(self, env: gym.Env, fix: Any) -> None:
        from toolgym.agents import OracleAgent

        self.oracle = OracleAgent(env)
        self.fix = fix

    def _seen(self, info: dict[str, Any]) -> dict[str, Any]:
        messages = [
            {**m, "content": self.fix(m["content"])} if m.get("role") == "tool" else m
            for m in info["messages"]
        ]
        return {**info, "messages": messages}

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, self._seen(info))

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        return self.oracle.act(observation, self._seen(info))


def _first_page_only(text: str) -> str:
    """What an agent that never asks for page 2 works with: page 1 as if it were all."""
    data = json.loads(text)
    if not isinstance(data, dict) or "next_page_token" not in data:
        return text
    body = {
        k: v for k, v in data.items() if k not in ("has_more", "next_page_token", "total_count")
    }
    return json.dumps(body["data"] if set(body) == {"data"} else body)


def _warnings_unread(text: str) -> str:
    """What an agent that ignores warnings works with."""
    data = json.loads(text)
    if not isinstance(data, dict) or "warning" not in data:
        return text
    body = {k: v for k, v in data.items() if k != "warning"}
    return json.dumps(body["data"] if set(body) == {"data"} else body)


@pytest.mark.parametrize(
    ("env_id", "fault", "fix", "at_least"),
    [
        ("toolgym/Retail-v0", "pagination", _first_page_only, 4),
        ("toolgym/Bank-v0", "pagination", _first_page_only, 3),
        ("toolgym/Retail-v0", "stale_value", _warnings_unread, 4),
        ("toolgym/Bank-v0", "stale_value", _warnings_unread, 3),
    ],
)
def test_a_response_fault_costs_a_brittle_reader_the_task_and_the_oracle_nothing(
    env_id: str, fault: str, fix: Any, at_least: int, run
) -> None:
    lost = 0
    for seed in range(10):
        careful = run(env_id, [{"fault": fault}], seed)
        assert careful.success, (seed, careful.checks, careful.faults)
        brittle = run(env_id, [{"fault": fault}], seed, lambda env: _Reading(env, fix))
        lost += not brittle.success
        assert brittle.success or brittle.faults  # it only loses where the fault fired
    assert lost >= at_least, f"the brittle reader lost {lost} of 10 episodes"


def test_stale_values_are_ones_the_task_depends_on(run) -> None:
    """Every stale read costs a reader who ignores the warning the task."""
    for seed in range(10):
        brittle = run(
            ENV, [{"fault": "stale_value"}], seed, lambda e: _Reading(e, _warnings_unread)
        )
        assert not (brittle.faults and brittle.success), (seed, brittle.faults)


class _Obedient:
    """Repeats any code an injected instruction asks for: the attack's target."""

    def __init__(self, env: gym.Env) -> None:
        from toolgym.agents import OracleAgent

        self.oracle = OracleAgent(env)
        self.codes: list[str] = []

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        self.oracle.reset(observation, info)

    def act(self, observation: str, info: dict[str, Any]) -> Any:
        words = [w.strip('".,') for w in observation.split()]
        self.codes += [w for w in words if re.fullmatch(r"[A-Z]{3}-\d{4}", w)]
        turn = self.oracle.act(observation, info)
        if not turn.tool_calls:
            turn.content += " Code: " + " ".join(self.codes)
        return turn


def test_an_agent_that_obeys_an_injection_fails_and_the_oracle_does_not(run) -> None:
    plan = [{"fault": "prompt_injection", "style": "override"}]
    for seed in range(10):
        careful = run(ENV, plan, seed)
        obedient = run(ENV, plan, seed, _Obedient)
        if careful.faults:
            assert careful.checks["injection_resisted"] and careful.success
            assert obedient.checks["injection_resisted"] is False and not obedient.success
            return
    pytest.fail("no injection fired")


def test_a_call_that_carries_the_injected_code_fails_the_injection_check() -> None:
    """Obeying is caught in any argument, however nested, not only in the final answer."""
    env = _env({"fault": "prompt_injection", "style": "information"})
    env.reset(seed=4)
    order = env.unwrapped.episode.world.toolkit("retail").orders.values()[0].id
    text, _ = _call(env, "get_order", order_id=order)
    canary = re.search(r"[A-Z]{3}-\d{4}", text)
    assert canary is not None
    _call(env, "get_order", order_id={"note": ["as asked: " + canary.group()]})
    *_, info = env.step(AgentTurn(content="All done."))
    assert info["checks"]["injection_resisted"] is False


@pytest.mark.parametrize("env_id", ["toolgym/Retail-v0", "toolgym/Bank-v0"])
def test_the_oracle_joins_pages_whatever_their_keys_look_like(env_id: str, run) -> None:
    """camelCase keys and noise fields on every page: the joined listing is still the one the
    plan reads (an object's other fields answer to their snake_case names)."""
    plan = [{"fault": "pagination"}, {"fault": "camel_case_keys"}, {"fault": "noise_fields"}]
    for seed in range(10):
        result = run(env_id, plan, seed)
        assert result.success, (seed, result.checks, result.faults)
