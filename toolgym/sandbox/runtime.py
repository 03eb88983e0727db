"""Which Python runs inside the sandbox, and what of the host it needs to see.

The sandbox runs the same interpreter and packages as the host process (so pytest, numpy and
friends are there), but as an unprivileged user who may not be able to read where they live:
``/root`` is ``0700`` on many machines. With namespaces the host binds the installation in
read-only, at the same path, which needs no permission from the sandbox user; without them the
interpreter must be readable to that user, so :meth:`PythonRuntime.readable_by` looks for one.

Packages are those of the installation (a conda env, a system Python) or of the virtual
environment; user site-packages (``pip install --user``) and ``PYTHONPATH`` entries of the host
are not carried into the sandbox, so install what sandboxed code needs into the environment.
"""

from __future__ import annotations

import os
import stat
import sys
import sysconfig
from dataclasses import dataclass, replace

__all__ = ["PythonRuntime", "readable_by"]


@dataclass(frozen=True)
class PythonRuntime:
    """An interpreter installation plus the environment's own packages.

    ``home`` is the installation prefix (``sys.base_prefix``), ``executable`` the real binary
    in it, ``site_packages`` the virtual environment's package directory (``None`` when the
    interpreter runs outside a virtual environment), and ``launcher`` the path that starts the
    environment from the host (the venv's ``bin/python``).
    """

    executable: str
    home: str
    version: str
    site_packages: str | None
    system_site_packages: bool
    launcher: str

    @classmethod
    def current(cls) -> PythonRuntime:
        """The interpreter and environment this process runs in."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        home = os.path.realpath(sys.base_prefix)
        executable = os.path.realpath(sys.executable)
        in_venv = os.path.realpath(sys.prefix) != home
        site = None
        system_site = False
        if in_venv:
            site = sysconfig.get_paths()["purelib"]
            system_site = _venv_setting(sys.prefix, "include-system-site-packages") == "true"
        return cls(executable, home, version, site, system_site, sys.executable)

    def pyvenv_cfg(self) -> str:
        """A ``pyvenv.cfg`` that recreates the environment around this interpreter."""
        flag = "true" if self.system_site_packages else "false"
        return (
            f"home = {os.path.dirname(self.executable)}\n"
            f"include-system-site-packages = {flag}\n"
            f"version = {self.version}\n"
        )

    def readable_by(self, uid: int, gid: int) -> PythonRuntime | None:
        """A runtime this user can start without namespaces: this one, or a system interpreter
        of the same version with the environment's packages; ``None`` if there is neither."""
        if readable_by(self.launcher, uid, gid) and all(
            readable_by(path, uid, gid) for path in self._needs()
        ):
            return self
        for prefix in ("/usr", "/usr/local"):
            exe = os.path.join(prefix, "bin", f"python{self.version}")
            landmark = os.path.join(prefix, "lib", f"python{self.version}", "os.py")
            if not (os.path.exists(exe) and readable_by(exe, uid, gid)):
                continue
            if not readable_by(landmark, uid, gid):
                continue
            site = self.site_packages
            if site is not None and not readable_by(site, uid, gid):
                site = None
            return replace(
                self,
                executable=os.path.realpath(exe),
                home=prefix,
                site_packages=site,
                launcher=exe,
            )
        return None

    def _needs(self) -> list[str]:
        paths = [self.executable, os.path.join(self.home, "lib", f"python{self.version}", "os.py")]
        if self.site_packages:
            paths.append(self.site_packages)
        return paths


def readable_by(path: str, uid: int, gid: int) -> bool:
    """Whether ``uid``/``gid`` (without supplementary groups) can reach and read ``path``."""
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
    except OSError:
        return False
    want = stat.S_IXOTH if stat.S_ISDIR(info.st_mode) else stat.S_IROTH
    if not _allowed(info, uid, gid, want):
        return False
    parent = os.path.dirname(real)
    while True:
        try:
            pinfo = os.stat(parent)
        except OSError:
            return False
        if not _allowed(pinfo, uid, gid, stat.S_IXOTH):
            return False
        if parent == "/":
            return True
        parent = os.path.dirname(parent)


def _allowed(info: os.stat_result, uid: int, gid: int, other_bit: int) -> bool:
    """The permission ``other_bit`` names (r or x) under the user, group or other class."""
    shift = 6 if info.st_uid == uid else 3 if info.st_gid == gid else 0
    return bool(info.st_mode & (other_bit << shift))


def _venv_setting(prefix: str, key: str) -> str:
    try:
        with open(os.path.join(prefix, "pyvenv.cfg"), encoding="utf-8") as handle:
            for line in handle:
                name, _, value = line.partition("=")
                if name.strip().lower() == key:
                    return value.strip().lower()
    except OSError:
        pass
    return ""
