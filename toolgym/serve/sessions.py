"""``SessionPool``: one isolated episode per client, bounded and reaped when idle.

A server that many clients reach at once (MCP over HTTP, OpenEnv over WebSocket) must not let
them share an env: client A's seed would pose client B's task. The pool keys a value (an env
session and whatever the protocol keeps beside it) by the client's identity, makes it on the
first request that needs it, ends it when the client says so or after ``idle_timeout`` seconds
without a request, and refuses new clients past ``max_sessions`` with an error that says what
to do. The protocols differ in how a client is named; the pool does not care.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

__all__ = ["DEFAULT_IDLE_TIMEOUT", "DEFAULT_MAX_SESSIONS", "SessionLimitError", "SessionPool"]

DEFAULT_MAX_SESSIONS = 256
DEFAULT_IDLE_TIMEOUT = 600.0


class _Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=_Closable)


class SessionLimitError(RuntimeError):
    """The pool holds ``max_sessions`` live sessions: a new client must wait or another end."""

    def __init__(self, max_sessions: int, idle_timeout: float | None) -> None:
        expiry = f"idle ones end after {idle_timeout:g} s" if idle_timeout else "none expire"
        super().__init__(
            f"the server already holds {max_sessions} sessions, its limit (--max-sessions): "
            f"end a finished session, or retry later ({expiry})"
        )
        self.max_sessions = max_sessions


@dataclass
class _Entry(Generic[T]):
    value: T
    last_used: float
    busy: int = 0


@dataclass
class SessionPool(Generic[T]):
    """Live sessions keyed by client identity (thread-safe: servers run env calls in threads).

    ``factory`` makes one session (an env of its own); ``clock`` is injectable so the idle
    timeout can be tested without sleeping. A session in the middle of a request is never
    reaped. ``idle_timeout=None`` keeps sessions until they are closed.
    """

    factory: Callable[[], T]
    max_sessions: int = DEFAULT_MAX_SESSIONS
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, _Entry[T]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _creating: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_sessions < 1:
            raise ValueError(f"max_sessions must be at least 1, got {self.max_sessions}")
        if self.idle_timeout is not None and not self.idle_timeout > 0:
            raise ValueError(f"idle_timeout must be positive seconds or None: {self.idle_timeout}")

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: str) -> T | None:
        """The live session of ``key`` (counts as activity), or ``None``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            entry.last_used = self.clock()
            return entry.value

    def open(self, key: str) -> T:
        """The session of ``key``, made now if it has none. Raises :class:`SessionLimitError`."""
        existing = self.get(key)
        if existing is not None:
            return existing
        # Envs are built one at a time, outside the entries' lock: live sessions go on
        # meanwhile, and two first requests of one client still make one env.
        with self._creating:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    return entry.value
                if len(self._entries) >= self.max_sessions:
                    raise SessionLimitError(self.max_sessions, self.idle_timeout)
            value = self.factory()
            with self._lock:
                self._entries[key] = _Entry(value, self.clock())
            return value

    @contextmanager
    def using(self, key: str) -> Iterator[T | None]:
        """The session of ``key`` held for one request: the reaper leaves it alone meanwhile."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.busy += 1
                entry.last_used = self.clock()
        try:
            yield entry.value if entry is not None else None
        finally:
            if entry is not None:
                with self._lock:
                    entry.busy -= 1
                    entry.last_used = self.clock()

    def close(self, key: str) -> bool:
        """End the session of ``key`` (the client ended it); ``False`` if it had none."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None:
            return False
        entry.value.close()
        return True

    def reap(self) -> list[str]:
        """End the sessions idle for ``idle_timeout`` seconds; returns their keys.

        Servers call it as requests come in, from the thread that owns the sessions' streams
        (the pool never reaps on its own, so a session is never closed under a caller)."""
        if self.idle_timeout is None:
            return []
        now = self.clock()
        with self._lock:
            stale = [
                key
                for key, entry in self._entries.items()
                if not entry.busy and now - entry.last_used >= self.idle_timeout
            ]
            ended = [self._entries.pop(key) for key in stale]
        for entry in ended:
            entry.value.close()
        return stale

    def close_all(self) -> None:
        """End every session (the server stops)."""
        with self._lock:
            ended = list(self._entries.values())
            self._entries.clear()
        for entry in ended:
            entry.value.close()
