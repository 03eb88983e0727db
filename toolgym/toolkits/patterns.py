"""Regular expressions written by agents, searched within a time budget.

An agent's pattern can backtrack catastrophically (``(\\w+\\s?)+$`` on a long line), and a search
with Python's `re` cannot be interrupted: one tool call would stall the trainer. The `regex`
module (in its default mode, the syntax of `re`) takes a timeout per search, so every search of
one tool call shares a budget of ``BUDGET_S`` seconds and past it the call answers with an error
the agent can act on. The budget is wall-clock time, so exactly where a pathological pattern
gives up depends on the machine; a pattern that finishes at all finishes far below it.
"""

from __future__ import annotations

import time

import regex

from toolgym.core.errors import ToolError

__all__ = ["BUDGET_S", "PatternSearch"]

BUDGET_S = 1.0


class PatternSearch:
    """``search(text)`` for one tool call: whether the pattern occurs, all searches sharing
    one deadline. A malformed pattern raises ``regex.error`` (each tool words its error)."""

    def __init__(
        self, pattern: str, *, ignore_case: bool = False, budget_s: float | None = None
    ) -> None:
        self.compiled = regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
        self.budget_s = BUDGET_S if budget_s is None else budget_s
        self.deadline = time.monotonic() + self.budget_s

    def __call__(self, text: str) -> bool:
        remaining = self.deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            return self.compiled.search(text, timeout=remaining) is not None
        except TimeoutError:
            raise ToolError(
                "pattern_timeout",
                f"The regular expression {self.compiled.pattern!r} took longer than "
                f"{self.budget_s:g} s to search, so the search was stopped. It probably "
                "backtracks on nested repetition such as (a+)+ or (\\w+\\s?)+: simplify it, "
                "or search for a plain word first.",
                details={"pattern": self.compiled.pattern},
            ) from None
