"""A small Python project on disk, the tools to read and change it, and pytest to run it.

The project lives in a sandbox's workspace, so what the agent edits is what the tests import.
File tools run on the host but never follow links out of the workspace; tests and Python run
in the sandbox. Tool names carry a ``code_`` prefix (``run_tests`` is already distinct) so this
toolkit can sit next to the filesystem toolkit in one environment.

A fix is judged by what the code does, not by the text of the diff, and not by what the code
says about itself: :meth:`CodebaseToolkit.call_functions` copies only the package's ``.py``
files into a second, fresh sandbox, calls its functions there on inputs the agent never saw
(:mod:`toolgym.sandbox.harness`), and returns the outcomes for a checker to compare, outside
any sandbox, with a reference's. Pytest's verdict is never asked for: it comes from a process
that imports the package, so the package could write it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any

import regex
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Change
from toolgym.core.tool import Toolkit, tool
from toolgym.sandbox import (
    ExecutionError,
    Limits,
    Sandbox,
    TestReport,
    Workspace,
    WorkspaceError,
    make_sandbox,
)
from toolgym.toolkits.patterns import PatternSearch
from toolgym.toolkits.python import MAX_CODE_CHARS, sandbox_error

__all__ = ["DEFAULT_LIMITS", "PYTEST_ARGS", "CallReport", "CodebaseToolkit", "summarise"]

DEFAULT_LIMITS = Limits(timeout_seconds=30.0, cpu_seconds=300, output_bytes=16 << 10)
PYTEST_ARGS = ("-q", "--no-header", "-p", "no:cacheprovider", "--tb=short")
CALL_SECONDS = 2.0
MAX_RECORD_BYTES = 8 << 20
MAX_CONFIG_BYTES = 100_000  # one argv string (Linux takes at most 128 KiB)
MAX_READ_LINES = 2000
MAX_MATCHES = 200
MAX_LISTED = 500
SKIPPED_DIRS = ("__pycache__", ".pytest_cache", ".git")
_DURATION = re.compile(r" in \d+(?:\.\d+)?s(?: \([^)]*\))?")

Path = Annotated[
    str, Field(description="File path relative to the project root, e.g. 'pkg/mod.py'.")
]
Snapshot = tuple[tuple[str, bytes], ...]


def summarise(report: TestReport) -> dict[str, Any]:
    """A test run as the agent reads it: counts, a pytest-style summary line, the failures."""
    counts = report.counts()
    order = ("failed", "error", "passed", "skipped")
    words = {"error": "errors"}
    parts = [
        f"{counts[k]} {words.get(k, k) if counts[k] != 1 else k}" for k in order if counts.get(k)
    ]
    summary = ", ".join(parts) or "no tests ran"
    failures = [
        {"test": nodeid, "outcome": outcome, "details": text}
        for nodeid, outcome, text in report.tests
        if outcome in ("failed", "error")
    ]
    out: dict[str, Any] = {
        "summary": summary,
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0),
        "errors": counts.get("error", 0),
        "failures": failures[:20],
    }
    if report.error:
        out["internal_error"] = report.error
    if not report.tests and report.output.strip():
        out["output"] = _DURATION.sub("", report.output)
    return out


@dataclass(frozen=True)
class CallReport:
    """Outcomes of calling a package's functions in the checker, one per call in the format of
    :mod:`toolgym.sandbox.harness`; or, when there is no complete record, why (``error``)."""

    outcomes: tuple[Any, ...] = ()
    error: str | None = None


def harness_source() -> str:
    """The source of the call harness (``toolgym/sandbox/harness.py``)."""
    return resources.files("toolgym.sandbox").joinpath("harness.py").read_text("utf-8")


def _record(data: bytes, nonce: str, count: int) -> list[Any] | None:
    """The outcomes in a harness record, or ``None`` unless it is complete and well formed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head, tail = f"{nonce}\n", f"\n{nonce}\n"
    if not (text.startswith(head) and text.endswith(tail)) or len(text) < len(head + tail):
        return None
    try:
        outcomes = json.loads(text[len(head) : -len(tail)])
    except (ValueError, RecursionError):
        return None
    if not isinstance(outcomes, list) or len(outcomes) != count:
        return None
    if not all(isinstance(o, list) and o and isinstance(o[0], str) for o in outcomes):
        return None
    return outcomes


_MAX_REMEMBERED_RUNS = 256


def _fingerprint(kind: str, files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256(kind.encode())
    for path in sorted(files):
        digest.update(b"\0" + path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


class CodebaseToolkit(Toolkit):
    """A Python project the agent can list, read, search, edit, test and run.

    Args:
        sandbox: builds a sandbox (called twice: one for the agent's workspace, one for
            checking fixes); default :func:`~toolgym.sandbox.make_sandbox` with
            :data:`DEFAULT_LIMITS`.
    """

    name = "codebase"

    def __init__(self, sandbox: Callable[[], Sandbox] | None = None) -> None:
        self._make_sandbox = sandbox or (lambda: make_sandbox(DEFAULT_LIMITS, preload=("pytest",)))
        self._sandbox: Sandbox | None = None
        self._checker: Sandbox | None = None
        self.files: dict[str, bytes] = {}
        self._runs: dict[str, Any] = {}

    @property
    def sandbox(self) -> Sandbox:
        """Where the agent's project lives and its code runs."""
        if self._sandbox is None:
            self._sandbox = self._make_sandbox()
        return self._sandbox

    @property
    def checker(self) -> Sandbox:
        """A separate sandbox for judging fixes, never touched by the agent's code."""
        if self._checker is None:
            self._checker = self._make_sandbox()
        return self._checker

    def load(self, files: Mapping[str, bytes]) -> None:
        """Start over with exactly this project and a fresh interpreter."""
        self.files = dict(files)
        self.sandbox.reset(self.files)

    def call_functions(
        self, package: str, modules: Sequence[str], calls: Sequence[Sequence[Any]]
    ) -> CallReport:
        """Call functions of ``package``'s current code on ``calls`` (``[module, function,
        args, kwargs]`` each) in the checker sandbox; the outcomes, or why there are none.

        Only the package's ``.py`` files go into the checker, so nothing the agent put
        elsewhere (a ``conftest.py``, a ``sitecustomize.py``, a ``.pth`` file, a fake
        ``pytest``) is there. The harness creates its record file before the package is
        imported and frames it with a fresh nonce; a crash, a timeout or a missing, cut or
        malformed record is an error, which a checker must count as a failure.
        """
        prefix = package.rstrip("/") + "/"
        sources = {
            path: data
            for path, data in self.sandbox.workspace.files().items()
            if path.startswith(prefix) and path.endswith(".py")
        }
        request = [package, list(modules), [list(c) for c in calls]]
        key = _fingerprint("call_functions " + json.dumps(request), sources)
        if key in self._runs:
            return self._runs[key]
        nonce = secrets.token_hex(16)
        output = f".outcomes-{nonce}"
        config = {
            "package": package,
            "modules": list(modules),
            "calls": request[2],
            "output": output,
            "nonce": nonce,
            "call_seconds": CALL_SECONDS,
        }
        argument = json.dumps(config)
        if len(argument) > MAX_CONFIG_BYTES:
            raise ValueError(
                f"{len(calls)} calls make a {len(argument)}-byte request; at most "
                f"{MAX_CONFIG_BYTES} bytes fit in one call_functions (split the calls)"
            )
        self.checker.reset(sources)
        try:
            done = self.checker.run(["python", "-s", "-c", harness_source(), argument])
        except ExecutionError as exc:
            return CallReport(error=f"the checker stopped ({exc.reason}): {exc.message}")
        if done.timed_out:
            return CallReport(error="the checker run timed out")
        try:
            data = self.checker.workspace.read_bytes(output, limit=MAX_RECORD_BYTES + 1)
        except WorkspaceError:
            data = b""
        outcomes = _record(data, nonce, len(calls)) if len(data) <= MAX_RECORD_BYTES else None
        if outcomes is None:
            return CallReport(
                error=f"no complete record (exit code {done.exit_code}): {done.stderr[-500:]}"
            )
        return self._remember(key, CallReport(tuple(outcomes)))

    def _remember(self, key: str, value: Any) -> Any:
        """Test runs and checker calls are pure functions of the files they see (the sandbox
        has no network, clock-free summaries, a fixed hash seed), so a run over identical files
        is answered from memory: an agent that reruns unchanged tests gets the same answer at
        once, and a state judged once is not judged again."""
        if len(self._runs) >= _MAX_REMEMBERED_RUNS:
            del self._runs[next(iter(self._runs))]
        self._runs[key] = value
        return value

    # ----------------------------------------------------------------- state
    def snapshot(self) -> Snapshot:
        return tuple(sorted(self.files.items()))

    def restore(self, snapshot: Snapshot) -> None:
        """Back to the snapshot's files. The interpreter is kept if no code has run in it but
        in forked children since the project was loaded (the reference run's snippets,
        pytest): it is as fresh, warm, and its history is this episode's alone."""
        self.files = dict(snapshot)
        self.sandbox.reset(self.files, keep_clean_worker=True)

    def changes_since(self, snapshot: Snapshot) -> list[Change]:
        """Nothing: a fix is judged by what its code does (see :meth:`call_functions`), since
        equally good fixes differ in text."""
        return []

    def close(self) -> None:
        for box in (self._sandbox, self._checker):
            if box is not None:
                box.close()
        self._sandbox = self._checker = None

    # --------------------------------------------------------------- helpers
    def _error(self, exc: WorkspaceError) -> ToolError:
        code = {"not_found": "not_found", "outside": "invalid_path", "invalid": "invalid_path"}
        return ToolError(code.get(exc.kind, exc.kind), exc.message)

    def _text(self, path: str) -> str:
        ws = self.sandbox.workspace
        try:
            if ws.size(path) > 4 << 20:
                raise ToolError("too_large", f"'{path}' is larger than 4 MiB; read it in Python.")
            data = ws.read_bytes(path)
        except WorkspaceError as exc:
            raise self._error(exc) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ToolError("binary_file", f"'{path}' is not UTF-8 text.") from None

    # ----------------------------------------------------------------- tools
    @tool
    def code_list(
        self,
        path: Annotated[str, Field(description="Directory to list; '' is the project root.")] = "",
    ) -> dict[str, Any]:
        """List the files and directories under a directory of the project, recursively."""
        ws = self.sandbox.workspace
        try:
            root = ws.relative(path)
            entries = []
            for entry in ws.walk(root):
                if any(part in SKIPPED_DIRS for part in entry.path.split("/")):
                    continue
                item: dict[str, Any] = {"path": entry.path, "type": entry.kind}
                if entry.kind == "file":
                    item["size"] = entry.size
                entries.append(item)
        except WorkspaceError as exc:
            raise self._error(exc) from None
        out: dict[str, Any] = {"path": root or ".", "entries": entries[:MAX_LISTED]}
        if len(entries) > MAX_LISTED:
            out["note"] = f"{len(entries) - MAX_LISTED} more entries not shown."
        return out

    @tool
    def code_read(
        self,
        path: Path,
        start_line: Annotated[int, Field(ge=1, description="First line to show (1-based).")] = 1,
        end_line: Annotated[
            int | None, Field(ge=1, description="Last line to show (default: to the end).")
        ] = None,
    ) -> dict[str, Any]:
        """Read a text file of the project, optionally only a range of its lines."""
        lines = self._text(path).splitlines(keepends=True)
        if start_line > max(len(lines), 1):
            raise ToolError(
                "invalid_arguments",
                f"start_line {start_line} is past the end of '{path}' ({len(lines)} lines).",
            )
        last = min(len(lines), end_line or len(lines), start_line + MAX_READ_LINES - 1)
        return {
            "path": self.sandbox.workspace.relative(path),
            "start_line": start_line,
            "end_line": last,
            "total_lines": len(lines),
            "content": "".join(lines[start_line - 1 : last]),
        }

    @tool
    def code_grep(
        self,
        pattern: Annotated[str, Field(description="Regular expression (Python syntax).")],
        path: Annotated[str, Field(description="File or directory to search; '' for all.")] = "",
    ) -> dict[str, Any]:
        """Search the project's text files for a regular expression; returns matching lines."""
        try:
            search = PatternSearch(pattern)
        except regex.error as exc:
            raise ToolError("invalid_arguments", f"Invalid regular expression: {exc}.") from None
        ws = self.sandbox.workspace
        try:
            root = ws.relative(path)
            targets = (
                [root]
                if root and ws.exists(root) and _is_file(ws, root)
                else [
                    e.path
                    for e in ws.walk(root)
                    if e.kind == "file"
                    and not any(p in SKIPPED_DIRS for p in e.path.split("/"))
                    and e.size <= 1 << 20
                ]
            )
        except WorkspaceError as exc:
            raise self._error(exc) from None
        matches: list[dict[str, Any]] = []
        total = 0
        for target in targets:
            try:
                text = ws.read_bytes(target).decode("utf-8")
            except (WorkspaceError, UnicodeDecodeError):
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if search(line):
                    total += 1
                    if len(matches) < MAX_MATCHES:
                        matches.append({"path": target, "line": number, "text": line[:300]})
        out: dict[str, Any] = {"pattern": pattern, "matches": matches, "count": total}
        if total > MAX_MATCHES:
            out["note"] = f"Only the first {MAX_MATCHES} matches are shown."
        return out

    @tool(mutates=True)
    def code_edit(
        self,
        path: Path,
        old: Annotated[str, Field(description="Exact text to replace, including indentation.")],
        new: Annotated[str, Field(description="Text to put in its place.")],
    ) -> dict[str, Any]:
        """Replace one exact occurrence of a piece of text in a file."""
        if not old:
            raise ToolError("invalid_arguments", "'old' is empty; give the exact text to replace.")
        text = self._text(path)
        count = text.count(old)
        if count == 0:
            raise ToolError(
                "not_found",
                f"The text to replace was not found in '{path}'. Read the file and copy the "
                "exact text, including indentation and line breaks.",
            )
        if count > 1:
            lines = [text[: m.start()].count("\n") + 1 for m in re.finditer(re.escape(old), text)]
            raise ToolError(
                "ambiguous",
                f"The text to replace occurs {count} times in '{path}' (lines "
                f"{', '.join(map(str, lines[:10]))}); include more surrounding text so it "
                "matches exactly once.",
            )
        at = text.index(old)
        self._write(path, text.replace(old, new, 1))
        return {"path": self.sandbox.workspace.relative(path), "line": text[:at].count("\n") + 1}

    @tool(mutates=True)
    def code_write(
        self,
        path: Path,
        content: Annotated[str, Field(description="The whole new content of the file.")],
    ) -> dict[str, Any]:
        """Create a file, or replace a file's whole content; parent directories are created."""
        self._write(path, content)
        return {"path": self.sandbox.workspace.relative(path), "bytes": len(content.encode())}

    def _write(self, path: str, text: str) -> None:
        data = text.encode("utf-8")
        if len(data) > 1 << 20:
            raise ToolError("too_large", "Files written with these tools are limited to 1 MiB.")
        try:
            self.sandbox.workspace.write_bytes(path, data)
        except WorkspaceError as exc:
            raise self._error(exc) from None
        problem = self.sandbox.disk_problem()
        if problem:
            raise ToolError("disk_quota", problem)

    @tool
    def run_tests(
        self,
        path: Annotated[
            str, Field(description="Test file or directory to run; '' runs the whole suite.")
        ] = "",
    ) -> dict[str, Any]:
        """Run the project's tests with pytest and return the summary and the failures."""
        ws = self.sandbox.workspace
        try:
            target = ws.relative(path) if path else ""
        except WorkspaceError as exc:
            raise self._error(exc) from None
        if target and not ws.exists(target):
            raise ToolError("not_found", f"No such file or directory: '{target}'.")
        key = _fingerprint(f"run_tests {target}", ws.files())
        if key in self._runs:
            return copy.deepcopy(self._runs[key])
        if self.rehearsing:  # the reference run learns the final files, not test results
            return {
                "summary": "not run (reference run)",
                "passed": 0,
                "failed": 0,
                "errors": 0,
                "failures": [],
            }
        try:
            report = self.sandbox.pytest([*PYTEST_ARGS, *([target] if target else [])])
        except ExecutionError as exc:
            raise sandbox_error(exc) from None
        if report.timed_out:
            raise ToolError(
                "timeout",
                f"The test run took longer than {self.sandbox.limits.timeout_seconds:g} seconds "
                "and was stopped (an endless loop?).",
            )
        return copy.deepcopy(self._remember(key, summarise(report)))

    @tool(mutates=True)
    def code_run_python(
        self,
        code: Annotated[
            str, Field(description="Python source; the last expression's value is returned.")
        ],
    ) -> dict[str, Any]:
        """Run Python in a persistent interpreter started in the project root (the project is
        importable). Variables persist between calls; modules are re-imported only on request."""
        if len(code) > MAX_CODE_CHARS:
            raise ToolError(
                "invalid_arguments",
                f"'code' is {len(code)} characters long; at most {MAX_CODE_CHARS} are allowed.",
            )
        try:
            # The reference run's snippets run in a throwaway child: the interpreter the
            # agent then gets is clean, and warm, instead of a second one started per reset.
            done = self.sandbox.execute(code, fork=self.rehearsing)
        except ExecutionError as exc:
            raise sandbox_error(exc) from None
        return {
            "stdout": done.stdout,
            "stderr": done.stderr,
            "result": done.value,
            "error": done.error,
        }


def _is_file(ws: Workspace, path: str) -> bool:
    try:
        ws.size(path)
        return True
    except WorkspaceError:
        return False
