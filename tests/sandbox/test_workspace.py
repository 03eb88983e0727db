"""The host's view of a workspace: normalised paths, no links followed, exact contents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolgym.sandbox import Workspace, WorkspaceError


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    root.mkdir()
    return Workspace(root, "/workspace")


def test_paths_are_normalised_and_stay_inside(ws: Workspace) -> None:
    assert ws.relative("a/./b/../c.txt") == "a/c.txt"
    assert ws.relative("/workspace/pkg/x.py") == "pkg/x.py"
    assert ws.relative("") == ""
    for bad in ("../x", "a/../../x", "/etc/passwd", "/workspacex/a"):
        with pytest.raises(WorkspaceError) as err:
            ws.relative(bad)
        assert err.value.kind == "outside"


def test_write_read_and_list(ws: Workspace) -> None:
    ws.write_bytes("pkg/sub/mod.py", b"x = 1\n")
    assert ws.read_bytes("pkg/sub/mod.py") == b"x = 1\n"
    assert ws.read_bytes("pkg/sub/mod.py", limit=3) == b"x ="
    assert [(e.path, e.kind) for e in ws.walk()] == [
        ("pkg", "dir"),
        ("pkg/sub", "dir"),
        ("pkg/sub/mod.py", "file"),
    ]
    assert ws.files() == {"pkg/sub/mod.py": b"x = 1\n"}
    with pytest.raises(WorkspaceError) as err:
        ws.read_bytes("pkg")
    assert err.value.kind == "is_a_directory"
    with pytest.raises(WorkspaceError) as err:
        ws.read_bytes("nope.txt")
    assert err.value.kind == "not_found"


def test_links_are_never_followed(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, ws.root / "link.txt")
    os.symlink(tmp_path, ws.root / "linkdir")
    for path in ("link.txt", "linkdir/secret.txt"):
        with pytest.raises(WorkspaceError) as err:
            ws.read_bytes(path)
        assert err.value.kind in ("symlink", "not_a_directory")
    with pytest.raises(WorkspaceError):
        ws.write_bytes("link.txt", b"overwrite")
    with pytest.raises(WorkspaceError):
        ws.write_bytes("linkdir/new.txt", b"escape")
    assert secret.read_text() == "top secret"
    assert not (tmp_path / "new.txt").exists()
    assert "link.txt" not in ws.files()


def test_fifo_is_refused_without_blocking(ws: Workspace) -> None:
    os.mkfifo(ws.root / "pipe")
    with pytest.raises(WorkspaceError) as err:
        ws.read_bytes("pipe")
    assert err.value.kind == "not_a_file"


def test_replace_and_usage(ws: Workspace) -> None:
    ws.write_bytes("old/a.txt", b"a")
    os.chmod(ws.root / "old", 0o500)
    ws.replace({"new.txt": b"b" * 10_000})
    assert ws.files() == {"new.txt": b"b" * 10_000}
    used, entries = ws.usage()
    assert entries == 1 and used >= 10_000
