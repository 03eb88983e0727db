"""The default backend: processes on this machine, fenced in by the kernel.

Each sandbox owns a fresh temporary directory whose ``workspace`` is the only place its code
may write. Where bubblewrap (``bwrap``) exists, every process runs in its own mount, pid,
network, IPC and UTS namespaces: a read-only view of ``/usr`` and the Python installation, a
private ``/tmp``, no network but its own loopback, nothing of ``/root``, ``/etc`` or the project.
When toolgym runs as root, the sandboxed code runs as an unprivileged user so that the process
limit holds (root ignores ``RLIMIT_NPROC``): bubblewrap builds the namespaces as root, then
``setpriv`` drops every privilege before Python starts. The kernel counts that limit per user
over the whole machine, so each sandbox leases a uid of its own (:mod:`toolgym.sandbox.uids`),
which a user namespace shows inside as 65534: a fork bomb in one sandbox exhausts only its own
budget, and every sandbox looks the same from inside.

Every process also gets resource limits (CPU seconds, address space, processes, file size, open
files), a clean environment, and its own process group, which is killed as a whole at the
wall-clock timeout. Without bubblewrap the limits and the unprivileged user still apply, and a
warning says, once, that the sandbox runs without namespaces.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
import weakref
from collections.abc import Sequence
from pathlib import Path

from toolgym.sandbox.base import (
    INSIDE,
    Channel,
    ExecutionError,
    RunResult,
    Sandbox,
    SandboxError,
    output_text,
    wait_ready,
)
from toolgym.sandbox.base import kernel_source as _kernel_source
from toolgym.sandbox.limits import Limits
from toolgym.sandbox.runtime import PythonRuntime
from toolgym.sandbox.uids import UID_BASE, UidLease, lease_uid
from toolgym.sandbox.workspace import Workspace

__all__ = ["NOBODY", "LocalSandbox", "SandboxWarning", "bubblewrap_available"]

NOBODY = 65534
_VENV_INSIDE = "/opt/toolgym-python"
_ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_PATH = "/usr/local/bin:/usr/bin:/bin"
_ADDR_NO_RANDOMIZE = 0x0040000
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)
_probes: dict[tuple[int, bool], str | None] = {}
_warned = False


class SandboxWarning(RuntimeWarning):
    """The sandbox runs with weaker isolation than it would like (said once per process)."""


def bubblewrap_available() -> bool:
    """Whether ``bwrap`` is installed and can create namespaces here."""
    return _probe(os.geteuid() == 0) is None


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, SandboxWarning, stacklevel=3)


class LocalSandbox(Sandbox):
    """Run code on this machine, isolated with bubblewrap when available.

    Args:
        limits: resource limits (see :class:`~toolgym.sandbox.Limits`).
        namespaces: ``True`` requires bubblewrap (an error if it is missing), ``False`` never
            uses it, ``None`` (default) uses it when it works here.
        uid: the user the code runs as; default 65534 when running as root, else yourself.
            Sandboxes of one uid share its process limit (the kernel counts per user), so
            give each its own uid to keep a fork bomb in one from slowing the others.
        preload / spare: see :class:`~toolgym.sandbox.Sandbox`.

    >>> with LocalSandbox() as box:  # doctest: +SKIP
    ...     box.execute("x = 6 * 7; x").value
    '42'
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        namespaces: bool | None = None,
        uid: int | None = None,
        preload: Sequence[str] = (),
        spare: bool = True,
    ) -> None:
        super().__init__(limits, preload=preload, spare=spare)
        _allow_many_files()
        is_root = os.geteuid() == 0
        self._lease: UidLease | None = None
        if uid is None and is_root and namespaces is not False and _maps_users() is None:
            self._lease = lease_uid()  # a process budget of its own (see toolgym.sandbox.uids)
            uid = self._lease.uid
        self.uid = uid if uid is not None else (NOBODY if is_root else os.getuid())
        self.gid = self.uid if self.uid != os.getuid() else os.getgid()
        if self.uid != os.getuid() and not is_root:
            raise SandboxError(f"only root can run the sandbox as another user (uid {self.uid})")
        drop = self.uid != os.getuid()
        problem = _probe(drop)
        if namespaces and problem:
            raise SandboxError(f"namespaces were requested but {problem}")
        self.namespaces = problem is None if namespaces is None else bool(namespaces)
        self.runtime = PythonRuntime.current()
        self._pythonpath: str | None = None
        notes = []
        if not self.namespaces:
            notes.append(
                "toolgym's sandbox runs WITHOUT namespaces"
                + (f" ({problem})" if problem else "")
                + ": resource limits and a clean environment apply, but sandboxed code can "
                "read files its user can read and use the network. Install bubblewrap "
                "(apt-get install bubblewrap) for full isolation"
            )
            if drop:
                readable = self.runtime.readable_by(self.uid, self.gid)
                if readable is None:
                    notes.append(
                        f"no Python is readable by uid {self.uid}, so code runs as "
                        f"uid {os.getuid()} and the process limit does not hold"
                    )
                    self.uid, self.gid, drop = os.getuid(), os.getgid(), False
                elif readable is not self.runtime:
                    self.runtime = readable
                    self._pythonpath = readable.site_packages
        if notes:
            _warn_once("; ".join(notes) + ".")
        self.drop = drop

        self.dir = Path(tempfile.mkdtemp(prefix="toolgym-sandbox-"))
        os.chmod(self.dir, 0o711)
        owner = (self.uid, self.gid) if drop else None
        for name in ("workspace", "tmp"):
            (self.dir / name).mkdir(mode=0o711)
            if owner:
                os.chown(self.dir / name, *owner)
        self._workspace = Workspace(
            self.dir / "workspace",
            INSIDE if self.namespaces else str(self.dir / "workspace"),
            owner,
        )
        self._etc = self._write_etc()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._finalizer = weakref.finalize(self, _cleanup, self._procs, str(self.dir), self._lease)
        self.python = self._python_inside()

    # ------------------------------------------------------------- interface
    @property
    def workspace(self) -> Workspace:
        return self._workspace

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> RunResult:
        """Run one command in the workspace (``"python"`` means the sandbox's interpreter)."""
        self._check_open()
        seconds = self.limits.timeout_seconds if timeout is None else float(timeout)
        allowance = self.disk_usage()
        proc = self._popen(list(argv), stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        fds = (proc.stdout.fileno(), proc.stderr.fileno())
        kept = {fd: bytearray() for fd in fds}
        sizes = dict.fromkeys(fds, 0)
        cap = self.limits.output_bytes
        deadline = time.monotonic() + seconds
        timed_out, problem = False, None
        open_fds = list(fds)
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready = wait_ready(open_fds, min(left, 0.05))
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.remove(fd)
                    continue
                sizes[fd] += len(chunk)
                room = cap - len(kept[fd])
                if room > 0:
                    kept[fd] += chunk[:room]
            if not ready:
                problem = self.disk_problem(allowance)
                if problem:
                    break
        if not (timed_out or problem):
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
                self._procs.discard(proc)
                problem = self.disk_problem(allowance)
            except subprocess.TimeoutExpired:
                timed_out = True
        if timed_out or problem:
            self._kill(proc)
        out, err = (output_text(kept[fd], sizes[fd], cap) for fd in fds)
        proc.stdout.close()
        proc.stderr.close()
        if problem:
            raise ExecutionError("disk_quota", problem)
        return RunResult(None if timed_out else proc.returncode, out, err, timed_out)

    def _spawn_kernel(self) -> Channel:
        config = {"output_bytes": self.limits.output_bytes, "preload": list(self.preload)}
        # -s: no user site-packages, which would be under $HOME, the workspace: a kernel
        # (a spare, started mid-episode) must not run what an agent planted there.
        proc = self._popen(
            ["python", "-s", "-c", _kernel_source(), json.dumps(config)],
            stdin=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        return _PipeChannel(proc, self._kill)

    def start_problem(self) -> str | None:
        """The process limit, when other processes of the sandbox's user have used it up (the
        kernel counts every process and thread of a uid, whoever started them)."""
        if self.uid == os.getuid():
            return None  # the limit was raised by what this user already ran
        tasks = _tasks_of(self.uid)
        if tasks + _START_TASKS < self.limits.processes:
            return None
        return (
            f"The interpreter failed to start: uid {self.uid}, which the code runs as, already "
            f"has {tasks} processes and threads on this machine (other sandboxes of that uid "
            f"count too), and its process limit is {self.limits.processes}. Run fewer "
            "sandboxes at once, or give each its own uid (LocalSandbox(uid=...))."
        )

    def _release(self) -> None:
        self._finalizer()

    # --------------------------------------------------------------- process
    def _popen(self, argv: list[str], *, stdin: int, stderr: int) -> subprocess.Popen[bytes]:
        if argv and argv[0] in ("python", "python3"):
            argv = [self.python, *argv[1:]]
        nproc = self.limits.processes
        if self.uid == os.getuid() and self.uid != 0:
            nproc += _tasks_of(self.uid)
        options = {
            "stdin": stdin,
            "stdout": subprocess.PIPE,
            "stderr": stderr,
            "close_fds": True,
            "start_new_session": True,
            "preexec_fn": _Limiter(self.limits, nproc, not self.namespaces),
        }
        if self.namespaces:
            command = self._bwrap(argv)
            options.update(cwd="/", env={"PATH": _PATH})
        else:
            command = argv
            options.update(cwd=self.workspace.root, env=self._environment())
            if self.drop:
                options.update(user=self.uid, group=self.gid, extra_groups=[])
        try:
            proc = subprocess.Popen(command, **options)  # type: ignore[call-overload]
        except (OSError, subprocess.SubprocessError) as exc:
            raise SandboxError(f"could not start the sandboxed process: {exc}") from exc
        self._procs.add(proc)
        return proc

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Kill everything the process started and wait until it is gone.

        With namespaces, killing bubblewrap's inner init makes the kernel kill every process in
        the pid namespace, and the outer bwrap exits once they are all gone; so the sandbox's
        processes (and their share of the process limit) are released before this returns.
        """
        if self.namespaces:
            for pid in _children(proc.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self._procs.discard(proc)

    def _environment(self) -> dict[str, str]:
        """The whole environment sandboxed code gets: nothing of the host's."""
        home = INSIDE if self.namespaces else str(self.workspace.root)
        env = {
            "PATH": _PATH,
            "HOME": home,
            "USER": "sandbox",
            "LOGNAME": "sandbox",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "TMPDIR": "/tmp" if self.namespaces else str(self.dir / "tmp"),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
        }
        if self._pythonpath:
            env["PYTHONPATH"] = self._pythonpath
        return env

    def _python_inside(self) -> str:
        if not self.namespaces:
            return self.runtime.launcher
        if self.runtime.site_packages:
            return f"{_VENV_INSIDE}/bin/python"
        return self.runtime.executable

    # ------------------------------------------------------------- bubblewrap
    def _write_etc(self) -> Path:
        etc = self.dir / "etc"
        etc.mkdir(mode=0o755)
        (etc / "passwd").write_text(
            "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
            f"sandbox:x:{self.seen_uid}:{self.seen_uid}:sandbox:{INSIDE}:/usr/sbin/nologin\n"
        )
        (etc / "group").write_text(f"root:x:0:\nsandbox:x:{self.seen_uid}:\n")
        (etc / "pyvenv.cfg").write_text(self.runtime.pyvenv_cfg())
        for name in ("passwd", "group", "pyvenv.cfg"):
            os.chmod(etc / name, 0o644)
        return etc

    def _bwrap(self, argv: list[str]) -> list[str]:
        """The bubblewrap command line that runs ``argv`` in the sandbox."""
        return [
            *_bwrap_prefix(self.drop),
            *self._mounts(),
            *self._env_args(),
            "--",
            *self._drop(),
            *([_SETARCH, "-R"] if _SETARCH else []),
            *argv,
        ]

    def _drop(self) -> list[str]:
        """``setpriv`` down to the sandbox user; ``setarch -R`` after it fixes addresses, which
        bubblewrap's capability drop would otherwise reset (repr() of objects stays stable)."""
        if not self.drop:
            return []
        return [
            _SETPRIV or "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
            *(_map_to(NOBODY) if self._lease is not None else []),
        ]

    @property
    def seen_uid(self) -> int:
        """The uid the sandboxed code sees: the same in every sandbox of a leased uid."""
        return NOBODY if self._lease is not None else self.uid

    @property
    def isolation(self) -> str:
        """How this sandbox fences its code in, in a few words (``toolgym list`` shows it)."""
        if not self.namespaces:
            where = "no namespaces (bubblewrap unavailable)"
        else:
            where = "bubblewrap namespaces (mount, pid, net, ipc, uts)"
        if self._lease is not None:
            budget = (
                f"uid {self.uid} of its own, seen inside as {NOBODY}: "
                f"{self.limits.processes} processes that no other sandbox shares"
            )
        elif self.drop:
            budget = f"shared uid {self.uid}: {self.limits.processes} processes per sandbox, "
            budget += "counted with every other sandbox of that uid"
        else:
            budget = f"your own uid {self.uid}"
        return f"{where}; {budget}"

    def _env_args(self) -> list[str]:
        args = ["--clearenv"]
        for key, value in self._environment().items():
            args += ["--setenv", key, value]
        return args

    def _mounts(self) -> list[str]:
        rt = self.runtime
        binds: list[tuple[str, str, str]] = [("--ro-bind", "/usr", "/usr")]
        links: list[str] = []
        for path in _ROOT_LINKS:
            if os.path.islink(path):
                links += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                binds.append(("--ro-bind", path, path))
        if not _under(rt.home, "/usr"):
            binds.append(("--ro-bind", rt.home, rt.home))
        binds += [
            ("--ro-bind", str(self._etc / "passwd"), "/etc/passwd"),
            ("--ro-bind", str(self._etc / "group"), "/etc/group"),
            ("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"),
        ]
        if rt.site_packages:
            site = f"{_VENV_INSIDE}/lib/python{rt.version}/site-packages"
            binds += [
                ("--ro-bind", rt.site_packages, site),
                ("--ro-bind", str(self._etc / "pyvenv.cfg"), f"{_VENV_INSIDE}/pyvenv.cfg"),
            ]
            links += ["--symlink", rt.executable, f"{_VENV_INSIDE}/bin/python"]
        dests = [dest for _, _, dest in binds] + links[2::3]
        args: list[str] = []
        for directory in _ancestors(dests, covered=[d for _, _, d in binds]):
            args += ["--perms", "0755", "--dir", directory]
        for kind, src, dest in binds:
            args += [kind, src, dest]
        args += links
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += [*_supported("--size", str(self.limits.disk_bytes)), "--perms", "1777"]
        args += ["--tmpfs", "/tmp"]
        args += ["--bind", str(self.workspace.root), INSIDE, "--chdir", INSIDE]
        return args


class _PipeChannel:
    """A kernel process spoken to over its stdin and stdout pipes."""

    def __init__(self, proc: subprocess.Popen[bytes], kill) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self._kill = kill
        self._in = proc.stdin.fileno()
        self._out = proc.stdout.fileno()
        os.set_blocking(self._in, False)

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + 10.0
        while view:
            ready = wait_ready([self._in], deadline - time.monotonic(), write=True)
            if not ready:
                raise OSError("the interpreter is not reading its input")
            view = view[os.write(self._in, view) :]

    def receive(self, timeout: float) -> bytes | None:
        ready = wait_ready([self._out], timeout)
        if not ready:
            return None
        return os.read(self._out, 1 << 16)

    def kill(self) -> None:
        self._kill(self.proc)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class _Limiter:
    """Runs in the child between fork and exec: resource limits, stable addresses."""

    def __init__(self, limits: Limits, nproc: int, die_with_parent: bool) -> None:
        import resource

        wanted = {
            resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 1),
            resource.RLIMIT_AS: (limits.memory_bytes, limits.memory_bytes),
            resource.RLIMIT_NPROC: (nproc, nproc),
            resource.RLIMIT_FSIZE: (limits.file_size_bytes, limits.file_size_bytes),
            resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
            resource.RLIMIT_CORE: (0, 0),
        }
        self.limits = []
        for kind, (soft, hard) in wanted.items():
            _, current = resource.getrlimit(kind)
            if current != resource.RLIM_INFINITY:
                soft, hard = min(soft, current), min(hard, current)
            self.limits.append((kind, (soft, hard)))
        self.setrlimit = resource.setrlimit
        self.die_with_parent = die_with_parent

    def __call__(self) -> None:
        for kind, value in self.limits:
            self.setrlimit(kind, value)
        _LIBC.personality(_ADDR_NO_RANDOMIZE)
        if self.die_with_parent:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_SETPRIV = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
_UNSHARE = shutil.which("unshare", path="/usr/bin:/bin:/usr/sbin:/sbin")
_maps: list[str | None] = []


def _map_to(uid: int) -> list[str]:
    """A user namespace in which the sandbox's own uid shows as ``uid``."""
    return [_UNSHARE or "unshare", "--user", f"--map-user={uid}", f"--map-group={uid}", "--"]


def _maps_users() -> str | None:
    """Why leased uids cannot be mapped here (``None`` if they can), checked once: bubblewrap
    as root, then an unprivileged user namespace under the dropped uid."""
    if not _maps:
        problem = _probe(True)
        if problem is None and _UNSHARE is None:
            problem = "unshare (util-linux) is not installed"
        if problem is None:
            command = [*_bwrap_prefix(True), "--ro-bind", "/", "/", "--proc", "/proc"]
            command += ["--dev", "/dev", "--", _SETPRIV or "setpriv"]
            command += [f"--reuid={UID_BASE - 1}", f"--regid={UID_BASE - 1}", "--clear-groups"]
            command += ["--", *_map_to(NOBODY), "/bin/true"]
            try:
                done = subprocess.run(command, capture_output=True, timeout=30, check=False)
                if done.returncode != 0:
                    problem = done.stderr.decode(errors="replace").strip() or "exit code"
            except (OSError, subprocess.SubprocessError) as exc:
                problem = str(exc)
        _maps.append(problem)
    return _maps[0]


_SETARCH = shutil.which("setarch", path="/usr/bin:/bin:/usr/sbin:/sbin")


def _bwrap_prefix(drop: bool) -> list[str]:
    args = [
        _BWRAP or "bwrap",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
    ]
    if drop:
        return [*args, "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*args, "--unshare-user", *_supported("--disable-userns"), "--cap-drop", "ALL"]


def _supported(option: str, *values: str) -> list[str]:
    """``option`` (with its values) if this bubblewrap knows it, else nothing (older bwraps
    lack ``--size`` and ``--disable-userns``)."""
    global _BWRAP_HELP
    if _BWRAP_HELP is None:
        try:
            done = subprocess.run([_BWRAP or "bwrap", "--help"], capture_output=True, check=False)
            _BWRAP_HELP = done.stdout.decode(errors="replace")
        except OSError:
            _BWRAP_HELP = ""
    return [option, *values] if f"{option} " in _BWRAP_HELP else []


_BWRAP = shutil.which("bwrap")
_BWRAP_HELP: str | None = None


def _probe(drop: bool) -> str | None:
    """Why namespaces cannot be used here (``None`` if they can); checked once per process."""
    key = (os.geteuid(), drop)
    if key not in _probes:
        _probes[key] = _try_bwrap(drop)
    return _probes[key]


def _try_bwrap(drop: bool) -> str | None:
    if _BWRAP is None:
        return "bubblewrap (bwrap) is not installed"
    if drop and _SETPRIV is None:
        return "setpriv (util-linux) is not installed, so privileges cannot be dropped"
    command = [*_bwrap_prefix(drop), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    command += ["--", "/bin/true"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap failed to run ({exc})"
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip() or f"exit code {done.returncode}"
        return f"bubblewrap cannot create namespaces here ({reason})"
    return None


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _ancestors(dests: list[str], covered: list[str]) -> list[str]:
    """Directories to create (in order) so every mount point's parents exist and are 0755."""
    out: list[str] = []
    for dest in dests:
        parent = os.path.dirname(dest)
        chain = []
        while parent not in ("/", ""):
            chain.append(parent)
            parent = os.path.dirname(parent)
        for directory in reversed(chain):
            if directory in out or any(_under(directory, c) for c in covered):
                continue
            out.append(directory)
    return out


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


_START_TASKS = 4  # tasks an interpreter needs to start (bubblewrap, setpriv, Python)


def _tasks_of(uid: int) -> int:
    """How many tasks (threads) ``uid`` runs now: RLIMIT_NPROC counts them all."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="ascii", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            total += int(fields.get("Threads", "1").strip() or 1)
    return total


def _allow_many_files() -> None:
    """Raise this process's open-file limit to its hard limit (once): every sandbox holds a
    few pipes, and a trainer may hold hundreds of sandboxes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _cleanup(
    procs: set[subprocess.Popen[bytes]], directory: str, lease: UidLease | None = None
) -> None:
    for proc in list(procs):
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    procs.clear()
    shutil.rmtree(directory, ignore_errors=True)
    if lease is not None:  # every process of the uid is gone: another sandbox may have it
        lease.release()
