"""The host's view of a sandbox's working directory, safe against what the sandbox put there.

Sandboxed code can leave symbolic links, fifos or deep trees in its workspace; the host (often
root) then reads and writes those files for tools and checkers. Every access here walks the
path one component at a time with ``O_NOFOLLOW`` from a directory descriptor, so a link can
never lead the host outside the workspace, and nothing blocks on a fifo.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "Workspace", "WorkspaceError"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC


class WorkspaceError(Exception):
    """A path the host refuses or cannot use; ``kind`` says why in one word."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Entry:
    """One directory entry: its workspace-relative path, kind and size."""

    path: str
    kind: str  # "file", "dir", "symlink" or "other"
    size: int


class Workspace:
    """A directory the sandbox sees as ``inside`` (for example ``/workspace``).

    Paths given to its methods are relative to the workspace; an absolute path is accepted when
    it lies under ``inside``, so an agent can use the paths it sees in tracebacks.
    ``owner`` (uid, gid) is given to every file and directory the host creates, so the
    sandboxed user can change them.
    """

    def __init__(self, root: Path, inside: str, owner: tuple[int, int] | None = None) -> None:
        self.root = Path(root)
        self.inside = inside.rstrip("/") or "/"
        self.owner = owner

    # ----------------------------------------------------------------- paths
    def relative(self, path: str) -> str:
        """``path`` as a normalised workspace-relative path (``""`` is the workspace itself).

        Raises:
            WorkspaceError: ``outside`` when the path leaves the workspace.
        """
        if not isinstance(path, str) or "\x00" in path:
            raise WorkspaceError("invalid", f"Invalid path {path!r}.")
        text = path.strip()
        if text.startswith("/"):
            if text == self.inside or text.startswith(self.inside + "/"):
                text = text[len(self.inside) :]
            else:
                raise WorkspaceError(
                    "outside",
                    f"'{path}' is outside the workspace; use a path relative to {self.inside}.",
                )
        parts: list[str] = []
        for part in text.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise WorkspaceError(
                        "outside",
                        f"'{path}' leaves the workspace; paths must stay inside {self.inside}.",
                    )
                parts.pop()
            else:
                parts.append(part)
        return "/".join(parts)

    def _parts(self, path: str) -> list[str]:
        rel = self.relative(path)
        return [p for p in rel.split("/") if p]

    def _open_dir(self, parts: list[str], *, create: bool = False) -> int:
        """A descriptor of the directory ``parts``, following no link on the way."""
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for i, name in enumerate(parts):
                try:
                    nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise WorkspaceError(
                            "not_found", f"No such directory: '{'/'.join(parts[: i + 1])}'."
                        ) from None
                    os.mkdir(name, 0o755, dir_fd=fd)
                    nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
                    if self.owner is not None:
                        os.fchown(nxt, *self.owner)
                except OSError as exc:
                    raise self._error(exc, "/".join(parts[: i + 1]), dir_expected=True) from None
                os.close(fd)
                fd = nxt
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _error(exc: OSError, path: str, dir_expected: bool = False) -> WorkspaceError:
        if exc.errno == errno.ELOOP:
            return WorkspaceError(
                "symlink", f"'{path}' is a symbolic link; symbolic links are not followed."
            )
        if exc.errno == errno.ENOTDIR and dir_expected:
            return WorkspaceError("not_a_directory", f"'{path}' is not a directory.")
        if exc.errno == errno.ENOENT:
            return WorkspaceError("not_found", f"No such file or directory: '{path}'.")
        if exc.errno == errno.EISDIR:
            return WorkspaceError("is_a_directory", f"'{path}' is a directory.")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return WorkspaceError("permission_denied", f"Permission denied: '{path}'.")
        return WorkspaceError("os_error", f"Cannot use '{path}': {exc.strerror}.")

    # ----------------------------------------------------------------- files
    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        """The content of a regular file (at most ``limit`` bytes)."""
        parts = self._parts(path)
        if not parts:
            raise WorkspaceError("is_a_directory", "The workspace itself is a directory.")
        dfd = self._open_dir(parts[:-1])
        try:
            try:
                fd = os.open(parts[-1], _READ_FLAGS, dir_fd=dfd)
            except OSError as exc:
                raise self._error(exc, "/".join(parts)) from None
        finally:
            os.close(dfd)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise WorkspaceError("is_a_directory", f"'{'/'.join(parts)}' is a directory.")
            if not stat.S_ISREG(info.st_mode):
                raise WorkspaceError("not_a_file", f"'{'/'.join(parts)}' is not a regular file.")
            want = info.st_size if limit is None else min(limit, info.st_size)
            chunks, got = [], 0
            while got < want:
                chunk = os.read(fd, min(1 << 20, want - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def size(self, path: str) -> int:
        """Size in bytes of a regular file."""
        parts = self._parts(path)
        if not parts:
            raise WorkspaceError("is_a_directory", "The workspace itself is a directory.")
        dfd = self._open_dir(parts[:-1])
        try:
            info = os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False)
        except OSError as exc:
            raise self._error(exc, "/".join(parts)) from None
        finally:
            os.close(dfd)
        if stat.S_ISLNK(info.st_mode):
            raise WorkspaceError(
                "symlink", f"'{'/'.join(parts)}' is a symbolic link; links are not followed."
            )
        if stat.S_ISDIR(info.st_mode):
            raise WorkspaceError("is_a_directory", f"'{'/'.join(parts)}' is a directory.")
        if not stat.S_ISREG(info.st_mode):
            raise WorkspaceError("not_a_file", f"'{'/'.join(parts)}' is not a regular file.")
        return info.st_size

    def write_bytes(self, path: str, data: bytes) -> None:
        """Create or replace a regular file, making parent directories as needed."""
        parts = self._parts(path)
        if not parts:
            raise WorkspaceError("is_a_directory", "The workspace itself is a directory.")
        dfd = self._open_dir(parts[:-1], create=True)
        try:
            try:
                fd = os.open(parts[-1], _WRITE_FLAGS, 0o644, dir_fd=dfd)
            except OSError as exc:
                raise self._error(exc, "/".join(parts)) from None
        finally:
            os.close(dfd)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise WorkspaceError("not_a_file", f"'{'/'.join(parts)}' is not a regular file.")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.owner is not None:
                os.fchown(fd, *self.owner)
        finally:
            os.close(fd)

    def exists(self, path: str) -> bool:
        parts = self._parts(path)
        if not parts:
            return True
        try:
            dfd = self._open_dir(parts[:-1])
        except WorkspaceError:
            return False
        try:
            os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False)
            return True
        except OSError:
            return False
        finally:
            os.close(dfd)

    # ----------------------------------------------------------- directories
    def walk(self, path: str = "", *, limit: int = 100_000) -> Iterator[Entry]:
        """Every entry under ``path``, depth first in name order, links not followed."""
        parts = self._parts(path)
        fd = self._open_dir(parts)
        count = 0

        def visit(dfd: int, prefix: str) -> Iterator[Entry]:
            nonlocal count
            with os.scandir(dfd) as it:
                entries = sorted(it, key=lambda e: e.name)
            for entry in entries:
                count += 1
                if count > limit:
                    return
                rel = f"{prefix}{entry.name}"
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    yield Entry(rel, "dir", 0)
                    try:
                        sub = os.open(entry.name, _DIR_FLAGS, dir_fd=dfd)
                    except OSError:
                        continue
                    try:
                        yield from visit(sub, rel + "/")
                    finally:
                        os.close(sub)
                elif stat.S_ISREG(info.st_mode):
                    yield Entry(rel, "file", info.st_size)
                elif stat.S_ISLNK(info.st_mode):
                    yield Entry(rel, "symlink", 0)
                else:
                    yield Entry(rel, "other", 0)

        try:
            base = "/".join(parts) + "/" if parts else ""
            yield from visit(fd, base)
        finally:
            os.close(fd)

    def usage(self, *, limit: int = 100_000) -> tuple[int, int]:
        """Bytes (apparent file sizes, which never lag behind writes) and entries in the
        workspace; counting stops after ``limit`` entries."""
        total, entries = 0, 0
        stack = [os.open(self.root, _DIR_FLAGS)]
        try:
            while stack and entries <= limit:
                dfd = stack.pop()
                try:
                    with os.scandir(dfd) as it:
                        for entry in it:
                            entries += 1
                            info = entry.stat(follow_symlinks=False)
                            total += info.st_size
                            if stat.S_ISDIR(info.st_mode):
                                with contextlib.suppress(OSError):
                                    stack.append(os.open(entry.name, _DIR_FLAGS, dir_fd=dfd))
                finally:
                    os.close(dfd)
        finally:
            for dfd in stack:
                os.close(dfd)
        return total, entries

    def clear(self) -> None:
        """Remove everything inside the workspace, keeping the directory itself."""
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            _remove_contents(fd)
        finally:
            os.close(fd)

    def replace(self, files: Mapping[str, bytes]) -> None:
        """Make the workspace hold exactly ``files`` (relative path -> content)."""
        self.clear()
        for path, data in files.items():
            self.write_bytes(path, data)

    def files(self, *, limit_bytes: int = 1 << 20) -> dict[str, bytes]:
        """Every regular file's content (files larger than ``limit_bytes`` are skipped)."""
        out = {}
        for entry in self.walk():
            if entry.kind == "file" and entry.size <= limit_bytes:
                try:
                    out[entry.path] = self.read_bytes(entry.path)
                except WorkspaceError:
                    continue
        return out


def _remove_contents(dfd: int) -> None:
    with os.scandir(dfd) as it:
        names = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    for name, is_dir in names:
        if is_dir:
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=dfd)
            except OSError:
                continue
            try:
                os.fchmod(sub, 0o700)
                _remove_contents(sub)
            finally:
                os.close(sub)
            os.rmdir(name, dir_fd=dfd)
        else:
            os.unlink(name, dir_fd=dfd)
