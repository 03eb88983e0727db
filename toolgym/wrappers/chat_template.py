"""``ChatTemplateText``: the prompt exactly as the model's own chat template writes it.

Trainers that tokenize a growing text need each step's observation to be the template's own
rendering of what the environment says, so that the prompt of turn k+1 is, as text, the prompt
of turn k, then the model's completion, then the observation: nothing the model generated is
re-rendered, and no token it saw is rewritten. Templates do rewrite history (Qwen3's drops the
thinking of earlier turns; Llama's trims each message), so the observation is taken from the
template without re-rendering the completion: the conversation so far is rendered with the last
assistant turn's content replaced by a marker, and the observation is everything the template
writes after that marker (the end of the assistant turn, the tool results and notices as the
template frames them, the opening of the next assistant turn). The completion therefore stays in
the prompt exactly as generated, thinking in place.

>>> import gymnasium as gym, toolgym
>>> from toolgym.wrappers.chat_template import ChatTemplateText
>>> chatml = (
...     "{% for m in messages %}<|im_start|>{{ m.role }}\\n{{ m.content }}<|im_end|>\\n"
...     "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\\n{% endif %}"
... )
>>> env = ChatTemplateText(gym.make("toolgym/Retail-v0"), chatml, format="hermes")
>>> prompt, info = env.reset(seed=0)
>>> completion = '<tool_call>{"name": "list_categories", "arguments": {}}</tool_call>'
>>> observation, *_ = env.step(completion)
>>> observation.startswith("<|im_end|>\\n<|im_start|>tool\\n")
True
>>> env.prompt == prompt + completion + observation
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat

import gymnasium as gym

from toolgym.core.messages import coerce_turn
from toolgym.formats import Format
from toolgym.wrappers.text_actions import TextActions

__all__ = ["ChatTemplateText"]

_MARK = "\u2063toolgym-completion\u2063"  # an invisible separator no template trims or escapes


class ChatTemplateText(TextActions):
    """Raw-text actions, with prompts and observations rendered by ``chat_template``.

    Args:
        env: a toolgym env (possibly wrapped).
        chat_template: a tokenizer (anything with transformers' ``apply_chat_template``) or a
            Jinja chat template string (rendered with transformers' own renderer).
        format: how completions are read into tool calls (``hermes`` for Qwen and Hermes
            models, ``json`` or ``pythonic`` for Llama-style ones); see ``toolgym.formats``.
        template_kwargs: extra variables for the template (e.g. ``enable_thinking=True``).

    ``prompt`` is the whole text so far: the reset's prompt plus every completion and
    observation. The tools are rendered once, at reset, as the model saw them then.
    """

    def __init__(
        self,
        env: gym.Env,
        chat_template: Any,
        format: str | Format | Sequence[str | Format] = "hermes",
        template_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(env, format=format)
        gym.utils.RecordConstructorArgs.__init__(
            self, chat_template=chat_template, format=format, template_kwargs=template_kwargs
        )
        if isinstance(chat_template, str):
            if not chat_template.strip():
                raise ValueError("chat_template is an empty string; give a Jinja template")
        elif not callable(getattr(chat_template, "apply_chat_template", None)):
            raise TypeError(
                "chat_template must be a Jinja template string or a tokenizer with "
                f"apply_chat_template, got {type(chat_template).__name__}"
            )
        self.chat_template = chat_template
        self.template_kwargs = dict(template_kwargs or {})
        self.prompt = ""
        self._chat: list[dict[str, Any]] = []
        self._rendered_tools: list[dict[str, Any]] = []

    def render(self, messages: list[dict[str, Any]], *, add_generation_prompt: bool) -> str:
        """``messages`` as the chat template writes them (with the tools of the reset)."""
        kwargs = {
            "tools": self._rendered_tools or None,
            "add_generation_prompt": add_generation_prompt,
            **self.template_kwargs,
        }
        if isinstance(self.chat_template, str):
            from transformers.utils.chat_template_utils import render_jinja_template

            rendered = render_jinja_template([messages], chat_template=self.chat_template, **kwargs)
            text = rendered[0] if isinstance(rendered, tuple) else rendered
            return text[0] if isinstance(text, list) else text
        return self.chat_template.apply_chat_template(messages, tokenize=False, **kwargs)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        _, info = super().reset(seed=seed, options=options)
        self._rendered_tools = list(info["tools"])
        self._chat = [_plain(m) for m in info["messages"]]
        self.prompt = self.render(self._chat, add_generation_prompt=True)
        return self.prompt, info

    def step(self, action: Any) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        _, reward, terminated, truncated, info = super().step(action)
        completion = action if isinstance(action, str) else self._as_text(action)
        new = [_plain(m) for m in info["messages"]]
        marked = [*self._chat, {"role": "assistant", "content": _MARK}, *new]
        ended = terminated or truncated
        text = self.render(marked, add_generation_prompt=not ended)
        cut = text.rfind(_MARK)
        if cut < 0:
            raise ValueError(
                "the chat template did not render the assistant's content verbatim; "
                "ChatTemplateText needs a template that writes message content as given"
            )
        observation = text[cut + len(_MARK) :]
        self._chat += [{"role": "assistant", "content": completion}, *new]
        self.prompt += completion + observation
        return observation, reward, terminated, truncated, info

    def _as_text(self, action: Any) -> str:
        """A structured action as the completion a model speaking the format would write."""
        turn, _ = coerce_turn(action, 0)
        return self.format.render_turn(turn) if turn is not None else ""


def _plain(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message as chat templates expect it (role and content; a tool result's name and id)."""
    out = {"role": message.get("role", "user"), "content": message.get("content") or ""}
    for key in ("name", "tool_call_id"):
        if message.get(key):
            out[key] = message[key]
    return out
