"""The codebase toolkit: file tools, pytest in the sandbox, and the checker's function calls."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from toolgym.core.errors import ToolError
from toolgym.envs.bugs import BUG_KINDS, CATALOGUE
from toolgym.envs.codebase import build_project, hidden_calls, verdict
from toolgym.sandbox import Limits, LocalSandbox, SandboxWarning
from toolgym.toolkits.codebase import CodebaseToolkit
from toolgym.toolkits.python import PythonToolkit

PROJECT = {
    "pkg/__init__.py": b"",
    "pkg/maths.py": b"def double(x):\n    return x * 2\n\n\ndef triple(x):\n    return x * 2\n",
    "tests/test_maths.py": (
        b"from pkg.maths import double, triple\n\n\ndef test_double():\n    assert double(2) == 4\n"
        b"\n\ndef test_triple():\n    assert triple(2) == 6\n"
    ),
    "README.md": b"# pkg\n",
}


def sandbox() -> LocalSandbox:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SandboxWarning)
        return LocalSandbox(Limits(timeout_seconds=5, output_bytes=8192), preload=("pytest",))


@pytest.fixture(scope="module")
def toolkit() -> Iterator[CodebaseToolkit]:
    code = CodebaseToolkit(sandbox=sandbox)
    yield code
    code.close()


@pytest.fixture
def tools(toolkit: CodebaseToolkit):
    toolkit.load(PROJECT)
    named = {t.name: t for t in toolkit.tools()}
    return lambda name, **args: named[name](args)


def test_tool_names_do_not_collide_with_other_toolkits() -> None:
    names = {t.name for t in CodebaseToolkit().tools()}
    assert names == {
        "code_list",
        "code_read",
        "code_grep",
        "code_edit",
        "code_write",
        "run_tests",
        "code_run_python",
    }
    assert not names & {t.name for t in PythonToolkit().tools()}


def test_list_read_and_grep(toolkit: CodebaseToolkit, tools) -> None:
    listed = tools("code_list")
    assert [e["path"] for e in listed["entries"]] == [
        "README.md",
        "pkg",
        "pkg/__init__.py",
        "pkg/maths.py",
        "tests",
        "tests/test_maths.py",
    ]
    assert tools("code_list", path="pkg")["entries"][0] == {
        "path": "pkg/__init__.py",
        "type": "file",
        "size": 0,
    }
    inside = toolkit.sandbox.workspace.inside
    read = tools("code_read", path=f"{inside}/pkg/maths.py", start_line=5, end_line=6)
    assert read["content"] == "def triple(x):\n    return x * 2\n"
    assert (read["path"], read["total_lines"]) == ("pkg/maths.py", 6)
    found = tools("code_grep", pattern=r"return x \* 2")
    assert [(m["path"], m["line"]) for m in found["matches"]] == [
        ("pkg/maths.py", 2),
        ("pkg/maths.py", 6),
    ]
    assert tools("code_grep", pattern="double", path="tests")["count"] == 3


@pytest.mark.parametrize(
    ("name", "args", "code"),
    [
        ("code_read", {"path": "pkg/missing.py"}, "not_found"),
        ("code_read", {"path": "pkg"}, "is_a_directory"),
        ("code_read", {"path": "../etc/passwd"}, "invalid_path"),
        ("code_read", {"path": "/etc/passwd"}, "invalid_path"),
        ("code_read", {"path": "pkg/maths.py", "start_line": 99}, "invalid_arguments"),
        ("code_grep", {"pattern": "(unclosed"}, "invalid_arguments"),
        ("code_list", {"path": "nowhere"}, "not_found"),
        ("code_edit", {"path": "pkg/maths.py", "old": "x * 3", "new": "y"}, "not_found"),
        ("code_edit", {"path": "pkg/maths.py", "old": "return x * 2", "new": "y"}, "ambiguous"),
        ("code_edit", {"path": "pkg/maths.py", "old": "", "new": "y"}, "invalid_arguments"),
        ("code_write", {"path": "../outside.py", "content": "x"}, "invalid_path"),
        ("run_tests", {"path": "tests/missing.py"}, "not_found"),
    ],
)
def test_errors_are_clear(tools, name: str, args: dict, code: str) -> None:
    with pytest.raises(ToolError) as err:
        tools(name, **args)
    assert err.value.code == code
    assert err.value.message


def test_ambiguous_edit_names_the_lines(tools) -> None:
    with pytest.raises(ToolError, match=r"occurs 2 times .*lines 2, 6"):
        tools("code_edit", path="pkg/maths.py", old="return x * 2", new="return x * 3")


def test_edit_write_and_run_tests(tools) -> None:
    before = tools("run_tests")
    assert before["summary"] == "1 failed, 1 passed"
    assert before["failures"][0]["test"] == "tests/test_maths.py::test_triple"
    assert "assert 4 == 6" in before["failures"][0]["details"]
    edited = tools(
        "code_edit",
        path="pkg/maths.py",
        old="def triple(x):\n    return x * 2",
        new="def triple(x):\n    return x * 3",
    )
    assert edited == {"path": "pkg/maths.py", "line": 5}
    after = tools("run_tests")
    assert (after["summary"], after["passed"], after["failures"]) == ("2 passed", 2, [])
    tools("code_write", path="tests/extra/test_more.py", content="def test_more():\n    pass\n")
    assert tools("run_tests", path="tests/extra")["summary"] == "1 passed"


def test_run_tests_reports_collection_errors_and_timeouts(tools) -> None:
    tools("code_write", path="pkg/maths.py", content="def double(x:\n")
    broken = tools("run_tests")
    assert broken["errors"] >= 1 and "SyntaxError" in broken["failures"][0]["details"]
    tools(
        "code_write",
        path="tests/test_slow.py",
        content="def test_forever():\n    while True:\n        pass\n",
    )
    with pytest.raises(ToolError) as err:
        tools("run_tests", path="tests/test_slow.py")
    assert err.value.code == "timeout"


def test_run_python_sees_the_project(tools) -> None:
    assert tools("code_run_python", code="import pkg.maths\npkg.maths.double(21)")["result"] == "42"
    tools("code_edit", path="pkg/maths.py", old="return x * 2\n\n\n", new="return x + x + 1\n\n\n")
    reloaded = tools(
        "code_run_python", code="import importlib\nimportlib.reload(pkg.maths).double(1)"
    )
    assert reloaded["result"] == "3"


def test_links_planted_by_code_are_not_followed(tools) -> None:
    tools(
        "code_run_python", code="import os\nos.symlink('/etc/passwd', 'pw')\nos.symlink('/', 'up')"
    )
    for path in ("pw", "up/etc/passwd"):
        with pytest.raises(ToolError) as err:
            tools("code_read", path=path)
        assert err.value.code in ("symlink", "not_a_directory")
    with pytest.raises(ToolError):
        tools("code_write", path="up/tmp/escaped.txt", content="x")


CALLS = [["maths", "double", [2], {}], ["maths", "triple", [2], {}]]


def test_call_functions_sees_only_the_package_sources(toolkit: CodebaseToolkit, tools) -> None:
    """What the agent plants outside the package's .py files does not reach the checker."""
    planted = "import os\nos._exit(0)\n"
    for path in ("conftest.py", "pytest.py", "sitecustomize.py", "usercustomize.py"):
        tools("code_write", path=path, content=planted)
    tools("code_write", path="zz.pth", content="import os; os._exit(0)\n")
    tools("code_write", path="pkg/zz.pth", content="import os; os._exit(0)\n")
    report = toolkit.call_functions("pkg", ["maths"], CALLS)
    assert report.error is None
    assert report.outcomes == (["ok", ["int", "4"]], ["ok", ["int", "4"]])


@pytest.mark.parametrize(
    ("init", "error"),
    [
        ("import os\nos._exit(0)\n", "no complete record"),
        ("import sys\nsys.stdout.write('ok\\n')\nraise SystemExit(0)\n", None),
        ("while True:\n    pass\n", "timed out"),
    ],
)
def test_a_package_that_exits_or_hangs_gets_no_verdict(
    toolkit: CodebaseToolkit, tools, init: str, error: str | None
) -> None:
    tools("code_write", path="pkg/__init__.py", content=init)
    report = toolkit.call_functions("pkg", ["maths"], CALLS)
    if error is None:  # an import that raises is an outcome of every call, not a pass
        assert report.outcomes == (["import_error", "SystemExit"],) * 2
    else:
        assert report.error is not None and error in report.error and report.outcomes == ()


def test_a_forged_record_states_only_what_the_forger_knows(toolkit: CodebaseToolkit, tools) -> None:
    """Code under test can read the harness's nonce and write a well-framed record; it still
    has to state the right values, which it cannot know for inputs it has not seen."""
    forge = (
        "import json, sys\n"
        "config = json.loads(sys.argv[1])\n"
        "record = json.dumps([['ok', ['int', '6']] for _ in config['calls']])\n"
        "open(config['output'], 'w').write(config['nonce'] + '\\n' + record + '\\n' "
        "+ config['nonce'] + '\\n')\n"
        "import os\nos._exit(0)\n"
    )
    tools("code_write", path="pkg/__init__.py", content=forge)
    report = toolkit.call_functions("pkg", ["maths"], CALLS)
    assert report.outcomes == (["ok", ["int", "6"]], ["ok", ["int", "6"]])


def test_a_function_that_hangs_times_out_alone(toolkit: CodebaseToolkit, tools) -> None:
    tools(
        "code_edit",
        path="pkg/maths.py",
        old="def triple(x):\n    return x * 2",
        new="def triple(x):\n    while True:\n        pass",
    )
    calls = [*CALLS, ["maths", "triple", [3], {}], ["maths", "double", [5], {}]]
    report = toolkit.call_functions("pkg", ["maths"], calls)
    assert report.outcomes == (
        ["ok", ["int", "4"]],
        ["timeout"],
        ["timeout"],
        ["ok", ["int", "10"]],
    )


@pytest.mark.parametrize("function", [f.name for f in CATALOGUE])
def test_each_planted_bug_fails_fixed_and_the_reference_passes(
    toolkit: CodebaseToolkit, function: str
) -> None:
    kind = next(f.bug.kind for f in CATALOGUE if f.name == function)
    project = build_project(np.random.default_rng(7), kind, "hard", function)
    toolkit.load(project.files)
    calls = hidden_calls(project, 11)
    before = verdict(
        project, calls, toolkit.call_functions(project.package, project.modules, calls)
    )
    assert before == {"fixed": False, "no_regressions": True}
    for module, source in project.reference.items():
        toolkit.sandbox.workspace.write_bytes(f"{project.package}/{module}.py", source.encode())
    after = verdict(project, calls, toolkit.call_functions(project.package, project.modules, calls))
    assert after == {"fixed": True, "no_regressions": True}


def test_the_catalogue_covers_every_kind_twice() -> None:
    kinds = [f.bug.kind for f in CATALOGUE]
    assert sorted(set(kinds)) == sorted(BUG_KINDS) and len(BUG_KINDS) >= 8
    assert all(kinds.count(k) >= 2 for k in BUG_KINDS)
