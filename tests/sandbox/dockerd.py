"""A private Docker engine for the docker backend's tests, and a Python image built locally.

These machines have no registry, but ``dockerd`` (Debian's ``docker.io``) starts on a socket of
our choosing, and ``docker import`` turns a root filesystem tarball into an image. The tarball
holds the host's system Python (binary, standard library, shared libraries), nothing else.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

IMAGE = "toolgym-test-python:latest"
_SKIP_STDLIB = {"test", "idlelib", "tkinter", "lib2to3", "ensurepip", "turtledemo", "pydoc_data"}


class Unavailable(Exception):
    """Why a private engine cannot run here (the tests skip with this reason)."""


class PrivateDockerd:
    """``dockerd`` on its own socket, data root and exec root under a temporary directory."""

    def __init__(self) -> None:
        self.binary = shutil.which("dockerd")
        if self.binary is None:
            raise Unavailable("dockerd is not installed (apt-get install docker.io)")
        if os.geteuid() != 0:
            raise Unavailable("a private dockerd needs root")
        self.dir = Path(tempfile.mkdtemp(prefix="toolgym-dockerd-"))
        self.socket = self.dir / "docker.sock"
        self.base_url = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.dir / "dockerd.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            [
                str(self.binary),
                f"--host={self.base_url}",
                f"--data-root={self.dir / 'data'}",
                f"--exec-root={self.dir / 'exec'}",
                f"--pidfile={self.dir / 'docker.pid'}",
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver=vfs",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import docker

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                docker.DockerClient(base_url=self.base_url).ping()
                return
            except Exception:
                time.sleep(0.25)
        tail = (self.dir / "dockerd.log").read_text(errors="replace").strip().splitlines()[-3:]
        self.stop()
        raise Unavailable("dockerd did not start: " + " | ".join(tail))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "_log", None) is not None:
            self._log.close()
        subprocess.run(["umount", "-R", str(self.dir / "exec")], capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def python_rootfs() -> bytes:
    """A tarball of the host's system Python 3 and the libraries it loads."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    exe = Path(f"/usr/bin/python{version}")
    stdlib = Path(f"/usr/lib/python{version}")
    if not exe.exists() or not (stdlib / "os.py").exists():
        raise Unavailable(f"no system Python {version} under /usr to build an image from")
    files: set[str] = {str(exe)}
    for path in stdlib.rglob("*"):
        rel = path.relative_to(stdlib).parts
        if rel and (rel[0] in _SKIP_STDLIB or rel[0].endswith("-packages")):
            continue
        if path.is_file() or path.is_symlink():
            files.add(str(path))
    binaries = [str(exe), *(p for p in files if p.endswith(".so"))]
    files |= _shared_libraries(binaries)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for top in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink(f"/{top}"):
                info = tarfile.TarInfo(top)
                info.type = tarfile.SYMTYPE
                info.linkname = os.readlink(f"/{top}")
                tar.addfile(info)
        for name in ("workspace", "tmp", "etc"):
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if name == "tmp" else 0o755
            tar.addfile(info)
        parents = {str(parent) for path in files for parent in Path(path).parents}
        for directory in sorted(parents - {"/"}):
            info = tarfile.TarInfo(directory.lstrip("/"))
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for path in sorted(files):
            tar.add(path, arcname=path.lstrip("/"), recursive=False)
        link = tarfile.TarInfo("usr/bin/python3")
        link.type = tarfile.SYMTYPE
        link.linkname = exe.name
        tar.addfile(link)
    return out.getvalue()


def _shared_libraries(binaries: list[str]) -> set[str]:
    """Each library ``ldd`` names, as its link in the real directory and the file it names."""
    found: set[str] = set()
    for chunk in range(0, len(binaries), 50):
        done = subprocess.run(
            ["ldd", *binaries[chunk : chunk + 50]], capture_output=True, text=True, check=False
        )
        for line in done.stdout.splitlines():
            parts = line.split()
            path = parts[2] if "=>" in parts and len(parts) > 2 else parts[0] if parts else ""
            if path.startswith("/") and os.path.exists(path):
                directory = os.path.realpath(os.path.dirname(path))
                found.add(os.path.join(directory, os.path.basename(path)))
                found.add(os.path.realpath(path))
    return found


def engine() -> Iterator[tuple[str, str]]:
    """Start a private engine, import the test image, yield ``(base_url, image)``, stop."""
    daemon = PrivateDockerd()
    daemon.start()
    try:
        import docker

        client = docker.DockerClient(base_url=daemon.base_url)
        client.api.import_image_from_data(
            python_rootfs(), repository=IMAGE.split(":")[0], tag="latest"
        )
        yield daemon.base_url, IMAGE
        client.close()
    finally:
        daemon.stop()
