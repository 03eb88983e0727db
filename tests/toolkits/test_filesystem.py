"""The filesystem toolkit: every tool's happy path and every POSIX error, paths, snapshots.

The differential property against a real directory is in ``test_filesystem_differential.py``.
"""

from __future__ import annotations

import doctest

import pytest

import toolgym.toolkits.filesystem as filesystem_module
from toolgym.core.errors import ToolError
from toolgym.toolkits.filesystem import EPOCH, MAX_FILE_BYTES, FileSystem, iso_time

README = "# Alpha\nA project.\n"
CSV = "id,amount\n1,10\n2,20\n"


@pytest.fixture
def fs() -> FileSystem:
    fs = FileSystem()
    fs.add_file("/projects/alpha/README.md", README, mtime=EPOCH - 3600)
    fs.add_file("/projects/alpha/data/sales.csv", CSV, mtime=EPOCH - 7200)
    fs.add_file("/projects/alpha/data/empty.csv", "", mtime=EPOCH - 7200)
    fs.add_file("/notes/todo.txt", "milk\nEggs\nbread", mtime=EPOCH - 60)
    fs.add_file("/photos/a.jpg", "\x00JFIF" + "x" * 95, mtime=EPOCH - 86400)
    fs.add_dir("/empty")
    fs.add_dir("/archive", read_only=True)
    fs.add_file("/archive/old.txt", "old\n", read_only=True)
    fs.commit()
    return fs


def run(fs: FileSystem, tool_name: str, /, **arguments):
    return {t.name: t for t in fs.tools()}[tool_name](arguments)


def error(fs: FileSystem, tool_name: str, /, **arguments) -> ToolError:
    with pytest.raises(ToolError) as info:
        run(fs, tool_name, **arguments)
    return info.value


def tree(fs: FileSystem) -> dict[str, tuple]:
    return {p: (n.kind, n.content, n.mtime, n.read_only) for p, n in fs.walk("/")}


def test_module_doctests() -> None:
    assert doctest.testmod(filesystem_module).failed == 0


def test_tools_are_prefixed_and_described(fs: FileSystem) -> None:
    names = [t.name for t in fs.tools()]
    assert names == [
        "fs_ls",
        "fs_read",
        "fs_stat",
        "fs_find",
        "fs_grep",
        "fs_tree",
        "fs_du",
        "fs_checksum",
        "fs_write",
        "fs_append",
        "fs_mkdir",
        "fs_rm",
        "fs_mv",
        "fs_cp",
    ]
    for t in fs.tools():
        assert t.schema()["function"]["description"]
        assert t.mutates == (
            t.name in {"fs_write", "fs_append", "fs_mkdir", "fs_rm", "fs_mv", "fs_cp"}
        )


# ---------------------------------------------------------------------------------- paths
def test_paths_are_normalised_and_never_leave_the_root(fs: FileSystem) -> None:
    for spelling in (
        "projects/alpha/README.md",
        "/projects/alpha/README.md",
        "//projects/./alpha//README.md",
        "/projects/alpha/data/../README.md",
        "../../projects/alpha/README.md",
        "/../../../projects/alpha/README.md",
    ):
        assert run(fs, "fs_read", path=spelling)["path"] == "/projects/alpha/README.md"
    assert run(fs, "fs_ls", path="/../..")["path"] == "/"
    err = error(fs, "fs_read", path="../../etc/passwd")
    assert err.code == "not_found" and err.details["path"] == "/etc/passwd"
    run(fs, "fs_write", path="../../../escape.txt", content="x")
    assert fs.exists("/escape.txt")


def test_dotdot_follows_posix(fs: FileSystem) -> None:
    assert error(fs, "fs_ls", path="/missing/../notes").code == "not_found"
    assert error(fs, "fs_ls", path="/notes/todo.txt/..").code == "not_a_directory"
    assert error(fs, "fs_read", path="/notes/todo.txt/").code == "not_a_directory"
    assert error(fs, "fs_read", path="/notes/todo.txt/more").code == "not_a_directory"


def test_bad_paths(fs: FileSystem) -> None:
    assert error(fs, "fs_ls", path="").code == "not_found"
    assert error(fs, "fs_read", path="a\x00b").code == "invalid_arguments"
    err = error(fs, "fs_write", path="/notes/" + "n" * 256, content="")
    assert err.code == "name_too_long" and err.details["errno"] == "ENAMETOOLONG"


# ---------------------------------------------------------------------------------- reads
def test_ls(fs: FileSystem) -> None:
    listing = run(fs, "fs_ls", path="/projects/alpha")
    assert listing["entries"] == [
        {
            "name": "README.md",
            "type": "file",
            "size": len(README),
            "modified": iso_time(EPOCH - 3600),
        },
        {"name": "data", "type": "dir", "size": None, "modified": iso_time(EPOCH - 7200)},
    ]
    assert [e["name"] for e in run(fs, "fs_ls")["entries"]] == [
        "archive",
        "empty",
        "notes",
        "photos",
        "projects",
    ]
    one = run(fs, "fs_ls", path="/notes/todo.txt")["entries"]
    assert [e["name"] for e in one] == ["todo.txt"]
    err = error(fs, "fs_ls", path="/nowhere")
    assert err.code == "not_found" and "'/nowhere'" in err.message and "fs_find" in err.message


def test_read_windows_and_errors(fs: FileSystem) -> None:
    whole = run(fs, "fs_read", path="/notes/todo.txt")
    assert whole["content"] == "milk\nEggs\nbread"
    assert (whole["total_lines"], whole["next_offset"]) == (3, None)
    window = run(fs, "fs_read", path="/notes/todo.txt", offset=2, limit=1)
    assert window["content"] == "Eggs\n"
    assert (window["lines_returned"], window["next_offset"]) == (1, 3)
    past = run(fs, "fs_read", path="/notes/todo.txt", offset=9)
    assert past["content"] == "" and past["lines_returned"] == 0
    assert run(fs, "fs_read", path="/projects/alpha/data/empty.csv")["total_lines"] == 0
    assert error(fs, "fs_read", path="/notes").code == "is_a_directory"
    assert error(fs, "fs_read", path="/notes/none.txt").code == "not_found"
    assert error(fs, "fs_read", path="/photos/a.jpg").code == "binary_file"
    assert error(fs, "fs_read", path="/notes/todo.txt", offset=0).code == "invalid_arguments"


def test_stat(fs: FileSystem) -> None:
    assert run(fs, "fs_stat", path="/projects/alpha/data/sales.csv") == {
        "path": "/projects/alpha/data/sales.csv",
        "type": "file",
        "size": len(CSV),
        "entries": None,
        "lines": 3,
        "modified": iso_time(EPOCH - 7200),
        "read_only": False,
    }
    info = run(fs, "fs_stat", path="/archive")
    assert (info["type"], info["entries"], info["size"], info["read_only"]) == (
        "dir",
        1,
        None,
        True,
    )
    assert run(fs, "fs_stat", path="/photos/a.jpg")["lines"] is None
    assert error(fs, "fs_stat", path="/nope").code == "not_found"


def test_find(fs: FileSystem) -> None:
    assert run(fs, "fs_find", name="*.csv")["matches"] == [
        "/projects/alpha/data/empty.csv",
        "/projects/alpha/data/sales.csv",
    ]
    dirs = run(fs, "fs_find", path="/projects", type="dir")["matches"]
    assert dirs == ["/projects", "/projects/alpha", "/projects/alpha/data"]
    assert run(fs, "fs_find", path="/projects", max_depth=1)["matches"] == [
        "/projects",
        "/projects/alpha",
    ]
    assert run(fs, "fs_find", path="/notes/todo.txt", name="todo*")["matches"] == [
        "/notes/todo.txt"
    ]
    assert run(fs, "fs_find", name="[!a-z]*", type="file")["matches"] == [
        "/projects/alpha/README.md"
    ]
    for bad in ("", "a/b"):
        err = error(fs, "fs_find", name=bad)
        assert err.code == "invalid_pattern" and "glob" in err.message
    assert error(fs, "fs_find", path="/none").code == "not_found"


def test_grep(fs: FileSystem) -> None:
    lines = run(fs, "fs_grep", pattern=r"^\d,")["results"]
    assert lines == [
        {"path": "/projects/alpha/data/sales.csv", "line": 2, "text": "1,10"},
        {"path": "/projects/alpha/data/sales.csv", "line": 3, "text": "2,20"},
    ]
    assert run(fs, "fs_grep", pattern="eggs", ignore_case=True)["results"] == [
        {"path": "/notes/todo.txt", "line": 2, "text": "Eggs"}
    ]
    assert run(fs, "fs_grep", pattern="eggs")["results"] == []
    assert run(fs, "fs_grep", pattern="a", output="files", include="*.md")["results"] == [
        "/projects/alpha/README.md"
    ]
    counts = run(fs, "fs_grep", pattern="0", output="count")["results"]
    assert counts == [{"path": "/projects/alpha/data/sales.csv", "count": 2}]
    assert run(fs, "fs_grep", pattern="JFIF")["results"] == []  # binary files are skipped
    single = run(fs, "fs_grep", pattern="milk", path="/notes/todo.txt", recursive=False)
    assert single["results"][0]["line"] == 1
    capped = run(fs, "fs_grep", pattern=".", max_results=2)
    assert len(capped["results"]) == 2 and capped["truncated"]
    assert not run(fs, "fs_grep", pattern="milk")["truncated"]
    err = error(fs, "fs_grep", pattern="(unclosed")
    assert err.code == "invalid_pattern" and "(unclosed" in err.message
    assert error(fs, "fs_grep", pattern="").code == "invalid_pattern"
    assert error(fs, "fs_grep", pattern="x", path="/notes", recursive=False).code == (
        "is_a_directory"
    )
    assert error(fs, "fs_grep", pattern="x", path="/void").code == "not_found"


def test_tree(fs: FileSystem) -> None:
    drawn = run(fs, "fs_tree", path="/projects")
    assert drawn["tree"] == "\n".join(
        [
            "/projects",
            "└── alpha/",
            "    ├── README.md",
            "    └── data/",
            "        ├── empty.csv",
            "        └── sales.csv",
        ]
    )
    assert (drawn["directories"], drawn["files"]) == (2, 3)
    shallow = run(fs, "fs_tree", path="/projects", max_depth=1)
    assert shallow["tree"] == "/projects\n└── alpha/"
    assert run(fs, "fs_tree", path="/notes/todo.txt")["tree"] == "/notes/todo.txt"
    assert error(fs, "fs_tree", path="/x").code == "not_found"


def test_du(fs: FileSystem) -> None:
    usage = run(fs, "fs_du")
    assert usage["bytes"] == len(README) + len(CSV) + len("milk\nEggs\nbread") + 100 + 4
    assert (usage["files"], usage["directories"]) == (6, 7)
    assert usage["entries"][:2] == [
        {"name": "photos", "bytes": 100},
        {"name": "projects", "bytes": len(README) + len(CSV)},
    ]
    assert usage["entries"][-1] == {"name": "empty", "bytes": 0}
    assert run(fs, "fs_du", path="/notes/todo.txt")["bytes"] == 15
    assert error(fs, "fs_du", path="/x").code == "not_found"


def test_checksum(fs: FileSystem) -> None:
    fs.add_file("/notes/copy.txt", "milk\nEggs\nbread")
    sums = run(fs, "fs_checksum", paths=["/notes/todo.txt", "/notes/copy.txt", "/photos/a.jpg"])
    digests = [c["sha256"] for c in sums["checksums"]]
    assert digests[0] == digests[1] != digests[2]
    assert sums["checksums"][2]["size"] == 100
    assert error(fs, "fs_checksum", paths=["/notes"]).code == "is_a_directory"
    assert error(fs, "fs_checksum", paths=[]).code == "invalid_arguments"


# --------------------------------------------------------------------------------- writes
def test_write_and_append(fs: FileSystem) -> None:
    made = run(fs, "fs_write", path="/notes/new.txt", content="héllo\n")
    assert made == {"path": "/notes/new.txt", "bytes_written": 7, "created": True}
    assert run(fs, "fs_write", path="/notes/new.txt", content="bye")["created"] is False
    assert run(fs, "fs_append", path="/notes/new.txt", content="!\n") == {
        "path": "/notes/new.txt",
        "size": 5,
    }
    assert fs.read_text("/notes/new.txt") == "bye!\n"
    assert run(fs, "fs_append", path="/notes/log.txt", content="a")["size"] == 1


def test_write_errors(fs: FileSystem) -> None:
    cases = {
        "/missing/file.txt": "not_found",
        "/notes/todo.txt/x": "not_a_directory",
        "/notes": "is_a_directory",
        "/notes/new/": "is_a_directory",
        "/archive/old.txt": "permission_denied",
        "/archive/new.txt": "permission_denied",
    }
    for path, code in cases.items():
        for tool_name in ("fs_write", "fs_append"):
            err = error(fs, tool_name, path=path, content="x")
            assert err.code == code, (tool_name, path, err)
            assert err.details["path"] in (path.rstrip("/"), "/notes/todo.txt/x")
    big = "x" * (MAX_FILE_BYTES + 1)
    assert error(fs, "fs_write", path="/notes/big.txt", content=big).code == "file_too_large"
    run(fs, "fs_write", path="/notes/big.txt", content="x" * MAX_FILE_BYTES)
    assert error(fs, "fs_append", path="/notes/big.txt", content="y").code == "file_too_large"
    assert fs.node("/notes/big.txt").size == MAX_FILE_BYTES


def test_mkdir(fs: FileSystem) -> None:
    assert run(fs, "fs_mkdir", paths=["/a", "/b"]) == {"created": ["/a", "/b"]}
    assert run(fs, "fs_mkdir", paths=["/c/d/e"], parents=True)["created"] == [
        "/c",
        "/c/d",
        "/c/d/e",
    ]
    assert run(fs, "fs_mkdir", paths=["/c/d"], parents=True)["created"] == []
    assert error(fs, "fs_mkdir", paths=["/a"]).code == "already_exists"
    assert error(fs, "fs_mkdir", paths=["/notes/todo.txt"], parents=True).code == "already_exists"
    assert error(fs, "fs_mkdir", paths=["/x/y"]).code == "not_found"
    assert error(fs, "fs_mkdir", paths=["/notes/todo.txt/y"], parents=True).code == (
        "not_a_directory"
    )
    assert error(fs, "fs_mkdir", paths=["/archive/new"]).code == "permission_denied"
    # all or nothing: the second path fails, so the first is not created either
    assert error(fs, "fs_mkdir", paths=["/fresh", "/a"]).code == "already_exists"
    assert not fs.exists("/fresh")


def test_rm(fs: FileSystem) -> None:
    assert run(fs, "fs_rm", paths=["/notes/todo.txt", "/empty"]) == {
        "removed": ["/notes/todo.txt", "/empty"],
        "files_removed": 1,
    }
    err = error(fs, "fs_rm", paths=["/projects"])
    assert err.code == "directory_not_empty" and "recursive=true" in err.message
    assert run(fs, "fs_rm", paths=["/projects"], recursive=True)["files_removed"] == 3
    assert not fs.exists("/projects/alpha/README.md")
    assert error(fs, "fs_rm", paths=["/"], recursive=True).code == "invalid_operation"
    assert error(fs, "fs_rm", paths=["/gone"]).code == "not_found"
    assert error(fs, "fs_rm", paths=["/archive/old.txt"]).code == "permission_denied"
    assert error(fs, "fs_rm", paths=["/archive"], recursive=True).code == "permission_denied"
    assert error(fs, "fs_rm", paths=["/photos/a.jpg", "/gone"]).code == "not_found"
    assert fs.exists("/photos/a.jpg")


def test_mv(fs: FileSystem) -> None:
    moved = run(fs, "fs_mv", sources=["/notes/todo.txt"], destination="/notes/list.txt")
    assert moved == {"moved": [{"from": "/notes/todo.txt", "to": "/notes/list.txt"}]}
    assert fs.node("/notes/list.txt").mtime == EPOCH - 60  # rename keeps the time
    run(fs, "fs_mv", sources=["/notes/list.txt", "/photos/a.jpg"], destination="/empty")
    assert fs.names("/empty") == ["a.jpg", "list.txt"]
    run(fs, "fs_mv", sources=["/projects/alpha"], destination="/beta")
    assert fs.read_text("/beta/data/sales.csv") == CSV and not fs.exists("/projects/alpha")
    fs.add_file("/x.txt", "x")
    run(fs, "fs_mv", sources=["/x.txt"], destination="/beta/README.md")
    assert fs.read_text("/beta/README.md") == "x"


def test_mv_errors(fs: FileSystem) -> None:
    fs.add_file("/d/notes", "a file named like the directory")
    fs.add_file("/full/data/f", "")
    fs.add_dir("/full2/data")
    cases = [
        (["/none"], "/x", "not_found"),
        (["/projects"], "/projects/alpha/inside", "invalid_operation"),
        (["/notes/todo.txt"], "/notes/todo.txt", "invalid_operation"),
        (["/notes/todo.txt"], "/nowhere/x", "not_found"),
        (["/notes"], "/d", "not_a_directory"),
        (["/full2/data"], "/full", "directory_not_empty"),
        (["/notes/todo.txt", "/photos/a.jpg"], "/newdir", "not_a_directory"),
        (["/notes/todo.txt"], "/archive", "permission_denied"),
        (["/archive/old.txt"], "/notes", "permission_denied"),
        (["/"], "/x", "invalid_operation"),
        (["/notes/todo.txt"], "/notes/todo2.txt/", "not_a_directory"),
    ]
    for sources, destination, code in cases:
        err = error(fs, "fs_mv", sources=sources, destination=destination)
        assert err.code == code, (sources, destination, err)
    fs.add_dir("/g/photos/a.jpg")
    assert error(fs, "fs_mv", sources=["/photos/a.jpg"], destination="/g/photos").code == (
        "is_a_directory"
    )


def test_read_only_directory_cannot_move_to_another_parent(fs: FileSystem) -> None:
    fs.add_dir("/shelf/locked", read_only=True)
    err = error(fs, "fs_mv", sources=["/shelf/locked"], destination="/empty")
    assert err.code == "permission_denied" and err.details["path"] == "/shelf/locked"
    run(fs, "fs_mv", sources=["/shelf/locked"], destination="/shelf/renamed")
    assert fs.node("/shelf/renamed").read_only


def test_cp(fs: FileSystem) -> None:
    fs.now = EPOCH + 100
    copied = run(fs, "fs_cp", sources=["/archive/old.txt"], destination="/notes")
    assert copied == {"copied": [{"from": "/archive/old.txt", "to": "/notes/old.txt"}]}
    copy = fs.node("/notes/old.txt")
    assert (copy.content, copy.read_only, copy.mtime) == ("old\n", False, EPOCH + 101)
    run(fs, "fs_cp", sources=["/notes/todo.txt"], destination="/notes/old.txt")
    assert fs.read_text("/notes/old.txt") == fs.read_text("/notes/todo.txt")
    run(fs, "fs_cp", sources=["/projects/alpha"], destination="/backup", recursive=True)
    assert fs.read_text("/backup/data/sales.csv") == CSV
    fs.add_file("/backup/data/extra.csv", "keep")
    run(fs, "fs_cp", sources=["/projects/alpha"], destination="/", recursive=True)
    assert fs.read_text("/alpha/README.md") == README
    run(fs, "fs_cp", sources=["/projects/alpha/data"], destination="/backup", recursive=True)
    assert fs.names("/backup/data") == ["empty.csv", "extra.csv", "sales.csv"]  # merged


def test_cp_errors(fs: FileSystem) -> None:
    fs.add_file("/backup/data", "a file where a directory would go")
    cases = [
        (["/none"], "/x", False, "not_found"),
        (["/projects"], "/copy", False, "is_a_directory"),
        (["/projects"], "/projects/alpha", True, "invalid_operation"),
        (["/notes/todo.txt"], "/notes/todo.txt", False, "invalid_operation"),
        (["/notes/todo.txt"], "/notes/new/", False, "is_a_directory"),
        (["/notes/todo.txt"], "/archive", False, "permission_denied"),
        (["/notes/todo.txt"], "/archive/old.txt", False, "permission_denied"),
        (["/projects/alpha/data"], "/backup", True, "not_a_directory"),
        (["/notes/todo.txt", "/photos/a.jpg"], "/nodir", False, "not_a_directory"),
        (["/"], "/empty", True, "invalid_operation"),
    ]
    for sources, destination, recursive, code in cases:
        err = error(fs, "fs_cp", sources=sources, destination=destination, recursive=recursive)
        assert err.code == code, (sources, destination, err)


# ------------------------------------------------------------------------------ snapshots
def test_restore_is_exact_and_costs_what_changed(fs: FileSystem) -> None:
    before = tree(fs)
    mark = fs.snapshot()
    run(fs, "fs_write", path="/notes/new.txt", content="n")
    run(fs, "fs_mv", sources=["/projects"], destination="/work")
    run(fs, "fs_rm", paths=["/notes"], recursive=True)
    run(fs, "fs_cp", sources=["/work"], destination="/notes", recursive=True)
    run(fs, "fs_mkdir", paths=["/x/y"], parents=True)
    assert len(fs._journal) < 60
    fs.restore(mark)
    assert tree(fs) == before and fs.now == EPOCH
    assert sorted(fs._children) == sorted(p for p, n in fs.walk("/") if n.is_dir)
    with pytest.raises(ValueError, match="outside the journal"):
        fs.restore((999, EPOCH))


def test_changes_compare_kind_and_content_not_times(fs: FileSystem) -> None:
    mark = fs.snapshot()
    run(fs, "fs_write", path="/notes/todo.txt", content="milk\nEggs\nbread")  # same content
    run(fs, "fs_rm", paths=["/photos/a.jpg"])
    run(fs, "fs_cp", sources=["/archive/old.txt"], destination="/photos/a.jpg")
    run(fs, "fs_rm", paths=["/photos/a.jpg"])
    run(fs, "fs_mkdir", paths=["/new"])
    run(fs, "fs_append", path="/new/f", content="1")
    assert fs.changes_since(mark) == [
        ("files", "/photos/a.jpg", ("file", "\x00JFIF" + "x" * 95), None),
        ("files", "/new", None, ("dir", "")),
        ("files", "/new/f", None, ("file", "1")),
    ]


def test_clock_ticks_per_successful_mutation(fs: FileSystem) -> None:
    run(fs, "fs_ls")
    assert fs.now == EPOCH
    run(fs, "fs_write", path="/a.txt", content="a")
    assert fs.node("/a.txt").mtime == EPOCH + 1 and fs.node("/").mtime == EPOCH + 1
    error(fs, "fs_write", path="/archive/b.txt", content="b")
    assert fs.now == EPOCH + 1
    run(fs, "fs_append", path="/a.txt", content="b")
    assert run(fs, "fs_stat", path="/a.txt")["modified"] == iso_time(EPOCH + 2)
