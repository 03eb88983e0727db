"""Chat templates for raw-text conversations: how each message is framed between role markers.

A raw-completion agent reads one growing string. Its turns must be framed the way the model was
trained (ChatML for Qwen and Hermes, header tokens for Llama 3, bare text for classic ReAct
prompts), or the model sees a conversation it does not recognise. A format chooses its default;
users pick another with ``toolgym.formats.get(name, template="llama3")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["TEMPLATES", "Template", "get_template"]


@dataclass(frozen=True)
class Template:
    """Role markers around each message.

    ``begin`` starts the whole text; each message is ``open`` (with ``{role}`` filled in from
    ``roles``), its text, then ``close``. A completion is the assistant's text without the
    closing marker (servers strip the stop token), so the next observation starts with it.
    """

    name: str
    open: str
    close: str
    begin: str = ""
    roles: Mapping[str, str] = field(default_factory=dict)

    def message(self, role: str, text: str) -> str:
        return self.opening(role) + text + self.close

    def opening(self, role: str) -> str:
        return self.open.format(role=self.roles.get(role, role))


TEMPLATES: dict[str, Template] = {
    "chatml": Template("chatml", "<|im_start|>{role}\n", "<|im_end|>\n"),
    "llama3": Template(
        "llama3",
        "<|start_header_id|>{role}<|end_header_id|>\n\n",
        "<|eot_id|>",
        begin="<|begin_of_text|>",
        roles={"tool": "ipython"},
    ),
    "plain": Template("plain", "", "\n\n"),
}


def get_template(template: str | Template) -> Template:
    """A template by name (``chatml``, ``llama3``, ``plain``), or the one given."""
    if isinstance(template, Template):
        return template
    try:
        return TEMPLATES[template]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown chat template {template!r}; choose from {sorted(TEMPLATES)} "
            "or pass a toolgym.formats.Template"
        ) from None
