"""``wiki.test``: an encyclopedia of mountain ranges, mountains, rivers, lakes and cities.

Articles have an infobox table and prose whose ``[[Title]]`` references become links, category
pages list articles ten at a time, and anyone may edit an article's infobox with an edit
summary; each edit is a new revision in the article's history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import quote, unquote

import numpy as np
from faker import Faker

from toolgym.core.state import Database, Record
from toolgym.toolkits.web.server import (
    Request,
    Response,
    Site,
    esc,
    field_row,
    link,
    pager,
    paginate,
    route,
    table,
)

__all__ = ["CATEGORIES", "Article", "Revision", "WikiSite", "article_path", "populate_wiki"]

PER_PAGE = 10
CATEGORIES = ("Ranges", "Mountains", "Rivers", "Lakes", "Cities")
COUNTRIES = ("Norland", "Vestria", "Caldonia", "Ostmark", "Lusitra", "Brevania")
_LINK = re.compile(r"\[\[([^\]]+)\]\]")
T = TypeVar("T")


class Article(Record):
    id: str
    title: str
    category: str
    infobox: tuple[tuple[str, str], ...]
    body: tuple[str, ...]
    revision: int = 1


class Revision(Record):
    id: str
    article: str
    number: int
    editor: str
    summary: str
    changes: tuple[tuple[str, str, str], ...]


def article_path(title: str) -> str:
    return "/wiki/" + quote(title.replace(" ", "_"))


class WikiSite(Site):
    """The wiki. Titles are unique; an article's id is its title."""

    host = "wiki.test"
    title = "Open Atlas Wiki"

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.articles = db.tables["wiki_articles"]
        self.revisions = db.tables["wiki_revisions"]

    def nav(self, request: Request) -> list[tuple[str, str]]:
        return [("/", "Main page"), *((f"/category/{c}", c) for c in CATEGORIES)]

    def _find(self, slug: str) -> Article | None:
        return self.articles.get(unquote(slug).replace("_", " "))

    def _prose(self, text: str) -> str:
        """Escape prose and turn ``[[Title]]`` into a link when that article exists."""
        out, last = [], 0
        for match in _LINK.finditer(text):
            out.append(esc(text[last : match.start()]))
            title = match.group(1)
            out.append(link(article_path(title), title) if title in self.articles else esc(title))
            last = match.end()
        out.append(esc(text[last:]))
        return "".join(out)

    @route("GET", "/")
    def home(self, request: Request) -> Response:
        counts = "".join(
            f"<li>{link(f'/category/{c}', c)}: {len(self.articles.where(category=c))} articles</li>"
            for c in CATEGORIES
        )
        body = (
            f"<h1>{esc(self.title)}</h1><p>The free atlas of peaks, rivers, lakes and cities.</p>"
            '<form method="get" action="/search" aria-label="Search the wiki">'
            + field_row("search", "q", "Search the wiki")
            + '<button type="submit">Search</button></form>'
            f"<h2>Browse by category</h2><ul>{counts}</ul>"
        )
        return self.page(request, "Main page", body)

    @route("GET", r"/wiki/(?P<slug>[^/]+)")
    def article(self, request: Request, slug: str) -> Response:
        article = self._find(slug)
        if article is None:
            return self.error(request, 404, f"The wiki has no article called '{unquote(slug)}'.")
        rows = [(esc(label), self._prose(f"[[{value}]]")) for label, value in article.infobox]
        saved = "<p>Your edit was saved.</p>" if request.query.get("saved") else ""
        path = article_path(article.title)
        body = (
            f"<h1>{esc(article.title)}</h1>{saved}"
            + table(("Field", "Value"), rows, caption=article.title)
            + "".join(f"<p>{self._prose(p)}</p>" for p in article.body)
            + f"<p>Category: {link(f'/category/{article.category}', article.category)}</p>"
            + f"<p>{link(path.replace('/wiki/', '/edit/', 1), 'Edit this article')} "
            + f"{link(path.replace('/wiki/', '/history/', 1), 'View history')}</p>"
        )
        return self.page(request, article.title, body)

    @route("GET", r"/category/(?P<name>[A-Za-z]+)")
    def category(self, request: Request, name: str) -> Response:
        if name not in CATEGORIES:
            return self.error(request, 404, f"There is no category called '{name}'.")
        members = sorted(a.title for a in self.articles.where(category=name))
        shown, page, pages = paginate(members, request.page(), PER_PAGE)
        items = "".join(f"<li>{link(article_path(t), t)}</li>" for t in shown)
        body = (
            f"<h1>Category: {name}</h1><p>{len(members)} articles in this category.</p>"
            f"<ul>{items}</ul>" + pager(f"/category/{name}", page, pages)
        )
        return self.page(request, name, body)

    @route("GET", "/search")
    def search(self, request: Request) -> Response:
        query = request.arg("q")
        terms = query.casefold().split()
        hits = sorted(t for t in self.articles if terms and all(w in t.casefold() for w in terms))
        shown, page, pages = paginate(hits, request.page(), PER_PAGE)
        items = "".join(f"<li>{link(article_path(t), t)}</li>" for t in shown)
        body = (
            f"<h1>Search results for '{esc(query)}'</h1><p>{len(hits)} articles found.</p>"
            + (f"<ul>{items}</ul>" if hits else "<p>No article title contains those words.</p>")
            + pager("/search", page, pages, {"q": query})
        )
        return self.page(request, "Search", body)

    def _edit_form(self, request: Request, article: Article, error: str = "") -> Response:
        fields = "".join(
            field_row("edit", f"field_{i}", label, request.arg(f"field_{i}", value))
            for i, (label, value) in enumerate(article.infobox)
        )
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        action = article_path(article.title).replace("/wiki/", "/edit/", 1)
        body = (
            f"<h1>Editing {esc(article.title)}</h1>{alert}"
            f'<form method="post" action="{esc(action)}" aria-label="Edit article">'
            + fields
            + field_row("edit", "summary", "Edit summary", request.arg("summary"))
            + '<button type="submit">Save changes</button></form>'
        )
        return self.page(request, f"Editing {article.title}", body, 400 if error else 200)

    @route("GET", r"/edit/(?P<slug>[^/]+)")
    def edit_page(self, request: Request, slug: str) -> Response:
        article = self._find(slug)
        if article is None:
            return self.error(request, 404, f"The wiki has no article called '{unquote(slug)}'.")
        return self._edit_form(request, article)

    @route("POST", r"/edit/(?P<slug>[^/]+)")
    def save_edit(self, request: Request, slug: str) -> Response:
        article = self._find(slug)
        if article is None:
            return self.error(request, 404, f"The wiki has no article called '{unquote(slug)}'.")
        infobox, changes = [], []
        for i, (label, old) in enumerate(article.infobox):
            new = " ".join(request.form.get(f"field_{i}", old).split())
            if not new:
                return self._edit_form(request, article, f"'{label}' cannot be empty.")
            infobox.append((label, new))
            if new != old:
                changes.append((label, old, new))
        summary = " ".join(request.arg("summary").split())
        if not changes:
            return self._edit_form(request, article, "Nothing was changed.")
        if not summary:
            return self._edit_form(request, article, "Say what you changed in the edit summary.")
        number = article.revision + 1
        self.articles.update(article.id, infobox=tuple(infobox), revision=number)
        self.revisions.insert(
            Revision(
                id=f"{article.id}#{number}",
                article=article.id,
                number=number,
                editor="anonymous",
                summary=summary,
                changes=tuple(changes),
            )
        )
        return self.redirect(article_path(article.title) + "?saved=1")

    @route("GET", r"/history/(?P<slug>[^/]+)")
    def history(self, request: Request, slug: str) -> Response:
        article = self._find(slug)
        if article is None:
            return self.error(request, 404, f"The wiki has no article called '{unquote(slug)}'.")
        revisions = sorted(self.revisions.where(article=article.id), key=lambda r: -r.number)
        rows = [(str(r.number), esc(r.editor), esc(r.summary)) for r in revisions] + [
            ("1", "atlas-bot", "Article created")
        ]
        body = (
            f"<h1>History of {esc(article.title)}</h1>"
            + table(("Revision", "Editor", "Summary"), rows)
            + f"<p>{link(article_path(article.title), 'Back to the article')}</p>"
        )
        return self.page(request, "History", body)


def populate_wiki(
    db: Database, rng: np.random.Generator, fake: Faker, size: dict[str, int]
) -> None:
    """Generate the atlas: ranges with their peaks, rivers from peaks into lakes, cities."""
    articles = db.table("wiki_articles", Article)
    db.table("wiki_revisions", Revision)
    taken: set[str] = set()

    def pick(items: Sequence[T]) -> T:
        return items[int(rng.integers(len(items)))]

    def unique(make: Callable[[], str]) -> str:
        while True:
            title = make()
            if title not in taken:
                taken.add(title)
                return title

    def person() -> str:
        return f"{fake.first_name()} {fake.last_name()}"

    cities = []
    for _ in range(size["cities"]):
        title = unique(fake.city)
        cities.append(title)
        country = pick(COUNTRIES)
        mayor = person()
        articles.insert(
            Article(
                id=title,
                title=title,
                category="Cities",
                infobox=(
                    ("Country", country),
                    ("Population", f"{int(10 ** rng.uniform(3.5, 6.5)):,}"),
                    ("Founded", str(int(rng.integers(900, 1950)))),
                    ("Mayor", mayor),
                    ("Elevation", f"{int(rng.integers(2, 1800)):,} m"),
                ),
                body=(
                    f"{title} is a city in {country}. Its mayor is {mayor}.",
                    f"{fake.sentence(nb_words=12)}",
                ),
            )
        )

    mountains: list[tuple[str, int]] = []
    for _ in range(size["ranges"]):
        range_title = unique(lambda: f"{fake.last_name()} Range")
        country = pick(COUNTRIES)
        peaks = []
        for _ in range(int(rng.integers(2, size["peaks_max"] + 1))):
            title = unique(lambda: f"Mount {fake.last_name()}")
            elevation = int(rng.integers(900, 6500))
            peaks.append((title, elevation))
            climber, year = person(), int(rng.integers(1850, 2010))
            articles.insert(
                Article(
                    id=title,
                    title=title,
                    category="Mountains",
                    infobox=(
                        ("Range", range_title),
                        ("Elevation", f"{elevation:,} m"),
                        ("Country", country),
                        ("First ascent", str(year)),
                        ("First climbed by", climber),
                    ),
                    body=(
                        f"{title} is a mountain of the [[{range_title}]] in {country}.",
                        f"It was first climbed in {year} by {climber}. "
                        f"{fake.sentence(nb_words=10)}",
                    ),
                )
            )
        mountains += peaks
        highest = max(peaks, key=lambda p: p[1])[0]
        length = int(rng.integers(80, 1400))
        articles.insert(
            Article(
                id=range_title,
                title=range_title,
                category="Ranges",
                infobox=(
                    ("Country", country),
                    ("Length", f"{length:,} km"),
                    ("Highest peak", highest),
                    ("Peaks", str(len(peaks))),
                ),
                body=(
                    f"The {range_title} stretches {length:,} km across {country}.",
                    f"Its highest peak is [[{highest}]]. "
                    + " ".join(f"[[{t}]]" for t, _ in peaks if t != highest)
                    + " are among its other summits.",
                ),
            )
        )

    lakes = []
    for _ in range(size["lakes"]):
        title = unique(lambda: f"Lake {fake.first_name()}")
        lakes.append(title)
        city = pick(cities)
        articles.insert(
            Article(
                id=title,
                title=title,
                category="Lakes",
                infobox=(
                    ("Country", pick(COUNTRIES)),
                    ("Area", f"{int(rng.integers(3, 2500)):,} km²"),
                    ("Max depth", f"{int(rng.integers(8, 600)):,} m"),
                    ("Nearest city", city),
                ),
                body=(f"{title} lies near [[{city}]].", fake.sentence(nb_words=12)),
            )
        )

    for _ in range(size["rivers"]):
        title = unique(lambda: f"{fake.last_name()} River")
        source, mouth = pick(mountains)[0], pick(lakes)
        length = int(rng.integers(20, 1900))
        articles.insert(
            Article(
                id=title,
                title=title,
                category="Rivers",
                infobox=(
                    ("Length", f"{length:,} km"),
                    ("Source", source),
                    ("Mouth", mouth),
                    ("Country", pick(COUNTRIES)),
                ),
                body=(
                    f"The {title} rises on [[{source}]] and flows {length:,} km into [[{mouth}]].",
                    fake.sentence(nb_words=10),
                ),
            )
        )
