"""Token-faithful text: the prompt of turn k+1 is the prompt of turn k, the completion and the
observation, and it is what the model's own chat template writes for the conversation."""

from __future__ import annotations

import doctest

import gymnasium as gym
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolgym
from toolgym.agents.text import TextAgent
from toolgym.wrappers import chat_template as module
from toolgym.wrappers.chat_template import ChatTemplateText

pytest.importorskip("jinja2")

# Hermes / Qwen2.5 style: ChatML, tools in the system turn, tool results as user turns.
HERMES = """
{%- if messages[0].role == 'system' %}{% set system = messages[0].content %}
{%- set rest = messages[1:] %}{%- else %}{% set system = '' %}{% set rest = messages %}{% endif %}
{{- '<|im_start|>system\\n' + system }}
{%- if tools %}{{ '\\n\\n# Tools\\n\\n<tools>' }}
{%- for t in tools %}{{ '\\n' + (t | tojson) }}{% endfor %}
{{- '\\n</tools>\\n\\nCall a function with <tool_call>{"name": ..., "arguments": ...}' }}
{{- '</tool_call>' }}
{%- endif %}{{ '<|im_end|>\\n' }}
{%- for m in rest %}
  {%- if m.role == 'tool' %}
    {%- if loop.first or loop.previtem.role != 'tool' %}{{ '<|im_start|>user' }}{% endif %}
    {{- '\\n<tool_response>\\n' + m.content + '\\n</tool_response>' }}
    {%- if loop.last or loop.nextitem.role != 'tool' %}{{ '<|im_end|>\\n' }}{% endif %}
  {%- else %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
"""

# Llama 3.1 style: header tokens, tool results from the ipython role, every message trimmed.
LLAMA = """
{{- '<|begin_of_text|>' }}
{%- for m in messages %}
  {%- set role = 'ipython' if m.role == 'tool' else m.role %}
  {{- '<|start_header_id|>' + role + '<|end_header_id|>\\n\\n' }}
  {%- if m.role == 'system' and tools %}{{ 'Environment: ipython\\n' }}
    {%- for t in tools %}{{ (t | tojson) + '\\n' }}{% endfor %}{% endif %}
  {{- m.content | trim }}{{ '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}
"""

TEMPLATES = {"hermes": (HERMES, "hermes"), "llama": (LLAMA, "json")}


def test_module_doctests() -> None:
    assert doctest.testmod(module).failed == 0


def _chat(env: ChatTemplateText) -> list[dict]:
    return list(env._chat)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_an_oracle_episode_is_one_growing_text_the_template_agrees_with(name: str) -> None:
    template, fmt = TEMPLATES[name]
    env = ChatTemplateText(gym.make("toolgym/Retail-v0", faults="light"), template, format=fmt)
    agent = TextAgent(toolgym.OracleAgent(env))
    prompt, info = env.reset(seed=3)
    agent.reset(prompt, info)
    observation, done, steps = prompt, False, 0
    while not done:
        completion = agent.act(observation, info)
        before = env.prompt
        observation, reward, terminated, truncated, info = env.step(completion)
        done = terminated or truncated
        assert env.prompt == before + completion + observation
        assert env.prompt == env.render(_chat(env), add_generation_prompt=not done)
        steps += 1
    assert reward == 1.0 and steps > 2


completions = st.one_of(
    st.text(min_size=1, max_size=60).map(str.strip).filter(bool),
    st.builds(
        lambda thought, arg: (
            f'<think>\n{thought}\n</think>\n\n<tool_call>\n{{"name": '
            f'"get_order", "arguments": {{"order_id": "{arg}"}}}}\n</tool_call>'
        ),
        st.text("abc xyz", min_size=1, max_size=20).map(str.strip).filter(bool),
        st.from_regex(r"#W\d{7}", fullmatch=True),
    ),
    st.just('{"name": "list_categories", "arguments": {}}'),
)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@settings(max_examples=25, deadline=None)
@given(turns=st.lists(completions, min_size=1, max_size=5), seed=st.integers(0, 50))
def test_prompt_k_plus_1_is_prompt_k_completion_and_observation(
    name: str, turns: list[str], seed: int
) -> None:
    template, fmt = TEMPLATES[name]
    env = ChatTemplateText(gym.make("toolgym/Retail-v0"), template, format=fmt)
    prompt, _ = env.reset(seed=seed)
    assert prompt == env.render(_chat(env), add_generation_prompt=True)
    for completion in turns:
        before = env.prompt
        observation, _, terminated, truncated, _ = env.step(completion)
        assert env.prompt == before + completion + observation
        assert completion in env.prompt  # what the model wrote, thinking included, stays put
        done = terminated or truncated
        assert env.prompt == env.render(_chat(env), add_generation_prompt=not done)
        if done:
            break


def test_a_bad_template_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="apply_chat_template"):
        ChatTemplateText(gym.make("toolgym/Retail-v0"), object())
    with pytest.raises(ValueError, match="empty"):
        ChatTemplateText(gym.make("toolgym/Retail-v0"), "  ")
