"""The warm worker: a persistent Python inside the sandbox that runs code on request.

This file is not imported by toolgym: its source is handed to the sandboxed interpreter
(``python -c <source> <config>``), so it uses only the standard library. It speaks one JSON
object per line over the pipes it was started with and keeps a notebook-like namespace, so
variables persist between requests. Output is captured at the file-descriptor level (memory
files, so C extensions and child processes are captured too) and capped.

Requests and replies:

- ``{"op": "exec", "code": str, "fork": bool}`` -> ``{"ok": true, "stdout", "stderr",
  "stdout_bytes", "stderr_bytes", "value", "error"}``: ``value`` is the repr of the last
  expression (``None`` when there is none or it is ``None``), ``error`` the traceback text of
  an exception. With ``fork`` the code runs in a forked child and leaves the kernel as it was
  (a throwaway run: the kernel stays clean for whoever comes next).
- ``{"op": "pytest", "args": [...], "timeout": float}`` -> ``{"ok": true, "exit_code",
  "tests": [[nodeid, outcome, text], ...], "stdout", "stdout_bytes", "timed_out"}``: runs
  pytest in a forked child, so the namespace and the imported project never go stale.
- ``{"op": "exit"}``: stop. End of input stops the kernel too.
"""

import ast
import builtins
import contextlib
import gc
import json
import linecache
import os
import select
import signal
import sys
import time
import traceback

KERNEL_FILE = sys._getframe().f_code.co_filename
TEXT_LIMIT = 4000


def capture_file(name):
    """An anonymous in-memory file for one output stream (RLIMIT_FSIZE still applies)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create(name, getattr(os, "MFD_CLOEXEC", 0))
    import tempfile

    return os.dup(tempfile.TemporaryFile().fileno())


class Kernel:
    def __init__(self, config):
        self.pid = os.getpid()  # the process whose requests these are (a forked child's own)
        self.output_bytes = int(config.get("output_bytes", 32768))
        self.workspace = os.path.realpath(config.get("workspace") or os.getcwd())
        self.cells = 0
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.requests = os.fdopen(os.dup(0), "rb")
        self.replies = os.fdopen(os.dup(1), "wb")
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        self.out = capture_file("stdout")
        self.err = capture_file("stderr")
        os.dup2(self.out, 1)
        os.dup2(self.err, 2)
        sys.argv = [""]
        self.preload_errors = {}
        # A spare kernel starts while the last episode's files are still in the workspace:
        # what it preloads must come from the installation, never from a planted pytest.py.
        here = [p for p in sys.path if p in ("", os.getcwd())]
        sys.path[:] = [p for p in sys.path if p not in here]
        for name in config.get("preload", ()):
            try:
                __import__(name)
            except Exception as exc:
                self.preload_errors[name] = f"{type(exc).__name__}: {exc}"
        sys.path[:0] = here
        self.clear()

    # ------------------------------------------------------------------ output
    def clear(self):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        for fd in (self.out, self.err):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)

    def collect(self, fd):
        try:
            size = os.fstat(fd).st_size
            data = os.pread(fd, self.output_bytes, 0)
        except OSError:
            return "", 0
        return data.decode("utf-8", "replace"), size

    def flush(self):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()

    # -------------------------------------------------------------------- exec
    def execute(self, code):
        self.cells += 1
        filename = f"<cell {self.cells}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        value, error = None, None
        self.clear()
        try:
            tree = ast.parse(code, filename, "exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), self.namespace)
            if last is not None:
                result = eval(compile(last, filename, "eval"), self.namespace)
                if result is not None:
                    self.namespace["_"] = result
                    value = self.short(repr(result))
        except BaseException:
            error = self.short(self.traceback())
        finally:
            if os.getpid() != self.pid:  # a child the code forked must not answer
                os._exit(0)
        self.flush()
        stdout, stdout_bytes = self.collect(self.out)
        stderr, stderr_bytes = self.collect(self.err)
        return {
            "ok": True,
            "stdout": stdout,
            "stderr": stderr,
            "stdout_bytes": stdout_bytes,
            "stderr_bytes": stderr_bytes,
            "value": value,
            "error": error,
        }

    def short(self, text):
        limit = self.output_bytes
        if len(text) <= limit:
            return text
        return text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"

    @staticmethod
    def traceback():
        etype, value, tb = sys.exc_info()
        while tb is not None and tb.tb_frame.f_code.co_filename == KERNEL_FILE:
            tb = tb.tb_next
        if isinstance(value, SyntaxError):
            return "".join(traceback.format_exception_only(etype, value))
        return "".join(traceback.format_exception(etype, value, tb))

    def execute_forked(self, code):
        """``execute`` in a forked child; the kernel's namespace and modules stay untouched."""
        self.clear()
        read_end, write_end = os.pipe()
        gc.freeze()  # the child's collections then leave the kernel's pages shared
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            self.pid = os.getpid()
            try:
                data = json.dumps(self.execute(code)).encode()
            except BaseException:
                data = b"{}"
            while data:
                data = data[os.write(write_end, data) :]
            os._exit(0)
        gc.unfreeze()
        os.close(write_end)
        chunks = []
        while True:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
        try:
            reply = json.loads(b"".join(chunks))
        except ValueError:
            reply = {}
        if not reply.get("ok"):
            return {"ok": False, "error": "the forked run ended without a reply"}
        return reply

    # ------------------------------------------------------------------ pytest
    def pytest(self, args, timeout):
        import pytest  # noqa: F401  (imported once here, so each forked run starts warm)

        self.clear()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            self.pytest_child(args, write_end)
        os.close(write_end)
        chunks, timed_out = [], False
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if ready:
                chunk = os.read(read_end, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        os.close(read_end)
        if timed_out:
            for target in (-pid, pid):
                with contextlib.suppress(OSError):
                    os.kill(target, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        try:
            result = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            result = {}
        stdout, stdout_bytes = self.collect(self.out)
        return {
            "ok": True,
            "exit_code": result.get("exit_code", -1 if timed_out else status),
            "tests": result.get("tests", []),
            "error": result.get("error"),
            "stdout": stdout,
            "stdout_bytes": stdout_bytes,
            "timed_out": timed_out,
        }

    def pytest_child(self, args, write_end):
        try:
            os.setpgid(0, 0)
            os.dup2(self.out, 2)
            for name, module in list(sys.modules.items()):
                path = getattr(module, "__file__", None) or ""
                if path and os.path.realpath(path).startswith(self.workspace + os.sep):
                    del sys.modules[name]
            import pytest

            collector = Collector()
            code = pytest.main(list(args), plugins=[collector])
            payload = {"exit_code": int(code), "tests": collector.results()}
        except BaseException:
            payload = {"exit_code": -1, "tests": [], "error": self.short(self.traceback())}
        self.flush()
        data = json.dumps(payload).encode()
        while data:
            data = data[os.write(write_end, data) :]
        os._exit(0)

    # -------------------------------------------------------------------- loop
    def serve(self):
        self.reply({"ready": True, "pid": os.getpid(), "preload_errors": self.preload_errors})
        for line in self.requests:
            try:
                request = json.loads(line)
                op = request.get("op")
                if op == "exec" and request.get("fork"):
                    reply = self.execute_forked(str(request["code"]))
                elif op == "exec":
                    reply = self.execute(str(request["code"]))
                elif op == "pytest":
                    reply = self.pytest(request["args"], float(request["timeout"]))
                elif op == "exit":
                    break
                else:
                    reply = {"ok": False, "error": f"unknown op {op!r}"}
            except Exception as exc:
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            self.reply(reply)
        os._exit(0)

    def reply(self, payload):
        self.replies.write(json.dumps(payload).encode() + b"\n")
        self.replies.flush()


class Collector:
    """A pytest plugin that records each test's outcome and failure text."""

    def __init__(self):
        self.outcomes = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "skipped"
        else:
            self.outcomes.setdefault(report.nodeid, ["passed", ""])
            return
        if self.outcomes.get(report.nodeid, [""])[0] in ("failed", "error"):
            return
        text = report.longreprtext if outcome != "passed" else ""
        self.outcomes[report.nodeid] = [outcome, text[:TEXT_LIMIT]]

    def pytest_collectreport(self, report):
        if report.failed:
            self.outcomes[report.nodeid or "(collection)"] = [
                "error",
                report.longreprtext[:TEXT_LIMIT],
            ]

    def results(self):
        return [[nodeid, outcome, text] for nodeid, (outcome, text) in self.outcomes.items()]


def main():
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    Kernel(config).serve()


if __name__ == "__main__":
    main()
