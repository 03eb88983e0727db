"""The docker backend: each worker and each run is a container of a Docker engine.

Chosen explicitly (``DockerSandbox(image=...)``) and optional (``pip install
'toolgym[docker]'``). Containers run with no network, a read-only root filesystem, a private
``/tmp``, memory and process limits from cgroups, CPU/file-size/open-file ulimits, no
capabilities, as an unprivileged user, with only the workspace (a host directory the engine
must be able to bind, so a local engine) writable. The image must provide a Python 3.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import tempfile
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolgym.sandbox.base import (
    INSIDE,
    Channel,
    ExecutionError,
    RunResult,
    Sandbox,
    SandboxError,
    kernel_source,
    output_text,
    wait_ready,
)
from toolgym.sandbox.limits import Limits
from toolgym.sandbox.local import NOBODY
from toolgym.sandbox.workspace import Workspace

__all__ = ["DockerSandbox"]

_LABEL = "toolgym.sandbox"


class DockerSandbox(Sandbox):
    """Run code in containers of a Docker engine.

    Args:
        image: an image with a Python 3 interpreter (``python`` names it inside).
        limits: resource limits (see :class:`~toolgym.sandbox.Limits`).
        base_url: the engine's address (``unix:///run/docker.sock``); default from the
            environment (``DOCKER_HOST``) like the ``docker`` command.
        python: the interpreter's path or name inside the image.
        uid: the user code runs as inside the container.
        preload / spare: see :class:`~toolgym.sandbox.Sandbox`.

    Raises:
        SandboxError: the SDK is missing, no engine answers, or the image does not exist,
            each with one message saying what to do.
    """

    def __init__(
        self,
        image: str,
        limits: Limits | None = None,
        *,
        base_url: str | None = None,
        python: str = "python3",
        uid: int = NOBODY,
        preload: Sequence[str] = (),
        spare: bool = True,
    ) -> None:
        super().__init__(limits, preload=preload, spare=spare)
        try:
            import docker
            from docker.errors import DockerException, ImageNotFound
        except ImportError:
            raise SandboxError(
                "the docker backend needs the Docker SDK: pip install 'toolgym[docker]'"
            ) from None
        where = base_url or os.environ.get("DOCKER_HOST") or "the default socket"
        try:
            self.client = docker.DockerClient(base_url=base_url) if base_url else docker.from_env()
            self.client.ping()
        except DockerException as exc:
            raise SandboxError(
                f"no Docker engine is reachable at {where} ({_first_line(exc)}); start Docker, "
                "or pass base_url= / set DOCKER_HOST, or use the local sandbox instead"
            ) from None
        try:
            self.client.images.get(image)
        except ImageNotFound:
            raise SandboxError(
                f"the Docker image {image!r} does not exist on the engine at {where}; "
                "build, pull or import it first"
            ) from None
        self.image = image
        self.python = python
        self.uid = uid
        self.dir = Path(tempfile.mkdtemp(prefix="toolgym-docker-"))
        os.chmod(self.dir, 0o711)
        root = self.dir / "workspace"
        root.mkdir(mode=0o755)
        owner = (uid, uid) if os.geteuid() == 0 else None
        if owner:
            os.chown(root, *owner)
        self._workspace = Workspace(root, INSIDE, owner)
        self._containers: set[Any] = set()
        self._finalizer = weakref.finalize(self, _cleanup, self._containers, str(self.dir))

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    # -------------------------------------------------------------- processes
    def _create(self, argv: list[str], *, stdin: bool) -> tuple[Any, _Frames]:
        from docker.types import LogConfig, Ulimit

        lim = self.limits
        if argv and argv[0] in ("python", "python3"):
            argv = [self.python, *argv[1:]]
        try:
            container = self.client.containers.create(
                self.image,
                argv,
                user=f"{self.uid}:{self.uid}",
                working_dir=INSIDE,
                environment=_ENVIRONMENT,
                hostname="sandbox",
                network_mode="none",
                read_only=True,
                tmpfs={"/tmp": f"size={lim.disk_bytes},mode=1777"},
                volumes={str(self.workspace.root): {"bind": INSIDE, "mode": "rw"}},
                mem_limit=lim.memory_bytes,
                memswap_limit=lim.memory_bytes,
                pids_limit=lim.processes,
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                ulimits=[
                    Ulimit(name="cpu", soft=lim.cpu_seconds, hard=lim.cpu_seconds + 1),
                    Ulimit(name="fsize", soft=lim.file_size_bytes, hard=lim.file_size_bytes),
                    Ulimit(name="nofile", soft=lim.open_files, hard=lim.open_files),
                    Ulimit(name="core", soft=0, hard=0),
                ],
                log_config=LogConfig(type=LogConfig.types.NONE),
                labels={_LABEL: "1"},
                stdin_open=stdin,
                detach=True,
            )
            self._containers.add(container)
            sock = container.attach_socket(
                params={"stdin": int(stdin), "stdout": 1, "stderr": 1, "stream": 1}
            )
            container.start()
        except Exception as exc:
            raise SandboxError(f"could not start a container: {_first_line(exc)}") from exc
        return container, _Frames(sock)

    def _remove(self, container: Any) -> None:
        with contextlib.suppress(Exception):
            container.remove(force=True)
        self._containers.discard(container)

    def _spawn_kernel(self) -> Channel:
        import json

        config = {"output_bytes": self.limits.output_bytes, "preload": list(self.preload)}
        argv = ["python", "-s", "-c", kernel_source(), json.dumps(config)]
        container, frames = self._create(argv, stdin=True)
        return _DockerChannel(container, frames, self._remove)

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> RunResult:
        """Run one command in a new container."""
        self._check_open()
        seconds = self.limits.timeout_seconds if timeout is None else float(timeout)
        allowance = self.disk_usage()
        container, frames = self._create(list(argv), stdin=False)
        cap = self.limits.output_bytes
        kept = {1: bytearray(), 2: bytearray()}
        sizes = {1: 0, 2: 0}
        deadline = time.monotonic() + seconds
        timed_out, problem = False, None
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                got = frames.read(min(left, 0.05))
                if got is None:
                    problem = self.disk_problem(allowance)
                    if problem:
                        break
                    continue
                if not got:
                    break
                for stream, payload in got:
                    if stream in kept:
                        sizes[stream] += len(payload)
                        kept[stream] += payload[: max(0, cap - len(kept[stream]))]
            code = None
            if not (timed_out or problem):
                code = int(
                    container.wait(timeout=max(1.0, deadline - time.monotonic()))["StatusCode"]
                )
                problem = self.disk_problem(allowance)
        finally:
            frames.close()
            self._remove(container)
        if problem:
            raise ExecutionError("disk_quota", problem)
        out, err = (output_text(kept[s], sizes[s], cap) for s in (1, 2))
        return RunResult(code, out, err, timed_out)

    def _release(self) -> None:
        self._finalizer()


_ENVIRONMENT = {
    "HOME": INSIDE,
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "TMPDIR": "/tmp",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


class _Frames:
    """Docker's attach stream: 8-byte headers (stream, size) before each payload."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.raw = getattr(sock, "_sock", sock)
        self.buffer = b""
        self.eof = False

    def send(self, data: bytes) -> None:
        self.raw.sendall(data)

    def read(self, timeout: float) -> list[tuple[int, bytes]] | None:
        """Complete frames (``[]`` at end of stream), or ``None`` if none came in time."""
        frames = self._parse()
        if frames or self.eof:
            return frames
        ready = wait_ready([self.raw.fileno()], timeout)
        if not ready:
            return None
        chunk = self.raw.recv(1 << 16)
        if not chunk:
            self.eof = True
            return []
        self.buffer += chunk
        return self._parse() or None

    def _parse(self) -> list[tuple[int, bytes]]:
        out = []
        while len(self.buffer) >= 8:
            stream, size = struct.unpack(">BxxxL", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                break
            out.append((stream, self.buffer[8 : 8 + size]))
            self.buffer = self.buffer[8 + size :]
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class _DockerChannel:
    """A kernel container spoken to over its attached stdin and stdout."""

    def __init__(self, container: Any, frames: _Frames, remove) -> None:
        self.container = container
        self.frames = frames
        self._remove = remove

    def send(self, data: bytes) -> None:
        self.frames.send(data)

    def receive(self, timeout: float) -> bytes | None:
        got = self.frames.read(timeout)
        if got is None:
            return None
        if not got:
            return b""
        data = b"".join(payload for stream, payload in got if stream == 1)
        return data or None

    def kill(self) -> None:
        self.frames.close()
        self._remove(self.container)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _cleanup(containers: set[Any], directory: str) -> None:
    for container in list(containers):
        with contextlib.suppress(Exception):
            container.remove(force=True)
    containers.clear()
    shutil.rmtree(directory, ignore_errors=True)
