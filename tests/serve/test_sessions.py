"""``SessionPool``: lazily made, bounded, reaped when idle (never mid-request), ended on close."""

from __future__ import annotations

import pytest

from toolgym.serve.sessions import SessionLimitError, SessionPool


class Episode:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _pool(clock: Clock, **options: object) -> SessionPool[Episode]:
    made: list[Episode] = []

    def factory() -> Episode:
        made.append(Episode(len(made)))
        return made[-1]

    return SessionPool(factory, clock=clock, **options)


def test_sessions_are_made_once_per_key_and_bounded() -> None:
    pool = _pool(Clock(), max_sessions=2)
    first = pool.open("a")
    assert pool.open("a") is first and pool.get("a") is first and pool.get("b") is None
    pool.open("b")
    with pytest.raises(SessionLimitError, match="2 sessions, its limit"):
        pool.open("c")
    assert pool.close("a") and first.closed and not pool.close("a")
    assert pool.open("c").number == 2 and len(pool) == 2


def test_idle_sessions_are_reaped_but_not_while_in_use() -> None:
    clock = Clock()
    pool = _pool(clock, idle_timeout=10.0)
    idle, busy, fresh = pool.open("idle"), pool.open("busy"), None
    with pool.using("busy") as held:
        assert held is busy
        clock.now = 10.0
        fresh = pool.open("fresh")
        assert pool.reap() == ["idle"] and idle.closed and not busy.closed
    clock.now = 19.0
    assert pool.reap() == [] and "busy" in pool  # its last use was when the request ended
    clock.now = 20.0
    assert sorted(pool.reap()) == ["busy", "fresh"] and busy.closed and fresh.closed


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="max_sessions must be at least 1, got 0"):
        _pool(Clock(), max_sessions=0)
    with pytest.raises(ValueError, match="idle_timeout must be positive"):
        _pool(Clock(), idle_timeout=0)
