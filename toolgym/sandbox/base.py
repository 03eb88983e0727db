"""What every sandbox backend shares: results, errors, the warm worker, and the lifecycle.

A backend only knows how to start a process inside its isolation (:meth:`Sandbox._spawn`); the
warm worker, its protocol, the spare worker started ahead of need, and the disk watchdog are
the same for all of them.
"""

from __future__ import annotations

import json
import select
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any, Protocol

from toolgym.sandbox.limits import Limits
from toolgym.sandbox.workspace import Workspace

__all__ = [
    "Channel",
    "Execution",
    "ExecutionError",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "TestReport",
    "Worker",
    "kernel_source",
    "wait_ready",
]

INSIDE = "/workspace"
_POLL_SECONDS = 0.05
_START_SECONDS = 60.0
_MAX_FRAME = 16 << 20
MAX_ENTRIES = 20_000


def wait_ready(fds: list[int], timeout: float, *, write: bool = False) -> list[int]:
    """The fds of ``fds`` ready to read (or, with ``write``, to write) within ``timeout``
    seconds. ``poll``, not ``select``: a trainer holding hundreds of sandboxes has fds past
    1024, which ``select`` cannot watch."""
    poller = select.poll()
    mask = select.POLLOUT if write else select.POLLIN | select.POLLHUP | select.POLLERR
    for fd in fds:
        poller.register(fd, mask)
    return [fd for fd, _ in poller.poll(max(0.0, timeout) * 1000)]


class SandboxError(Exception):
    """The sandbox cannot do what was asked: it failed to start, or its engine is unreachable."""


class ExecutionError(SandboxError):
    """A run ended abnormally and its worker was stopped.

    ``reason`` is ``timeout``, ``crashed``, ``disk_quota`` or ``protocol``; ``message`` says
    what happened in words an agent can act on.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class RunResult:
    """A finished one-shot process: its exit code (``None`` when killed) and capped output."""

    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool = False


@dataclass(frozen=True)
class Execution:
    """What running a snippet in the warm worker produced, as a notebook cell shows it."""

    stdout: str
    stderr: str
    value: str | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TestReport:
    """A pytest run: exit code, ``(nodeid, outcome, failure text)`` per test, and the log."""

    exit_code: int
    tests: tuple[tuple[str, str, str], ...]
    output: str
    timed_out: bool = False
    error: str | None = None

    def outcomes(self) -> dict[str, str]:
        return {nodeid: outcome for nodeid, outcome, _ in self.tests}

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, outcome, _ in self.tests:
            out[outcome] = out.get(outcome, 0) + 1
        return out


class Channel(Protocol):
    """A started kernel process as the host talks to it: lines in, lines out, kill."""

    def send(self, data: bytes) -> None: ...

    def receive(self, timeout: float) -> bytes | None:
        """Some bytes (``b""`` at end of stream), or ``None`` if none came within ``timeout``."""
        ...

    def kill(self) -> None: ...


def kernel_source() -> str:
    """The source of the in-sandbox kernel (``toolgym/sandbox/kernel.py``)."""
    return resources.files("toolgym.sandbox").joinpath("kernel.py").read_text("utf-8")


def capped(text: str, total_bytes: int, limit: int) -> str:
    """``text`` with a note of how much output was not shown."""
    if total_bytes <= limit:
        return text
    return text + f"\n[... output truncated: {total_bytes - limit} more bytes not shown]"


def output_text(data: bytes, total_bytes: int, limit: int) -> str:
    """Captured bytes as text, with a note of how much was not kept."""
    return capped(bytes(data).decode("utf-8", "replace"), total_bytes, limit)


_MALFORMED = "The interpreter's reply was malformed (did the code write to the kernel's pipes?)."


def _text(value: Any, optional: bool = False) -> Any:
    """A string field of a kernel reply (``None`` allowed when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


class Worker:
    """A warm kernel: a persistent interpreter in the sandbox, spoken to over its pipes.

    Requests are one JSON line each; the reply is awaited with a deadline, during which the
    workspace's disk use is watched. Any abnormal end (timeout, crash, quota, garbage on the
    pipe) kills the kernel and raises :class:`ExecutionError`; the sandbox starts a fresh
    one on next use. ``clean`` stays true while every request ran in a forked child (pytest,
    forked snippets), so the kernel is as good as a fresh one.
    """

    def __init__(self, sandbox: Sandbox, channel: Channel) -> None:
        self.sandbox = sandbox
        self.channel = channel
        self.alive = True
        self.clean = True
        self._ready = False
        self._buffer = b""
        self._allowance = (0, 0)

    def execute(self, code: str, timeout: float | None = None, *, fork: bool = False) -> Execution:
        """Run ``code`` in the persistent namespace; the last expression's repr is returned.
        With ``fork`` it runs in a throwaway child, and the namespace stays as it was."""
        if not fork:
            self.clean = False
        reply = self._request({"op": "exec", "code": code, "fork": fork}, timeout)
        limit = self.sandbox.limits.output_bytes
        try:
            return Execution(
                stdout=capped(_text(reply["stdout"]), int(reply["stdout_bytes"]), limit),
                stderr=capped(_text(reply["stderr"]), int(reply["stderr_bytes"]), limit),
                value=_text(reply["value"], optional=True),
                error=_text(reply["error"], optional=True),
            )
        except (KeyError, TypeError, ValueError):
            return self._fail("protocol", _MALFORMED)

    def pytest(self, args: Sequence[str], timeout: float | None = None) -> TestReport:
        """Run pytest with ``args`` in a child forked from the kernel."""
        limit = timeout if timeout is not None else self.sandbox.limits.timeout_seconds
        reply = self._request({"op": "pytest", "args": list(args), "timeout": limit}, limit + 5.0)
        try:
            output = _text(reply["stdout"])
            return TestReport(
                exit_code=int(reply["exit_code"]),
                tests=tuple((_text(n), _text(o), _text(t)) for n, o, t in reply["tests"]),
                output=capped(output, int(reply["stdout_bytes"]), self.sandbox.limits.output_bytes),
                timed_out=bool(reply["timed_out"]),
                error=_text(reply.get("error"), optional=True),
            )
        except (KeyError, TypeError, ValueError):
            return self._fail("protocol", _MALFORMED)

    def close(self) -> None:
        if self.alive:
            self.alive = False
            self.channel.kill()

    # -------------------------------------------------------------- protocol
    def _request(self, request: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        if not self.alive:
            raise ExecutionError("crashed", "The interpreter is no longer running.")
        seconds = self.sandbox.limits.timeout_seconds if timeout is None else float(timeout)
        self._allowance = self.sandbox.disk_usage()
        if not self._ready:
            hello = self._read(_START_SECONDS, starting=True)
            if not hello.get("ready"):
                self._fail("protocol", "The sandboxed interpreter did not start properly.")
            self._ready = True
        try:
            self.channel.send(json.dumps(request).encode() + b"\n")
        except OSError:
            self._fail("crashed", "The interpreter exited unexpectedly.")
        reply = self._read(seconds)
        if not reply.get("ok"):
            self._fail("protocol", f"The interpreter rejected the request: {reply.get('error')}")
        self._check_disk()
        return reply

    def _read(self, seconds: float, starting: bool = False) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                if starting:
                    self._fail("crashed", "The sandboxed interpreter did not start in time.")
                self._fail(
                    "timeout",
                    f"Execution took longer than {seconds:g} seconds and was stopped.",
                )
            chunk = self.channel.receive(min(left, _POLL_SECONDS))
            if chunk is None:
                self._check_disk()
                continue
            if not chunk:
                what = "failed to start" if starting else "exited unexpectedly"
                self._fail(
                    "crashed",
                    (starting and self.sandbox.start_problem())
                    or f"The interpreter {what} (it may have crashed or used up its CPU time).",
                )
            self._buffer += chunk
            if len(self._buffer) > _MAX_FRAME:
                self._fail("protocol", "The interpreter sent an oversized reply.")
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            self._fail("protocol", _MALFORMED)
        if not isinstance(reply, dict):
            self._fail("protocol", "The interpreter's reply was not an object.")
        return reply

    def _check_disk(self) -> None:
        problem = self.sandbox.disk_problem(self._allowance)
        if problem:
            self._fail("disk_quota", problem)

    def _fail(self, reason: str, message: str) -> Any:
        self.close()
        raise ExecutionError(reason, message)


class Sandbox(ABC):
    """A place to run untrusted code: a workspace, a warm worker, and one-shot runs.

    Args:
        limits: what each run may consume.
        preload: modules the warm worker imports when it starts (``("pytest",)``), so the
            first request does not pay for them.
        spare: keep a second worker starting in the background, so replacing the worker
            (each episode starts a fresh one) costs no start-up time.
    """

    inside = INSIDE

    def __init__(
        self, limits: Limits | None = None, *, preload: Sequence[str] = (), spare: bool = True
    ) -> None:
        self.limits = limits or Limits()
        self.preload = tuple(preload)
        self.spare = spare
        self._worker: Worker | None = None
        self._spare: Channel | None = None
        self.closed = False

    # ------------------------------------------------------------- interface
    @property
    @abstractmethod
    def workspace(self) -> Workspace:
        """The working directory, as the host sees it."""

    @abstractmethod
    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> RunResult:
        """Run one command in the workspace; ``argv[0]`` may be ``"python"``."""

    @abstractmethod
    def _spawn_kernel(self) -> Channel:
        """Start a kernel process in the background (without waiting for it to be ready)."""

    # ---------------------------------------------------------------- worker
    def worker(self) -> Worker:
        """The warm worker, started (or taken from the spare) if there is none."""
        self._check_open()
        if self._worker is None or not self._worker.alive:
            channel = self._spare if self._spare is not None else self._spawn_kernel()
            self._spare = self._spawn_kernel() if self.spare else None
            self._worker = Worker(self, channel)
        return self._worker

    def execute(self, code: str, timeout: float | None = None, *, fork: bool = False) -> Execution:
        """Run ``code`` in the warm worker (see :meth:`Worker.execute`)."""
        return self.worker().execute(code, timeout, fork=fork)

    def pytest(self, args: Sequence[str], timeout: float | None = None) -> TestReport:
        """Run pytest in the warm worker (see :meth:`Worker.pytest`)."""
        return self.worker().pytest(args, timeout)

    def stop_worker(self) -> None:
        """Kill the warm worker; the next request starts a fresh one (the spare)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def reset(self, files: Mapping[str, bytes], *, keep_clean_worker: bool = False) -> None:
        """A fresh episode: a new worker, and a workspace holding exactly ``files``.

        ``keep_clean_worker`` keeps a worker in which no code has run outside a forked child
        (see :attr:`Worker.clean`) instead of starting another: it is as fresh, and warm.
        """
        self._check_open()
        worker = self._worker
        if not (keep_clean_worker and worker is not None and worker.alive and worker.clean):
            self.stop_worker()
        self.workspace.replace(files)

    def disk_usage(self) -> tuple[int, int]:
        """Bytes on disk and entries in the workspace."""
        return self.workspace.usage(limit=MAX_ENTRIES)

    def disk_problem(self, allowance: tuple[int, int] = (0, 0)) -> str | None:
        """Why the workspace is over its budget, or ``None``.

        The budget is the larger of the limit and ``allowance`` (the use when a run started),
        so a run may always delete files from a workspace that is already too full.
        """
        used, entries = self.disk_usage()
        if used > max(self.limits.disk_bytes, allowance[0]):
            return (
                f"The workspace exceeded its disk quota ({used >> 20} MiB used, "
                f"{self.limits.disk_bytes >> 20} MiB allowed), so the run was stopped. "
                "Delete files to free space."
            )
        if entries > max(MAX_ENTRIES, allowance[1]):
            return (
                f"The workspace holds more than {MAX_ENTRIES} files, so the run was stopped. "
                "Delete files to continue."
            )
        return None

    def start_problem(self) -> str | None:
        """Why an interpreter could not start, when the sandbox can tell; else ``None``."""
        return None

    def close(self) -> None:
        """Stop every process of the sandbox and remove its files. Idempotent."""
        if self.closed:
            return
        self.closed = True
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._spare is not None:
            self._spare.kill()
            self._spare = None
        self._release()

    @abstractmethod
    def _release(self) -> None:
        """Backend clean-up after the workers are gone."""

    def _check_open(self) -> None:
        if self.closed:
            raise SandboxError("This sandbox is closed; create a new one.")

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
