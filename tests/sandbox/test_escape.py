"""The escape battery: code that tries to get out of the sandbox, and what stops it.

Each probe runs hostile code in a namespaced sandbox, asserts that it was contained (from
inside and, where it matters, from the host), and then that the sandbox still works.
"""

from __future__ import annotations

import os
import pwd
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolgym.sandbox import (
    Execution,
    ExecutionError,
    Limits,
    LocalSandbox,
    SandboxWarning,
    WorkspaceError,
    bubblewrap_available,
)

pytestmark = pytest.mark.skipif(
    not bubblewrap_available(), reason="bubblewrap cannot create namespaces on this machine"
)

LIMITS = Limits(
    timeout_seconds=2,
    cpu_seconds=30,
    memory_bytes=512 << 20,
    processes=32,
    file_size_bytes=8 << 20,
    open_files=64,
    disk_bytes=32 << 20,
    output_bytes=4096,
)
SECRET = "toolgym-escape-secret-7f3a"
# The kernel counts the process limit per user: the probes (a fork bomb among them) run as a
# uid of their own, so they never starve sandboxes of other tests running at the same time.
# A uid of this test process's own (RLIMIT_NPROC counts per uid, machine-wide), as in
# test_local.py: another pytest process running these tests must not share its budget.
UID = 55_000 + os.getpid() % 5_000 if os.geteuid() == 0 else None
PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Host:
    """What the probes attack on the host side."""

    box: LocalSandbox
    secret_file: Path
    port: int
    connections: list[str]

    def run(self, code: str, timeout: float | None = None) -> Execution | ExecutionError:
        try:
            return self.box.execute(code, timeout=timeout)
        except ExecutionError as exc:
            return exc


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    secret_file = tmp_path_factory.mktemp("host") / "secret.txt"
    secret_file.write_text(SECRET)
    os.chmod(secret_file.parent, 0o755)
    os.chmod(secret_file, 0o644)
    os.environ["TOOLGYM_ESCAPE_SECRET"] = SECRET
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except OSError:
                continue
            connections.append(str(addr))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SandboxWarning)
        box = LocalSandbox(LIMITS, namespaces=True, uid=UID)
    yield Host(box, secret_file, server.getsockname()[1], connections)
    box.close()
    stop.set()
    thread.join()
    server.close()
    del os.environ["TOOLGYM_ESCAPE_SECRET"]


def failed(result: Execution | ExecutionError, *words: str) -> bool:
    """The probe's code raised, with one of ``words`` in its traceback (any if none given)."""
    if not isinstance(result, Execution) or result.error is None:
        return False
    return not words or any(w in result.error for w in words)


NO_FILE = ("FileNotFoundError", "PermissionError", "NotADirectoryError")
READ_ONLY = ("Read-only file system", "PermissionError", "FileNotFoundError")


# ------------------------------------------------------------------- reading
def probe_host_home(h: Host) -> None:
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    names = [p.name for p in home.iterdir() if p.is_file()][:5] or [".bashrc"]
    for name in names:
        assert failed(h.run(f"open({str(home / name)!r}).read()"), *NO_FILE)


def probe_etc_shadow(h: Host) -> None:
    assert failed(h.run("open('/etc/shadow').read()"), *NO_FILE)


def probe_etc_passwd_is_synthetic(h: Host) -> None:
    done = h.run("open('/etc/passwd').read()")
    assert isinstance(done, Execution) and done.value is not None
    assert "sandbox" in done.value and "daemon" not in done.value


def probe_proc_1_root(h: Host) -> None:
    assert failed(h.run("open('/proc/1/root/etc/shadow').read()"), *NO_FILE)
    done = h.run("import os; os.path.exists('/proc/1/root/' + " + repr(str(PROJECT)) + ")")
    assert isinstance(done, Execution) and done.value == "False"


def probe_project_is_invisible(h: Host) -> None:
    done = h.run(f"import os; os.path.exists({str(PROJECT / 'pyproject.toml')!r})")
    assert isinstance(done, Execution) and done.value == "False"
    assert failed(h.run("import toolgym"), "ModuleNotFoundError", "ImportError")


def probe_host_file_by_absolute_path(h: Host) -> None:
    assert failed(h.run(f"open({str(h.secret_file)!r}).read()"), *NO_FILE)


def probe_sysfs_and_devices(h: Host) -> None:
    assert failed(h.run("import os; os.listdir('/sys/class')"), *NO_FILE)
    done = h.run("import os; sorted(os.listdir('/dev'))")
    assert isinstance(done, Execution) and done.value is not None
    for device in ("sda", "vda", "mem", "kmsg", "nvme0"):
        assert f"'{device}'" not in done.value


# ---------------------------------------------------------------- environment
def probe_own_environment(h: Host) -> None:
    done = h.run("import os; [k for k, v in os.environ.items() if 'secret' in (k + v).lower()]")
    assert isinstance(done, Execution) and done.value == "[]"


def probe_other_processes_environment(h: Host) -> None:
    code = (
        "import os\nfound = []\nfor pid in os.listdir('/proc'):\n"
        "    try:\n        data = open(f'/proc/{pid}/environ', 'rb').read()\n"
        "    except OSError:\n        continue\n"
        f"    if b{SECRET!r} in data:\n        found.append(pid)\nfound"
    )
    done = h.run(code)
    assert isinstance(done, Execution) and done.value == "[]"


def probe_host_pids_are_invisible(h: Host) -> None:
    done = h.run("import os; sorted(int(p) for p in os.listdir('/proc') if p.isdigit())")
    assert isinstance(done, Execution) and done.value is not None
    assert max(eval(done.value)) < 100
    assert failed(h.run(f"import os; os.kill({os.getpid()}, 0)"), "ProcessLookupError")


# ------------------------------------------------------------------- signals
def probe_kill_the_parent(h: Host) -> None:
    assert failed(h.run("import os, signal; os.kill(os.getppid(), signal.SIGKILL)"), "Permission")
    assert failed(h.run("import os, signal; os.kill(1, signal.SIGKILL)"), "Permission")


def probe_kill_everything(h: Host) -> None:
    h.run("import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass")


# ------------------------------------------------------------------- writing
def probe_write_outside_the_workspace(h: Host) -> None:
    for path in ("/usr/escape", "/etc/escape", "/escape", "/opt/escape", "/root/escape"):
        assert failed(h.run(f"open({path!r}, 'w').write('x')"), *READ_ONLY), path
    assert failed(h.run(f"open({str(h.secret_file)!r}, 'w').write('x')"), *NO_FILE)
    assert h.secret_file.read_text() == SECRET


def probe_tmp_is_private(h: Host) -> None:
    name = f"/tmp/toolgym-escape-{os.getpid()}"
    done = h.run(f"open({name!r}, 'w').write('x')")
    assert isinstance(done, Execution) and done.error is None
    assert not os.path.exists(name)


def probe_tmp_fill(h: Host) -> None:
    code = (
        "n = 0\ntry:\n    while n < 100:\n"
        "        open(f'/tmp/fill{n}', 'wb').write(b'0' * (4 << 20))\n        n += 1\n"
        "except OSError as e:\n    print(e.errno)\n"
        "import glob, os\nfor p in glob.glob('/tmp/fill*'):\n    os.remove(p)"
    )
    done = h.run(code)
    assert isinstance(done, Execution) and done.stdout.strip() in ("28", "27")


def probe_hard_link_to_a_system_file(h: Host) -> None:
    assert failed(h.run("import os; os.link('/etc/passwd', 'pw')"), "OSError", "Permission")


# ------------------------------------------------------------------- network
def probe_host_loopback(h: Host) -> None:
    code = f"import socket; socket.create_connection(('127.0.0.1', {h.port}), timeout=1)"
    assert failed(h.run(code), "ConnectionRefused", "OSError")
    assert h.connections == []


def probe_outside_network(h: Host) -> None:
    code = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=1)"
    assert failed(h.run(code), "unreachable", "OSError")


def probe_dns(h: Host) -> None:
    assert failed(h.run("import socket; socket.getaddrinfo('example.com', 80)"), "gaierror")


def probe_host_unix_sockets(h: Host) -> None:
    for path in ("/run/docker.sock", "/var/run/docker.sock", "/run/dbus/system_bus_socket"):
        code = f"import socket; s = socket.socket(socket.AF_UNIX); s.connect({path!r})"
        assert failed(h.run(code), "FileNotFoundError", "ConnectionRefused", "Permission")


def probe_hostname(h: Host) -> None:
    done = h.run("import socket; socket.gethostname()")
    assert isinstance(done, Execution) and done.value == "'sandbox'"


# --------------------------------------------------------------- privileges
def probe_become_root(h: Host) -> None:
    assert failed(h.run("import os; os.setuid(0)"), "PermissionError")
    assert failed(h.run("import os; os.chroot('/')"), "PermissionError")


def probe_mount_and_namespaces(h: Host) -> None:
    done = h.run(
        "import subprocess\n"
        "a = subprocess.run(['mount', '-t', 'tmpfs', 'x', '/tmp'], capture_output=True)\n"
        "b = subprocess.run(['unshare', '-Urm', 'cat', '/etc/shadow'], capture_output=True)\n"
        "a.returncode, b.returncode, b.stdout"
    )
    assert isinstance(done, Execution) and done.value is not None
    ra, rb, out = eval(done.value)
    assert ra != 0 and rb != 0 and out == b""


def probe_ptrace_the_parent(h: Host) -> None:
    assert failed(h.run("open('/proc/1/mem', 'rb').read(1)"), "PermissionError", "OSError")


# ----------------------------------------------------------------- resources
def probe_fork_bomb(h: Host) -> None:
    done = h.run(
        "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(0.5)\n            os._exit(0)\n        n += 1\n"
        "except OSError as e:\n    print(n, e.errno)\n"
        "while True:\n    try:\n        os.wait()\n    except ChildProcessError:\n        break"
    )
    assert isinstance(done, Execution), done
    forked, errno = done.stdout.split()
    assert int(forked) < LIMITS.processes and errno == "11"


def probe_relentless_fork_bomb(h: Host) -> None:
    done = h.run(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        timeout=1,
    )
    assert isinstance(done, ExecutionError) and done.reason == "timeout"


def probe_memory_bomb(h: Host) -> None:
    assert failed(h.run("x = bytearray(4 << 30)"), "MemoryError")
    assert failed(h.run("x = []\nwhile True:\n    x.append(bytearray(50 << 20))"), "MemoryError")
    h.run("del x")


def probe_cpu_spin(h: Host) -> None:
    start = time.monotonic()
    done = h.run("while True:\n    pass", timeout=1)
    assert isinstance(done, ExecutionError) and done.reason == "timeout"
    assert time.monotonic() - start < 3


def probe_sleep_forever(h: Host) -> None:
    done = h.run("import time; time.sleep(10**6)", timeout=1)
    assert isinstance(done, ExecutionError) and done.reason == "timeout"


def probe_disk_fill_one_file(h: Host) -> None:
    assert failed(h.run("open('huge', 'wb').write(b'0' * (100 << 20))"), "File too large")
    assert h.box.workspace.size("huge") <= LIMITS.file_size_bytes
    h.run("import os; os.remove('huge')")


def probe_disk_fill_many_files(h: Host) -> None:
    done = h.run(
        "import os\nfor i in range(10_000):\n"
        "    with open(f'fill{i}', 'wb') as f:\n        f.write(b'0' * (4 << 20))",
        timeout=20,
    )
    assert isinstance(done, ExecutionError) and done.reason == "disk_quota"
    assert h.box.disk_usage()[0] < 3 * LIMITS.disk_bytes
    h.run("import glob, os\nfor p in glob.glob('fill*'):\n    os.remove(p)")
    assert h.box.disk_usage()[0] < 1 << 20


def probe_output_flood(h: Host) -> None:
    done = h.run("for _ in range(10**6):\n    print('spam' * 20)")
    assert isinstance(done, Execution)
    assert len(done.stdout) < 2 * LIMITS.output_bytes and "truncated" in done.stdout


def probe_output_flood_below_python(h: Host) -> None:
    done = h.run(
        "import os, subprocess\ntry:\n    os.write(1, b'x' * (50 << 20))\n"
        "except OSError:\n    pass\n"
        "subprocess.run(['sh', '-c', 'yes | head -c 50000000'])"
    )
    assert isinstance(done, Execution)
    assert len(done.stdout) < 2 * LIMITS.output_bytes


# ---------------------------------------------------------------- the worker
def probe_garbage_on_the_kernel_pipes(h: Host) -> None:
    done = h.run(
        "import os\nfor fd in range(3, 12):\n    try:\n"
        "        os.write(fd, b'not json\\n')\n    except OSError:\n        pass"
    )
    assert isinstance(done, ExecutionError) and done.reason == "protocol"


def probe_forged_kernel_replies(h: Host) -> None:
    for forged in ('{"ok": true}', '{"ok": true, "stdout": 1, "stdout_bytes": "x"}', "[1]"):
        line = (forged + "\n").encode()
        done = h.run(
            f"import os\nfor fd in range(3, 12):\n    try:\n"
            f"        os.write(fd, {line!r})\n    except OSError:\n        pass"
        )
        assert isinstance(done, ExecutionError) and done.reason == "protocol"


def probe_close_every_descriptor(h: Host) -> None:
    done = h.run("import os; os.closerange(0, 256)")
    assert isinstance(done, ExecutionError) and done.reason == "crashed"


def probe_crash_the_interpreter(h: Host) -> None:
    done = h.run("import ctypes; ctypes.string_at(0)")
    assert isinstance(done, ExecutionError) and done.reason == "crashed"


# ------------------------------------------------------------------ symlinks
def probe_symlink_to_a_host_file(h: Host) -> None:
    h.run(f"import os; os.symlink({str(h.secret_file)!r}, 'leak.txt')")
    with pytest.raises(WorkspaceError):
        h.box.workspace.read_bytes("leak.txt")
    assert "leak.txt" not in h.box.workspace.files()
    assert failed(h.run("open('leak.txt').read()"), *NO_FILE)
    h.run("import os; os.remove('leak.txt')")


def probe_symlink_to_the_root(h: Host) -> None:
    h.run("import os; os.symlink('/', 'rootfs')")
    target = f"rootfs/tmp/toolgym-escape-{os.getpid()}"
    with pytest.raises(WorkspaceError):
        h.box.workspace.write_bytes(target, b"escaped")
    with pytest.raises(WorkspaceError):
        h.box.workspace.read_bytes("rootfs/etc/shadow")
    assert not os.path.exists(f"/tmp/toolgym-escape-{os.getpid()}")
    h.run("import os; os.remove('rootfs')")


def probe_relative_paths_out(h: Host) -> None:
    with pytest.raises(WorkspaceError):
        h.box.workspace.read_bytes("../etc/passwd")
    with pytest.raises(WorkspaceError):
        h.box.workspace.write_bytes(str(h.secret_file), b"overwrite")
    assert h.secret_file.read_text() == SECRET


PROBES: dict[str, Callable[[Host], None]] = {
    name[len("probe_") :]: fn for name, fn in sorted(globals().items()) if name.startswith("probe_")
}


def test_there_are_at_least_thirty_probes() -> None:
    assert len(PROBES) >= 30


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe_is_contained(host: Host, name: str) -> None:
    PROBES[name](host)
    assert host.box.execute("1 + 1").value == "2"
    assert host.box.run(["python", "-c", "print('ok')"]).stdout == "ok\n"
    assert host.secret_file.read_text() == SECRET
