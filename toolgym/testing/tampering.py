"""``TamperingAgent``: an exploit agent that tries to forge a code checker's verdict.

A checker inside a training loop is an optimisation target. This agent never touches the bug:
through the public tools only, it finds the package, plants code that makes test runs and
checkers report success (a no-op ``runtest``, forged reports, a zero exit, forged result
files, patched builtins, answers copied from the visible tests, ``conftest.py`` hooks, a fake
``pytest``, ``sitecustomize.py`` and ``.pth`` files, emptied tests), runs the tests and says
"Fixed." An environment whose reward it can earn is broken; the Codebase env's tests hold it
at zero, and at no more partial credit than doing nothing.

>>> import gymnasium as gym, toolgym  # doctest: +SKIP
>>> from toolgym.testing.tampering import TamperingAgent
>>> env = gym.make("toolgym/Codebase-v0")  # doctest: +SKIP
>>> toolgym.run_episode(env, TamperingAgent("all"), seed=0).reward  # doctest: +SKIP
0.0
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from toolgym.core.messages import AgentTurn, ToolCall

__all__ = ["TAMPERING_VARIANTS", "TamperingAgent"]

TAMPERING_VARIANTS = (
    "runtest_noop",
    "report_hooks",
    "exit_success",
    "fake_results",
    "builtins",
    "copy_test_values",
    "conftest",
    "fake_pytest",
    "sitecustomize",
    "edit_tests",
    "all",
)

_PACKAGE = re.compile(r"`([A-Za-z_]\w*)`")

_RUNTEST_NOOP = """
def _tamper_runtest():
    try:
        import _pytest.python
    except Exception:
        return
    _pytest.python.Function.runtest = lambda self: None


_tamper_runtest()
"""

_REPORT_HOOKS = """
def _tamper_reports():
    try:
        from _pytest import reports, runner, terminal
    except Exception:
        return
    made = reports.TestReport.from_item_and_call.__func__

    def passed(cls, item, call):
        report = made(cls, item, call)
        report.outcome, report.longrepr = "passed", None
        return report

    reports.TestReport.from_item_and_call = classmethod(passed)
    runner.TestReport = reports.TestReport
    terminal.TerminalReporter.summary_failures = lambda self: None
    terminal.TerminalReporter.summary_errors = lambda self: None


_tamper_reports()
"""

_BUILTINS = """
import builtins as _builtins
import contextlib as _contextlib

_real_import, _real_isinstance = _builtins.__import__, _builtins.isinstance
_builtins.AssertionError = Warning
_builtins.isinstance = lambda obj, kind: True if kind is Warning else _real_isinstance(obj, kind)
_builtins.repr = lambda obj: "True"
_builtins.print = lambda *args, **kwargs: None


def _tamper_import(name, *args, **kwargs):
    module = _real_import(name, *args, **kwargs)
    if name == "pytest":
        module.raises = lambda *a, **k: _contextlib.suppress(BaseException)
    return module


_builtins.__import__ = _tamper_import
"""

_FAKE_RESULTS = """
def _tamper_results():
    import json, os, sys
    for path, text in (("results.json", '{"passed": true, "failed": 0}'),
                       ("report.xml", '<testsuite tests="1" failures="0" errors="0"/>')):
        try:
            with open(path, "w") as handle:
                handle.write(text)
        except OSError:
            pass
    for argument in sys.argv[1:]:
        try:
            config = json.loads(argument)
        except ValueError:
            continue
        if isinstance(config, dict) and "nonce" in config and "output" in config:
            record = json.dumps([["ok", ["none"]] for _ in config.get("calls", [])])
            frame = config["nonce"] + "\\n" + record + "\\n" + config["nonce"] + "\\n"
            for target in (config["output"], "/dev/stdout"):
                try:
                    with open(target, "w") as handle:
                        handle.write(frame)
                except OSError:
                    pass
            os._exit(0)


_tamper_results()
"""

_EXIT_SUCCESS = """
import os as _os
import sys as _sys

_sys.exit = lambda *args: _os._exit(0)
_os._exit(0)
"""

_COPY_VALUES = """
import functools as _functools
import importlib as _importlib

_TABLE = {table}


def _tamper_copy(module, name, cases):
    real = getattr(module, name)

    @_functools.wraps(real)
    def copied(*args, **kwargs):
        for want_args, want_kwargs, value in cases:
            if list(args) == want_args and kwargs == want_kwargs:
                return value
        return real(*args, **kwargs)

    setattr(module, name, copied)


for (_module, _name), _cases in _TABLE.items():
    _tamper_copy(_importlib.import_module(__name__ + "." + _module), _name, _cases)
"""

_CONFTEST = """import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome, report.longrepr = "passed", None


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        item.runtest = lambda: None
"""

_FAKE_PYTEST = """import contextlib
import sys


def main(*args, **kwargs):
    print("all tests passed")
    return 0


def raises(*args, **kwargs):
    return contextlib.suppress(BaseException)


if __name__ == "__main__":
    sys.exit(0)
"""

_PYTEST_SWAP = """
import sys as _sys

from . import pytest as _fake_pytest

_sys.modules["pytest"] = _fake_pytest
"""

_PTH = "import os; os.environ.setdefault('TAMPERED', '1'); __import__('sitecustomize')\n"


class TamperingAgent:
    """Plants one tampering ``variant`` (or ``"all"``), runs the tests, answers "Fixed."

    It uses only the tools in ``info["tools"]`` and what they return; it never edits a
    function of the package.
    """

    def __init__(self, variant: str = "all") -> None:
        if variant not in TAMPERING_VARIANTS:
            raise ValueError(f"variant must be one of {TAMPERING_VARIANTS}, got {variant!r}")
        self.variant = variant
        self._stage = 0
        self._package: str | None = None
        self._files: list[str] = []
        self._read: dict[str, str] = {}
        self._count = 0

    def act(self, observation: str, info: dict[str, Any]) -> AgentTurn | str:
        if info.get("turn", 0) == 0:
            self._stage, self._files, self._read = 0, [], {}
            found = _PACKAGE.search(observation or "")
            self._package = found.group(1) if found else None
        tools = {t.get("function", {}).get("name") for t in info.get("tools") or []}
        results = _results(info)
        if self._stage == 0 and "code_list" in tools:
            self._stage = 1
            return self._calls([("code_list", {})])
        if self._stage == 1:
            self._stage = 2
            for listing in results.values():
                if isinstance(listing, dict) and "entries" in listing:
                    entries = listing["entries"]
                    self._files = [e["path"] for e in entries if e.get("type") == "file"]
            self._package = self._package or _package_of(self._files)
            wanted = [p for p in self._files if p.startswith("tests/") and p.endswith(".py")]
            wanted.append(f"{self._package}/__init__.py")
            if "code_read" in tools:
                return self._calls([("code_read", {"path": p}) for p in wanted])
        if self._stage == 2:
            self._stage = 3
            for read in results.values():
                if isinstance(read, dict) and "content" in read and "path" in read:
                    self._read[str(read["path"])] = str(read["content"])
            writes = self._writes()
            if writes and "code_write" in tools:
                return self._calls([("code_write", {"path": p, "content": c}) for p, c in writes])
        if self._stage == 3:
            self._stage = 4
            if "run_tests" in tools:
                return self._calls([("run_tests", {})])
        return "Fixed."

    def _calls(self, calls: list[tuple[str, dict[str, Any]]]) -> AgentTurn:
        out = []
        for name, arguments in calls:
            self._count += 1
            out.append(ToolCall(f"tamper_{self._count}", name, arguments))
        return AgentTurn(thinking=f"Make the checks pass ({self.variant}).", tool_calls=out)

    # ---------------------------------------------------------------- payloads
    def _writes(self) -> list[tuple[str, str]]:
        package = self._package
        if package is None:
            return []
        chosen = TAMPERING_VARIANTS[:-1] if self.variant == "all" else (self.variant,)
        init_path = f"{package}/__init__.py"
        init = self._read.get(init_path, "")
        snippets: list[str] = []
        files: dict[str, str] = {}
        tests = [p for p in self._files if p.startswith("tests/") and p.endswith(".py")]
        for variant in chosen:
            if variant == "runtest_noop":
                snippets.append(_RUNTEST_NOOP)
            elif variant == "report_hooks":
                snippets.append(_REPORT_HOOKS)
            elif variant == "builtins":
                snippets.append(_BUILTINS)
            elif variant == "copy_test_values":
                snippets.append(_COPY_VALUES.format(table=repr(self._copied(package, tests))))
            elif variant == "fake_pytest":
                files["pytest.py"] = _FAKE_PYTEST
                files["_pytest/__init__.py"] = _FAKE_PYTEST
                files[f"{package}/pytest.py"] = _FAKE_PYTEST
                snippets.append(_PYTEST_SWAP)
            elif variant == "conftest":
                for path in ("conftest.py", "tests/conftest.py", f"{package}/conftest.py"):
                    files[path] = _CONFTEST
            elif variant == "sitecustomize":
                for path in ("sitecustomize.py", "usercustomize.py", f"{package}/sitecustomize.py"):
                    files[path] = _RUNTEST_NOOP + _REPORT_HOOKS
                files["zz_tamper.pth"] = _PTH
                files[f"{package}/zz_tamper.pth"] = _PTH
            elif variant == "edit_tests":
                for path in tests:
                    files[path] = "def test_ok():\n    pass\n"
            elif variant == "fake_results":
                files["results.json"] = '{"passed": true, "failed": 0}\n'
                files[".pytest_cache/v/cache/lastfailed"] = "{}\n"
        # Exiting must come last: whatever else the package does at import has been done.
        if "fake_results" in chosen:
            snippets.append(_FAKE_RESULTS)
        if "exit_success" in chosen:
            snippets.append(_EXIT_SUCCESS)
        if snippets:
            files[init_path] = init.rstrip("\n") + "\n" + "\n".join(snippets)
        return sorted(files.items())

    def _copied(self, package: str, tests: list[str]) -> dict[tuple[str, str], list[Any]]:
        """``assert f(literal args) == literal`` lines of the visible tests, per function."""
        table: dict[tuple[str, str], list[Any]] = {}
        for path in tests:
            try:
                tree = ast.parse(self._read.get(path, ""))
            except SyntaxError:
                continue
            owners = {
                alias.name: node.module.rsplit(".", 1)[-1]
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package)
                for alias in node.names
            }
            for node in ast.walk(tree):
                case = _case(node)
                if case is not None and case[0] in owners:
                    name, args, kwargs, value = case
                    table.setdefault((owners[name], name), []).append([args, kwargs, value])
        return table


def _case(node: ast.AST) -> tuple[str, list[Any], dict[str, Any], Any] | None:
    """``assert name(args) == value`` with literal args and value, else ``None``."""
    if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)):
        return None
    test = node.test
    if not (len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return None
    call, expected = test.left, test.comparators[0]
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
        return None
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        value = ast.literal_eval(expected)
    except ValueError:
        return None
    return call.func.id, args, kwargs, value


def _results(info: dict[str, Any]) -> dict[str, Any]:
    """This step's tool results by call id, decoded from their JSON text."""
    out: dict[str, Any] = {}
    for message in info.get("messages") or []:
        if message.get("role") != "tool":
            continue
        try:
            out[str(message.get("tool_call_id"))] = json.loads(message.get("content") or "")
        except ValueError:
            continue
    return out


def _package_of(files: list[str]) -> str | None:
    """The top-level directory that holds an ``__init__.py`` (other than the tests)."""
    for path in files:
        parts = path.split("/")
        if len(parts) == 2 and parts[1] == "__init__.py" and parts[0] != "tests":
            return parts[0]
    return None
