"""Gymnasium wrappers: they adapt the interface of a toolgym env, never its world."""

from toolgym.wrappers.chat_history import ChatHistory, Conversation
from toolgym.wrappers.fault_injection import FaultInjection
from toolgym.wrappers.text_actions import TextActions

__all__ = ["ChatHistory", "Conversation", "FaultInjection", "TextActions"]
