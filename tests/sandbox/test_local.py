"""The local sandbox: the warm worker, every resource limit, the fallback without bwrap."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolgym.sandbox import (
    ExecutionError,
    Limits,
    LocalSandbox,
    SandboxError,
    SandboxWarning,
    bubblewrap_available,
)
from toolgym.sandbox import local as local_module

LIMITS = Limits(
    timeout_seconds=3,
    cpu_seconds=30,
    memory_bytes=512 << 20,
    processes=32,
    file_size_bytes=8 << 20,
    open_files=64,
    disk_bytes=32 << 20,
    output_bytes=4096,
)
IS_ROOT = os.geteuid() == 0


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(pid))
    return found


def eventually(condition, seconds: float = 3.0) -> bool:
    """Whether ``condition()`` becomes true within ``seconds`` (processes start and die async)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


# The kernel counts the process limit per user: the fork bomb below runs as a uid of its own,
# so it never starves sandboxes of other tests running at the same time.
# A uid of this test process's own (RLIMIT_NPROC counts per uid, machine-wide): another pytest
# process running these tests at the same time must not share the box's process budget.
UID = 60_000 + os.getpid() % 5_000 if os.geteuid() == 0 else None

# The module's sandboxes and process counts are one worker's: under pytest-xdist they stay together.
pytestmark = pytest.mark.xdist_group("sandbox-local")


@pytest.fixture(scope="module", params=["auto", "no-namespaces"])
def box(request: pytest.FixtureRequest) -> Iterator[LocalSandbox]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SandboxWarning)
        sandbox = LocalSandbox(
            LIMITS, namespaces=None if request.param == "auto" else False, uid=UID
        )
    yield sandbox
    sandbox.close()


def test_variables_persist_and_the_last_expression_is_returned(box: LocalSandbox) -> None:
    assert box.execute("x = 40").value is None
    done = box.execute("def f(y):\n    return x + y\nf(2)")
    assert done.value == "42" and done.error is None
    assert box.execute("print('out'); import sys; print('err', file=sys.stderr); f(0)").stdout == (
        "out\n"
    )
    assert box.execute("import sys; print('err', file=sys.stderr)").stderr == "err\n"


def test_errors_come_back_as_tracebacks(box: LocalSandbox) -> None:
    done = box.execute("print('before')\n1 / 0")
    assert done.stdout == "before\n"
    assert done.error is not None and "ZeroDivisionError" in done.error
    assert 'File "<cell' in done.error and "kernel" not in done.error
    syntax = box.execute("def broken(:\n    pass")
    assert syntax.error is not None and "SyntaxError" in syntax.error
    assert box.execute("raise SystemExit(3)").error is not None
    assert box.execute("1 + 1").value == "2"


def test_output_and_values_are_capped(box: LocalSandbox) -> None:
    done = box.execute("print('x' * 100_000)\n'y' * 100_000")
    assert done.stdout.startswith("x" * 4096)
    assert "output truncated" in done.stdout and len(done.stdout) < 4300
    assert done.value is not None and len(done.value) < 4300


def test_timeout_kills_the_worker_and_the_next_call_starts_fresh(box: LocalSandbox) -> None:
    box.execute("marker = 1")
    start = time.monotonic()
    with pytest.raises(ExecutionError) as err:
        box.execute("import time\nwhile True:\n    time.sleep(0.01)", timeout=0.5)
    assert err.value.reason == "timeout"
    assert time.monotonic() - start < 3
    assert box.execute("'marker' in globals()").value == "False"


def test_memory_limit(box: LocalSandbox) -> None:
    done = box.execute("block = bytearray(1 << 30)")
    assert done.error is not None and "MemoryError" in done.error
    assert box.execute("len(bytearray(10 << 20))").value == str(10 << 20)


def test_file_size_limit(box: LocalSandbox) -> None:
    done = box.execute("open('big.bin', 'wb').write(b'0' * (20 << 20))")
    assert done.error is not None and "File too large" in done.error
    assert box.workspace.size("big.bin") <= 8 << 20
    box.execute("import os; os.remove('big.bin')")


def test_open_files_limit(box: LocalSandbox) -> None:
    done = box.execute("handles = [open('/dev/null') for _ in range(1000)]")
    assert done.error is not None and "Too many open files" in done.error
    box.execute("del handles" if "handles" in box.execute("dir()").value else "0")


def test_process_limit_stops_a_fork_bomb(box: LocalSandbox) -> None:
    if not (IS_ROOT or box.namespaces):
        pytest.skip("the process limit counts all of this user's processes")
    done = box.execute(
        "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(1)\n            os._exit(0)\n        n += 1\n"
        "except OSError as e:\n    print(n, e.errno)\n"
        "while True:\n    try:\n        os.wait()\n    except ChildProcessError:\n        break"
    )
    forked, errno = done.stdout.split()
    assert int(forked) < LIMITS.processes and errno == "11"
    assert box.execute("1 + 1").value == "2"


def test_cpu_limit_ends_a_spinning_worker() -> None:
    limits = Limits(cpu_seconds=1, timeout_seconds=20)
    with LocalSandbox(limits, spare=False) as sandbox:
        start = time.monotonic()
        with pytest.raises(ExecutionError) as err:
            sandbox.execute("while True:\n    pass")
        assert err.value.reason == "crashed"
        assert time.monotonic() - start < 10
        assert sandbox.execute("'alive'").value == "'alive'"


def test_environment_is_clean(box: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLGYM_TEST_SECRET", "hunter2")
    done = box.run(["python", "-c", "import os; print(sorted(os.environ))"])
    assert "TOOLGYM_TEST_SECRET" not in done.stdout
    assert "PYTHONHASHSEED" in done.stdout
    assert box.execute("import os; os.environ.get('TOOLGYM_TEST_SECRET')").value is None


@pytest.mark.skipif(not IS_ROOT, reason="dropping to another user needs root")
def test_code_runs_as_an_unprivileged_user(box: LocalSandbox) -> None:
    assert box.uid != 0
    assert box.execute("import os; os.getuid(), os.getgid(), os.getgroups()").value == (
        f"({box.uid}, {box.gid}, [])"
    )


@pytest.mark.skipif(not IS_ROOT, reason="only root runs code as another user")
def test_root_runs_code_as_nobody_by_default() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SandboxWarning)
        with LocalSandbox(LIMITS, spare=False) as sandbox:
            assert sandbox.execute("import os; os.getuid(), os.getgid()").value == "(65534, 65534)"


def test_one_shot_runs(box: LocalSandbox) -> None:
    done = box.run(["python", "-c", "import sys; print('hi'); sys.exit(3)"])
    assert (done.exit_code, done.stdout, done.timed_out) == (3, "hi\n", False)
    marker = f"{os.getpid() % 9000 + 1000}.123"
    slow = box.run(["sh", "-c", f"sleep {marker} & sleep {marker}"], timeout=0.5)
    assert slow.timed_out and slow.exit_code is None
    assert eventually(lambda: processes_with(f"sleep {marker}") == [])
    quiet = box.run(["sh", "-c", f"exec >&- 2>&-; sleep {marker}"], timeout=0.5)
    assert quiet.timed_out
    assert eventually(lambda: processes_with(f"sleep {marker}") == [])


def test_pytest_runs_in_a_fork_and_sees_edits(box: LocalSandbox) -> None:
    box.workspace.write_bytes("calc.py", b"def add(a, b):\n    return a - b\n")
    test = b"from calc import add\n\ndef test_add():\n    assert add(2, 2) == 4\n"
    box.workspace.write_bytes("tests/test_calc.py", test)
    assert box.execute("import calc; calc.add(2, 2)").value == "0"
    first = box.pytest(["-q", "-p", "no:cacheprovider", "tests"])
    assert first.outcomes() == {"tests/test_calc.py::test_add": "failed"}
    assert "assert 0 == 4" in first.tests[0][2]
    box.workspace.write_bytes("calc.py", b"def add(a, b):\n    return a + b\n")
    second = box.pytest(["-q", "-p", "no:cacheprovider", "tests"])
    assert second.outcomes() == {"tests/test_calc.py::test_add": "passed"}
    assert second.exit_code == 0


def test_disk_quota_stops_a_run() -> None:
    limits = Limits(disk_bytes=16 << 20, file_size_bytes=4 << 20, timeout_seconds=10)
    with LocalSandbox(limits, spare=False) as sandbox:
        with pytest.raises(ExecutionError) as err:
            sandbox.execute(
                "import os\nfor i in range(1000):\n"
                "    with open(f'fill{i}', 'wb') as f:\n        f.write(os.urandom(1 << 20))"
            )
        assert err.value.reason == "disk_quota"
        used, _ = sandbox.disk_usage()
        assert used < 64 << 20
        done = sandbox.execute("import glob, os\nfor p in glob.glob('fill*'):\n    os.remove(p)")
        assert done.error is None
        assert sandbox.disk_usage()[0] < 1 << 20


def test_close_stops_every_process_and_removes_the_directory() -> None:
    sandbox = LocalSandbox(LIMITS)
    marker = f"{os.getpid() % 9000 + 1000}.321"
    sandbox.execute(f"import subprocess\np = subprocess.Popen(['sleep', '{marker}'])")
    assert eventually(lambda: processes_with(f"sleep {marker}") != [])
    directory = sandbox.dir
    sandbox.close()
    sandbox.close()
    assert eventually(lambda: processes_with(f"sleep {marker}") == [])
    assert eventually(lambda: processes_with(str(directory)) == [])
    assert not directory.exists()
    with pytest.raises(SandboxError):
        sandbox.execute("1")


def test_reset_gives_a_fresh_worker_and_workspace(box: LocalSandbox) -> None:
    box.execute("kept = 1")
    box.workspace.write_bytes("stale.txt", b"old")
    box.reset({"data/new.csv": b"a,b\n1,2\n"})
    assert box.workspace.files() == {"data/new.csv": b"a,b\n1,2\n"}
    assert box.execute("'kept' in globals(), open('data/new.csv').read()").value == (
        "(False, 'a,b\\n1,2\\n')"
    )


def test_warm_worker_is_fast_and_outputs_are_deterministic() -> None:
    with LocalSandbox(LIMITS) as one, LocalSandbox(LIMITS) as two:
        code = "class A: pass\nprint(A(), {'x', 'y', 'z'}, id(object()))"
        assert one.execute(code).stdout == two.execute(code).stdout
        times = []
        for _ in range(200):
            start = time.perf_counter()
            one.execute("1 + 1")
            times.append(time.perf_counter() - start)
    # A ratio in one run, not an absolute time: a call to a warm worker costs a small fraction
    # of starting a sandbox and running the same call there.
    start = time.perf_counter()
    with LocalSandbox(LIMITS, spare=False) as cold:
        cold.execute("1 + 1")
    cold_seconds = time.perf_counter() - start
    assert statistics.median(times) < cold_seconds / 5


def test_without_namespaces_it_warns_once_and_still_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_module, "_warned", False)
    with pytest.warns(SandboxWarning, match="WITHOUT namespaces"):
        first = LocalSandbox(LIMITS, namespaces=False, spare=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SandboxWarning)
        second = LocalSandbox(LIMITS, namespaces=False, spare=False)
    with first, second:
        assert not first.namespaces
        assert "MemoryError" in (first.execute("bytearray(1 << 30)").error or "")
        with pytest.raises(ExecutionError):
            first.execute("while True:\n    pass", timeout=0.5)
        if IS_ROOT:
            assert first.execute("import os; os.getuid()").value == "65534"
            assert "Permission" in (first.execute("open('/etc/shadow').read()").error or "")


def test_requiring_namespaces_where_they_cannot_work_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_module, "_probes", {}, raising=True)
    monkeypatch.setattr(local_module, "_BWRAP", None)
    with pytest.raises(SandboxError, match="bubblewrap"):
        LocalSandbox(LIMITS, namespaces=True)
    assert not bubblewrap_available()


@pytest.mark.skipif(not IS_ROOT, reason="only root starts processes as another user")
def test_a_process_limit_used_up_by_others_is_named_when_a_sandbox_cannot_start() -> None:
    """The kernel counts the process limit per user: when other processes of the sandbox's
    uid have used it up, the error says so instead of blaming the code."""
    uid, limits = 64104, Limits(processes=8)
    others = [subprocess.Popen(["sleep", "60"], user=uid, group=uid) for _ in range(10)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SandboxWarning)
            sandbox = LocalSandbox(limits, uid=uid, spare=False)
        with sandbox, pytest.raises(ExecutionError) as err:
            sandbox.execute("1 + 1")
        assert err.value.reason == "crashed"
        assert f"uid {uid}" in str(err.value) and "process limit is 8" in str(err.value)
    finally:
        for proc in others:
            proc.kill()
            proc.wait()
    with LocalSandbox(limits, uid=uid, spare=False) as sandbox:  # room again: it starts
        assert sandbox.execute("1 + 1").value == "2"


def test_a_forked_snippet_leaves_the_worker_clean(box: LocalSandbox) -> None:
    box.reset({})
    forked = box.execute("import json\nkept = 2\nkept * 21", fork=True)
    assert (forked.value, forked.error) == ("42", None)
    worker = box.worker()
    assert worker.clean
    assert box.execute("'kept' in globals(), 'json' in dir()").value == "(False, False)"
    assert not worker.clean


def test_reset_keeps_only_a_clean_worker_when_asked(box: LocalSandbox) -> None:
    box.reset({})
    box.execute("1", fork=True)
    clean = box.worker()
    box.reset({"a.txt": b"a"}, keep_clean_worker=True)
    assert box.worker() is clean and box.execute("open('a.txt').read()").value == "'a'"
    box.reset({}, keep_clean_worker=True)
    assert box.worker() is not clean  # code ran in it outside a fork
    kept = box.worker()
    box.reset({})
    assert box.worker() is not kept


def test_a_forked_snippet_reports_like_an_unforked_one() -> None:
    with LocalSandbox(LIMITS) as one, LocalSandbox(LIMITS) as two:
        code = "print('out')\nraise ValueError('no')"
        forked, plain = one.execute(code, fork=True), two.execute(code)
        assert forked == plain


def test_a_new_kernel_runs_nothing_planted_in_the_workspace() -> None:
    """A spare kernel starts while an episode's files are in the workspace and serves the next
    episode: its preloaded modules come from the installation, and user site files (under
    $HOME, the workspace) are not run."""
    with LocalSandbox(LIMITS, preload=("pytest",)) as sandbox:
        site = ".local/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
        sandbox.reset(
            {
                "pytest.py": b"raise SystemExit('planted pytest imported')\n",
                f"{site}/usercustomize.py": b"import os\nos.environ['PLANTED'] = '1'\n",
                f"{site}/planted.pth": b"import os; os.environ['PLANTED'] = '1'\n",
                "project.py": b"VALUE = 42\n",
            }
        )
        got = sandbox.execute("import os, pytest\n(pytest.__file__, os.environ.get('PLANTED'))")
        assert got.error is None and "site-packages/pytest" in got.value and "None" in got.value
        assert sandbox.execute("import project\nproject.VALUE").value == "42"  # still importable
