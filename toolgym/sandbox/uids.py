"""A user id of its own for each sandbox, so that no sandbox can use up another's processes.

The kernel counts ``RLIMIT_NPROC`` per user, over the whole machine: sandboxes that share one
unprivileged uid share one process budget, and a fork bomb in one starves the rest. As root,
each local sandbox therefore leases a uid nobody else uses (from a range far above ordinary
accounts) for as long as it lives; a user namespace maps it to one constant uid inside, so the
code sees the same user in every sandbox and trajectories stay byte-identical. Leases are
``flock``-ed files, so sandboxes of every process on the machine stay apart, and a lease whose
process dies is free again at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

__all__ = ["UID_BASE", "UID_COUNT", "UidLease", "lease_uid"]

UID_BASE = 200_000
UID_COUNT = 60_000


class UidLease:
    """One leased uid; :meth:`release` (or the process's end) gives it back."""

    def __init__(self, uid: int, handle: int) -> None:
        self.uid = uid
        self._handle: int | None = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                os.close(self._handle)
            self._handle = None

    def __repr__(self) -> str:
        return f"UidLease(uid={self.uid})"


def _directory() -> Path:
    for base in ("/run/lock", tempfile.gettempdir()):
        path = Path(base) / "toolgym-uids"
        with contextlib.suppress(OSError):
            path.mkdir(mode=0o700, exist_ok=True)
            if os.access(path, os.W_OK):
                return path
    raise OSError("no writable directory for toolgym's uid leases")


def lease_uid() -> UidLease:
    """A uid in ``[UID_BASE, UID_BASE + UID_COUNT)`` that no other live sandbox holds.

    The search starts at a place drawn from the process id, so processes starting many
    sandboxes at once rarely try the same files; which uid is leased never shows inside.
    """
    directory = _directory()
    start = (os.getpid() * 7919) % UID_COUNT
    for step in range(UID_COUNT):
        uid = UID_BASE + (start + step) % UID_COUNT
        handle = os.open(directory / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            continue
        return UidLease(uid, handle)
    raise OSError(f"all {UID_COUNT} sandbox uids are leased")
