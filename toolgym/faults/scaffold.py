"""The scaffold axis: the tool-call format the agent is asked to speak changes per episode.

A model tuned on one scaffold (Hermes ``<tool_call>`` tags, say) often breaks on another (ReAct,
XML invoke blocks, pythonic calls). This fault draws the episode's format from a set; the
``TextActions`` wrapper renders the prompt and parses the completions in it. Structured actions
have no scaffold, so on an env without ``TextActions`` the fault finds nothing to change and
records nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from toolgym import formats
from toolgym.faults.base import Fault, FaultContext

if TYPE_CHECKING:
    from toolgym.core.episode import Invocation

__all__ = ["ScaffoldFormat"]

FormatName = Literal[tuple(formats.names())]  # type: ignore[valid-type]


class ScaffoldFormat(Fault):
    """The tool-call format drawn per episode from a set (``hermes``, ``react``, ``xml``, ...)
    instead of the one the agent was set up with; needs the ``TextActions`` wrapper."""

    name: ClassVar = "scaffold_format"
    axis: ClassVar = "scaffold"
    hook: ClassVar = "format"
    stage: ClassVar = "reset"

    formats: tuple[FormatName, ...] = Field(
        default_factory=lambda: tuple(formats.names()),
        min_length=1,
        description="Formats to draw from (default: every format).",
    )

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        episode = ctx.episode
        if not episode.scaffolds:
            return
        usual = episode.scaffolds[0]
        others = [name for name in self.formats if name != usual] or list(self.formats)
        episode.scaffold = ctx.choice(others)
        ctx.record("format", f"{usual} -> {episode.scaffold}")
