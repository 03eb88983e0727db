"""The one error type a tool may raise: what a real API would put in its error body."""

from __future__ import annotations

from typing import Any

__all__ = ["ToolError"]


class ToolError(Exception):
    """A failed tool call, reported to the agent as data rather than raised into the trainer.

    ``code`` is a stable machine-readable reason (``not_found``, ``invalid_arguments``,
    ``rate_limited``, ...), ``message`` says what went wrong and what to do, ``retryable`` tells a
    careful agent that the same call may succeed later, and ``details`` carries extra fields
    (``retry_after``, the offending ``field``, ...).

    >>> err = ToolError("not_found", "No order with id '#W1'.")
    >>> err.to_payload()
    {'error': {'code': 'not_found', 'message': "No order with id '#W1'.", 'retryable': False}}
    """

    __slots__ = ("code", "details", "message", "retryable")

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(code, str) or not code:
            raise ValueError(f"ToolError code must be a non-empty str, got {code!r}")
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.retryable = bool(retryable)
        self.details = dict(details) if details else {}

    def to_payload(self) -> dict[str, Any]:
        """The JSON body the agent sees, shaped like a REST API's error response."""
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "retryable": self.retryable,
        }
        body.update(self.details)
        return {"error": body}

    def __repr__(self) -> str:
        return f"ToolError({self.code!r}, {self.message!r}, retryable={self.retryable!r}" + (
            f", details={self.details!r})" if self.details else ")"
        )

    def __reduce__(self):  # keep pickling (process pools, Ray) faithful to the keyword fields
        return (_rebuild, (self.code, self.message, self.retryable, self.details))


def _rebuild(code: str, message: str, retryable: bool, details: dict[str, Any]) -> ToolError:
    return ToolError(code, message, retryable=retryable, details=details)
