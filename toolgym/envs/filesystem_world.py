"""The workspace behind ``toolgym/Filesystem-v0``: a person's files, generated once per seed.

Faker and numpy draw everything from the seed, so the same seed gives the same tree in any
process. The tree is built once per world and never regenerated: tasks plant what they need
(a code in a note, a duplicate photo, a broken config) through journaled writes that the next
reset rolls back.

Layout::

    /projects/<slug>/{README.md, notes/, data/*.csv, config/{settings.json,app.yaml,service.ini}}
    /documents/{invoices,letters}/   /notes/   /downloads/ (mixed, flat)
    /photos/<event>/IMG_YYYYMMDD_NNNN.jpg   /photos/<unsorted>/ (mtimes spread over months)
    /logs/<service>.log   /archive/<year>/ (read-only)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import yaml
from faker import Faker

from toolgym.envs.common import clean_index
from toolgym.toolkits.filesystem import EPOCH, FileSystem

__all__ = [
    "CATEGORIES",
    "DAY",
    "SIZES",
    "WorldIndex",
    "binary_blob",
    "build_workspace",
    "index",
]

DAY = 86_400
SIZES = {
    "small": {"projects": 3, "events": 3, "downloads": 14, "logs": 4, "notes": 6},
    "default": {"projects": 5, "events": 5, "downloads": 20, "logs": 5, "notes": 10},
    "large": {"projects": 8, "events": 8, "downloads": 30, "logs": 7, "notes": 16},
}
# Folder name -> the extensions sorted into it (the reorganise tasks' rule).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "images": ("jpg", "png", "gif"),
    "documents": ("pdf", "docx", "txt", "md"),
    "spreadsheets": ("csv", "xlsx"),
    "archives": ("zip", "gz"),
    "audio": ("mp3", "wav"),
}
BINARY = {"jpg", "jpeg", "png", "gif", "pdf", "docx", "xlsx", "zip", "gz", "mp3", "wav", "iso"}
OTHER_EXTENSIONS = ("ics", "iso", "json")
EVENTS = (
    "beach-trip",
    "birthday-party",
    "city-break",
    "graduation",
    "hiking-weekend",
    "wedding",
    "ski-holiday",
    "concert",
    "family-reunion",
    "road-trip",
)
UNSORTED = ("camera-uploads", "phone-backup", "scans")
SERVICES = ("api", "worker", "scheduler", "billing", "auth", "search", "mailer")
CSV_SCHEMAS = {
    "sales": ("date", "customer", "region", "amount"),
    "inventory": ("sku", "item", "quantity", "warehouse"),
    "signups": ("date", "email", "plan"),
    "expenses": ("date", "category", "vendor", "amount"),
    "tickets": ("id", "opened", "priority", "assignee"),
}
LEVELS = ("INFO", "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d")


def binary_blob(rng: np.random.Generator, kind: str, low: int = 200, high: int = 3000) -> str:
    """Placeholder bytes for a binary file: a NUL, a magic word, then noise of random length."""
    magic = {"jpg": "JFIF", "jpeg": "JFIF", "png": "PNG", "pdf": "%PDF-1.7", "zip": "PK"}
    noise = rng.integers(33, 127, size=int(rng.integers(low, high)), dtype=np.int64)
    return "\x00" + magic.get(kind, kind.upper()) + "".join(map(chr, noise.tolist()))


@dataclass
class WorldIndex:
    """Facts about the clean workspace that task families draw from (computed once)."""

    projects: list[str] = field(default_factory=list)
    text_files: list[str] = field(default_factory=list)
    events: dict[str, list[str]] = field(default_factory=dict)
    unsorted: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    note_folders: list[str] = field(default_factory=list)
    corpus: str = ""


def index(fs: FileSystem) -> WorldIndex:
    """The clean world's index, built on first use and kept for the toolkit."""
    return clean_index(fs, _build_index)


def _build_index(fs: FileSystem) -> WorldIndex:
    idx = WorldIndex()
    idx.projects = fs.names("/projects")
    texts = []
    for path in fs.files("/"):
        node = fs.node(path)
        assert node is not None
        if not node.binary:
            texts.append(node.content)
            if path.endswith((".md", ".txt", ".log")):
                idx.text_files.append(path)
    idx.events = {f"/photos/{e}": fs.files(f"/photos/{e}") for e in fs.names("/photos")}
    idx.unsorted = [f for f in idx.events if f.rsplit("/", 1)[1] in UNSORTED]
    idx.events = {f: p for f, p in idx.events.items() if f not in idx.unsorted}
    idx.logs = fs.files("/logs")
    idx.note_folders = ["/notes"] + [f"/projects/{p}/notes" for p in idx.projects]
    idx.corpus = "\n".join(texts).casefold()
    return idx


class _Builder:
    def __init__(self, seed: int, size: str) -> None:
        if size not in SIZES:
            raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
        self.rng = np.random.default_rng(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(int(self.rng.integers(2**31)))
        self.size = SIZES[size]
        self.fs = FileSystem()
        self.used: set[str] = set()

    def when(self, low_days: int, high_days: int) -> int:
        """A past moment between ``low_days`` and ``high_days`` before the clock's start."""
        seconds = int(self.rng.integers(low_days * DAY, high_days * DAY))
        return EPOCH - seconds

    def unique(self, make) -> str:
        for _ in range(100):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("could not draw a unique name")

    def slug(self) -> str:
        return self.unique(lambda: f"{self.fake.word()}-{self.fake.word()}")

    def put(self, path: str, content: str, mtime: int, read_only: bool = False) -> None:
        self.fs.add_file(path, content, mtime=mtime, read_only=read_only)

    # ------------------------------------------------------------------ areas
    def projects(self) -> None:
        for _ in range(self.size["projects"]):
            slug = self.slug()
            root = f"/projects/{slug}"
            lead, lead_mail = self.fake.name(), self.fake.company_email()
            self.put(
                f"{root}/README.md",
                f"# {slug.replace('-', ' ').title()}\n\n{self.fake.catch_phrase()}.\n\n"
                f"{self.fake.paragraph(nb_sentences=3)}\n\n## Owner\n{lead} <{lead_mail}>\n",
                self.when(60, 400),
            )
            self.notes(f"{root}/notes", int(self.rng.integers(3, 7)))
            for name in self.rng.choice(list(CSV_SCHEMAS), size=3, replace=False).tolist():
                self.put(f"{root}/data/{name}.csv", self.csv(name), self.when(5, 200))
            self.configs(root, slug)

    def notes(self, folder: str, count: int) -> None:
        for _ in range(count):
            mtime = self.when(1, 500)
            topic = self.unique(lambda: re.sub(r"[^a-z0-9]+", "-", self.fake.bs().lower()))
            name = f"{_day(mtime)}-{topic}.md"
            bullets = "\n".join(f"- {self.fake.sentence(nb_words=9)}" for _ in range(4))
            attendees = ", ".join(self.fake.name() for _ in range(int(self.rng.integers(2, 5))))
            body = (
                f"# {topic.replace('-', ' ').capitalize()}\n\nDate: {_day(mtime)}\n"
                f"Attendees: {attendees}\n\n{bullets}\n\n{self.fake.paragraph(nb_sentences=2)}\n"
            )
            self.put(f"{folder}/{name}", body, mtime)

    def csv(self, schema: str) -> str:
        fake, rng = self.fake, self.rng
        columns = {
            "date": lambda i: fake.date_between("-2y", "today").isoformat(),
            "customer": lambda i: fake.company().replace(",", ""),
            "region": lambda i: fake.state_abbr(),
            "amount": lambda i: f"{rng.integers(500, 500000) / 100:.2f}",
            "sku": lambda i: f"SKU-{rng.integers(10000, 99999)}",
            "item": lambda i: fake.word(),
            "quantity": lambda i: str(rng.integers(0, 500)),
            "warehouse": lambda i: fake.city(),
            "email": lambda i: fake.email(),
            "plan": lambda i: str(rng.choice(["free", "pro", "team"])),
            "category": lambda i: fake.word(),
            "vendor": lambda i: fake.company().replace(",", ""),
            "id": lambda i: f"T{1000 + i}",
            "opened": lambda i: fake.date_between("-1y", "today").isoformat(),
            "priority": lambda i: str(rng.choice(["low", "medium", "high"])),
            "assignee": lambda i: fake.first_name(),
        }
        header = CSV_SCHEMAS[schema]
        rows = [",".join(header)]
        for i in range(int(rng.integers(4, 40))):
            rows.append(",".join(columns[c](i) for c in header))
        return "\n".join(rows) + "\n"

    def configs(self, root: str, slug: str) -> None:
        mtime = self.when(30, 300)
        settings = {
            "service": slug,
            "version": ".".join(str(v) for v in self.rng.integers(0, 10, size=3)),
            "debug": bool(self.rng.random() < 0.3),
            "port": int(self.rng.choice([8000, 8080, 8443, 9000])),
            "database": {
                "host": f"db-{self.fake.word()}.internal",
                "port": 5432,
                "name": slug.replace("-", "_"),
                "pool_size": int(self.rng.integers(2, 20)),
            },
            "features": sorted({self.fake.word() for _ in range(3)}),
            "owner": self.fake.company_email(),
        }
        self.put(f"{root}/config/settings.json", json.dumps(settings, indent=2) + "\n", mtime)
        app = {
            "app": {"name": slug, "workers": int(self.rng.integers(1, 9)), "timeout": 30},
            "database": {"host": settings["database"]["host"], "port": 5432, "user": "app"},
            "logging": {"level": "info", "file": f"/logs/{slug}.log"},
        }
        self.put(f"{root}/config/app.yaml", yaml.safe_dump(app, sort_keys=False), mtime)
        ini = (
            f"[service]\nname = {slug}\nport = {settings['port']}\n\n"
            f"[paths]\ndata_dir = {root}/data\nlog_dir = /logs\n\n"
            f"[database]\nhost = {settings['database']['host']}\nport = 5432\n"
        )
        self.put(f"{root}/config/service.ini", ini, mtime)

    def documents(self) -> None:
        for n in range(int(self.rng.integers(4, 9))):
            mtime = self.when(10, 700)
            total = self.rng.integers(2000, 900000) / 100
            body = (
                f"INVOICE INV-{_day(mtime)[:4]}-{n + 1:04d}\nDate: {_day(mtime)}\n"
                f"Bill to: {self.fake.company()}\n{self.fake.street_address()}, "
                f"{self.fake.city()}\n\nServices: {self.fake.bs()}\nTotal: ${total:.2f}\n"
            )
            self.put(f"/documents/invoices/invoice-{n + 1:04d}.txt", body, mtime)
        for _ in range(int(self.rng.integers(3, 7))):
            who = self.fake.name()
            name = self.unique(lambda: f"letter-to-{self.fake.last_name().lower()}.txt")
            body = (
                f"Dear {who},\n\n{self.fake.paragraph(nb_sentences=4)}\n\n"
                f"Best regards,\n{self.fake.name()}\n"
            )
            self.put(f"/documents/letters/{name}", body, self.when(10, 700))

    def personal_notes(self) -> None:
        self.notes("/notes", self.size["notes"])
        items = "\n".join(f"- [ ] {self.fake.sentence(nb_words=5)}" for _ in range(6))
        self.put("/notes/todo.txt", f"TODO\n{items}\n", self.when(0, 3))

    def downloads(self) -> None:
        extensions = [e for exts in CATEGORIES.values() for e in exts] + list(OTHER_EXTENSIONS)
        for _ in range(self.size["downloads"]):
            ext = str(self.rng.choice(extensions))
            name = self.unique(lambda e=ext: f"{self.fake.word()}-{self.fake.word()}.{e}")
            if ext == "gz":
                name = name[: -len(".gz")] + ".tar.gz"
            if ext in BINARY:
                content = binary_blob(self.rng, ext)
            elif ext == "csv":
                content = self.csv(str(self.rng.choice(list(CSV_SCHEMAS))))
            else:
                content = self.fake.paragraph(nb_sentences=3) + "\n"
            self.put(f"/downloads/{name}", content, self.when(0, 120))

    def photos(self) -> None:
        events = self.rng.choice(EVENTS, size=self.size["events"], replace=False).tolist()
        for i, event in enumerate(events):
            start = self.when(30, 900)
            # every world has events of both extensions (the rename tasks need .jpeg ones)
            ext = ("jpeg", "jpg")[i] if i < 2 else str(self.rng.choice(["jpeg", "jpg", "jpg"]))
            for _ in range(int(self.rng.integers(4, 11))):
                mtime = start + int(self.rng.integers(0, 2 * DAY))
                stamp = datetime.fromtimestamp(mtime, tz=timezone.utc).strftime("%Y%m%d")
                name = self.unique(lambda s=stamp: f"IMG_{s}_{self.rng.integers(1000, 9999)}")
                self.put(f"/photos/{event}/{name}.{ext}", binary_blob(self.rng, ext), mtime)
        for folder in UNSORTED[: 2 + (self.size["events"] > 4)]:
            months = sorted(self.rng.choice(24, size=int(self.rng.integers(3, 7)), replace=False))
            for k in range(int(self.rng.integers(8, 17))):
                month = int(self.rng.choice(months))
                mtime = EPOCH - month * 30 * DAY - int(self.rng.integers(0, 25 * DAY))
                ext = "png" if folder == "scans" else "jpg"
                name = self.unique(lambda e=ext, k=k: f"{self.fake.word()}_{k:03d}.{e}")
                self.put(f"/photos/{folder}/{name}", binary_blob(self.rng, ext), mtime)

    def logs(self) -> None:
        services = self.rng.choice(SERVICES, size=self.size["logs"], replace=False).tolist()
        for service in services:
            start = EPOCH - 3 * DAY
            lines = []
            for i in range(int(self.rng.integers(20, 60))):
                stamp = datetime.fromtimestamp(start + i * 97, tz=timezone.utc)
                level = str(self.rng.choice(LEVELS))
                lines.append(f"{stamp:%Y-%m-%dT%H:%M:%SZ} {level} {service}: {self.message(level)}")
            self.put(f"/logs/{service}.log", "\n".join(lines) + "\n", EPOCH - int(DAY / 2))

    def message(self, level: str) -> str:
        word = self.fake.word()
        if level == "ERROR":
            return str(
                self.rng.choice(
                    [
                        f"request to /{word} failed with status 500",
                        f"could not connect to {self.fake.domain_name()}",
                        f"job {self.rng.integers(100, 999)} crashed: {word} not found",
                    ]
                )
            )
        if level == "WARN":
            return str(
                self.rng.choice(
                    [
                        f"retrying after ERROR from upstream {word}",
                        f"slow response from /{word} ({self.rng.integers(1, 9)}s)",
                        "previous ERROR resolved",
                    ]
                )
            )
        return f"handled /{word} in {self.rng.integers(2, 400)}ms"

    def archive(self) -> None:
        for year in (2021, 2022, 2023):
            for _ in range(int(self.rng.integers(2, 5))):
                name = self.unique(lambda y=year: f"report-{y}-{self.fake.word()}.txt")
                mtime = int(datetime(year, 12, 20, tzinfo=timezone.utc).timestamp())
                body = f"Annual report {year}\n\n{self.fake.paragraph(nb_sentences=5)}\n"
                self.put(f"/archive/{year}/{name}", body, mtime, read_only=True)
            self.fs.add_dir(f"/archive/{year}", read_only=True)
        self.fs.add_dir("/archive", read_only=True)

    def build(self) -> FileSystem:
        self.projects()
        self.documents()
        self.personal_notes()
        self.downloads()
        self.photos()
        self.logs()
        self.archive()
        self.fs.commit()
        return self.fs


def build_workspace(seed: int, size: str = "default") -> FileSystem:
    """Generate a workspace from ``seed``: the same seed gives the same tree in any process."""
    return _Builder(seed, size).build()
