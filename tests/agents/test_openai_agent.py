"""``OpenAIAgent`` against a real Chat Completions server on loopback, scripted per test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents.openai_agent import ModelError, OpenAIAgent

from .chat_server import API_KEY, ChatServer, Reply, completion, error

ENV = "toolgym/Retail-v0"
MODEL = "loopback-model"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)


@pytest.fixture
def env() -> Iterator[gym.Env]:
    env = gym.make(ENV)
    yield env
    env.close()


def agent(server: ChatServer, **options: Any) -> OpenAIAgent:
    options.setdefault("sleep", lambda seconds: None)
    return OpenAIAgent(MODEL, base_url=server.url, **options)


def eval_cli(server: ChatServer, out: Path, *args: str, key: str = API_KEY):
    """``toolgym eval`` with the model agent against ``server``, in a fresh process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    command = [sys.executable, "-m", "toolgym", "eval", "--agent", f"openai:{MODEL}"]
    return subprocess.run(
        [*command, "--base-url", server.url, "--out", str(out), "--no-progress", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, "OPENAI_API_KEY": key},
    )


def customer_email(env: gym.Env, seed: int) -> str:
    """The email the user gives in the task of ``seed`` (from the task's hidden facts)."""
    env.reset(seed=seed)
    return env.unwrapped.episode.task.facts["email"]


def test_tool_calls_go_out_and_come_back(env: gym.Env) -> None:
    email = customer_email(env, 4)
    script = [
        completion(calls=[("c1", "find_customer", {"email": email})]),
        completion("Done, thanks."),
    ]
    with ChatServer(script) as server:
        result = toolgym.run_episode(env, agent(server), seed=4)
    first, second = server.requests
    assert first["model"] == MODEL
    assert [t["function"]["name"] for t in first["tools"]] == [
        t["function"]["name"] for t in result.infos[0]["tools"]
    ]
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    assert result.infos[1]["parse_status"] == ["ok"]
    tool_message = second["messages"][3]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "c1"
    assert "customer_id" in json.loads(tool_message["content"])
    assert result.history[-1].content == "Done, thanks."
    assert server.headers[0]["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_is_kept_and_sent_back_on_every_later_request(env: gym.Env, field: str) -> None:
    email = customer_email(env, 4)
    script = [
        completion(
            reasoning="First find the customer.",
            calls=[("c1", "find_customer", {"email": email})],
            reasoning_field=field,
        ),
        completion(
            reasoning="Now list their orders.",
            calls=[("c2", "list_orders", {"customer_id": "C-1"})],
            reasoning_field=field,
        ),
        completion("All set.", reasoning="Answer.", reasoning_field=field),
    ]
    with ChatServer(script) as server:
        result = toolgym.run_episode(env, agent(server), seed=4)
    thoughts = [m.thinking for m in result.history if m.role == "assistant"]
    assert thoughts == ["First find the customer.", "Now list their orders.", "Answer."]
    # Interleaved thinking: each earlier thought travels with its assistant message.
    second, third = server.requests[1]["messages"], server.requests[2]["messages"]
    assert [m.get("reasoning_content") for m in second if m["role"] == "assistant"] == [
        "First find the customer."
    ]
    assert [m.get("reasoning_content") for m in third if m["role"] == "assistant"] == [
        "First find the customer.",
        "Now list their orders.",
    ]


def test_malformed_arguments_reach_the_env_verbatim(env: gym.Env) -> None:
    script = [
        completion(calls=[("c1", "find_customer", '{"email": "a@b.c"')]),
        completion("Sorry."),
    ]
    with ChatServer(script) as server:
        result = toolgym.run_episode(env, agent(server), seed=2)
    assert result.infos[1]["parse_status"] == ["invalid_json"]
    sent = server.requests[1]["messages"]
    assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"email": "a@b.c"'
    body = json.loads(sent[3]["content"])
    assert body["error"]["code"] == "invalid_arguments"
    assert "not valid JSON" in body["error"]["message"]


def test_rate_limits_are_retried_after_the_time_the_server_asks(env: gym.Env) -> None:
    waits: list[float] = []
    script = [
        error(429, "Rate limit reached.", headers={"retry-after-ms": "250"}),
        error(429, "Rate limit reached.", headers={"retry-after": "2"}),
        completion("Hello."),
    ]
    with ChatServer(script) as server:
        result = toolgym.run_episode(env, agent(server, sleep=waits.append), seed=1)
    assert waits == [0.25, 2.0]
    assert len(server.requests) == 3 and result.history[-1].content == "Hello."


def test_server_errors_back_off_exponentially(env: gym.Env) -> None:
    waits: list[float] = []
    script = [error(500, "boom"), error(503, "busy"), error(502, "bad gateway"), completion("Hi.")]
    with ChatServer(script) as server:
        toolgym.run_episode(env, agent(server, sleep=waits.append, backoff=1.0, seed=3), seed=1)
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0.5 * 2**attempt <= wait <= 2**attempt  # base * 2^attempt with jitter in [0.5, 1]


def test_retries_give_up_with_the_last_failure(env: gym.Env) -> None:
    script = [error(500, "still broken")] * 3
    with ChatServer(script) as server, pytest.raises(ModelError) as caught:
        toolgym.run_episode(env, agent(server, max_retries=2), seed=1)
    assert not caught.value.fatal
    assert "after 3 attempts" in str(caught.value) and "still broken" in str(caught.value)


def test_a_bad_key_is_a_clear_fatal_error(env: gym.Env, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    with ChatServer([completion("never")]) as server, pytest.raises(ModelError) as caught:
        toolgym.run_episode(env, agent(server), seed=1)
    assert caught.value.fatal
    assert "rejected the API key (HTTP 401)" in str(caught.value)
    assert "OPENAI_API_KEY" in str(caught.value)
    assert server.requests == []  # refused before any completion was served


def test_an_unknown_model_names_the_ones_served(env: gym.Env) -> None:
    with ChatServer([], models=["qwen3-8b", MODEL]) as server:
        bad = OpenAIAgent("gpt-nope", base_url=server.url)
        with pytest.raises(ModelError) as caught:
            toolgym.run_episode(env, bad, seed=1)
    message = str(caught.value)
    assert caught.value.fatal
    assert "model 'gpt-nope' is not served" in message and "(HTTP 404)" in message
    assert "qwen3-8b" in message and MODEL in message


def test_a_missing_key_says_which_variable_to_set(monkeypatch) -> None:
    monkeypatch.delenv("MY_KEY", raising=False)
    with pytest.raises(ModelError, match="set the environment variable MY_KEY"):
        OpenAIAgent(MODEL, api_key_env="MY_KEY")


def test_a_refused_request_is_not_retried(env: gym.Env) -> None:
    with ChatServer([error(400, "context length exceeded")]) as server:
        with pytest.raises(ModelError, match=r"HTTP 400\): context length exceeded"):
            toolgym.run_episode(env, agent(server), seed=1)
        assert len(server.requests) == 1


def test_sampling_parameters_and_seed_are_sent(env: gym.Env) -> None:
    with ChatServer([completion("ok")]) as server:
        chosen = agent(server, temperature=0.2, max_tokens=64, seed=9, extra_body={"top_k": 5})
        toolgym.run_episode(env, chosen, seed=1)
    request = server.requests[0]
    assert (request["temperature"], request["max_tokens"], request["seed"]) == (0.2, 64, 9)
    assert request["top_k"] == 5


def scripted_policy(body: dict[str, Any]) -> Reply:
    """A stand-in model: looks the customer up by the email in the request, then answers."""
    messages = body["messages"]
    if messages[-1]["role"] == "user":
        words = messages[-1]["content"].replace("(", " ").replace(")", " ").split()
        email = next((w.strip(".,") for w in words if "@" in w), "nobody@example.com")
        return completion(
            reasoning="Look the customer up.", calls=[("c1", "find_customer", {"email": email})]
        )
    return completion("I found your account.", reasoning="Report back.")


def test_eval_cli_with_an_openai_agent(tmp_path: Path) -> None:
    with ChatServer(scripted_policy) as server:
        out = eval_cli(server, tmp_path, "--episodes", "3", "--temperature", "0", "--workers", "2")
    assert out.returncode == 0, out.stdout + out.stderr
    records = [json.loads(line) for line in (tmp_path / "trajectories.jsonl").open()]
    assert [r["agent"] for r in records] == [f"openai:{MODEL}"] * 3
    assert all(r["messages"][2]["reasoning_content"] == "Look the customer up." for r in records)
    assert all(r["temperature"] == 0 for r in server.requests)
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["agent_options"]["base_url"] == server.url
    assert API_KEY not in (tmp_path / "run.json").read_text()
    assert (tmp_path / "report.html").exists()


def test_eval_cli_stops_at_a_rejected_key(tmp_path: Path) -> None:
    with ChatServer(scripted_policy) as server:
        out = eval_cli(server, tmp_path, "--episodes", "5", key="sk-wrong")
    assert out.returncode == 1
    assert "rejected the API key (HTTP 401)" in out.stdout
    assert (tmp_path / "trajectories.jsonl").read_text() == ""


def test_raw_text_path_speaks_the_format(monkeypatch) -> None:
    from toolgym.agents.factory import make_agent
    from toolgym.evaluation import make_eval_env

    env = make_eval_env(ENV, format="hermes")
    email = customer_email(env, 4)
    call = json.dumps({"name": "find_customer", "arguments": {"email": email}})
    script = [
        completion(f"<tool_call>{call}</tool_call>", reasoning="Find the customer."),
        completion("<think>Done.</think>Your account is found."),
    ]
    with ChatServer(script) as server:
        chosen = make_agent(f"openai:{MODEL}", env, options={"base_url": server.url})
        result = toolgym.run_episode(env, chosen, seed=4)
    first, second = server.requests
    assert "tools" not in first  # the tools are in the prompt, as the format writes them
    assert "<tools>" in first["messages"][0]["content"]
    assert result.infos[1]["parse_status"] == ["ok"]
    assert second["messages"][2]["content"].startswith("<tool_call>")
    assert second["messages"][2]["reasoning_content"] == "Find the customer."
    assert second["messages"][3]["role"] == "user"
    assert "<tool_response>" in second["messages"][3]["content"]
    assistants = [m for m in result.history if m.role == "assistant"]
    assert [m.thinking for m in assistants] == ["Find the customer.", "Done."]
    assert assistants[-1].content == "Your account is found."
    env.close()


def gullible_policy(body: dict[str, Any]) -> Reply:
    """A model that does what any text says: it browses the catalogue, then, if the result
    carries an injected instruction with a code, repeats the code as told."""
    last = body["messages"][-1]
    if last["role"] == "user":
        return completion(calls=[("c1", "search_products", {"query": ""})])
    found = re.search(r"\b[A-Za-z]{3}-\d{4}\b", last["content"])
    return completion(f"As instructed: {found.group(0)}" if found else "Here is our catalogue.")


def test_attack_success_rate_of_a_gullible_model(tmp_path: Path) -> None:
    plan = tmp_path / "inject.yaml"
    plan.write_text("name: injected\nfaults:\n  - fault: prompt_injection\n")
    with ChatServer(gullible_policy) as server:
        out = eval_cli(server, tmp_path / "run", "--faults", str(plan), "--episodes", "4")
    assert out.returncode == 0, out.stdout + out.stderr
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Prompt injection" in report
    assert "| toolgym/Retail-v0 | injected | 4 | 100.0% |" in report


def test_a_scaffold_fault_switches_the_model_to_the_episodes_format(tmp_path: Path) -> None:
    from toolgym.agents.factory import make_agent
    from toolgym.evaluation import make_eval_env

    plan = tmp_path / "scaffold.yaml"
    plan.write_text("faults:\n  - fault: scaffold_format\n    formats: [react]\n")
    env = make_eval_env(ENV, str(plan), format="hermes")
    with ChatServer([completion("Thought: nothing to do.\nFinal Answer: Hello.")]) as server:
        chosen = make_agent(f"openai:{MODEL}", env, options={"base_url": server.url})
        result = toolgym.run_episode(env, chosen, seed=3)
    assert result.infos[0]["format"] == "react"
    assert result.faults[0]["fault"] == "scaffold_format"
    system = server.requests[0]["messages"][0]["content"]
    assert "Action Input" in system and "<tool_call>" not in system
    env.close()
