"""Faults on calls: the errors a real service gives. Transient ones (5xx, 429 with a retry
hint, timeouts, dropped connections) fail a call before it runs and say it may be retried;
validation errors get another API's wording; destructive ones (an outage of a tool the task
needs, a permission it lacks) make the task impossible and mark the episode unsolvable.

The retry contract: a recoverable fault never fails a call to a tool that has already failed
:data:`MAX_STREAK` times in a row from injected errors (the pipeline counts), so an agent that
retries a retryable error up to ``MAX_STREAK`` times always gets through.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field

from toolgym.core.episode import Invocation
from toolgym.core.errors import ToolError
from toolgym.faults.base import Fault, FaultContext
from toolgym.faults.support import STREAK_KEY, plan_calls

__all__ = [
    "MAX_STREAK",
    "ConnectionReset",
    "PermanentOutage",
    "PermissionDenied",
    "RateLimit",
    "Timeout",
    "TransientError",
    "ValidationWording",
]

MAX_STREAK = 4

_STATUS: dict[int, tuple[str, str]] = {
    500: ("internal_error", "Internal server error; the request was not processed. Retry it."),
    502: ("bad_gateway", "Bad gateway: the upstream service sent an invalid response. Retry it."),
    503: ("service_unavailable", "The service is temporarily unavailable. Retry shortly."),
    504: ("gateway_timeout", "The upstream service did not answer in time. Retry shortly."),
}


class _CallFault(Fault):
    axis: ClassVar = "errors"
    hook: ClassVar = "call"
    stage: ClassVar = "call"

    @staticmethod
    def _room(ctx: FaultContext, invocation: Invocation, failures: int = 1) -> bool:
        """Whether ``failures`` more injected failures keep the tool within the retry contract."""
        streak = ctx.episode.scratch[STREAK_KEY].get(invocation.entry.target, 0)
        return streak + failures <= MAX_STREAK


class TransientError(_CallFault):
    """A 5xx server error (500, 502, 503, 504) before the call runs; retrying succeeds."""

    name: ClassVar = "transient_error"
    order: ClassVar = 20

    statuses: tuple[Literal[500, 502, 503, 504], ...] = Field(
        (500, 503), min_length=1, description="HTTP statuses to draw from."
    )

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        assert invocation is not None
        if not self._room(ctx, invocation):
            return
        status = ctx.choice(self.statuses)
        code, message = _STATUS[status]
        invocation.error = ToolError(code, message, retryable=True, details={"status": status})
        ctx.record(invocation.name, f"{status} {code}")


class RateLimit(_CallFault):
    """429 Too Many Requests with a ``retry_after`` hint; the same tool keeps refusing until
    it has been retried ``retries`` times."""

    name: ClassVar = "rate_limit"
    order: ClassVar = 10

    retries: int = Field(2, ge=1, le=3, description="Failures before the tool answers again.")
    retry_after: int = Field(2, ge=1, le=60, description="Seconds the error asks to wait.")

    def _error(self, invocation: Invocation) -> ToolError:
        return ToolError(
            "rate_limited",
            f"Too many requests: the rate limit for {invocation.name} is exceeded. "
            f"Retry after {self.retry_after} seconds.",
            retryable=True,
            details={"status": 429, "retry_after": self.retry_after},
        )

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        assert invocation is not None
        if not self._room(ctx, invocation, self.retries):
            return
        ctx.memory.setdefault("hold", {})[invocation.entry.target] = self.retries - 1
        invocation.error = self._error(invocation)
        ctx.record(invocation.name, f"429, clears after {self.retries} retries")

    def follow_call(self, ctx: FaultContext, invocation: Invocation) -> None:
        hold = ctx.memory.get("hold")
        left = hold.get(invocation.entry.target, 0) if hold else 0
        if left > 0:
            hold[invocation.entry.target] = left - 1  # type: ignore[index]
            invocation.error = self._error(invocation)
            ctx.record(invocation.name, f"429 again, {left - 1} more before it clears")


class Timeout(_CallFault):
    """The call times out before the service processes it; retrying succeeds."""

    name: ClassVar = "timeout"
    order: ClassVar = 30

    seconds: int = Field(30, ge=1, le=120, description="The timeout the error reports.")

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        assert invocation is not None
        if not self._room(ctx, invocation):
            return
        invocation.error = ToolError(
            "timeout",
            f"The request timed out after {self.seconds} seconds and was not processed. Retry it.",
            retryable=True,
            details={"timeout_seconds": self.seconds},
        )
        ctx.record(invocation.name, f"timed out after {self.seconds}s")


class ConnectionReset(_CallFault):
    """The connection drops before a response arrives (nothing was processed); retrying
    succeeds."""

    name: ClassVar = "connection_reset"
    order: ClassVar = 31

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        assert invocation is not None
        if not self._room(ctx, invocation):
            return
        invocation.error = ToolError(
            "connection_reset",
            "Connection reset by peer before a response was received; the request was not "
            "processed. Retry it.",
            retryable=True,
        )
        ctx.record(invocation.name, "connection reset")


_CLAUSES: tuple[tuple[str, tuple[str, str]], ...] = (
    (r"'([^']+)' is required but missing", ("missing required parameter: {0}",
                                             "field {0}: field required")),
    (r"'([^']+)' is not a parameter \(expected one of: ([^)]*)\)",
     ("unexpected parameter {0} (allowed: {1})", "field {0}: extra fields not permitted "
                                                  "(schema has: {1})")),
    (r"'([^']+)': (.+?) \(got (.+?)\)", ("invalid value for {0}: {1} (received {2})",
                                          "field {0}: {1}; input was {2}")),
)  # fmt: skip
_PREFIX = ("400 Bad Request: ", "422 Unprocessable Entity: ")


class ValidationWording(Fault):
    """Validation errors worded as another API would (``400 Bad Request: missing required
    parameter: order_id``), with the same facts."""

    name: ClassVar = "validation_wording"
    axis: ClassVar = "errors"
    hook: ClassVar = "result"
    stage: ClassVar = "result"
    order: ClassVar = 5

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        assert invocation is not None
        error = invocation.error
        if error is None or error.code != "invalid_arguments":
            return
        style = ctx.integers(2)
        message = error.message
        for pattern, forms in _CLAUSES:
            message = re.sub(pattern, lambda m, f=forms[style]: f.format(*m.groups()), message)
        message = message.replace(f"Invalid arguments for {invocation.name}: ", "")
        message = _PREFIX[style] + message
        status = (400, 422)[style]
        invocation.error = ToolError(
            error.code,
            message,
            retryable=error.retryable,
            details={**error.details, "status": status},
        )
        ctx.record(invocation.name, f"{status} wording")


class _Destructive(Fault):
    """A fault that takes away something the task needs, chosen at reset."""

    axis: ClassVar = "errors"
    hook: ClassVar = "call"
    stage: ClassVar = "reset"
    recoverable: ClassVar = False
    mutating_first: ClassVar = False

    def fire(self, ctx: FaultContext, invocation: Invocation | None) -> None:
        episode = ctx.episode
        needed = list(dict.fromkeys(name for name, _ in plan_calls(episode)))
        if self.mutating_first:
            needed = [n for n in needed if episode.world.tools[n].mutates] or needed
        if not needed:
            return
        target = ctx.choice(needed)
        entry = episode.view.entry_for(target)
        ctx.memory["target"] = target
        episode.solvable = False
        ctx.record(entry.name if entry else target, self._announce())

    def follow_call(self, ctx: FaultContext, invocation: Invocation) -> None:
        if invocation.entry.target == ctx.memory.get("target"):
            invocation.error = self._error(invocation.name)
            ctx.record(invocation.name, invocation.error.code)

    def _announce(self) -> str:
        raise NotImplementedError

    def _error(self, name: str) -> ToolError:
        raise NotImplementedError


class PermanentOutage(_Destructive):
    """A tool the task needs is down for the whole episode (503 on every call): the episode
    is marked unsolvable."""

    name: ClassVar = "permanent_outage"
    order: ClassVar = 10

    def _announce(self) -> str:
        return "down for the whole episode"

    def _error(self, name: str) -> ToolError:
        return ToolError(
            "service_unavailable",
            f"{name} is unavailable: the service behind it is down. Retry later.",
            retryable=True,
            details={"status": 503},
        )


class PermissionDenied(_Destructive):
    """The agent's account may not call a tool the task needs (403 on every call): the
    episode is marked unsolvable."""

    name: ClassVar = "permission_denied"
    order: ClassVar = 11
    mutating_first: ClassVar = True

    def _announce(self) -> str:
        return "forbidden for the whole episode"

    def _error(self, name: str) -> ToolError:
        return ToolError(
            "permission_denied",
            f"403 Forbidden: this account is not allowed to call {name}.",
            details={"status": 403},
        )
