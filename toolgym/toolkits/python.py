"""A stateful Python interpreter over a directory of data files, like a notebook kernel.

Each episode gets a fresh interpreter (a warm worker in the sandbox) and a fresh copy of the
task's files; variables persist from one ``run_python`` call to the next. The files are kept in
memory and written out at reset, so a reset costs a few small writes, not regeneration.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Change
from toolgym.core.tool import Toolkit, tool
from toolgym.sandbox import ExecutionError, Limits, Sandbox, WorkspaceError, make_sandbox

__all__ = ["DEFAULT_LIMITS", "MAX_CODE_CHARS", "PythonToolkit", "canonical", "sandbox_error"]

DEFAULT_LIMITS = Limits(timeout_seconds=20.0, cpu_seconds=120, output_bytes=16 << 10)
MAX_CODE_CHARS = 100_000

Code = Annotated[
    str,
    Field(description="Python source to run. The value of a final expression is returned."),
]
Snapshot = tuple[tuple[tuple[str, bytes], ...], tuple[str, ...]]


def _default_sandbox() -> Sandbox:
    return make_sandbox(DEFAULT_LIMITS)


class _IdleSandboxes:
    """Sandboxes no episode holds, per factory (so per backend and limits).

    A toolkit gives its sandbox back whenever its files are staged afresh (every reset, and
    after the reference run), and takes one (resetting it onto its own files) when code next
    runs. Instances between runs therefore hold no interpreter: a thousand Workspace envs in a
    vector share a few sandboxes instead of starting one each. A taken sandbox is always reset
    onto the taker's files with a fresh worker, so sharing never shows in a trajectory.
    """

    KEEP = 4

    def __init__(self) -> None:
        self._idle: dict[Callable[[], Sandbox], list[Sandbox]] = {}
        self._lock = threading.Lock()

    def take(self, factory: Callable[[], Sandbox]) -> Sandbox:
        with self._lock:
            stack = self._idle.get(factory, [])
            while stack:
                sandbox = stack.pop()
                if not sandbox.closed:
                    return sandbox
        return factory()

    def give(self, factory: Callable[[], Sandbox], sandbox: Sandbox) -> None:
        with self._lock:
            stack = self._idle.setdefault(factory, [])
            if len(stack) < self.KEEP and not sandbox.closed:
                stack.append(sandbox)
                return
        sandbox.close()


_IDLE = _IdleSandboxes()


def sandbox_error(exc: ExecutionError) -> ToolError:
    """What the agent reads when a run ended abnormally (the interpreter was restarted)."""
    return ToolError(
        exc.reason,
        f"{exc.message} The Python interpreter was restarted: variables and imports from "
        "earlier calls are gone, files in the working directory remain.",
    )


def canonical(path: str, data: bytes | None) -> str | None:
    """A file's content in the form checkers compare: JSON by value, other text as is."""
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    if path.endswith(".json"):
        try:
            return json.dumps(_plain(json.loads(text)), sort_keys=True)
        except ValueError:
            return text
    return text


def _plain(value: Any) -> Any:
    """JSON numbers by value: ``2.0`` and ``2`` are the same, floats rounded to 6 places."""
    if isinstance(value, float):
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class PythonToolkit(Toolkit):
    """The interpreter tool and the files it works on.

    Args:
        sandbox: builds the sandbox on first use (default: :func:`~toolgym.sandbox.make_sandbox`
            with :data:`DEFAULT_LIMITS`); pass one to choose the backend or the limits.
    """

    name = "python"

    def __init__(self, sandbox: Callable[[], Sandbox] | None = None) -> None:
        self._make_sandbox = sandbox or _default_sandbox
        self._sandbox: Sandbox | None = None
        self._staged = False
        self.files: dict[str, bytes] = {}
        self.outputs: tuple[str, ...] = ()

    @property
    def sandbox(self) -> Sandbox:
        """The interpreter, started (or started over on the staged files) on first use: an
        env whose episodes never run Python (most Workspace tasks) never starts one."""
        if self._sandbox is None:
            self._sandbox = _IDLE.take(self._make_sandbox)
            self._staged = True  # whoever had it last, it starts over on these files
        if self._staged:
            self._staged = False
            self._sandbox.reset(self.files, keep_clean_worker=True)
        return self._sandbox

    def stage(self, files: Mapping[str, bytes], outputs: Sequence[str] = ()) -> None:
        """Start over with exactly ``files`` and a fresh interpreter (when next used);
        ``outputs`` are files the task expects the agent to write (they count as changes)."""
        self.files = dict(files)
        self.outputs = tuple(outputs)
        self._staged = True
        if self._sandbox is not None:  # not needed until code runs again: let others use it
            _IDLE.give(self._make_sandbox, self._sandbox)
            self._sandbox = None

    # ----------------------------------------------------------------- state
    def fork(self) -> PythonToolkit:
        """An interpreter of its own (started on first use) over the same files."""
        clone = PythonToolkit(self._make_sandbox)
        clone.files, clone.outputs = dict(self.files), self.outputs
        return clone

    def snapshot(self) -> Snapshot:
        return tuple(sorted(self.files.items())), self.outputs

    def restore(self, snapshot: Snapshot) -> None:
        files, outputs = snapshot
        self.stage(dict(files), outputs)

    def changes_since(self, snapshot: Snapshot) -> list[Change]:
        """Task files and expected outputs whose content differs from ``snapshot``."""
        files, outputs = snapshot
        before = dict(files)
        out: list[Change] = []
        for path in sorted(set(before) | set(outputs)):
            old = canonical(path, before.get(path))
            new = canonical(path, self._current(path))
            if old != new:
                out.append(("files", path, old, new))
        return out

    def _current(self, path: str) -> bytes | None:
        if self._staged:  # not run since staged: the files are as given
            return self.files.get(path)
        try:
            return self.sandbox.workspace.read_bytes(path, limit=4 << 20)
        except WorkspaceError:
            return None

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    # ----------------------------------------------------------------- tools
    @tool(mutates=True)
    def run_python(self, code: Code) -> dict[str, Any]:
        """Run Python code in a persistent interpreter whose working directory holds the task's
        files. Variables, functions and imports persist between calls. Returns stdout, stderr,
        the value of the last expression (as repr) and the traceback if an exception occurred."""
        if len(code) > MAX_CODE_CHARS:
            raise ToolError(
                "invalid_arguments",
                f"'code' is {len(code)} characters long; at most {MAX_CODE_CHARS} are allowed.",
            )
        try:  # the reference run forks the warm kernel, which stays clean for the agent
            done = self.sandbox.execute(code, fork=self.rehearsing)
        except ExecutionError as exc:
            raise sandbox_error(exc) from None
        return {
            "stdout": done.stdout,
            "stderr": done.stderr,
            "result": done.value,
            "error": done.error,
        }
