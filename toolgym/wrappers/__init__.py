"""Gymnasium wrappers: they adapt the interface of a toolgym env, never its world."""

from toolgym.wrappers.chat_history import ChatHistory, Conversation
from toolgym.wrappers.chat_template import ChatTemplateText
from toolgym.wrappers.fault_injection import FaultInjection
from toolgym.wrappers.text_actions import TextActions

__all__ = ["ChatHistory", "ChatTemplateText", "Conversation", "FaultInjection", "TextActions"]
