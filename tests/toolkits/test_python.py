"""The Python toolkit: a notebook-like interpreter over the task's files."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from toolgym.core.errors import ToolError
from toolgym.sandbox import Limits, LocalSandbox, SandboxWarning
from toolgym.toolkits.python import MAX_CODE_CHARS, PythonToolkit, canonical


def small_sandbox() -> LocalSandbox:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SandboxWarning)
        return LocalSandbox(Limits(timeout_seconds=2, output_bytes=2048))


@pytest.fixture(scope="module")
def py() -> Iterator[PythonToolkit]:
    toolkit = PythonToolkit(sandbox=small_sandbox)
    yield toolkit
    toolkit.close()


@pytest.fixture
def run(py: PythonToolkit):
    tool = {t.name: t for t in py.tools()}["run_python"]
    py.stage({"data.csv": b"a,b\n1,2\n3,4\n"})
    return lambda code: tool({"code": code})


def test_variables_persist_between_calls(run) -> None:
    assert run("import csv\nrows = list(csv.DictReader(open('data.csv')))")["result"] is None
    assert run("total = sum(int(r['b']) for r in rows)")["error"] is None
    assert run("total * 7") == {"stdout": "", "stderr": "", "result": "42", "error": None}


def test_stdout_stderr_and_errors(run) -> None:
    out = run("import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n{'k': [1, 2]}")
    assert out == {
        "stdout": "to out\n",
        "stderr": "to err\n",
        "result": "{'k': [1, 2]}",
        "error": None,
    }
    failed = run("undefined_name + 1")
    assert failed["result"] is None and "NameError" in failed["error"]
    assert "undefined_name" in failed["error"]
    assert run("1 + 1")["result"] == "2"


def test_output_is_capped(run) -> None:
    out = run("for i in range(10_000):\n    print(i)")
    assert len(out["stdout"]) < 2300 and "output truncated" in out["stdout"]


def test_timeout_is_a_tool_error_and_restarts_the_interpreter(run) -> None:
    run("keep = 'me'")
    with pytest.raises(ToolError) as err:
        run("while True:\n    pass")
    assert err.value.code == "timeout"
    assert "restarted" in err.value.message and "variables" in err.value.message
    assert run("'keep' in globals()")["result"] == "False"
    assert run("open('data.csv').read().splitlines()[0]")["result"] == "'a,b'"


def test_a_crash_is_a_tool_error_and_the_next_call_works(run) -> None:
    with pytest.raises(ToolError) as err:
        run("import os; os._exit(1)")
    assert err.value.code == "crashed"
    assert run("6 * 7")["result"] == "42"


def test_bad_arguments(py: PythonToolkit) -> None:
    tool = {t.name: t for t in py.tools()}["run_python"]
    with pytest.raises(ToolError) as err:
        tool({"code": "x" * (MAX_CODE_CHARS + 1)})
    assert err.value.code == "invalid_arguments"
    with pytest.raises(ToolError) as err:
        tool({"code": 42})
    assert err.value.code == "invalid_arguments"
    with pytest.raises(ToolError):
        tool({})


def test_restore_gives_fresh_files_and_a_fresh_kernel(py: PythonToolkit, run) -> None:
    mark = py.snapshot()
    run("secret = 1\nopen('data.csv', 'w').write('broken')\nopen('scratch.txt', 'w').write('x')")
    assert [(t, k) for t, k, _, _ in py.changes_since(mark)] == [("files", "data.csv")]
    py.restore(mark)
    assert py.changes_since(mark) == []
    assert run("'secret' in globals(), open('data.csv').read()")["result"] == (
        "(False, 'a,b\\n1,2\\n3,4\\n')"
    )
    assert py.sandbox.workspace.files() == {"data.csv": b"a,b\n1,2\n3,4\n"}


def test_outputs_are_compared_by_value(py: PythonToolkit) -> None:
    py.stage({"in.csv": b"x\n"}, outputs=("out.json",))
    mark = py.snapshot()
    tool = {t.name: t for t in py.tools()}["run_python"]
    tool({"code": "import json; json.dump({'b': 2.0, 'a': [1, 0.1 + 0.2]}, open('out.json', 'w'))"})
    [(table, key, before, after)] = py.changes_since(mark)
    assert (table, key, before) == ("files", "out.json", None)
    assert after == canonical("out.json", b'{"a": [1, 0.3], "b": 2}')


def test_close_stops_the_sandbox() -> None:
    toolkit = PythonToolkit(sandbox=small_sandbox)
    toolkit.stage({})
    box = toolkit.sandbox
    {t.name: t for t in toolkit.tools()}["run_python"]({"code": "1"})
    toolkit.close()
    assert box.closed and not box.dir.exists()


def test_toolkits_between_runs_lend_their_sandbox_and_it_starts_over() -> None:
    """A restaged toolkit gives its sandbox back; the next toolkit to run code takes it, on a
    fresh interpreter over its own files: no variable or file of the last holder shows."""
    first, second = PythonToolkit(sandbox=small_sandbox), PythonToolkit(sandbox=small_sandbox)
    try:
        first.stage({"a.txt": b"first"})
        run_first = {t.name: t for t in first.tools()}["run_python"]
        run_first({"code": "secret = 41\nopen('scratch.txt', 'w').write('left over')"})
        box = first.sandbox
        first.stage({"a.txt": b"first"})  # a reset: its sandbox is free for others
        second.stage({"b.txt": b"second"})
        run_second = {t.name: t for t in second.tools()}["run_python"]
        seen = run_second({"code": "import os; 'secret' in globals(), sorted(os.listdir('.'))"})
        assert second.sandbox is box
        assert seen["result"] == "(False, ['b.txt'])"
        again = run_first({"code": "'secret' in globals(), open('a.txt').read()"})
        assert again["result"] == "(False, 'first')" and first.sandbox is not box
    finally:
        first.close()
        second.close()
