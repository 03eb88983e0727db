"""A run directory's trajectories: one JSON line per episode, appended as episodes finish.

Each record is written and flushed the moment its episode ends, so a killed run loses only the
episodes in flight; a line cut short by the kill is dropped when the file is next opened. A
rerun with the same directory reads the keys already there and skips those episodes. When a
run ends (or is interrupted) the file is rewritten in the run's canonical episode order, so a
finished run's file does not depend on which worker finished first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["TRAJECTORIES", "TrajectoryStore", "cut_torn_tail", "dump_record"]

TRAJECTORIES = "trajectories.jsonl"
MANIFEST = "run.json"


def dump_record(record: dict[str, Any]) -> str:
    """A record as one line of JSON: unicode kept, no whitespace to vary."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def cut_torn_tail(path: Path) -> None:
    """Create ``path`` if missing, and drop a last line left unfinished by a kill."""
    if not path.exists():
        path.touch()
        return
    with path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)


class TrajectoryStore:
    """The JSONL file of a run directory (created on first use)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.path = self.directory / TRAJECTORIES

    # --------------------------------------------------------------- reading
    def records(self) -> list[dict[str, Any]]:
        """Every complete record in file order; a torn last line is skipped."""
        return list(self._read())

    def keys(self) -> set[str]:
        return {record["key"] for record in self._read()}

    def _read(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.endswith("\n"):
                    return  # torn by a kill mid-write: the episode reruns on resume
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise ValueError(
                        f"{self.path}:{number} is not a JSON record ({exc}); the file was "
                        "edited or corrupted: fix or delete that line"
                    ) from None
                if not isinstance(record, dict) or "key" not in record:
                    raise ValueError(f"{self.path}:{number} is not an episode record")
                yield record

    # --------------------------------------------------------------- writing
    def open(self) -> None:
        """Create the directory, and cut a torn last line so appends start on a fresh one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        cut_torn_tail(self.path)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and flush it to the OS, so it survives the process being killed."""
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(dump_record(record) + "\n")
            handle.flush()

    def canonicalize(self, order: Sequence[str]) -> None:
        """Rewrite the file with one record per key, keys in ``order`` first, then the rest.

        Written to a temporary file and renamed over the old one, so a kill during the
        rewrite leaves either file whole.
        """
        rank = {key: index for index, key in enumerate(order)}
        unique: dict[str, dict[str, Any]] = {}
        for record in self._read():
            unique.setdefault(record["key"], record)
        tail = len(rank)
        ordered = sorted(
            enumerate(unique.values()), key=lambda item: (rank.get(item[1]["key"], tail), item[0])
        )
        self._write(record for _, record in ordered)

    def _write(self, records: Iterable[dict[str, Any]]) -> None:
        temporary = self.path.with_suffix(".jsonl.tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(dump_record(record) + "\n")
        os.replace(temporary, self.path)

    # -------------------------------------------------------------- manifest
    def manifest(self) -> dict[str, Any] | None:
        """The run's settings as last written (``None`` for a directory without one)."""
        path = self.directory / MANIFEST
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (self.directory / MANIFEST).write_text(text, encoding="utf-8")
