"""An in-memory POSIX-like filesystem: files, directories, sizes and simulated modification times.

Every path lives under one virtual root: ``/a/b`` and ``a/b`` name the same file, and ``..``
stops at the root, so no path can ever leave it. Errors are the POSIX ones (``ENOENT``,
``EISDIR``, ``ENOTDIR``, ``EEXIST``, ``ENOTEMPTY``, ``EACCES``, ...) as :class:`ToolError` codes
that name the path, in the order the kernel checks them, so an agent trained here meets the
same failures on a real machine.

State is a flat map from absolute path to an immutable :class:`Node` plus an undo journal, the
design of :mod:`toolgym.core.state`: a snapshot is a journal position, so a reset costs what the
episode changed, not the size of the tree. Each mutating tool call is atomic (it rolls back its
own partial work on error) and ticks a simulated clock, never the wall clock. The diff that
checkers compare is path -> (kind, content): modification times are left out, so an agent that
reaches the right tree by other steps than the reference still matches it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from typing import Annotated, Any, Literal

import numpy as np
import regex
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Change
from toolgym.core.tool import Toolkit, WorldEvent, tool
from toolgym.toolkits.patterns import PatternSearch

__all__ = [
    "EPOCH",
    "ERRNO_CODES",
    "FileSystem",
    "Node",
    "fs_error",
    "iso_time",
    "split_lines",
]

EPOCH = 1_778_835_600  # 2026-05-15T09:00:00Z: the simulated clock's start.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NAME_BYTES = 255
MAX_LISTING = 1000
MAX_READ_CHARS = 50_000
MAX_LINE_CHARS = 500
MAX_TREE_LINES = 500
TABLE = "files"
_PATH_IN_TEXT = re.compile(r"(?<![\w.])/[\w.-]+(?:/[\w.-]+)+|(?<![\w.])/[\w-]+\.\w+")

# errno name -> (ToolError code, strerror text)
_ERRNO: dict[str, tuple[str, str]] = {
    "ENOENT": ("not_found", "No such file or directory"),
    "EISDIR": ("is_a_directory", "Is a directory"),
    "ENOTDIR": ("not_a_directory", "Not a directory"),
    "EEXIST": ("already_exists", "File exists"),
    "ENOTEMPTY": ("directory_not_empty", "Directory not empty"),
    "EACCES": ("permission_denied", "Permission denied"),
    "EINVAL": ("invalid_operation", "Invalid argument"),
    "EBUSY": ("invalid_operation", "Device or resource busy"),
    "EFBIG": ("file_too_large", "File too large"),
    "ENAMETOOLONG": ("name_too_long", "File name too long"),
}
ERRNO_CODES: dict[str, str] = {name: code for name, (code, _) in _ERRNO.items()}

_HINTS = {
    "ENOENT": "Use fs_ls or fs_find to see what exists.",
    "ENOTEMPTY": "Pass recursive=true to remove it with everything inside.",
    "EACCES": "This location is read-only; leave it as it is.",
}


def fs_error(errno_name: str, path: str, doing: str, hint: str | None = None) -> ToolError:
    """The POSIX error ``errno_name`` for ``path``, as a ToolError an agent can act on.

    >>> err = fs_error("ENOENT", "/notes/a.txt", "read")
    >>> err.code, err.message.split(". ")[0]
    ('not_found', "Cannot read '/notes/a.txt': No such file or directory")
    """
    code, text = _ERRNO[errno_name]
    hint = _HINTS.get(errno_name, "") if hint is None else hint
    message = f"Cannot {doing} '{path}': {text}." + (f" {hint}" if hint else "")
    return ToolError(code, message, details={"path": path, "errno": errno_name})


@dataclass(frozen=True, slots=True)
class Node:
    """One file or directory. Immutable: every change replaces the node (and is journaled)."""

    kind: Literal["file", "dir"]
    content: str
    size: int
    mtime: int
    read_only: bool = False

    @property
    def is_dir(self) -> bool:
        return self.kind == "dir"

    @property
    def binary(self) -> bool:
        return "\x00" in self.content


def _size(content: str) -> int:
    return len(content.encode("utf-8", "surrogatepass"))


def _file(content: str, mtime: int, read_only: bool = False) -> Node:
    return Node("file", content, _size(content), mtime, read_only)


def _parent(path: str) -> str:
    head = path.rsplit("/", 1)[0]
    return head or "/"


def _name(path: str) -> str:
    return path.rsplit("/", 1)[1] or "/"


def _join(directory: str, name: str) -> str:
    return f"/{name}" if directory == "/" else f"{directory}/{name}"


def _inside(path: str, ancestor: str) -> bool:
    """Whether ``path`` is ``ancestor`` or lies below it."""
    return path == ancestor or ancestor == "/" or path.startswith(ancestor + "/")


def _tree_order(path: str) -> list[str]:
    return path.split("/")


def iso_time(seconds: int) -> str:
    """A simulated timestamp as ISO 8601 UTC (``2026-05-15T09:00:00Z``)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_lines(text: str) -> list[str]:
    """Lines as ``grep``/``wc -l`` see them: split on ``\\n`` only, each keeping its newline."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _compile(pattern: str, ignore_case: bool) -> PatternSearch:
    if not pattern:
        raise ToolError("invalid_pattern", "The regular expression is empty; give a pattern.")
    if len(pattern) > 1000:
        raise ToolError("invalid_pattern", "The regular expression is longer than 1000 chars.")
    try:
        return PatternSearch(pattern, ignore_case=ignore_case)
    except regex.error as exc:
        raise ToolError(
            "invalid_pattern",
            f"Invalid regular expression {pattern!r}: {exc}. Patterns use Python `re` syntax; "
            "escape special characters such as ( [ . * with a backslash.",
            details={"pattern": pattern},
        ) from None


def _glob(pattern: str, field: str) -> re.Pattern[str]:
    """A shell glob on one name component (``*.csv``, ``IMG_2024??_*``, ``[abc]*``)."""
    if not pattern or "/" in pattern or "\x00" in pattern:
        raise ToolError(
            "invalid_pattern",
            f"'{field}' must be a non-empty glob on a single name without '/', got {pattern!r} "
            "(e.g. '*.csv').",
            details={"pattern": pattern},
        )
    return re.compile(fnmatch.translate(pattern))


Path = Annotated[str, Field(description="A path, e.g. '/projects/alpha/README.md'.")]
DirPath = Annotated[str, Field(description="A directory (or file) path; '/' is the root.")]
Paths = Annotated[list[str], Field(min_length=1, max_length=200, description="One or more paths.")]


class FileSystem(Toolkit):
    """A virtual POSIX-like tree behind the ``fs_*`` tools.

    >>> fs = FileSystem()
    >>> fs.add_file("/notes/todo.txt", "milk\\neggs\\n")
    >>> [t.name for t in fs.tools()][:3]
    ['fs_ls', 'fs_read', 'fs_stat']
    >>> mark = fs.snapshot()
    >>> _ = {t.name: t for t in fs.tools()}["fs_rm"]({"paths": ["notes/todo.txt"]})
    >>> fs.changes_since(mark)
    [('files', '/notes/todo.txt', ('file', 'milk\\neggs\\n'), None)]
    >>> fs.restore(mark); fs.exists("/notes/todo.txt")
    True
    """

    name = "filesystem"

    def __init__(self, *, now: int = EPOCH) -> None:
        self._nodes: dict[str, Node] = {"/": Node("dir", "", 0, now)}
        self._children: dict[str, dict[str, None]] = {"/": {}}
        self._journal: list[tuple[str, Node | None]] = []
        self.now = now
        self._base: tuple[dict[str, Node], dict[str, dict[str, None]]] | None = None

    def fork(self) -> FileSystem:
        """A tree that starts as this one and shares it until its first write (then copies
        it), and again once restored to the start. This one must not be written afterwards."""
        if self._journal:
            raise ValueError("fork() needs a committed tree: call commit() first")
        clone = FileSystem(now=self.now)
        clone._nodes, clone._children = self._nodes, self._children
        clone._base = (self._nodes, self._children)
        return clone

    def _own(self) -> None:
        """Copy-on-write: the first write of a fork copies the tree it shared."""
        if self._base is not None and self._nodes is self._base[0]:
            self._nodes = dict(self._nodes)
            self._children = {path: dict(names) for path, names in self._children.items()}

    # ------------------------------------------------------------ journaled primitives
    def _log(self, path: str) -> None:
        self._own()
        self._journal.append((path, self._nodes.get(path)))

    def _insert(self, path: str, node: Node, when: int | None = None) -> None:
        """Add ``node`` at ``path`` (absent; its parent an existing directory)."""
        self._log(path)
        self._nodes[path] = node
        parent = _parent(path)
        self._children[parent][_name(path)] = None
        if node.is_dir:
            self._children[path] = {}
        self._touch(parent, self.now if when is None else when)

    def _replace(self, path: str, node: Node) -> None:
        """Swap the node at ``path`` for one of the same kind."""
        self._log(path)
        self._nodes[path] = node

    def _delete(self, path: str) -> None:
        """Remove ``path`` (a file or an empty directory)."""
        node = self._nodes[path]
        self._log(path)
        del self._nodes[path]
        parent = _parent(path)
        del self._children[parent][_name(path)]
        if node.is_dir:
            del self._children[path]
        self._touch(parent, self.now)

    def _touch(self, directory: str, when: int) -> None:
        """A directory's mtime moves forward when its entries change."""
        node = self._nodes[directory]
        if node.mtime < when:
            self._replace(directory, replace(node, mtime=when))

    def _undo(self, path: str, old: Node | None) -> None:
        current = self._nodes.get(path)
        parent = _parent(path)
        if old is None:
            del self._nodes[path]
            del self._children[parent][_name(path)]
            if current is not None and current.is_dir:
                del self._children[path]
        elif current is None:
            self._nodes[path] = old
            self._children[parent][_name(path)] = None
            if old.is_dir:
                self._children[path] = {}
        else:
            self._nodes[path] = old

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> tuple[int, int]:
        """A journal position and the clock: restoring costs what was written since."""
        return (len(self._journal), self.now)

    def restore(self, snapshot: tuple[int, int]) -> None:
        mark, now = snapshot
        journal = self._journal
        if not 0 <= mark <= len(journal):
            raise ValueError(f"snapshot {snapshot} is outside the journal (length {len(journal)})")
        if len(journal) > mark:
            self._own()
        while len(journal) > mark:
            path, old = journal.pop()
            self._undo(path, old)
        self.now = now
        if mark == 0 and self._base is not None:  # back where the fork started: share again
            self._nodes, self._children = self._base

    def commit(self) -> None:
        """Forget the journal: the current tree becomes the base no restore goes behind."""
        self._journal.clear()
        if self._base is not None and self._nodes is not self._base[0]:
            self._base = None

    def changes_since(self, snapshot: tuple[int, int]) -> list[Change]:
        """``("files", path, before, after)`` per path whose kind or content differs.

        ``before``/``after`` are ``(kind, content)`` or ``None`` when absent; modification
        times and the read-only flag are not part of the comparison.
        """
        first: dict[str, Node | None] = {}
        for path, old in self._journal[snapshot[0] :]:
            first.setdefault(path, old)
        out: list[Change] = []
        for path, old in first.items():
            before, after = _view(old), _view(self._nodes.get(path))
            if before != after:
                out.append((TABLE, path, before, after))
        return out

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """One mutating call: ticks the clock; on error undoes its partial work."""
        token = self.snapshot()
        self.now += 1
        try:
            yield
        except ToolError:
            self.restore(token)
            raise

    # --------------------------------------------------------- python API (builders)
    def add_file(
        self, path: str, content: str, *, mtime: int | None = None, read_only: bool = False
    ) -> None:
        """Create or overwrite a file and any missing parents (builders: no permission checks)."""
        path = self.normalise(path)
        when = self.now if mtime is None else mtime
        self._ensure_dir(_parent(path), when)
        node = _file(content, when, read_only)
        if path in self._nodes:
            self._replace(path, node)
        else:
            self._insert(path, node, when)

    def add_dir(self, path: str, *, mtime: int | None = None, read_only: bool = False) -> None:
        """Create a directory and its missing parents (no permission checks)."""
        path = self.normalise(path)
        self._ensure_dir(path, self.now if mtime is None else mtime)
        if read_only:
            self._replace(path, replace(self._nodes[path], read_only=True))

    def _ensure_dir(self, path: str, mtime: int) -> None:
        node = self._nodes.get(path)
        if node is not None:
            if not node.is_dir:
                raise ValueError(f"{path} is a file, not a directory")
            return
        self._ensure_dir(_parent(path), mtime)
        self._insert(path, Node("dir", "", 0, mtime), mtime)

    def move(self, source: str, destination: str) -> None:
        """Rename a file or directory to an absent path whose parent exists (builders: no
        permission checks; times are kept)."""
        source, destination = self.normalise(source), self.normalise(destination)
        if destination in self._nodes or _inside(destination, source):
            raise ValueError(f"cannot move {source} to {destination}")
        subtree = list(self.walk(source))
        for p, n in subtree:
            self._insert(destination + p[len(source) :], n, n.mtime)
        for p, _ in reversed(subtree):
            self._delete(p)

    def normalise(self, path: str) -> str:
        """The absolute form of ``path`` (lexical: ``..`` stops at the root)."""
        parts: list[str] = []
        for comp in path.split("/"):
            if comp == "..":
                if parts:
                    parts.pop()
            elif comp not in ("", "."):
                parts.append(comp)
        return "/" + "/".join(parts)

    def node(self, path: str) -> Node | None:
        return self._nodes.get(self.normalise(path))

    def exists(self, path: str) -> bool:
        return self.normalise(path) in self._nodes

    def read_text(self, path: str) -> str:
        node = self._nodes[self.normalise(path)]
        if node.is_dir:
            raise IsADirectoryError(path)
        return node.content

    def names(self, path: str) -> list[str]:
        """The entries of a directory, sorted."""
        return sorted(self._children[self.normalise(path)])

    def walk(self, path: str = "/") -> Iterator[tuple[str, Node]]:
        """``(path, node)`` for ``path`` and everything below it, parents first, sorted."""
        start = self.normalise(path)
        stack = [start]
        while stack:
            current = stack.pop()
            node = self._nodes[current]
            yield current, node
            if node.is_dir:
                stack.extend(
                    _join(current, n) for n in sorted(self._children[current], reverse=True)
                )

    def files(self, path: str = "/") -> list[str]:
        """Every file below ``path``, in tree order."""
        return [p for p, node in self.walk(path) if not node.is_dir]

    # ----------------------------------------------------------------- resolution
    def _resolve(self, raw: str, doing: str) -> tuple[str, bool]:
        """The absolute path ``raw`` names and whether it must be a directory (``x/``, ``x/.``).

        ``..`` follows POSIX: the path before it must be an existing directory, and at the root
        it stays at the root.
        """
        if raw == "":
            raise fs_error("ENOENT", "", doing, "Give a path; '/' is the root.")
        if "\x00" in raw:
            raise ToolError("invalid_arguments", f"Path {raw!r} contains a NUL character.")
        parts: list[str] = []
        comps = raw.split("/")
        for comp in comps:
            if comp in ("", "."):
                continue
            if comp == "..":
                here = "/" + "/".join(parts)
                if here not in self._nodes:
                    raise fs_error(self._missing_errno(here), raw, doing)
                if not self._nodes[here].is_dir:
                    raise fs_error("ENOTDIR", raw, doing)
                if parts:
                    parts.pop()
                continue
            self._check_name(comp, raw, doing)
            parts.append(comp)
        path = "/" + "/".join(parts)
        must_be_dir = path != "/" and comps[-1] in ("", ".", "..")
        return path, must_be_dir

    @staticmethod
    def _check_name(name: str, raw: str, doing: str) -> None:
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise fs_error("ENAMETOOLONG", raw, doing, f"Names are at most {MAX_NAME_BYTES} bytes.")

    def _missing_errno(self, path: str) -> str:
        """Why an absent path is absent: an ancestor is a file (ENOTDIR) or missing (ENOENT)."""
        ancestor = _parent(path)
        while ancestor not in self._nodes:
            ancestor = _parent(ancestor)
        return "ENOTDIR" if not self._nodes[ancestor].is_dir else "ENOENT"

    def _existing(self, raw: str, doing: str) -> tuple[str, Node]:
        """Resolve ``raw`` to an existing node, or raise the POSIX error for why it is not."""
        path, must_be_dir = self._resolve(raw, doing)
        node = self._nodes.get(path)
        if node is None:
            raise fs_error(self._missing_errno(path), path, doing)
        if must_be_dir and not node.is_dir:
            raise fs_error("ENOTDIR", path, doing)
        return path, node

    def _parent_dir(self, path: str, doing: str) -> Node:
        """The existing directory that would hold ``path`` (ENOENT/ENOTDIR otherwise)."""
        node = self._nodes.get(_parent(path))
        if node is None:
            raise fs_error(self._missing_errno(_parent(path)), path, doing)
        if not node.is_dir:
            raise fs_error("ENOTDIR", path, doing)
        return node

    def _creatable(self, path: str, doing: str) -> None:
        """A new entry may appear at ``path``: its parent exists and is writable."""
        if self._parent_dir(path, doing).read_only:
            raise fs_error("EACCES", path, doing)

    def _check_size(self, path: str, size: int, doing: str) -> None:
        if size > MAX_FILE_BYTES:
            raise fs_error("EFBIG", path, doing, f"Files are limited to {MAX_FILE_BYTES} bytes.")

    def _open_for_write(self, raw: str, doing: str) -> tuple[str, Node | None]:
        """What ``open(raw, "w")`` checks, in the kernel's order; returns the file, if any."""
        path, must_be_dir = self._resolve(raw, doing)
        return path, self._writable_file(path, must_be_dir, doing)

    def _writable_file(self, path: str, must_be_dir: bool, doing: str) -> Node | None:
        node = self._nodes.get(path)
        if node is None:
            self._parent_dir(path, doing)
        if must_be_dir or (node is not None and node.is_dir):
            raise fs_error("EISDIR", path, doing)
        if node is None:
            self._creatable(path, doing)
        elif node.read_only:
            raise fs_error("EACCES", path, doing)
        return node

    # --------------------------------------------------------------------- reading
    def _entry(self, name: str, node: Node) -> dict[str, Any]:
        return {
            "name": name,
            "type": "dir" if node.is_dir else "file",
            "size": None if node.is_dir else node.size,
            "modified": iso_time(node.mtime),
        }

    def world_events(self, rng: np.random.Generator, seen: str) -> list[WorldEvent]:
        """A colleague edits a text file named in ``seen``: one of its lines is added again
        at the end (a log gains an entry, a list an item, a config a repeated setting)."""
        events: list[WorldEvent] = []
        for path in sorted(set(_PATH_IN_TEXT.findall(seen))):
            node = self._nodes.get(path)
            if node is None or node.is_dir or node.binary or node.read_only:
                continue
            lines = [line for line in split_lines(node.content) if line.strip()]
            if not lines:
                continue
            line = lines[int(rng.integers(len(lines)))].rstrip("\n")
            content = node.content + ("" if node.content.endswith("\n") else "\n") + line + "\n"
            change = partial(self.add_file, path, content)
            events.append(WorldEvent(path, f"{path} was just edited by a colleague.", change))
        return events

    @tool
    def fs_ls(self, path: DirPath = "/") -> dict[str, Any]:
        """List a directory's entries (name, type, size in bytes, modification time), sorted by
        name. Listing a file shows just that file, as `ls` does."""
        path, node = self._existing(path, "list")
        if not node.is_dir:
            return {"path": path, "entries": [self._entry(_name(path), node)], "truncated": False}
        names = sorted(self._children[path])
        entries = [self._entry(n, self._nodes[_join(path, n)]) for n in names[:MAX_LISTING]]
        return {"path": path, "entries": entries, "truncated": len(names) > MAX_LISTING}

    @tool
    def fs_read(
        self,
        path: Path,
        offset: Annotated[int, Field(ge=1, description="First line to return (1-based).")] = 1,
        limit: Annotated[int, Field(ge=1, le=5000, description="Most lines to return.")] = 2000,
    ) -> dict[str, Any]:
        """Read a text file, optionally a window of its lines. `next_offset` is set when more
        lines follow."""
        path, node = self._existing(path, "read")
        if node.is_dir:
            raise fs_error("EISDIR", path, "read", "Use fs_ls to list a directory.")
        if node.binary:
            raise ToolError(
                "binary_file",
                f"Cannot read '{path}': it is a binary file ({node.size} bytes). "
                "Use fs_stat or fs_checksum to inspect it.",
                details={"path": path},
            )
        lines = split_lines(node.content)
        chunk: list[str] = []
        used = 0
        for line in lines[offset - 1 : offset - 1 + limit]:
            if chunk and used + len(line) > MAX_READ_CHARS:
                break
            chunk.append(line[:MAX_READ_CHARS])
            used += len(chunk[-1])
        end = offset - 1 + len(chunk)
        return {
            "path": path,
            "content": "".join(chunk),
            "offset": offset,
            "lines_returned": len(chunk),
            "total_lines": len(lines),
            "next_offset": end + 1 if end < len(lines) else None,
        }

    @tool
    def fs_stat(self, path: Path) -> dict[str, Any]:
        """Details of one file or directory: type, size in bytes (files), number of entries
        (directories), line count (text files), modification time and whether it is read-only."""
        path, node = self._existing(path, "stat")
        text_lines = None if node.is_dir or node.binary else len(split_lines(node.content))
        return {
            "path": path,
            "type": "dir" if node.is_dir else "file",
            "size": None if node.is_dir else node.size,
            "entries": len(self._children[path]) if node.is_dir else None,
            "lines": text_lines,
            "modified": iso_time(node.mtime),
            "read_only": node.read_only,
        }

    @tool
    def fs_find(
        self,
        path: DirPath = "/",
        name: Annotated[
            str | None,
            Field(description="Shell glob on the entry's name, e.g. '*.csv' or 'report_202?*'."),
        ] = None,
        type: Annotated[
            Literal["file", "dir"] | None, Field(description="Only files or only directories.")
        ] = None,
        max_depth: Annotated[
            int | None,
            Field(ge=0, description="How deep to descend; 0 tests only `path` itself."),
        ] = None,
    ) -> dict[str, Any]:
        """Find files and directories under a path by name glob and type, like `find`. The
        starting path itself is included when it matches. Results are full paths, sorted."""
        start, _ = self._existing(path, "search")
        glob = _glob(name, "name") if name is not None else None
        found: list[str] = []
        depth0 = start.count("/") - (start == "/")
        for p, node in self.walk(start):
            depth = p.count("/") - (p == "/") - depth0
            if max_depth is not None and depth > max_depth:
                continue
            if type is not None and node.kind != type:
                continue
            if glob is not None and not glob.match(_name(p)):
                continue
            found.append(p)
        found.sort(key=_tree_order)
        return {
            "path": start,
            "matches": found[:MAX_LISTING],
            "truncated": len(found) > MAX_LISTING,
        }

    @tool
    def fs_grep(
        self,
        pattern: Annotated[str, Field(description="Regular expression (Python `re` syntax).")],
        path: DirPath = "/",
        recursive: Annotated[
            bool, Field(description="Search directories recursively (like grep -r).")
        ] = True,
        ignore_case: bool = False,
        include: Annotated[
            str | None, Field(description="Only search files whose name matches this glob.")
        ] = None,
        output: Annotated[
            Literal["lines", "files", "count"],
            Field(
                description="'lines': each matching line with its number; 'files': paths of "
                "matching files (grep -l); 'count': matching lines per file (grep -c)."
            ),
        ] = "lines",
        max_results: Annotated[int, Field(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        """Search file contents for a regular expression, like `grep -rn`. Binary files are
        skipped. Returns matches in path order with 1-based line numbers."""
        search = _compile(pattern, ignore_case)
        start, node = self._existing(path, "search")
        glob = _glob(include, "include") if include is not None else None
        if node.is_dir and not recursive:
            raise fs_error("EISDIR", start, "search", "Pass recursive=true to search a directory.")
        targets = self.files(start) if node.is_dir else [start]
        found = self._grep(search, targets, glob, output)
        results = list(itertools.islice(found, max_results + 1))
        return {
            "pattern": pattern,
            "output": output,
            "results": results[:max_results],
            "truncated": len(results) > max_results,
        }

    def _grep(
        self, search: PatternSearch, targets: list[str], glob: re.Pattern[str] | None, output: str
    ) -> Iterator[Any]:
        for path in targets:
            file = self._nodes[path]
            if file.binary or (glob is not None and not glob.match(_name(path))):
                continue
            hits = (
                (number, line.rstrip("\n"))
                for number, line in enumerate(split_lines(file.content), 1)
                if search(line.rstrip("\n"))
            )
            if output == "lines":
                for number, text in hits:
                    yield {"path": path, "line": number, "text": text[:MAX_LINE_CHARS]}
            elif output == "files":
                if next(hits, None) is not None:
                    yield path
            else:
                count = sum(1 for _ in hits)
                if count:
                    yield {"path": path, "count": count}

    @tool
    def fs_tree(
        self,
        path: DirPath = "/",
        max_depth: Annotated[int, Field(ge=1, le=20, description="Levels to show.")] = 3,
    ) -> dict[str, Any]:
        """Draw the directory tree under a path, like `tree -L max_depth`."""
        start, node = self._existing(path, "show")
        lines = [start]
        counts = {"dir": 0, "file": 0}
        truncated = False

        def draw(directory: str, prefix: str, depth: int) -> None:
            nonlocal truncated
            names = sorted(self._children[directory])
            for i, entry in enumerate(names):
                if len(lines) >= MAX_TREE_LINES:
                    truncated = True
                    return
                child = _join(directory, entry)
                last = i == len(names) - 1
                kind = self._nodes[child].kind
                counts[kind] += 1
                lines.append(
                    f"{prefix}{'└── ' if last else '├── '}{entry}{'/' if kind == 'dir' else ''}"
                )
                if kind == "dir" and depth < max_depth:
                    draw(child, prefix + ("    " if last else "│   "), depth + 1)

        if node.is_dir:
            draw(start, "", 1)
        return {
            "path": start,
            "tree": "\n".join(lines),
            "directories": counts["dir"],
            "files": counts["file"],
            "truncated": truncated,
        }

    @tool
    def fs_du(self, path: DirPath = "/") -> dict[str, Any]:
        """Disk usage, like `du -b`: total bytes of the files under a path, file and directory
        counts, and the bytes under each direct entry (largest first)."""
        start, node = self._existing(path, "measure")
        if not node.is_dir:
            return {"path": start, "bytes": node.size, "files": 1, "directories": 0, "entries": []}
        totals: dict[str, int] = {}
        files = dirs = 0
        for p, n in self.walk(start):
            if p == start:
                continue
            if n.is_dir:
                dirs += 1
                continue
            files += 1
            top = p[len(start) :].lstrip("/").split("/", 1)[0]
            totals[top] = totals.get(top, 0) + n.size
        for entry in self._children[start]:
            totals.setdefault(entry, 0)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        return {
            "path": start,
            "bytes": sum(totals.values()),
            "files": files,
            "directories": dirs,
            "entries": [{"name": k, "bytes": v} for k, v in ranked[:MAX_LISTING]],
        }

    @tool
    def fs_checksum(self, paths: Paths) -> dict[str, Any]:
        """SHA-256 checksums and sizes of files, like `sha256sum`: equal checksums mean
        identical contents."""
        out = []
        for raw in paths:
            path, node = self._existing(raw, "checksum")
            if node.is_dir:
                raise fs_error("EISDIR", path, "checksum")
            digest = hashlib.sha256(node.content.encode("utf-8", "surrogatepass")).hexdigest()
            out.append({"path": path, "sha256": digest, "size": node.size})
        return {"checksums": out}

    # --------------------------------------------------------------------- writing
    @tool(mutates=True)
    def fs_write(
        self,
        path: Path,
        content: Annotated[str, Field(description="The file's entire new content.")],
    ) -> dict[str, Any]:
        """Create a file or replace its content. The parent directory must exist (see
        fs_mkdir)."""
        with self._atomic():
            path, node = self._open_for_write(path, "write")
            size = _size(content)
            self._check_size(path, size, "write")
            new = Node("file", content, size, self.now)
            if node is None:
                self._insert(path, new)
            else:
                self._replace(path, new)
        return {"path": path, "bytes_written": size, "created": node is None}

    @tool(mutates=True)
    def fs_append(
        self,
        path: Path,
        content: Annotated[str, Field(description="Text to add at the end of the file.")],
    ) -> dict[str, Any]:
        """Append text to a file, creating it if missing (like `>>`). No newline is added."""
        with self._atomic():
            path, node = self._open_for_write(path, "append to")
            text = (node.content if node else "") + content
            size = _size(text)
            self._check_size(path, size, "append to")
            if node is None:
                self._insert(path, Node("file", text, size, self.now))
            else:
                self._replace(path, replace(node, content=text, size=size, mtime=self.now))
        return {"path": path, "size": size}

    @tool(mutates=True)
    def fs_mkdir(
        self,
        paths: Paths,
        parents: Annotated[
            bool,
            Field(description="Create missing parents, and accept existing directories (-p)."),
        ] = False,
    ) -> dict[str, Any]:
        """Create directories, like `mkdir` (or `mkdir -p` with parents=true)."""
        created: list[str] = []
        with self._atomic():
            for raw in paths:
                if parents:
                    created += self._mkdir_parents(raw)
                    continue
                path, _ = self._resolve(raw, "create directory")
                if path in self._nodes:
                    raise fs_error("EEXIST", path, "create directory", "")
                self._creatable(path, "create directory")
                self._insert(path, Node("dir", "", 0, self.now))
                created.append(path)
        return {"created": created}

    def _mkdir_parents(self, raw: str) -> list[str]:
        """``mkdir -p``: walk the path, creating each missing directory as it is reached."""
        if raw == "":
            raise fs_error("ENOENT", "", "create directory", "Give a path; '/' is the root.")
        comps = [c for c in raw.split("/") if c not in ("", ".")]
        here, made = "/", []
        for i, comp in enumerate(comps):
            if comp == "..":
                here = _parent(here)
                continue
            self._check_name(comp, raw, "create directory")
            path = _join(here, comp)
            node = self._nodes.get(path)
            if node is None:
                self._creatable(path, "create directory")
                self._insert(path, Node("dir", "", 0, self.now))
                made.append(path)
            elif not node.is_dir:
                errno_name = "EEXIST" if i == len(comps) - 1 else "ENOTDIR"
                raise fs_error(errno_name, path, "create directory", "")
            here = path
        return made

    @tool(mutates=True)
    def fs_rm(
        self,
        paths: Paths,
        recursive: Annotated[
            bool, Field(description="Remove directories with everything inside them (-r).")
        ] = False,
    ) -> dict[str, Any]:
        """Remove files and empty directories; with recursive=true, whole directories. All or
        nothing: on any error nothing is removed."""
        removed: list[str] = []
        files = 0
        with self._atomic():
            for raw in paths:
                path, node = self._existing(raw, "remove")
                if path == "/":
                    raise fs_error("EBUSY", path, "remove", "The root cannot be removed.")
                if self._nodes[_parent(path)].read_only:
                    raise fs_error("EACCES", path, "remove")
                if node.is_dir and self._children[path] and not recursive:
                    raise fs_error("ENOTEMPTY", path, "remove")
                subtree = list(self.walk(path))
                for p, n in subtree:
                    if n.is_dir and n.read_only and self._children[p]:
                        first = _join(p, sorted(self._children[p])[0])
                        raise fs_error("EACCES", first, "remove")
                for p, n in reversed(subtree):
                    files += not n.is_dir
                    self._delete(p)
                removed.append(path)
        return {"removed": removed, "files_removed": files}

    def _target(self, source: str, raw_dest: str, many: bool, doing: str) -> tuple[str, bool]:
        """Where ``source`` lands for ``mv``/``cp``: inside ``raw_dest`` if that is a directory.

        Returns the target path and whether it was written as a directory (``x/``).
        """
        try:
            dest, must_be_dir = self._resolve(raw_dest, doing)
        except ToolError:
            if not many:
                raise
            dest, must_be_dir = "", True
        node = self._nodes.get(dest)
        if node is not None and node.is_dir:
            # Copying the root "into" a directory copies it onto that directory (cp rejects it).
            return (dest if source == "/" else _join(dest, _name(source))), False
        if many:
            raise fs_error(
                "ENOTDIR",
                dest or raw_dest,
                doing,
                "With several sources the destination must be an existing directory.",
            )
        return dest, must_be_dir

    @tool(mutates=True)
    def fs_mv(
        self,
        sources: Paths,
        destination: Annotated[
            str,
            Field(description="New path, or an existing directory to move the sources into."),
        ],
    ) -> dict[str, Any]:
        """Move or rename files and directories, like `mv`. Into an existing directory when the
        destination is one; replaces an existing file. All or nothing."""
        moved = []
        with self._atomic():
            for raw in sources:
                src, node = self._existing(raw, "move")
                if src == "/":
                    raise fs_error("EBUSY", src, "move", "The root cannot be moved.")
                dst, must_be_dir = self._target(src, destination, len(sources) > 1, "move")
                self._move(src, node, dst, must_be_dir)
                moved.append({"from": src, "to": dst})
        return {"moved": moved}

    def _move(self, src: str, node: Node, dst: str, must_be_dir: bool) -> None:
        """``rename(2)`` with ``mv``'s same-file check, errors in the kernel's order."""
        if dst == src:
            raise fs_error("EINVAL", src, "move", "Source and destination are the same file.")
        self._parent_dir(dst, "move to")
        target = self._nodes.get(dst)
        if must_be_dir and not node.is_dir:
            raise fs_error("ENOTDIR", dst, "move to")
        if node.is_dir and _inside(dst, src):
            raise fs_error("EINVAL", dst, "move", f"A directory cannot move into itself ('{src}').")
        if self._nodes[_parent(src)].read_only:
            raise fs_error("EACCES", src, "move")
        if self._nodes[_parent(dst)].read_only:
            raise fs_error("EACCES", dst, "move to")
        if node.is_dir and node.read_only and _parent(src) != _parent(dst):
            raise fs_error("EACCES", src, "move")
        if target is not None:
            if node.is_dir and not target.is_dir:
                raise fs_error("ENOTDIR", dst, "move to")
            if not node.is_dir and target.is_dir:
                raise fs_error("EISDIR", dst, "move to")
            if target.is_dir and self._children[dst]:
                raise fs_error("ENOTEMPTY", dst, "move to")
            self._delete(dst)
        subtree = list(self.walk(src))
        for p, n in subtree:
            self._insert(dst + p[len(src) :], n)
        for p, _ in reversed(subtree):
            self._delete(p)

    @tool(mutates=True)
    def fs_cp(
        self,
        sources: Paths,
        destination: Annotated[
            str,
            Field(description="New path, or an existing directory to copy the sources into."),
        ],
        recursive: Annotated[bool, Field(description="Copy directories (-r).")] = False,
    ) -> dict[str, Any]:
        """Copy files (and with recursive=true, directories), like `cp`. Into an existing
        directory when the destination is one; overwrites existing files; copies are writable.
        All or nothing."""
        copied = []
        with self._atomic():
            for raw in sources:
                src, node = self._existing(raw, "copy")
                if node.is_dir and not recursive:
                    raise fs_error(
                        "EISDIR", src, "copy", "Pass recursive=true to copy a directory."
                    )
                dst, must_be_dir = self._target(src, destination, len(sources) > 1, "copy")
                if dst == src:
                    raise fs_error(
                        "EINVAL", src, "copy", "Source and destination are the same file."
                    )
                if node.is_dir:
                    self._copy_dir(src, dst)
                else:
                    self._copy_file(node, dst, must_be_dir)
                copied.append({"from": src, "to": dst})
        return {"copied": copied}

    def _copy_file(self, node: Node, dst: str, must_be_dir: bool = False) -> None:
        target = self._writable_file(dst, must_be_dir, "copy to")
        copy = Node("file", node.content, node.size, self.now)
        if target is None:
            self._insert(dst, copy)
        else:
            self._replace(dst, copy)

    def _copy_dir(self, src: str, dst: str) -> None:
        """``cp -r``: create ``dst`` or merge into it; files overwrite, kinds must agree."""
        target = self._nodes.get(dst)
        if target is None:
            self._parent_dir(dst, "copy to")
        if _inside(dst, src):
            raise fs_error(
                "EINVAL", dst, "copy", f"A directory cannot be copied into itself ('{src}')."
            )
        for p, n in list(self.walk(src)):
            here = dst + p[len(src) :]
            if not n.is_dir:
                self._copy_file(n, here)
                continue
            target = self._nodes.get(here)
            if target is None:
                self._creatable(here, "copy to")
                self._insert(here, Node("dir", "", 0, self.now))
            elif not target.is_dir:
                raise fs_error("ENOTDIR", here, "copy to")


def _view(node: Node | None) -> tuple[str, str] | None:
    """What checkers compare about a path: its kind and content (no times, no flags)."""
    if node is None:
        return None
    return (node.kind, node.content)
