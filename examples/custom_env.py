"""An environment of your own in one file: a toolkit, a world, a task family, a gym id.

A library catalogue (a journaled database, so resets roll back and faults can perturb it), one
task family (find which shelf a book is on), and ``toolgym.register_suite``: from then on
``gym.make("toolgym/Library-v0")`` works with faults and formats like any built-in env, and the
contract tests (oracle solves it, doing nothing earns nothing, exploits earn nothing) run on it.
See docs/extending.md.

    python examples/custom_env.py
"""

from __future__ import annotations

from typing import Annotated, Any

import gymnasium as gym
import numpy as np

import toolgym
from toolgym.core.state import Database, Record
from toolgym.core.task import Answer, call
from toolgym.core.tool import tool
from toolgym.envs.common import Suite, make_task, pick
from toolgym.toolkits.apis.base import ApiToolkit, not_found

GENRES = ("history", "poetry", "physics", "cooking", "travel", "music")
WORDS = ("Silent", "Northern", "Glass", "River", "Winter", "Copper", "Hidden", "Paper")
THINGS = ("Garden", "Atlas", "Engine", "Harbour", "Orchard", "Lantern", "Bridge", "Market")


class Book(Record):
    id: str
    title: str
    genre: str
    shelf: str


class Library(ApiToolkit):
    """The catalogue's API: search by title, read one book."""

    name = "library"

    @tool
    def search_books(self, query: Annotated[str, "words of the title"]) -> list[dict[str, Any]]:
        """Books whose title contains every word of ``query`` (id and title only)."""
        words = query.lower().split()
        books = self.db.tables["books"].values()
        return [
            {"id": b.id, "title": b.title}
            for b in books
            if words and all(w in b.title.lower() for w in words)
        ]

    @tool
    def get_book(self, book_id: Annotated[str, "a book id from search_books"]) -> dict[str, Any]:
        """One book: title, genre and the shelf it stands on."""
        book = self.db.tables["books"].get(book_id)
        if book is None:
            raise not_found("book", book_id, "Search by title to find its id.")
        return book.model_dump()


def build_library(seed: int, size: str) -> list[Library]:
    """A catalogue drawn from the world seed: every title unique, shelves like ``C-12``."""
    rng = np.random.default_rng(seed)
    db = Database()
    books = db.table("books", Book)
    titles = [f"The {w} {t}" for w in WORDS for t in THINGS]
    order = rng.permutation(len(titles))
    count = {"small": 24, "medium": 40}.get(size, 64)
    for n, index in enumerate(order[:count]):
        shelf = f"{'ABCDEF'[int(rng.integers(6))]}-{int(rng.integers(1, 30))}"
        books.insert(
            Book(id=f"BK{n + 100}", title=titles[index], genre=pick(rng, GENRES), shelf=shelf)
        )
    db.commit()
    return [Library(db)]


SUITE = Suite("library", build_library)

SYSTEM = "You are the library's assistant. Use the catalogue tools; answer in one sentence."


@SUITE.family("library")
def find_shelf(library: Library, rng: np.random.Generator, difficulty: str) -> Any:
    """Which shelf a book is on, by its title."""
    books = sorted(library.db.tables["books"].values(), key=lambda b: b.id)
    book = pick(rng, books)
    prompt = f"Which shelf is '{book.title}' on?"

    def plan():
        hits = yield call("search_books", "Find the book's id.", query=book.title)
        # The exact title, not the first hit: a catalogue holds near-duplicates.
        (hit,) = [h for h in hits if h["title"].casefold() == book.title.casefold()]
        found = yield call("get_book", "Read its shelf.", book_id=hit["id"])
        others = tuple(b.shelf for b in books if b.shelf != found["shelf"])
        return Answer(f"It is on shelf {found['shelf']}.", (found["shelf"],), others)

    return make_task(SYSTEM, prompt, plan, literals=[book.title])


def main() -> None:
    # By "module:attr" (this file's directory is on sys.path), so worker processes of an
    # evaluation or Ray actors can import it too.
    env_id = toolgym.register_suite("Library", "custom_env:SUITE")
    env = gym.make(env_id, faults="medium")
    result = toolgym.run_episode(env, toolgym.OracleAgent(env), seed=3)
    fired = sum(len(info.get("faults", [])) for info in result.infos)
    print(f"{env_id}: oracle success={result.success} in {result.turns} turns, {fired} faults")
    env.close()


if __name__ == "__main__":
    main()
