"""``toolgym/Web-v0``: browse a shop, a wiki and a forum to find facts and get things done.

Six task families at three difficulties. Plans drive the browser as an agent would: they read
element ids off the text view they receive (or find them with ``find_on_page``), page through
listings, and fill and submit forms; they never use a URL or id they did not see. Tasks that
change a site are checked against the site's state (the changes the reference run made, and
the records themselves); questions are checked against the clean world's data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

import numpy as np

from toolgym.core.money import figure as _money
from toolgym.core.task import Answer, Step, Task, World, call
from toolgym.envs.answers import answer_excludes, wrong_candidates
from toolgym.envs.common import Suite, clean_index, make_task, pick, policy_prompt
from toolgym.toolkits.web import Browser, build_web
from toolgym.toolkits.web.forum import BOARDS, POSTS_PER_PAGE, THREADS_PER_PAGE
from toolgym.toolkits.web.shop import (
    CATEGORIES,
    FREQUENCIES,
    PER_PAGE,
    SHIPPING,
    TOPICS,
    order_number,
)

__all__ = ["SUITE"]

SUITE = Suite("web", lambda seed, size: [build_web(seed, size)], identity=("username", "password"))

SHOP, WIKI, FORUM = "http://shop.test/", "http://wiki.test/", "http://forum.test/"
SYSTEM_PROMPT = policy_prompt(
    "You are a web agent. You operate a browser with one tab through tools: goto opens a URL, "
    "click follows a link or presses a button, fill types into a form field, submit sends a "
    "form, scroll and find_on_page move around a page, back returns to the previous page. "
    "Pages are shown as numbered lines; interactive elements carry ids in brackets, like "
    "[12] link 'Next page'. The sites are a shop (http://shop.test/), a wiki "
    "(http://wiki.test/) and a forum (http://forum.test/).",
    [
        "Element ids change every time a page loads: always use the ids of the latest page.",
        "Type text exactly as the user gives it.",
        "Do only what the user asked: no extra purchases, posts, edits or setting changes.",
        "Answer from what the sites show, not from memory.",
    ],
    "When the task is done, reply to the user in plain words with what you did and every "
    "figure or name they asked for. Do not call tools in that final reply.",
)

Plan = Generator[Step, Any, Any]
T = TypeVar("T")

# ------------------------------------------------------------ reading a view
_SHOWING = re.compile(r"lines (\d+)-(\d+) of (\d+)")
_LINK = re.compile(r"\[(\d+)\] link '(.*?)'(?=\s|$|,)")


def _ids(lines: Sequence[str], role: str, name: str) -> list[int]:
    """Ids of elements shown as ``[id] role 'name'`` in ``lines``."""
    pattern = re.compile(rf"\[(\d+)\] {role} '{re.escape(name)}'")
    return [int(m.group(1)) for line in lines for m in pattern.finditer(line)]


def _cells(line: str) -> list[str]:
    """The cells of a table row line ``| a | b |``."""
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def page_rows(lines: Sequence[str]) -> list[list[str]]:
    return [_cells(line) for line in lines if line.lstrip().startswith("| ")]


def link_name(cell: str) -> str:
    found = _LINK.search(cell)
    return found.group(2) if found else ""


def page_table(lines: Sequence[str]) -> dict[str, str]:
    """Two-column table rows (label, value) as a dict, e.g. an infobox or a spec sheet."""
    return {row[0]: row[1] for row in page_rows(lines) if len(row) == 2}


def search_term(value: str) -> str:
    """The exact answer term for a shown value: the number of '4,321 m' or '$9.99', else text."""
    number = re.fullmatch(r"\$?([\d,]+(?:\.\d+)?)\s*(?:\S+)?", value.strip())
    return number.group(1).replace(",", "") if number else value


def parse_money(text: str) -> float:
    return float(text.strip().lstrip("$").replace(",", ""))


# ------------------------------------------------------------ driving (plans)
def _find(view: dict[str, Any], role: str, name: str) -> Plan:
    """The id of ``role 'name'`` on the page: visible, or found with find_on_page; else None."""
    found = _ids(view["content"], role, name)
    if found:
        return found[0]
    start, end, total = map(int, _SHOWING.search(view["showing"]).groups())  # type: ignore[union-attr]
    if start == 1 and end == total:  # the whole page is in view: it is not there
        return None
    result = yield call("find_on_page", f"Look for '{name}' on the page.", text=name)
    found = _ids([m["text"] for m in result["matches"]], role, name)
    return found[0] if found else None


def _locate(view: dict[str, Any], role: str, name: str) -> Plan:
    found = yield from _find(view, role, name)
    if found is None:
        raise LookupError(f"no {role} '{name}' on {view['url']}")
    return found


def _click(view: dict[str, Any], role: str, name: str) -> Plan:
    element = yield from _locate(view, role, name)
    return (yield call("click", f"Click '{name}'.", element=element))


def _fill(view: dict[str, Any], role: str, label: str, value: str) -> Plan:
    element = yield from _locate(view, role, label)
    yield call("fill", f"Set '{label}'.", field=element, value=value)


def _lines(view: dict[str, Any]) -> Plan:
    """Every line of the current page, scrolling down as far as it goes."""
    lines = list(view["content"])
    start, end, total = map(int, _SHOWING.search(view["showing"]).groups())  # type: ignore[union-attr]
    while end < total:
        view = yield call("scroll", "Scroll down for the rest of the page.", direction="down")
        start, new_end, total = map(int, _SHOWING.search(view["showing"]).groups())  # type: ignore[union-attr]
        lines += view["content"][end - start + 1 :]
        end = new_end
    return lines


def _next_page(view: dict[str, Any]) -> Plan:
    """The next page of a listing, or None on the last page."""
    element = yield from _find(view, "link", "Next page")
    if element is None:
        return None
    return (yield call("click", "Go to the next page.", element=element))


def _open(url: str) -> Plan:
    return (yield call("goto", f"Open {url}.", url=url))


def _sign_in(home: str, username: str, password: str) -> Plan:
    view = yield from _open(home)
    view = yield from _click(view, "link", "Sign in")
    yield from _fill(view, "textbox", "Username", username)
    yield from _fill(view, "password", "Password", password)
    return (yield from _click(view, "button", "Sign in"))


def wiki_article_plan(title: str) -> Plan:
    """Search the wiki for a title and open that article."""
    view = yield from _open(WIKI)
    box = yield from _locate(view, "textbox", "Search the wiki")
    yield call("fill", "Type the title into the search box.", field=box, value=title)
    view = yield call("submit", "Press Enter to search.", form=box)
    return (yield from _click(view, "link", title))


def shop_search_plan(name: str) -> Plan:
    """Search the shop for a product name; the results page."""
    view = yield from _open(SHOP)
    yield from _fill(view, "textbox", "Search products", name)
    return (yield from _click(view, "button", "Search"))


def _listing_link(view: dict[str, Any], name: str) -> Plan:
    """Page through a listing until a link called ``name`` shows up, and click it."""
    while True:
        if _ids(view["content"], "link", name):
            return (yield from _click(view, "link", name))
        view = yield from _next_page(view)
        if view is None:
            raise LookupError(f"no link '{name}' in the listing")


def _forum_thread(board: str, title: str) -> Plan:
    view = yield from _open(FORUM)
    view = yield from _click(view, "link", board)
    return (yield from _listing_link(view, title))


# -------------------------------------------------------------- world lookups
class _Index:
    """Clean-world views the families draw from, built once per world."""

    def __init__(self, web: Browser) -> None:
        tables = web.db.tables
        self.products = tables["shop_products"].values()
        self.accounts = tables["shop_accounts"].values()
        self.orders = tables["shop_orders"].values()
        self.coupons = tables["shop_coupons"].values()
        self.articles = tables["wiki_articles"].values()
        self.users = tables["forum_users"].values()
        self.threads = tables["forum_threads"].values()
        self.posts: dict[str, list[Any]] = {t.id: [] for t in self.threads}
        for post in sorted(tables["forum_posts"].values(), key=lambda p: int(p.id)):
            self.posts[post.thread].append(post)
        self.boards = {slug: name for slug, name, _ in BOARDS}
        self.passwords = {u.id: u.password for u in self.users}

    def category(self, slug: str) -> list[Any]:
        return sorted((p for p in self.products if p.category == slug), key=lambda p: p.name)

    def articles_in(self, category: str) -> list[Any]:
        return [a for a in self.articles if a.category == category]

    def orders_of(self, user: str) -> list[Any]:
        """A member's orders as the orders page lists them: newest first."""
        mine = [o for o in self.orders if o.user == user]
        return sorted(mine, key=lambda o: (o.placed_on, order_number(o.id)), reverse=True)


def web_index(web: Browser) -> _Index:
    return clean_index(web, _Index)


def _table_of(world: World, name: str) -> Any:
    return world.toolkit("web").db.tables[name]


def _longest(items: Sequence[T], size: Callable[[T], int], per_page: int) -> list[T]:
    """The items that span more than one page of ``per_page``; in a world too small for any,
    the longest ones."""
    longer = [item for item in items if size(item) > per_page]
    if longer:
        return longer
    most = max(size(item) for item in items)
    return [item for item in items if size(item) == most]


def names_distinct(names: Sequence[str]) -> bool:
    folded = [n.casefold() for n in names]
    return all(a not in b for i, a in enumerate(folded) for j, b in enumerate(folded) if i != j)


def _task(prompt: str, plan: Callable[[], Plan], literals: Sequence[str], **fields: Any) -> Task:
    return make_task(SYSTEM_PROMPT, prompt, plan, literals=tuple(literals), **fields)


def _answer(
    text: str, *terms: str, wrong: Sequence[str] = (), right: Sequence[str] = (), said: str = ""
) -> Answer:
    """A reply stating ``terms``, with the ``wrong`` candidates no right reply states: none said
    in the request ``said``, nor in the reply, the terms or the other ``right`` values (the
    figures a thorough reply may add)."""
    return Answer(text, tuple(terms), wrong_candidates(wrong, [text, *terms, *right], said))


def _neighbours(items: Sequence[T], item: T, reach: int = 2) -> list[T]:
    """The items listed within ``reach`` places of ``item``: the ones a slip of the eye or of
    the click lands on."""
    at = list(items).index(item)
    return [x for x in items[max(0, at - reach) : at + reach + 1] if x is not item]


def _pages(count: int, per_page: int) -> list[str]:
    """The page numbers of a listing of ``count`` items, which a reply may name as it counts."""
    return [str(n) for n in range(1, -(-count // per_page) + 1)]


WIKI_FIELDS = {
    "Mountains": ("Elevation", "First ascent", "First climbed by", "Range"),
    "Lakes": ("Area", "Max depth", "Nearest city"),
    "Cities": ("Population", "Founded", "Mayor"),
    "Rivers": ("Length", "Source", "Mouth"),
}
WIKI_COMPARE = {
    "Mountains": ("Elevation", "higher"),
    "Lakes": ("Max depth", "deeper"),
    "Rivers": ("Length", "longer"),
    "Cities": ("Population", "larger by population"),
}
SIGNATURES = (
    "Happy to help, ask me anything.",
    "Tinkerer, coffee drinker, gadget hoarder.",
    "Opinions are my own.",
    "Currently testing too many headphones.",
)
REPLIES = (
    "Thanks, that solved it for me too.",
    "Same problem here since the last update.",
    "Good question, following this thread.",
    "I had this last year; a full reset fixed it.",
)


_STAGES = ("placed", "shipped", "delivered")


def _contradicting(status: str, others: Sequence[str]) -> list[str]:
    """The statuses among ``others`` a reply about an order in ``status`` must not claim: an
    order on its way may be said to have been placed or to be delivered soon, so only leaving
    the way ("cancelled"), or any stage for a cancelled order, contradicts it."""
    if status in _STAGES:
        return [s for s in others if s not in _STAGES]
    return [s for s in others if s != status and s != "placed"]


# -------------------------------------------------------------------- families
@SUITE.family("web")
def navigate_fact(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Find one fact behind navigation: a wiki infobox, a product's specs, a member's profile."""
    index = web_index(web)
    if difficulty == "easy":
        article = pick(rng, [a for a in index.articles if a.category in WIKI_FIELDS])
        label = pick(rng, WIKI_FIELDS[article.category])
        prompt = f"Using the wiki at {WIKI}, find the {label.lower()} of {article.title}."
        # The same field of the articles listed beside it in its category.
        siblings = _neighbours(index.articles_in(article.category), article)
        wrong = [search_term(dict(a.infobox)[label]) for a in siblings]

        def plan() -> Plan:
            view = yield from wiki_article_plan(article.title)
            shown = page_table(view["content"])[label]
            shown = link_name(shown) or shown
            text = f"The {label.lower()} of {article.title} is {shown}."
            return _answer(text, search_term(shown), wrong=wrong, said=prompt)

        return _task(prompt, plan, [article.title])

    if difficulty == "medium":
        slug = pick(rng, _longest(list(CATEGORIES), lambda s: len(index.category(s)), 10))
        listed = index.category(slug)
        product = pick(rng, listed[10:] or listed)  # beyond the first page when there is one
        label = pick(rng, [k for k, _ in product.specs if k not in ("Brand", "Screen")])
        section = CATEGORIES[slug][0]
        # The same spec of the products listed beside it.
        wrong = [
            search_term(dict(p.specs)[label])
            for p in _neighbours(listed, product)
            if label in dict(p.specs)
        ]
        prompt = (
            f"In the {section} section of {SHOP}, what is the {label.lower()} of the "
            f"{product.name}?"
        )

        def plan() -> Plan:
            view = yield from _open(SHOP)
            view = yield from _click(view, "link", section)
            view = yield from _listing_link(view, product.name)
            lines = yield from _lines(view)
            shown = page_table(lines)[label]
            return _answer(f"{label}: {shown}.", search_term(shown), wrong=wrong, said=prompt)

        return _task(prompt, plan, [section, product.name])

    threads = [t for t in index.threads if len(index.posts[t.id]) > 1]
    thread = pick(rng, threads)
    posts = index.posts[thread.id]
    board = index.boards[thread.board]
    # Where the thread's other writers live: the starter, or the last post of the first page.
    lives_in = {u.id: u.location for u in index.users}
    wrong = [lives_in[p.author] for p in posts if p.author != posts[-1].author]
    prompt = (
        f"On {FORUM}, find the thread '{thread.title}' in the {board} board. In which city does "
        "the member who wrote its most recent post live, according to their profile?"
    )

    def plan() -> Plan:
        view = yield from _forum_thread(board, thread.title)
        while (following := (yield from _next_page(view))) is not None:
            view = following
        authors = [line for line in view["content"] if re.match(r"#\d+ by \[\d+\] link", line)]
        writer = link_name(authors[-1])
        view = yield from _click(view, "link", writer)
        lives = page_table(view["content"])["Location"]
        return _answer(f"{writer} lives in {lives}.", lives, wrong=wrong, said=prompt)

    return _task(prompt, plan, [thread.title, board])


@SUITE.family("web")
def compare_pages(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Which of two things wins a comparison, read from separate pages; answer one name."""
    index = web_index(web)
    for _ in range(200):
        if difficulty == "medium":
            first, second = (pick(rng, index.products) for _ in range(2))
            options = [first, second]
            names = [p.name for p in options]
            values = [p.price_cents for p in options]
            valid = first.category != second.category
        elif difficulty == "easy":
            category = pick(rng, list(WIKI_COMPARE))
            label, adjective = WIKI_COMPARE[category]
            options = [pick(rng, index.articles_in(category)) for _ in range(2)]
            names = [a.title for a in options]
            values = [float(search_term(dict(a.infobox)[label])) for a in options]
            valid = True
        else:
            rivers = [pick(rng, index.articles_in("Rivers")) for _ in range(2)]
            lakes = {a.title: a for a in index.articles_in("Lakes")}
            mouths = [lakes[dict(r.infobox)["Mouth"]] for r in rivers]
            names = [r.title for r in rivers]
            values = [float(search_term(dict(m.infobox)["Max depth"])) for m in mouths]
            valid = mouths[0] is not mouths[1]
        if valid and len(set(values)) == 2 and len(set(names)) == 2 and names_distinct(names):
            break
    else:
        raise LookupError("no two comparable pages")
    if difficulty == "medium":
        winner = names[values.index(min(values))]
        prompt = (
            f"At {SHOP}, which costs less: the {names[0]} or the {names[1]}? "
            "Answer with just the product's name."
        )
    elif difficulty == "easy":
        winner = names[values.index(max(values))]
        prompt = (
            f"On the wiki at {WIKI}, which is {adjective}: {names[0]} or {names[1]}? "
            "Answer with just its name."
        )
    else:
        winner = names[values.index(max(values))]
        prompt = (
            f"On the wiki at {WIKI}, which river flows into the deeper lake: the {names[0]} or "
            f"the {names[1]}? Answer with just the river's name."
        )
    loser = next(n for n in names if n != winner)

    def plan() -> Plan:
        seen = []
        for name in names:
            if difficulty == "medium":
                view = yield from shop_search_plan(name)
                row = next(r for r in page_rows(view["content"]) if link_name(r[0]) == name)
                seen.append((-parse_money(row[1]), name))
            elif difficulty == "easy":
                view = yield from wiki_article_plan(name)
                seen.append((float(search_term(page_table(view["content"])[label])), name))
            else:
                view = yield from wiki_article_plan(name)
                lake = link_name(page_table(view["content"])["Mouth"])
                view = yield from _click(view, "link", lake)
                seen.append((float(search_term(page_table(view["content"])["Max depth"])), name))
        return _answer(f"{max(seen)[1]}.", max(seen)[1])

    def only_winner(world: World, answer: str | None) -> dict[str, bool]:
        return {"names_only_the_answer": answer_excludes(answer, [loser])}

    return _task(prompt, plan, names, extra_check=only_winner)


@SUITE.family("web")
def follow_pagination(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Count things across every page of a listing or a thread."""
    index = web_index(web)
    if difficulty == "easy":

        def sold_out(slug: str) -> int:
            return sum(p.stock == 0 for p in index.category(slug))

        # A count of zero invites answers like "none", which no exact check can read as 0.
        long = _longest(list(CATEGORIES), lambda s: len(index.category(s)), 10)
        slug = pick(rng, [s for s in long if sold_out(s)] or long)
        section = CATEGORIES[slug][0]
        prompt = f"How many products in the {section} section of {SHOP} are out of stock?"
        # The count of another section, or of the whole shop.
        wrong = [str(sold_out(s)) for s in CATEGORIES if s != slug]
        wrong.append(str(sum(p.stock == 0 for p in index.products)))
        pages = _pages(len(index.category(slug)), PER_PAGE)

        def plan() -> Plan:
            view = yield from _open(SHOP)
            view = yield from _click(view, "link", section)
            found = 0
            while view is not None:
                found += sum(row[-1] == "Out of stock" for row in page_rows(view["content"]))
                view = yield from _next_page(view)
            return _answer(
                f"Out of stock: {found}.", str(found), wrong=wrong, right=pages, said=prompt
            )

        return _task(prompt, plan, [section])

    if difficulty == "medium":
        by_board = Counter(t.board for t in index.threads)
        slug = pick(rng, _longest(sorted(by_board), by_board.__getitem__, 10))
        authors = sorted({t.author for t in index.threads if t.board == slug})
        member = pick(rng, authors)
        board = index.boards[slug]
        prompt = f"In the {board} board of {FORUM}, how many threads did {member} start?"
        # The member's threads on every board, or on another one.
        started = Counter(t.board for t in index.threads if t.author == member)
        wrong = [str(started.total())] + [str(n) for b, n in sorted(started.items()) if b != slug]
        pages = _pages(by_board[slug], THREADS_PER_PAGE)

        def plan() -> Plan:
            view = yield from _open(FORUM)
            view = yield from _click(view, "link", board)
            found = 0
            while view is not None:
                found += sum(link_name(row[1]) == member for row in page_rows(view["content"]))
                view = yield from _next_page(view)
            text = f"Threads {member} started there: {found}."
            return _answer(text, str(found), wrong=wrong, right=pages, said=prompt)

        return _task(prompt, plan, [board, member])

    thread = pick(rng, _longest(index.threads, lambda t: len(index.posts[t.id]), 10))
    member = pick(rng, sorted({p.author for p in index.posts[thread.id]}))
    prompt = f"On {FORUM}, how many posts did {member} write in the thread '{thread.title}'?"
    # The member's posts on the whole forum (their profile's count), or the thread's own length.
    everywhere = sum(p.author == member for posts in index.posts.values() for p in posts)
    wrong = [str(everywhere), str(len(index.posts[thread.id]))]
    pages = _pages(len(index.posts[thread.id]), POSTS_PER_PAGE)

    def plan() -> Plan:
        view = yield from _open(FORUM)
        view = yield from _click(view, "link", "Search")
        yield from _fill(view, "textbox", "Words in the title", thread.title)
        view = yield from _click(view, "button", "Search")
        view = yield from _click(view, "link", thread.title)
        found = 0
        while view is not None:
            found += sum(bool(re.match(rf"#\d+ by \[\d+\] link '{re.escape(member)}'", line))
                         for line in view["content"])  # fmt: skip
            view = yield from _next_page(view)
        text = f"Posts by {member} in that thread: {found}."
        return _answer(text, str(found), wrong=wrong, right=pages, said=prompt)

    return _task(prompt, plan, [member, thread.title])


def _new_email(index: _Index, rng: np.random.Generator) -> str:
    user = pick(rng, index.users)
    first, last = user.display_name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}{int(rng.integers(100, 1000))}@example.com"


@SUITE.family("web")
def submit_form(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Fill in and submit a form without signing in; the site's records must show it."""
    index = web_index(web)
    if difficulty == "medium":
        city = pick(rng, index.articles_in("Cities"))
        old = int(search_term(dict(city.infobox)["Population"]))
        population = f"{max(1000, old + int(rng.integers(-5000, 5000))):,}"
        summary = pick(rng, ("Updated population from the 2026 census", "New census figure"))
        prompt = (
            f"On the wiki at {WIKI}, set the Population field of the article on {city.title} to "
            f"exactly '{population}', with the edit summary '{summary}'."
        )

        def plan() -> Plan:
            view = yield from wiki_article_plan(city.title)
            view = yield from _click(view, "link", "Edit this article")
            yield from _fill(view, "textbox", "Population", population)
            yield from _fill(view, "textbox", "Edit summary", summary)
            yield from _click(view, "button", "Save changes")
            return f"The population of {city.title} now reads {population}."

        def edited(world: World, answer: str | None) -> dict[str, bool]:
            article = _table_of(world, "wiki_articles")[city.id]
            revisions = _table_of(world, "wiki_revisions").where(article=city.id)
            return {
                "article_updated": dict(article.infobox)["Population"] == population,
                "summary_recorded": any(r.summary == summary for r in revisions),
            }

        return _task(prompt, plan, [city.title, population, summary], extra_check=edited)

    email = _new_email(index, rng)
    if difficulty == "easy":
        topics, frequency, kind = ("deals", "new"), "weekly", "html"
        prompt = f"Sign {email} up for the newsletter of {SHOP} with the default options."
    else:
        chosen = rng.choice(len(TOPICS), size=int(rng.integers(1, 3)), replace=False)
        topics = tuple(key for i, key in enumerate(TOPICS) if i in set(chosen.tolist()))
        frequency = pick(rng, FREQUENCIES)
        kind = pick(rng, ("html", "text"))
        wanted = " and ".join(TOPICS[t] for t in topics)
        prompt = (
            f"Subscribe {email} to the newsletter of {SHOP} for {wanted} only, sent "
            f"{frequency}, in {'plain text' if kind == 'text' else 'HTML'} format."
        )

    def plan() -> Plan:
        view = yield from _open(SHOP)
        if difficulty == "easy":
            yield from _fill(view, "textbox", "Email address", email)
            yield from _click(view, "button", "Subscribe")
            return f"{email} is subscribed."
        view = yield from _click(view, "link", "Choose your newsletter options")
        yield from _fill(view, "textbox", "Email address", email)
        for key, label in TOPICS.items():
            yield from _fill(view, "checkbox", label, "true" if key in topics else "false")
        radio = yield from _locate(view, "radio", frequency.capitalize())
        yield call("click", f"Choose {frequency}.", element=radio)
        yield from _fill(view, "combobox", "Format", "Plain text" if kind == "text" else "HTML")
        yield from _click(view, "button", "Save subscription")
        return f"{email} is subscribed."

    def subscribed(world: World, answer: str | None) -> dict[str, bool]:
        found = _table_of(world, "shop_subscribers").get(email)
        wanted = (topics, frequency, kind)
        return {
            "subscribed": found is not None
            and (found.topics, found.frequency, found.format) == wanted
        }

    return _task(prompt, plan, [email], extra_check=subscribed)


@SUITE.family("web")
def login_and_act(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Sign in with the user's credentials, then change settings, reply, or buy with a coupon."""
    index = web_index(web)
    if difficulty == "hard":
        return _purchase(web, index, rng)
    member = pick(rng, index.users)
    password = index.passwords[member.id]
    sign_in = f"Sign in to {FORUM} as {member.id} (password: {password})"
    facts = {"username": member.id, "password": password}
    if difficulty == "easy":
        setting = pick(rng, ("signature", "notify", "timezone"))
        if setting == "signature":
            value: Any = pick(rng, [s for s in SIGNATURES if s != member.signature])
            change = f"set your forum signature to exactly '{value}'"
        elif setting == "notify":
            value = not member.notify
            change = f"turn {'on' if value else 'off'} email notifications about replies"
        else:
            value = pick(rng, [z for z in ("Europe/London", "Asia/Tokyo") if z != member.timezone])
            change = f"change your time zone to {value}"
        prompt = f"{sign_in} and {change}."

        def plan() -> Plan:
            view = yield from _sign_in(FORUM, member.id, password)
            view = yield from _click(view, "link", "Settings")
            if setting == "signature":
                yield from _fill(view, "textarea", "Signature", value)
            elif setting == "notify":
                yield from _fill(view, "checkbox", "Email me about replies", str(value).lower())
            else:
                yield from _fill(view, "combobox", "Time zone", value)
            yield from _click(view, "button", "Save settings")
            return "Your settings are saved."

        def changed(world: World, answer: str | None) -> dict[str, bool]:
            record = _table_of(world, "forum_users")[member.id]
            return {"setting_changed": getattr(record, setting) == value}

        literals = [member.id, password] + ([value] if isinstance(value, str) else [])
        return _task(prompt, plan, literals, extra_check=changed, facts=facts)

    thread = pick(rng, [t for t in index.threads if t.board != "announcements"])
    board = index.boards[thread.board]
    text = pick(rng, REPLIES)
    prompt = (
        f"{sign_in} and reply to the thread '{thread.title}' in the {board} board with exactly "
        f"this text: {text}"
    )

    def plan() -> Plan:
        yield from _sign_in(FORUM, member.id, password)
        view = yield from _forum_thread(board, thread.title)
        yield from _fill(view, "textarea", "Your reply", text)
        yield from _click(view, "button", "Post reply")
        return "Your reply is posted."

    def replied(world: World, answer: str | None) -> dict[str, bool]:
        posts = _table_of(world, "forum_posts").where(thread=thread.id, author=member.id)
        return {"reply_posted": any(p.body == text for p in posts)}

    literals = [member.id, password, thread.title, board, text]
    return _task(prompt, plan, literals, extra_check=replied, facts=facts)


def _purchase(web: Browser, index: _Index, rng: np.random.Generator) -> Task:
    """Buy a product with a coupon code that only the forum's announcements give."""
    account = pick(rng, index.accounts)
    product = pick(rng, [p for p in index.products if p.stock >= 2])
    quantity = int(rng.integers(1, 3))
    shipping = pick(rng, list(SHIPPING))
    coupon = next(c for c in index.coupons if c.active)
    subtotal = product.price_cents * quantity
    discount = subtotal * coupon.percent // 100
    total = subtotal - discount + SHIPPING[shipping][1]
    label = SHIPPING[shipping][0]
    # The totals of a careless checkout: no coupon, or the other shipping; beside the figures an
    # itemised reply states.
    wrong = [_money(subtotal + SHIPPING[shipping][1])]
    wrong += [_money(subtotal - discount + SHIPPING[key][1]) for key in SHIPPING if key != shipping]
    itemised = [subtotal, discount, subtotal - discount, SHIPPING[shipping][1], product.price_cents]
    right = [_money(cents) for cents in itemised]
    prompt = (
        f"Sign in to {SHOP} as {account.id} (password: {account.password}) and buy {quantity} of "
        f"the {product.name} with {shipping} shipping to my saved address. Use the partner "
        f"discount code announced on {FORUM}. Tell me the order number and the total."
    )

    def plan() -> Plan:
        view = yield from _open(FORUM)
        view = yield from _click(view, "link", "Announcements")
        offer = next(
            link_name(row[0]) for row in page_rows(view["content"])
            if "Partner offer" in link_name(row[0])
        )  # fmt: skip
        view = yield from _click(view, "link", offer)
        code = next(m.group(1) for line in view["content"]
                    if (m := re.search(r"the code (\w+) at checkout", line)))  # fmt: skip
        view = yield from _sign_in(SHOP, account.id, account.password)
        view = yield from _click(view, "link", "Home")
        yield from _fill(view, "textbox", "Search products", product.name)
        view = yield from _click(view, "button", "Search")
        view = yield from _click(view, "link", product.name)
        yield from _fill(view, "textbox", "Quantity", str(quantity))
        view = yield from _click(view, "button", "Add to cart")
        view = yield from _click(view, "link", "Proceed to checkout")
        yield from _fill(view, "combobox", "Shipping", shipping.capitalize())
        yield from _fill(view, "textbox", "Coupon code", code)
        view = yield from _click(view, "button", "Place order")
        order = re.search(r"Order (SO-\d+)", view["title"]).group(1)  # type: ignore[union-attr]
        paid = page_table(view["content"])["Total"]
        text = f"Order {order} is placed; the total is {paid}."
        paid_term = f"{parse_money(paid):.2f}"
        return _answer(text, order, paid_term, wrong=wrong, right=right, said=prompt)

    def bought(world: World, answer: str | None) -> dict[str, bool]:
        orders = _table_of(world, "shop_orders").where(user=account.id, status="placed")
        return {
            "order_placed": any(
                [(line.product_id, line.quantity) for line in o.lines] == [(product.id, quantity)]
                and o.coupon == coupon.id and o.shipping == shipping and o.total_cents == total
                for o in orders
            )
        }  # fmt: skip

    facts = {"username": account.id, "password": account.password, "shipping": label}
    literals = [account.id, account.password, product.name]
    return _task(prompt, plan, literals, extra_check=bought, facts=facts)


@SUITE.family("web")
def account_history(web: Browser, rng: np.random.Generator, difficulty: str) -> Task:
    """Sign in and read (or act on) the member's own order history, across its pages."""
    index = web_index(web)

    def has(test: Callable[[list[Any]], bool]) -> Any:
        return pick(rng, [a for a in index.accounts if test(index.orders_of(a.id))])

    if difficulty == "hard":
        account = has(lambda orders: any(o.status == "placed" for o in orders))
    elif difficulty == "medium":
        account = has(lambda orders: any(o.status == "delivered" for o in orders))
    else:
        account = pick(rng, index.accounts)
    orders = index.orders_of(account.id)
    sign_in = f"Sign in to {SHOP} as {account.id} (password: {account.password})."
    facts = {"username": account.id, "password": account.password}
    literals = [account.id, account.password]

    if difficulty == "easy":
        order = pick(rng, orders)
        prompt = f"{sign_in} What is the status of my order {order.id}?"
        wrong = _contradicting(order.status, [o.status for o in orders])

        def plan() -> Plan:
            view = yield from _sign_in(SHOP, account.id, account.password)
            view = yield from _click(view, "link", "Orders")
            view = yield from _listing_link(view, order.id)
            status = page_table(view["content"])["Status"]
            return _answer(f"Order {order.id} is {status}.", status, wrong=wrong, said=prompt)

        return _task(prompt, plan, [*literals, order.id], facts=facts)

    if difficulty == "medium":
        prompt = f"{sign_in} How much have I spent in total on my orders that were delivered?"

        def summed(*statuses: str) -> str:
            return _money(sum(o.total_cents for o in orders if o.status in statuses))

        # Sums widened to orders not delivered: every order, or one more status.
        wrong = [summed("placed", "shipped", "delivered", "cancelled")]
        wrong += [summed("delivered", s) for s in ("placed", "shipped", "cancelled")]
        parts = [_money(o.total_cents) for o in orders if o.status == "delivered"]

        def plan() -> Plan:
            view = yield from _sign_in(SHOP, account.id, account.password)
            view = yield from _click(view, "link", "Orders")
            found = 0.0
            while view is not None:
                found += sum(
                    parse_money(r[3]) for r in page_rows(view["content"]) if r[2] == "delivered"
                )
                view = yield from _next_page(view)
            text = f"You spent ${found:,.2f} on delivered orders."
            return _answer(text, f"{found:.2f}", wrong=wrong, right=parts, said=prompt)

        return _task(prompt, plan, literals, facts=facts)

    target = next(o for o in orders if o.status == "placed")
    # Another order's total, the figure a careless reply reads off the wrong row.
    others = [_money(o.total_cents) for o in orders if o is not target]
    prompt = (
        f"{sign_in} Cancel my most recent order that has not shipped yet (its status is "
        "'placed'), and tell me what its total was."
    )

    def plan() -> Plan:
        view = yield from _sign_in(SHOP, account.id, account.password)
        view = yield from _click(view, "link", "Orders")
        while True:
            placed = [r for r in page_rows(view["content"]) if r[2] == "placed"]
            if placed:
                break
            view = yield from _next_page(view)
        order = link_name(placed[0][0])
        view = yield from _click(view, "link", order)
        paid = page_table(view["content"])["Total"]
        yield from _click(view, "button", "Cancel this order")
        text = f"Order {order} is cancelled; its total was {paid}."
        return _answer(text, f"{parse_money(paid):.2f}", wrong=others, said=prompt)

    def cancelled(world: World, answer: str | None) -> dict[str, bool]:
        return {"order_cancelled": _table_of(world, "shop_orders")[target.id].status == "cancelled"}

    return _task(prompt, plan, literals, extra_check=cancelled, facts=facts)
