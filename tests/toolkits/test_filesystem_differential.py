"""Differential test: the virtual tree and a real directory agree on every operation.

A Hypothesis state machine runs the same random operations on :class:`FileSystem` and on a
temporary directory through ``os``/``shutil``/``re``, and checks after each step that both
succeeded or both failed with the same POSIX error (``OSError.errno`` mapped to the tool's
error code), that the results agree, and that the two trees hold the same paths with the same
contents. The real side spells out ``mv``/``cp``/``rm`` with system calls only, so it is the
kernel that decides each error. Permissions are left out: the tests may run as root, which
ignores them (``test_filesystem.py`` covers read-only paths).
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
import shutil
import stat
import tempfile
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from toolgym.core.errors import ToolError
from toolgym.toolkits.filesystem import ERRNO_CODES, FileSystem

NAMES = ["a", "b", "c.txt", "d.csv", ".hidden", "é.md", "x y"]
SEED_TREE = {
    "/a/c.txt": "alpha\nbeta\n",
    "/a/a/d.csv": "x,y\n1,2\n",
    "/c.txt": "1, a b",
    "/é.md": "é\r\nb\n\n",
}


@st.composite
def paths(draw: st.DrawFn) -> str:
    """A path below the root: names, ``.``/``..`` in the middle, optional leading/trailing slash.

    ``..`` is drawn only where it stays below the root, so the real side never leaves its
    temporary directory (escaping is tested against the virtual tree alone).
    """
    parts: list[str] = []
    depth = 0
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["name", "name", "name", "dot", "up"]))
        if kind == "up" and depth > 0:
            parts.append("..")
            depth -= 1
        elif kind == "dot" and parts:
            parts.append(".")
        else:
            parts.append(draw(st.sampled_from(NAMES)))
            depth += 1
    if parts and parts[-1] in (".", ".."):
        parts.append(draw(st.sampled_from(NAMES)))
    text = "/".join(parts)
    if draw(st.booleans()):
        text = "/" + text
    if parts and draw(st.integers(0, 5)) == 0:
        text += "/"
    return text or "."


@st.composite
def spellings(draw: st.DrawFn, path: str) -> str:
    """Other ways to write a path: relative, with ``./``, ``b/../b`` or a final ``/``."""
    parts = [p for p in path.split("/") if p]
    if parts and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts) - 1)), ".")
    if len(parts) > 1 and draw(st.integers(0, 3)) == 0:
        i = draw(st.integers(1, len(parts) - 1))
        if parts[i - 1] != ".":
            parts[i:i] = ["..", parts[i - 1]]
    text = ("/" if draw(st.booleans()) else "") + "/".join(parts)
    if parts and draw(st.integers(0, 5)) == 0:
        text += "/"
    return text or "."


contents = st.text(st.sampled_from("ab é\t\r\n\n1,"), max_size=30)
patterns = st.sampled_from(["a", "^b", "é$", "1,", "a|b", "\\d", "(", "[a-", "a{2,1}", ""])
globs = st.sampled_from(["*", "*.txt", "?", "[ab]", ".*", "*.csv", "x*", "a/b", ""])


def split(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


class RealTree:
    """The same operations on a real directory, through system calls."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="fsdiff_")

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def real(self, raw: str) -> str:
        return "" if raw == "" else self.root + "/" + raw.lstrip("/")

    def virtual(self, real: str) -> str:
        rel = os.path.relpath(os.path.realpath(real), self.root)
        return "/" if rel == "." else "/" + rel

    def snapshot(self) -> dict[str, tuple[str, str]]:
        out = {"/": ("dir", "")}
        for here, dirs, files in os.walk(self.root):
            for d in dirs:
                out[self.virtual(os.path.join(here, d))] = ("dir", "")
            for f in files:
                with open(os.path.join(here, f), encoding="utf-8", newline="") as fh:
                    out[self.virtual(os.path.join(here, f))] = ("file", fh.read())
        return out

    def atomic(self, operation, *args: Any) -> Any:
        """Run a multi-step operation all-or-nothing, as the virtual tools are."""
        backup = tempfile.mkdtemp(prefix="fsbak_")
        shutil.copytree(self.root, backup, dirs_exist_ok=True)
        try:
            return operation(*args)
        except OSError:
            shutil.rmtree(self.root)
            shutil.copytree(backup, self.root)
            raise
        finally:
            shutil.rmtree(backup)

    # ------------------------------------------------------------------ reads
    def read_text(self, real: str) -> str:
        with open(real, encoding="utf-8", newline="") as fh:
            return fh.read()

    def ls(self, path: str) -> list[tuple[str, str, int | None]]:
        real = self.real(path)
        info = os.stat(real)
        if not stat.S_ISDIR(info.st_mode):
            return [(os.path.basename(os.path.realpath(real)), "file", info.st_size)]
        out = []
        for name in sorted(os.listdir(real)):
            child = os.stat(os.path.join(real, name))
            is_dir = stat.S_ISDIR(child.st_mode)
            out.append((name, "dir" if is_dir else "file", None if is_dir else child.st_size))
        return out

    def read(self, path: str, offset: int, limit: int) -> tuple[str, int]:
        lines = split(self.read_text(self.real(path)))
        return "".join(lines[offset - 1 : offset - 1 + limit]), len(lines)

    def stat(self, path: str) -> tuple[str, int | None, int | None]:
        real = self.real(path)
        info = os.stat(real)
        if stat.S_ISDIR(info.st_mode):
            return "dir", None, len(os.listdir(real))
        return "file", info.st_size, len(split(self.read_text(real)))

    def walk(self, real: str) -> list[tuple[str, bool]]:
        """(real path, is_dir) for ``real`` and everything below, parents first."""
        out = [(real, os.path.isdir(real))]
        if os.path.isdir(real):
            for name in sorted(os.listdir(real)):
                out += self.walk(os.path.join(real, name))
        return out

    def find(self, path: str, name: str | None, kind: str | None, depth: int | None) -> list:
        real = self.real(path)
        os.stat(real)
        glob = _glob(name)
        base = os.path.realpath(real).count(os.sep)
        found = []
        for p, is_dir in self.walk(os.path.realpath(real)):
            if depth is not None and p.count(os.sep) - base > depth:
                continue
            if kind is not None and kind != ("dir" if is_dir else "file"):
                continue
            label = os.path.basename(p) if p != self.root else "/"
            if glob is not None and not glob.match(label):
                continue
            found.append(self.virtual(p))
        return sorted(found, key=lambda p: p.split("/"))

    def grep(self, pattern: str, path: str, recursive: bool, output: str) -> list:
        regex = _regex(pattern)
        real = self.real(path)
        info = os.stat(real)
        if stat.S_ISDIR(info.st_mode) and not recursive:
            raise OSError(errno.EISDIR, "Is a directory")
        files = [p for p, is_dir in self.walk(os.path.realpath(real)) if not is_dir]
        results: list[Any] = []
        for p in sorted(files, key=lambda p: self.virtual(p).split("/")):
            hits = [
                (n, line.rstrip("\n"))
                for n, line in enumerate(split(self.read_text(p)), 1)
                if regex.search(line.rstrip("\n"))
            ]
            if not hits:
                continue
            if output == "lines":
                results += [{"path": self.virtual(p), "line": n, "text": t} for n, t in hits]
            elif output == "files":
                results.append(self.virtual(p))
            else:
                results.append({"path": self.virtual(p), "count": len(hits)})
        return results

    def du(self, path: str) -> tuple[int, int, int]:
        real = self.real(path)
        info = os.stat(real)
        if not stat.S_ISDIR(info.st_mode):
            return info.st_size, 1, 0
        entries = self.walk(os.path.realpath(real))[1:]
        size = sum(os.stat(p).st_size for p, is_dir in entries if not is_dir)
        dirs = sum(is_dir for _, is_dir in entries)
        return size, len(entries) - dirs, dirs

    def checksum(self, paths: list[str]) -> list[str]:
        out = []
        for path in paths:
            with open(self.real(path), "rb") as fh:
                out.append(hashlib.sha256(fh.read()).hexdigest())
        return out

    # ----------------------------------------------------------------- writes
    def write(self, path: str, content: str, mode: str) -> None:
        with open(self.real(path), mode, encoding="utf-8", newline="") as fh:
            fh.write(content)

    def mkdir(self, paths: list[str], parents: bool) -> None:
        for path in paths:
            real = self.real(path)
            if parents:
                os.makedirs(real, exist_ok=True)
            else:
                os.mkdir(real)

    def rm(self, paths: list[str], recursive: bool) -> None:
        for path in paths:
            real = self.real(path)
            info = os.lstat(real)
            if os.path.realpath(real) == self.root:
                raise OSError(errno.EBUSY, "the root")
            if not stat.S_ISDIR(info.st_mode):
                os.unlink(real)
            elif recursive:
                shutil.rmtree(real)
            else:
                os.rmdir(real)

    def _target(self, real_src: str, dest: str, many: bool) -> str:
        real_dest = self.real(dest)
        try:
            dest_is_dir = stat.S_ISDIR(os.stat(real_dest).st_mode)
        except OSError:
            dest_is_dir = False
        if dest_is_dir:
            return os.path.join(real_dest, os.path.basename(os.path.realpath(real_src)))
        if many:
            raise OSError(errno.ENOTDIR, "target is not a directory")
        os.stat(real_dest.rstrip("/").rsplit("/", 1)[0])  # its parent, walked physically
        return real_dest

    def mv(self, sources: list[str], dest: str) -> None:
        for source in sources:
            src = self.real(source)
            os.lstat(src)
            if os.path.realpath(src) == self.root:
                raise OSError(errno.EBUSY, "the root")
            target = self._target(src, dest, len(sources) > 1)
            if os.path.realpath(target) == os.path.realpath(src):
                raise OSError(errno.EINVAL, "same file")
            os.rename(src, target)

    def cp(self, sources: list[str], dest: str, recursive: bool) -> None:
        for source in sources:
            src = self.real(source)
            is_dir = stat.S_ISDIR(os.stat(src).st_mode)
            if is_dir and not recursive:
                raise OSError(errno.EISDIR, "omitting directory")
            target = self._target(src, dest, len(sources) > 1)
            if os.path.realpath(target) == os.path.realpath(src):
                raise OSError(errno.EINVAL, "same file")
            if not is_dir:
                self._copy_file(src, target)
                continue
            inside = os.path.realpath(target) + os.sep
            if inside.startswith(os.path.realpath(src) + os.sep):
                raise OSError(errno.EINVAL, "copy into itself")
            base = os.path.realpath(src)
            for p, p_is_dir in self.walk(base):
                here = os.path.realpath(target) + p[len(base) :]
                if not p_is_dir:
                    self._copy_file(p, here)
                elif not os.path.lexists(here):
                    os.mkdir(here)
                elif not os.path.isdir(here):
                    raise OSError(errno.ENOTDIR, "cannot overwrite non-directory")

    def _copy_file(self, src: str, target: str) -> None:
        data = self.read_text(src)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)


def _glob(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    if not pattern or "/" in pattern:
        raise ValueError("bad glob")
    return re.compile(fnmatch.translate(pattern))


def _regex(pattern: str) -> re.Pattern[str]:
    if not pattern:
        raise ValueError("empty pattern")
    try:
        return re.compile(pattern)
    except re.error:
        raise ValueError("bad regex") from None


def outcome(fn, *args: Any) -> tuple[str, Any]:
    """("ok", value) or ("error", code): real errors mapped from errno to the tool codes."""
    try:
        return "ok", fn(*args)
    except ToolError as err:
        return "error", err.code
    except OSError as err:
        return "error", ERRNO_CODES[errno.errorcode[err.errno]]
    except ValueError:
        return "error", "invalid_pattern"


class SameAsRealDirectory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fs = FileSystem()
        self.tools = {t.name: t for t in self.fs.tools()}
        self.disk = RealTree()
        for path, content in SEED_TREE.items():
            self.fs.add_file(path, content)
            os.makedirs(os.path.dirname(self.disk.real(path)), exist_ok=True)
            self.disk.write(path, content, "w")
        self.fs.add_dir("/b")
        os.mkdir(self.disk.real("/b"))

    def teardown(self) -> None:
        self.disk.close()

    def call(self, tool_name: str, /, **arguments: Any) -> Any:
        return self.tools[tool_name](arguments)

    def path(self, data: st.DataObject) -> str:
        """Mostly a path that exists or a new name in an existing directory (spelled in one of
        several ways), sometimes a random one. The useful choices come first because Hypothesis
        leans towards the first option of a draw."""
        existing = [p for p, _ in self.fs.walk("/")]
        if data.draw(st.integers(0, 3)) == 3:
            return data.draw(paths())
        path = data.draw(st.sampled_from(existing[1:] + existing[:1]))
        node = self.fs.node(path)
        if node is not None and node.is_dir:
            child = data.draw(st.sampled_from([*NAMES, ""]))
            path = path.rstrip("/") + "/" + child
        return data.draw(spellings(path))

    def paths(self, data: st.DataObject) -> list[str]:
        return [self.path(data) for _ in range(data.draw(st.integers(1, 2)))]

    def same(self, virtual: tuple[str, Any], real: tuple[str, Any], project=None) -> None:
        if virtual[0] == "ok" and real[0] == "ok" and project is not None:
            assert project(virtual[1]) == real[1]
        else:
            assert virtual[0] == real[0], (virtual, real)
            if virtual[0] == "error":
                assert virtual[1] == real[1], (virtual, real)

    # ------------------------------------------------------------------ writes
    @rule(data=st.data(), content=contents, append=st.booleans())
    def write(self, data: st.DataObject, content: str, append: bool) -> None:
        path = self.path(data)
        name = "fs_append" if append else "fs_write"
        virtual = outcome(lambda: self.call(name, path=path, content=content))
        real = outcome(self.disk.write, path, content, "a" if append else "w")
        self.same(virtual, real, project=lambda _: None)

    @rule(data=st.data(), parents=st.booleans())
    def mkdir(self, data: st.DataObject, parents: bool) -> None:
        many = self.paths(data)
        virtual = outcome(lambda: self.call("fs_mkdir", paths=many, parents=parents))
        real = outcome(self.disk.atomic, self.disk.mkdir, many, parents)
        self.same(virtual, real, project=lambda _: None)

    @rule(data=st.data(), recursive=st.booleans())
    def rm(self, data: st.DataObject, recursive: bool) -> None:
        many = self.paths(data)
        virtual = outcome(lambda: self.call("fs_rm", paths=many, recursive=recursive))
        real = outcome(self.disk.atomic, self.disk.rm, many, recursive)
        self.same(virtual, real, project=lambda _: None)

    @rule(data=st.data())
    def mv(self, data: st.DataObject) -> None:
        sources, dest = self.paths(data), self.path(data)
        virtual = outcome(lambda: self.call("fs_mv", sources=sources, destination=dest))
        real = outcome(self.disk.atomic, self.disk.mv, sources, dest)
        self.same(virtual, real, project=lambda _: None)

    @rule(data=st.data(), recursive=st.booleans())
    def cp(self, data: st.DataObject, recursive: bool) -> None:
        sources, dest = self.paths(data), self.path(data)
        virtual = outcome(
            lambda: self.call("fs_cp", sources=sources, destination=dest, recursive=recursive)
        )
        real = outcome(self.disk.atomic, self.disk.cp, sources, dest, recursive)
        self.same(virtual, real, project=lambda _: None)

    # ------------------------------------------------------------------- reads
    @rule(data=st.data())
    def ls(self, data: st.DataObject) -> None:
        path = self.path(data)
        virtual = outcome(lambda: self.call("fs_ls", path=path))
        real = outcome(self.disk.ls, path)
        self.same(
            virtual, real, lambda r: [(e["name"], e["type"], e["size"]) for e in r["entries"]]
        )

    @rule(data=st.data(), offset=st.integers(1, 4), limit=st.integers(1, 4))
    def read(self, data: st.DataObject, offset: int, limit: int) -> None:
        path = self.path(data)
        virtual = outcome(lambda: self.call("fs_read", path=path, offset=offset, limit=limit))
        real = outcome(self.disk.read, path, offset, limit)
        self.same(virtual, real, lambda r: (r["content"], r["total_lines"]))

    @rule(data=st.data())
    def stat(self, data: st.DataObject) -> None:
        path = self.path(data)
        virtual = outcome(lambda: self.call("fs_stat", path=path))
        real = outcome(self.disk.stat, path)
        self.same(
            virtual,
            real,
            lambda r: (r["type"], r["size"], r["entries"] if r["type"] == "dir" else r["lines"]),
        )
        if virtual[0] == "ok":
            assert virtual[1]["path"] == self.disk.virtual(self.disk.real(path))

    @rule(
        data=st.data(),
        name=st.none() | globs,
        kind=st.sampled_from([None, "file", "dir"]),
        depth=st.none() | st.integers(0, 2),
    )
    def find(self, data: st.DataObject, name: str | None, kind: str | None, depth: int | None):
        path = self.path(data)
        args: dict[str, Any] = {"path": path, "name": name, "type": kind, "max_depth": depth}
        virtual = outcome(lambda: self.call("fs_find", **args))
        real = outcome(self.disk.find, path, name, kind, depth)
        self.same(virtual, real, lambda r: r["matches"])

    @rule(
        data=st.data(),
        pattern=patterns,
        recursive=st.booleans(),
        output=st.sampled_from(["lines", "files", "count"]),
    )
    def grep(self, data: st.DataObject, pattern: str, recursive: bool, output: str) -> None:
        path = self.path(data)
        virtual = outcome(
            lambda: self.call(
                "fs_grep", pattern=pattern, path=path, recursive=recursive, output=output
            )
        )
        real = outcome(self.disk.grep, pattern, path, recursive, output)
        self.same(virtual, real, lambda r: r["results"])

    @rule(data=st.data())
    def du(self, data: st.DataObject) -> None:
        path = self.path(data)
        virtual = outcome(lambda: self.call("fs_du", path=path))
        real = outcome(self.disk.du, path)
        self.same(virtual, real, lambda r: (r["bytes"], r["files"], r["directories"]))

    @rule(data=st.data())
    def checksum(self, data: st.DataObject) -> None:
        many = self.paths(data)
        virtual = outcome(lambda: self.call("fs_checksum", paths=many))
        real = outcome(self.disk.checksum, many)
        self.same(virtual, real, lambda r: [c["sha256"] for c in r["checksums"]])

    @invariant()
    def trees_match(self) -> None:
        virtual = {p: (n.kind, n.content) for p, n in self.fs.walk("/")}
        assert virtual == self.disk.snapshot()


SameAsRealDirectory.TestCase.settings = settings(max_examples=150, stateful_step_count=25)
TestSameAsRealDirectory = pytest.mark.slow(SameAsRealDirectory.TestCase)
