"""``toolgym/Filesystem-v0``: looking after a person's files through POSIX-like tools.

Six task families, each at three difficulties: find files by content, reorganise by rule,
rename by pattern, summarise into a report file, clean up duplicates, and fix a broken config.
Easy tasks name the place and the rule, medium ones need a listing or a parse, hard ones need
exploration across the tree, times from ``fs_ls``, or several coordinated changes.

Each task plants what it needs into the clean workspace (a code in a note, a duplicate photo,
a broken config) with journaled writes, so a reset undoes it. Files whose formatting is the
agent's choice are compared as data: configs parsed (JSON, YAML, INI), reports line by line
without trailing whitespace; everything else byte for byte.
"""

from __future__ import annotations

import configparser
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import yaml

from toolgym.core.state import Change
from toolgym.core.task import Answer, CheckResult, Reference, Task, World, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, pick, policy_prompt
from toolgym.envs.filesystem_world import (
    CATEGORIES,
    DAY,
    binary_blob,
    build_workspace,
    index,
)
from toolgym.toolkits.filesystem import FileSystem, split_lines

__all__ = ["SUITE", "FileTask", "ini_data", "json_data", "report_lines", "yaml_data"]

SUITE = Suite("filesystem", lambda seed, size: [build_workspace(seed, size)])

SYSTEM_PROMPT = policy_prompt(
    "You are a file assistant working in the user's workspace through the fs_* tools. "
    "Paths are absolute from the workspace root '/'.",
    [
        "Do exactly what the user asks and change nothing else: no extra files, folders or edits.",
        "/archive is read-only; never try to change anything in it.",
        "When the user gives an exact path, name or line format, use it verbatim.",
        "Look before you act: list, find, grep or read to learn what is there instead of guessing.",
        "Report files by their full path, starting with '/'.",
    ],
    "When the work is done, reply to the user with a short summary that includes every path "
    "or figure they asked for. Do not call tools in that final reply.",
)

DUPLICATE_RULE = (
    "Files are duplicates when their contents are identical. In each group of duplicates keep "
    "the file that was modified earliest (if several share that time, the one whose full path "
    "sorts first) and delete the others."
)
CODENAMES = (
    "Falcon",
    "Bluebird",
    "Nimbus",
    "Quasar",
    "Juniper",
    "Tundra",
    "Cobalt",
    "Saffron",
    "Zephyr",
    "Marigold",
    "Obsidian",
    "Pelican",
    "Sequoia",
    "Tangerine",
    "Vortex",
    "Wombat",
)
PLANT_WORDS = (
    "budget",
    "draft",
    "summary",
    "holiday",
    "scan",
    "receipt",
    "poster",
    "backup",
    "slides",
    "recipe",
    "contract",
    "playlist",
    "itinerary",
    "manual",
)
CODE_LINES = (
    "Follow-up tracked as {code}.",
    "See {code} for the details.",
    "Blocked until {code} is resolved.",
    "Raised with the vendor under {code}.",
)


# ------------------------------------------------------------------------------- checking
Reader = Callable[[str], Any]


def report_lines(text: str) -> tuple[str, ...]:
    """A report as its lines, without trailing whitespace or blank lines at either end."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return tuple(lines)


def json_data(text: str) -> Any:
    try:
        return ("json", json.loads(text))
    except ValueError:
        return ("invalid", text)


def yaml_data(text: str) -> Any:
    try:
        return ("yaml", yaml.safe_load(text))
    except yaml.YAMLError:
        return ("invalid", text)


def ini_data(text: str) -> Any:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return ("invalid", text)
    return ("ini", {section: dict(parser[section]) for section in parser.sections()})


def _read_change(readers: dict[str, Reader], change: Change) -> Change:
    table, key, before, after = change
    if key in readers and after is not None and after[0] == "file":
        after = ("file", readers[key](after[1]))
    return (table, key, before, after)


class _ReadView:
    """A world whose reported changes pass through the task's readers."""

    def __init__(self, world: World, readers: dict[str, Reader]) -> None:
        self.world = world
        self.readers = readers

    def changes_since(self, start: Any) -> list[Change]:
        return [_read_change(self.readers, c) for c in self.world.changes_since(start)]


@dataclass
class FileTask(Task):
    """A task whose checker compares some files as data rather than as exact text.

    ``readers`` maps a path to a function of the file's content (``json_data``,
    ``report_lines``, ...); the agent's file and the reference's are both read through it.
    """

    readers: dict[str, Reader] = field(default_factory=dict)

    def check(self, world: World, start: Any, answer: str | None, ref: Reference) -> CheckResult:
        if not self.readers:
            return super().check(world, start, answer, ref)
        expected = replace(ref, changes=tuple(_read_change(self.readers, c) for c in ref.changes))
        return super().check(_ReadView(world, self.readers), start, answer, expected)  # type: ignore[arg-type]


def _task(prompt: str, plan: Any, literals: Sequence[str], **fields: Any) -> FileTask:
    return FileTask("", "", "", SYSTEM_PROMPT, prompt, plan, literals=tuple(literals), **fields)


# ------------------------------------------------------------------------------- planting
def _name(path: str) -> str:
    return path.rsplit("/", 1)[1]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _stem_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    return (stem, f".{ext}") if dot else (name, "")


def _insert_line(fs: FileSystem, path: str, text: str, rng: np.random.Generator) -> None:
    """Put ``text`` on a new line after a random existing line (time and flags kept)."""
    node = fs.node(path)
    assert node is not None
    lines = split_lines(node.content)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at = int(rng.integers(1, len(lines) + 1))
    lines.insert(at, text + "\n")
    fs.add_file(path, "".join(lines), mtime=node.mtime, read_only=node.read_only)


def _fresh(fs: FileSystem, make: Callable[[], str]) -> str:
    """A string (code, phrase) that appears nowhere in the clean workspace."""
    corpus = index(fs).corpus
    for _ in range(100):
        value = make()
        if value.casefold() not in corpus:
            return value
    raise RuntimeError("no fresh value found")


def _fresh_name(fs: FileSystem, rng: np.random.Generator, folder: str, ext: str) -> str:
    for _ in range(100):
        name = f"{pick(rng, PLANT_WORDS)}-{int(rng.integers(10, 99))}.{ext}"
        if not fs.exists(f"{folder}/{name}"):
            return name
    raise RuntimeError("no fresh name found")


def _sorted_paths(paths: Sequence[str]) -> list[str]:
    return sorted(paths, key=lambda p: p.split("/"))


# ------------------------------------------------------------------------ find by content
@SUITE.family("filesystem")
def find_by_content(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Say which file mentions a code (medium: and on which line; hard: copy them all)."""
    idx = index(fs)
    if difficulty == "hard":
        return _gather_mentions(fs, rng)
    prefix = "TKT" if difficulty == "easy" else "CASE"
    code = _fresh(fs, lambda: f"{prefix}-{int(rng.integers(10000, 99999))}")
    if difficulty == "easy":
        project = pick(rng, idx.projects)
        scope = f"/projects/{project}"
        target = pick(rng, [p for p in idx.text_files if p.startswith(scope + "/")])
        _insert_line(fs, target, pick(rng, CODE_LINES).format(code=code), rng)
        prompt = f"Which file in {scope} mentions ticket {code}? Give me its full path."
        # A hedging reply names the project's other files too.
        siblings = [p for p in idx.text_files if p.startswith(scope + "/") and p != target]

        def plan():
            found = yield call(
                "fs_grep",
                "Search the project's files for the ticket code.",
                pattern=re.escape(code),
                path=scope,
                output="files",
            )
            path = found["results"][0]
            text = f"Ticket {code} is mentioned in {path}."
            return Answer(text, (path,), wrong_candidates(siblings, [text], prompt))

        return _task(prompt, plan, (code, scope))

    target, decoy = (str(p) for p in rng.choice(idx.text_files, size=2, replace=False))
    _insert_line(fs, target, pick(rng, CODE_LINES).format(code=code), rng)
    near = code[:-1] + str((int(code[-1]) + int(rng.integers(1, 9))) % 10)
    if near.casefold() not in idx.corpus:
        _insert_line(fs, decoy, pick(rng, CODE_LINES).format(code=near), rng)
    # The files a careless search (a code one digit off) finds instead.
    near_files = [p for p in idx.text_files if near.casefold() in fs.read_text(p).casefold()]
    prompt = (
        f"Somewhere in my files there is a note about {code}. Which file is it in, and on "
        "which line?"
    )

    def plan():
        found = yield call(
            "fs_grep", "Search every file for the exact code.", pattern=rf"\b{code}\b", path="/"
        )
        hit = found["results"][0]
        text = f"{code} is mentioned in {hit['path']} on line {hit['line']}."
        wrong = wrong_candidates(near_files, [text], prompt)
        return Answer(text, (hit["path"], str(hit["line"])), wrong)

    return _task(prompt, plan, (code,))


def _gather_mentions(fs: FileSystem, rng: np.random.Generator) -> Task:
    idx = index(fs)
    codename = _fresh(fs, lambda: f"Project {pick(rng, CODENAMES)}")
    count = int(rng.integers(2, 5))
    order = rng.permutation(len(idx.text_files)).tolist()
    chosen: list[str] = []
    for i in order:
        path = idx.text_files[i]
        if _name(path) not in {_name(c) for c in chosen}:
            chosen.append(path)
        if len(chosen) == count:
            break
    spellings = [codename, codename.lower(), codename.upper()]
    spelled_as = [pick(rng, spellings) for _ in chosen]
    for path, spelled in zip(chosen, spelled_as, strict=True):
        _insert_line(fs, path, f"Notes for {spelled} go here.", rng)
    # The counts a case-sensitive search gives, one per spelling.
    by_case = [str(spelled_as.count(s)) for s in spellings]
    prompt = (
        f'Copy every file that mentions "{codename}" (in any capitalisation) into a new folder '
        "/review, keeping the file names, and tell me how many files you copied."
    )

    def plan():
        found = yield call(
            "fs_grep",
            "Find every file that mentions the codename, ignoring case.",
            pattern=codename,
            path="/",
            ignore_case=True,
            output="files",
        )
        files = found["results"]
        yield call("fs_mkdir", "Create the review folder.", paths=["/review"])
        yield call("fs_cp", "Copy the files into it.", sources=files, destination="/review")
        text = f"Copied {len(files)} files into /review."
        return Answer(text, (str(len(files)),), wrong_candidates(by_case, [text], prompt))

    return _task(prompt, plan, (codename, "/review"))


# ----------------------------------------------------------------------- reorganise by rule
def _category(name: str) -> str | None:
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    return next((folder for folder, exts in CATEGORIES.items() if ext in exts), None)


def _plant_downloads(fs: FileSystem, rng: np.random.Generator) -> None:
    """A few new downloads, so the same world poses different sorting jobs."""
    extensions = [e for exts in CATEGORIES.values() for e in exts]
    for _ in range(int(rng.integers(1, 4))):
        ext = pick(rng, extensions)
        name = _fresh_name(fs, rng, "/downloads", ext)
        if ext in ("txt", "md", "csv"):
            content = "item,count\n" if ext == "csv" else f"{pick(rng, PLANT_WORDS)} notes\n"
        else:
            content = binary_blob(rng, ext)
        fs.add_file(f"/downloads/{name}", content, mtime=fs.now - int(rng.integers(1, 30 * DAY)))


@SUITE.family("filesystem")
def reorganise_by_rule(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Move files into folders by extension (easy, medium) or by modification date (hard)."""
    if difficulty == "hard":
        return _sort_by_date(fs, rng)
    _plant_downloads(fs, rng)
    names = fs.names("/downloads")
    if difficulty == "easy":
        counts: dict[str, int] = {}
        for name in names:
            if _category(name):
                ext = name.rsplit(".", 1)[1]
                counts[ext] = counts.get(ext, 0) + 1
        ext = pick(rng, sorted(e for e, n in counts.items() if n == max(counts.values()) or n > 1))
        folder = f"/downloads/{_category('x.' + ext)}"
        prompt = f"Please move every .{ext} file in /downloads into a new folder {folder}."

        def plan():
            found = yield call(
                "fs_find",
                f"Find the .{ext} files directly in /downloads.",
                path="/downloads",
                name=f"*.{ext}",
                type="file",
                max_depth=1,
            )
            yield call("fs_mkdir", "Create the folder.", paths=[folder])
            yield call("fs_mv", "Move the files.", sources=found["matches"], destination=folder)
            return f"Moved {len(found['matches'])} .{ext} files into {folder}."

        return _task(prompt, plan, (f".{ext}", folder))

    present = sorted({c for c in map(_category, names) if c}, key=list(CATEGORIES).index)
    rules = "\n".join(
        f"- /downloads/{c} for " + ", ".join(f".{e}" for e in CATEGORIES[c]) for c in present
    )
    prompt = (
        "Please tidy up /downloads: move each file there into a subfolder chosen by its "
        "extension (the text after the last dot):\n"
        f"{rules}\n"
        "Create exactly these folders and leave files with any other extension where they are."
    )

    def plan():
        listing = yield call("fs_ls", "See what is in /downloads.", path="/downloads")
        groups: dict[str, list[str]] = {}
        for entry in listing["entries"]:
            category = _category(entry["name"]) if entry["type"] == "file" else None
            if category:
                groups.setdefault(category, []).append(f"/downloads/{entry['name']}")
        folders = [f"/downloads/{c}" for c in groups]
        yield call("fs_mkdir", "Create the category folders.", paths=folders)
        for category, files in groups.items():
            yield call(
                "fs_mv",
                f"Move the {category}.",
                sources=files,
                destination=f"/downloads/{category}",
            )
        return "Sorted /downloads into " + ", ".join(folders) + "."

    return _task(prompt, plan, [f"/downloads/{c}" for c in present])


def _sort_by_date(fs: FileSystem, rng: np.random.Generator) -> Task:
    folder = pick(rng, index(fs).unsorted)
    for _ in range(int(rng.integers(0, 3))):
        name = _fresh_name(fs, rng, folder, "jpg")
        mtime = fs.now - int(rng.integers(1, 700 * DAY))
        fs.add_file(f"{folder}/{name}", binary_blob(rng, "jpg"), mtime=mtime)
    by = pick(rng, ["month", "year"])
    width = 7 if by == "month" else 4
    target = f"/photos/by-{by}"
    shape, example = ("<YYYY-MM>", "2024-07") if by == "month" else ("<YYYY>", "2024")
    prompt = (
        f"Sort the files in {folder} into folders by the {by} they were last modified (UTC): "
        f"{target}/{shape}/, for example {target}/{example}/. Create the folders you need, "
        f"then delete the empty {folder} folder."
    )

    def plan():
        listing = yield call("fs_ls", "Read each file's modification time.", path=folder)
        groups: dict[str, list[str]] = {}
        for entry in listing["entries"]:
            key = entry["modified"][:width]
            groups.setdefault(key, []).append(f"{folder}/{entry['name']}")
        dirs = [f"{target}/{key}" for key in sorted(groups)]
        yield call("fs_mkdir", "Create the date folders.", paths=dirs, parents=True)
        for key in sorted(groups):
            yield call(
                "fs_mv",
                f"Move the files from {key}.",
                sources=groups[key],
                destination=f"{target}/{key}",
            )
        yield call("fs_rm", "Remove the now empty folder.", paths=[folder])
        return f"Sorted {folder} into {len(dirs)} folders under {target}."

    return _task(prompt, plan, (folder, target, shape))


# ------------------------------------------------------------------------ rename by pattern
@SUITE.family("filesystem")
def rename_by_pattern(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Rename photos: fix the extension, reformat the date, or number them by time."""
    events = index(fs).events
    if difficulty == "easy":
        folder = pick(rng, sorted(f for f, files in events.items() if files[0].endswith(".jpeg")))
        prompt = (
            f"In {folder}, rename every file ending in .jpeg so it ends in .jpg instead, "
            "keeping the rest of the name."
        )

        def plan():
            found = yield call(
                "fs_find", "Find the .jpeg files.", path=folder, name="*.jpeg", type="file"
            )
            for path in found["matches"]:
                yield call(
                    "fs_mv", "Fix the extension.", sources=[path], destination=path[:-5] + ".jpg"
                )
            return f"Renamed {len(found['matches'])} files to .jpg."

        return _task(prompt, plan, (folder, ".jpeg", ".jpg"))

    folder = pick(rng, sorted(events))
    if difficulty == "medium":
        prompt = (
            f"In {folder}, rename every photo from IMG_YYYYMMDD_NNNN.<ext> to "
            "YYYY-MM-DD_NNNN.<ext>, keeping the extension: for example IMG_20240131_0042.jpg "
            "becomes 2024-01-31_0042.jpg."
        )
        pattern = re.compile(r"IMG_(\d{4})(\d{2})(\d{2})_(\d+)\.(\w+)")

        def plan():
            listing = yield call("fs_ls", "List the photos.", path=folder)
            names = [e["name"] for e in listing["entries"] if pattern.fullmatch(e["name"])]
            for name in names:
                new = pattern.sub(r"\1-\2-\3_\4.\5", name)
                yield call(
                    "fs_mv",
                    "Rename it.",
                    sources=[f"{folder}/{name}"],
                    destination=f"{folder}/{new}",
                )
            return f"Renamed {len(names)} photos."

        return _task(prompt, plan, (folder, "IMG_YYYYMMDD_NNNN.<ext>", "YYYY-MM-DD_NNNN.<ext>"))

    event = _name(folder)
    first = f"{event}-001{_stem_ext(events[folder][0])[1]}"
    prompt = (
        f"Rename every file in {folder} to {event}-NNN.<ext>, numbered 001, 002, ... in order of "
        "modification time, oldest first (ties broken by current name), keeping each file's "
        f"extension: the oldest file becomes {first}."
    )

    def plan():
        listing = yield call("fs_ls", "Read the modification times.", path=folder)
        entries = sorted(listing["entries"], key=lambda e: (e["modified"], e["name"]))
        for n, entry in enumerate(entries, 1):
            ext = _stem_ext(entry["name"])[1]
            yield call(
                "fs_mv",
                "Rename in time order.",
                sources=[f"{folder}/{entry['name']}"],
                destination=f"{folder}/{event}-{n:03d}{ext}",
            )
        return f"Renamed {len(entries)} files in time order."

    return _task(prompt, plan, (folder, f"{event}-NNN.<ext>", first))


# ------------------------------------------------------------------------ summarise to file
@SUITE.family("filesystem")
def summarise_report(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Write a report file in an exact line format: a listing, CSV row counts, error counts."""
    idx = index(fs)
    if difficulty == "hard":
        return _error_report(fs, rng)
    project = pick(rng, idx.projects)
    if difficulty == "easy":
        folder = pick(rng, idx.note_folders)
        label = "personal" if folder == "/notes" else _project_of(folder)
        report = f"/reports/{label}-notes.txt"
        prompt = (
            f"Create the file {report} listing the names of the files in {folder} (just the "
            "names, not full paths), one per line, in alphabetical order. Create /reports if "
            "it does not exist."
        )

        def plan():
            listing = yield call("fs_ls", "List the folder.", path=folder)
            names = [e["name"] for e in listing["entries"] if e["type"] == "file"]
            yield call("fs_mkdir", "Make sure /reports exists.", paths=["/reports"], parents=True)
            yield call("fs_write", "Write the list.", path=report, content="\n".join(names) + "\n")
            return f"Wrote {len(names)} names to {report}."

        return _task(prompt, plan, (report, folder), readers={report: report_lines})

    data = f"/projects/{project}/data"
    report = f"/reports/{project}-rows.txt"
    prompt = (
        f"Write {report} with one line per CSV file in {data}, formatted "
        "'<file name>: <rows> rows', where rows counts the data rows (not the header line), "
        "sorted by file name; then a final line 'total: <sum> rows'. Create /reports if it "
        "does not exist."
    )

    def plan():
        found = yield call("fs_find", "Find the CSV files.", path=data, name="*.csv", type="file")
        lines, total = [], 0
        for path in found["matches"]:
            read = yield call("fs_read", f"Count the rows of {_name(path)}.", path=path)
            rows = sum(1 for line in read["content"].split("\n") if line.strip()) - 1
            lines.append(f"{_name(path)}: {rows} rows")
            total += rows
        lines.append(f"total: {total} rows")
        yield call("fs_mkdir", "Make sure /reports exists.", paths=["/reports"], parents=True)
        yield call("fs_write", "Write the report.", path=report, content="\n".join(lines) + "\n")
        return f"Wrote {report}: {total} rows in total."

    literals = (report, data, "<file name>: <rows> rows", "total: <sum> rows")
    return _task(prompt, plan, literals, readers={report: report_lines})


def _project_of(path: str) -> str:
    return path.split("/")[2]


ERROR_LINE = re.compile(r"^\S+ ERROR ", re.M)


def _error_report(fs: FileSystem, rng: np.random.Generator) -> Task:
    logs = index(fs).logs
    for path in rng.choice(logs, size=int(rng.integers(1, 3)), replace=False).tolist():
        _append_errors(fs, path, int(rng.integers(1, 4)))
    counts = {p: len(ERROR_LINE.findall(fs.read_text(p))) for p in logs}
    top = max(counts.values())
    leaders = sorted(p for p, n in counts.items() if n == top)
    if len(leaders) > 1:
        _append_errors(fs, leaders[0], 1)
    report = "/reports/error-summary.txt"
    prompt = (
        "Count the ERROR-level lines (the level is the second field of each line) in every "
        f".log file in /logs. Write {report} with one line '<file name>: <count>' for each log "
        "that has at least one, most errors first (ties in alphabetical order), then a final "
        "line 'total: <sum>'. Create /reports if it does not exist. Also tell me which log has "
        "the most errors."
    )

    def plan():
        found = yield call(
            "fs_grep",
            "Count the ERROR-level lines per log.",
            pattern=r"^\S+ ERROR ",
            path="/logs",
            include="*.log",
            output="count",
        )
        ranked = sorted(found["results"], key=lambda r: (-r["count"], _name(r["path"])))
        lines = [f"{_name(r['path'])}: {r['count']}" for r in ranked]
        lines.append(f"total: {sum(r['count'] for r in ranked)}")
        yield call("fs_mkdir", "Make sure /reports exists.", paths=["/reports"], parents=True)
        yield call("fs_write", "Write the summary.", path=report, content="\n".join(lines) + "\n")
        leader = _name(ranked[0]["path"])
        text = f"Wrote {report}. {leader} has the most errors."
        # A careless reply names a runner-up (or every log with errors).
        others = [_name(r["path"]) for r in ranked[1:]]
        return Answer(text, (leader,), wrong_candidates(others, [text], prompt))

    literals = (report, "<file name>: <count>", "total: <sum>")
    return _task(prompt, plan, literals, readers={report: report_lines})


def _append_errors(fs: FileSystem, path: str, count: int) -> None:
    node = fs.node(path)
    assert node is not None
    service = _stem_ext(_name(path))[0]
    last = split_lines(node.content)[-1].split(" ", 1)[0]
    lines = [
        f"{last} ERROR {service}: unhandled exception in request handler" for _ in range(count)
    ]
    fs.add_file(path, node.content + "\n".join(lines) + "\n", mtime=node.mtime)


# --------------------------------------------------------------------- clean up duplicates
def _plant_copy(fs: FileSystem, original: str, copy: str, mtime: int) -> None:
    node = fs.node(original)
    assert node is not None
    fs.add_file(copy, node.content, mtime=mtime)


def _copy_name(rng: np.random.Generator, name: str) -> str:
    stem, ext = _stem_ext(name)
    return pick(rng, [f"{stem} (1){ext}", f"{stem}-copy{ext}", f"Copy of {name}", f"{stem}_2{ext}"])


@SUITE.family("filesystem")
def clean_duplicates(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Delete duplicate files in a folder (hard: across /photos, and say the bytes freed)."""
    idx = index(fs)
    if difficulty == "hard":
        return _dedupe_tree(fs, rng)
    if difficulty == "easy":
        folder = pick(rng, idx.note_folders)
        originals = [pick(rng, fs.files(folder))]
        what = "a duplicated file (the same content under another name)"
    else:
        folder = pick(rng, sorted(idx.events))
        files = fs.files(folder)
        size = min(len(files), int(rng.integers(2, 4)))
        originals = [str(p) for p in rng.choice(files, size=size, replace=False)]
        what = "photos stored twice under different names"
    for original in originals:
        node = fs.node(original)
        assert node is not None
        copy = f"{folder}/{_copy_name(rng, _name(original))}"
        later = int(rng.integers(60, max(61, min(30 * DAY, fs.now - node.mtime))))
        _plant_copy(fs, original, copy, node.mtime + later)
    prompt = f"{folder} contains {what}. Please remove the duplicates. {DUPLICATE_RULE}"

    def plan():
        listing = yield call("fs_ls", "List the folder with times.", path=folder)
        files = [f"{folder}/{e['name']}" for e in listing["entries"] if e["type"] == "file"]
        times = {f"{folder}/{e['name']}": e["modified"] for e in listing["entries"]}
        sums = yield call("fs_checksum", "Compare contents by checksum.", paths=files)
        doomed = _duplicates(sums["checksums"], times)
        yield call("fs_rm", "Delete the duplicates.", paths=doomed)
        return f"Deleted {len(doomed)} duplicate(s): " + ", ".join(doomed) + "."

    return _task(prompt, plan, (folder,))


def _duplicates(checksums: list[dict[str, Any]], times: dict[str, str]) -> list[str]:
    """The files to delete: all but the earliest (then first by path) of each identical group."""
    groups: dict[str, list[str]] = {}
    for entry in checksums:
        groups.setdefault(entry["sha256"], []).append(entry["path"])
    doomed = []
    for paths in groups.values():
        keep = min(paths, key=lambda p: (times[p], p))
        doomed += [p for p in paths if p != keep]
    return _sorted_paths(doomed)


def _dedupe_tree(fs: FileSystem, rng: np.random.Generator) -> Task:
    idx = index(fs)
    folders = sorted(idx.events) + idx.unsorted
    for _ in range(int(rng.integers(2, 5))):
        source = pick(rng, folders)
        original = pick(rng, fs.files(source))
        node = fs.node(original)
        assert node is not None
        elsewhere = pick(rng, [f for f in folders if f != source])
        name = _name(original) if rng.random() < 0.5 else _copy_name(rng, _name(original))
        if fs.exists(f"{elsewhere}/{name}"):
            continue
        # some copies are older than the original: the rule keeps the earliest, not the first
        shift = int(rng.integers(60, 20 * DAY)) * (1 if rng.random() < 0.7 else -1)
        _plant_copy(fs, original, f"{elsewhere}/{name}", node.mtime + shift)
    # a same-name file with other content must survive
    source = pick(rng, folders)
    twin = f"{pick(rng, [f for f in folders if f != source])}/{_name(pick(rng, fs.files(source)))}"
    if not fs.exists(twin):
        fs.add_file(twin, binary_blob(rng, "jpg"), mtime=fs.now - DAY)
    prompt = (
        "My /photos folder (including all its subfolders) has duplicate files. Please remove "
        f"them. {DUPLICATE_RULE} Tell me how many bytes this frees."
    )

    def plan():
        found = yield call("fs_find", "List every photo.", path="/photos", type="file")
        sums = yield call("fs_checksum", "Checksum them all.", paths=found["matches"])
        by_sum: dict[str, list[dict[str, Any]]] = {}
        for entry in sums["checksums"]:
            by_sum.setdefault(entry["sha256"], []).append(entry)
        involved = sorted({_folder(e["path"]) for g in by_sum.values() if len(g) > 1 for e in g})
        times: dict[str, str] = {}
        for folder in involved:
            listing = yield call("fs_ls", f"Read the times in {folder}.", path=folder)
            times.update({f"{folder}/{e['name']}": e["modified"] for e in listing["entries"]})
        groups = [e for g in by_sum.values() if len(g) > 1 for e in g]
        doomed = _duplicates(groups, times)
        sizes = {e["path"]: e["size"] for e in groups}
        freed = sum(sizes[p] for p in doomed)
        yield call("fs_rm", "Delete the duplicates.", paths=doomed)
        text = f"Deleted {len(doomed)} duplicates, freeing {freed} bytes."
        right = [text, *(str(sizes[p]) for p in doomed)]
        return Answer(
            text, (str(freed),), wrong_candidates(_careless_freed(sums, doomed), right, prompt)
        )

    return _task(prompt, plan, ("/photos",))


def _careless_freed(sums: dict[str, Any], doomed: list[str]) -> list[str]:
    """The bytes a careless clean-up would report: every copy of a duplicate counted (the kept
    ones too), or files deleted because they share a name, whatever their content."""
    size = {e["path"]: e["size"] for e in sums["checksums"]}
    digests = [e["sha256"] for e in sums["checksums"]]
    grouped = [e["path"] for e in sums["checksums"] if digests.count(e["sha256"]) > 1]
    by_name: dict[str, list[str]] = {}
    for path in _sorted_paths(list(size)):
        by_name.setdefault(_name(path), []).append(path)
    same_name = {p for paths in by_name.values() for p in paths[1:]}
    return [
        str(sum(size[p] for p in grouped)),
        str(sum(size[p] for p in same_name | set(doomed))),
        str(sum(size[p] for p in same_name)),
    ]


# ------------------------------------------------------------------------- fix a config
JSON_BREAKS = ("trailing comma", "missing comma", "comment")
YAML_EDITS = (
    ("database", "port", 5433),
    ("app", "timeout", 60),
    ("logging", "level", "debug"),
    ("app", "workers", 12),
)
NEW_DATA_DIRS = ("datasets", "input", "raw-data", "source-data")


@SUITE.family("filesystem")
def fix_config(fs: FileSystem, rng: np.random.Generator, difficulty: str) -> Task:
    """Repair a config that no longer parses (JSON, YAML with a change, INI with a moved path)."""
    project = pick(rng, index(fs).projects)
    config = f"/projects/{project}/config"
    if difficulty == "easy":
        path = f"{config}/settings.json"
        original = fs.read_text(path)
        kind = pick(rng, JSON_BREAKS)
        fs.add_file(path, _break_json(original, kind), mtime=fs.now - DAY)
        prompt = (
            f"{path} no longer parses as JSON. Please fix the syntax error without changing any "
            "setting."
        )

        def plan():
            read = yield call("fs_read", "Read the broken file.", path=path)
            fixed = _repair_json(read["content"], kind)
            yield call("fs_write", "Write the repaired JSON.", path=path, content=fixed)
            return f"Fixed the {kind} in {path}."

        return _task(prompt, plan, (path,), readers={path: json_data})

    if difficulty == "medium":
        path = f"{config}/app.yaml"
        section, key, value = YAML_EDITS[int(rng.integers(len(YAML_EDITS)))]
        lines = fs.read_text(path).split("\n")
        indented = [i for i, line in enumerate(lines) if line.startswith("  ")]
        for i in rng.choice(indented, size=min(len(indented), 2), replace=False).tolist():
            lines[i] = "\t" + lines[i][2:]
        fs.add_file(path, "\n".join(lines), mtime=fs.now - DAY)
        prompt = (
            f"{path} fails to load: some lines are indented with tabs, which YAML does not "
            f"allow. Please fix it, and also set {section}.{key} to {value}."
        )

        def plan():
            read = yield call("fs_read", "Read the YAML.", path=path)
            data = yaml.safe_load(read["content"].replace("\t", "  "))
            data[section][key] = value
            yield call(
                "fs_write",
                "Write it back with spaces and the new value.",
                path=path,
                content=yaml.safe_dump(data, sort_keys=False),
            )
            return f"Fixed the indentation and set {section}.{key} to {value}."

        return _task(
            prompt, plan, (path, f"{section}.{key}", str(value)), readers={path: yaml_data}
        )

    path = f"{config}/service.ini"
    data = f"/projects/{project}/data"
    moved = f"/projects/{project}/{pick(rng, NEW_DATA_DIRS)}"
    csv_name = pick(rng, fs.names(data))
    fs.move(data, moved)
    text = fs.read_text(path).replace("[paths]", "[paths", 1)
    fs.add_file(path, text, mtime=fs.now - DAY)
    prompt = (
        f"The service in /projects/{project} won't start. Its config {path} has a malformed "
        "section header, and its data_dir setting points to a folder that no longer exists: "
        f"the data files (such as {csv_name}) were moved. Fix the header and point data_dir at "
        f"the folder that now holds {csv_name}, written as an absolute path like the other "
        "paths in the file, changing nothing else."
    )

    def plan():
        read = yield call("fs_read", "Read the config.", path=path)
        found = yield call(
            "fs_find", "Find where the data moved to.", path=f"/projects/{project}", name=csv_name
        )
        where = _folder(found["matches"][0])
        fixed = re.sub(r"^\[paths\s*$", "[paths]", read["content"], flags=re.M)
        fixed = re.sub(r"^data_dir\s*=.*$", f"data_dir = {where}", fixed, flags=re.M)
        yield call("fs_write", "Write the repaired config.", path=path, content=fixed)
        return f"Fixed the [paths] header and set data_dir to {where}."

    return _task(prompt, plan, (path, csv_name, "data_dir"), readers={path: ini_data})


def _break_json(text: str, kind: str) -> str:
    if kind == "trailing comma":
        return re.sub(r'("pool_size": \d+)', r"\1,", text, count=1)
    if kind == "missing comma":
        return re.sub(r'("debug": (?:true|false)),', r"\1", text, count=1)
    return text.replace("{\n", "{\n  // TODO: review these settings\n", 1)


def _repair_json(text: str, kind: str) -> str:
    if kind == "trailing comma":
        return re.sub(r",(\s*[}\]])", r"\1", text)
    if kind == "missing comma":
        return re.sub(r'("debug": (?:true|false))\n', r"\1,\n", text)
    return "\n".join(line for line in text.split("\n") if not line.strip().startswith("//"))
